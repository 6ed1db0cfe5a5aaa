"""Many processes, one database: leases on feeds, ingest commands run at once, workers on a schedule, one of
them killed, and two app servers reading what they stored. Real processes, a real HTTP server, real SQLite
and PostgreSQL, and a real browser."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import Engine, text

from dashboard.store import leases
from dashboard.store.engine import open_engine
from harness.served import streamlit
from tests.feedserver import FeedHTTPServer
from tests.test_browser import browser, new_page, wait_until_idle  # noqa: F401  (browser is a fixture)
from tests.test_cli import ROOT, run, write_config

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=15)
FEEDS, ITEMS = 12, 30
WAIT_S = 180  # the longest any wait here may take on a loaded machine: waits are on state, this only bounds them


def feeds_config(tmp_path: Path, server: FeedHTTPServer, delay: float) -> Path:
    """FEEDS outlet feeds of ITEMS distinct items each, each answering after ``delay`` seconds, fetched two
    hosts' worth at a time (so a worker takes four at a time)."""
    feeds = "".join(
        f'[[feeds]]\nname = "feed {i:02d}"\nurl = "{server.url(f"/many/{ITEMS}/f{i:02d}")}?delay={delay}"\n'
        for i in range(FEEDS)
    )
    config = write_config(tmp_path, feeds)
    config.write_text(config.read_text() + "workers = 2\n")
    return config


