"""The ingest pipeline: fetch feeds concurrently, parse, store each feed in one transaction, report."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import Done, Later, ParallelAnalyzer
from dashboard.collect.fetch import FetchPolicy, FetchRequest, fetch_all
from dashboard.collect.parse import parse_feed
from dashboard.models import ArticleAnalysis, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.store.write import AnalyseMany, feed_states, hashed_keys, record_fetch


@dataclass(frozen=True)
class FetchJob:
    """A feed to fetch now: the feed it belongs to, the URL to ask, and whether to ask conditionally."""

    spec: FeedSpec
    url: str
    conditional: bool = True
    window: tuple[date, date] | None = None  # a backfill's [since, until) days, recorded once stored


@dataclass(frozen=True)
class FeedReport:
    """One line of the per-feed table: what a feed gave this run, or why it failed."""

    name: str
    url: str
    status: str  # ok, not_modified or error
    new: int = 0
    known: int = 0
    skipped: int = 0
    error: str | None = None
    warning: str | None = None
    http_status: int | None = None
    seconds: float = 0.0
    window: tuple[date, date] | None = None

    @property
    def failed(self) -> bool:
        return self.status == FetchStatus.ERROR

    @property
    def label(self) -> str:
        """The feed's name, with the days of its backfill window when it is one."""
        if self.window is None:
            return self.name
        since, until = self.window
        return f"{self.name} {since.isoformat()}..{(until - timedelta(days=1)).isoformat()}"


Progress = Callable[[FeedReport, int, int], None]


@dataclass(frozen=True)
class Prepared:
    """A fetched feed made ready to store: its articles and, when a worker did them ahead, every article's
    analysis and hashed de-duplication keys (the store keeps those of the articles that are new)."""

    parsed: ParsedFeed | None
    analyses: list[ArticleAnalysis] | None = None
    keys: list[list[str]] | None = None

    def analyse(self, fallback: AnalyseMany | None) -> AnalyseMany | None:
        """The store's analysis callable: answered from the analyses made ahead, else ``fallback``."""
        if self.analyses is None or self.parsed is None:
            return fallback
        known = {(a.title, a.summary): x for a, x in zip(self.parsed.articles, self.analyses, strict=True)}
        return lambda items: [known[item] for item in items]


def prepare(
    analyzer: Analyzer, body: bytes, spec: FeedSpec, fetched_at: datetime, content_type: str, url: str
) -> Prepared:
    """Parse a feed and analyse and key every entry: the CPU-heavy part of ingest, run in a worker."""
    parsed = parse_feed(body, spec, fetched_at, content_type, url)
    return Prepared(
        parsed,
        analyzer.analyse_many([(a.title, a.summary) for a in parsed.articles]),
        hashed_keys(parsed.articles, spec.name),
    )


def jobs_for(specs: Sequence[FeedSpec]) -> list[FetchJob]:
    """Regular fetches: each feed at its own URL, conditional on what it sent last time."""
    return [FetchJob(spec, spec.url) for spec in specs]


def run_ingest(
    engine: Engine,
    jobs: Sequence[FetchJob],
    policy: FetchPolicy,
    *,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    analyzer: Analyzer | ParallelAnalyzer | None = None,
    resting: dict[str, FetchResult] | None = None,
) -> list[FeedReport]:
    """Fetch, parse, analyse and store every job; one bad feed never stops the others, and a slow one never
    holds back the storing of feeds fetched after it. Once ``stop`` is set, fetches under way are abandoned
    and what was fetched already is stored. ``resting``: hosts throttled earlier in the run (fetch_all)."""
    states = feed_states(engine, {job.spec.name for job in jobs if job.conditional})
    requests = []
    for index, job in enumerate(jobs):
        state = states.get(job.spec.name) if job.conditional else None
        requests.append(
            FetchRequest(
                key=index,
                url=job.url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
            )
        )
    reports: list[FeedReport] = []
    parallel = analyzer if isinstance(analyzer, ParallelAnalyzer) else None
    pending: deque[tuple[FetchJob, FetchResult, datetime, Later[Prepared]]] = deque()

    def store_oldest() -> None:
        job, fetched, fetched_at, later = pending.popleft()
        try:
            prepared = later.get()
        except Exception as exc:
            prepared = Prepared(ParsedFeed(error=f"could not read the feed: {type(exc).__name__}: {exc}"))
        parsed = prepared.parsed
        try:
            outcome = record_fetch(
                engine,
                job.spec,
                fetched,
                parsed,
                fetched_at,
                update_validators=job.conditional,
                analyse=prepared.analyse(analyzer.analyse_many if analyzer else None),
                keys=prepared.keys,
                window=job.window,
            )
        except Exception as exc:
            # The feed's transaction rolled back: nothing of it is stored; its failure is.
            parsed = ParsedFeed(error=f"could not store the feed: {type(exc).__name__}: {exc}")
            outcome = record_fetch(engine, job.spec, fetched, parsed, fetched_at, update_validators=False)
        error = fetched.error or (parsed.error if parsed else None)
        report = FeedReport(
            name=job.spec.name,
            url=job.url,
            status=FetchStatus.ERROR.value if error else fetched.status.value,
            new=outcome.new,
            known=outcome.known,
            skipped=parsed.skipped if parsed else 0,
            error=error,
            warning=parsed.warning if parsed else None,
            http_status=fetched.http_status,
            seconds=fetched.elapsed,
            window=job.window,
        )
        reports.append(report)
        if progress:
            progress(report, len(reports), len(jobs))

    def store_ready() -> None:
        while pending and pending[0][3].ready():
            store_oldest()

    # Feeds are parsed and analysed in the workers while earlier ones are stored; a few run ahead, and each
    # is stored, in its own transaction, in the order it was fetched. While no fetch finishes (a slow host),
    # whatever is ready is stored meanwhile (fetch_all's idle call).
    ahead = 2 * parallel.workers if parallel else 0
    for request, fetched in fetch_all(requests, policy, stop, idle=store_ready, resting=resting):
        job = jobs[request.key]  # type: ignore[index]
        fetched_at = datetime.now(UTC)
        parse_args = (fetched.body, job.spec, fetched_at, fetched.content_type, fetched.final_url)
        later: Later[Prepared]
        if fetched.status != FetchStatus.OK:
            later = Done(lambda: Prepared(None))
        elif parallel is not None:
            later = parallel.submit(prepare, *parse_args)
        else:
            later = Done(lambda args=parse_args: Prepared(parse_feed(*args)))  # type: ignore[misc]
        pending.append((job, fetched, fetched_at, later))
        while len(pending) > ahead:
            store_oldest()
    while pending:
        store_oldest()
    return reports
