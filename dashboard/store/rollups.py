"""Daily roll-ups (per day x companies x topics) kept current by every write, and rebuilt after a rescore.

The charts read these small tables instead of the articles, so a new filter costs the same at a million
articles as at ten thousand. An article's companies and topics are stored as bit sets (one bit per name,
from ``label_bits``), so "names Meta or OpenAI" and "mentions burnout or layoffs" are bitwise ANDs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter

from sqlalchemy import Connection, Engine, Table, case, delete, func, insert, literal, select, update

from dashboard.models import ArticleAnalysis
from dashboard.store.schema import (
    article_companies,
    article_topics,
    articles,
    insert_many,
    label_bits,
    meta,
    rollup_company,
    rollup_day,
)

MAX_BITS = 63
KINDS = ("company", "topic")


class TooManyLabels(ValueError):
    """More company or topic names than fit in a bit set."""


def day_of(moment: datetime) -> date:
    """The UTC calendar day of a timestamp: the roll-ups' time key."""
    return moment.astimezone(UTC).date()


def bit_values(conn: Connection, kind: str, names: Iterable[str]) -> dict[str, int]:
    """The bit value (1 << bit) of each name of a kind, giving unseen names the next free bits."""
    known = {
        r.name: r.value
        for r in conn.execute(select(label_bits.c.name, label_bits.c.value).where(label_bits.c.kind == kind))
    }
    missing = sorted(set(names) - set(known))
    if missing:
        used = {r for r in conn.execute(select(label_bits.c.bit).where(label_bits.c.kind == kind)).scalars()}
        free = [b for b in range(MAX_BITS) if b not in used]
        if len(missing) > len(free):
            raise TooManyLabels(f"more than {MAX_BITS} {kind} names have been stored; run rescore to reassign them")
        rows = [{"kind": kind, "name": n, "bit": b, "value": 1 << b} for n, b in zip(missing, free, strict=False)]
        conn.execute(insert(label_bits), rows)
        known.update({r["name"]: r["value"] for r in rows})
    return known


def all_bits(conn: Connection) -> dict[str, dict[str, int]]:
    """Every stored name's bit value, by kind."""
    out: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    for row in conn.execute(select(label_bits.c.kind, label_bits.c.name, label_bits.c.value)):
        out.setdefault(row.kind, {})[row.name] = row.value
    return out


def mask(names: Iterable[str], bits: dict[str, int]) -> int:
    """The bit set of some names."""
    value = 0
    for name in names:
        value |= bits[name]
    return value


@dataclass(frozen=True)
class Keyed:
    """An analysed article as the roll-ups see it."""

    day: date
    company_mask: int
    topic_mask: int
    analysis: ArticleAnalysis | None


def keyed(conn: Connection, items: Sequence[tuple[datetime, ArticleAnalysis | None]]) -> list[Keyed]:
    """Day and bit sets for each (published time, analysis)."""
    companies = bit_values(conn, "company", {n for _, a in items if a for n in a.companies})
    topics = bit_values(conn, "topic", {n for _, a in items if a for n in a.topics})
    return [
        Keyed(day_of(when), mask(a.companies, companies) if a else 0, mask(a.topics, topics) if a else 0, a)
        for when, a in items
    ]


def upsert_add(conn: Connection, table: Table, keys: list[str], rows: list[dict[str, object]]) -> None:
    """Insert rows, or add their counts and sums to the rows already there: one driver-level executemany
    of ``INSERT ... ON CONFLICT DO UPDATE``, which SQLite and PostgreSQL spell the same way."""
    sums = [c.name for c in table.c if c.name not in keys]
    on_conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET " + ", ".join(
        f"{n} = {table.name}.{n} + excluded.{n}" for n in sums
    )
    # A fixed order takes row locks in the same order in every writer (no deadlocks on PostgreSQL).
    insert_many(conn, table, sorted(rows, key=itemgetter(*keys)), on_conflict)


