"""Leases on feeds, so any number of ingest and worker processes share one database without fetching the
same feed at once: a process takes a feed's lease before fetching it and gives it back once the feed is
stored, saying when the feed is next due; a crashed process's leases lapse when they expire.

A lease row per URL asked: ``holder`` is the process fetching it now (None: nobody), ``expires_at`` when its
lease lapses, or, once given back, when the feed is next due, and ``stored_at`` when it was last given back.
On PostgreSQL the free rows are taken with ``SELECT ... FOR UPDATE SKIP LOCKED``, so takers never wait on
each other; on SQLite the taking UPDATE holds the database's one write lock, which serialises takers the
same way.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, or_, select, update

from dashboard.store.schema import chunks, feed_leases, insert_many


def new_holder() -> str:
    """A name for this process that no other process shares: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process, but alive
        return True
    return True


def _dead_here(conn: Connection) -> list[str]:
    """Holders that ran on this machine and are gone (killed, crashed): their leases need not wait to lapse."""
    prefix = f"{socket.gethostname()}:"
    query = select(feed_leases.c.holder).where(feed_leases.c.holder.startswith(prefix, autoescape=True)).distinct()
    dead = []
    for holder in conn.execute(query).scalars():
        pid = holder[len(prefix) :].split(":", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            dead.append(holder)
    return dead


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def _ensure_rows(conn: Connection, urls: Sequence[str]) -> None:
    """A lease row for every URL (a new one free and never fetched)."""
    rows = {url_hash(u): u for u in urls}
    insert_many(
        conn,
        feed_leases,
        [
            {"url_hash": h, "url": u, "holder": None, "expires_at": None, "stored_at": None}
            for h, u in sorted(rows.items())
        ],
        "ON CONFLICT DO NOTHING",
    )


def take(
    engine: Engine,
    urls: Sequence[str],
    holder: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    due_only: bool,
    stored_before: datetime | None = None,
) -> list[str]:
    """Take the leases of up to ``limit`` of these URLs, in their order, for ``lease``: those nobody is
    fetching and, with ``due_only``, whose next fetch is due, or else, with ``stored_before``, that nobody
    stored since then (a run's start: two runs at once fetch each feed once). Returns the URLs taken."""
    if not urls or limit <= 0:
        return []
    order = {url_hash(u): i for i, u in reversed(list(enumerate(urls)))}
    lapsed = or_(feed_leases.c.expires_at.is_(None), feed_leases.c.expires_at <= now)
    free = lapsed if due_only else or_(feed_leases.c.holder.is_(None), lapsed)
    if stored_before is not None and not due_only:
        free = and_(free, or_(feed_leases.c.stored_at.is_(None), feed_leases.c.stored_at < stored_before))
    taken: list[str] = []
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # the write lock first: a read that later writes would fail, not wait
            conn.execute(update(feed_leases).where(feed_leases.c.url_hash == "").values(holder=None))
        _ensure_rows(conn, urls)
        dead = _dead_here(conn)
        if dead:
            free = or_(free, feed_leases.c.holder.in_(dead))
        for chunk in chunks(sorted(order)):
            if len(taken) >= limit:
                break
            query = select(feed_leases.c.url_hash).where(feed_leases.c.url_hash.in_(chunk), free)
            if conn.dialect.name == "postgresql":
                query = query.order_by(feed_leases.c.url_hash).with_for_update(skip_locked=True)
            candidates = sorted(conn.execute(query).scalars(), key=order.__getitem__)[: limit - len(taken)]
            # The WHERE is checked again as the row is written: on SQLite, after the write lock is held.
            result = conn.execute(
                update(feed_leases)
                .where(feed_leases.c.url_hash.in_(candidates), free)
                .values(holder=holder, expires_at=now + lease)
            )
            if result.rowcount != len(candidates):
                mine = select(feed_leases.c.url_hash).where(
                    feed_leases.c.url_hash.in_(candidates), feed_leases.c.holder == holder
                )
                candidates = sorted(conn.execute(mine).scalars(), key=order.__getitem__)
            taken += [urls[order[h]] for h in candidates]
    return taken


def give_back(
    engine: Engine, urls: Sequence[str], holder: str, due_at: datetime | None, stored_at: datetime | None = None
) -> None:
    """Give back this holder's leases of these URLs, stored at ``stored_at`` (None: not stored); each is
    next due at ``due_at`` (None: at once)."""
    if not urls:
        return
    with engine.begin() as conn:
        for chunk in chunks(sorted({url_hash(u) for u in urls})):
            conn.execute(
                update(feed_leases)
                .where(and_(feed_leases.c.url_hash.in_(chunk), feed_leases.c.holder == holder))
                .values(
                    holder=None,
                    expires_at=due_at,
                    stored_at=stored_at if stored_at is not None else feed_leases.c.stored_at,
                )
            )


def give_back_all(engine: Engine, holder: str) -> None:
    """Give back every lease this holder still has (a clean shutdown): those feeds are due at once."""
    with engine.begin() as conn:
        conn.execute(update(feed_leases).where(feed_leases.c.holder == holder).values(holder=None, expires_at=None))


def next_due(engine: Engine, urls: Sequence[str]) -> datetime | None:
    """When the earliest of these URLs is next due (None: one is due now or has never been fetched)."""
    hashes = sorted({url_hash(u) for u in urls})
    found: list[datetime | None] = []
    with engine.connect() as conn:
        for chunk in chunks(hashes):
            found += conn.execute(select(feed_leases.c.expires_at).where(feed_leases.c.url_hash.in_(chunk))).scalars()
    if len(found) < len(hashes) or any(when is None for when in found):
        return None
    return min(when for when in found if when is not None)
