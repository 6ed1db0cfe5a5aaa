"""Analysis stored with each article, rescoring, the v1 -> v2 migration, and the score/explain/rescore commands."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, func, inspect, select, text, update

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.entities import CompanyMatcher, CompanyRule
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.collect.fetch import FetchPolicy
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import FeedSpec
from dashboard.pipeline.ingest import jobs_for, run_ingest
from dashboard.pipeline.rescore import rescore
from dashboard.read.filters import Filters
from dashboard.read.queries import story_page
from dashboard.read.reader import Reader
from dashboard.store.engine import open_engine
from dashboard.store.schema import (
    SCHEMA_VERSION,
    article_companies,
    article_topics,
    articles,
    label_bits,
    meta,
    rollup_company,
    rollup_day,
    story_companies,
    story_keys,
)
from tests.feedserver import FeedHTTPServer

ROOT = Path(__file__).resolve().parent.parent
ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))


def ingest(engine: Engine, server: FeedHTTPServer, names: list[str], policy: FetchPolicy) -> None:
    specs = [FeedSpec(n, server.url(f"/feeds/{n}")) for n in names]
    run_ingest(engine, jobs_for(specs), policy, analyzer=ANALYZER)


def company_rows(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return sorted(
            (r.title, r.company, r.tone_label)
            for r in conn.execute(
                select(articles.c.title, article_companies.c.company, article_companies.c.tone_label).join(
                    article_companies, article_companies.c.article_id == articles.c.id
                )
            )
        )


def test_ingest_stores_tone_companies_and_topics_with_each_new_article(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, ["rss20_techcrunch_ai.xml"], policy)
    with engine.connect() as conn:
        tones = dict(conn.execute(select(articles.c.title, articles.c.tone_label)).all())
        topics = sorted(tuple(r) for r in conn.execute(select(article_topics.c.topic, article_topics.c.mentions)))
    assert tones == {
        "OpenAI raises $40B at a record valuation": "pos",
        "Meta\u2019s AI researchers describe burnout after months of 80-hour weeks": "neg",
        "Nvidia's Blackwell chips sell out through 2027": "pos",  # demand beyond supply
        "A link that must never be followed": "neu",
    }
    assert company_rows(engine) == [
        ("Meta\u2019s AI researchers describe burnout after months of 80-hour weeks", "Meta", "neg"),
        ("Nvidia's Blackwell chips sell out through 2027", "Nvidia", "pos"),
        ("OpenAI raises $40B at a record valuation", "OpenAI", "pos"),
    ]
    assert topics == [("burnout", 2), ("compute", 2), ("funding", 2), ("safety", 1)]  # "Superintelligence Labs"


def test_ingest_with_workers_stores_what_the_analyzer_says_of_each_new_article(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    names = ["rss20_techcrunch_ai.xml", "google_news_meta.xml", "google_news_openai.xml", "atom_verge_ai.xml"]
    with ParallelAnalyzer(ANALYZER, workers=2) as parallel:
        run_ingest(
            engine, jobs_for([FeedSpec(n, feed_server.url(f"/feeds/{n}")) for n in names]), policy, analyzer=parallel
        )
    with engine.connect() as conn:
        stored = conn.execute(select(articles.c.id, articles.c.title, articles.c.summary, articles.c.tone)).all()
        companies = {(r.article_id, r.company, r.tone) for r in conn.execute(select(article_companies))}
        topics = {(r.article_id, r.topic, r.mentions) for r in conn.execute(select(article_topics))}
    expected = {row.id: ANALYZER.analyse(row.title, row.summary) for row in stored}
    assert len(stored) == 12
    assert {row.id: row.tone for row in stored} == {i: a.tone.compound for i, a in expected.items()}
    assert companies == {(i, name, c.tone.compound) for i, a in expected.items() for name, c in a.companies.items()}
    assert topics == {(i, name, n) for i, a in expected.items() for name, n in a.topics.items()}
    assert len(companies) > 5 and len(topics) > 5


def test_rescore_applies_changed_rules_to_everything_stored(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, ["rss20_techcrunch_ai.xml", "atom_verge_ai.xml"], policy)
    before = company_rows(engine)
    rules = [*load_config(DEFAULT_CONFIG).company_rules(), CompanyRule("Superintelligence Labs", ("MSL",), (), ())]
    changed = Analyzer(CompanyMatcher(rules), ANALYZER.topics, ANALYZER.scorer)
    progress: list[tuple[int, int]] = []
    assert rescore(engine, changed.analyse_many, batch_size=3, progress=lambda d, t: progress.append((d, t))) == 7
    assert progress == [(3, 7), (6, 7), (7, 7)]
    after = company_rows(engine)
    assert set(before) < set(after)
    assert [r for r in after if r not in before] == [
        ("Meta\u2019s AI researchers describe burnout after months of 80-hour weeks", "Superintelligence Labs", "neg")
    ]
    assert rescore(engine, changed.analyse_many) == 7
    assert company_rows(engine) == after  # rescoring twice changes nothing


def test_a_version_1_database_is_migrated_and_keeps_its_articles(
    db_url: str, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    engine = open_engine(db_url)
    ingest(engine, feed_server, ["atom_verge_ai.xml"], policy)
    with engine.begin() as conn:  # turn it back into a version 1 database
        downgrade_to_version_2(conn)
        conn.execute(text("DROP TABLE article_companies"))
        conn.execute(text("DROP TABLE article_topics"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN tone"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN tone_label"))
        conn.execute(meta.update().values(value="1"))
    engine.dispose()
    engine = open_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one() == str(
            SCHEMA_VERSION
        )
        assert conn.execute(select(func.count(), func.count(articles.c.tone)).select_from(articles)).one() == (3, 0)
    assert rescore(engine, ANALYZER.analyse_many) == 3
    with engine.connect() as conn:
        assert conn.execute(select(func.count(articles.c.tone))).scalar_one() == 3
    engine.dispose()


def downgrade_to_version_5(conn: Connection) -> None:
    """Undo version 6: no language on articles, every company row with a tone, no count of toned rows."""
    conn.execute(text("ALTER TABLE articles DROP COLUMN language"))
    for table in ("rollup_company", "story_companies", "rollup_story_company"):
        conn.execute(text(f"ALTER TABLE {table} DROP COLUMN toned"))
    conn.execute(meta.update().values(value="5"))


def test_a_version_5_database_counts_the_toned_company_rows_and_learns_languages_on_rescore(
    db_url: str, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    engine = open_engine(db_url)
    ingest(engine, feed_server, ["rss20_techcrunch_ai.xml"], policy)
    with engine.begin() as conn:
        downgrade_to_version_5(conn)
    engine.dispose()
    engine = open_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count(articles.c.language))).scalar_one() == 0  # unknown until rescored
        for table, counted in ((rollup_company, "articles"), (story_companies, "articles")):
            rows = conn.execute(select(table.c[counted], table.c.toned)).all()
            assert rows and all(n == toned for n, toned in rows)
        named = conn.execute(select(func.count(), func.count(article_companies.c.tone))).one()
    assert named[0] == named[1] > 0
    assert rescore(engine, ANALYZER.analyse_many) == 4
    with engine.connect() as conn:
        assert set(conn.execute(select(articles.c.language)).scalars()) == {"en"}
    engine.dispose()


def downgrade_to_version_4(conn: Connection) -> None:
    """Undo versions 6 and 5: the story index on the story alone."""
    downgrade_to_version_5(conn)
    conn.execute(text("DROP INDEX ix_articles_story"))
    conn.execute(text("CREATE INDEX ix_articles_story ON articles (story_id)"))
    conn.execute(meta.update().values(value="4"))


def test_a_version_4_database_gets_the_story_index_that_holds_each_copys_time_and_publisher(
    db_url: str, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    engine = open_engine(db_url)
    ingest(engine, feed_server, ["google_news_story_meta.xml", "google_news_story_layoffs.xml"], policy)
    everything = Filters(date_from=date(2000, 1, 1), date_to=date(2100, 1, 1))
    expected, _ = story_page(Reader(engine), everything)
    with engine.begin() as conn:
        downgrade_to_version_4(conn)
    engine.dispose()
    engine = open_engine(db_url)
    [index] = [i for i in inspect(engine).get_indexes("articles") if i["name"] == "ix_articles_story"]
    assert index["column_names"] == ["story_id", "published_at", "id", "publisher"]
    rows, _ = story_page(Reader(engine), everything)
    pd.testing.assert_frame_equal(rows, expected)
    assert (len(rows), rows["articles"].sum(), rows["outlets"].max()) == (6, 9, 3)
    engine.dispose()


@pytest.mark.parametrize(
    "version",
    [8, 9],
    ids=["version 8 keyed bands without figures", "version 9 keyed bands without their week"],
)
def test_an_older_database_has_its_stories_redone_under_the_current_band_keys(
    db_url: str, feed_server: FeedHTTPServer, policy: FetchPolicy, version: int
) -> None:
    engine = open_engine(db_url)
    ingest(engine, feed_server, ["google_news_story_meta.xml", "google_news_story_layoffs.xml"], policy)
    with engine.connect() as conn:
        keys = sorted(conn.execute(select(story_keys)).all())
        story_of = dict(conn.execute(select(articles.c.id, articles.c.story_id)).all())
    with engine.begin() as conn:  # the keys an older version stored differ from the current ones
        conn.execute(update(story_keys).values(key=story_keys.c.key + 1))
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(version)))
    engine.dispose()
    engine = open_engine(db_url)
    with engine.connect() as conn:
        assert sorted(conn.execute(select(story_keys)).all()) == keys
        assert dict(conn.execute(select(articles.c.id, articles.c.story_id)).all()) == story_of
        assert conn.execute(select(meta.c.value).where(meta.c.key == "stories")).scalar() is None
    assert len(keys) > 100 and len(set(story_of.values())) < len(story_of)
    engine.dispose()


def downgrade_to_version_3(conn: Connection) -> None:
    """Remove what version 4 added: stories, their keys, roll-ups and Google tokens, and each article's story."""
    downgrade_to_version_5(conn)
    for table in (
        "article_tokens",
        "story_keys",
        "story_companies",
        "stories",
        "rollup_story_day",
        "rollup_story_company",
    ):
        conn.execute(text(f"DROP TABLE {table}"))
    conn.execute(text("DROP INDEX IF EXISTS ix_articles_story"))
    conn.execute(text("ALTER TABLE articles DROP COLUMN story_id"))
    conn.execute(meta.delete().where(meta.c.key != "schema_version"))
    conn.execute(meta.update().values(value="3"))