def article_rows(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT link, title FROM articles")).all())


def fetches_per_feed(server: FeedHTTPServer) -> list[int]:
    paths = [p for p in server.log.paths() if p.startswith("/many/")]
    return [sum(p.split("?")[0].endswith(f"/f{i:02d}") for p in paths) for i in range(FEEDS)]


def log_until(worker: subprocess.Popen[str], event: str) -> list[dict[str, object]]:
    """A ``worker --json`` process's log lines up to and including the first of ``event``."""
    assert worker.stdout is not None
    lines: list[dict[str, object]] = []
    while not any(line["event"] == event for line in lines):
        line = worker.stdout.readline()
        assert line, worker.stderr.read() if worker.stderr else ""
        lines.append(json.loads(line))
    return lines


def wait_for(condition: object, what: str) -> None:
    give_up = time.monotonic() + WAIT_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < give_up, f"gave up waiting for {what}"
        time.sleep(0.1)


def test_a_lease_is_one_holders_until_given_back_or_lapsed(engine: Engine) -> None:
    urls = [f"https://feeds.example/{name}" for name in "abc"]
    assert leases.take(engine, urls, "A", NOW, LEASE, 2, due_only=False) == urls[:2]
    assert leases.take(engine, urls, "B", NOW, LEASE, 5, due_only=False) == urls[2:]
    assert leases.take(engine, urls, "C", NOW, LEASE, 5, due_only=False) == []
    leases.give_back(engine, urls[:1], "A", due_at=NOW + timedelta(hours=1))
    leases.give_back(engine, urls[1:2], "B", due_at=None)  # not B's: nothing happens
    assert leases.take(engine, urls, "C", NOW, LEASE, 5, due_only=True) == []  # a: rests for an hour
    assert leases.take(engine, urls, "C", NOW, LEASE, 5, due_only=False) == urls[:1]  # an ingest takes it
    later = NOW + LEASE + timedelta(seconds=1)  # A, B and C died holding b, c and a: their leases lapsed
    assert leases.take(engine, urls, "D", later, LEASE, 5, due_only=True) == urls
    assert leases.next_due(engine, urls) == later + LEASE
    leases.give_back_all(engine, "D")
    assert leases.next_due(engine, urls) is None  # given back without a due time: due at once


def test_many_takers_at_once_never_share_a_feed(engine: Engine) -> None:
    urls = [f"https://feeds.example/{i}" for i in range(60)]
    taken: dict[str, list[str]] = {}

    def taker(name: str) -> None:
        mine: list[str] = []
        while got := leases.take(engine, urls, name, NOW, LEASE, 3, due_only=False):
            mine += got
        taken[name] = mine

    threads = [threading.Thread(target=taker, args=(f"T{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    every = [url for mine in taken.values() for url in mine]
    assert sorted(every) == sorted(urls)  # each taken once, by one taker
    assert len(taken) == 4


def test_two_ingest_commands_at_once_fetch_each_feed_once_and_store_each_article_once(
    db_url: str, feed_server: FeedHTTPServer, tmp_path: Path
) -> None:
    config = feeds_config(tmp_path, feed_server, delay=0.2)
    open_engine(db_url).dispose()  # the schema first: both commands then start on the same footing
    command = [sys.executable, "-m", "dashboard", "ingest", "--config", str(config), "--db", db_url]
    both = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "ab"
    ]
    outputs = [p.communicate(timeout=WAIT_S) for p in both]
    for process, (_out, err) in zip(both, outputs, strict=True):
        assert process.returncode == 0, err
        assert "locked" not in err
    assert fetches_per_feed(feed_server) == [1] * FEEDS
    engine = open_engine(db_url)
    rows = article_rows(engine)
    engine.dispose()
    assert len(rows) == len(set(rows)) == FEEDS * ITEMS


def test_a_worker_logs_a_json_line_per_feed_and_stops_cleanly_on_sigterm(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    config = feeds_config(tmp_path, feed_server, delay=0.0)
    command = [sys.executable, "-m", "dashboard", "worker", "--config", str(config), "--json", "--db", sqlite_url]
    worker = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    try:
        lines = log_until(worker, "round")
        worker.send_signal(signal.SIGTERM)
        out, _err = worker.communicate(timeout=WAIT_S)
    finally:
        if worker.poll() is None:
            worker.kill()
    lines += [json.loads(line) for line in out.splitlines()]
    assert worker.returncode == 0
    assert [line["event"] for line in lines] == ["started"] + ["feed"] * FEEDS + ["round", "stopped"]
    feed = next(line for line in lines if line["event"] == "feed")
    assert set(feed) == {"time", "event", "feed", "status", "new", "known", "skipped", "error", "seconds"}
    assert (feed["status"], feed["new"], feed["error"]) == ("ok", ITEMS, None)
    assert 1740 <= lines[FEEDS + 1]["next_in_s"] <= 1800  # when the first feed fetched is due again, 30 min on
    engine = open_engine(sqlite_url)
    with engine.connect() as conn:
        held = conn.execute(text("SELECT COUNT(*) FROM feed_leases WHERE holder IS NOT NULL")).scalar_one()
    engine.dispose()
    assert held == 0


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    from tests.conftest import _fresh_postgres_database

    url, admin = _fresh_postgres_database(postgres_server)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def test_two_workers_one_killed_and_two_app_servers_share_one_postgresql(
    postgres_url: str,
    feed_server: FeedHTTPServer,
    tmp_path: Path,
    sqlite_url: str,
    browser: Browser,  # noqa: F811
) -> None:
    config = feeds_config(tmp_path, feed_server, delay=0.4)
    engine = open_engine(postgres_url)
    command = [sys.executable, "-m", "dashboard", "worker", "--config", str(config), "--json", "--lease", "3s"]
    workers = [
        subprocess.Popen([*command, "--db", postgres_url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        for _ in "ab"
    ]

    def stored_feeds() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM feeds WHERE last_success_at IS NOT NULL")).scalar_one()

    try:
        wait_for(lambda: stored_feeds() >= 3, "three feeds stored")
        workers[0].send_signal(signal.SIGKILL)  # mid-run: it holds leases on feeds it has not stored
        workers[0].wait(timeout=WAIT_S)
        assert stored_feeds() < FEEDS
        wait_for(lambda: stored_feeds() == FEEDS, "the other worker to fetch every feed")
        assert workers[1].poll() is None
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.communicate(timeout=WAIT_S)
    rows = article_rows(engine)
    engine.dispose()
    once = run("ingest", "--config", str(config), db=sqlite_url)  # one uninterrupted run, for comparison
    assert once.returncode == 0, once.stderr
    single = open_engine(sqlite_url)
    assert rows == article_rows(single) and len(rows) == len(set(rows)) == FEEDS * ITEMS
    single.dispose()

    link = "/?view=overview&from=2026-11-01&to=2026-11-10&count=articles"
    figures = []
    with streamlit(postgres_url) as first, streamlit(postgres_url) as second:
        for server in (first, second):
            page = new_page(browser, server.base + link)
            wait_until_idle(page)
            figures.append(page.get_by_test_id("stMetricValue").all_inner_texts())
            page.context.close()
    assert figures[0] == figures[1]
    assert f"{FEEDS * ITEMS:,}" in figures[0]
