"""Write each feed's articles, de-duplicated, with their analysis and fetch state, in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from dashboard.analyse import likeness
from dashboard.collect.normalize import article_keys
from dashboard.models import Article, ArticleAnalysis, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.store import rollups, stories, windows
from dashboard.store.schema import (
    any_of,
    article_companies,
    article_feeds,
    article_topics,
    articles,
    chunks,
    feeds,
    insert_many,
)
from dashboard.store.schema import article_keys as article_keys_table

AnalyseMany = Callable[[Sequence[tuple[str, str]]], list[ArticleAnalysis]]  # [(title, summary)] -> analyses


def hash_key(key: str) -> str:
    """A fixed-width digest of a de-duplication key, so long URLs index cheaply everywhere."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def hashed_keys(items: Sequence[Article], feed_name: str) -> list[list[str]]:
    """Each article's de-duplication keys, hashed: pure, so analysis workers can compute them ahead."""
    return [[hash_key(k) for k in article_keys(a, feed_name)] for a in items]


@dataclass(frozen=True)
class StoreOutcome:
    """What storing one feed did: articles new to the database and ones already known."""

    new: int
    known: int


@dataclass(frozen=True)
class FeedState:
    """A feed's validators from its last successful fetch, for the next conditional GET."""

    etag: str | None
    last_modified: str | None


def feed_states(engine: Engine, names: Iterable[str]) -> dict[str, FeedState]:
    """Stored ETag/Last-Modified per feed name (feeds never fetched are absent)."""
    names = list(names)
    states: dict[str, FeedState] = {}
    with engine.connect() as conn:
        for chunk in chunks(names):
            rows = conn.execute(
                select(feeds.c.name, feeds.c.etag, feeds.c.last_modified).where(feeds.c.name.in_(chunk))
            )
            states.update({r.name: FeedState(r.etag, r.last_modified) for r in rows})
    return states


def _feed_id(conn: Connection, spec: FeedSpec) -> int:
    """The feed's row id, creating the row on first sight and keeping its URL current."""
    row = conn.execute(select(feeds.c.id, feeds.c.url).where(feeds.c.name == spec.name)).first()
    if row is None:
        return conn.execute(
            insert(feeds).values(name=spec.name, url=spec.url, company=spec.company).returning(feeds.c.id)
        ).scalar_one()
    if row.url != spec.url:
        conn.execute(update(feeds).where(feeds.c.id == row.id).values(url=spec.url))
    return row.id


def write_analysis_rows(conn: Connection, analysed: Sequence[tuple[int, ArticleAnalysis]]) -> None:
    """Insert the company and topic rows of analysed articles (their old rows must be gone)."""
    companies = [
        {
            "article_id": i,
            "company": name,
            "mentions": c.mentions,
            "tone": c.tone.compound if c.tone else None,
            "tone_label": c.tone.label if c.tone else None,
        }
        for i, analysis in analysed
        for name, c in analysis.companies.items()
    ]
    topics = [
        {"article_id": i, "topic": name, "mentions": n}
        for i, analysis in analysed
        for name, n in analysis.topics.items()
    ]
    if companies:
        insert_many(conn, article_companies, companies)
    if topics:
        insert_many(conn, article_topics, topics)


