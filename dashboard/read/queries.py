"""Read side: filters in, small DataFrames out: daily roll-ups for the charts, one page of articles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Select, case, func, select

from dashboard.read.filters import Filters
from dashboard.read.reader import Reader
from dashboard.store import facts, rollups
from dashboard.store.schema import (
    article_companies,
    article_feeds,
    article_topics,
    articles,
    feeds,
    rollup_company,
    rollup_day,
)
from dashboard.store.search import keyword_condition

ARTICLE_COLUMNS = ["id", "published_at", "publisher", "title", "link", "tone", "tone_label"]
SORTS = {
    "newest": (articles.c.published_at.desc(), articles.c.id.desc()),
    "oldest": (articles.c.published_at.asc(), articles.c.id.asc()),
    "most negative": (articles.c.tone.asc(), articles.c.id.desc()),
    "most positive": (articles.c.tone.desc(), articles.c.id.desc()),
}


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _mask_of(names: Sequence[str], bits: dict[str, int]) -> int:
    return rollups.mask((n for n in names if n in bits), bits)


def _needs_articles(filters: Filters) -> bool:
    """The roll-ups have no publisher or words: these filters are answered from the articles."""
    return bool(filters.q or filters.sources)


def _article_conditions(reader: Reader, filters: Filters, span: tuple[date, date] | None) -> list[object]:
    """Conditions on ``articles`` for every filter (the keyword through the full-text index)."""
    bits = reader.label_bits()
    conditions: list[object] = []
    if span is not None:
        conditions.append(articles.c.published_at >= _start(span[0]))
        conditions.append(articles.c.published_at < _start(span[1] + timedelta(days=1)))
    if filters.sources:
        conditions.append(articles.c.publisher.in_(filters.sources))
    if filters.companies:
        conditions.append(articles.c.company_mask.bitwise_and(_mask_of(filters.companies, bits["company"])) != 0)
    if filters.topics:
        conditions.append(articles.c.topic_mask.bitwise_and(_mask_of(filters.topics, bits["topic"])) != 0)
    if filters.q:
        conditions.append(keyword_condition(filters.q, reader.dialect))
    return conditions


def _frame(reader: Reader, statement: Select, columns: Sequence[str]) -> pd.DataFrame:
    """Run a select into a DataFrame (rows as plain tuples: pandas probes Row objects slowly)."""
    with reader.engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(statement)]
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    if "published_at" in frame:
        frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    if "day" in frame:
        frame["day"] = pd.to_datetime(frame["day"])
    return frame


COMPANY_CUBE = ["day", "company", "articles", "tone_sum", "tone_sq", "neg", "pos"]
DAY_CUBE = ["day", "articles", "toned", "tone_sum", "tone_sq", "neg", "pos"]


def _selected(reader: Reader, filters: Filters, span: tuple[date, date] | None) -> tuple[facts.Facts, np.ndarray]:
    """The per-article facts and a boolean mask of the articles every filter picks."""
    held = reader.facts()
    bits = reader.label_bits()
    chosen = np.ones(len(held.ids), dtype=bool)
    if span is not None:
        chosen &= (held.day >= facts.day_number(span[0])) & (held.day <= facts.day_number(span[1]))
    if filters.sources:
        codes = [i for i, name in enumerate(held.publishers) if name in set(filters.sources)]
        chosen &= np.isin(held.publisher, codes)
    if filters.companies:
        chosen &= (held.company_mask & _mask_of(filters.companies, bits["company"])) != 0
    if filters.topics:
        chosen &= (held.topic_mask & _mask_of(filters.topics, bits["topic"])) != 0
    if filters.q:
        matching = np.zeros(len(held.ids), dtype=bool)
        matching[held.positions(reader.keyword_ids(filters.q))] = True
        chosen &= matching
    return held, chosen


def _sums(keys: np.ndarray, columns: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Distinct keys and the sum of each column per key."""
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, {
        name: np.bincount(inverse, weights=values, minlength=len(unique)) for name, values in columns.items()
    }


def _days(numbers: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(numbers.astype("datetime64[D]")), name="day")


