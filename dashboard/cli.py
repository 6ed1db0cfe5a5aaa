"""Command line: ``python -m dashboard <command>``: ingest, backfill, view, episodes, stories, stats and the rest."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode

from rich.console import Console
from rich.table import Table

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.language import TONED
from dashboard.analyse.lexicon import LexiconError
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.config import DEFAULT_CONFIG, Config, ConfigError, check_http_url, load_config
from dashboard.models import FeedSpec, Tone
from dashboard.pipeline.backfill import ingest_with_history, pending, window_jobs
from dashboard.pipeline.demo import DEMO_END, DemoSpec, write_demo
from dashboard.pipeline.ingest import FeedReport, jobs_for
from dashboard.pipeline.rescore import rescore
from dashboard.pipeline.shared import LEASE, Sharing, run_shared, run_worker
from dashboard.read.stats import collect_stats
from dashboard.store.engine import open_engine
from dashboard.store.schema import SchemaError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dashboard.notify.check import Outcome
    from dashboard.read.reader import Reader

EXIT_OK, EXIT_ALL_FAILED, EXIT_USAGE = 0, 1, 2
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds in a duration such as ``30m``, ``1h30m``, ``90s`` or ``1d``."""
    parts = _DURATION.findall(text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != text.strip().lower():
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 30m, 1h, 90s)")
    seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the interval must be longer than zero")
    return seconds


