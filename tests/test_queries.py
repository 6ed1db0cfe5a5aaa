"""The read side on real SQLite and PostgreSQL: filters pick exactly the right articles."""

from __future__ import annotations

from dataclasses import replace
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


# One story run by three outlets (two wordings), a second story, and same-day other news about Meta.
COPIES = [
    ("2026-11-10T08:00", "Meta cuts 600 jobs in its AI unit", "Reuters"),
    ("2026-11-10T09:30", "Meta cuts 600 jobs in its AI unit", "Yahoo Finance"),
    ("2026-11-10T11:00", "UPDATE 1-Meta cuts 600 jobs in its AI unit, memo shows", "CNBC"),
    ("2026-11-10T12:00", "Meta hires 50 AI researchers from OpenAI", "The Information"),
    ("2026-11-11T07:00", "OpenAI raises $40 billion at a record valuation", "Reuters"),
]


@pytest.fixture
def syndicated(engine: Engine) -> Reader:
    items = [
        Article(
            title,
            f"https://news.example/c{i}",
            publisher,
            f"{publisher.lower().replace(' ', '')}.example",
            "",
            datetime.fromisoformat(when).replace(tzinfo=UTC),
            "published",
        )
        for i, (when, title, publisher) in enumerate(COPIES)
    ]
    spec = FeedSpec("copies", "https://news.example/rss")
    fetched = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200)
    record_fetch(
        engine,
        spec,
        fetched,
        ParsedFeed(articles=items),
        datetime(2026, 11, 12, tzinfo=UTC),
        analyse=ANALYZER.analyse_many,
    )
    return Reader(engine)


@pytest.mark.parametrize(
    ("count", "changes", "total", "meta"),
    [
        ("stories", {}, 3, 2),  # the job cuts once, however many outlets ran them
        ("articles", {}, 5, 4),
        ("stories", {"q": "jobs"}, 1, 1),
        ("articles", {"q": "jobs"}, 3, 3),
        ("stories", {"sources": ("Yahoo Finance",)}, 1, 1),  # a story any of whose articles the filter picks
        ("stories", {"topics": ("layoffs",)}, 1, 1),
    ],
)
def test_counts_are_of_stories_unless_articles_are_asked_for(
    syndicated: Reader, count: str, changes: dict[str, object], total: int, meta: int
) -> None:
    filters = replace(NOVEMBER, count=count, **changes)
    assert queries.day_cube(syndicated, filters)["articles"].sum() == total
    cube = queries.company_cube(syndicated, filters, ["Meta"])
    assert cube["articles"].sum() == meta


def test_a_story_votes_once_with_the_mean_tone_of_its_copies(syndicated: Reader) -> None:
    by_article = queries.company_cube(syndicated, replace(NOVEMBER, count="articles"), ["Meta"])
    by_story = queries.company_cube(syndicated, NOVEMBER, ["Meta"])
    tones = [ANALYZER.analyse(t).companies["Meta"].tone.compound for _, t, _ in COPIES[:4]]
    assert by_article["tone_sum"].sum() == pytest.approx(sum(tones))
    assert by_story["tone_sum"].sum() == pytest.approx(sum(tones[:3]) / 3 + tones[3])


@pytest.mark.parametrize("count", ["stories", "articles"])
def test_the_story_roll_ups_and_the_story_facts_give_the_same_cubes(syndicated: Reader, count: str) -> None:
    plain = replace(NOVEMBER, count=count)
    everyone = replace(plain, sources=("Reuters", "Yahoo Finance", "CNBC", "The Information"))
    for read in (
        lambda f: queries.company_cube(syndicated, f, ["Meta", "OpenAI"], ["layoffs", "funding"]),
        lambda f: queries.day_cube(syndicated, f),
    ):
        fast, slow = read(plain), read(everyone)
        key = [c for c in fast.columns if c in ("day", "company")]
        fast, slow = (f.sort_values(key).reset_index(drop=True) for f in (fast, slow))
        pd.testing.assert_frame_equal(fast, slow, check_dtype=False)


@pytest.mark.parametrize("sort", ["newest", "oldest", "most negative", "most positive", "largest"])
def test_story_lists_give_one_row_per_story_with_its_outlets_from_sql_and_from_the_facts(
    syndicated: Reader, sort: str
) -> None:
    everyone = replace(NOVEMBER, sources=("Reuters", "Yahoo Finance", "CNBC", "The Information"))
    by_sql, total = queries.story_page(syndicated, NOVEMBER, sort=sort)
    by_facts, total_facts = queries.story_page(syndicated, everyone, sort=sort)
    assert by_facts["id"].tolist() == by_sql["id"].tolist() and total == total_facts == 3
    cuts = by_sql[by_sql["title"] == COPIES[0][1]].iloc[0]
    assert (cuts["publisher"], cuts["outlets"], cuts["articles"]) == ("Reuters", 3, 3)
    assert cuts["published_at"] == pd.Timestamp("2026-11-10T08:00", tz="UTC")
    copies = queries.story_copies(syndicated, int(cuts["id"]))
    assert copies["publisher"].tolist() == ["Reuters", "Yahoo Finance", "CNBC"]
    if sort == "largest":
        assert by_sql["title"].tolist()[0] == COPIES[0][1]


def test_a_story_summary_counts_stories_articles_and_outlets_and_names_the_largest(syndicated: Reader) -> None:
    meta = replace(NOVEMBER, companies=("Meta",))
    n_stories, n_articles, n_outlets, largest = queries.story_summary(syndicated, meta, (date(2026, 11, 10),) * 2)
    assert (n_stories, n_articles, n_outlets) == (2, 4, 4)
    assert largest["title"].tolist() == [COPIES[0][1], COPIES[3][1]]
    keyword = replace(meta, q="jobs")
    assert queries.story_summary(syndicated, keyword, (date(2026, 11, 10),) * 2)[:3] == (1, 3, 3)
