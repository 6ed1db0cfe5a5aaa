"""``python -m bench.story_keys``: what a story key costs to write and to look up as ``story_keys`` grows, with
keys led by their headline's week (as the store keys them since schema v10) against plain random 64-bit keys
(as before).

A load writes band keys day by day, in publication order. The table is filled so, over 365 days, to each size
in ``--rows``; then ten batches of 28,000 new keys (2,000 headlines' worth, at 14 a headline) are written on
the last days, each in a transaction of its own, and before each, 40,000 keys (2,000 of them stored) are
looked up on the days within reach of the batch. Everything goes through the store's own code on SQLite
with the store's settings (dashboard.store.engine, dashboard.store.stories): only the key layout differs.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from dashboard.analyse.likeness import BandKeys
from dashboard.store import stories
from dashboard.store.engine import open_engine
from dashboard.store.schema import insert_many, story_keys

DAYS = 365
BATCHES = 10
WRITTEN = 28_000  # keys a batch of 2,000 headlines writes
SOUGHT, FOUND = 40_000, 2_000  # keys it looks up, and how many of them are stored
FIRST = date(2025, 11, 1)
LAYOUTS = ("week", "random")


@dataclass(frozen=True)
class Cost:
    layout: str
    rows: int
    insert_us: float  # per key written
    lookup_ms: float  # per batch looked up


def _placed(layout: str, hashes: Sequence[int], day: date) -> list[int]:
    """Band hashes as stored on a day: led by the day's week, or as they are."""
    if layout == "random":
        return list(hashes)
    return list(stories._in_weeks(BandKeys(tuple(hashes), ()), stories._day_number(day)).stored)


def _sought(layout: str, hashes: Sequence[int], day: date) -> set[int]:
    """Band hashes as a headline of that day looks them up: in each week within reach, or as they are."""
    if layout == "random":
        return set(hashes)
    return set(stories._in_weeks(BandKeys((), tuple(hashes)), stories._day_number(day)).sought)


def _write(engine: Engine, layout: str, hashes: Sequence[int], day: date, story: int) -> None:
    """One day's keys, 14 to a story, in one transaction."""
    rows = [{"key": k, "day": day, "story_id": story + i // 14} for i, k in enumerate(_placed(layout, hashes, day))]
    rows.sort(key=lambda row: row["key"])  # type: ignore[arg-type, return-value]
    with engine.begin() as conn:
        insert_many(conn, story_keys, rows, "ON CONFLICT DO NOTHING")


def measure(layout: str, rows: int, folder: Path, seed: int = 1) -> Cost:
    """Fill a fresh store's story_keys to ``rows``, then time the batches on its last days."""
    rng = random.Random(seed)
    engine = open_engine(f"sqlite:///{folder / f'{layout}-{rows}.db'}")
    per_day = rows // DAYS
    kept: dict[int, list[int]] = {}
    story = 1
    for offset in range(DAYS):
        hashes = [rng.getrandbits(64) - (1 << 63) for _ in range(per_day)]
        kept[offset] = rng.sample(hashes, min(FOUND, len(hashes)))
        _write(engine, layout, hashes, FIRST + timedelta(days=offset), story)
        story += per_day // 14 + 1
    writing = looking = 0.0
    for batch in range(BATCHES):
        offset = DAYS - 3 + batch % 3
        day = FIRST + timedelta(days=offset)
        hashes = kept[offset - 1] + [rng.getrandbits(64) - (1 << 63) for _ in range(SOUGHT - FOUND)]
        started = time.perf_counter()
        with engine.connect() as conn:
            found = stories._lookup_bands(conn, _sought(layout, hashes, day), day - timedelta(days=7), day)
        looking += time.perf_counter() - started
        if len(set(found.key.tolist())) < len(kept[offset - 1]):
            raise AssertionError(f"{layout}: the stored keys sought were not all found")
        new = [rng.getrandbits(64) - (1 << 63) for _ in range(WRITTEN)]
        started = time.perf_counter()
        _write(engine, layout, new, day, story)
        writing += time.perf_counter() - started
        story += WRITTEN // 14
    engine.dispose()
    return Cost(layout, rows, writing / (BATCHES * WRITTEN) * 1e6, looking / BATCHES * 1e3)


def markdown(costs: Sequence[Cost]) -> str:
    lines = [
        "| rows in story_keys | key layout | write, us a key | look up 40,000 keys, ms |",
        "| ---: | --- | ---: | ---: |",
    ]
    lines += [f"| {c.rows:,} | {c.layout} | {c.insert_us:.1f} | {c.lookup_ms:.0f} |" for c in costs]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.story_keys", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_400_000, 14_000_000], help="table sizes")
    args = parser.parse_args(argv)
    costs = []
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as tmp:
        for rows in args.rows:
            for layout in LAYOUTS:
                print(f"{layout} keys, {rows:,} rows", file=sys.stderr, flush=True)
                costs.append(measure(layout, rows, Path(tmp)))
                (Path(tmp) / f"{layout}-{rows}.db").unlink()
    print(markdown(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