def downgrade_to_version_2(conn: Connection) -> None:
    """Remove what versions 3 and 4 added: roll-ups, bit sets, the day column, the full-text index, stories."""
    downgrade_to_version_3(conn)
    for table in ("rollup_day", "rollup_company", "label_bits"):
        conn.execute(text(f"DROP TABLE {table}"))
    if conn.dialect.name == "sqlite":
        for trigger in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
            conn.execute(text(f"DROP TRIGGER {trigger}"))
        conn.execute(text("DROP TABLE articles_fts"))
    else:
        conn.execute(text("ALTER TABLE articles DROP COLUMN search"))
    for column in ("day", "company_mask", "topic_mask"):
        conn.execute(text(f"ALTER TABLE articles DROP COLUMN {column}"))
    conn.execute(meta.delete().where(meta.c.key != "schema_version"))
    conn.execute(meta.update().values(value="2"))


def test_a_version_2_database_gets_roll_ups_and_the_index_from_its_stored_analysis(
    db_url: str, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    engine = open_engine(db_url)
    ingest(engine, feed_server, ["atom_verge_ai.xml", "google_news_meta.xml"], policy)
    expected = cubes(engine)
    hits = sorted(Reader(engine).keyword_ids("meta").tolist())
    with engine.begin() as conn:
        downgrade_to_version_2(conn)
    engine.dispose()
    engine = open_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one() == str(
            SCHEMA_VERSION
        )
    assert cubes(engine) == expected
    assert sorted(Reader(engine).keyword_ids("meta").tolist()) == hits and hits
    engine.dispose()


def cubes(engine: Engine) -> tuple[object, object]:
    """Both roll-ups as plain sorted rows, bit sets spelled as names (a migration may number bits anew)."""
    with engine.connect() as conn:
        day = conn.execute(select(rollup_day)).all()
        company = conn.execute(select(rollup_company)).all()
        bits = {(row.kind, row.value): row.name for row in conn.execute(select(label_bits))}

    def names(kind: str, mask: int) -> tuple[str, ...]:
        return tuple(sorted(bits[(kind, 1 << b)] for b in range(63) if mask >> b & 1))

    return (
        sorted(
            (
                str(r.day),
                names("company", r.company_mask),
                names("topic", r.topic_mask),
                r.articles,
                round(r.tone_sum, 6),
            )
            for r in day
        ),
        sorted(
            (str(r.day), r.company, names("topic", r.topic_mask), r.articles, round(r.tone_sum, 6)) for r in company
        ),
    )


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120
    )


