"""Parsing fetched bytes into articles: every fixture feed gives exactly the articles it describes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.collect.parse import parse_feed
from dashboard.models import Article, FeedSpec, ParsedFeed

FEEDS = Path(__file__).parent / "feeds"
FETCHED_AT = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)
TYPES = {".xml": "application/rss+xml", ".html": "text/html", ".json": "application/feed+json"}


def parse_fixture(name: str, publisher: str = "") -> ParsedFeed:
    path = FEEDS / name
    spec = FeedSpec(name=name, url=f"https://feeds.example/{name}", publisher=publisher)
    return parse_feed(path.read_bytes(), spec, FETCHED_AT, TYPES[path.suffix], spec.url)


def titles(parsed: ParsedFeed) -> list[str]:
    return [a.title for a in parsed.articles]


@pytest.mark.parametrize(
    ("name", "articles", "skipped", "error"),
    [
        ("rss20_techcrunch_ai.xml", 4, 1, None),
        ("atom_verge_ai.xml", 3, 0, None),
        ("rss10_rdf_slashdot.xml", 2, 0, None),
        ("google_news_meta.xml", 6, 0, None),
        ("google_news_openai.xml", 3, 0, None),
        ("google_news_story_meta.xml", 4, 0, None),
        ("google_news_story_layoffs.xml", 5, 0, None),
        ("google_news_story_openai.xml", 1, 0, None),
        ("latin1_lemonde.xml", 2, 0, None),
        ("truncated.xml", 2, 1, None),
        ("html_page.html", 0, 0, "an HTML page, not a feed"),
        ("empty.xml", 0, 0, "empty response body"),
        ("jsonfeed_simon.json", 2, 0, None),
        ("feedburner_origlink.xml", 1, 0, None),
        ("rss091_no_dates.xml", 2, 0, None),
        ("bozo_raw_ampersand.xml", 2, 0, None),
        ("rss20_heise_de.xml", 4, 0, None),
    ],
)
def test_each_fixture_gives_its_articles_or_its_error(
    name: str, articles: int, skipped: int, error: str | None
) -> None:
    parsed = parse_fixture(name)
    assert (len(parsed.articles), parsed.skipped, parsed.error) == (articles, skipped, error)


def test_every_fixture_is_covered_by_the_table_above() -> None:
    covered = {p[0] for p in test_each_fixture_gives_its_articles_or_its_error.pytestmark[0].args[1]}
    assert covered == {p.name for p in FEEDS.iterdir()}


def test_google_news_titles_lose_the_publisher_suffix_only_when_it_is_the_source() -> None:
    parsed = parse_fixture("google_news_meta.xml")
    assert titles(parsed) == [
        "Meta's AI pivot leaves staff burned out",
        "U.S. - China chip curbs hit Nvidia and Meta plans",
        "Zuckerberg says superintelligence is in sight",
        "Meta's AI pivot leaves staff burned out",
        "Meta\u2019s AI researchers describe burnout after months of 80-hour weeks",
        "Meta cuts 600 jobs in its AI unit",
    ]


def test_google_news_publisher_comes_from_source_and_the_description_gives_only_the_story_tokens() -> None:
    first = parse_fixture("google_news_meta.xml").articles[0]
    assert first == Article(
        title="Meta's AI pivot leaves staff burned out",
        link="https://news.google.com/rss/articles/CBMiMETA001?oc=5",
        publisher="The Verge",
        publisher_domain="theverge.com",
        summary="",
        published_at=datetime(2026, 11, 10, 8, 0, tzinfo=UTC),
        published_from="published",
        guid="CBMiMETA001",
        related=("CBMiMETA001",),
    )


def test_outlet_feed_links_lose_tracking_and_javascript_links_are_dropped() -> None:
    parsed = parse_fixture("rss20_techcrunch_ai.xml", publisher="TechCrunch")
    assert [a.link for a in parsed.articles] == [
        "https://techcrunch.com/2026/11/10/openai-raises-40b/",
        "https://techcrunch.com/2026/11/09/meta-ai-burnout/?ref=home",
        "https://techcrunch.com/2026/11/08/nvidia-blackwell-sold-out/",
        None,
    ]
    assert {a.publisher for a in parsed.articles} == {"TechCrunch"}
    assert parsed.articles[0].summary == "The round values the ChatGPT maker at $300 billion — a record."


def test_outlet_publisher_falls_back_to_the_link_domain() -> None:
    parsed = parse_fixture("rss20_techcrunch_ai.xml")
    assert [(a.publisher, a.publisher_domain) for a in parsed.articles[:3]] == [
        ("techcrunch.com", "techcrunch.com")
    ] * 3


def test_times_are_utc_and_record_which_clock_they_came_from() -> None:
    atom = parse_fixture("atom_verge_ai.xml").articles
    assert [(a.published_at, a.published_from) for a in atom] == [
        (datetime(2026, 11, 10, 14, 15, tzinfo=UTC), "published"),
        (datetime(2026, 11, 9, 23, 30, tzinfo=UTC), "updated"),
        (datetime(2026, 11, 8, 17, 0, tzinfo=UTC), "published"),
    ]
    undated = parse_fixture("rss091_no_dates.xml").articles
    assert {(a.published_at, a.published_from) for a in undated} == {(FETCHED_AT, "fetched")}
    pacific = parse_fixture("rss20_techcrunch_ai.xml").articles[1]
    assert pacific.published_at == datetime(2026, 11, 9, 22, 5, tzinfo=UTC)


def test_a_date_far_in_the_future_falls_back_to_the_fetch_time() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>x</title><link>https://a.example/1</link>'
        b"<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item></channel></rss>"
    )
    article = parse_feed(body, FeedSpec("f", "https://a.example/rss"), FETCHED_AT).articles[0]
    assert (article.published_at, article.published_from) == (FETCHED_AT, "fetched")


def test_latin1_feed_decodes_accents() -> None:
    assert titles(parse_fixture("latin1_lemonde.xml")) == [
        "Mistral AI lève 2 milliards d'euros à Paris",
        "Google ouvre un centre de recherche à Zürich",
    ]


def test_truncated_feed_keeps_complete_items_and_records_the_problem() -> None:
    parsed = parse_fixture("truncated.xml")
    assert titles(parsed) == ["Amazon commits $100B to AI data centers", "Apple Intelligence comes to China"]
    assert parsed.warning is not None and parsed.warning.startswith(
        "malformed feed, entries recovered: SAXParseException"
    )


def test_recoverable_oddities_keep_entries_and_unescape_html5_entities() -> None:
    parsed = parse_fixture("bozo_raw_ampersand.xml")
    assert titles(parsed) == ["Google & OpenAI face antitrust probe", "AI Act fines loom for Meta : what to know"]
    assert parsed.warning is not None


def test_a_well_formed_feed_has_no_warning() -> None:
    assert parse_fixture("atom_verge_ai.xml").warning is None


def test_feedburner_items_use_the_original_link() -> None:
    [article] = parse_fixture("feedburner_origlink.xml").articles
    assert article.link == "https://blog.example.net/2026/11/copilot-agents"
    assert article.published_at == datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def test_json_feed_is_read_too() -> None:
    parsed = parse_fixture("jsonfeed_simon.json")
    assert [(a.title, a.summary, a.published_at) for a in parsed.articles] == [
        (
            "Anthropic's Claude gets a longer memory",
            "Notes on the new release.",
            datetime(2026, 11, 11, 1, 0, tzinfo=UTC),
        ),
        ("Running Llama locally", "Open-weight models keep getting better.", datetime(2026, 11, 9, 8, 0, tzinfo=UTC)),
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"   \n", "empty response body"),
        (b'{"hello": "world"}', "not an RSS/Atom feed (JSON, but not a JSON Feed)"),
        (b"{not json", "not an RSS/Atom feed (JSON that does not parse"),
        (b"just some text", "not an RSS/Atom feed"),
        (b"<?xml version='1.0'?><note><to>x</to></note>", "not an RSS/Atom feed"),
    ],
)
def test_a_body_that_is_not_a_feed_is_an_error_saying_so(body: bytes, error: str) -> None:
    parsed = parse_feed(body, FeedSpec("f", "https://a.example/rss"), FETCHED_AT)
    assert parsed.articles == []
    assert parsed.error is not None and parsed.error.startswith(error)
