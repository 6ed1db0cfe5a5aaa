"""What the alert rules have told, to whom, and what is due again: claims on episodes and one row per message.

A claim (rule, series, start, level) is inserted before its messages are sent, in the transaction that records
them, so two processes checking at once send one message: the second insert waits for the first transaction
and then finds the row taken. A failed message stays ``retry`` until its back-off has passed, then is taken
the same way (an UPDATE that only one process can win) and sent again, and is ``failed`` after RETRIES tries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.store.schema import alert_episodes, alert_sends

RETRIES = 3  # tries after the first, at the next checks once each back-off has passed
BACKOFF = (timedelta(0), timedelta(minutes=5), timedelta(minutes=30))  # before the 1st, 2nd, 3rd retry


@dataclass(frozen=True)
class Episode:
    """One episode as a rule sees it: its series and first day (the claim's key), and how large it is now."""

    rule: str
    series: str
    start: date
    until: date
    stories: int
    kind: str  # volume or tone


@dataclass(frozen=True)
class Told:
    """A claim already made: the level told, from which first day, until which day, at what size."""

    start: date
    level: int
    until: date
    stories: int


@dataclass(frozen=True)
class Message:
    """A message to one target, as stored: its key, the configured URL's hash and masked form, the text."""

    rule: str
    series: str
    start: date
    level: int
    target_hash: str
    target: str
    subject: str
    body: str
    attempts: int = 0


def target_hash(url: str) -> str:
    """A configured target (placeholders unexpanded), as the key of its messages."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def told(conn: Connection, rule: str, series: str) -> list[Told]:
    """The claims a rule has made on a series, oldest first."""
    query = (
        select(alert_episodes.c.start, alert_episodes.c.level, alert_episodes.c.until, alert_episodes.c.stories)
        .where(alert_episodes.c.rule == rule, alert_episodes.c.series == series)
        .order_by(alert_episodes.c.start, alert_episodes.c.level)
    )
    return [Told(*row) for row in conn.execute(query)]


def claim(conn: Connection, episode: Episode, level: int, now: datetime) -> bool:
    """Claim telling an episode at a level, in the caller's transaction; False when another process has."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {
        "rule": episode.rule,
        "series": episode.series,
        "start": episode.start,
        "level": level,
        "until": episode.until,
        "stories": episode.stories,
        "kind": episode.kind,
        "claimed_at": now,
    }
    statement = dialect.insert(alert_episodes).values(values).on_conflict_do_nothing()
    return conn.execute(statement.returning(alert_episodes.c.level)).first() is not None


def _key(message: Message) -> object:
    c = alert_sends.c
    return (
        (c.rule == message.rule)
        & (c.series == message.series)
        & (c.start == message.start)
        & (c.level == message.level)
        & (c.target_hash == message.target_hash)
    )


def record(conn: Connection, message: Message, error: str | None, now: datetime, test: bool = False) -> str:
    """Record one message's outcome after a try (``message.attempts`` tries before it): sent, retry or failed;
    returns the status."""
    attempts = message.attempts + 1
    if test:
        status = "test" if error is None else "failed"
    elif error is None:
        status = "sent"
    else:
        status = "retry" if attempts <= RETRIES else "failed"
    conn.execute(delete(alert_sends).where(_key(message)))  # type: ignore[arg-type]
    conn.execute(
        insert(alert_sends).values(
            rule=message.rule,
            series=message.series,
            start=message.start,
            level=message.level,
            target_hash=message.target_hash,
            target=message.target,
            status=status,
            attempts=attempts,
            next_at=now + BACKOFF[attempts - 1] if status == "retry" else None,
            updated_at=now,
            error=error,
            subject=message.subject,
            body=message.body,
        )
    )
    return status


def due(engine: Engine, now: datetime) -> list[Message]:
    """Messages whose retry is due."""
    c = alert_sends.c
    query = select(c.rule, c.series, c.start, c.level, c.target_hash, c.target, c.subject, c.body, c.attempts).where(
        c.status == "retry", c.next_at <= now
    )
    with engine.connect() as conn:
        return [Message(*row) for row in conn.execute(query.order_by(c.updated_at))]


def take(conn: Connection, message: Message, now: datetime) -> bool:
    """Take a due retry, in the caller's transaction; False when another process took it first."""
    c = alert_sends.c
    taken = conn.execute(
        update(alert_sends)
        .where(_key(message), c.status == "retry", c.attempts == message.attempts)  # type: ignore[arg-type]
        .values(updated_at=now)
        .returning(c.attempts)
    )
    return taken.first() is not None


SEND_COLUMNS = ["time", "status", "rule", "series", "start", "level", "tries", "error", "target", "subject"]


def sends(engine: Engine, limit: int = 500) -> list[tuple[object, ...]]:
    """The latest messages, newest first, as SEND_COLUMNS: when, status, rule, series, episode start, level,
    tries, error, target (masked) and subject."""
    c = alert_sends.c
    query = (
        select(c.updated_at, c.status, c.rule, c.series, c.start, c.level, c.attempts, c.error, c.target, c.subject)
        .order_by(c.updated_at.desc(), c.rule, c.target)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]
