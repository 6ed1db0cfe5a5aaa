"""The placeholder page through Streamlit's own test runner, on an empty and on a filled database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ingest import jobs_for, run_ingest
from dashboard.models import FeedSpec
from dashboard.store import open_engine
from tests.conftest import FAST_POLICY
from tests.feedserver import FeedHTTPServer

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_an_empty_database_says_how_to_fill_it(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "python -m dashboard ingest" in at.info[0].value


def test_a_filled_database_shows_counts_and_feeds(
    sqlite_url: str, feed_server: FeedHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_engine(sqlite_url)
    run_ingest(engine, jobs_for([FeedSpec("Meta", feed_server.url("/feeds/google_news_meta.xml"))]), FAST_POLICY)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["5", "1", "5"]
    assert list(at.dataframe[0].value["name"]) == ["Meta"]
