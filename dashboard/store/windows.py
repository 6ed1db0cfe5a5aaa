"""Backfill windows already fetched and stored, so an interrupted backfill resumes where it stopped."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, Engine, delete, insert, select

from dashboard.store.schema import backfill_windows, chunks, meta

HISTORY = "history"  # meta key: the first run's history, "pending" until every window of it is stored, then "done"

Window = tuple[date, date]  # [since, until): the days a Google News search with after:/before: covers


def record(conn: Connection, feed: str, window: Window, done_at: datetime, new: int) -> None:
    """Mark a feed's window done, in the caller's transaction (again, when another worker did it too: the
    later count stands)."""
    where = (
        (backfill_windows.c.feed == feed)
        & (backfill_windows.c.since == window[0])
        & (backfill_windows.c.until == window[1])
    )
    conn.execute(delete(backfill_windows).where(where))
    conn.execute(insert(backfill_windows).values(feed=feed, since=window[0], until=window[1], done_at=done_at, new=new))


def done(engine: Engine, feeds: Iterable[str]) -> set[tuple[str, date, date]]:
    """The windows of these feeds already fetched and stored: (feed, since, until)."""
    names = sorted(set(feeds))
    found: set[tuple[str, date, date]] = set()
    with engine.connect() as conn:
        for chunk in chunks(names):
            query = select(backfill_windows.c.feed, backfill_windows.c.since, backfill_windows.c.until)
            found.update((f, s, u) for f, s, u in conn.execute(query.where(backfill_windows.c.feed.in_(chunk))))
    return found


def history_state(conn: Connection) -> str | None:
    """Where the first run's history stands: None (never started), "pending" or "done"."""
    return conn.execute(select(meta.c.value).where(meta.c.key == HISTORY)).scalar()


def set_history_state(engine: Engine, state: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(meta).where(meta.c.key == HISTORY))
        conn.execute(insert(meta).values(key=HISTORY, value=state))
