"""A seeded, clearly labelled synthetic corpus, stored through the real pipeline, for offline use and demos.

Everything it writes is marked: feeds are named "Demo: ...", publishers "(demo)", links point at the
reserved ``.invalid`` domain. Planted events let a viewer check the charts find what is there: a burnout
spike at Meta, a layoffs wave at Microsoft, and a safety controversy at OpenAI. As real news is, each story
runs in one to three of the demo outlets, so counting stories and counting articles differ.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import ParallelAnalyzer
from dashboard.models import DEMO_FEED_PREFIX, Article, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.store.write import record_fetch

PUBLISHERS = [
    "Demo Wire (demo)",
    "Synthetic Tech Daily (demo)",
    "Example Business Review (demo)",
    "Sample AI Weekly (demo)",
]
WEIGHTS = {
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
PRODUCTS = {
    "Meta": "Llama",
    "OpenAI": "ChatGPT",
    "Google": "Gemini",
    "Microsoft": "Copilot",
    "Anthropic": "Claude",
    "Nvidia": "Blackwell",
    "Amazon": "Alexa",
    "Apple": "Siri",
    "xAI": "Grok",
    "Mistral": "Le Chat",
}
# (topic, headline template, summary template); {c} company, {p} product, {o} another company, {n} a number
TEMPLATES = [
    (None, "{c} unveils a new version of {p}", "The update adds features for business customers."),
    (None, "{c} announces {p} update at developer conference", "Executives outlined the roadmap for next year."),
    (None, "{c} expands {p} to more countries", "The rollout continues through the quarter."),
    (None, "{c} shares soar after strong quarterly results", "Revenue beat estimates as demand for AI products grew."),
    (None, "{c} stock falls as investors question AI spending", "Analysts warned about rising costs."),
    (None, "Analysts upgrade {c} to buy on AI momentum", "The firm raised its price target."),
    (None, "{c} partners with {o} on AI research", "The partnership covers joint work on new models."),
    ("compute", "{c} orders {n},000 GPUs for a new data center", "The supercomputer will train the next {p} models."),
    ("compute", "{c} signs chip supply deal amid compute crunch", "Demand for AI chips keeps outrunning supply."),
    ("talent", "{c} poaches top researchers from {o}", "The hires follow a bidding war for AI talent."),
    ("talent", "{c} AI chief departs for a rival lab", "The departure is the latest in a string of exits."),
    ("regulation", "{c} faces antitrust probe over AI deals", "Regulators are examining the company's investments."),
    ("regulation", "{c} sued by authors over copyright", "The lawsuit seeks damages for training on books."),
    ("safety", "{c} red team finds new jailbreak in {p}", "The company says it has patched the flaw."),
    ("open_source", "{c} releases open-weight model under Apache 2.0", "Developers can download the model weights."),
    ("funding", "{c} raises ${n} billion at record valuation", "Investors are betting on enterprise demand."),
    ("burnout", "Engineers at {c} describe burnout after 80-hour weeks", "Staff say the pace is unsustainable."),
    ("layoffs", "{c} lays off {n}00 workers in restructuring", "The job cuts hit several product teams."),
]
# A fixed end, so the planted events fall on the days data/events.toml marks (a demo is the same every day).
DEMO_END = datetime(2026, 11, 28, 12, tzinfo=UTC)
EVENTS = [  # (company, topic or "controversy", first day back from the end, last day back, extra per day)
    ("Meta", "burnout", 40, 30, 6),
    ("Microsoft", "layoffs", 75, 65, 5),
    ("OpenAI", "controversy", 20, 16, 6),
]
# Each planted story carries its own figure ({k}), so the event is many distinct stories, not one retold.
EVENT_HEADLINES = {
    "burnout": [
        "{c} AI staff describe burnout and exhaustion after {k} days of crunch",
        "{k} burned-out engineers leave {c} as 80-hour weeks become the norm",
        "Inside {c}'s AI push: {k} staff report burnout in survey",
    ],
    "layoffs": [
        "{c} lays off {k}0 more as it restructures around AI",
        "{c} job cuts widen: {k} sales and engineering roles go",
        "{c} confirms another round of layoffs hitting {k} staff",
    ],
    "controversy": [
        "{c} faces backlash after {k} {p} safety failures",
        "{c} criticized as {k} researchers sign letter over safety concerns",
        "{c} pulls {p} feature after {k} safety incidents",
    ],
}
COPIES = ([1, 2, 3], [5, 3, 2])  # how many outlets run a background story, and how often (1.7 on average)
EVENT_COPIES = 2  # every planted story runs in two outlets
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoSpec:
    """What to generate: how many articles over how many days, ending when, from which seed."""

    articles: int = 6000
    days: int = 180
    seed: int = 7
    end: datetime = DEMO_END


def generate(spec: DemoSpec, companies: list[str]) -> Iterator[tuple[str, Article]]:
    """(demo feed name, article) pairs, deterministic for a seed, produced one at a time: ``spec.articles``
    background articles (stories, each run by one to three outlets), then the planted events' stories."""
    rng = random.Random(spec.seed)
    end = spec.end
    names = [c for c in companies if c in WEIGHTS] or companies
    weights = [WEIGHTS.get(c, 1) for c in names]
    feed_names = [f"{DEMO_FEED_PREFIX}{p.removesuffix(' (demo)')}" for p in PUBLISHERS]
    index = 0

    def story(title: str, summary: str, when: datetime, copies: int) -> Iterator[tuple[str, Article]]:
        """One story as run by ``copies`` outlets: the first at ``when``, the others within six hours."""
        nonlocal index
        for rank, outlet in enumerate(rng.sample(range(len(PUBLISHERS)), copies)):
            slug = f"{index:07d}"
            index += 1
            yield (
                feed_names[outlet],
                Article(
                    title=title,
                    link=f"https://news.demo.invalid/{slug}",
                    publisher=PUBLISHERS[outlet],
                    # Templated headlines repeat; a host per article keeps each one its own for de-duplication.
                    publisher_domain=f"a{slug}.news.demo.invalid",
                    summary=summary,
                    published_at=when + timedelta(minutes=rng.randint(0, 360)) if rank else when,
                    published_from="published",
                    guid=f"demo-{slug}",
                ),
            )

    def fill(template: str, company: str, figure: int = 0) -> str:
        other = rng.choice([c for c in names if c != company] or [company])
        return template.format(c=company, p=PRODUCTS.get(company, "its model"), o=other, n=rng.randint(2, 9), k=figure)

    # Day by day, oldest first (as feeds deliver news), so each stored batch spans days, not the whole range.
    for day in range(spec.days):
        due = round((day + 1) * spec.articles / spec.days)
        while index < due:
            company = rng.choices(names, weights)[0]
            _, headline, summary = rng.choice(TEMPLATES)
            when = end - timedelta(days=spec.days - day, minutes=-rng.randint(0, 24 * 60 - 1))
            copies = min(rng.choices(*COPIES)[0], due - index)
            yield from story(fill(headline, company), fill(summary, company), when, copies)
    for company, kind, first, last, per_day in EVENTS:
        if company not in names or first >= spec.days:
            continue
        figures = iter(rng.sample(range(11, 1000), (first - last + 1) * per_day))
        for days_back in range(last, first + 1):
            for _ in range(per_day):
                when = end - timedelta(days=days_back, minutes=rng.randint(0, 24 * 60 - 1))
                title = fill(rng.choice(EVENT_HEADLINES[kind]), company, next(figures))
                yield from story(title, "", when, EVENT_COPIES)


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