def parse_date(text: str) -> date:
    """An ISO date (YYYY-MM-DD) for --since/--until."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def parse_feed_url(text: str) -> str:
    """An http(s) URL given with --url."""
    try:
        return check_http_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: $DATABASE_URL, else an SQLite file in data/)"
    )
    common.add_argument(
        "--config",
        type=Path,
        default=Path(os.environ.get("DASHBOARD_CONFIG") or DEFAULT_CONFIG),
        help="configuration file (default: $DASHBOARD_CONFIG, else data/config.toml)",
    )
    # The filters of a dashboard link, for the commands that print a view's rows (episodes, stories).
    selection = argparse.ArgumentParser(add_help=False)
    selection.add_argument("--company", action="append", default=[], help="only this company (repeatable)")
    selection.add_argument("--topic", action="append", default=[], help="only this topic (repeatable)")
    selection.add_argument("--keyword", help="only what matches this keyword search (stories: any of its articles)")
    selection.add_argument("--since", type=parse_date, help="first day shown (YYYY-MM-DD; default: as the page)")
    selection.add_argument("--until", type=parse_date, help="last day shown (YYYY-MM-DD; default: the newest)")
    selection.add_argument("--json", action="store_true", help="print JSON instead of a table")
    config_only = argparse.ArgumentParser(add_help=False)
    config_only.add_argument(
        "--config",
        type=Path,
        default=Path(os.environ.get("DASHBOARD_CONFIG") or DEFAULT_CONFIG),
        help="configuration file (default: $DASHBOARD_CONFIG, else data/config.toml)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m dashboard", description="AI-industry news sentiment tracker: data commands."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ingest = commands.add_parser(
        "ingest",
        parents=[common],
        help="fetch feeds and store new articles",
        description="Fetch every configured feed (or the --url ones) and store new articles.",
    )
    ingest.add_argument(
        "--url",
        action="append",
        type=parse_feed_url,
        default=[],
        help="ingest this feed URL instead of the config's (repeatable)",
    )
    ingest.add_argument(
        "--every",
        type=parse_duration,
        metavar="INTERVAL",
        help="keep ingesting every INTERVAL (30m, 1h, ...) until Ctrl-C",
    )
    ingest.add_argument(
        "--history",
        action="store_true",
        help="into an empty database, also fetch the configured history ([backfill] days) after the feeds; "
        "a history left unfinished resumes",
    )
    worker = commands.add_parser(
        "worker",
        parents=[common],
        help="keep ingesting the configured feeds on a schedule, sharing them with other workers",
        description="Fetch every configured feed once per --every, for a small server or a container: any "
        "number of workers (and ingest commands) share one database, each feed fetched by one of them at a "
        "time; a crashed worker's feeds pass to the others once its leases expire. One log line per feed on "
        "stdout. SIGTERM or Ctrl-C stops it cleanly between feeds.",
    )
    worker.add_argument(
        "--every",
        type=parse_duration,
        default=1800.0,
        metavar="INTERVAL",
        help="fetch each feed this often (default 30m)",
    )
    worker.add_argument(
        "--lease",
        type=parse_duration,
        default=LEASE.total_seconds(),
        metavar="INTERVAL",
        help="how long a feed taken by a worker that then dies stays untouched (default 15m)",
    )
    worker.add_argument("--json", action="store_true", help="log one JSON object per line")
    backfill = commands.add_parser(
        "backfill",
        parents=[common],
        help="fetch past days from Google News search feeds",
        description="Walk Google News search feeds in date windows to reach past its ~100-item cap.",
    )
    start = backfill.add_mutually_exclusive_group()
    start.add_argument("--since", type=parse_date, help="first day (YYYY-MM-DD)")
    start.add_argument("--days", type=int, metavar="N", help="the last N days (default: the config's [backfill] days)")
    backfill.add_argument("--until", type=parse_date, default=None, help="last day (YYYY-MM-DD, default today)")
    backfill.add_argument(
        "--window", type=int, default=None, metavar="DAYS", help="days per query (default: [backfill] window_days)"
    )
    backfill.add_argument("--company", action="append", default=[], help="only this company (repeatable)")
    alerts_cmd = commands.add_parser(
        "alerts",
        parents=[common],
        help="tell the alert rules' targets about new episodes (also run after every ingest)",
        description="Check every [[alerts]] rule of the config: retry messages that failed before, then send "
        "each new episode (or one that has doubled since it was told) to the rule's Apprise targets, once, "
        "however many processes check at the same moment. Links point at DASHBOARD_URL.",
    )
    alerts_cmd.add_argument("--dry-run", action="store_true", help="say what would be sent; send and record nothing")
    alerts_cmd.add_argument(
        "--since", type=parse_date, help="tell episodes that ran on or after this day (default: the last 2 days)"
    )
    alerts_cmd.add_argument("--test", action="store_true", help="send a test message to every target instead")
    alerts_cmd.add_argument("--rule", help="with --test: only this rule's targets")
    alerts_cmd.add_argument("--json", action="store_true", help="one JSON object per message")
    commands.add_parser(
        "score",
        parents=[config_only],
        help="analyse JSON lines from stdin",
        description='Read JSON lines on stdin ({"text": ...} or {"title": ..., "summary": ...}) and write one '
        "JSON line per input: companies, topics, sentiment and the sentiment toward each company.",
    )
    explain = commands.add_parser(
        "explain",
        parents=[config_only],
        help="show which words and rules moved a text's score",
        description="Explain a tone score word by word (the text comes from the arguments, else stdin).",
    )
    explain.add_argument("text", nargs="*", help="the text to explain (default: read stdin)")
    explain.add_argument("--json", action="store_true", help="print JSON instead of a table")
    explain.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NAME",
        help="also show the tone toward this name (repeatable; default: the configured companies the text names)",
    )
    rescore = commands.add_parser(
        "rescore",
        parents=[common],
        help="re-analyse stored articles after a config or lexicon change",
        description="Re-analyse every stored article (companies, topics, tone) without refetching, in batches.",
    )
    rescore.add_argument("--batch", type=int, default=2000, help="articles per transaction (default 2000)")
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="write a synthetic, clearly labelled demo corpus (for offline use)",
        description="Write a seeded synthetic corpus (feeds named 'Demo: ...', links on .invalid) through the "
        "same store and analysis as a real ingest, with planted events: a burnout spike at Meta, a layoffs "
        "wave at Microsoft, a safety controversy at OpenAI.",
    )
    demo.add_argument("--articles", type=int, default=6000, help="background articles (default 6000)")
    demo.add_argument("--days", type=int, default=180, help="days of history, ending today (default 180)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument(
        "--end",
        type=datetime.fromisoformat,
        default=DEMO_END,
        help="last moment, ISO 8601 with offset (default 2026-11-28T12:00:00+00:00, the date the demo events in "
        "data/events.toml are set against)",
    )
    view = commands.add_parser(
        "view",
        parents=[common],
        help="print the data of the view a dashboard link opens",
        description="Print the tables of the view a dashboard link opens, from its query string (or the whole "
        "link): the same filters, notes and numbers as the page. The link's view parameter picks the view.",
    )
    view.add_argument("link", help='the query string, e.g. "company=Meta&topic=burnout&view=trends", or the link')
    view.add_argument("--format", choices=("json", "csv"), default="json", help="json (default) or csv")
    view.add_argument("--page", type=int, default=1, help="the page of the Articles view (default 1)")
    view.add_argument("--sort", choices=SORTS, default="newest", help="the Articles view's order (default newest)")
    view.add_argument(
        "--row",
        type=int,
        default=None,
        help="the Spikes view's row whose stories to list (default 0), or the Articles view's row whose copies to list",
    )
    episodes = commands.add_parser(
        "episodes",
        parents=[common, selection],
        help="list the episodes of a selection (the Spikes view's table)",
        description="List the episodes (runs of periods busier than their history predicts) of each company's "
        "volume and of each topic at each company: the table the dashboard's Spikes view shows for the same "
        "filters.",
    )
    episodes.add_argument("--step", choices=("day", "week", "month"), default="day", help="period (default day)")
    stories = commands.add_parser(
        "stories",
        parents=[common, selection],
        help="list stories with their copies (the Articles view, a row per story)",
        description="List the stories of a selection, newest first: each with its number of articles and outlets, "
        "its first publication, and every article's title, publisher and link. The rows are the dashboard's "
        "Articles view for the same filters.",
    )
    stories.add_argument("--sort", choices=SORTS, default="newest", help="order (default newest)")
    stories.add_argument("--page", type=int, default=1, help="which page of 50 stories (default 1)")
    stats = commands.add_parser(
        "stats",
        parents=[common],
        help="summarise what is stored",
        description="Print what is stored: articles, feeds, sources and last fetches.",
    )
    stats.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return parser


def _console() -> Console:
    """Tables on stdout; feed text is shown literally (no markup), wide enough not to wrap when piped."""
    return Console(width=None if sys.stdout.isatty() else 160, highlight=False, markup=False, emoji=False)


class _StopOnSignal:
    """First Ctrl-C (or SIGTERM) stops the ingest: fetches under way are dropped, fetched feeds stored; a second
    one interrupts."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def __enter__(self) -> threading.Event:
        self._old = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        return self.event

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()
        print("\nstopping: fetches under way are dropped, fetched feeds stored (Ctrl-C again aborts)", file=sys.stderr)


