"""Per-article facts in compact arrays, for the filters the roll-ups cannot answer (a keyword, a publisher).

The full-text index finds which articles match a keyword in milliseconds, but summing their tone in SQL
means one B-tree lookup per matching article (a few microseconds each: most of a second for a common word at
a million articles). These arrays hold, per article, only what the charts sum: day, company and topic bit
sets, tone and label, publisher; and per (article, company) the tone toward it. About 40 bytes an article,
loaded once per process, extended by new ids, reloaded after a rescore.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.schema import article_companies, articles, meta

LABELS = {"neg": -1, "neu": 0, "pos": 1}
NO_LABEL = -2
EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Facts:
    """Arrays indexed by position; ``position`` maps an article id to its position."""

    ids: np.ndarray  # int64, ascending
    day: np.ndarray  # int32 days since 1970-01-01
    company_mask: np.ndarray  # int64
    topic_mask: np.ndarray  # int64
    tone: np.ndarray  # float64, NaN when not analysed
    label: np.ndarray  # int8: -1 neg, 0 neu, 1 pos, -2 none
    publisher: np.ndarray  # int32 index into publishers
    publishers: tuple[str, ...]
    # One row per (article, company), grouped by article: position of the article, company, tone, label.
    ac_position: np.ndarray  # int64
    ac_company: np.ndarray  # int32 index into companies
    ac_tone: np.ndarray  # float64
    ac_label: np.ndarray  # int8
    companies: tuple[str, ...]
    version: tuple[int, str]

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of some article ids (ids not loaded are dropped)."""
        if not len(self.ids) or not len(ids):
            return np.array([], dtype=np.int64)
        found = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return found[self.ids[found] == ids]


def _version(engine: Engine) -> tuple[int, str]:
    """What the facts depend on: the newest article id, and when the analysis was last rewritten."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(articles.c.id))).scalar() or 0
        built = conn.execute(select(meta.c.value).where(meta.c.key == "analysis_version")).scalar() or ""
    return int(last), str(built)


def _load(engine: Engine, after: int, version: tuple[int, str]) -> Facts:
    """Facts of the articles with ids above ``after`` (0: all), up to the version's newest id."""
    a, ac = articles.c, article_companies.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(a.id, a.day, a.company_mask, a.topic_mask, a.tone, a.tone_label, a.publisher)
            .where(a.id > after, a.id <= version[0])
            .order_by(a.id)
        ).all()
        company_rows = conn.execute(
            select(ac.article_id, ac.company, ac.tone, ac.tone_label)
            .where(ac.article_id > after, ac.article_id <= version[0])
            .order_by(ac.article_id)
        ).all()
    frame = pd.DataFrame.from_records(
        [tuple(r) for r in rows], columns=["id", "day", "cm", "tm", "tone", "label", "publisher"]
    )
    ids = frame["id"].to_numpy(dtype=np.int64)
    days = pd.to_datetime(frame["day"]).to_numpy(dtype="datetime64[D]").astype(np.int64).astype(np.int32)
    publisher_codes, publishers = pd.factorize(frame["publisher"])
    companies_frame = pd.DataFrame.from_records(
        [tuple(r) for r in company_rows], columns=["id", "company", "tone", "label"]
    )
    company_codes, companies = pd.factorize(companies_frame["company"])
    return Facts(
        ids=ids,
        day=days,
        company_mask=frame["cm"].to_numpy(dtype=np.int64),
        topic_mask=frame["tm"].to_numpy(dtype=np.int64),
        tone=frame["tone"].to_numpy(dtype=np.float64, na_value=np.nan),
        label=frame["label"].map(LABELS).fillna(NO_LABEL).to_numpy(dtype=np.int8),
        publisher=publisher_codes.astype(np.int32),
        publishers=tuple(publishers),
        ac_position=np.searchsorted(ids, companies_frame["id"].to_numpy(dtype=np.int64)),
        ac_company=company_codes.astype(np.int32),
        ac_tone=companies_frame["tone"].to_numpy(dtype=np.float64),
        ac_label=companies_frame["label"].map(LABELS).fillna(NO_LABEL).to_numpy(dtype=np.int8),
        companies=tuple(companies),
        version=version,
    )


def _recode(codes: np.ndarray, names: tuple[str, ...], into: list[str]) -> np.ndarray:
    """Codes against ``names`` re-expressed against ``into`` (extended with any new names)."""
    index = {n: i for i, n in enumerate(into)}
    for name in names:
        if name not in index:
            index[name] = len(into)
            into.append(name)
    mapping = np.array([index[n] for n in names], dtype=np.int32)
    return mapping[codes] if len(codes) else codes.astype(np.int32)


def _extend(old: Facts, new: Facts) -> Facts:
    """Old facts followed by newer articles' facts."""
    publishers, companies = list(old.publishers), list(old.companies)
    new_publisher = _recode(new.publisher, new.publishers, publishers)
    new_company = _recode(new.ac_company, new.companies, companies)
    return Facts(
        ids=np.concatenate([old.ids, new.ids]),
        day=np.concatenate([old.day, new.day]),
        company_mask=np.concatenate([old.company_mask, new.company_mask]),
        topic_mask=np.concatenate([old.topic_mask, new.topic_mask]),
        tone=np.concatenate([old.tone, new.tone]),
        label=np.concatenate([old.label, new.label]),
        publisher=np.concatenate([old.publisher, new_publisher]),
        publishers=tuple(publishers),
        ac_position=np.concatenate([old.ac_position, new.ac_position + len(old.ids)]),
        ac_company=np.concatenate([old.ac_company, new_company]),
        ac_tone=np.concatenate([old.ac_tone, new.ac_tone]),
        ac_label=np.concatenate([old.ac_label, new.ac_label]),
        companies=tuple(companies),
        version=new.version,
    )


_cache: dict[str, Facts] = {}
_lock = threading.Lock()


def current(engine: Engine) -> Facts:
    """The facts of every stored article, loaded on first use and kept current (one small query a call)."""
    key = str(engine.url)
    version = _version(engine)
    with _lock:
        held = _cache.get(key)
        if held is None or held.version[1] != version[1] or held.version[0] > version[0]:
            held = _load(engine, 0, version)
        elif held.version[0] < version[0]:
            held = _extend(held, _load(engine, held.version[0], version))
        _cache[key] = held
        return held
