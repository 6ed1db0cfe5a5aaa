"""A seeded, clearly labelled synthetic corpus, stored through the real pipeline, for offline use and demos.

Everything it writes is marked: feeds are named "Demo: ...", publishers "(demo)", links point at the
reserved ``.invalid`` domain. Planted events let a viewer check the charts find what is there: a burnout
spike at Meta, a layoffs wave at Microsoft, and a safety controversy at OpenAI. As real news is, each story
runs in one to four of the demo outlets, each in words of its own (dashboard.pipeline.demo_text), so
counting stories and counting articles differ; volumes follow the working week, and companies differ in
how much news they make.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.models import DEMO_FEED_PREFIX, Article, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.pipeline.demo_text import BACKGROUND, PUBLISHERS, Kind, copy_texts, story_values
from dashboard.pipeline.demo_text import EVENTS as PLANTED
from dashboard.store.write import record_fetch

WEIGHTS = {  # how much news each company makes, relative to the others
    "OpenAI": 5,
    "Google": 4,
    "Meta": 4,
    "Microsoft": 4,
    "Nvidia": 4,
    "Amazon": 3,
    "Apple": 3,
    "Anthropic": 3,
    "xAI": 2,
    "Mistral": 1,
}
WEEKDAYS = (1.15, 1.2, 1.15, 1.1, 1.0, 0.45, 0.4)  # Monday to Sunday: news follows the working week
# A fixed end, so the planted events fall on the days data/events.toml marks (a demo is the same every day).
DEMO_END = datetime(2026, 11, 28, 12, tzinfo=UTC)
EVENTS = [  # (company, topic or "controversy", first day back from the end, last day back, extra per day)
    ("Meta", "burnout", 40, 30, 6),
    ("Microsoft", "layoffs", 75, 65, 5),
    ("OpenAI", "controversy", 20, 16, 6),
]
COPIES = ([1, 2, 3, 4], [5, 3, 2, 1])  # how many outlets run a background story, and how often (1.9 on average)
EVENT_COPIES = 2  # every planted story runs in two outlets
Progress = Callable[[int, int], None]
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class DemoSpec:
    """What to generate: how many articles over how many days, ending when, from which seed."""

    articles: int = 6000
    days: int = 180
    seed: int = 7
    end: datetime = DEMO_END


def generate(spec: DemoSpec, companies: list[str]) -> Iterator[tuple[str, Article]]:
    """(demo feed name, article) pairs, deterministic for a seed, produced one at a time: ``spec.articles``
    background articles (stories, each run by one to four outlets in words of their own, more on working
    days), then the planted events' stories."""
    rng = random.Random(spec.seed)
    end = spec.end
    names = [c for c in companies if c in WEIGHTS] or companies
    weights = [WEIGHTS.get(c, 1) for c in names]
    feed_names = [f"{DEMO_FEED_PREFIX}{p.removesuffix(' (demo)')}" for p in PUBLISHERS]
    index = 0

    def story(kind: Kind, company: str, when: datetime, copies: int) -> Iterator[tuple[str, Article]]:
        """One story as run by ``copies`` outlets: the first at ``when``, the others within six hours."""
        nonlocal index
        values = story_values(rng, company, [c for c in names if c != company])
        texts = copy_texts(rng, kind, values, copies)
        outlets = rng.sample(range(len(PUBLISHERS)), copies)
        for rank, (outlet, (title, summary)) in enumerate(zip(outlets, texts, strict=True)):
            slug = f"{index:07d}"
            index += 1
            yield (
                feed_names[outlet],
                Article(
                    title=title,
                    link=f"https://news.demo.invalid/{slug}",
                    publisher=PUBLISHERS[outlet],
                    publisher_domain=f"a{slug}.news.demo.invalid",
                    summary=summary,
                    published_at=when + timedelta(minutes=rng.randint(0, 360)) if rank else when,
                    published_from="published",
                    guid=f"demo-{slug}",
                ),
            )

    start = end - timedelta(days=spec.days)
    spans = []  # each calendar day's part of [start, end], and how busy it is
    day = start.date()
    while (midnight := datetime.combine(day, time(0), UTC)) < end:
        lo, hi = max(midnight, start), min(midnight + timedelta(days=1), end)
        spans.append((lo, hi, WEEKDAYS[day.weekday()] * ((hi - lo) / timedelta(days=1))))
        day += timedelta(days=1)
    total, running = sum(w for _, _, w in spans), 0.0
    # Day by day, oldest first (as feeds deliver news), so each stored batch spans days, not the whole range.
    for lo, hi, busy in spans:
        running += busy
        due = round(running / total * spec.articles)
        while index < due:
            company = rng.choices(names, weights)[0]
            when = lo + timedelta(minutes=rng.randint(0, int((hi - lo) / MINUTE) - 1))
            copies = min(rng.choices(*COPIES)[0], due - index)
            yield from story(rng.choice(BACKGROUND), company, when, copies)
    for company, event, first, last, per_day in EVENTS:
        if company not in names or first >= spec.days:
            continue
        for days_back in range(last, first + 1):
            for _ in range(per_day):
                when = end - timedelta(days=days_back, minutes=rng.randint(0, 24 * 60 - 1))
                yield from story(PLANTED[event], company, when, EVENT_COPIES)


