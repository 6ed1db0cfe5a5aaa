"""Stories: which stored articles report the same news, kept at write time, on real feeds and databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Connection, Engine, func, select

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.likeness import headline_words, same_news
from dashboard.collect.fetch import FetchPolicy
from dashboard.collect.related import related_tokens
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import Article, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.pipeline.ingest import FeedReport, jobs_for, run_ingest
from dashboard.pipeline.rescore import rescore
from dashboard.read.reader import Reader
from dashboard.store import stories
from dashboard.store.schema import articles, rollup_story_company, rollup_story_day
from dashboard.store.schema import stories as stories_table
from dashboard.store.write import record_fetch
from tests.feedserver import FeedHTTPServer
from tests.test_ingest import specs

META, LAYOFFS, OPENAI = "google_news_story_meta.xml", "google_news_story_layoffs.xml", "google_news_story_openai.xml"
ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))


def ingest(engine: Engine, server: FeedHTTPServer, names: list[str], policy: FetchPolicy) -> list[FeedReport]:
    """Fetch, analyse and store some fixture feeds, one transaction each, in order."""
    return run_ingest(engine, jobs_for(specs(server, names)), policy, analyzer=ANALYZER)


def counts(conn: Connection) -> tuple[int, int]:
    """Articles and stories stored."""
    return (
        conn.execute(select(func.count()).select_from(articles)).scalar_one(),
        conn.execute(select(func.count()).select_from(stories_table)).scalar_one(),
    )


def groups(engine: Engine) -> list[list[str]]:
    """Each story as the sorted "publisher: title" of its articles."""
    with engine.connect() as conn:
        rows = conn.execute(select(articles.c.story_id, articles.c.publisher, articles.c.title)).all()
    by_story: dict[int, list[str]] = {}
    for story, publisher, title in rows:
        by_story.setdefault(story, []).append(f"{publisher}: {title}")
    return sorted(sorted(members) for members in by_story.values())


def story_rollups(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine.connect() as conn:
        days = sorted((*r[:4], round(r.tone_sum, 9)) for r in conn.execute(select(rollup_story_day)))
        companies = sorted((*r[:4], round(r.tone_sum, 9)) for r in conn.execute(select(rollup_story_company)))
    return days, companies


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Meta cuts 600 jobs in its AI unit", "UPDATE 1-Meta cuts 600 jobs in its AI unit", True),
        ("OpenAI closes $40 billion funding round led by SoftBank", "SoftBank leads $40bn OpenAI funding round", True),
        ("Meta cuts 600 AI jobs", "Meta hires 50 AI researchers", False),
        ("Humana price target raised to $363 from $319", "Humana price target raised to $370 from $350", False),
        ("Microsoft Q1 revenue rises 16% on cloud strength", "Microsoft Q2 revenue rises 12% on cloud strength", False),
        ("Q3 results", "Q3 results", False),  # too short to tell one report from another
    ],
)
def test_headlines_are_the_same_news_only_when_their_words_and_figures_agree(a: str, b: str, same: bool) -> None:
    assert same_news(headline_words(a), headline_words(b)) is same


@pytest.mark.parametrize(
    ("link", "description", "tokens"),
    [
        (
            "https://news.google.com/rss/articles/CBMiAAAA1111?oc=5",
            '<ol><li><a href="https://news.google.com/rss/articles/CBMiAAAA1111?oc=5">A</a></li>'
            '<li><a href="https://news.google.com/rss/articles/CBMiBBBB2222?oc=5">B</a></li></ol>',
            ("CBMiAAAA1111", "CBMiBBBB2222"),
        ),
        (  # 2019 links, and a cluster whose first entry is not the item itself
            "https://news.google.com/__i/rss/rd/articles/CBMiCCCC3333?oc=5",
            "<ol><li><a href='https://news.google.com/__i/rss/rd/articles/CBMiDDDD4444'>D</a></li></ol>",
            ("CBMiCCCC3333", "CBMiDDDD4444"),
        ),
        (  # a 2020 top-stories cluster ends in a "View Full Coverage" link: a page of Google's, not an article
            "https://news.google.com/__i/rss/rd/articles/CBMiHHHH8888?oc=5",
            '<ol><li><a href="https://news.google.com/stories/CAAqfQgKIndD?oc=5">View Full Coverage</a></li></ol>',
            ("CBMiHHHH8888",),
        ),
        ("https://example.com/story", '<a href="https://news.google.com/rss/articles/CBMiEEEE5555">E</a>', ()),
        ("https://news.google.com/rss/articles/CBMiFFFF6666", "a plain snippet", ("CBMiFFFF6666",)),
        ("https://news.google.com/rss/articles/CBMiGGGG7777", '<a href="javascript:alert(1)">x</a>', ("CBMiGGGG7777",)),
    ],
)
def test_a_google_news_item_names_its_own_token_then_its_clusters(
    link: str, description: str, tokens: tuple[str, ...]
) -> None:
    assert related_tokens(link, description) == tokens


def test_articles_join_the_story_googles_cluster_or_a_near_duplicate_headline_puts_them_in(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, [META, LAYOFFS], policy)
    assert groups(engine) == [
        [
            "Business Insider: Inside Meta's job cuts: what the memo said",
            "CNBC: Meta lays off 600 workers in superintelligence lab",
            "Reuters: Meta cuts 600 jobs in its AI unit",
        ],
        ["Financial Times: OpenAI hires Sarah Friar as finance chief"],
        ["Fortune: Meta's AI pivot leaves staff burned out"],  # a week later: a new story, however alike
        ["Reuters: OpenAI names a new chief financial officer"],
        ["The Information: Meta hires 50 AI researchers from OpenAI"],  # same day, same company, other news
        [
            "The Verge: Meta's AI pivot leaves staff burned out",
            "Yahoo Finance: Meta's AI pivot leaves staff burned out",
        ],
    ]


def test_a_cluster_that_names_two_stories_merges_them_and_the_roll_ups_count_one(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, [META, LAYOFFS], policy)
    with engine.connect() as conn:
        assert counts(conn) == (9, 6)
    ingest(engine, feed_server, [OPENAI], policy)
    assert [
        "Financial Times: OpenAI hires Sarah Friar as finance chief",
        "Fortune: Who is Sarah Friar, OpenAI's new CFO?",
        "Reuters: OpenAI names a new chief financial officer",
    ] in groups(engine)
    with engine.connect() as conn:
        assert counts(conn) == (10, 5)
        assert conn.execute(select(func.sum(rollup_story_day.c.stories))).scalar_one() == 5
        assert conn.execute(select(func.sum(stories_table.c.articles))).scalar_one() == 10
        empty = select(func.count()).select_from(rollup_story_day).where(rollup_story_day.c.stories == 0)
        assert conn.execute(empty).scalar_one() == 0


def store_one(engine: Engine, title: str, publisher: str, when: datetime) -> None:
    """Store one article in a transaction of its own, as a feed holding only it would."""
    item = Article(
        title, f"https://{publisher}.example/{when:%Y%m%d%H}", publisher, f"{publisher}.example", "", when, "published"
    )
    spec = FeedSpec(publisher, f"https://{publisher}.example/rss")
    fetched = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200)
    record_fetch(engine, spec, fetched, ParsedFeed(articles=[item]), when, analyse=ANALYZER.analyse_many)


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize(
    ("apart", "one_story"),
    [(timedelta(days=3), True), (-timedelta(days=3), True), (timedelta(days=3, hours=1), False)],
    ids=["3 days later", "3 days earlier", "3 days and an hour later"],
)
def test_a_copy_up_to_three_days_from_a_stored_one_joins_its_story_whatever_the_weekday(
    engine: Engine, weekday: int, apart: timedelta, one_story: bool
) -> None:
    first = datetime(2026, 10, 5, 12, tzinfo=UTC) + timedelta(days=weekday)  # Monday 5 October, and on
    store_one(engine, "Meta's AI pivot leaves staff burned out", "verge", first)
    store_one(engine, "Meta's AI pivot leaves staff burned out", "yahoo", first + apart)
    with engine.connect() as conn:
        assert counts(conn) == (2, 1 if one_story else 2)


def test_a_story_counts_once_on_its_first_day_with_the_mean_tone_of_its_articles(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, [META, LAYOFFS], policy)
    with engine.connect() as conn:
        story = conn.execute(select(stories_table).where(stories_table.c.articles == 3)).one()
        tones = conn.execute(select(articles.c.tone).where(articles.c.story_id == story.id)).scalars().all()
        assert str(story.day) == "2026-10-22" and story.toned == 3
        assert story.tone_sum == pytest.approx(sum(tones))
        on_day = conn.execute(
            select(func.sum(rollup_story_day.c.stories), func.sum(rollup_story_day.c.tone_sum)).where(
                rollup_story_day.c.day == story.day
            )
        ).one()
    # Two stories on 2026-10-22: the job cuts (three articles, one vote) and the hires.
    assert on_day[0] == 2


def test_rebuilding_the_stories_gives_what_storing_them_one_feed_at_a_time_gave(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, [META, LAYOFFS, OPENAI], policy)
    before = groups(engine), story_rollups(engine)
    with engine.begin() as conn:
        assert stories.rebuild(conn) == 5
    assert (groups(engine), story_rollups(engine)) == before


def test_a_rescore_redoes_the_stories_and_their_roll_ups(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, [META, LAYOFFS, OPENAI], policy)
    before = groups(engine), story_rollups(engine)
    with engine.begin() as conn:
        conn.execute(rollup_story_day.delete())
        conn.execute(stories_table.delete())
    assert rescore(engine, ANALYZER.analyse_many) == 10
    assert (groups(engine), story_rollups(engine)) == before


def test_readers_holding_facts_see_a_merge_of_stored_stories(
    engine: Engine, feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    ingest(engine, feed_server, [META, LAYOFFS], policy)
    reader = Reader(engine)
    assert len(reader.story_facts().ids) == 6
    ingest(engine, feed_server, [OPENAI], policy)  # older articles move to another story
    told = reader.story_facts()
    assert len(told.ids) == 5 and sorted(told.articles.tolist()) == [1, 1, 2, 3, 3]


def test_band_signatures_are_datasketchs_minhash_computed_for_every_headline_at_once() -> None:
    from datasketch import MinHash

    from bench.evalsets import read_challenge
    from dashboard.analyse.likeness import MIN_WORDS, NUM_PERM, SEED, _signatures, headline_words

    sets = [sorted(w.weights) for h in read_challenge() if len((w := headline_words(h.text)).weights) >= MIN_WORDS]
    expected = [
        m.hashvalues for m in MinHash.bulk([[w.encode() for w in s] for s in sets], num_perm=NUM_PERM, seed=SEED)
    ]
    assert len(sets) > 400
    assert (_signatures(sets) == np.array(expected)).all()
