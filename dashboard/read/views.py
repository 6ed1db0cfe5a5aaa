"""Every view's data, as a pure function of (reader, config, filters): the tables and series each page shows.

The browser's pages (dashboard/ui/pages.py), ``python -m dashboard view`` and the benchmark all call these,
so a link shows the same numbers wherever it is opened. Figures are drawn from these frames by
dashboard.read.charts; nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

import pandas as pd

from dashboard.config import AlertRule, Config
from dashboard.models import ALL_COMPANIES, Event
from dashboard.read import episodes, impact, queries, rising, trends
from dashboard.read.filters import Filters
from dashboard.read.reader import Reader
from dashboard.read.stats import feed_health
from dashboard.store.alerts import SEND_COLUMNS, sends

HEADLINES = 200  # stories (or articles) listed under a chart
PAGE_SIZE = 50  # stories (or articles) per page of the Articles view
SORTS = ("newest", "oldest", "most negative", "most positive")
TOP_STORIES = 5  # an episode's largest stories, named in its row


def in_units(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """A table with its counts named for what they count: "stories" (the default) or "articles"."""
    if not filters.stories:
        return frame
    return frame.rename(columns={"articles": "stories", "company_articles": "company_stories"})


def companies_of(config: Config, filters: Filters) -> list[str]:
    """The selected companies, or every configured one."""
    return list(filters.companies) or [c.name for c in config.companies]


def topics_of(config: Config, filters: Filters) -> list[str]:
    """The selected topics, or every configured one."""
    return list(filters.topics) or list(config.topics)


@dataclass(frozen=True)
class ViewData:
    """A view's tables by name (for CSV and JSON), in the order the page shows them."""

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), pd.DataFrame)}


@dataclass(frozen=True)
class Overview(ViewData):
    figures: pd.DataFrame  # label, value, previous, delta: the selection against the period before it
    volume: pd.DataFrame  # stories (or articles) per company and period (the small multiples)
    events: pd.DataFrame  # drawn as markers on the time charts (events_in)
    rising: pd.DataFrame  # with terms=1: the words and phrases that rose most against the previous period


@dataclass(frozen=True)
class Trends(ViewData):
    tone: pd.DataFrame
    tone_spikes: pd.DataFrame
    volume: pd.DataFrame
    topics: pd.DataFrame
    episodes: pd.DataFrame  # drawn as bands on the volume and topic charts
    events: pd.DataFrame  # drawn as markers on every chart
    articles: pd.DataFrame  # the newest stories (or articles) of the selection, or of the selected periods


@dataclass(frozen=True)
class Spikes(ViewData):
    episodes: pd.DataFrame  # every episode of volume and topic mentions, newest first, with its make-up
    articles: pd.DataFrame  # the stories behind the picked episode (the first, unless another is picked)
    picked: str  # what the headlines are behind, in words ("" when there is no episode)
    rising: pd.DataFrame  # with terms=1: what the picked episode was about (its rising terms)


@dataclass(frozen=True)
class Impact(ViewData):
    finding: str  # the answer in one plain paragraph, or what is missing to give one
    event: str  # the event compared around, "YYYY-MM-DD: label" ("" when there is none)
    measures: pd.DataFrame  # each measure for the company and its peers: before, after, change (95%), p
    versus: pd.DataFrame  # the change at the company minus the change at its peers (95%, p)
    days: pd.DataFrame  # per day: the stories, topic stories and tone sums behind them (the chart's data)
    events: pd.DataFrame  # the event, for the chart


@dataclass(frozen=True)
class Compare(ViewData):
    companies: pd.DataFrame  # tone and volume per company
    company_topic: pd.DataFrame  # topic rate per 100 articles about each company, with the tone


@dataclass(frozen=True)
class Articles(ViewData):
    articles: pd.DataFrame  # one page: a row per story (its first headline, outlets, articles) or per article
    copies: pd.DataFrame  # every article of the story in the picked row (counting stories; else empty)
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Sources(ViewData):
    publishers: pd.DataFrame
    feeds: pd.DataFrame
    health: pd.DataFrame
    last_refresh: str  # UTC, or "never"