def company_cube(
    reader: Reader,
    filters: Filters,
    companies: Sequence[str],
    topics: Sequence[str] = (),
    span: tuple[date, date] | None = None,
) -> pd.DataFrame:
    """Per day and company: articles in the selection naming the company and sums of the tone toward it,
    plus, per topic in ``topics``, the articles among them mentioning it (``n:<topic>``), their tone sum
    (``tone:<topic>``) and sum of squares (``sq:<topic>``). Summed in the database from the company roll-up;
    with a keyword or publisher filter, from the per-article facts (dashboard.store.facts). At most one row per
    day and company comes back."""
    span = span if span is not None else filters.span()
    bits = reader.label_bits()["topic"]
    columns = COMPANY_CUBE + [f"{kind}:{t}" for t in topics for kind in ("n", "tone", "sq")]
    if _needs_articles(filters):
        return _company_cube_from_facts(reader, filters, companies, topics, span, bits, columns)
    r = rollup_company.c
    conditions: list[object] = [r.company.in_(list(companies))]
    if span is not None:
        conditions += [r.day >= span[0], r.day <= span[1]]
    if filters.topics:
        conditions.append(r.topic_mask.bitwise_and(_mask_of(filters.topics, bits)) != 0)
    per_topic = []
    for topic in topics:
        hit = r.topic_mask.bitwise_and(bits.get(topic, 0)) != 0
        per_topic += [
            func.sum(case((hit, r.articles), else_=0)),
            func.sum(case((hit, r.tone_sum), else_=0.0)),
            func.sum(case((hit, r.tone_sq), else_=0.0)),
        ]
    sums = [func.sum(r.articles), func.sum(r.tone_sum), func.sum(r.tone_sq), func.sum(r.neg), func.sum(r.pos)]
    statement = select(r.day, r.company, *sums, *per_topic).where(*conditions).group_by(r.day, r.company)
    return _frame(reader, statement, columns)