def add(conn: Connection, items: Sequence[Keyed]) -> None:
    """Count newly stored articles into the roll-ups, in the caller's transaction."""
    days: dict[tuple[date, int, int], list[float]] = {}
    per_company: dict[tuple[date, str, int], list[float]] = {}
    for item in items:
        a = item.analysis
        acc = days.setdefault((item.day, item.company_mask, item.topic_mask), [0, 0, 0.0, 0.0, 0, 0])
        acc[0] += 1
        if a and a.tone:
            acc[1] += 1
            acc[2] += a.tone.compound
            acc[3] += a.tone.compound * a.tone.compound
            acc[4] += a.tone.label == "neg"
            acc[5] += a.tone.label == "pos"
        if not a:
            continue
        for name, company in a.companies.items():
            c = per_company.setdefault((item.day, name, item.topic_mask), [0, 0, 0.0, 0.0, 0, 0])
            c[0] += 1
            if company.tone is not None:
                value = company.tone.compound
                c[1] += 1
                c[2] += value
                c[3] += value * value
                c[4] += company.tone.label == "neg"
                c[5] += company.tone.label == "pos"
    upsert_add(
        conn,
        rollup_day,
        ["day", "company_mask", "topic_mask"],
        [
            {
                "day": d,
                "company_mask": cm,
                "topic_mask": tm,
                "articles": v[0],
                "toned": v[1],
                "tone_sum": v[2],
                "tone_sq": v[3],
                "neg": v[4],
                "pos": v[5],
            }
            for (d, cm, tm), v in days.items()
        ],
    )
    upsert_add(
        conn,
        rollup_company,
        ["day", "company", "topic_mask"],
        [
            {
                "day": d,
                "company": name,
                "topic_mask": tm,
                "articles": v[0],
                "toned": v[1],
                "tone_sum": v[2],
                "tone_sq": v[3],
                "neg": v[4],
                "pos": v[5],
            }
            for (d, name, tm), v in per_company.items()
        ],
    )


def _count(condition: object) -> object:
    return func.sum(case((condition, 1), else_=0))


def recompute_masks(conn: Connection) -> None:
    """Set every article's day and bit sets from its stored company and topic rows (after a migration)."""
    day = (
        func.date(articles.c.published_at)
        if conn.dialect.name == "sqlite"
        else func.cast(articles.c.published_at, articles.c.day.type)
    )
    conn.execute(update(articles).values(day=day))
    for kind, table, column, target in (
        ("company", article_companies, article_companies.c.company, articles.c.company_mask),
        ("topic", article_topics, article_topics.c.topic, articles.c.topic_mask),
    ):
        bit_values(conn, kind, conn.execute(select(column).distinct()).scalars())
        summed = (
            select(func.coalesce(func.sum(label_bits.c.value), 0))
            .select_from(table.join(label_bits, (label_bits.c.kind == kind) & (label_bits.c.name == column)))
            .where(table.c.article_id == articles.c.id)
            .scalar_subquery()
        )
        conn.execute(update(articles).values({target.name: summed}))


def rebuild(conn: Connection, *, masks: bool = False) -> None:
    """Recount both roll-ups from the articles (after a rescore or migration), in one transaction."""
    if masks:
        recompute_masks(conn)
    conn.execute(delete(rollup_day))
    conn.execute(
        insert(rollup_day).from_select(
            [c.name for c in rollup_day.c],
            select(
                articles.c.day,
                articles.c.company_mask,
                articles.c.topic_mask,
                func.count(),
                func.count(articles.c.tone),
                func.coalesce(func.sum(articles.c.tone), literal(0.0)),
                func.coalesce(func.sum(articles.c.tone * articles.c.tone), literal(0.0)),
                _count(articles.c.tone_label == "neg"),
                _count(articles.c.tone_label == "pos"),
            ).group_by(articles.c.day, articles.c.company_mask, articles.c.topic_mask),
        )
    )
    conn.execute(delete(rollup_company))
    ac = article_companies
    conn.execute(
        insert(rollup_company).from_select(
            [c.name for c in rollup_company.c],
            select(
                articles.c.day,
                ac.c.company,
                articles.c.topic_mask,
                func.count(),
                func.count(ac.c.tone),
                func.coalesce(func.sum(ac.c.tone), literal(0.0)),
                func.coalesce(func.sum(ac.c.tone * ac.c.tone), literal(0.0)),
                _count(ac.c.tone_label == "neg"),
                _count(ac.c.tone_label == "pos"),
            )
            .select_from(ac.join(articles, articles.c.id == ac.c.article_id))
            .group_by(articles.c.day, ac.c.company, articles.c.topic_mask),
        )
    )
    conn.execute(delete(meta).where(meta.c.key.in_(["rollups", "analysis_version"])))
    # Readers that keep per-article facts (dashboard.store.facts, the UI's caches) reload when this changes.
    conn.execute(insert(meta).values(key="analysis_version", value=datetime.now(UTC).isoformat()))


def mark_stale(engine: Engine) -> None:
    """Record that the roll-ups no longer match the articles (a rescore is rewriting them)."""
    with engine.begin() as conn:
        conn.execute(delete(meta).where(meta.c.key == "rollups"))
        conn.execute(insert(meta).values(key="rollups", value="stale"))


def ensure_current(engine: Engine) -> bool:
    """Rebuild the roll-ups if a migration or an interrupted rescore left them stale; True if it did."""
    with engine.connect() as conn:
        state = conn.execute(select(meta.c.value).where(meta.c.key == "rollups")).scalar()
    if state != "stale":
        return False
    with engine.begin() as conn:
        rebuild(conn, masks=True)
    return True