def _print_progress(report: FeedReport, done: int, total: int) -> None:
    """One line per finished feed on stderr, so progress shows in a terminal and in logs alike."""
    if report.failed:
        what = f"failed: {report.error}"
    elif report.status == "not_modified":
        what = "not modified"
    else:
        what = f"{report.new} new, {report.known} known"
    print(f"[{done}/{total}] {report.label}: {what}", file=sys.stderr, flush=True)


def render_reports(reports: Sequence[FeedReport], title: str = "Ingest") -> Table:
    """The per-feed table that ends an ingest (a backfill: one row per feed and window)."""
    table = Table(title=title)
    for column in ("Feed", "Status", "New", "Known", "Skipped", "Why / note"):
        table.add_column(column, justify="right" if column in ("New", "Known", "Skipped") else "left")
    for r in sorted(reports, key=lambda r: (r.name.casefold(), r.window or ())):
        status = "304 not modified" if r.status == "not_modified" else r.status
        table.add_row(r.label, status, str(r.new), str(r.known), str(r.skipped), r.error or r.warning or "")
    failed = sum(r.failed for r in reports)
    table.add_section()
    table.add_row(
        f"{len(reports)} feeds",
        f"{failed} failed",
        str(sum(r.new for r in reports)),
        str(sum(r.known for r in reports)),
        str(sum(r.skipped for r in reports)),
        "",
    )
    return table