def test_score_reads_json_lines_and_answers_each_one() -> None:
    lines = [
        {"text": "Meta lays off 600 AI staff as burnout spreads; OpenAI hires"},
        {"title": "Nvidia shares soar to a record", "summary": "Blackwell GPUs sell out."},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + '\nnot json\n\n{"text": 5}\n'
    result = run("score", stdin=stdin)
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["companies"] == ["Meta", "OpenAI"]
    assert out[0]["topics"] == {"burnout": 1, "layoffs": 1, "talent": 1}
    assert out[0]["sentiment"]["label"] == "neg"
    assert out[0]["company_sentiment"]["Meta"]["label"] == "neg"
    assert out[0]["company_sentiment"]["OpenAI"]["label"] != "neg"
    assert (out[1]["companies"], out[1]["sentiment"]["label"]) == (["Nvidia"], "pos")
    assert out[2] == {"error": "not JSON: Expecting value at column 1", "line": 3}
    assert out[3] == {"error": "field 'text' must be a string", "line": 5}
    assert len(out) == 4


def test_score_gives_the_tone_toward_any_named_target_and_null_for_one_not_named() -> None:
    lines = [
        {"text": "Meta lays off 600 AI staff as burnout spreads; OpenAI hires", "targets": ["OpenAI", "Meta"]},
        {"title": "HSBC's profit plunges. Tata Motors soars to a record", "targets": ["Tata Motors", "HSBC", "Apple"]},
        {"title": "Tata-backed startup raises $40m", "targets": ["tata"]},
        {"title": "Nvidia shares soar", "targets": "Nvidia"},
        {"title": "Nvidia shares soar", "targets": [""]},
    ]
    result = run("score", stdin="\n".join(json.dumps(line) for line in lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    # A target that is also a configured company gets the company's tone: one rule, one function.
    assert out[0]["target_sentiment"] == {name: out[0]["company_sentiment"][name] for name in ("OpenAI", "Meta")}
    toward = out[1]["target_sentiment"]
    assert (toward["HSBC"]["label"], toward["Tata Motors"]["label"], toward["Apple"]) == ("neg", "pos", None)
    assert out[2]["target_sentiment"]["tata"] == out[2]["sentiment"]  # found hyphenated, in any case
    assert out[3] == {"error": "field 'targets' must be a list of names", "line": 4}
    assert out[4] == {"error": "field 'targets' must be a list of names", "line": 5}


def test_explain_prints_the_words_behind_a_score() -> None:
    result = run("explain", "Google is NOT fined, but the antitrust probe continues!")
    assert result.returncode == 0
    assert "Why this scores -0.66" in result.stdout
    assert "negated by 'not'" in result.stdout and "competition-law trouble" in result.stdout
    as_json = json.loads(run("explain", "--json", "Meta lays off 600").stdout)
    assert as_json["contributions"][0]["word"] == "lays off"


def test_rescore_command_reports_progress(feed_server: FeedHTTPServer, sqlite_url: str, loopback_config: Path) -> None:
    url = feed_server.url("/feeds/google_news_meta.xml")
    run("ingest", "--db", sqlite_url, "--config", str(loopback_config), "--url", url)
    result = run("rescore", "--db", sqlite_url, "--batch", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()  # at most one line a second, and always the last
    assert lines[0] == "rescored 2 of 5 articles"
    assert lines[-1] == "rescored 5 of 5 articles"
    assert result.stdout.startswith("rescored 5 articles in ")
