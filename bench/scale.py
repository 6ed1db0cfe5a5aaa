"""Every speed and memory benchmark in one run, each beside the obvious approach (bench/baseline.py).

    python -m bench --articles 1000000 [--postgres] [--small 10000] [--ingest 20000]

Builds the databases with ``python -m dashboard demo`` (timed: the bulk load), then measures new filter
combinations, free keywords, a real ``streamlit run`` in Chromium (cold start, memory), the ingest pipeline
against plain VADER and the baseline loop, and optionally rescore. Writes bench/results/latest.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy import Engine

from bench import baseline
from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.collect.fetch import FetchPolicy
from dashboard.config import DEFAULT_CONFIG, Config, load_config
from dashboard.models import FeedSpec
from dashboard.pipeline.demo import DemoSpec, generate
from dashboard.pipeline.ingest import FeedReport, FetchJob, run_ingest
from dashboard.read import views
from dashboard.read.filters import Filters
from dashboard.read.reader import Reader
from dashboard.store.engine import open_engine
from harness.served import memory_kb

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
KEYWORDS = ["burnout", "data center*", "lays off", "antitrust", "GPU*"]
END = datetime(2026, 11, 28, 12, tzinfo=UTC)  # a fixed end keeps every run's data identical


def median_time(action: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine() -> dict[str, object]:
    """What these figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gb": round(int(memory.split()[1]) / 1024**2, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def _run_measured(command: list[str]) -> tuple[float, float]:
    """Run a command to completion: seconds, and the peak resident memory (MB) of that process alone.

    The peak is its VmHWM, read from /proc while it runs: wait4's ru_maxrss would also count the memory
    of this (forking) benchmark process, which Linux carries over into the child's high-water mark."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_kb = 0
    while process.poll() is None:
        with suppress(OSError, KeyError, ValueError):  # it may exit between poll() and the read
            peak_kb = max(peak_kb, memory_kb(process.pid)[1])
        time.sleep(0.05)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return time.perf_counter() - started, peak_kb / 1024


def build(url: str, articles: int) -> dict[str, float]:
    """``python -m dashboard demo --articles N`` into a fresh database: seconds and peak memory."""
    seconds, peak = _run_measured(
        [
            sys.executable,
            "-m",
            "dashboard",
            "demo",
            "--db",
            url,
            "--articles",
            str(articles),
            "--days",
            "365",
            "--end",
            END.isoformat(),
        ]
    )
    return {"seconds": seconds, "articles_per_s": articles / seconds, "peak_rss_mb": peak}


def filter_combinations(config: Config, count: int, seed: int) -> list[Filters]:
    """Random but repeatable filter combinations, each different (so no cache could answer them)."""
    rng = random.Random(seed)
    companies = [c.name for c in config.companies]
    topics = list(config.topics)
    combos: list[Filters] = []
    while len(combos) < count:
        length = rng.choice([30, 90, 180, 365])
        end = END.date() - timedelta(days=rng.randint(0, 365 - length))
        combo = Filters(
            companies=tuple(rng.sample(companies, rng.choice([0, 1, 2, 3]))),
            topics=tuple(rng.sample(topics, rng.choice([0, 0, 1, 2]))),
            date_from=end - timedelta(days=length - 1),
            date_to=end,
            step=rng.choice(["day", "week", "month"]),
            norm=rng.choice(["raw", "per100"]),
        )
        if combo not in combos:
            combos.append(combo)
    return combos


# The pages whose data is timed per filter combination, by the same functions the dashboard calls (Spikes
# reads what Trends reads; Sources is timed in the browser).
PAGES = {name: views.VIEWS[name] for name in ("overview", "trends", "compare", "articles")}


def page_data(reader: Reader, config: Config, filters: Filters) -> dict[str, float]:
    """Seconds each page's data takes for one filter combination."""
    out = {}
    for name, read in PAGES.items():
        started = time.perf_counter()
        read(reader, config, filters)
        out[name] = time.perf_counter() - started
    return out


def filter_benchmark(reader: Reader, config: Config, combos: list[Filters]) -> dict[str, float]:
    """Seconds per page for new filter combinations (each timed once, so no cache could help): the median
    over combinations for each page, and the slowest page's median ("median_s", the figure we hold to)."""
    per_page: dict[str, list[float]] = {name: [] for name in PAGES}
    for combo in combos:
        for name, seconds in page_data(reader, config, combo).items():
            per_page[name].append(seconds)
    medians = {f"{name}_median_s": statistics.median(times) for name, times in per_page.items()}
    worst = max(per_page, key=lambda name: statistics.median(per_page[name]))
    return {
        "median_s": max(medians.values()),
        "slowest_page": worst,  # type: ignore[dict-item]
        "p90_s": sorted(per_page[worst])[int(0.9 * (len(combos) - 1))],
        **medians,
    }


