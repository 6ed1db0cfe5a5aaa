"""One check of every alert rule: retry the messages that are due, then tell each new episode (or one that
has doubled since it was told) to each of its rule's targets, once across every process sharing the store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from dashboard.config import AlertRule, Config
from dashboard.notify import chart, message, send, watch
from dashboard.read.reader import Reader
from dashboard.store import alerts

DEFAULT_URL = "http://localhost:8501"
GAP = 1  # days: an episode within this of one already told is the same one (its first day can move)


def dashboard_url() -> str:
    """Where the links in messages point: ``DASHBOARD_URL`` for a hosted dashboard, else this machine's."""
    return os.environ.get("DASHBOARD_URL", "").strip() or DEFAULT_URL


@dataclass(frozen=True)
class Outcome:
    """What one check did with one message: sent, retry, failed, test, or would-send (a dry run)."""

    rule: str
    series: str
    start: date
    level: int
    target: str  # masked
    status: str
    error: str | None
    subject: str


def _level(told: list[alerts.Told], found: watch.Found) -> tuple[date, int, int | None] | None:
    """The claim a found episode calls for: (first day, level, stories last told), or None when it has been
    told and has not doubled since."""
    same = [t for t in told if t.start <= found.end and (t.until - found.start).days >= -GAP]
    if not same:
        return found.start, 0, None
    last = max(same, key=lambda t: t.level)
    if found.stories < 2 * last.stories:
        return None
    return min(t.start for t in same), last.level + 1, last.stories


def _retry(engine: Engine, config: Config, now: datetime) -> list[Outcome]:
    """Send again the messages whose back-off has passed (each taken by one process only)."""
    targets = {(r.name, alerts.target_hash(url)): url for r in config.alerts for url in r.notify}
    out = []
    for due in alerts.due(engine, now):
        with engine.begin() as conn:
            if not alerts.take(conn, due, now):
                continue
            url = targets.get((due.rule, due.target_hash))
            error = send.deliver(url, due.subject, due.body) if url else "the target is no longer configured"
            status = alerts.record(conn, due, error, now)
        out.append(Outcome(due.rule, due.series, due.start, due.level, due.target, status, error, due.subject))
    return out


def _tell(
    engine: Engine, reader: Reader, config: Config, rule: AlertRule, found: watch.Found, now: datetime, dry_run: bool
) -> list[Outcome]:
    """Claim and send one episode of a rule to every target, in one transaction (nothing if already told)."""
    with engine.connect() as conn:
        wanted = _level(alerts.told(conn, rule.name, found.series), found)
    if wanted is None:
        return []
    if dry_run:
        text = message.compose(found, dashboard_url(), wanted[1], wanted[2])
        return [
            Outcome(rule.name, found.series, wanted[0], wanted[1], send.mask(u), "would-send", None, text.subject)
            for u in rule.notify
        ]
    image = chart.picture(reader, config, found.filters) if any(send.is_email(u) for u in rule.notify) else None
    out = []
    with engine.begin() as conn:
        claim = _level(alerts.told(conn, rule.name, found.series), found)
        if claim is None:
            return []
        start, level, told_stories = claim
        episode = alerts.Episode(rule.name, found.series, start, found.end, found.stories, found.kind)
        if not alerts.claim(conn, episode, level, now):
            return []  # another process told it just now
        text = message.compose(found, dashboard_url(), level, told_stories)
        for url in rule.notify:
            masked = send.mask(url)
            error = send.deliver(url, text.subject, text.body, image)
            sent = alerts.Message(
                rule.name, found.series, start, level, alerts.target_hash(url), masked, text.subject, text.body
            )
            status = alerts.record(conn, sent, error, now)
            out.append(Outcome(rule.name, found.series, start, level, masked, status, error, text.subject))
    return out


def check(
    engine: Engine, config: Config, now: datetime, since: date | None = None, dry_run: bool = False
) -> list[Outcome]:
    """Retry what is due, then tell every new or doubled episode of every rule; what was done, in order."""
    out = [] if dry_run else _retry(engine, config, now)
    if not config.alerts:
        return out
    reader = Reader(engine)
    for rule in config.alerts:
        for found in watch.episodes(reader, config, rule, now.date(), since):
            out += _tell(engine, reader, config, rule, found, now, dry_run)
    return out


def send_test(engine: Engine, config: Config, now: datetime, rule_name: str | None = None) -> list[Outcome]:
    """Send a test message to every target of every rule (or of one), and record it as a test."""
    out = []
    for rule in config.alerts:
        if rule_name is not None and rule.name != rule_name:
            continue
        subject = f"Test alert: {rule.name}"
        body = (
            f"A test of the alert rule {rule.name!r} of the AI news dashboard at {dashboard_url()}. Nothing happened."
        )
        with engine.begin() as conn:
            for url in rule.notify:
                masked = send.mask(url)
                error = send.deliver(url, subject, body)
                sent = alerts.Message(rule.name, "test", now.date(), 0, alerts.target_hash(url), masked, subject, body)
                status = alerts.record(conn, sent, error, now, test=True)
                out.append(Outcome(rule.name, "test", now.date(), 0, masked, status, error, subject))
    return out
