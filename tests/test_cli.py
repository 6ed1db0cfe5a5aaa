"""The command line as a user runs it: a real process, a real HTTP server, a real database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentTypeError
from pathlib import Path

import pytest

from dashboard.cli import build_parser, parse_duration
from tests.feedserver import HOSTILE, FeedHTTPServer

ROOT = Path(__file__).resolve().parent.parent
FAST_FETCH = """
[fetch]
allowed_networks = ["127.0.0.0/8"]
connect_timeout = 2.0
read_timeout = 1.0
deadline = 5.0
retries = 1
backoff = 0.05
"""


def run(
    *args: str, db: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args, *(["--db", db] if db else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body + FAST_FETCH)
    return path


@pytest.mark.parametrize("command", ["ingest", "backfill", "stats", "stories", "episodes", "view"])
def test_every_command_has_help_naming_the_database_option(command: str) -> None:
    result = run(command, "--help", db="")
    assert result.returncode == 0
    assert "--db URL" in result.stdout
    assert "DATABASE_URL" in result.stdout


def test_every_command_is_listed_in_the_top_level_help() -> None:
    result = run("--help", db="")
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert all(name in result.stdout for name in commands)


def test_ingest_urls_prints_a_per_feed_table(
    feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path
) -> None:
    urls = [feed_server.url("/feeds/atom_verge_ai.xml"), feed_server.url("/status/404")]
    result = run("ingest", "--config", str(loopback_config), "--url", urls[0], "--url", urls[1], db=sqlite_url)
    assert result.returncode == 0, result.stderr
    rows = {
        line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
        for line in result.stdout.splitlines()
        if line.startswith("│ http")
    }
    assert rows == {urls[0]: ["ok", "3", "0", "0", ""], urls[1]: ["error", "0", "0", "0", "HTTP 404"]}
    assert "[1/2]" in result.stderr and "[2/2]" in result.stderr
    again = run("ingest", "--config", str(loopback_config), "--url", urls[0], db=sqlite_url)
    assert "304 not modified" in again.stdout


def test_ingest_exits_non_zero_only_when_every_feed_failed(
    feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path
) -> None:
    result = run(
        "ingest",
        "--config",
        str(loopback_config),
        "--url",
        feed_server.url("/status/404"),
        "--url",
        feed_server.url("/feeds/empty.xml"),
        db=sqlite_url,
    )
    assert result.returncode == 1
    assert "empty response body" in result.stdout


def test_an_invalid_config_stops_with_exit_2_and_names_the_problem(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, '[[feeds]]\nname = "X"\nurl = "not a url"\n')
    result = run("ingest", "--config", str(config), db=sqlite_url)
    assert result.returncode == 2
    assert f'{config}: feeds[0] ("X").url: Value error, not an http(s) URL' in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_url_argument_is_refused(sqlite_url: str) -> None:
    result = run("ingest", "--url", "javascript:alert(1)", db=sqlite_url)
    assert result.returncode == 2
    assert "not an http(s) URL" in result.stderr


def test_ingest_reads_the_config_and_database_url_from_the_environment(
    feed_server: FeedHTTPServer, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path,
        f'[[feeds]]\nurl = "{feed_server.url("/feeds/rss10_rdf_slashdot.xml")}"\n'
        f'[[feeds]]\nname = "Verge"\nurl = "{feed_server.url("/feeds/atom_verge_ai.xml")}"\n',
    )
    db = f"sqlite:///{tmp_path / 'env.db'}"
    result = run("ingest", "--config", str(config), db="", env={"DATABASE_URL": db})
    assert result.returncode == 0, result.stderr
    stats = json.loads(run("stats", "--json", db="", env={"DATABASE_URL": db}).stdout)
    assert stats["articles"] == 5
    assert [(f["name"], f["articles"], f["status"]) for f in stats["feeds"]] == [
        ("127.0.0.1", 2, "ok"),
        ("Verge", 3, "ok"),
    ]


def test_stats_prints_tables(feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path) -> None:
    run(
        "ingest",
        "--config",
        str(loopback_config),
        "--url",
        feed_server.url("/feeds/google_news_meta.xml"),
        db=sqlite_url,
    )
    result = run("stats", db=sqlite_url)
    assert result.returncode == 0
    assert result.stdout.startswith("5 articles, published 2026-11-08T00:00:00+00:00 to 2026-11-10T08:00:00+00:00")
    assert "The Verge" in result.stdout and "Sources (top 5 of 5)" in result.stdout


def test_stories_lists_each_story_once_with_its_copies(
    feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path
) -> None:
    for name in ("google_news_story_meta.xml", "google_news_story_layoffs.xml"):
        run("ingest", "--config", str(loopback_config), "--url", feed_server.url(f"/feeds/{name}"), db=sqlite_url)
    result = run("stories", "--company", "Meta", "--since", "2026-10-20", "--json", db=sqlite_url)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed["link"] == "company=Meta&from=2026-10-20&to=2026-10-28&view=articles"
    assert [(s["title"], s["publisher"], s["articles"], s["outlets"]) for s in listed["list"]] == [
        ("Meta's AI pivot leaves staff burned out", "Fortune", 1, 1),
        ("Meta hires 50 AI researchers from OpenAI", "The Information", 1, 1),  # as early as the cuts: newer id
        ("Meta cuts 600 jobs in its AI unit", "Reuters", 3, 3),
        ("Meta's AI pivot leaves staff burned out", "The Verge", 2, 2),
    ]
    cuts = listed["list"][2]
    assert cuts["published_at"] == "2026-10-22T07:00:00.000Z"
    assert [(c["publisher"], c["title"]) for c in cuts["copies"]] == [
        ("Reuters", "Meta cuts 600 jobs in its AI unit"),
        ("CNBC", "Meta lays off 600 workers in superintelligence lab"),
        ("Business Insider", "Inside Meta's job cuts: what the memo said"),
    ]
    table = run("stories", "--company", "Meta", "--since", "2026-10-20", db=sqlite_url)
    assert table.returncode == 0 and "4 stories, page 1 of 1" in table.stdout


def test_backfill_walks_google_news_in_day_windows(
    feed_server: FeedHTTPServer, tmp_path: Path, sqlite_url: str
) -> None:
    config = write_config(
        tmp_path,
        f'[google_news]\ntemplate = "{feed_server.url("/gnews/rss/search")}?q={{query}}"\n'
        '[[companies]]\nname = "Meta"\nquery = "Meta"\n[[companies]]\nname = "OpenAI"\nquery = "OpenAI"\n',
    )
    result = run(
        "backfill",
        "--config",
        str(config),
        "--since",
        "2026-10-01",
        "--until",
        "2026-10-04",
        "--window",
        "1",
        "--company",
        "meta",
        db=sqlite_url,
    )
    assert result.returncode == 0, result.stderr
    stats = json.loads(run("stats", "--json", db=sqlite_url).stdout)
    assert stats["articles"] == 4 * 3  # four days, three Meta stories a day
    assert [(f["name"], f["articles"]) for f in stats["feeds"]] == [("Google News: Meta", 12)]
    queries = [p for p in feed_server.log.paths() if p.startswith("/gnews/")]
    assert len(queries) == 4
    assert "after%3A2026-10-01+before%3A2026-10-02" in queries[0]
    again = run(
        "backfill",
        "--config",
        str(config),
        "--since",
        "2026-10-01",
        "--until",
        "2026-10-10",
        "--window",
        "1",
        db=sqlite_url,
    )
    assert json.loads(run("stats", "--json", db=sqlite_url).stdout)["articles"] == 10 * 5
    assert "Google News: OpenAI 2026-10-10..2026-10-10" in again.stdout
    assert "4 of 20 windows were fetched before: skipped" in again.stderr
    assert len([p for p in feed_server.log.paths() if p.startswith("/gnews/")]) == 4 + 16


def test_backfill_rejects_an_unknown_company(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, '[[companies]]\nname = "Meta"\nquery = "Meta"\n')
    result = run("backfill", "--config", str(config), "--since", "2026-10-01", "--company", "Nokia", db=sqlite_url)
    assert (result.returncode, result.stderr.strip()) == (2, "backfill: unknown company: nokia")


def test_ingest_every_repeats_until_ctrl_c_and_then_stops_cleanly(
    feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path
) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboard",
            "ingest",
            "--every",
            "1s",
            "--config",
            str(loopback_config),
            "--db",
            sqlite_url,
            "--url",
            feed_server.url("/feeds/atom_verge_ai.xml"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(feed_server.log.requests) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert out.count("Ingest") >= 2  # at least two rounds printed their table


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("1h30m", 5400), ("90s", 90), ("1d", 86400), ("0.5s", 0.5)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "m", "0s", "1h 30m", "-5m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ArgumentTypeError, match=r"duration|longer than zero"):
        parse_duration(text)


def ingest_process(db: str, config: Path, *urls: str) -> subprocess.Popen[str]:
    url_args = [a for u in urls for a in ("--url", u)]
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "ingest", "--db", db, "--config", str(config), *url_args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_ends_a_hung_ingest_at_once_keeping_every_feed_already_stored(
    feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path, stop: signal.Signals
) -> None:
    fast = f"http://localhost:{feed_server.server_address[1]}/feeds/atom_verge_ai.xml"
    process = ingest_process(sqlite_url, loopback_config, feed_server.url("/dribble"), fast)
    assert process.stderr is not None
    first = process.stderr.readline()  # the fast feed is stored while the other still dribbles its headers
    assert first == f"[1/2] {fast}: 3 new, 0 known\n"
    process.send_signal(stop)
    sent = time.monotonic()
    _, err = process.communicate(timeout=120)
    stopped_in = time.monotonic() - sent
    assert process.returncode == 0, err
    assert stopped_in < 10, f"took {stopped_in:.1f} s to stop"
    assert "Traceback" not in err
    stats = json.loads(run("stats", "--json", db=sqlite_url).stdout)
    assert stats["articles"] == 3


def test_hostile_feeds_never_stop_the_run_nor_the_feeds_after_them(
    feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path
) -> None:
    hostile = [feed_server.url(f"/hostile/{name}") for name in sorted(HOSTILE)]
    good = feed_server.url("/feeds/atom_verge_ai.xml")
    urls = [a for u in [*hostile, good] for a in ("--url", u)]
    result = run("ingest", "--config", str(loopback_config), *urls, db=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"[{len(hostile) + 1}/{len(hostile) + 1}]" in result.stderr
    assert f"{good}: 3 new, 0 known" in result.stderr