def keyword_benchmark(reader: Reader, config: Config, repeat: int) -> dict[str, float]:
    """Seconds for each keyword over the whole year, the slowest page's data: median over the keywords.
    The first keyword also loads the per-article facts (dashboard.store.facts) and derives each story's from
    them (counting stories, the default); that is timed apart."""
    started = time.perf_counter()
    reader.facts()
    reader.story_facts()
    load = time.perf_counter() - started
    year = Filters(date_from=END.date() - timedelta(days=364), date_to=END.date())
    per_keyword = {}
    for q in KEYWORDS:
        runs = [max(page_data(reader, config, replace(year, q=q)).values()) for _ in range(repeat)]
        per_keyword[f"q={q}"] = statistics.median(runs)
    return {
        "median_s": statistics.median(per_keyword.values()),
        "max_s": max(per_keyword.values()),
        "facts_load_s": load,
        **per_keyword,
    }


# Rising terms over a 30-day window against the 30 days before: the whole store, one company, one topic at a
# company, and a keyword (the article-level path), each in both counts.
RISING_SELECTIONS = {
    "everything": {},
    "Meta": {"companies": ("Meta",)},
    "burnout at Meta": {"companies": ("Meta",), "topics": ("burnout",)},
    "q=GPU": {"q": "GPU"},
}


def rising_benchmark(reader: Reader, config: Config) -> dict[str, float]:
    """Seconds for the rising terms of a 30-day window (views.rising_terms, what Overview and Spikes show),
    per selection and count; the figure is the slowest."""
    month = Filters(date_from=END.date() - timedelta(days=29), date_to=END.date(), terms=True)
    out = {}
    for name, chosen in RISING_SELECTIONS.items():
        for count in ("stories", "articles"):
            started = time.perf_counter()
            views.rising_terms(reader, config, replace(month, count=count, **chosen))
            out[f"{name}, {count}"] = time.perf_counter() - started
    return {"max_s": max(out.values()), **out}


def baseline_benchmark(engine: Engine, config: Config, combos: list[Filters]) -> dict[str, float]:
    """The obvious approach: load every article into pandas, then filter and group per combination."""
    started = time.perf_counter()
    frame = baseline.load_all(engine)
    load = time.perf_counter() - started
    companies = [c.name for c in config.companies]
    times = []
    for combo in combos:
        started = time.perf_counter()
        baseline.chart_data(frame, combo, list(combo.companies) or companies)
        times.append(time.perf_counter() - started)
    year = Filters(date_from=END.date() - timedelta(days=364), date_to=END.date())
    keyword = [median_time(partial(baseline.chart_data, frame, replace(year, q=q), companies), 1) for q in KEYWORDS]
    return {
        "load_all_s": load,
        "frame_mb": frame.memory_usage(deep=True).sum() / 1024**2,
        "filter_median_s": statistics.median(times),
        "filter_per_rerun_s": load + statistics.median(times),
        "keyword_median_s": statistics.median(keyword),
    }


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Files of a folder over HTTP on 127.0.0.1 (a real server: the pipeline fetches as it would a site)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def write_feeds(folder: Path, count: int, with_summary: bool, per_feed: int = 500) -> list[tuple[str, str]]:
    """RSS files holding ``count`` demo articles; returns the (title, summary) texts they carry."""
    config = load_config(DEFAULT_CONFIG)
    spec = DemoSpec(articles=count, days=365, seed=11, end=END)
    items = [a for _, a in generate(spec, [c.name for c in config.companies])][:count]
    texts = []
    for index in range(0, len(items), per_feed):
        entries = []
        for a in items[index : index + per_feed]:
            summary = a.summary if with_summary else ""
            texts.append((a.title, summary))
            description = f"<description>{escape(summary)}</description>" if summary else ""
            entries.append(
                f"<item><title>{escape(a.title)}</title><link>https://{a.publisher_domain}/{index}</link>"
                f'<guid isPermaLink="false">{escape(a.guid or "")}</guid>'
                f"<pubDate>{format_datetime(a.published_at)}</pubDate>"
                f"{description}</item>"
            )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench</title>'
            f"<link>https://bench.invalid/</link>{''.join(entries)}</channel></rss>"
        )
        (folder / f"feed{index // per_feed:04d}.xml").write_text(body, encoding="utf-8")
    return texts


