"""History: a first run that backfills, windows that throttle, fail and succeed, and a backfill killed and
resumed, against the Google News stand-in (a real HTTP server) and a real database, in real processes."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.collect.fetch import retry_after_seconds
from tests.feedserver import FeedHTTPServer
from tests.test_cli import ROOT, run, write_config

META_PER_DAY = 3  # the archive's Meta stories a day, 2026-10-01 to 2026-10-10
THROTTLING = "\nthrottle_retries = {retries}\nmax_backoff = 0.2\nmax_retry_after = {limit}\n"


def google_news_config(tmp_path: Path, server: FeedHTTPServer, extra: str = "", fetch: str = "") -> Path:
    config = write_config(
        tmp_path,
        f'[google_news]\ntemplate = "{server.url("/gnews/rss/search")}?q={{query}}"\n'
        '[[companies]]\nname = "Meta"\nquery = "Meta"\n[[companies]]\nname = "OpenAI"\nquery = "OpenAI"\n' + extra,
    )
    config.write_text(config.read_text() + fetch)
    return config


def windows_requested(server: FeedHTTPServer) -> list[str]:
    """The after: day of every windowed search the server was asked, in order."""
    paths = [p for p in server.log.paths() if p.startswith("/gnews/") and "after%3A" in p]
    return [p.split("after%3A")[1][:10] for p in paths]


def done_windows(database: Path) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT feed, since, until, new FROM backfill_windows ORDER BY feed, since").fetchall()


def windows_recorded_so_far(database: Path) -> list[tuple[str, str, str, int]]:
    """The windows recorded, while another process may still be creating the database."""
    try:
        return done_windows(database) if database.exists() else []
    except sqlite3.OperationalError:  # no such table yet, or the schema being written
        return []


def backfill_meta(config: Path, url: str, since: str, until: str) -> subprocess.CompletedProcess[str]:
    args = ("backfill", "--config", str(config), "--company", "Meta", "--window", "1")
    return run(*args, "--since", since, "--until", until, db=url)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("0", 0.0), ("Sun, 29 Nov 2026 12:00:30 GMT", 30.0), ("soon", None), ("", None), (None, None)],
)
def test_retry_after_is_read_as_seconds_or_as_a_date(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, now=datetime(2026, 11, 29, 12, 0, tzinfo=UTC)) == seconds


def test_the_first_run_of_an_empty_database_fetches_the_feeds_then_its_history(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    config = google_news_config(tmp_path, feed_server, "[backfill]\ndays = 70\nwindow_days = 7\n")
    first = run("ingest", "--config", str(config), "--history", db=sqlite_url)
    assert first.returncode == 0, first.stderr
    stats = json.loads(run("stats", "--json", db=sqlite_url).stdout)
    assert stats["articles"] == 50  # the live feeds hold the last two days (10); the history brings the rest
    today = datetime.now(UTC).date()
    windows = windows_requested(feed_server)
    assert len(windows) == 2 * 11  # 70 days and today, in weeks, per company
    since = today.fromordinal(today.toordinal() - 70).isoformat()
    assert windows[0] == windows[11] == since  # Meta's weeks, then OpenAI's (one request at a time per host)
    assert "[1/22] Google News: Meta " in first.stderr and "[22/22] Google News: " in first.stderr
    assert "Backfill" in first.stdout
    assert stats["history"] == "done"
    again = run("ingest", "--config", str(config), "--history", db=sqlite_url)
    assert again.returncode == 0 and len(windows_requested(feed_server)) == 22  # history done: none again


def test_a_first_history_left_unfinished_is_resumed_by_the_next_run_with_history(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    throttling = THROTTLING.format(retries=0, limit=5)
    config = google_news_config(tmp_path, feed_server, "[backfill]\ndays = 70\nwindow_days = 7\n", throttling)
    today = datetime.now(UTC).date()
    third_week = today.fromordinal(today.toordinal() - 70 + 14).isoformat()
    feed_server.gnews_answers = {third_week: [429]}
    first = run("ingest", "--config", str(config), "--history", db=sqlite_url)
    assert first.returncode == 0, first.stderr
    asked = windows_requested(feed_server)
    assert len(asked) == 3  # the host rested after Meta's third week: the rest of the history waits
    assert json.loads(run("stats", "--json", db=sqlite_url).stdout)["history"] == "pending"
    resumed = run("ingest", "--config", str(config), "--history", db=sqlite_url)
    assert resumed.returncode == 0, resumed.stderr
    again = windows_requested(feed_server)[len(asked) :]
    assert again[0] == third_week and len(again) == 9 + 11  # Meta from its third week, then all of OpenAI's
    stats = json.loads(run("stats", "--json", db=sqlite_url).stdout)
    assert (stats["articles"], stats["history"]) == (50, "done")


def test_a_first_run_that_reaches_no_feed_fetches_no_history(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(
        tmp_path,
        '[google_news]\ntemplate = "http://127.0.0.1:9/rss?q={query}"\n[[companies]]\nname = "Meta"\nquery = "Meta"\n',
    )
    result = run("ingest", "--config", str(config), "--history", db=sqlite_url)
    assert result.returncode == 1
    assert "Backfill" not in result.stdout and "[1/1] Google News: Meta: failed" in result.stderr


def test_a_throttled_window_waits_as_asked_and_then_succeeds(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    config = google_news_config(tmp_path, feed_server, fetch=THROTTLING.format(retries=3, limit=5))
    feed_server.gnews_answers = {"2026-10-02": [429, 429]}
    feed_server.retry_after = "1"
    started = time.monotonic()
    result = backfill_meta(config, sqlite_url, "2026-10-01", "2026-10-03")
    waited = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert windows_requested(feed_server) == ["2026-10-01", "2026-10-02", "2026-10-02", "2026-10-02", "2026-10-03"]
    assert waited >= 2.0  # two Retry-After: 1 honoured
    assert json.loads(run("stats", "--json", db=sqlite_url).stdout)["articles"] == 3 * META_PER_DAY
    assert max(feed_server.log.max_in_flight.values()) == 1  # one request at a time per host


def test_a_host_that_keeps_throttling_is_left_alone_until_the_next_run_which_fetches_only_what_is_missing(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    config = google_news_config(tmp_path, feed_server, fetch=THROTTLING.format(retries=2, limit=5))
    feed_server.gnews_answers = {"2026-10-02": [503, 503, 503]}
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    first = backfill_meta(config, sqlite_url, "2026-10-01", "2026-10-04")
    assert first.returncode == 0, first.stderr
    assert windows_requested(feed_server) == ["2026-10-01", "2026-10-02", "2026-10-02", "2026-10-02"]
    assert "2026-10-02..2026-10-02: failed: HTTP 503: the server asks us to slow down (after 3 attempts)" in (
        first.stderr
    )
    assert "2026-10-03..2026-10-03: failed: not fetched: 127.0.0.1 throttled an earlier request" in first.stderr
    assert [w[1] for w in done_windows(database)] == ["2026-10-01"]
    second = backfill_meta(config, sqlite_url, "2026-10-01", "2026-10-04")
    assert second.returncode == 0, second.stderr
    assert windows_requested(feed_server)[4:] == ["2026-10-02", "2026-10-03", "2026-10-04"]
    assert [w[1:] for w in done_windows(database)] == [
        (f"2026-10-0{d}", f"2026-10-0{d + 1}", META_PER_DAY) for d in range(1, 5)
    ]
    assert json.loads(run("stats", "--json", db=sqlite_url).stdout)["articles"] == 4 * META_PER_DAY


def test_a_retry_after_beyond_the_limit_ends_that_fetch_without_waiting(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    config = google_news_config(tmp_path, feed_server, fetch=THROTTLING.format(retries=3, limit=5))
    feed_server.gnews_answers = {"2026-10-01": [429]}
    feed_server.retry_after = "3600"
    result = backfill_meta(config, sqlite_url, "2026-10-01", "2026-10-01")
    assert result.returncode == 1
    assert "it asked to wait 3600 s, more than max_retry_after (5 s)" in result.stderr
    assert windows_requested(feed_server) == ["2026-10-01"]


def test_a_backfill_killed_midway_resumes_without_fetching_done_windows_again(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    config = google_news_config(tmp_path, feed_server)
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    feed_server.gnews_delay = 0.3
    args = ["backfill", "--config", str(config), "--company", "Meta", "--window", "1"]
    span = ["--since", "2026-10-01", "--until", "2026-10-08", "--db", sqlite_url]
    process = subprocess.Popen([sys.executable, "-m", "dashboard", *args, *span], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        while len(windows_recorded_so_far(database)) < 2:
            assert process.poll() is None, "the backfill ended before it could be killed"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        assert process.stderr is not None
        process.stderr.close()
    survived = [w[1] for w in done_windows(database)]
    assert 2 <= len(survived) < 8
    asked_before = len(windows_requested(feed_server))
    feed_server.gnews_delay = 0.0
    resumed = run(*args, *span[:-2], db=sqlite_url)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(survived)} of 8 windows were fetched before: skipped" in resumed.stderr
    assert not set(windows_requested(feed_server)[asked_before:]) & set(survived)
    with sqlite3.connect(database) as conn:
        links = conn.execute("SELECT COUNT(*), COUNT(DISTINCT link) FROM articles").fetchone()
    assert links == (8 * META_PER_DAY, 8 * META_PER_DAY)
    assert len(done_windows(database)) == 8
