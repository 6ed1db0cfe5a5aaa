"""Shared fixtures: a real feed server on 127.0.0.1, and real SQLite and PostgreSQL databases."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from dashboard.collect.fetch import FetchPolicy
from dashboard.config import DEFAULT_CONFIG
from dashboard.store.engine import open_engine
from harness.postgres import TempPostgres
from tests.feedserver import FeedHTTPServer

# Tight limits so the misbehaving routes fail fast; the behaviour is the same as with the defaults.
# The test servers listen on 127.0.0.1, which a fetch refuses unless allowed.
LOOPBACK = ("127.0.0.0/8",)
FAST_POLICY = FetchPolicy(
    connect_timeout=2.0,
    read_timeout=1.0,
    deadline=5.0,
    max_bytes=200_000,
    retries=2,
    backoff=0.05,
    workers=4,
    allowed_networks=LOOPBACK,
)


@pytest.fixture
def feed_server() -> Iterator[FeedHTTPServer]:
    """A fresh feed server per test, so request logs and flaky-route counters start at zero."""
    server = FeedHTTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def policy() -> FetchPolicy:
    return FAST_POLICY


def loopback_config_text() -> str:
    """The shipped configuration, allowed to fetch from this machine (for the test servers on 127.0.0.1)."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    lexicon, events, refused = 'lexicon = "lexicon.txt"', 'events_file = "events.toml"', "\nallowed_networks = []"
    assert lexicon in text and events in text and refused in text
    text = text.replace(lexicon, f"lexicon = {json.dumps(str(DEFAULT_CONFIG.parent / 'lexicon.txt'))}")
    text = text.replace(events, f"events_file = {json.dumps(str(DEFAULT_CONFIG.parent / 'events.toml'))}")
    return text.replace(refused, '\nallowed_networks = ["127.0.0.0/8"]')


@pytest.fixture(scope="session")
def loopback_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config file for commands that ingest from the test servers."""
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(loopback_config_text(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server for the whole run: TEST_POSTGRES_URL, or a throwaway one we start."""
    if url := os.environ.get("TEST_POSTGRES_URL"):
        yield url
        return
    server = TempPostgres()
    try:
        yield server.start()
    finally:
        server.stop()


def _fresh_postgres_database(server_url: str) -> tuple[str, Engine]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return server_url.rsplit("/", 1)[0] + f"/{name}", admin


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once for SQLite and once for a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'news.db'}"
        return
    url, admin = _fresh_postgres_database(request.getfixturevalue("postgres_server"))
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An opened engine with the schema created, on each database kind."""
    engine = open_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An SQLite database file in the test's own folder."""
    return f"sqlite:///{tmp_path / 'news.db'}"