# Fetching from the benchmark's own feed server on 127.0.0.1: generous limits, no retries.
LOCAL_FETCH = FetchPolicy(
    read_timeout=60.0, deadline=300.0, retries=0, max_bytes=100_000_000, allowed_networks=("127.0.0.1/32",)
)


def feed_jobs(folder: Path, base: str) -> list[FetchJob]:
    """A fetch of each feed file in the folder, as served from ``base``."""
    names = sorted(p.name for p in folder.glob("*.xml"))
    return [FetchJob(FeedSpec(f"bench {n}", f"{base}/{n}"), f"{base}/{n}", conditional=False) for n in names]


def check_fetched(reports: Sequence[FeedReport]) -> None:
    """Raise if any feed failed: a rate of failures measures nothing."""
    failed = [f"{r.name}: {r.error}" for r in reports if r.failed]
    if failed:
        raise RuntimeError(f"the benchmark's feeds failed: {failed}")


def ingest_benchmark(url_for: Callable[[str], str], count: int) -> dict[str, dict[str, float]]:
    """Articles per second: our pipeline (fetch over HTTP, parse, analyse on every core, store), plain VADER
    scoring the same texts on one core, and the baseline loop (VADER and a commit per row)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    analyzer = Analyzer.from_config(load_config(DEFAULT_CONFIG))
    out: dict[str, dict[str, float]] = {}
    for label, with_summary in (("headline", False), ("headline+summary", True)):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            texts = write_feeds(folder, count, with_summary)
            joined = [f"{t} {s}".strip() for t, s in texts]
            started = time.perf_counter()
            for text in joined:
                vader.polarity_scores(text)
            vader_rate = len(joined) / (time.perf_counter() - started)
            with serve(folder) as base:
                jobs = feed_jobs(folder, base)
                engine = open_engine(url_for(label))
                with ParallelAnalyzer(analyzer) as parallel:
                    started = time.perf_counter()
                    reports = run_ingest(engine, jobs, LOCAL_FETCH, analyzer=parallel)
                    ours = sum(r.new for r in reports) / (time.perf_counter() - started)
                check_fetched(reports)
                engine.dispose()
                started = time.perf_counter()
                stored = baseline.ingest_loop([job.url for job in jobs], str(folder / "baseline.db"))
                loop = stored / (time.perf_counter() - started)
            out[label] = {
                "ours_per_s": ours,
                "vader_one_core_per_s": vader_rate,
                "baseline_loop_per_s": loop,
                "vs_vader": ours / vader_rate,
                "vs_baseline": ours / loop,
            }
    return out


def rescore_benchmark(url: str) -> dict[str, float]:
    seconds, peak = _run_measured([sys.executable, "-m", "dashboard", "rescore", "--db", url])
    return {"seconds": seconds, "peak_rss_mb": peak}


def _sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}.db"


@contextmanager
def databases(backend: str, folder: Path) -> Iterator[Callable[[str], str]]:
    """A function giving a fresh, empty database URL per name, on SQLite files or a throwaway PostgreSQL."""
    if backend == "sqlite":
        yield partial(_sqlite_url, folder)
        return
    from sqlalchemy import create_engine, text

    from harness.postgres import TempPostgres

    server = TempPostgres()
    root = server.start()
    admin = create_engine(root, isolation_level="AUTOCOMMIT")

    def fresh(name: str) -> str:
        safe = "".join(c if c.isalnum() else "_" for c in name).lower()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS bench_{safe}"))
            conn.execute(text(f"CREATE DATABASE bench_{safe}"))
        return root.rsplit("/", 1)[0] + f"/bench_{safe}"

    try:
        yield fresh
    finally:
        admin.dispose()
        server.stop()


def run(args: argparse.Namespace) -> dict[str, object]:
    """Every benchmark, on SQLite and (with --postgres) PostgreSQL."""
    config = load_config(DEFAULT_CONFIG)
    combos = filter_combinations(config, args.combos, seed=1)
    results: dict[str, object] = {
        "machine": machine(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": args.articles,
        "small": args.small,
        "ingest_articles": args.ingest,
        "combos": args.combos,
    }
    if args.sections != "all":  # re-measure one part into the last full run's results
        previous = json.loads((args.out / "latest.json").read_text())
        results = {**previous, "machine": results["machine"], f"when_{args.sections}": results["when"]}
    for backend in ["sqlite", *(["postgresql"] if args.postgres else [])]:
        section: dict[str, object] = results.get(backend, {}) if args.sections != "all" else {}  # type: ignore[assignment]
        results[backend] = section
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp, databases(backend, Path(tmp)) as fresh:
            for size in (args.small, args.articles) if args.sections == "all" else ():
                print(f"[{backend}] building {size:,} articles", file=sys.stderr, flush=True)
                url = fresh(f"n{size}")
                entry: dict[str, object] = {"bulk_load": build(url, size)}
                engine = open_engine(url)
                reader = Reader(engine)
                entry["filters"] = filter_benchmark(reader, config, combos)
                entry["keyword"] = keyword_benchmark(reader, config, args.repeat)
                entry["rising"] = rising_benchmark(reader, config)
                if size == args.articles:
                    print(f"[{backend}] baseline at {size:,}", file=sys.stderr, flush=True)
                    entry["baseline"] = baseline_benchmark(engine, config, combos)
                    if backend == "sqlite" and not args.no_browser:
                        print(f"[{backend}] browser at {size:,}", file=sys.stderr, flush=True)
                        entry["served"] = _served(url)
                    if args.rescore and backend == "sqlite":
                        print(f"[{backend}] rescore at {size:,}", file=sys.stderr, flush=True)
                        entry["rescore"] = rescore_benchmark(url)
                engine.dispose()
                section[str(size)] = entry
            print(f"[{backend}] ingest of {args.ingest:,}", file=sys.stderr, flush=True)
            section["ingest"] = ingest_benchmark(lambda label: fresh(f"ingest {label}"), args.ingest)
    return results


def _served(url: str) -> dict[str, float]:
    from bench.served import visit_every_view

    return visit_every_view(url)


TARGETS = [
    # (what, value path, format, target test, target text)
    ("New filter combination, median", ("{large}", "filters", "median_s"), "ms", lambda v: v <= 0.150, "<= 150 ms"),
    ("Keyword over all articles, median", ("{large}", "keyword", "median_s"), "ms", lambda v: v <= 0.300, "<= 300 ms"),
    ("Dashboard memory after every page", ("{large}", "served", "rss_mb"), "MB", lambda v: v < 500, "< 500 MB"),
    ("Cold start (health -> first chart)", ("{large}", "served", "cold_start_s"), "s", lambda v: v <= 3, "<= 3 s"),
    ("Bulk load (demo --articles N)", ("{large}", "bulk_load", "seconds"), "s", lambda v: v < 600, "< 600 s"),
    ("Rising terms, 30 days, slowest selection", ("{large}", "rising", "max_s"), "s", lambda v: v <= 1, "<= 1 s"),
]


def _get(section: dict[str, object], path: tuple[str, ...], large: str) -> float | None:
    node: object = section
    for key in path:
        key = key.format(large=large)
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node)  # type: ignore[arg-type]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ms":
        return f"{1000 * value:,.0f} ms"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.1f} s"


def _verdict(met: bool, backend: str) -> str:
    """Targets are set for SQLite, the default; PostgreSQL's figures are reported beside them."""
    return ("yes" if met else "NO") if backend == "sqlite" else f"(reported; {'would meet' if met else 'would miss'})"


