"""The read side on real SQLite and PostgreSQL: filters pick exactly the right articles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine

from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import Article, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.read import queries
from dashboard.read.filters import Filters
from dashboard.read.reader import Reader
from dashboard.store.write import record_fetch

ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))
STORIES = [
    ("2026-11-01T09:00", "Meta lays off 600 in its AI unit", "Reuters"),
    ("2026-11-01T23:30", "Engineers at Meta describe burnout after 80-hour weeks", "The Verge"),
    ("2026-11-02T08:00", "OpenAI raises $40 billion at record valuation", "Reuters"),
    ("2026-11-03T12:00", "Nvidia opens new data centers in Texas", "CNBC"),
    ("2026-11-05T12:00", "Meta-analysis of remote work studies published", "Nature"),
    ("2026-10-20T12:00", "Meta shares soar after strong results", "CNBC"),
]
NOVEMBER = Filters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))


@pytest.fixture
def stored(engine: Engine) -> Reader:
    items = [
        Article(
            title,
            f"https://news.example/{i}",
            publisher,
            f"{publisher.lower().replace(' ', '')}.example",
            "",
            datetime.fromisoformat(when).replace(tzinfo=UTC),
            "published",
        )
        for i, (when, title, publisher) in enumerate(STORIES)
    ]
    spec = FeedSpec("test", "https://news.example/rss")
    fetched = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200)
    record_fetch(
        engine,
        spec,
        fetched,
        ParsedFeed(articles=items),
        datetime(2026, 11, 6, tzinfo=UTC),
        analyse=ANALYZER.analyse_many,
    )
    return Reader(engine)


def titles(frame) -> list[str]:
    return sorted(frame["title"])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, [0, 1, 2, 3, 4]),
        ({"companies": ("Meta",)}, [0, 1]),
        ({"companies": ("Meta", "OpenAI")}, [0, 1, 2]),
        ({"topics": ("burnout",)}, [1]),
        ({"topics": ("layoffs", "funding")}, [0, 2]),
        ({"q": "lays off"}, [0]),
        ({"q": "data center*"}, [3]),
        ({"q": "meta"}, [0, 1, 4]),  # a keyword is any mention, not the company rule
        ({"sources": ("Reuters",)}, [0, 2]),
        ({"date_from": date(2026, 11, 2), "date_to": date(2026, 11, 2)}, [2]),
        ({"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 1)}, [0, 1]),  # a whole UTC day
        ({"companies": ("Meta",), "topics": ("layoffs",), "sources": ("Reuters",)}, [0]),
    ],
)
def test_filters_select_exactly_the_matching_articles(
    stored: Reader, changes: dict[str, object], expected: list[int]
) -> None:
    filters = Filters(**{**NOVEMBER.__dict__, **changes})
    page, total = queries.article_page(stored, filters, size=100)
    assert titles(page) == sorted(STORIES[i][1] for i in expected)
    assert total == len(expected)
    assert queries.day_cube(stored, filters)["articles"].sum() == len(expected)
    # The company roll-up (or, with a keyword or publisher, the articles grouped alike) agrees.
    shown = list(filters.companies) or ["Meta", "OpenAI", "Nvidia"]  # the selected companies, or all
    cube = queries.company_cube(stored, filters, shown, ["layoffs", "burnout"])
    named = sum(len(ANALYZER.analyse(STORIES[i][1]).companies.keys() & set(shown)) for i in expected)
    assert cube["articles"].sum() == named


def test_company_cube_carries_each_companys_own_tone(stored: Reader) -> None:
    cube = queries.company_cube(stored, NOVEMBER, ["Meta", "OpenAI"])
    sums = cube.groupby("company")[["articles", "neg", "pos"]].sum().to_dict("index")
    assert sums == {"Meta": {"articles": 2, "neg": 2, "pos": 0}, "OpenAI": {"articles": 1, "neg": 0, "pos": 1}}


def test_the_roll_ups_and_the_articles_give_the_same_cubes(stored: Reader) -> None:
    # A publisher filter naming every publisher is answered from the articles; no filter, from the roll-ups.
    everyone = Filters(**{**NOVEMBER.__dict__, "sources": ("Reuters", "The Verge", "CNBC", "Nature")})
    for read in (
        lambda f: queries.company_cube(stored, f, ["Meta", "OpenAI", "Nvidia"], ["layoffs", "burnout", "funding"]),
        lambda f: queries.day_cube(stored, f),
    ):
        fast, slow = read(NOVEMBER), read(everyone)
        key = [c for c in fast.columns if c in ("day", "company")]
        fast, slow = (f.sort_values(key).reset_index(drop=True) for f in (fast, slow))
        pd.testing.assert_frame_equal(fast, slow, check_dtype=False)


def test_article_pages_are_sorted_and_counted(stored: Reader) -> None:
    first, total = queries.article_page(stored, NOVEMBER, sort="newest", page=1, size=2)
    second, _ = queries.article_page(stored, NOVEMBER, sort="newest", page=2, size=2)
    assert total == 5
    assert list(first["title"]) == [STORIES[4][1], STORIES[3][1]]
    assert list(second["title"]) == [STORIES[2][1], STORIES[1][1]]
    assert first["companies"].tolist() == ["", "Nvidia"]
    worst, _ = queries.article_page(stored, NOVEMBER, sort="most negative", page=1, size=1)
    assert worst["title"].tolist() == [STORIES[1][1]]


def test_bounds_publishers_and_demo_flag(stored: Reader) -> None:
    assert queries.data_bounds(stored) == (date(2026, 10, 20), date(2026, 11, 5))
    assert queries.publishers(stored) == ["CNBC", "Reuters", "Nature", "The Verge"]
    assert queries.publisher_counts(stored, NOVEMBER).to_dict("records")[0] == {"publisher": "Reuters", "articles": 2}
    assert queries.feed_counts(stored, NOVEMBER).to_dict("records") == [{"feed": "test", "articles": 5}]
    assert queries.is_demo(stored) is False


@pytest.mark.parametrize("sort", ["newest", "oldest", "most negative", "most positive"])
def test_pages_from_the_facts_match_pages_from_sql(stored: Reader, sort: str) -> None:
    # Naming every publisher sends the page through the per-article facts; no filter, through SQL.
    everyone = Filters(**{**NOVEMBER.__dict__, "sources": ("Reuters", "The Verge", "CNBC", "Nature")})
    for page in (1, 2, 3):
        by_sql, total = queries.article_page(stored, NOVEMBER, sort=sort, page=page, size=2)
        by_facts, total_facts = queries.article_page(stored, everyone, sort=sort, page=page, size=2)
        assert by_facts["id"].tolist() == by_sql["id"].tolist()
        assert total_facts == total == 5
