"""Only English gets an English tone: each article's language is detected, stored and filterable, and an
article in another language keeps its companies and topics but has no tone, never a 0 or a neutral one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bench.evalsets import read_challenge, read_foreign_headlines
from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.language import LanguageDetector
from dashboard.collect.fetch import FetchPolicy
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import FeedSpec
from dashboard.pipeline.ingest import jobs_for, run_ingest
from dashboard.read import queries
from dashboard.read.filters import Filters, parse_params
from dashboard.read.reader import Reader
from dashboard.store.schema import article_companies, articles, rollup_company
from tests.feedserver import FeedHTTPServer

ROOT = Path(__file__).resolve().parent.parent
ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))
DETECTOR = LanguageDetector()
FOREIGN = read_foreign_headlines()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("iPhone XR: Die 10 wichtigsten Testergebnisse", "de"),
        ("Meta supprime 600 postes dans sa division d'intelligence artificielle", "fr"),
        ("メタ、AI部門で600人を削減", "ja"),
        ("Nvidia soars as Intel sinks", "en"),
        ("IBM buys HashiCorp for $6.4 billion", "en"),  # mostly names: unsure, so English
        ("2026", "en"),
    ],
)
def test_the_language_of_a_headline(text: str, language: str) -> None:
    assert DETECTOR.detect(text) == language


def test_no_english_headline_of_the_challenge_set_loses_its_tone() -> None:
    assert [h.text for h in read_challenge() if DETECTOR.detect(h.text) != "en"] == []


def test_foreign_headlines_are_told_apart_but_for_two_full_of_english_words() -> None:
    read_as_english = [text for _, text in FOREIGN if DETECTOR.detect(text) == "en"]
    assert len(FOREIGN) == 87
    assert read_as_english == ["Red Dead Redemption 2 im Test", "Microsoft investe miliardi in data center in Italia"]


def test_an_article_in_another_language_keeps_its_companies_and_has_no_tone() -> None:
    analysis = ANALYZER.analyse("Meta entlässt 600 Mitarbeiter", "Der Konzern von Mark Zuckerberg baut um.")
    assert (analysis.language, analysis.tone) == ("de", None)
    assert {name: (c.mentions, c.tone) for name, c in analysis.companies.items()} == {"Meta": (2, None)}
    assert ANALYZER.toward_targets(["Meta"], title="Meta entlässt 600 Mitarbeiter") == {"Meta": None}


def test_score_says_the_language_and_gives_no_tone_for_a_german_headline() -> None:
    line = json.dumps({"title": "iPhone XR: Die 10 wichtigsten Testergebnisse", "targets": ["Apple"]})
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "score"], input=line, capture_output=True, text=True, cwd=ROOT, check=True
    )
    out = json.loads(done.stdout)
    assert (out["language"], out["sentiment"], out["target_sentiment"]) == ("de", None, {"Apple": None})


@pytest.fixture()
def stored(engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy) -> Engine:
    specs = [FeedSpec("heise", feed_server.url("/feeds/rss20_heise_de.xml"))]
    run_ingest(engine, jobs_for(specs), policy, analyzer=ANALYZER)
    return engine


def test_the_store_keeps_each_articles_language_and_no_tone_where_there_is_none(stored: Engine) -> None:
    with stored.connect() as conn:
        rows = sorted(conn.execute(select(articles.c.language, articles.c.tone_label)).all(), key=str)
        companies = sorted(
            conn.execute(select(article_companies.c.company, article_companies.c.tone_label)).all(), key=str
        )
        meta = conn.execute(
            select(func.sum(rollup_company.c.articles), func.sum(rollup_company.c.toned)).where(
                rollup_company.c.company == "Meta"
            )
        ).one()
    assert rows == [("de", None), ("de", None), ("de", None), ("en", "neg")]
    assert companies == [("Apple", None), ("Meta", "neg"), ("Meta", None)]
    assert tuple(meta) == (2, 1)  # both count in Meta's volume, one in its tone


@pytest.mark.parametrize(("lang", "titles"), [("de", 3), ("en", 1), (None, 4)])
def test_the_link_filters_by_language(stored: Engine, lang: str | None, titles: int) -> None:
    params = {"from": ["2026-11-01"], "to": ["2026-11-30"], "count": ["articles"]} | ({"lang": [lang]} if lang else {})
    filters = parse_params(params, companies=["Meta", "Apple"], topics=[])
    assert filters.langs == ((lang,) if lang else ())
    page, total = queries.article_page(Reader(stored), filters)
    assert total == len(page) == titles


def test_a_mean_tone_toward_a_company_counts_only_its_articles_with_a_tone(stored: Engine) -> None:
    filters = Filters(companies=("Meta",), date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), count="articles")
    cube = queries.company_cube(Reader(stored), filters, ["Meta"])
    assert (int(cube["articles"].sum()), int(cube["toned"].sum())) == (2, 1)
    assert float(cube["tone_sum"].sum()) == pytest.approx(-0.4588)


def test_an_unknown_language_in_the_link_is_dropped_with_a_note() -> None:
    filters = parse_params({"lang": ["xx", "DE"]}, companies=[], topics=[])
    assert filters.langs == ("de",)
    assert filters.notes == ("ignored lang='xx': not one of the known values",)


def test_the_article_list_says_no_tone_rather_than_showing_a_number(stored: Engine) -> None:
    from dashboard.ui.pages import _plain

    filters = Filters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), count="articles")
    page, _ = queries.article_page(Reader(stored), filters, sort="oldest")
    shown = _plain(page)
    assert list(shown["language"]) == ["en", "de: no tone", "de: no tone", "de: no tone"]
    assert shown["tone"].isna().tolist() == [False, True, True, True]
