"""Free keywords through the full-text index mean exactly what the topic matcher's pattern means."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from dashboard.analyse.terms import keyword_regex
from dashboard.models import Article, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.read.reader import Reader
from dashboard.store.search import fts5_query, index_parts, is_exact, tsquery
from dashboard.store.write import record_fetch

TEXTS = [
    ("Meta's AI push leaves staff burned-out", ""),
    ("OpenAI-backed startup raises funds", "The round values it at $2 billion."),
    ("GPU_cluster logs leak", "Nothing else."),
    ("The GPUs arrive at last", "A new data center opens."),
    ("Café owners use chatbots", ""),
    ("Staff burned, out of options", ""),
    ("Firm cuts 1,000 jobs", "Job cuts widen."),
    ("Resignations pile up at the lab", ""),
    ("Metaverse plans shelved", "Metadata leak."),
    ("Data centers strain grids", ""),
    ("EU passes the AI_Act text", ""),
    ("Said the chairman", ""),
    ("Layoffs hit three companies", "A company-wide memo."),
    ("Staff laid off", "The offs and ons of it."),
]
KEYWORDS = [
    "meta",
    "openai",
    "gpu",
    "gpu*",
    "gpu_cluster",
    "café",
    "burned out",
    "resign*",
    "cut|cuts # jobs",
    "data center*",
    "meta's",
    "act",
    "ai",
    "#",
    "job cuts",
    "GPU",
    '"GPU"',
    "layoff",
    "company",
    "data center",
    '"laid off"',
    '"data center*"',
]


@pytest.fixture
def stored(engine: Engine) -> dict[str, int]:
    items = [
        Article(
            title,
            f"https://news.example/{i}",
            "Example",
            "example.test",
            summary,
            datetime(2026, 11, 1, 9, tzinfo=UTC),
            "published",
        )
        for i, (title, summary) in enumerate(TEXTS)
    ]
    spec = FeedSpec("search", "https://news.example/rss")
    fetched = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200)
    record_fetch(engine, spec, fetched, ParsedFeed(articles=items), datetime(2026, 11, 2, tzinfo=UTC))
    return {title: i + 1 for i, (title, _) in enumerate(TEXTS)}


@pytest.mark.parametrize("keyword", KEYWORDS)
def test_the_index_finds_exactly_what_the_pattern_matches(engine: Engine, stored: dict[str, int], keyword: str) -> None:
    pattern = keyword_regex(keyword)
    expected = sorted(stored[t] for t, s in TEXTS if pattern.search(t) or pattern.search(s))
    assert sorted(Reader(engine).keyword_ids(keyword).tolist()) == expected


@pytest.mark.parametrize(
    ("keyword", "fts5", "tsq", "exact"),
    [
        ("burnout", '("burnout" OR "burnouts")', "((burnout) | (burnouts))", True),
        ('"burnout"', '("burnout")', "((burnout))", True),
        ("resign*", '("resign" *)', "((resign:*))", True),
        ("company", '("company" OR "companies")', "((company) | (companies))", True),
        ("burned out", '("burned out" OR "burned outs")', "((burned <-> out) | (burned <-> outs))", False),
        ('"burned out"', '("burned out")', "((burned <-> out))", False),
        (
            "cut|cuts # jobs",
            '("cut" OR "cuts") AND ("jobs" OR "jobses")',
            "((cut) | (cuts)) & ((jobs) | (jobses))",
            False,
        ),
        ("open-source", '("open source")', "((open <-> source))", False),
        ("gpu_cluster", '("gpu_cluster")', "((gpu <-> cluster))", True),
    ],
)
def test_keywords_become_index_queries(keyword: str, fts5: str, tsq: str, exact: bool) -> None:
    assert fts5_query(index_parts(keyword, "sqlite")) == fts5
    assert tsquery(index_parts(keyword, "postgresql")) == tsq
    assert is_exact(keyword, "sqlite") is exact
    assert is_exact(keyword, "postgresql") is False  # PostgreSQL's answers are always checked by the pattern