def _batches(pairs: Iterable[tuple[str, Article]], size: int) -> Iterator[tuple[str, list[Article]]]:
    """Group a stream of (feed, article) into per-feed batches of ``size`` (the last ones may be smaller)."""
    open_batches: dict[str, list[Article]] = {}
    for feed, item in pairs:
        batch = open_batches.setdefault(feed, [])
        batch.append(item)
        if len(batch) >= size:
            yield feed, open_batches.pop(feed)
    yield from open_batches.items()


def write_demo(
    engine: Engine,
    analyzer: Analyzer,
    spec: DemoSpec,
    progress: Progress | None = None,
    batch: int = 2000,
    workers: int | None = None,
) -> int:
    """Store the demo corpus through the same store and analysis code as a real ingest, analysing on every
    core while earlier batches are written; returns the number of articles."""
    companies = [rule.name for rule in analyzer.companies.rules]
    stream = _batches(generate(spec, companies), batch)
    total = spec.articles + _event_articles(spec, companies)
    done = 0
    now = datetime.now(UTC)
    with ParallelAnalyzer(analyzer, workers) as parallel:
        ahead: list[tuple[str, list[Article]]] = []

        def texts() -> Iterator[list[tuple[str, str]]]:
            for name, items in stream:
                ahead.append((name, items))
                yield [(a.title, a.summary) for a in items]

        for analyses in parallel.stream(texts()):
            name, items = ahead.pop(0)
            found = {(a.title, a.summary): x for a, x in zip(items, analyses, strict=True)}
            feed = FeedSpec(name=name, url="https://news.demo.invalid/feed.xml")
            fetched = FetchResult(url=feed.url, status=FetchStatus.OK, http_status=200)
            record_fetch(
                engine,
                feed,
                fetched,
                ParsedFeed(articles=items, title=name),
                now,
                analyse=lambda pairs, found=found: [found[p] for p in pairs],
            )
            done += len(items)
            if progress:
                progress(done, total)
    return done


def planted_days(spec: DemoSpec) -> list[tuple[date, str, str]]:
    """(first day, company, topic) of each planted event: its first story can be up to a day before the
    whole days back from the end (stories fall at any minute of the day before)."""
    return sorted(
        ((spec.end - timedelta(days=first, minutes=24 * 60 - 1)).date(), company, kind)
        for company, kind, first, _, _ in EVENTS
        if first < spec.days
    )


def _event_articles(spec: DemoSpec, companies: list[str]) -> int:
    """How many planted-event articles a spec adds to its background articles."""
    names = [c for c in companies if c in WEIGHTS] or companies
    return sum(
        (first - last + 1) * per_day * EVENT_COPIES
        for company, _, first, last, per_day in EVENTS
        if company in names and first < spec.days
    )