def _specs_for(args: argparse.Namespace, config: Config) -> list[FeedSpec]:
    if args.url:
        return [FeedSpec(name=url, url=url) for url in dict.fromkeys(args.url)]
    return config.feed_specs()


def cmd_ingest(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    specs = _specs_for(args, config)
    if not specs:
        print(f"{args.config}: no feeds configured", file=sys.stderr)
        return EXIT_USAGE
    analyzer = Analyzer.from_config(config)
    engine = open_engine(args.db)
    policy = config.fetch
    console = _console()
    with ParallelAnalyzer(analyzer) as parallel, _StopOnSignal() as stop:
        while True:
            started = time.monotonic()
            history: list[FeedReport] = []
            sharing = Sharing(rest=timedelta(seconds=args.every) if args.every else None)
            if args.history and not args.url:
                reports, history = ingest_with_history(
                    engine,
                    config,
                    date.today(),
                    stop=stop,
                    progress=_print_progress,
                    analyzer=parallel,
                    sharing=sharing,
                )
            else:
                reports = run_shared(
                    engine, jobs_for(specs), policy, sharing, stop=stop, progress=_print_progress, analyzer=parallel
                )
            left = len(specs) - len(reports)
            if left and not stop.is_set():
                print(f"{left} feeds were being fetched by another process: left to it", file=sys.stderr)
            console.print(render_reports(reports))
            if history:
                console.print(render_reports(history, "Backfill"))
            if any(r.new for r in [*reports, *history]):
                _print_outcomes(check_alerts(engine, config), as_json=False)
            all_failed = bool(reports) and all(r.failed for r in reports)
            if args.every is None or stop.is_set():
                return EXIT_ALL_FAILED if all_failed else EXIT_OK
            wait = max(0.0, args.every - (time.monotonic() - started))
            next_run = datetime.now().astimezone().timestamp() + wait
            print(f"next ingest at {datetime.fromtimestamp(next_run).strftime('%H:%M:%S')}", file=sys.stderr)
            if stop.wait(wait):
                return EXIT_OK


def cmd_backfill(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    until = args.until or date.today()
    since = args.since or until - timedelta(days=args.days if args.days is not None else config.backfill.days)
    try:
        every = window_jobs(config, since, until, args.window or config.backfill.window_days, args.company)
    except ValueError as exc:
        print(f"backfill: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not every:
        print(f"{args.config}: no company has a Google News feed to backfill", file=sys.stderr)
        return EXIT_USAGE
    engine = open_engine(args.db)
    jobs = pending(engine, every)
    if len(jobs) < len(every):
        print(f"{len(every) - len(jobs)} of {len(every)} windows were fetched before: skipped", file=sys.stderr)
    analyzer = Analyzer.from_config(config)
    with ParallelAnalyzer(analyzer) as parallel, _StopOnSignal() as stop:
        reports = run_shared(engine, jobs, config.fetch, stop=stop, progress=_print_progress, analyzer=parallel)
    _console().print(render_reports(reports, "Backfill"))
    if any(r.new for r in reports):
        _print_outcomes(check_alerts(engine, config), as_json=False)
    return EXIT_ALL_FAILED if reports and all(r.failed for r in reports) else EXIT_OK


def _worker_log(as_json: bool) -> Callable[[str, dict[str, object]], None]:
    """One line per event on stdout, flushed at once: text for people, or a JSON object per line."""

    def log(event: str, fields: dict[str, object]) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        if as_json:
            print(json.dumps({"time": stamp, "event": event, **fields}), flush=True)
        else:
            shown = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
            print(f"{stamp} {event} {shown}", flush=True)

    return log


def cmd_worker(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if not config.feed_specs():
        print(f"{args.config}: no feeds configured", file=sys.stderr)
        return EXIT_USAGE
    engine = open_engine(args.db)
    log = _worker_log(args.json)
    every, lease = timedelta(seconds=args.every), timedelta(seconds=args.lease)
    with ParallelAnalyzer(Analyzer.from_config(config)) as parallel, _StopOnSignal() as stop:

        def after_round() -> None:
            for outcome in check_alerts(engine, config):
                log("alert", _outcome_fields(outcome))

        run_worker(engine, config, every, stop, log, lease=lease, analyzer=parallel, after_round=after_round)
    return EXIT_OK


def check_alerts(engine: Engine, config: Config, since: date | None = None, dry_run: bool = False) -> list[Outcome]:
    """The alert check after an ingest or by hand (imported here: it reads, which ingest alone never needs)."""
    if not config.alerts:
        return []
    from dashboard.notify.check import check

    return check(engine, config, datetime.now(UTC), since, dry_run)


def _outcome_fields(outcome: Outcome) -> dict[str, object]:
    return {
        "rule": outcome.rule,
        "series": outcome.series,
        "start": outcome.start.isoformat(),
        "level": outcome.level,
        "target": outcome.target,
        "status": outcome.status,
        "error": outcome.error,
        "subject": outcome.subject,
    }


def _outcome_line(outcome: Outcome) -> str:
    line = f"{outcome.status}: {outcome.rule}: {outcome.subject} -> {outcome.target}"
    return line + (f" ({outcome.error})" if outcome.error else "")


def _print_outcomes(outcomes: Sequence[Outcome], as_json: bool) -> None:
    """One line per message: JSON on stdout, or words for people on stderr, beside the ingest tables."""
    for outcome in outcomes:
        if as_json:
            print(json.dumps(_outcome_fields(outcome)), flush=True)
        else:
            print(f"alert {_outcome_line(outcome)}", file=sys.stderr)


def cmd_alerts(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if not config.alerts:
        print(f"{args.config}: no [[alerts]] rules configured", file=sys.stderr)
        return EXIT_USAGE
    engine = open_engine(args.db)
    if args.test:
        from dashboard.notify.check import send_test

        if args.rule and args.rule not in {r.name for r in config.alerts}:
            print(f"{args.config}: no alert rule named {args.rule!r}", file=sys.stderr)
            return EXIT_USAGE
        outcomes = send_test(engine, config, datetime.now(UTC), args.rule)
    else:
        outcomes = check_alerts(engine, config, args.since, args.dry_run)
    if args.json:
        _print_outcomes(outcomes, as_json=True)
    else:
        for outcome in outcomes:
            print(_outcome_line(outcome))
        if not outcomes:
            print("no new episodes to tell")
    return EXIT_ALL_FAILED if outcomes and all(o.status in ("failed", "retry") for o in outcomes) else EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    stats = collect_stats(open_engine(args.db))
    if args.json:
        print(json.dumps(stats, indent=2))
        return EXIT_OK
    console = _console()
    console.print(
        f"{stats['articles']} articles, published {stats['first_published'] or '-'} to {stats['last_published'] or '-'}"
    )
    feeds = Table(title="Feeds")
    for column in ("Feed", "Articles", "Last fetch", "Status", "Last error"):
        feeds.add_column(column, justify="right" if column == "Articles" else "left")
    for f in stats["feeds"]:
        feeds.add_row(f["name"], str(f["articles"]), f["last_fetch"] or "never", f["status"] or "-", f["error"] or "")
    console.print(feeds)
    sources = Table(title=f"Sources (top {len(stats['sources'])} of {stats['source_count']})")
    sources.add_column("Publisher")
    sources.add_column("Articles", justify="right")
    for s in stats["sources"]:
        sources.add_row(s["publisher"], str(s["articles"]))
    console.print(sources)
    return EXIT_OK


SORTS = ("newest", "oldest", "most negative", "most positive")  # as dashboard.read.views.SORTS; a test holds it


def view_output(
    reader: Reader, config: Config, link: str, page: int = 1, sort: str = "newest", row: int | None = None
) -> dict:
    """What a link's view shows, as plain data: its filters as the page applied them, the notes about the
    link, the view's figures and its tables (an error when nothing is stored)."""
    import pandas as pd

    from dashboard.read import queries
    from dashboard.read.filters import parse_params
    from dashboard.read.views import VIEWS

    bounds = queries.data_bounds(reader)
    if bounds is None:
        return {"error": "no articles are stored"}
    query = link.split("?", 1)[1] if "?" in link else link
    filters = parse_params(
        parse_qs(query.lstrip("?"), keep_blank_values=True),
        companies=[c.name for c in config.companies],
        topics=list(config.topics),
        sources=queries.publishers(reader),
        latest=bounds[1],
        earliest=bounds[0],
    )
    params = {"articles": {"page": page, "sort": sort, "row": row}, "spikes": {"row": row or 0}}.get(filters.view, {})
    shown = VIEWS[filters.view](reader, config, filters, **params)
    values = {
        f.name: getattr(shown, f.name)
        for f in dataclasses.fields(shown)
        if not isinstance(getattr(shown, f.name), pd.DataFrame)
    }
    return {
        "view": filters.view,
        "link": urlencode(filters.to_params(), doseq=True),
        "notes": list(filters.notes),
        **values,
        "tables": shown.tables(),
    }


def cmd_view(args: argparse.Namespace) -> int:
    # The read side (pandas, pyarrow: about 85 MB) is imported here, not at the top: every other command's
    # process, and the analysis workers forked from it, would otherwise carry it.
    from dashboard.read.export import to_csv, to_records
    from dashboard.read.reader import Reader

    config = load_config(args.config)
    out = view_output(Reader(open_engine(args.db)), config, args.link, args.page, args.sort, args.row)
    if "error" in out:
        print(f"view: {out['error']}", file=sys.stderr)
        return EXIT_ALL_FAILED
    tables = out.pop("tables")
    if args.format == "csv":
        for note in out["notes"]:
            print(f"# note: {note}")
        for name, frame in tables.items():
            print(f"# {name}")
            print(to_csv(frame), end="")
            print()
        return EXIT_OK
    print(json.dumps({**out, "tables": {n: to_records(f) for n, f in tables.items()}}, ensure_ascii=False, indent=1))
    return EXIT_OK


def episodes_link(args: argparse.Namespace, view: str = "spikes") -> str:
    """The dashboard link (query string) of a view (Spikes, or Articles for ``stories``) with the command's
    filters."""
    params: dict[str, object] = {"company": args.company, "topic": args.topic, "view": view}
    if getattr(args, "step", "day") != "day":
        params["step"] = args.step
    if args.keyword:
        params["q"] = args.keyword
    if args.since:
        params["from"] = args.since.isoformat()
    if args.until:
        params["to"] = args.until.isoformat()
    return urlencode(params, doseq=True)


def cmd_episodes(args: argparse.Namespace) -> int:
    from dashboard.read.export import to_records
    from dashboard.read.reader import Reader

    link = episodes_link(args)
    out = view_output(Reader(open_engine(args.db)), load_config(args.config), link)
    if "error" in out:
        print(f"episodes: {out['error']}", file=sys.stderr)
        return EXIT_ALL_FAILED
    for note in out["notes"]:
        print(f"note: {note}", file=sys.stderr)
    found = out["tables"]["episodes"]
    if args.json:
        print(json.dumps({"link": out["link"], "episodes": to_records(found)}, ensure_ascii=False, indent=1))
        return EXIT_OK
    table = Table(title=f"{len(found)} episode(s), link: ?{out['link']}")
    columns = ("series", "start", "peak", "end", "stories", "articles", "outlets", "expected", "usual", "x usual")
    for column in (*columns, "p", "tone (95%)"):
        table.add_column(column, justify="left" if column == "series" else "right")
    for e in found.itertuples():
        tone = "-" if e.tone is None or e.tone != e.tone else f"{e.tone:+.2f}"
        if e.tone_low == e.tone_low and e.tone_low is not None:
            tone += f" ({e.tone_low:+.2f} to {e.tone_high:+.2f})"
        table.add_row(
            e.series,
            f"{e.start:%Y-%m-%d}",
            f"{e.peak:%Y-%m-%d}",
            f"{e.end:%Y-%m-%d}",
            str(e.stories),
            str(e.articles),
            str(e.outlets),
            f"{e.expected:.1f}",
            f"{e.usual_low}-{e.usual_high}",
            f"{e.times:.1f}x",
            f"{e.p:.1e}",
            tone,
        )
    _console().print(table)
    for e in found.itertuples():
        print(f"{e.series}, largest stories: {e.top_stories}")
    return EXIT_OK


def cmd_stories(args: argparse.Namespace) -> int:
    from dashboard.read import queries
    from dashboard.read.export import to_records
    from dashboard.read.reader import Reader

    reader = Reader(open_engine(args.db))
    link = episodes_link(args, "articles")
    out = view_output(reader, load_config(args.config), link, args.page, args.sort)
    if "error" in out:
        print(f"stories: {out['error']}", file=sys.stderr)
        return EXIT_ALL_FAILED
    for note in out["notes"]:
        print(f"note: {note}", file=sys.stderr)
    rows = out["tables"]["articles"]
    copies = {int(story): queries.story_copies(reader, int(story)) for story in rows["id"]}
    if args.json:
        listed = [
            {
                **{k: v for k, v in row.items() if k not in ("company_tone", "summary")},
                "copies": to_records(copies[int(row["id"])][["published_at", "publisher", "title", "link", "tone"]]),
            }
            for row in to_records(rows)
        ]
        total = {"stories": out["total"], "page": out["page"], "pages": out["pages"]}
        print(json.dumps({"link": out["link"], **total, "list": listed}, ensure_ascii=False, indent=1))
        return EXIT_OK
    table = Table(title=f"{out['total']:,} stories, page {out['page']} of {out['pages']}, link: ?{out['link']}")
    for column in ("first published", "articles", "outlets", "tone", "headline / copies"):
        table.add_column(column, justify="left" if column == "headline / copies" else "right")
    for row in rows.itertuples():
        tone = "-" if row.tone is None or row.tone != row.tone else f"{row.tone:+.2f}"
        table.add_row(f"{row.published_at:%Y-%m-%d %H:%M}", str(row.articles), str(row.outlets), tone, row.title)
        for copy in copies[int(row.id)].itertuples():
            table.add_row("", "", "", "", f"  {copy.published_at:%Y-%m-%d %H:%M} {copy.publisher}: {copy.link or '-'}")
    _console().print(table)
    return EXIT_OK


def score_line(analyzer: Analyzer, line: str) -> dict[str, object]:
    """The analysis of one JSON input line, or an error object saying what is wrong with it."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"not JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"error": "expected a JSON object"}
    fields = {k: item.get(k) for k in ("text", "title", "summary") if item.get(k) is not None}
    wrong = [k for k, v in fields.items() if not isinstance(v, str)]
    if wrong:
        return {"error": f"field {wrong[0]!r} must be a string"}
    targets = item.get("targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, str) and t.strip() for t in targets):
        return {"error": "field 'targets' must be a list of names"}
    if "text" in fields:
        analysis = analyzer.analyse_text(fields["text"])
    elif "title" in fields or "summary" in fields:
        analysis = analyzer.analyse(fields.get("title", ""), fields.get("summary", ""))
    else:
        return {"error": 'expected a "text" field, or "title" and "summary"'}
    out: dict[str, object] = {
        "companies": list(analysis.companies),
        "topics": analysis.topics,
        "language": analysis.language,  # only the languages the lexicon covers get a tone; others get null
        "sentiment": _tone_json(analysis.tone),
        "company_sentiment": {name: _tone_json(c.tone) for name, c in analysis.companies.items()},
    }
    if targets:
        if "text" in fields:
            toward = analyzer.toward_targets(targets, text=fields["text"])
        else:
            toward = analyzer.toward_targets(targets, fields.get("title", ""), fields.get("summary", ""))
        out["target_sentiment"] = {name: _tone_json(tone) for name, tone in toward.items()}
    if "id" in item:
        out = {"id": item["id"], **out}
    return out


def _tone_json(tone: Tone | None) -> dict[str, object] | None:
    """A tone as JSON: its compound and label, or null when there is none."""
    return {"compound": tone.compound, "label": tone.label} if tone else None


def cmd_score(args: argparse.Namespace) -> int:
    analyzer = Analyzer.from_config(load_config(args.config))
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        result = score_line(analyzer, line)
        if "error" in result:
            result = {"error": result["error"], "line": number}
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    analyzer = Analyzer.from_config(load_config(args.config))
    text = " ".join(args.text) if args.text else sys.stdin.read()
    explanation = analyzer.explain(text.strip(), args.target)
    if args.json:
        print(json.dumps(dataclasses.asdict(explanation), ensure_ascii=False, indent=2))
        return EXIT_OK
    if explanation.tone is None:
        print(
            f"This text reads as language {explanation.language!r}; the tone lexicon covers "
            f"{', '.join(sorted(TONED))} only, so it has no tone (not 0, not neutral: none)."
        )
        return EXIT_OK
    console = _console()
    table = Table(title=f"Why this scores {explanation.tone.compound:+.4f} ({explanation.tone.label})")
    for column in ("Word", "Lexicon", "Counted", "Source", "Rules", "Reason"):
        table.add_column(column, justify="right" if column in ("Lexicon", "Counted") else "left")
    for c in explanation.contributions:
        table.add_row(c.word, f"{c.lexicon:+.2f}", f"{c.valence:+.2f}", c.source, "; ".join(c.rules), c.reason)
    console.print(table)
    if explanation.punctuation:
        console.print(f"punctuation emphasis: {explanation.punctuation:+.3f}")
    console.print(
        f"sum {explanation.total:+.3f} -> compound {explanation.tone.compound:+.4f}; "
        f"neutral between -{analyzer.scorer.neutral_band} and +{analyzer.scorer.neutral_band}"
    )
    if not explanation.contributions:
        console.print("no word in the text carries tone, so it scores exactly 0 (neutral)")
    for clause in explanation.clauses:
        console.print(f"clause: {clause}")
    for company in explanation.companies:
        console.print(f"toward {company.company}: {company.tone.compound:+.4f} ({company.tone.label}), {company.how}")
    return EXIT_OK


def _throttled(template: str, every: float = 1.0) -> Callable[[int, int], None]:
    """A progress printer (to stderr) that speaks at most once a second, and always at the end."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= every:
            last[0] = now
            print(template.format(done=done, total=total), file=sys.stderr, flush=True)

    return progress


def cmd_rescore(args: argparse.Namespace) -> int:
    analyzer = Analyzer.from_config(load_config(args.config))
    engine = open_engine(args.db)
    started = time.monotonic()

    progress = _throttled("rescored {done:,} of {total:,} articles")
    with ParallelAnalyzer(analyzer) as parallel:
        done = rescore(engine, parallel.analyse_many, batch_size=max(1, args.batch), progress=progress)
    print(f"rescored {done:,} articles in {time.monotonic() - started:.1f} s")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    analyzer = Analyzer.from_config(load_config(args.config))
    engine = open_engine(args.db)
    started = time.monotonic()

    progress = _throttled("demo: stored {done:,} of {total:,} articles")
    total = write_demo(engine, analyzer, DemoSpec(args.articles, args.days, args.seed, args.end), progress)
    print(f"wrote {total:,} synthetic demo articles in {time.monotonic() - started:.1f} s")
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest,
    "worker": cmd_worker,
    "backfill": cmd_backfill,
    "score": cmd_score,
    "explain": cmd_explain,
    "rescore": cmd_rescore,
    "stats": cmd_stats,
    "demo": cmd_demo,
    "view": cmd_view,
    "episodes": cmd_episodes,
    "stories": cmd_stories,
    "alerts": cmd_alerts,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; configuration and database problems end with a message, not a traceback."""
    args = build_parser().parse_args(argv)
    if hasattr(signal, "SIGPIPE"):  # `view ... | head` ends quietly when head has read enough
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, SchemaError, LexiconError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
