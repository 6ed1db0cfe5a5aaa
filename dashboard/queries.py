"""Read side: filters in, small DataFrames out (the selection's articles, company and topic rows, one page)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, Select, and_, exists, func, or_, select

from dashboard.filters import Filters
from dashboard.schema import article_companies, article_feeds, article_topics, articles, feeds
from dashboard.terms import keyword_regex

ARTICLE_COLUMNS = ["id", "published_at", "publisher", "title", "link", "tone", "tone_label"]
SORTS = {
    "newest": (articles.c.published_at.desc(), articles.c.id.desc()),
    "oldest": (articles.c.published_at.asc(), articles.c.id.asc()),
    "most negative": (articles.c.tone.asc(), articles.c.id.desc()),
    "most positive": (articles.c.tone.desc(), articles.c.id.desc()),
}


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _conditions(filters: Filters, span: tuple[date, date] | None) -> list[object]:
    """SQL conditions for everything but the keyword's word-boundary check."""
    conditions: list[object] = []
    if span is not None:
        conditions.append(articles.c.published_at >= _start(span[0]))
        conditions.append(articles.c.published_at < _start(span[1] + timedelta(days=1)))
    if filters.sources:
        conditions.append(articles.c.publisher.in_(filters.sources))
    if filters.companies:
        conditions.append(
            exists().where(
                article_companies.c.article_id == articles.c.id, article_companies.c.company.in_(filters.companies)
            )
        )
    if filters.topics:
        conditions.append(
            exists().where(article_topics.c.article_id == articles.c.id, article_topics.c.topic.in_(filters.topics))
        )
    if filters.q:
        # A cheap prefilter: every literal word of the keyword must occur somewhere; the regex decides.
        for word in re.findall(r"[^\s*#|]+", filters.q.lower()):
            like = f"%{word}%"
            conditions.append(or_(func.lower(articles.c.title).like(like), func.lower(articles.c.summary).like(like)))
    return conditions


def _keyword_ids(engine: Engine, filters: Filters, conditions: list[object]) -> list[int] | None:
    """Ids of articles whose title or summary contains the keyword by the topic matching rules."""
    if not filters.q:
        return None
    pattern = keyword_regex(filters.q)
    with engine.connect() as conn:
        rows = conn.execute(select(articles.c.id, articles.c.title, articles.c.summary).where(and_(*conditions)))
        return [r.id for r in rows if pattern.search(r.title) or pattern.search(r.summary or "")]


def _selection(engine: Engine, filters: Filters, span: tuple[date, date] | None) -> Select:
    """A select of the ids of the articles the filters pick."""
    conditions = _conditions(filters, span)
    ids = _keyword_ids(engine, filters, conditions)
    if ids is not None:
        conditions.append(articles.c.id.in_(ids or [-1]))
    return select(articles.c.id).where(and_(*conditions))


def _frame(engine: Engine, statement: Select, columns: Sequence[str]) -> pd.DataFrame:
    """Run a select into a DataFrame (rows as plain tuples: pandas probes Row objects slowly)."""
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(statement)]
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    if "published_at" in frame:
        frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame


def selected_articles(engine: Engine, filters: Filters, span: tuple[date, date] | None = None) -> pd.DataFrame:
    """The selection's articles (one row each), for totals and headline figures."""
    span = span if span is not None else filters.span()
    ids = _selection(engine, filters, span).subquery()
    statement = select(*(articles.c[c] for c in ARTICLE_COLUMNS)).where(articles.c.id.in_(select(ids.c.id)))
    return _frame(engine, statement, ARTICLE_COLUMNS)


def company_rows(
    engine: Engine, filters: Filters, companies: Sequence[str], span: tuple[date, date] | None = None
) -> pd.DataFrame:
    """One row per (article, company) in the selection, for the given companies, with that company's tone."""
    span = span if span is not None else filters.span()
    ids = _selection(engine, filters, span).subquery()
    statement = (
        select(
            articles.c.id,
            articles.c.published_at,
            article_companies.c.company,
            article_companies.c.tone,
            article_companies.c.tone_label,
        )
        .join(article_companies, article_companies.c.article_id == articles.c.id)
        .where(articles.c.id.in_(select(ids.c.id)), article_companies.c.company.in_(list(companies)))
    )
    return _frame(engine, statement, ["id", "published_at", "company", "tone", "tone_label"])


def topic_rows(engine: Engine, filters: Filters, topics: Sequence[str]) -> pd.DataFrame:
    """One row per (article, topic) in the selection, with the number of mentions."""
    ids = _selection(engine, filters, filters.span()).subquery()
    statement = (
        select(articles.c.id, articles.c.published_at, article_topics.c.topic, article_topics.c.mentions)
        .join(article_topics, article_topics.c.article_id == articles.c.id)
        .where(articles.c.id.in_(select(ids.c.id)), article_topics.c.topic.in_(list(topics)))
    )
    return _frame(engine, statement, ["id", "published_at", "topic", "mentions"])


def article_page(
    engine: Engine,
    filters: Filters,
    *,
    sort: str = "newest",
    page: int = 1,
    size: int = 50,
    only_ids: Sequence[int] | None = None,
) -> tuple[pd.DataFrame, int]:
    """One page of the selection's articles with their companies and topics, and the selection's size."""
    ids = _selection(engine, filters, filters.span())
    if only_ids is not None:
        ids = ids.where(articles.c.id.in_(list(only_ids) or [-1]))
    ids_sub = ids.subquery()
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(ids_sub)).scalar_one()
        rows = conn.execute(
            select(*(articles.c[c] for c in ARTICLE_COLUMNS), articles.c.summary)
            .where(articles.c.id.in_(select(ids_sub.c.id)))
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


def data_bounds(engine: Engine) -> tuple[date, date] | None:
    """Dates of the oldest and newest stored article (UTC), or None for an empty store."""
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(articles.c.published_at), func.max(articles.c.published_at))).one()
    if first is None:
        return None
    return first.date(), last.date()


def publishers(engine: Engine, limit: int = 500) -> list[str]:
    """Publishers by number of articles, most first (the choices of the source filter)."""
    n = func.count().label("n")
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(articles.c.publisher, n)
                .group_by(articles.c.publisher)
                .order_by(n.desc(), articles.c.publisher)
                .limit(limit)
            ).scalars()
        )


def publisher_counts(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Articles per publisher in the selection."""
    ids = _selection(engine, filters, filters.span()).subquery()
    n = func.count().label("articles")
    statement = (
        select(articles.c.publisher, n)
        .where(articles.c.id.in_(select(ids.c.id)))
        .group_by(articles.c.publisher)
        .order_by(n.desc(), articles.c.publisher)
    )
    return _frame(engine, statement, ["publisher", "articles"])


def feed_counts(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Articles per feed in the selection."""
    ids = _selection(engine, filters, filters.span()).subquery()
    n = func.count().label("articles")
    statement = (
        select(feeds.c.name, n)
        .join(article_feeds, article_feeds.c.feed_id == feeds.c.id)
        .where(article_feeds.c.article_id.in_(select(ids.c.id)))
        .group_by(feeds.c.name)
        .order_by(n.desc(), feeds.c.name)
    )
    return _frame(engine, statement, ["feed", "articles"])


def is_demo(engine: Engine) -> bool:
    """True when the store holds the synthetic demo corpus."""
    with engine.connect() as conn:
        return conn.execute(select(feeds.c.id).where(feeds.c.name.like("Demo:%")).limit(1)).first() is not None
