"""History: past days of the companies' Google News searches in date windows (past its ~100-item cap), taken
after the first ingest into an empty database, and resumed where an interrupted backfill stopped."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import Engine, select

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.config import Config
from dashboard.pipeline.ingest import FeedReport, FetchJob, Progress, jobs_for
from dashboard.pipeline.shared import Sharing, run_shared
from dashboard.store import windows
from dashboard.store.schema import articles


def window_jobs(
    config: Config, since: date, until: date, window_days: int, companies: Sequence[str] = ()
) -> list[FetchJob]:
    """One Google News search per company and window of ``window_days`` days from ``since`` through
    ``until`` (``after:``/``before:``; before: is exclusive, so a window covers [start, start + days))."""
    if until < since:
        raise ValueError(f"--until {until} is before --since {since}")
    if window_days < 1:
        raise ValueError(f"a window must be at least one day, not {window_days}")
    wanted = {c.casefold() for c in companies}
    unknown = wanted - {c.name.casefold() for c in config.companies}
    if unknown:
        raise ValueError(f"unknown company: {', '.join(sorted(unknown))}")
    specs = {s.company: s for s in config.feed_specs() if s.company}
    jobs = []
    for company in config.companies:
        if (wanted and company.name.casefold() not in wanted) or company.name not in specs:
            continue
        start = since
        while start <= until:
            end = start + timedelta(days=window_days)
            query = f"{company.query} after:{start.isoformat()} before:{end.isoformat()}"
            jobs.append(FetchJob(specs[company.name], config.google_news_url(query), False, (start, end)))
            start = end
    return jobs


def history_jobs(config: Config, today: date) -> list[FetchJob]:
    """The windows of the configured history (``[backfill] days``, in windows of ``window_days``)."""
    return window_jobs(config, today - timedelta(days=config.backfill.days), today, config.backfill.window_days)


def pending(engine: Engine, jobs: Sequence[FetchJob]) -> list[FetchJob]:
    """The jobs whose window has not been fetched and stored yet."""
    done = windows.done(engine, {job.spec.name for job in jobs if job.window})
    return [job for job in jobs if not job.window or (job.spec.name, *job.window) not in done]


def is_empty(engine: Engine) -> bool:
    """Whether no article is stored yet."""
    with engine.connect() as conn:
        return conn.execute(select(articles.c.id).limit(1)).first() is None


def ingest_with_history(
    engine: Engine,
    config: Config,
    today: date,
    *,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    history_progress: Progress | None = None,
    analyzer: Analyzer | ParallelAnalyzer | None = None,
    sharing: Sharing | None = None,
) -> tuple[list[FeedReport], list[FeedReport]]:
    """Ingest the configured feeds, then, when the database was empty and a feed could be reached, backfill
    the configured history (what a new user's first run does); a history left unfinished (interrupted,
    killed, throttled) is resumed by the next call, without the windows already stored. Returns both
    runs' reports."""
    with engine.connect() as conn:
        state = windows.history_state(conn)
    empty = is_empty(engine)
    feeds = jobs_for(config.feed_specs())
    sharing = sharing or Sharing()
    reports = run_shared(engine, feeds, config.fetch, sharing, stop=stop, progress=progress, analyzer=analyzer)
    reached = any(not r.failed for r in reports)
    wanted = state == "pending" or (state is None and empty and reached)
    if not wanted or (stop is not None and stop.is_set()):
        return reports, []
    windows.set_history_state(engine, "pending")
    jobs = pending(engine, history_jobs(config, today))
    history = run_shared(
        engine, jobs, config.fetch, sharing, stop=stop, progress=history_progress or progress, analyzer=analyzer
    )
    if len(history) == len(jobs) and not any(r.failed for r in history):
        windows.set_history_state(engine, "done")
    return reports, history