def _allocate_ids(conn: Connection, count: int) -> list[int]:
    """Ids for new articles, so a batch inserts in one statement without RETURNING row by row.
    SQLite: the caller already holds the write lock (see _record). PostgreSQL: from the id sequence."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence('articles', 'id')) FROM generate_series(1, :n)"), {"n": count}
        )
        return [int(r[0]) for r in rows]
    last = conn.execute(select(func.coalesce(func.max(articles.c.id), 0))).scalar_one()
    return list(range(last + 1, last + 1 + count))


def _write_articles(
    conn: Connection,
    feed_id: int,
    feed_name: str,
    items: Sequence[Article],
    seen_at: datetime,
    analyse: AnalyseMany | None,
    keys: Sequence[list[str]] | None,
) -> StoreOutcome:
    """Insert new articles, link known ones to this feed, and record every key of each."""
    keyed = list(zip(items, keys if keys is not None else hashed_keys(items, feed_name), strict=True))
    all_keys = sorted({k for _, article_hashes in keyed for k in article_hashes})
    owner: dict[str, int] = {}
    # Driver-level: compiling an IN list of 500 bound parameters costs more than the lookup itself.
    for where, params in any_of(conn, "key_hash", all_keys, "TEXT"):
        rows = conn.exec_driver_sql(f"SELECT key_hash, article_id FROM {article_keys_table.name} WHERE {where}", params)
        owner.update(dict(rows.all()))
    # Resolve each entry to an existing article or to a new one (an earlier entry of this batch may be it).
    ref_of: dict[str, tuple[str, int]] = {k: ("db", article_id) for k, article_id in owner.items()}
    new_rows: list[Article] = []
    resolved: list[tuple[str, int]] = []  # ("db", article id) or ("new", index into new_rows)
    for article, article_hashes in keyed:
        found = next((ref_of[k] for k in article_hashes if k in ref_of), None)
        if found is None:
            found = ("new", len(new_rows))
            new_rows.append(article)
        for k in article_hashes:
            ref_of.setdefault(k, found)
        resolved.append(found)
    new_ids: list[int] = []
    if new_rows:
        analyses = analyse([(a.title, a.summary) for a in new_rows]) if analyse else [None] * len(new_rows)
        rolled = rollups.keyed(conn, [(a.published_at, x) for a, x in zip(new_rows, analyses, strict=True)])
        new_ids = _allocate_ids(conn, len(new_rows))
        members = [
            stories.Member(
                new_id,
                a.published_at,
                a.title,
                tuple(likeness.token_key(t) for t in a.related),
                k.analysis.tone.compound if k.analysis and k.analysis.tone else None,
                {n: c.tone.compound if c.tone else None for n, c in k.analysis.companies.items()} if k.analysis else {},
                k.company_mask,
                k.topic_mask,
            )
            for new_id, a, k in zip(new_ids, new_rows, rolled, strict=True)
        ]
        story_of = stories.assign(conn, members)
        insert_many(
            conn,
            articles,
            [
                {
                    "id": new_id,
                    "title": a.title,
                    "link": a.link,
                    "publisher": a.publisher,
                    "publisher_domain": a.publisher_domain,
                    "summary": a.summary,
                    "published_at": a.published_at,
                    "published_from": a.published_from,
                    "guid": a.guid,
                    "first_seen_at": seen_at,
                    "tone": analysis.tone.compound if analysis and analysis.tone else None,
                    "tone_label": analysis.tone.label if analysis and analysis.tone else None,
                    "language": analysis.language if analysis else None,
                    "day": k.day,
                    "company_mask": k.company_mask,
                    "topic_mask": k.topic_mask,
                    "story_id": story_of[new_id],
                }
                for new_id, a, analysis, k in zip(new_ids, new_rows, analyses, rolled, strict=True)
            ],
        )
        write_analysis_rows(conn, [(i, a) for i, a in zip(new_ids, analyses, strict=True) if a is not None])
        stories.record_tokens(conn, members)
        rollups.add(conn, rolled)
    ids = [ref if kind == "db" else new_ids[ref] for kind, ref in resolved]
    new_keys = {k: (ref if kind == "db" else new_ids[ref]) for k, (kind, ref) in ref_of.items() if k not in owner}
    if new_keys:
        insert_many(conn, article_keys_table, [{"key_hash": k, "article_id": v} for k, v in new_keys.items()])
    linked: set[int] = set()
    known_ids = sorted({i for (kind, _), i in zip(resolved, ids, strict=True) if kind == "db"})
    for chunk in chunks(known_ids):  # type: ignore[arg-type]
        rows = conn.execute(
            select(article_feeds.c.article_id).where(
                article_feeds.c.feed_id == feed_id, article_feeds.c.article_id.in_(chunk)
            )
        )
        linked.update(rows.scalars())
    to_link = sorted(set(ids) - linked)
    if to_link:
        insert_many(
            conn,
            article_feeds,
            [{"article_id": i, "feed_id": feed_id, "first_seen_at": seen_at} for i in to_link],
        )
    return StoreOutcome(new=len(new_rows), known=len(items) - len(new_rows))


def record_fetch(
    engine: Engine,
    spec: FeedSpec,
    fetched: FetchResult,
    parsed: ParsedFeed | None,
    fetched_at: datetime,
    *,
    update_validators: bool = True,
    analyse: AnalyseMany | None = None,
    keys: Sequence[list[str]] | None = None,
    window: tuple[date, date] | None = None,
) -> StoreOutcome:
    """Store one feed's new articles with their analysis, and its fetch state, in one transaction
    (``keys``: the articles' ``hashed_keys`` when already computed; ``window``: the backfill window this
    fetch covers, recorded as done with them when it succeeded and lies wholly before the fetch's day)."""
    for attempt in range(2):
        try:
            with engine.begin() as conn:
                outcome = _record(conn, spec, fetched, parsed, fetched_at, update_validators, analyse, keys)
                failed = fetched.error or parsed is None or parsed.error
                if window is not None and not failed and window[1] <= fetched_at.date():
                    windows.record(conn, spec.name, window, fetched_at, outcome.new)
                return outcome
        except IntegrityError:
            # Another writer stored the same article between our read and our write; retry sees it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _record(
    conn: Connection,
    spec: FeedSpec,
    fetched: FetchResult,
    parsed: ParsedFeed | None,
    fetched_at: datetime,
    update_validators: bool,
    analyse: AnalyseMany | None,
    keys: Sequence[list[str]] | None,
) -> StoreOutcome:
    if conn.dialect.name == "sqlite":
        # Take the write lock first, so the reads below see what this transaction will write over.
        conn.execute(update(feeds).where(feeds.c.name == spec.name).values(name=feeds.c.name))
    feed_id = _feed_id(conn, spec)
    error = fetched.error or (parsed.error if parsed else None)
    outcome = StoreOutcome(0, 0)
    if parsed is not None and not error:
        outcome = _write_articles(conn, feed_id, spec.name, parsed.articles, fetched_at, analyse, keys)
    values: dict[str, object] = {
        "last_fetch_at": fetched_at,
        "last_status": FetchStatus.ERROR.value if error else fetched.status.value,
        "last_http_status": fetched.http_status,
        "last_error": error,
        "last_warning": parsed.warning if parsed else None,
        "last_new": outcome.new,
        "last_known": outcome.known,
        "last_skipped": parsed.skipped if parsed else 0,
    }
    if not error:
        values["last_success_at"] = fetched_at
        if update_validators:
            values["etag"] = fetched.etag
            values["last_modified"] = fetched.last_modified
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))
    return outcome
