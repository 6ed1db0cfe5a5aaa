"""Company cube rows made by hand, as dashboard.read.queries.company_cube returns them."""

from __future__ import annotations

import pandas as pd


def rows(records: list[tuple[int, str, str, float]], topics: dict[int, list[str]] | None = None) -> pd.DataFrame:
    """(id, ISO time, company, tone) -> company cube rows, one article each (as queries.company_cube returns
    them summed per day; the shaping sums rows, so one per article is the same), with per-topic columns."""
    topics = topics or {}
    names = sorted({t for ts in topics.values() for t in ts})
    return pd.DataFrame(
        [
            {
                "day": pd.Timestamp(t).normalize(),
                "company": c,
                "articles": 1,
                "toned": 1,
                "tone_sum": tone,
                "tone_sq": tone * tone,
                "neg": int(tone <= -0.2),
                "pos": int(tone >= 0.2),
                **{f"n:{n}": int(n in topics.get(i, [])) for n in names},
                **{f"t:{n}": int(n in topics.get(i, [])) for n in names},
                **{f"tone:{n}": tone if n in topics.get(i, []) else 0.0 for n in names},
            }
            for i, t, c, tone in records
        ]
    )
