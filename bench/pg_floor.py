"""``python -m bench.pg_floor``: where the CPU of an ingest goes on SQLite and on PostgreSQL, and how fast
PostgreSQL could ingest on this machine if its server did the least work it could.

The same headline feeds (``bench.scale``'s ingest step, served over HTTP on 127.0.0.1) go, in turn, into
SQLite; into PostgreSQL as the store makes it; and into PostgreSQL stripped to a floor: no foreign keys, no
index but the primary keys (so no full-text index), and unlogged tables. The floor keeps nothing SQLite
gives up, so it is not a way to run: it bounds what any schema could save in the server. Each run reports
articles a second and the CPU seconds of the main process, the analysis workers and the database server,
measured from /proc in the same run.

    python -m bench.pg_floor [--articles 20000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from bench.scale import LOCAL_FETCH, check_fetched, databases, feed_jobs, serve, write_feeds
from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.pipeline.ingest import FetchJob, run_ingest
from dashboard.store.engine import open_engine

TICKS = os.sysconf("SC_CLK_TCK")
STORES = ("sqlite", "postgresql", "postgresql floor")


@dataclass(frozen=True)
class Run:
    """One ingest: its rate and where its CPU went."""

    store: str
    stored: int  # new articles
    per_s: float
    wall_s: float
    main_cpu_s: float
    workers_cpu_s: float
    server_cpu_s: float

    @property
    def cpu_s(self) -> float:
        """All three process groups' CPU seconds."""
        return self.main_cpu_s + self.workers_cpu_s + self.server_cpu_s


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def server_cpu(engine: Engine) -> float:
    """CPU seconds of a PostgreSQL server so far: the postmaster, its exited children and its live ones."""
    with engine.connect() as conn:
        data = Path(conn.execute(text("SHOW data_directory")).scalar_one())
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    fields = _stat(postmaster)
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                child = _stat(int(entry))
            except OSError:
                continue
            if int(child[1]) == postmaster:
                ticks += int(child[11]) + int(child[12])
    return ticks / TICKS


def strip_to_floor(conn: Connection) -> None:
    """Leave PostgreSQL only the primary keys: drop foreign keys and every other index, stop logging."""
    tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
    for table in tables:
        for name in conn.execute(
            text("SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"),
            {"t": table},
        ).scalars():
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name in conn.execute(
        text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u') "
            "AND connamespace = 'public'::regnamespace)"
        )
    ).scalars():
        conn.execute(text(f'DROP INDEX "{name}"'))
    for table in tables:
        conn.execute(text(f"ALTER TABLE {table} SET UNLOGGED"))


def ingest(store: str, url: str, jobs: list[FetchJob], analyzer: Analyzer) -> Run:
    """Ingest the feeds into a fresh database, timing the run and each process group's CPU."""
    engine = open_engine(url)
    postgres = engine.dialect.name == "postgresql"
    if store.endswith("floor"):
        with engine.begin() as conn:
            strip_to_floor(conn)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = server_cpu(engine) if postgres else 0.0
    with ParallelAnalyzer(analyzer) as parallel:
        started, main = time.perf_counter(), time.process_time()
        reports = run_ingest(engine, jobs, LOCAL_FETCH, analyzer=parallel)
        wall, main = time.perf_counter() - started, time.process_time() - main
        server = server_cpu(engine) - server if postgres else 0.0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, once the pool has joined them
    engine.dispose()
    check_fetched(reports)
    workers = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    stored = sum(r.new for r in reports)
    return Run(store, stored, stored / wall, wall, main, workers, server)


def measure(articles: int, rounds: int, report: Callable[[Run], None]) -> list[Run]:
    """Every store in turn, ``rounds`` times, on one set of feeds and one PostgreSQL server."""
    analyzer = Analyzer.from_config(load_config(DEFAULT_CONFIG))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_feeds(folder, articles, with_summary=False)
        with serve(folder) as base, databases("postgresql", folder) as fresh_postgres:
            jobs = feed_jobs(folder, base)
            for round_ in range(rounds):
                for store in STORES:
                    db = f"{store} {round_}"
                    url = fresh_postgres(db) if store != "sqlite" else f"sqlite:///{folder}/{round_}.db"
                    runs.append(ingest(store, url, jobs, analyzer))
                    report(runs[-1])
    return runs


def line(run: Run) -> str:
    """One run as a row of the Markdown table ``main`` prints."""
    return (
        f"| {run.store} | {run.stored:,} | {run.per_s:,.0f} | {run.wall_s:.2f} | {run.main_cpu_s:.2f} "
        f"| {run.workers_cpu_s:.2f} | {run.server_cpu_s:.2f} | {run.cpu_s:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"Ingest of {args.articles:,} headlines, {os.cpu_count()} cores; CPU in seconds.\n")
    print("| store | articles | articles/s | wall s | main | workers | server | all |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    measure(args.articles, args.rounds, lambda run: print(line(run), flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