def _company_cube_from_facts(
    reader: Reader,
    filters: Filters,
    companies: Sequence[str],
    topics: Sequence[str],
    span: tuple[date, date] | None,
    bits: dict[str, int],
    columns: list[str],
) -> pd.DataFrame:
    held, chosen = _selected(reader, filters, span)
    wanted = [i for i, name in enumerate(held.companies) if name in set(companies)]
    rows = chosen[held.ac_position] & np.isin(held.ac_company, wanted)
    position, company = held.ac_position[rows], held.ac_company[rows].astype(np.int64)
    tone, label, topic_mask = held.ac_tone[rows], held.ac_label[rows], held.topic_mask[position]
    values = {
        "articles": np.ones(len(tone)),
        "tone_sum": tone,
        "tone_sq": tone * tone,
        "neg": (label == -1).astype(float),
        "pos": (label == 1).astype(float),
    }
    for topic in topics:
        hit = ((topic_mask & bits.get(topic, 0)) != 0).astype(float)
        values[f"n:{topic}"] = hit
        values[f"tone:{topic}"] = hit * tone
        values[f"sq:{topic}"] = hit * tone * tone
    width = max(len(held.companies), 1)
    keys, sums = _sums(held.day[position].astype(np.int64) * width + company, values)
    frame = pd.DataFrame({name: sums[name] for name in columns[2:]})
    frame.insert(0, "company", [held.companies[k % width] for k in keys])
    frame.insert(0, "day", _days(keys // width))
    for name in ("articles", "neg", "pos", *(c for c in columns if c.startswith("n:"))):
        frame[name] = frame[name].astype(int)
    return frame


def day_cube(reader: Reader, filters: Filters, span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Per day: the selection's articles and sums of their overall tone (an article naming two of the
    selected companies counts once). From the day roll-up, or the per-article facts for a keyword or
    publisher filter."""
    span = span if span is not None else filters.span()
    if _needs_articles(filters):
        held, chosen = _selected(reader, filters, span)
        tone = held.tone[chosen]
        toned = ~np.isnan(tone)
        tone = np.where(toned, tone, 0.0)
        label = held.label[chosen]
        keys, sums = _sums(
            held.day[chosen],
            {
                "articles": np.ones(len(tone)),
                "toned": toned.astype(float),
                "tone_sum": tone,
                "tone_sq": tone * tone,
                "neg": (label == -1).astype(float),
                "pos": (label == 1).astype(float),
            },
        )
        frame = pd.DataFrame({"day": _days(keys), **sums})
        for name in ("articles", "toned", "neg", "pos"):
            frame[name] = frame[name].astype(int)
        return frame[DAY_CUBE]
    bits = reader.label_bits()
    r = rollup_day.c
    conditions: list[object] = [r.day >= span[0], r.day <= span[1]] if span is not None else []
    if filters.companies:
        conditions.append(r.company_mask.bitwise_and(_mask_of(filters.companies, bits["company"])) != 0)
    if filters.topics:
        conditions.append(r.topic_mask.bitwise_and(_mask_of(filters.topics, bits["topic"])) != 0)
    sums = [func.sum(r.articles), func.sum(r.toned), func.sum(r.tone_sum), func.sum(r.tone_sq)]
    statement = select(r.day, *sums, func.sum(r.neg), func.sum(r.pos)).where(*conditions).group_by(r.day)
    return _frame(reader, statement, DAY_CUBE)


def selection_size(reader: Reader, filters: Filters, span: tuple[date, date] | None = None) -> int:
    """How many articles the filters pick."""
    return int(day_cube(reader, filters, span)["articles"].sum())


def article_page(
    reader: Reader,
    filters: Filters,
    *,
    sort: str = "newest",
    page: int = 1,
    size: int = 50,
    span: tuple[date, date] | None = None,
    count: bool = True,
) -> tuple[pd.DataFrame, int]:
    """One page of the selection's articles (``span`` narrows the dates, as for the headlines behind a
    spike) with their companies and topics, and the selection's size (-1 when not ``count``ed: the
    headline tables under the charts need none)."""
    span = span if span is not None else filters.span()
    total = selection_size(reader, filters, span) if count else -1
    columns = select(*(articles.c[c] for c in ARTICLE_COLUMNS), articles.c.summary)
    with reader.engine.connect() as conn:
        if _needs_articles(filters):
            # The facts pick the page's ids (the index found the keyword's articles); fetch just those.
            page_ids = _page_ids(*_selected(reader, filters, span), sort, page, size)
            found = {r.id: r for r in conn.execute(columns.where(articles.c.id.in_(page_ids or [-1])))}
            rows = [found[i] for i in page_ids if i in found]
        else:
            rows = conn.execute(
                columns.where(*_article_conditions(reader, filters, span))
                .order_by(*SORTS[sort])
                .limit(size)
                .offset(max(0, page - 1) * size)
            ).all()
            page_ids = [r.id for r in rows]
        companies = conn.execute(
            select(article_companies.c.article_id, article_companies.c.company, article_companies.c.tone).where(
                article_companies.c.article_id.in_(page_ids or [-1])
            )
        ).all()
        topics = conn.execute(
            select(article_topics.c.article_id, article_topics.c.topic).where(
                article_topics.c.article_id.in_(page_ids or [-1])
            )
        ).all()
    frame = pd.DataFrame(rows, columns=[*ARTICLE_COLUMNS, "summary"])
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    by_article: dict[int, dict[str, float]] = {}
    for article_id, company, tone in companies:
        by_article.setdefault(article_id, {})[company] = tone
    topic_names: dict[int, list[str]] = {}
    for article_id, topic in topics:
        topic_names.setdefault(article_id, []).append(topic)
    frame["companies"] = [", ".join(sorted(by_article.get(i, {}))) for i in frame["id"]]
    frame["topics"] = [", ".join(sorted(topic_names.get(i, []))) for i in frame["id"]]
    frame["company_tone"] = [by_article.get(i, {}) for i in frame["id"]]
    return frame, total


def _page_ids(held: facts.Facts, chosen: np.ndarray, sort: str, page: int, size: int) -> list[int]:
    """The ids on one page of the chosen articles in the given order (ties broken by id, as in SORTS)."""
    positions = np.flatnonzero(chosen)
    ids, published, tone = held.ids[positions], held.published[positions], held.tone[positions]
    keys = {  # np.lexsort sorts by the last key first
        "newest": (-ids, -published),
        "oldest": (ids, published),
        "most negative": (-ids, tone),
        "most positive": (-ids, -tone),
    }[sort]
    ordered = positions[np.lexsort(keys)]
    start = max(0, page - 1) * size
    return [int(i) for i in held.ids[ordered[start : start + size]]]


def data_bounds(reader: Reader) -> tuple[date, date] | None:
    """Dates of the oldest and newest stored article (UTC), or None for an empty store."""
    with reader.engine.connect() as conn:  # two queries: each one reads a single end of the index
        first = conn.execute(select(func.min(articles.c.published_at))).scalar()
        last = conn.execute(select(func.max(articles.c.published_at))).scalar()
    if first is None:
        return None
    return first.date(), last.date()


def publishers(reader: Reader, limit: int = 500) -> list[str]:
    """Publishers by number of articles, most first (the choices of the source filter)."""
    n = func.count().label("n")
    with reader.engine.connect() as conn:
        return list(
            conn.execute(
                select(articles.c.publisher, n)
                .group_by(articles.c.publisher)
                .order_by(n.desc(), articles.c.publisher)
                .limit(limit)
            ).scalars()
        )


def publisher_counts(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Articles per publisher in the selection, most first (counted in the per-article facts: a GROUP BY over
    a year of a million articles took a second)."""
    held, chosen = _selected(reader, filters, filters.span())
    counts = np.bincount(held.publisher[chosen], minlength=len(held.publishers))
    frame = pd.DataFrame({"publisher": list(held.publishers), "articles": counts})
    frame = frame[frame["articles"] > 0].sort_values(["articles", "publisher"], ascending=[False, True])
    return frame.reset_index(drop=True)


def feed_counts(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Articles per feed in the selection."""
    n = func.count().label("articles")
    statement = (
        select(feeds.c.name, n)
        .select_from(
            feeds.join(article_feeds, article_feeds.c.feed_id == feeds.c.id).join(
                articles, articles.c.id == article_feeds.c.article_id
            )
        )
        .where(*_article_conditions(reader, filters, filters.span()))
        .group_by(feeds.c.name)
        .order_by(n.desc(), feeds.c.name)
    )
    return _frame(reader, statement, ["feed", "articles"])


def is_demo(reader: Reader) -> bool:
    """True when the store holds the synthetic demo corpus."""
    with reader.engine.connect() as conn:
        return conn.execute(select(feeds.c.id).where(feeds.c.name.like("Demo:%")).limit(1)).first() is not None
