"""A curated part of feedparser's awkward feed corpus, served over HTTP through the whole pipeline.

The whole corpus (about 2,100 files) lives in ../shared/eval/feeds when it is beside the project; its checks
are in bench/corpus.py (``python -m bench.corpus``)."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dashboard.collect.fetch import FetchPolicy
from dashboard.collect.parse import parse_feed
from dashboard.models import FeedSpec
from dashboard.pipeline.ingest import jobs_for, run_ingest
from tests.feedserver import FeedHTTPServer

CURATED = Path(__file__).resolve().parent / "data" / "feedparser"  # 178 files of feedparser's corpus, BSD-2
FETCHED_AT = datetime(2026, 11, 11, tzinfo=UTC)


def curated_files() -> list[Path]:
    return [CURATED / path for path in curated()]


def test_every_curated_file_parses_to_articles_or_a_clear_error() -> None:
    outcomes = {"articles": 0, "nothing to store": 0, "error": 0}
    for path in curated_files():
        spec = FeedSpec(name=path.name, url=f"https://corpus.example/{path.name}")
        parsed = parse_feed(path.read_bytes(), spec, FETCHED_AT)  # must not raise
        if parsed.error:
            assert parsed.articles == [] and len(parsed.error) > 10, (path, parsed.error)
            outcomes["error"] += 1
        else:
            assert all(a.title or a.link for a in parsed.articles), path
            assert all(a.published_at.tzinfo is UTC for a in parsed.articles), path
            assert all(a.link is None or a.link.startswith(("http://", "https://")) for a in parsed.articles), path
            outcomes["articles" if parsed.articles else "nothing to store"] += 1
    assert outcomes == {"articles": 47, "nothing to store": 130, "error": 1}  # the error: an empty document


def curated() -> list[str]:
    """The curated files' paths, from the index that came with them."""
    with (CURATED / "INDEX-curated.tsv").open(encoding="utf-8") as handle:
        rows = [line for line in handle if not line.startswith("#")]
    return [row["path"] for row in csv.DictReader(rows, delimiter="\t")]


def test_the_curated_corpus_through_the_whole_pipeline_over_http(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = curated()
    assert len(paths) == 178
    served = tmp_path / "feeds"
    served.mkdir()
    names = []
    for index, rel in enumerate(paths):
        name = f"c{index:03d}{Path(rel).suffix}"
        shutil.copyfile(CURATED / rel, served / name)
        names.append(name)
    monkeypatch.setattr("tests.feedserver.FEEDS_DIR", served)
    specs = [
        FeedSpec(name=f"{i:03d} {rel}", url=feed_server.url(f"/feeds/{n}"))
        for i, (rel, n) in enumerate(zip(paths, names, strict=True))
    ]
    reports = run_ingest(engine, jobs_for(specs), policy)
    assert len(reports) == 178
    failed = [(r.name, r.error) for r in reports if r.failed]
    assert failed == [
        (
            "048 illformed/rss_empty_document.xml",
            "not an RSS/Atom feed (SAXParseException: <unknown>:6:0: no element found)",
        )
    ]
    # Figures for feedparser 6.0.14: entries stored or recognised as already stored, and entries skipped
    # for having neither title nor link (most corpus files test a single field).
    assert (sum(r.new + r.known for r in reports), sum(r.skipped for r in reports)) == (48, 66)
    assert sum(r.warning is not None for r in reports) == 26
