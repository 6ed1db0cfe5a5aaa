"""Read side: filters in, small DataFrames out: daily roll-ups for the charts, one page of articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Select, case, func, select

from dashboard.models import DEMO_FEED_PREFIX, label_for
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
    rollup_story_company,
    rollup_story_day,
    stories,
    story_companies,
)
from dashboard.store.search import keyword_condition

ARTICLE_COLUMNS = ["id", "published_at", "publisher", "title", "link", "tone", "tone_label", "language"]
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
    """The roll-ups have no publisher, language or words: these filters are answered from the articles."""
    return bool(filters.q or filters.sources or filters.langs)


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
        rows = facts.raw_rows(conn, statement)
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    if "published_at" in frame:
        frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    if "day" in frame:
        frame["day"] = pd.to_datetime(frame["day"])
    return frame


# The cubes' "articles" column is the count of what filters.count counts: stories (each once, on its first day,
# with the mean tone of its articles) or articles. Views name it for the page (views.in_units).
# "toned" counts those with a tone toward the company (not the ones in a language without a lexicon): the
# denominator of every tone mean.
COMPANY_CUBE = ["day", "company", "articles", "toned", "tone_sum", "tone_sq", "neg", "pos"]
TOPIC_PARTS = ("n", "t", "tone", "sq")  # per topic: articles, toned ones, tone sum, sum of squares
DAY_CUBE = ["day", "articles", "toned", "tone_sum", "tone_sq", "neg", "pos"]


def _selected_stories(
    reader: Reader, filters: Filters, span: tuple[date, date] | None
) -> tuple[facts.StoryFacts, np.ndarray]:
    """The story facts and a boolean mask of the stories the filters pick: a story is picked when one of its
    articles matches the keyword and publisher filters, it names a selected company and topic (any of its
    articles does), and it was first published within the span."""
    told = reader.story_facts()
    bits = reader.label_bits()
    article_level = replace(filters, companies=(), topics=())
    _, matching = _selected(reader, article_level, None)
    chosen = np.zeros(len(told.ids), dtype=bool)
    chosen[told.position[matching]] = True
    if span is not None:
        chosen &= (told.day >= facts.day_number(span[0])) & (told.day <= facts.day_number(span[1]))
    if filters.companies:
        chosen &= (told.company_mask & _mask_of(filters.companies, bits["company"])) != 0
    if filters.topics:
        chosen &= (told.topic_mask & _mask_of(filters.topics, bits["topic"])) != 0
    return told, chosen


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
    if filters.langs:
        wanted = set(filters.langs) | ({""} if "en" in filters.langs else set())  # "": stored before detection
        chosen &= np.isin(held.language, [i for i, code in enumerate(held.languages) if code in wanted])
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
    columns = COMPANY_CUBE + [f"{kind}:{t}" for t in topics for kind in TOPIC_PARTS]
    if _needs_articles(filters):
        if filters.stories:
            return _company_cube_of_stories(reader, filters, companies, topics, span, bits, columns)
        return _company_cube_from_facts(reader, filters, companies, topics, span, bits, columns)
    table = rollup_story_company if filters.stories else rollup_company
    r = table.c
    count = r.stories if filters.stories else r.articles
    conditions: list[object] = [r.company.in_(list(companies))]
    if span is not None:
        conditions += [r.day >= span[0], r.day <= span[1]]
    if filters.topics:
        conditions.append(r.topic_mask.bitwise_and(_mask_of(filters.topics, bits)) != 0)
    per_topic = []
    for topic in topics:
        hit = r.topic_mask.bitwise_and(bits.get(topic, 0)) != 0
        per_topic += [
            func.sum(case((hit, count), else_=0)),
            func.sum(case((hit, r.toned), else_=0)),
            func.sum(case((hit, r.tone_sum), else_=0.0)),
            func.sum(case((hit, r.tone_sq), else_=0.0)),
        ]
    sums = [func.sum(count), func.sum(r.toned), func.sum(r.tone_sum), func.sum(r.tone_sq)]
    statement = (
        select(r.day, r.company, *sums, func.sum(r.neg), func.sum(r.pos), *per_topic)
        .where(*conditions)
        .group_by(r.day, r.company)
    )
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
    wanted = np.isin(held.ac_company, [i for i, name in enumerate(held.companies) if name in set(companies)])
    rows = chosen[held.ac_position] & wanted
    position = held.ac_position[rows]
    return _company_sums(
        held.day[position],
        held.ac_company[rows],
        held.ac_tone[rows],
        held.ac_label[rows],
        held.topic_mask[position],
        held.companies,
        topics,
        bits,
        columns,
    )


def _company_cube_of_stories(
    reader: Reader,
    filters: Filters,
    companies: Sequence[str],
    topics: Sequence[str],
    span: tuple[date, date] | None,
    bits: dict[str, int],
    columns: list[str],
) -> pd.DataFrame:
    """The company cube counting the picked stories, each with its mean tone toward the company."""
    told, chosen = _selected_stories(reader, filters, span)
    names = reader.facts().companies
    wanted = np.isin(told.sc_company, [i for i, name in enumerate(names) if name in set(companies)])
    rows = chosen[told.sc_story] & wanted
    story = told.sc_story[rows]
    return _company_sums(
        told.day[story],
        told.sc_company[rows],
        told.sc_tone[rows],
        told.sc_label[rows],
        told.topic_mask[story],
        names,
        topics,
        bits,
        columns,
    )


def _company_sums(
    day: np.ndarray,
    company: np.ndarray,
    tone: np.ndarray,
    label: np.ndarray,
    topic_mask: np.ndarray,
    names: Sequence[str],
    topics: Sequence[str],
    bits: dict[str, int],
    columns: list[str],
) -> pd.DataFrame:
    """Company cube rows from one row per (article or story, company): its day, tone toward it (NaN: none)
    and topics."""
    toned = ~np.isnan(tone)
    tone = np.where(toned, tone, 0.0)
    values = {
        "articles": np.ones(len(tone)),
        "toned": toned.astype(float),
        "tone_sum": tone,
        "tone_sq": tone * tone,
        "neg": (label == -1).astype(float),
        "pos": (label == 1).astype(float),
    }
    for topic in topics:
        hit = ((topic_mask & bits.get(topic, 0)) != 0).astype(float)
        values[f"n:{topic}"] = hit
        values[f"t:{topic}"] = hit * toned
        values[f"tone:{topic}"] = hit * tone
        values[f"sq:{topic}"] = hit * tone * tone
    width = max(len(names), 1)
    keys, sums = _sums(day.astype(np.int64) * width + company.astype(np.int64), values)
    frame = pd.DataFrame({name: sums[name] for name in columns[2:]})
    frame.insert(0, "company", [names[k % width] for k in keys])
    frame.insert(0, "day", _days(keys // width))
    for name in ("articles", "toned", "neg", "pos", *(c for c in columns if c.startswith(("n:", "t:")))):
        frame[name] = frame[name].astype(int)
    return frame


def day_cube(reader: Reader, filters: Filters, span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Per day: the selection's articles and sums of their overall tone (an article naming two of the
    selected companies counts once). From the day roll-up, or the per-article facts for a keyword or
    publisher filter."""
    span = span if span is not None else filters.span()
    if _needs_articles(filters):
        if filters.stories:
            told, chosen = _selected_stories(reader, filters, span)
            days, tone, label = told.day[chosen], told.tone[chosen], told.label[chosen]
        else:
            held, chosen = _selected(reader, filters, span)
            days, tone, label = held.day[chosen], held.tone[chosen], held.label[chosen]
        toned = ~np.isnan(tone)
        tone = np.where(toned, tone, 0.0)
        keys, sums = _sums(
            days,
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
    r = (rollup_story_day if filters.stories else rollup_day).c
    conditions: list[object] = [r.day >= span[0], r.day <= span[1]] if span is not None else []
    if filters.companies:
        conditions.append(r.company_mask.bitwise_and(_mask_of(filters.companies, bits["company"])) != 0)
    if filters.topics:
        conditions.append(r.topic_mask.bitwise_and(_mask_of(filters.topics, bits["topic"])) != 0)
    count = r.stories if filters.stories else r.articles
    sums = [func.sum(count), func.sum(r.toned), func.sum(r.tone_sum), func.sum(r.tone_sq)]
    statement = select(r.day, *sums, func.sum(r.neg), func.sum(r.pos)).where(*conditions).group_by(r.day)
    return _frame(reader, statement, DAY_CUBE)


def selection_size(reader: Reader, filters: Filters, span: tuple[date, date] | None = None) -> int:
    """How many stories (or articles, by filters.count) the filters pick."""
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


STORY_COLUMNS = [*ARTICLE_COLUMNS, "outlets", "articles"]
STORY_SORTS = ("newest", "oldest", "most negative", "most positive", "largest")


def _story_mean() -> object:
    return case((stories.c.toned > 0, stories.c.tone_sum / stories.c.toned), else_=None)


def _story_conditions(reader: Reader, filters: Filters, span: tuple[date, date] | None) -> list[object]:
    """Conditions on ``stories`` for the filters the story roll-ups answer (dates, companies, topics)."""
    bits = reader.label_bits()
    conditions: list[object] = []
    if span is not None:
        conditions += [stories.c.day >= span[0], stories.c.day <= span[1]]
    if filters.companies:
        conditions.append(stories.c.company_mask.bitwise_and(_mask_of(filters.companies, bits["company"])) != 0)
    if filters.topics:
        conditions.append(stories.c.topic_mask.bitwise_and(_mask_of(filters.topics, bits["topic"])) != 0)
    return conditions


def _story_order(sort: str) -> tuple[object, ...]:
    mean = _story_mean()
    return {
        "newest": (stories.c.first_published_at.desc(), stories.c.id.desc()),
        "oldest": (stories.c.first_published_at.asc(), stories.c.id.asc()),
        "most negative": (mean.asc().nulls_last(), stories.c.id.desc()),  # type: ignore[attr-defined]
        "most positive": (mean.desc().nulls_last(), stories.c.id.desc()),  # type: ignore[attr-defined]
        "largest": (stories.c.articles.desc(), stories.c.first_published_at.asc(), stories.c.id.asc()),
    }[sort]


def _story_page_ids(told: facts.StoryFacts, chosen: np.ndarray, sort: str, page: int, size: int) -> list[int]:
    """The story ids on one page of the chosen stories in the given order (as _story_order sorts in SQL)."""
    positions = np.flatnonzero(chosen)
    ids, published, tone = told.ids[positions], told.published[positions], told.tone[positions]
    keys = {  # np.lexsort sorts by the last key first
        "newest": (-ids, -published),
        "oldest": (ids, published),
        "most negative": (-ids, tone),
        "most positive": (-ids, -tone),
        "largest": (ids, published, -told.articles[positions]),
    }[sort]
    ordered = positions[np.lexsort(keys)]
    start = max(0, page - 1) * size
    return [int(i) for i in told.ids[ordered[start : start + size]]]


def story_page(
    reader: Reader,
    filters: Filters,
    *,
    sort: str = "newest",
    page: int = 1,
    size: int = 50,
    span: tuple[date, date] | None = None,
    count: bool = True,
) -> tuple[pd.DataFrame, int]:
    """One page of the selection's stories, one row each: its earliest article's headline, publisher, link and
    time, its number of outlets and articles, its mean tone, companies (with the mean tone
    toward each) and topics; and how many stories the selection holds (-1 when not ``count``ed)."""
    span = span if span is not None else filters.span()
    total = selection_size(reader, filters, span) if count else -1
    if _needs_articles(filters):
        page_ids = _story_page_ids(*_selected_stories(reader, filters, span), sort, page, size)
    else:
        with reader.engine.connect() as conn:
            page_ids = list(
                conn.execute(
                    select(stories.c.id)
                    .where(*_story_conditions(reader, filters, span))
                    .order_by(*_story_order(sort))
                    .limit(size)
                    .offset(max(0, page - 1) * size)
                ).scalars()
            )
    return _story_rows(reader, page_ids), total


def _story_rows(reader: Reader, ids: Sequence[int]) -> pd.DataFrame:
    """The rows of some stories, in the order given: each shown by its earliest article."""
    wanted = list(ids) or [-1]
    copies = articles.alias("copies")
    # Each story's earliest article and its number of outlets, from the story index alone (ix_articles_story).
    lead = (
        select(copies.c.id)
        .where(copies.c.story_id == stories.c.id)
        .order_by(copies.c.published_at, copies.c.id)
        .limit(1)
        .correlate(stories)
        .scalar_subquery()
    )
    outlets = (
        select(func.count(func.distinct(copies.c.publisher)))
        .where(copies.c.story_id == stories.c.id)
        .correlate(stories)
        .scalar_subquery()
    )
    statement = (
        select(
            stories.c.id,
            stories.c.articles.label("size"),
            _story_mean().label("mean"),
            stories.c.topic_mask,
            outlets.label("outlets"),
            articles.c.published_at,
            articles.c.publisher,
            articles.c.title,
            articles.c.link,
            articles.c.summary,
        )
        .join_from(stories, articles, articles.c.id == lead)
        .where(stories.c.id.in_(wanted))  # type: ignore[arg-type]
    )
    with reader.engine.connect() as conn:
        found = {r.id: r for r in conn.execute(statement)}
        tones: dict[int, dict[str, float]] = {}
        c = story_companies.c
        for story, company, toned, tone_sum in conn.execute(
            select(c.story_id, c.company, c.toned, c.tone_sum).where(c.story_id.in_(wanted), c.toned > 0)
        ):
            tones.setdefault(story, {})[company] = tone_sum / toned
    topic_bits = reader.label_bits()["topic"]
    records = []
    for story in ids:
        r = found.get(story)
        if r is None:
            continue
        records.append(
            {
                "id": r.id,
                "published_at": r.published_at,
                "publisher": r.publisher,
                "title": r.title,
                "link": r.link,
                "tone": r.mean,
                "tone_label": label_for(r.mean) if r.mean is not None else None,
                "outlets": int(r.outlets),
                "articles": int(r.size),
                "summary": r.summary,
                "companies": ", ".join(sorted(tones.get(r.id, {}))),
                "topics": ", ".join(sorted(n for n, bit in topic_bits.items() if r.topic_mask & bit)),
                "company_tone": tones.get(r.id, {}),
            }
        )
    frame = pd.DataFrame(records, columns=[*STORY_COLUMNS, "summary", "companies", "topics", "company_tone"])
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame


def selection_headlines(reader: Reader, filters: Filters, span: tuple[date, date]) -> list[str]:
    """The selection's headlines in a span: each story's once (the headline it was first stored with),
    counting stories; every article's, counting articles."""
    if filters.stories and not _needs_articles(filters):
        statement = (
            select(articles.c.title)
            .select_from(stories.join(articles, articles.c.id == stories.c.id))
            .where(*_story_conditions(reader, filters, span))
        )
        with reader.engine.connect() as conn:
            return [r[0] for r in facts.raw_rows(conn, statement)]
    statement = select(articles.c.story_id, articles.c.title).where(*_article_conditions(reader, filters, span))
    with reader.engine.connect() as conn:
        rows = facts.raw_rows(conn, statement)
    if not filters.stories:
        return [title for _, title in rows]
    first: dict[int, str] = {}
    for story, title in rows:
        first.setdefault(story, title)
    return list(first.values())


def story_copies(reader: Reader, story: int) -> pd.DataFrame:
    """Every article of one story, earliest first: the copies behind a story's row."""
    statement = (
        select(*(articles.c[c] for c in ARTICLE_COLUMNS))
        .where(articles.c.story_id == story)
        .order_by(articles.c.published_at, articles.c.id)
    )
    return _frame(reader, statement, ARTICLE_COLUMNS)


def story_summary(
    reader: Reader, filters: Filters, span: tuple[date, date], top: int = 5
) -> tuple[int, int, int, pd.DataFrame]:
    """Stories, articles and outlets of a selection in a span, and its ``top`` largest stories (an episode's
    make-up: how many distinct stories, how many copies, how many outlets ran them, and which drove it)."""
    chosen_filters = replace(filters, count="stories")
    if _needs_articles(filters):
        told, chosen = _selected_stories(reader, chosen_filters, span)
        held = reader.facts()
        in_chosen = chosen[told.position]
        n_stories, n_articles = int(chosen.sum()), int(in_chosen.sum())
        n_outlets = len(np.unique(held.publisher[in_chosen]))
    else:
        picked = select(stories.c.id).where(*_story_conditions(reader, chosen_filters, span))
        with reader.engine.connect() as conn:
            n_stories, n_articles = conn.execute(
                select(func.count(), func.coalesce(func.sum(stories.c.articles), 0)).where(
                    *_story_conditions(reader, chosen_filters, span)
                )
            ).one()
            n_outlets = conn.execute(
                select(func.count(func.distinct(articles.c.publisher))).where(articles.c.story_id.in_(picked))
            ).scalar_one()
    largest, _ = story_page(reader, chosen_filters, sort="largest", size=top, span=span, count=False)
    return int(n_stories), int(n_articles), int(n_outlets), largest


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
        hit = conn.execute(select(feeds.c.id).where(feeds.c.name.startswith(DEMO_FEED_PREFIX)).limit(1)).first()
    return hit is not None
