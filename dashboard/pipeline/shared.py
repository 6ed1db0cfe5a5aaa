"""Ingest that any number of processes can run against one database at once: each takes feeds under lease,
a batch at a time, and gives each back once it is stored (dashboard.store.leases); a worker keeps doing so
on a schedule."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.collect.fetch import FetchPolicy
from dashboard.config import Config
from dashboard.models import FetchResult
from dashboard.pipeline.ingest import FeedReport, FetchJob, Progress, jobs_for, run_ingest
from dashboard.store import leases

LEASE = timedelta(minutes=15)  # longer than a batch of feeds takes, even a host's at one request at a time


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Sharing:
    """How this process shares the feeds: its name, how long a lease lasts, when a stored feed is next due
    (None: at once), and whether it takes only feeds that are due (a worker) or any nobody is fetching."""

    holder: str = field(default_factory=leases.new_holder)
    lease: timedelta = LEASE
    rest: timedelta | None = None
    due_only: bool = False
    batch: int | None = None  # feeds taken at a time (None: twice the hosts fetched at once)


def run_shared(
    engine: Engine,
    jobs: Sequence[FetchJob],
    policy: FetchPolicy,
    sharing: Sharing | None = None,
    *,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    analyzer: Analyzer | ParallelAnalyzer | None = None,
    now: Callable[[], datetime] = _now,
) -> list[FeedReport]:
    """``run_ingest`` over the jobs whose lease this process takes, a batch at a time; a job another process
    is fetching is left to it. Every lease is given back by the end, however the run ends."""
    sharing = sharing or Sharing()
    by_url = {job.url: job for job in jobs}
    left = list(by_url)
    reports: list[FeedReport] = []
    resting: dict[str, FetchResult] = {}
    started = now()

    def stored(report: FeedReport, _done: int, _total: int) -> None:
        at = now()
        leases.give_back(engine, [report.url], sharing.holder, at + sharing.rest if sharing.rest else None, at)
        reports.append(report)
        if progress:
            progress(report, len(reports), len(by_url))

    try:
        while left and not (stop is not None and stop.is_set()):
            batch = sharing.batch or 2 * policy.workers
            taken = leases.take(
                engine, left, sharing.holder, now(), sharing.lease, batch, sharing.due_only, stored_before=started
            )
            if not taken:
                break
            chosen = set(taken)
            left = [url for url in left if url not in chosen]
            batch_jobs = [by_url[u] for u in taken]
            # A host that still throttles rests for the rest of the run, the next batches' requests included.
            run_ingest(engine, batch_jobs, policy, stop=stop, progress=stored, analyzer=analyzer, resting=resting)
    finally:
        leases.give_back_all(engine, sharing.holder)  # fetches abandoned on a stop: due again at once
    return reports


WorkerLog = Callable[[str, dict[str, object]], None]  # (event, fields): one line of the worker's log


def run_worker(
    engine: Engine,
    config: Config,
    every: timedelta,
    stop: threading.Event,
    log: WorkerLog,
    *,
    lease: timedelta = LEASE,
    analyzer: Analyzer | ParallelAnalyzer | None = None,
    now: Callable[[], datetime] = _now,
    after_round: Callable[[], None] | None = None,
) -> None:
    """Fetch the configured feeds that are due, each at most once per ``every`` across all workers, until
    ``stop`` is set; then give back every lease and return. ``after_round`` runs after a round that stored
    something new (the alert check)."""
    sharing = Sharing(lease=lease, rest=every, due_only=True)
    log("started", {"holder": sharing.holder, "every_s": every.total_seconds(), "feeds": len(config.feed_specs())})

    def feed_line(report: FeedReport, done: int, total: int) -> None:
        log(
            "feed",
            {
                "feed": report.label,
                "status": report.status,
                "new": report.new,
                "known": report.known,
                "skipped": report.skipped,
                "error": report.error,
                "seconds": round(report.seconds, 3),
            },
        )

    while not stop.is_set():
        jobs = jobs_for(config.feed_specs())
        reports = run_shared(engine, jobs, config.fetch, sharing, stop=stop, progress=feed_line, analyzer=analyzer)
        due = leases.next_due(engine, [job.url for job in jobs])  # None: one is due now
        wait = max(timedelta(seconds=1), min(every, (due or now()) - now()))
        if reports:
            fields = {
                "fetched": len(reports),
                "new": sum(r.new for r in reports),
                "next_in_s": round(wait.total_seconds()),
            }
            log("round", fields)
            if after_round is not None and fields["new"]:
                after_round()
        stop.wait(wait.total_seconds())
    log("stopped", {"holder": sharing.holder})