def markdown(results: dict[str, object]) -> str:
    """The results as the table bench/README.md quotes."""
    large, small = str(results["articles"]), str(results["small"])
    m = results["machine"]
    lines = [
        f"Measured {results['when']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, "  # type: ignore[index]
        f"Python {m['python']}, SQLite {m['sqlite']}; {int(large):,} articles (small: {int(small):,}); "  # type: ignore[index]
        f"{results['combos']} new filter combinations; ingest of {int(results['ingest_articles']):,} articles.",  # type: ignore[arg-type]
        "",
        "| target | database | ours | baseline (pandas, load all) | target | met |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for backend in ("sqlite", "postgresql"):
        section = results.get(backend)
        if not isinstance(section, dict):
            continue
        base = section.get(large, {}).get("baseline", {})
        for what, path, unit, test, text in TARGETS:
            value = _get(section, path, large)
            if value is None:
                continue
            compare = ""
            if path[1] == "filters" and base:
                compare = (
                    f"{_fmt(base['filter_per_rerun_s'], 'ms')} per rerun; {_fmt(base['filter_median_s'], 'ms')} cached"
                )
            elif path[1] == "keyword" and base:
                compare = f"{_fmt(base['keyword_median_s'], 'ms')} cached"
            elif path[1] == "served" and path[2] == "rss_mb" and base:
                compare = f"its frame alone: {_fmt(base['frame_mb'], 'MB')}"
            elif path[2] == "cold_start_s":
                served = section[large]["served"]
                compare = f"headline figures at {_fmt(served['first_figures_s'], 's')}"
                if "floor_cold_s" in served:
                    compare += f"; a one-chart Streamlit page: {_fmt(served['floor_cold_s'], 's')}"
            lines.append(
                f"| {what} | {backend} | {_fmt(value, unit)} | {compare} | {text} | {_verdict(test(value), backend)} |"
            )
        small_filters = _get(section, ("{large}", "filters", "median_s"), small)
        large_filters = _get(section, ("{large}", "filters", "median_s"), large)
        if small_filters and large_filters:
            ratio = large_filters / small_filters
            both = f"{_fmt(large_filters, 'ms')} / {_fmt(small_filters, 'ms')}"
            met = _verdict(ratio <= 2, backend)
            lines.append(
                f"| Filter time at {int(large):,} / at {int(small):,} | {backend} | {ratio:.2f}x ({both}) "
                f"| | <= 2x | {met} |"
            )
        for label, figures in section.get("ingest", {}).items():
            ours, loop = figures["ours_per_s"], figures["baseline_loop_per_s"]
            lines.append(
                f"| Ingest, {label} | {backend} | {ours:,.0f}/s | loop {loop:,.0f}/s "
                f"({figures['vs_baseline']:.1f}x); VADER alone, one core {figures['vader_one_core_per_s']:,.0f}/s "
                f"({figures['vs_vader']:.2f}x) | >= 5x loop, >= 1x VADER | "
                f"{_verdict(figures['vs_baseline'] >= 5 and figures['vs_vader'] >= 1, backend)} |"
            )
        rescore = section.get(large, {}).get("rescore")
        if rescore:
            lines.append(f"| Rescore of all articles | {backend} | {_fmt(rescore['seconds'], 's')} | | minutes | |")
    served = results.get("sqlite", {}).get(large, {}).get("served")  # type: ignore[union-attr]
    if served and "floor_warm_s" in served:
        lines += ["", *view_table(served)]
    return "\n".join(lines) + "\n"


FLOOR_TARGET = 1.5


def view_table(served: dict[str, float]) -> list[str]:
    """Every view opened from a new link, against a one-chart Streamlit page opened the same way."""
    warm, cold = served["floor_warm_s"], served["floor_cold_s"]
    lines = [
        f"Every view from a new link against a one-chart Streamlit page opened the same way in the same run "
        f"(warm {_fmt(warm, 's')}, cold {_fmt(cold, 's')}); target: within {FLOOR_TARGET}x.",
        "",
        "| view | seconds | floor | against the floor | met |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    rows = [
        (name.removeprefix("view_").removesuffix("_s"), served[name], warm)
        for name in served
        if name.startswith("view_")
    ]
    rows.append(("overview, cold (health -> first chart)", served["cold_start_s"], cold))
    for name, seconds, base in rows:
        ratio = seconds / base
        lines.append(
            f"| {name.replace('_', ' ')} | {_fmt(seconds, 's')} | {_fmt(base, 's')} | {ratio:.1f}x | "
            f"{'yes' if ratio <= FLOOR_TARGET else 'NO'} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000, help="the large database (default 1,000,000)")
    parser.add_argument("--small", type=int, default=10_000, help="the small one, for the ratio (default 10,000)")
    parser.add_argument("--ingest", type=int, default=20_000, help="articles for the ingest runs (default 20,000)")
    parser.add_argument("--combos", type=int, default=20, help="new filter combinations to time (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per keyword, median taken (default 3)")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL server")
    parser.add_argument("--rescore", action="store_true", help="also time rescore of the large database")
    parser.add_argument("--no-browser", action="store_true", help="skip the streamlit + Chromium runs")
    parser.add_argument(
        "--sections",
        choices=["all", "ingest"],
        default="all",
        help="all (default), or only re-measure ingest into the existing latest.json",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.json and latest.md go")
    args = parser.parse_args(argv)
    results = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = markdown(results)
    (args.out / "latest.md").write_text(table)
    print(table)
    return 0