def _cubes(reader: Reader, config: Config, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The company roll-up and the day roll-up of the selection."""
    cube = queries.company_cube(reader, filters, companies_of(config, filters), topics_of(config, filters))
    return cube, queries.day_cube(reader, filters)


EVENT_COLUMNS = ["date", "company", "label", "link", "source"]


def events_in(reader: Reader, config: Config, filters: Filters) -> pd.DataFrame:
    """The events to mark on this selection's time charts, by date: the events file's that concern every
    company or a shown one (its demo events only where the store holds the demo corpus), and the link's own;
    within the selected dates."""
    demo = any(e.demo for e in config.events) and queries.is_demo(reader)
    chosen = file_events(config, companies_of(config, filters), demo) + list(filters.events)
    first, last = filters.date_from or date.min, filters.date_to or date.max
    rows = [_event_row(e) for e in chosen if first <= e.day <= last]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).sort_values("date", kind="stable").reset_index(drop=True)


def file_events(config: Config, companies: list[str], demo: bool) -> list[Event]:
    """The events file's events that concern every company or one of ``companies``, by date; its demo events
    only when the store holds the demo corpus (``demo``)."""
    shown = {ALL_COMPANIES, *companies}
    return [e for e in config.events if e.company in shown and (demo or not e.demo)]


def _event_row(event: Event) -> dict[str, object]:
    source = "link" if event.ad_hoc else "demo" if event.demo else "events file"
    return {
        "date": pd.Timestamp(event.day),
        "company": event.company,
        "label": event.label,
        "link": event.link,
        "source": source,
    }


def lifted(filters: Filters) -> Filters:
    """The selection without its topic and keyword filters: what a rate is out of."""
    return replace(filters, topics=(), q="")


def _narrowed_by_subject(filters: Filters) -> bool:
    return bool(filters.topics or filters.q)


def _base_cube(
    reader: Reader, config: Config, filters: Filters, cube: pd.DataFrame, span: tuple[date, date] | None = None
) -> pd.DataFrame:
    """The company cube of the selection (in ``span``, else its dates) with the topic and keyword filters
    lifted (``cube`` when neither is set): the denominators of "per 100 stories about the company"."""
    if not _narrowed_by_subject(filters):
        return cube
    return queries.company_cube(reader, lifted(filters), companies_of(config, filters), span=span)


def _volume(reader: Reader, config: Config, filters: Filters, cube: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """Articles per company and period (share of voice, and per 100 of all the period's articles, beside the
    counts)."""
    f = filters
    every = queries.day_cube(reader, lifted(f)) if _narrowed_by_subject(f) else days
    totals = trends.articles_per_period(every, f.step)
    return trends.volume_over_time(cube, totals, f.step, f.date_from, f.date_to, companies_of(config, f), f.smooth)


def _series(
    reader: Reader, config: Config, filters: Filters, cube: pd.DataFrame, days: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Tone, volume and topic mentions per company and period."""
    f, companies = filters, companies_of(config, filters)
    base = _base_cube(reader, config, filters, cube)
    return {
        "tone": trends.tone_over_time(cube, f.step, f.date_from, f.date_to, companies, f.smooth),
        "volume": _volume(reader, config, filters, cube, days),
        "topics": trends.topic_over_time(
            cube, f.step, f.date_from, f.date_to, topics_of(config, filters), companies, f.norm, f.smooth, base
        ),
    }


def tone_spikes(tone: pd.DataFrame) -> pd.DataFrame:
    """Periods whose mean tone toward a company departs sharply from its recent norm."""
    return trends.find_spikes(tone.rename(columns={"mean": "tone_mean"}), "company", "tone_mean", count_col="n")


def _history_cube(reader: Reader, config: Config, filters: Filters) -> tuple[pd.DataFrame, date]:
    """The company cube from where the episodes' history begins (episodes.lead_in) to the last selected day,
    and that first day."""
    bounds = queries.data_bounds(reader)
    start = episodes.lead_in(filters.date_from, filters.step, bounds[0] if bounds else None)
    companies, topics = companies_of(config, filters), topics_of(config, filters)
    return queries.company_cube(reader, filters, companies, topics, span=(start, filters.date_to)), start


def _episodes_in(cube: pd.DataFrame, start: date, config: Config, filters: Filters) -> pd.DataFrame:
    f = filters
    counts = episodes.series_counts(cube, f.step, start, f.date_to, companies_of(config, f), topics_of(config, f))
    return episodes.find(counts, f.step, f.date_from)


def find_episodes(reader: Reader, config: Config, filters: Filters) -> pd.DataFrame:
    """Every episode of each company's volume and of each topic at each company that reaches into the selected
    dates, judged on the history before them too (the one place episodes are looked for)."""
    cube, start = _history_cube(reader, config, filters)
    return _episodes_in(cube, start, config, filters)


def episode_span(episode: pd.Series, step: str) -> tuple[date, date]:
    """The first and last day of an episode."""
    return trends.period_span(episode["start"], step)[0], trends.period_span(episode["end"], step)[1]


def _page(reader: Reader, filters: Filters, **kwargs: object) -> tuple[pd.DataFrame, int]:
    """One page of the selection: of stories (one row each) or of articles, as filters.count says."""
    read = queries.story_page if filters.stories else queries.article_page
    return read(reader, filters, **kwargs)  # type: ignore[arg-type]


def headlines(
    reader: Reader, filters: Filters, span: tuple[date, date] | None = None, sort: str = "newest"
) -> pd.DataFrame:
    """Up to HEADLINES of the selection's stories or articles (in ``span``, when given), for a table under a
    chart."""
    frame, _ = _page(reader, filters, sort=sort, page=1, size=HEADLINES, span=span, count=False)
    return frame


def _narrowed(filters: Filters, episode: pd.Series) -> Filters:
    """The filters of one episode's series: its company, and its topic for a topic episode."""
    topics = (episode["topic"],) if episode["kind"] == "topic" else filters.topics
    return replace(filters, companies=(episode["company"],), topics=topics)


def _named(largest: pd.DataFrame) -> str:
    """An episode's largest stories in one cell: each headline with how many outlets ran it."""
    return " | ".join(f"{t} ({o} outlets)" for t, o in zip(largest["title"], largest["outlets"], strict=True))


def with_makeup(reader: Reader, filters: Filters, table: pd.DataFrame) -> pd.DataFrame:
    """Episodes with what they are made of: their distinct stories, the articles (copies) and outlets that
    carried them, and their largest stories by name. The detector's count is of filters.count's unit."""
    table = in_units(table, filters)
    made = [
        queries.story_summary(reader, _narrowed(filters, e), episode_span(e, filters.step), TOP_STORIES)
        for _, e in table.iterrows()
    ]
    # The detector counted one unit; the other comes from the episode's stories.
    other = {"articles": [m[1] for m in made]} if filters.stories else {"stories": [m[0] for m in made]}
    table = table.assign(
        **other,
        outlets=[m[2] for m in made],
        top_stories=[_named(m[3]) for m in made],
    )
    first = ["series", "start", "peak", "end", "stories", "articles", "outlets"]
    return table[first + [c for c in table.columns if c not in first]]


def rising_terms(
    reader: Reader, config: Config, filters: Filters, span: tuple[date, date] | None = None
) -> pd.DataFrame:
    """The words and two-word phrases that rose most in the selection's headlines (in ``span``, else the
    selected dates) against the period of the same length just before (dashboard.read.rising says how);
    empty unless the filters ask for them (terms=1)."""
    span = span or filters.span()
    if not filters.terms or span is None:
        return pd.DataFrame(columns=rising.RISING_COLUMNS)
    length = (span[1] - span[0]).days + 1
    before = (span[0] - timedelta(days=length), span[0] - timedelta(days=1))
    shown = set(companies_of(config, filters))
    names = rising.excluded_names([(c.name, c.aliases) for c in config.companies if c.name in shown])
    now = rising.term_counts(queries.selection_headlines(reader, filters, span), names)
    then = rising.term_counts(queries.selection_headlines(reader, filters, before), names)
    return rising.rising(now, then)


def overview(reader: Reader, config: Config, filters: Filters) -> Overview:
    """Headline figures against the previous period, and each company's volume."""
    cube, current = _cubes(reader, config, filters)
    previous_span = filters.previous_span()
    previous = queries.day_cube(reader, filters, previous_span) if previous_span else current.iloc[0:0]
    figures = pd.DataFrame(
        [
            {"label": f.label, "value": f.value, "previous": f.previous, "delta": f.delta}
            for f in trends.headline_figures(current, previous, filters.count.capitalize())
        ]
    )
    return Overview(
        figures=figures,
        volume=_volume(reader, config, filters, cube, current),
        events=events_in(reader, config, filters),
        rising=rising_terms(reader, config, filters),
    )


def trends_view(reader: Reader, config: Config, filters: Filters, periods: Sequence[pd.Timestamp] = ()) -> Trends:
    """Tone, volume and topic series with their spikes and episodes, and the articles behind the selected
    periods. One company cube serves both: the charts take its selected days, the episodes its history too."""
    history, start = _history_cube(reader, config, filters)
    cube = history[history["day"] >= pd.Timestamp(filters.date_from)].reset_index(drop=True)
    series = _series(reader, config, filters, cube, queries.day_cube(reader, filters))
    if periods:
        listed = pd.concat([headlines(reader, filters, trends.period_span(p, filters.step)) for p in periods])
    else:
        listed = headlines(reader, filters)
    return Trends(
        tone=series["tone"],
        tone_spikes=tone_spikes(series["tone"]),
        volume=series["volume"],
        topics=in_units(series["topics"], filters),
        episodes=in_units(_episodes_in(history, start, config, filters), filters),
        events=events_in(reader, config, filters),
        articles=listed,
    )


def spikes_view(reader: Reader, config: Config, filters: Filters, row: int = 0) -> Spikes:
    """Every episode, and the most negative headlines behind the one in ``row`` of the table."""
    table = with_makeup(reader, filters, find_episodes(reader, config, filters))
    if not len(table):
        columns = queries.STORY_COLUMNS if filters.stories else queries.ARTICLE_COLUMNS
        return Spikes(
            episodes=table,
            articles=pd.DataFrame(columns=columns),
            picked="",
            rising=pd.DataFrame(columns=rising.RISING_COLUMNS),
        )
    picked = table.iloc[min(max(row, 0), len(table) - 1)]
    first, last = episode_span(picked, filters.step)
    # Its stories, largest first (what drove it); counting articles, its most negative headlines.
    sort = "largest" if filters.stories else "most negative"
    return Spikes(
        episodes=table,
        articles=headlines(reader, _narrowed(filters, picked), (first, last), sort),
        picked=f"{picked['series']}, {first:%Y-%m-%d} to {last:%Y-%m-%d}",
        # Against all of the company's coverage: the topic's own headlines before an episode are few by nature.
        rising=rising_terms(reader, config, lifted(_narrowed(filters, picked)), (first, last)),
    )


def impact_event(reader: Reader, config: Config, filters: Filters) -> Event | None:
    """The event the Impact view compares around: the link's first, else the latest of the events file that
    concerns the first selected company (or every company)."""
    if filters.events:
        return filters.events[0]
    fitting = file_events(config, list(filters.companies[:1]), queries.is_demo(reader))
    return fitting[-1] if fitting else None


def impact_parties(config: Config, filters: Filters) -> tuple[str | None, list[str]]:
    """The company the Impact view is about (the first selected) and its peers (``peer=``, else the others
    selected)."""
    if not filters.companies:
        return None, []
    company = filters.companies[0]
    peers = [p for p in (filters.peers or filters.companies[1:]) if p != company]
    return company, peers


def _subject(filters: Filters) -> str:
    """What the rate counts, in words: "Burnout", "Burnout or layoffs", 'Matching "gpu"' (empty: no rate)."""
    topics = " or ".join(filters.topics)
    if filters.q:
        matching = f'matching "{filters.q}"'
        return f"{topics.capitalize()} {matching}" if topics else matching.capitalize()
    return topics.capitalize()


def impact_view(reader: Reader, config: Config, filters: Filters) -> Impact:
    """Before and after an event, for the first selected company against its peers: the topic (or keyword)
    rate per 100 of its stories and the tone toward it, each window's with its 95% interval, their change
    with its interval and p-value, and the change against the peers' (dashboard.read.impact says how)."""
    f = filters
    company, peers = impact_parties(config, f)
    event = impact_event(reader, config, f)
    empty = Impact(
        "",
        "",
        *(pd.DataFrame(columns=c) for c in (impact.MEASURE_COLUMNS, impact.VERSUS_COLUMNS)),
        pd.DataFrame(columns=impact.DAY_COLUMNS),
        pd.DataFrame(columns=EVENT_COLUMNS),
    )
    if company is None:
        return replace(
            empty,
            finding="Choose a company: the first selected is compared before and after the "
            "event, against the others selected (or the peers chosen).",
        )
    if event is None:
        return replace(
            empty, finding="Choose an event: a date in the link (event=YYYY-MM-DD:label) or one of data/events.toml."
        )
    first, last = event.day - timedelta(days=f.window), event.day + timedelta(days=f.window - 1)
    parties = [company, *peers]
    chosen = replace(f, companies=tuple(parties))
    hits = queries.company_cube(reader, chosen, parties, span=(first, last))
    every = _base_cube(reader, config, chosen, hits, (first, last))
    days = impact.daily(hits, every, company, peers, first, last)
    unit = f.count
    measures, versus = impact.assess(days, event.day, bool(peers), _narrowed_by_subject(f), unit)
    finding = impact.sentence(measures, versus, _subject(f), company, peers, f.window, event.day, unit)
    return Impact(
        finding=finding,
        event=f"{event.day.isoformat()}: {event.label}",
        measures=measures.rename(columns={"stories_before": f"{unit}_before", "stories_after": f"{unit}_after"}),
        versus=versus,
        days=days.rename(columns=lambda c: c.replace("_stories", f"_{unit}")),
        events=pd.DataFrame([_event_row(event)], columns=EVENT_COLUMNS),
    )


def compare(reader: Reader, config: Config, filters: Filters) -> Compare:
    """Companies side by side, and the company x topic matrix."""
    companies, topics = companies_of(config, filters), topics_of(config, filters)
    cube = queries.company_cube(reader, filters, companies, topics)
    base = _base_cube(reader, config, filters, cube)
    return Compare(
        companies=in_units(trends.company_summary(cube, companies), filters),
        company_topic=in_units(trends.company_topic_matrix(cube, companies, topics, base), filters),
    )


def articles(
    reader: Reader, config: Config, filters: Filters, page: int = 1, sort: str = "newest", row: int | None = None
) -> Articles:
    """One page of the selection's stories (or articles: filters.count), with each selected company's tone,
    and every copy of the story in ``row`` of the page."""
    frame, total = _page(reader, filters, sort=sort, page=page, size=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # the selection shrank under the page asked for
        page = pages
        frame, total = _page(reader, filters, sort=sort, page=page, size=PAGE_SIZE)
    for company in filters.companies:
        frame[f"tone: {company}"] = [tones.get(company) for tones in frame["company_tone"]]
    copies = pd.DataFrame(columns=queries.ARTICLE_COLUMNS)
    if filters.stories and row is not None and 0 <= row < len(frame):
        copies = queries.story_copies(reader, int(frame["id"].iloc[row]))
    return Articles(articles=frame, copies=copies, total=total, page=page, pages=pages)


def sources(reader: Reader, config: Config, filters: Filters) -> Sources:
    """Articles per publisher and per feed, feed health, and the last refresh."""
    feeds = feed_health(reader.engine)
    fetched = [f["last_fetch"] for f in feeds if f["last_fetch"]]
    health_columns = ["name", "status", "http_status", "last_fetch", "error", "warning", "articles"]
    return Sources(
        publishers=queries.publisher_counts(reader, filters),
        feeds=queries.feed_counts(reader, filters),
        health=pd.DataFrame(feeds, columns=health_columns),  # type: ignore[arg-type]
        last_refresh=max(fetched)[:19].replace("T", " ") if fetched else "never",  # type: ignore[type-var,index]
    )


@dataclass(frozen=True)
class Alerts(ViewData):
    rules: pd.DataFrame  # each [[alerts]] rule: what it watches, which episodes, how large, its targets' kinds
    sent: pd.DataFrame  # every message sent, failed, due again or sent as a test, newest first (targets masked)


def _watches(rule: AlertRule) -> str:
    parts = [", ".join(rule.companies) or "every company"]
    if rule.topic:
        parts.append(f"topic {rule.topic}")
    if rule.keyword:
        parts.append(f"keyword {rule.keyword!r}")
    return "; ".join(parts)


def alerts(reader: Reader, config: Config, filters: Filters) -> Alerts:
    """The alert rules (their targets by kind only: the URLs may hold tokens) and the messages on record."""
    rules = pd.DataFrame(
        [
            {
                "rule": r.name,
                "watches": _watches(r),
                "kind": r.kind,
                "min_stories": r.min_stories,
                "min_outlets": r.min_outlets,
                "targets": ", ".join(u.split("://", 1)[0] for u in r.notify),
            }
            for r in config.alerts
        ],
        columns=["rule", "watches", "kind", "min_stories", "min_outlets", "targets"],
    )
    return Alerts(rules=rules, sent=pd.DataFrame(sends(reader.engine), columns=SEND_COLUMNS))


VIEWS = {
    "overview": overview,
    "trends": trends_view,
    "spikes": spikes_view,
    "impact": impact_view,
    "compare": compare,
    "articles": articles,
    "sources": sources,
    "alerts": alerts,
}
