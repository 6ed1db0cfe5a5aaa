"""The database schema (SQLAlchemy Core), its version, and migrations between versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    select,
    text,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as naive UTC (the same on SQLite and PostgreSQL) and read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


SCHEMA_VERSION = 2
metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    Column("company", String(200), nullable=False, default=""),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_fetch_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_status", String(20)),  # ok, not_modified, error
    Column("last_http_status", Integer),
    Column("last_error", Text),
    Column("last_warning", Text),
    Column("last_new", Integer),
    Column("last_known", Integer),
    Column("last_skipped", Integer),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("link", Text),
    Column("publisher", String(300), nullable=False),
    Column("publisher_domain", String(300), nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("published_at", UTCDateTime, nullable=False),
    Column("published_from", String(10), nullable=False),
    Column("guid", Text),
    Column("first_seen_at", UTCDateTime, nullable=False),
    # Overall tone (VADER compound with the domain lexicon, title weighted) and its label; NULL until analysed.
    Column("tone", Float),
    Column("tone_label", String(3)),
    Index("ix_articles_published_at", "published_at"),
    Index("ix_articles_publisher", "publisher"),
)

# Every way we can recognise an article again (guid, link, title + publisher), hashed to a fixed width.
article_keys = Table(
    "article_keys",
    metadata,
    Column("key_hash", String(32), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
)

article_feeds = Table(
    "article_feeds",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Index("ix_article_feeds_feed", "feed_id"),
)

# Which companies each article names, how often, and the tone of the sentences naming each.
article_companies = Table(
    "article_companies",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("company", String(100), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("tone", Float, nullable=False),
    Column("tone_label", String(3), nullable=False),
    Index("ix_article_companies_company", "company", "article_id"),
)

# Which topics each article mentions, and how many times.
article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(100), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Index("ix_article_topics_topic", "topic", "article_id"),
)


def _add_article_tone(conn: Connection) -> None:
    """v1 -> v2: tone columns on articles (the analysis tables are created by create_all)."""
    conn.execute(text("ALTER TABLE articles ADD COLUMN tone FLOAT"))
    conn.execute(text("ALTER TABLE articles ADD COLUMN tone_label VARCHAR(3)"))


# Migrations: MIGRATIONS[n] upgrades a database at version n to n + 1.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _add_article_tone}


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this version of the code."""


def stored_version(conn: Connection) -> int | None:
    """The schema version recorded in the database, or None for a database without one."""
    row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else None


def ensure_schema(engine: Engine) -> None:
    """Create the schema on first use, or migrate an older one, and record the version."""
    with engine.begin() as conn:
        metadata.create_all(conn, tables=[meta])
        version = stored_version(conn)
        if version is None:
            metadata.create_all(conn)
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            return
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"database schema version {version} is newer than this code ({SCHEMA_VERSION}); upgrade the code"
            )
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](conn)
            version += 1
        metadata.create_all(conn)
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(version)))
