"""The whole pipeline against a real HTTP server and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, update

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.collect.fetch import FetchPolicy
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import Article, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.pipeline.ingest import FeedReport, jobs_for, run_ingest
from dashboard.read.stats import collect_stats
from dashboard.store.engine import open_engine
from dashboard.store.schema import SCHEMA_VERSION, SchemaError, article_feeds, articles, ensure_schema, feeds, meta
from dashboard.store.write import record_fetch
from tests.feedserver import FeedHTTPServer

FIXTURE_FEEDS = [
    "rss20_techcrunch_ai.xml",
    "atom_verge_ai.xml",
    "rss10_rdf_slashdot.xml",
    "google_news_meta.xml",
    "google_news_openai.xml",
    "latin1_lemonde.xml",
    "truncated.xml",
    "jsonfeed_simon.json",
    "feedburner_origlink.xml",
    "rss091_no_dates.xml",
    "bozo_raw_ampersand.xml",
]


def specs(server: FeedHTTPServer, names: list[str]) -> list[FeedSpec]:
    return [FeedSpec(name=name, url=server.url(f"/feeds/{name}")) for name in names]


def ingest(engine: Engine, server: FeedHTTPServer, names: list[str], policy: FetchPolicy) -> dict[str, FeedReport]:
    return {r.name: r for r in run_ingest(engine, jobs_for(specs(server, names)), policy)}


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def stored_titles(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(articles.c.title)).scalars())


def test_schema_is_created_on_first_use_with_its_version(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one() == str(
            SCHEMA_VERSION
        )


def test_a_database_from_newer_code_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(meta).values(value=str(SCHEMA_VERSION + 1)))
    with pytest.raises(SchemaError, match="newer than this code"):
        ensure_schema(engine)


def test_ingesting_the_fixture_feeds_stores_each_story_once(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    reports = ingest(engine, feed_server, FIXTURE_FEEDS, policy)
    # (status, entries stored or recognised, entries skipped) per feed
    assert {name: (r.status, r.new + r.known, r.skipped) for name, r in reports.items()} == {
        "rss20_techcrunch_ai.xml": ("ok", 4, 1),
        "atom_verge_ai.xml": ("ok", 3, 0),
        "rss10_rdf_slashdot.xml": ("ok", 2, 0),
        "google_news_meta.xml": ("ok", 6, 0),
        "google_news_openai.xml": ("ok", 3, 0),
        "latin1_lemonde.xml": ("ok", 2, 0),
        "truncated.xml": ("ok", 2, 1),
        "jsonfeed_simon.json": ("ok", 2, 0),
        "feedburner_origlink.xml": ("ok", 1, 0),
        "rss091_no_dates.xml": ("ok", 2, 0),
        "bozo_raw_ampersand.xml": ("ok", 2, 0),
    }
    # Feeds finish in any order, so the three overlapping ones are checked together: TechCrunch's 4 stories,
    # Google News Meta's 6 entries (the Verge story twice, one TechCrunch story) and OpenAI's 3 (the Verge
    # story again, one TechCrunch story) are 4 + 4 + 1 = 9 distinct articles.
    overlap = ("rss20_techcrunch_ai.xml", "google_news_meta.xml", "google_news_openai.xml")
    assert sum(reports[n].new for n in overlap) == 9
    assert all(r.known == 0 for n, r in reports.items() if n not in overlap)
    assert count(engine, articles) == 9 + 16
    assert reports["truncated.xml"].warning is not None


def test_the_same_story_through_two_feeds_is_one_article_linked_to_both(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, ["rss20_techcrunch_ai.xml", "google_news_meta.xml", "google_news_openai.xml"], policy)
    with engine.connect() as conn:
        rows = conn.execute(
            select(articles.c.title, feeds.c.name)
            .join(article_feeds, article_feeds.c.article_id == articles.c.id)
            .join(feeds, feeds.c.id == article_feeds.c.feed_id)
            .where(
                articles.c.title.in_(
                    ["OpenAI raises $40B at a record valuation", "Meta's AI pivot leaves staff burned out"]
                )
            )
            .order_by(articles.c.title, feeds.c.name)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Meta's AI pivot leaves staff burned out", "google_news_meta.xml"),
        ("Meta's AI pivot leaves staff burned out", "google_news_openai.xml"),
        ("OpenAI raises $40B at a record valuation", "google_news_openai.xml"),
        ("OpenAI raises $40B at a record valuation", "rss20_techcrunch_ai.xml"),
    ]


def test_a_second_run_adds_nothing_and_uses_conditional_get(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, FIXTURE_FEEDS, policy)
    before = (count(engine, articles), count(engine, article_feeds))
    second = ingest(engine, feed_server, FIXTURE_FEEDS, policy)
    assert {r.status for r in second.values()} == {"not_modified"}
    assert sum(r.new for r in second.values()) == 0
    assert (count(engine, articles), count(engine, article_feeds)) == before


def test_a_changed_feed_without_validators_adds_only_what_is_new(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    first = ingest(engine, feed_server, ["google_news_meta.xml"], policy)["google_news_meta.xml"]
    with engine.begin() as conn:  # forget the validators so the server sends the whole feed again
        conn.execute(update(feeds).values(etag=None, last_modified=None))
    again = ingest(engine, feed_server, ["google_news_meta.xml"], policy)["google_news_meta.xml"]
    assert (first.new, first.known) == (5, 1)
    assert (again.status, again.new, again.known) == ("ok", 0, 6)


def test_failed_feeds_are_reported_with_why_and_do_not_stop_the_others(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    jobs = jobs_for(
        [
            FeedSpec("missing", feed_server.url("/status/404")),
            FeedSpec("html", feed_server.url("/feeds/html_page.html")),
            FeedSpec("empty", feed_server.url("/feeds/empty.xml")),
            FeedSpec("flaky", feed_server.url("/flaky/1/atom_verge_ai.xml")),
            FeedSpec("loop", feed_server.url("/loop/a")),
            FeedSpec("huge", feed_server.url(f"/big/{policy.max_bytes + 1}")),
            FeedSpec("good", feed_server.url("/feeds/rss10_rdf_slashdot.xml")),
        ]
    )
    reports = {r.name: r for r in run_ingest(engine, jobs, policy)}
    assert {n: (r.status, r.error, r.new) for n, r in reports.items()} == {
        "missing": ("error", "HTTP 404", 0),
        "html": ("error", "an HTML page, not a feed", 0),
        "empty": ("error", "empty response body", 0),
        "flaky": ("ok", None, 3),
        "loop": ("error", "too many redirects", 0),
        "huge": ("error", f"response too large (over {policy.max_bytes:,} bytes)", 0),
        "good": ("ok", None, 2),
    }
    stats = {f["name"]: f for f in collect_stats(engine)["feeds"]}
    assert (stats["missing"]["status"], stats["missing"]["http_status"], stats["missing"]["error"]) == (
        "error",
        404,
        "HTTP 404",
    )
    assert stats["good"]["articles"] == 2


def test_an_error_keeps_the_previous_validators(engine: Engine) -> None:
    spec = FeedSpec("f", "https://a.example/rss")
    now = datetime(2026, 11, 10, tzinfo=UTC)
    ok = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200, etag='"v1"', last_modified="x")
    record_fetch(engine, spec, ok, ParsedFeed(), now)
    failed = FetchResult(url=spec.url, status=FetchStatus.ERROR, http_status=500, error="HTTP 500")
    record_fetch(engine, spec, failed, None, now)
    with engine.connect() as conn:
        row = conn.execute(select(feeds.c.etag, feeds.c.last_status, feeds.c.last_error)).one()
    assert tuple(row) == ('"v1"', "error", "HTTP 500")


def test_a_failing_write_rolls_back_the_whole_feed(engine: Engine) -> None:
    spec = FeedSpec("f", "https://a.example/rss")
    now = datetime(2026, 11, 10, tzinfo=UTC)
    good = Article("Good", "https://a.example/1", "A", "a.example", "", now, "published")
    bad = Article("Bad", "https://a.example/2", "A", "a.example", "", now.replace(tzinfo=None), "published")
    fetched = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200, etag='"v1"')
    with pytest.raises(Exception, match="naive"):
        record_fetch(engine, spec, fetched, ParsedFeed(articles=[good, bad]), now)
    assert (count(engine, articles), count(engine, feeds)) == (0, 0)


def test_article_times_round_trip_as_utc(engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    ingest(engine, feed_server, ["atom_verge_ai.xml"], policy)
    with engine.connect() as conn:
        times = sorted(conn.execute(select(articles.c.published_at)).scalars())
    assert times == [
        datetime(2026, 11, 8, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 9, 23, 30, tzinfo=UTC),
        datetime(2026, 11, 10, 14, 15, tzinfo=UTC),
    ]


def test_stats_summarise_the_store(engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    ingest(engine, feed_server, ["atom_verge_ai.xml", "google_news_meta.xml"], policy)
    stats = collect_stats(engine)
    assert stats["articles"] == 8
    assert (stats["first_published"], stats["last_published"]) == (
        "2026-11-08T00:00:00+00:00",
        "2026-11-10T14:15:00+00:00",
    )
    assert [(f["name"], f["articles"], f["status"]) for f in stats["feeds"]] == [
        ("atom_verge_ai.xml", 3, "ok"),
        ("google_news_meta.xml", 5, "ok"),
    ]
    assert stats["sources"][0] == {"publisher": "theverge.com", "articles": 3}
    assert stats["source_count"] == 6


def test_duplicate_keys_written_concurrently_are_retried_not_doubled(engine: Engine) -> None:
    spec = FeedSpec("f", "https://a.example/rss")
    now = datetime(2026, 11, 10, tzinfo=UTC)
    story = Article("Same story", "https://a.example/1", "A", "a.example", "", now, "published")
    fetched = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200)
    assert record_fetch(engine, spec, fetched, ParsedFeed(articles=[story, story]), now).new == 1
    assert record_fetch(engine, spec, fetched, ParsedFeed(articles=[story]), now).known == 1
    assert count(engine, articles) == 1


def test_opening_twice_keeps_the_data(db_url: str) -> None:
    engine = open_engine(db_url)
    with engine.begin() as conn:
        conn.execute(insert(meta).values(key="probe", value="kept"))
    engine.dispose()
    engine = open_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(meta.c.value).where(meta.c.key == "probe")).scalar_one() == "kept"
    engine.dispose()


DATE_NOTE = "implausible date (before 1990 or in the future) replaced by the fetch time"
NOT_JSON = "not an RSS/Atom feed (JSON that does not parse: "
ROOT = Path(__file__).resolve().parent.parent
LONG_TITLE = "Meta layoffs not good but " * 15 + "Meta…"  # 395 characters: cut at the last word before 400


@pytest.mark.parametrize(
    ("name", "error", "warning", "skipped", "titles"),
    [
        ("json-date-overflow", None, DATE_NOTE, 0, ["Dated at the edge of time", "Meta cuts 600 AI jobs"]),
        ("json-items-not-a-list", "JSON Feed field 'items' is a int, not a list", None, 0, []),
        ("json-deep", NOT_JSON + "nested too deeply)", None, 0, []),
        (
            "json-huge-integer",
            NOT_JSON + "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits)",
            None,
            0,
            [],
        ),
        ("json-lone-surrogate", None, None, 0, ["Meta cuts 600 AI jobs", "Surrogate here"]),
        ("json-nul", None, None, 0, ["NUL in the title"]),
        ("json-wrong-types", None, "entry skipped (not a JSON object)", 2, ["Meta cuts 600 AI jobs"]),
        (
            "rss-nul",
            None,
            "malformed feed, entries recovered: SAXParseException: <unknown>:1:108: not well-formed (invalid token)",
            0,
            ["Raw NUL byte"],
        ),
        ("rss-long-title", None, "title over 400 characters cut", 0, [LONG_TITLE]),
        ("rss-old-dates", None, DATE_NOTE, 0, ["Dated 1900", "Dated 2026"]),
        ("rss-bidi", None, None, 0, ["Meta cuts jobs and hides it", "https://hostile.example/empty"]),
    ],
)
def test_a_hostile_feed_ends_in_clean_articles_or_its_own_error_and_the_others_are_stored(
    engine: Engine,
    feed_server: FeedHTTPServer,
    policy: FetchPolicy,
    name: str,
    error: str | None,
    warning: str | None,
    skipped: int,
    titles: list[str],
) -> None:
    jobs = jobs_for([FeedSpec(name, feed_server.url(f"/hostile/{name}")), *specs(feed_server, ["atom_verge_ai.xml"])])
    reports = {r.name: r for r in run_ingest(engine, jobs, policy)}
    assert (reports[name].error, reports[name].warning, reports[name].skipped) == (error, warning, skipped)
    assert (reports["atom_verge_ai.xml"].status, reports["atom_verge_ai.xml"].new) == ("ok", 3)
    with engine.connect() as conn:
        rows = conn.execute(
            select(articles.c.title, articles.c.summary, articles.c.publisher, articles.c.published_at)
            .join(article_feeds, article_feeds.c.article_id == articles.c.id)
            .join(feeds, feeds.c.id == article_feeds.c.feed_id)
            .where(feeds.c.name == name)
        ).all()
    assert sorted(r.title for r in rows) == titles
    assert all(r.published_at.year >= 1990 for r in rows)
    unsafe = re.compile("[\x00\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200b]")
    assert not [r for r in rows if unsafe.search(r.title + r.summary + r.publisher)]


def test_nul_bytes_are_removed_the_same_way_on_both_databases(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    reports = run_ingest(engine, jobs_for([FeedSpec("nul", feed_server.url("/hostile/json-nul"))]), policy)
    assert (reports[0].status, reports[0].new) == ("ok", 1)
    with engine.connect() as conn:
        assert conn.execute(select(articles.c.title, articles.c.summary)).one() == (
            "NUL in the title",
            "and in the summary",
        )


def test_a_feed_that_cannot_be_stored_is_that_feeds_failure_and_the_rest_are_stored(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    def broken_analysis(items: object) -> list[object]:
        raise MemoryError("no room to analyse")

    jobs = jobs_for(specs(feed_server, ["rss20_techcrunch_ai.xml"]))
    broken = Analyzer.__new__(Analyzer)
    broken.analyse_many = broken_analysis  # type: ignore[method-assign]
    [report] = run_ingest(engine, jobs, policy, analyzer=broken)
    assert (report.status, report.error) == ("error", "could not store the feed: MemoryError: no room to analyse")
    assert count(engine, articles) == 0
    assert {
        r.name: r.status for r in run_ingest(engine, jobs_for(specs(feed_server, ["atom_verge_ai.xml"])), policy)
    } == {"atom_verge_ai.xml": "ok"}


def test_a_refused_body_is_reported_and_the_next_feed_on_its_host_is_still_fetched(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    jobs = jobs_for(
        [
            FeedSpec("bomb", feed_server.url("/bomb/2/64/atom_verge_ai.xml")),
            FeedSpec("next", feed_server.url("/feeds/rss20_techcrunch_ai.xml")),
        ]
    )
    reports = {r.name: (r.status, r.error) for r in run_ingest(engine, jobs, policy)}
    assert reports == {"bomb": ("error", "response too large (over 200,000 bytes)"), "next": ("ok", None)}


def test_a_slow_feed_does_not_hold_back_storing_the_feeds_fetched_meanwhile(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    fast = f"http://localhost:{feed_server.server_address[1]}/feeds/atom_verge_ai.xml"
    jobs = jobs_for([FeedSpec("slow", feed_server.url("/dribble")), FeedSpec("fast", fast)])
    dribbling_when_stored: dict[str, int] = {}

    def stored(report: FeedReport, done: int, total: int) -> None:
        dribbling_when_stored[report.name] = feed_server.log.in_flight["127.0.0.1"]
        feed_server.release.set()  # the slow feed may end now

    with ParallelAnalyzer(Analyzer.from_config(load_config(DEFAULT_CONFIG)), workers=2) as parallel:
        reports = run_ingest(engine, jobs, replace(policy, deadline=60), progress=stored, analyzer=parallel)
    assert [r.name for r in reports] == ["fast", "slow"]
    assert dribbling_when_stored["fast"] == 1  # stored while the slow feed was still sending headers
    # Released by the storing of the fast feed, the slow one ends long before its deadline.
    assert reports[1].error is not None and "deadline" not in reports[1].error


def test_processes_opening_a_new_database_at_the_same_moment_all_succeed(db_url: str, tmp_path: Path) -> None:
    # Before the schema lock, one of two ingests started together into a new SQLite file failed about once
    # in five with "database is locked". Here four processes, modules imported, open it on one signal.
    go = tmp_path / "go"
    script = f"""
import pathlib, time
from dashboard.store.engine import open_engine
print("ready", flush=True)
while not pathlib.Path({str(go)!r}).exists():
    time.sleep(0.001)
open_engine({db_url!r}).dispose()
"""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    assert [p.stdout.readline() for p in processes if p.stdout] == ["ready\n"] * 4
    go.touch()
    failures = [p.communicate(timeout=120)[1] for p in processes if p.wait(timeout=120) != 0]
    assert failures == []
    engine = open_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar() == str(SCHEMA_VERSION)
    engine.dispose()
