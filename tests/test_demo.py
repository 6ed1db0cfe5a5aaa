"""The synthetic demo corpus looks like news: varied headlines and tone, stories syndicated across outlets in
their own words, the working week's rhythm, companies of different sizes, and still seeded and labelled."""

from __future__ import annotations

import itertools
import random
import statistics
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from dashboard.analyse import likeness
from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import Article
from dashboard.pipeline.demo import DemoSpec, generate, write_demo
from dashboard.pipeline.demo_text import ATTRIBUTIONS, BACKGROUND, EVENTS, Kind, fill, story_values
from dashboard.store.engine import open_engine

COMPANIES = [c.name for c in load_config(DEFAULT_CONFIG).companies]
SMALL = DemoSpec(articles=1500, days=120, seed=3, end=datetime(2026, 11, 28, 12, tzinfo=UTC))


def corpus(spec: DemoSpec | None = None) -> list[Article]:
    return [article for _, article in generate(spec or DemoSpec(), COMPANIES)]


def test_the_same_seed_gives_the_same_corpus_and_everything_is_labelled_demo() -> None:
    first, again = corpus(SMALL), corpus(SMALL)
    assert first == again
    assert all(a.publisher.endswith("(demo)") and a.link.startswith("https://news.demo.invalid/") for a in first)


def test_most_headlines_are_distinct() -> None:
    titles = [a.title for a in corpus()]
    assert len(set(titles)) / len(titles) >= 0.80
    assert (len(titles), len(set(titles))) == (6302, 6200)


@pytest.mark.parametrize("kind", [*BACKGROUND, *EVENTS.values()], ids=lambda k: k.headlines[0][:40])
def test_every_wording_of_a_story_is_the_same_news_and_different_stories_are_not(kind: Kind) -> None:
    rng = random.Random(5)
    for _ in range(100):
        values = story_values(rng, "Meta", ["OpenAI", "Google", "Nvidia"])
        wordings = [fill(h, values) for h in kind.headlines] + [fill(kind.headlines[0], values) + ATTRIBUTIONS[0]]
        for a, b in itertools.combinations(wordings, 2):
            assert likeness.same_news(likeness.headline_words(a), likeness.headline_words(b)), (a, b)
    # Two stories of one kind about one company are told apart by their own slots and figures, all but about
    # one pair in twenty (a pair that draws nearly the same telling values reads as one piece of news, as it
    # would in real feeds).
    pairs = [
        [fill(kind.headlines[0], story_values(rng, "Meta", ["OpenAI", "Google"])) for _ in "ab"] for _ in range(200)
    ]
    alike = sum(likeness.same_news(likeness.headline_words(a), likeness.headline_words(b)) for a, b in pairs)
    assert alike <= 15


def test_stories_are_syndicated_and_counting_stories_differs_from_counting_articles(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = open_engine(url)
    write_demo(engine, Analyzer.from_config(load_config(DEFAULT_CONFIG)), SMALL)
    with engine.connect() as conn:
        articles, stories = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT story_id) FROM articles")).one()
        per_story = Counter(
            n for (n,) in conn.execute(text("SELECT COUNT(DISTINCT publisher) FROM articles GROUP BY story_id"))
        )
    engine.dispose()
    assert (articles, stories) == (1802, 976)
    # One to four outlets a story (a few more where two stories read alike); most run in several.
    assert set(per_story) >= {1, 2, 3, 4} and max(per_story) <= 8 and per_story[1] < stories / 2


def test_volumes_follow_the_working_week_and_companies_differ_in_size() -> None:
    articles = corpus()
    per_weekday = Counter(a.published_at.weekday() for a in articles)
    weekday = statistics.mean(per_weekday[d] for d in range(5))
    assert max(per_weekday[5], per_weekday[6]) < 0.5 * weekday
    named = Counter(c for a in articles for c in COMPANIES if a.title.startswith(c + " "))
    assert named["OpenAI"] > 3 * named["Mistral"] > 0


def test_the_tone_toward_a_company_of_a_kind_of_story_varies_from_story_to_story() -> None:
    analyzer = Analyzer.from_config(load_config(DEFAULT_CONFIG))
    burnout = [a for a in corpus(SMALL) if "weeks on" in a.title and "Meta" in a.title.split(" engineers")[0]]
    tones = [analyzer.analyse(a.title, a.summary).companies["Meta"].tone.compound for a in burnout]
    assert len(burnout) >= 10 and len(set(tones)) >= 5 and max(tones) - min(tones) > 0.3
