"""Kill an ingest with SIGKILL at several moments, run it again, and compare with an uninterrupted run."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dashboard.store.engine import open_engine
from dashboard.store.schema import article_feeds, articles, feeds, rollup_story_day
from dashboard.store.schema import stories as stories_table
from tests.feedserver import FeedHTTPServer
from tests.test_ingest import FIXTURE_FEEDS

ROOT = Path(__file__).resolve().parent.parent


def feed_urls(server: FeedHTTPServer) -> list[str]:
    """Slow small feeds and large ones, so a kill lands between feeds and inside long transactions; the last
    small feed waits on the server's gate, so while it is closed the ingest cannot finish before the kill."""
    *slow, gated = FIXTURE_FEEDS
    urls = [server.url(f"/slow/0.15/{name}") for name in slow] + [server.url(f"/gated/{gated}")]
    port = server.server_address[1]
    urls += [f"http://localhost:{port}/many/1500/{tag}" for tag in ("alpha", "beta")]
    return urls


def ingest_command(db_url: str, urls: list[str], config: Path) -> list[str]:
    urls_args = (a for u in urls for a in ("--url", u))
    return [sys.executable, "-m", "dashboard", "ingest", "--db", db_url, "--config", str(config), *urls_args]


Snapshot = tuple[int, list[tuple[object, ...]], list[tuple[str, str]], list[tuple[str, ...]]]


def snapshot(engine: Engine) -> Snapshot:
    """Everything an ingest stores, independent of row ids."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                articles.c.title,
                articles.c.link,
                articles.c.publisher,
                articles.c.published_from,
                articles.c.published_at,
            )
        ).all()
        # Undated entries are timed at fetch, which differs between runs by nature.
        stored = sorted((*r[:4], None if r.published_from == "fetched" else r.published_at) for r in rows)
        links = sorted(
            (t, n)
            for t, n in conn.execute(
                select(articles.c.title, feeds.c.name)
                .join(article_feeds, article_feeds.c.article_id == articles.c.id)
                .join(feeds, feeds.c.id == article_feeds.c.feed_id)
            )
        )
        total = conn.execute(select(func.count()).select_from(articles)).scalar_one()
        by_story: dict[int, list[str]] = {}
        for story, title in conn.execute(select(articles.c.story_id, articles.c.title)):
            by_story.setdefault(story, []).append(title)
        stories = sorted(tuple(sorted(titles)) for titles in by_story.values())
        story_rows = conn.execute(select(func.count(), func.sum(stories_table.c.articles))).one()
        counted = conn.execute(select(func.sum(rollup_story_day.c.stories))).scalar()
    # Every article is in exactly one story, and the story roll-ups count each story once.
    assert tuple(story_rows) == (len(stories), total) and counted == len(stories)
    return total, stored, links, stories


def committed_feeds(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(feeds).where(feeds.c.last_fetch_at.is_not(None))
        ).scalar_one()


@pytest.fixture(scope="module")
def crash_server() -> Iterator[FeedHTTPServer]:
    """One server for the module, so every case fetches the same URLs as the reference run."""
    server = FeedHTTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def reference(
    crash_server: FeedHTTPServer, tmp_path_factory: pytest.TempPathFactory, loopback_config: Path
) -> Snapshot:
    """What an uninterrupted ingest of the same feeds stores."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}"
    command = ingest_command(url, feed_urls(crash_server), loopback_config)
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
    engine = open_engine(url)
    expected = snapshot(engine)
    engine.dispose()
    return expected


def test_the_reference_run_stored_every_article(reference: Snapshot) -> None:
    assert reference[0] == 25 + 2 * 1500


@pytest.mark.parametrize("kill_after_feeds", [1, 4, 8])
def test_a_killed_ingest_then_rerun_equals_an_uninterrupted_one(
    db_url: str, crash_server: FeedHTTPServer, reference: Snapshot, kill_after_feeds: int, loopback_config: Path
) -> None:
    urls = feed_urls(crash_server)
    engine = open_engine(db_url)
    crash_server.gate.clear()
    try:
        process = subprocess.Popen(
            ingest_command(db_url, urls, loopback_config),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while committed_feeds(engine) < kill_after_feeds and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        crash_server.gate.set()
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert committed_feeds(engine) >= kill_after_feeds, "the ingest never reached the kill point"
    interrupted = snapshot(engine)
    assert 0 < interrupted[0] < reference[0]

    subprocess.run(
        ingest_command(db_url, urls, loopback_config), cwd=ROOT, check=True, capture_output=True, timeout=300
    )
    assert snapshot(engine) == reference
    engine.dispose()
