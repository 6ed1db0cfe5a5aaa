"""The database schema (SQLAlchemy Core), its version, and migrations between versions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    any_,
    bindparam,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine


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


T = TypeVar("T")
SCHEMA_VERSION = 10
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
    # The language detected (ISO 639-1); only the languages the lexicon covers get a tone. NULL: stored before
    # languages were told apart (scored as English; a rescore detects them).
    Column("language", String(8)),
    # The UTC day and bit sets of the companies and topics found (see label_bits): the roll-ups' keys.
    Column("day", Date),
    Column("company_mask", BigInteger, nullable=False, default=0),
    Column("topic_mask", BigInteger, nullable=False, default=0),
    # The story the article belongs to (dashboard.store.stories): the id of the story's first stored article.
    Column("story_id", Integer),
    Index("ix_articles_published_at", "published_at"),
    Index("ix_articles_publisher", "publisher"),
    # A story's copies in order, with their publishers: its earliest article and its outlets come from the
    # index alone (a story can hold hundreds of copies; their rows are never read for a story's row).
    Index("ix_articles_story", "story_id", "published_at", "id", "publisher"),
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

# Which companies each article names, how often, and the tone of the sentences naming each (NULL in a language
# the lexicon does not cover: the company is named, its tone unknown).
article_companies = Table(
    "article_companies",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("company", String(100), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("tone", Float),
    Column("tone_label", String(3)),
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


# The Google News article tokens each article's feed gave as one story with it (its own first), as 64-bit keys.
article_tokens = Table(
    "article_tokens",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("token", BigInteger, primary_key=True),
)

# Stories: the articles that report the same news. Sums over their articles, so a story grows by addition.
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),  # the id of its first stored article
    Column("first_published_at", UTCDateTime, nullable=False),
    Column("day", Date, nullable=False),  # the UTC day of its first publication: where the roll-ups count it
    Column("articles", Integer, nullable=False),
    Column("toned", Integer, nullable=False),
    Column("tone_sum", Float, nullable=False),
    Column("company_mask", BigInteger, nullable=False),  # every company and topic any of its articles names
    Column("topic_mask", BigInteger, nullable=False),
    Index("ix_stories_day", "day"),
)

# Per story and company: its articles naming the company, those with a tone, and the sum of their tone toward it.
story_companies = Table(
    "story_companies",
    metadata,
    Column("story_id", Integer, primary_key=True),
    Column("company", String(100), primary_key=True),
    Column("articles", Integer, nullable=False),
    Column("toned", Integer, nullable=False),
    Column("tone_sum", Float, nullable=False),
)

# What finds a story again for a new article: its headlines' MinHash bands (each key led by its week: see
# dashboard.store.stories) and its Google News tokens, by day.
story_keys = Table(
    "story_keys",
    metadata,
    Column("key", BigInteger, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("story_id", Integer, primary_key=True),
    Index("ix_story_keys_story", "story_id"),
    sqlite_with_rowid=False,  # rows live in their primary key's tree: one tree less to write per key
)

# Backfill windows already fetched and stored (a Google News search's [since, until) days): a backfill that
# is interrupted resumes after them. Recorded in the transaction that stores the window's articles.
backfill_windows = Table(
    "backfill_windows",
    metadata,
    Column("feed", String(300), primary_key=True),
    Column("since", Date, primary_key=True),
    Column("until", Date, primary_key=True),
    Column("done_at", UTCDateTime, nullable=False),
    Column("new", Integer, nullable=False),
)

# Who is fetching what: a worker takes a feed's lease (by the URL it asks) before fetching it, so workers
# sharing one database never fetch the same feed at once; a crashed worker's leases lapse at expires_at.
feed_leases = Table(
    "feed_leases",
    metadata,
    Column("url_hash", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("holder", String(200)),
    Column("expires_at", UTCDateTime),
    Column("stored_at", UTCDateTime),  # when it was last given back, stored
)


# Alerts: an episode a rule has told its targets about, at a size level (0 when it began, n after it doubled
# n times). The row is the claim: two workers checking at once both try to insert it, and only the one whose
# insert succeeds sends, in the same transaction.
alert_episodes = Table(
    "alert_episodes",
    metadata,
    Column("rule", String(100), primary_key=True),
    Column("series", String(300), primary_key=True),
    Column("start", Date, primary_key=True),  # the episode's first day when it was first told
    Column("level", Integer, primary_key=True),
    Column("until", Date, nullable=False),  # its last day when told at this level
    Column("stories", Integer, nullable=False),
    Column("kind", String(10), nullable=False),  # volume or tone
    Column("claimed_at", UTCDateTime, nullable=False),
)

# One message to one target (an Apprise URL as configured, placeholders unexpanded), with what was sent.
alert_sends = Table(
    "alert_sends",
    metadata,
    Column("rule", String(100), primary_key=True),
    Column("series", String(300), primary_key=True),
    Column("start", Date, primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("target_hash", String(40), primary_key=True),
    Column("target", Text, nullable=False),  # the URL with its secrets masked, for people to read
    Column("status", String(10), nullable=False),  # sent, retry (due again at next_at), failed, test
    Column("attempts", Integer, nullable=False),
    Column("next_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("error", Text),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
)

# One bit per company and per topic name, so an article's companies and topics fit in one integer each and
# "names any of these companies" is a bitwise AND on a roll-up row. Bits 0-62 (a signed 64-bit integer).
label_bits = Table(
    "label_bits",
    metadata,
    Column("kind", String(10), primary_key=True),  # company or topic
    Column("name", String(100), primary_key=True),
    Column("bit", Integer, nullable=False),
    Column("value", BigInteger, nullable=False),  # 1 << bit, so SQL can sum bits without a power function
    UniqueConstraint("kind", "bit", name="uq_label_bits_kind_bit"),
)

# Daily roll-ups kept current by every write: the charts read these, never the articles.
# Per day and combination of companies and topics: articles, and sums of their overall tone.
rollup_day = Table(
    "rollup_day",
    metadata,
    Column("day", Date, primary_key=True),
    Column("company_mask", BigInteger, primary_key=True),
    Column("topic_mask", BigInteger, primary_key=True),
    Column("articles", Integer, nullable=False),
    Column("toned", Integer, nullable=False),  # articles with a tone (analysed)
    Column("tone_sum", Float, nullable=False),
    Column("tone_sq", Float, nullable=False),
    Column("neg", Integer, nullable=False),
    Column("pos", Integer, nullable=False),
)

# Per day, company and combination of topics: articles naming the company, those with a tone toward it (not
# the ones in a language without a lexicon), and sums of that tone.
rollup_company = Table(
    "rollup_company",
    metadata,
    Column("day", Date, primary_key=True),
    Column("company", String(100), primary_key=True),
    Column("topic_mask", BigInteger, primary_key=True),
    Column("articles", Integer, nullable=False),
    Column("toned", Integer, nullable=False),
    Column("tone_sum", Float, nullable=False),
    Column("tone_sq", Float, nullable=False),
    Column("neg", Integer, nullable=False),
    Column("pos", Integer, nullable=False),
)


def _story_rollup(name: str, keys: list[Column]) -> Table:
    """A roll-up of stories, keyed like its article twin: a story counts once, on its first day, with its
    tone (the mean over its articles) as one value."""
    return Table(
        name,
        metadata,
        *keys,
        Column("stories", Integer, nullable=False),
        Column("toned", Integer, nullable=False),
        Column("tone_sum", Float, nullable=False),
        Column("tone_sq", Float, nullable=False),
        Column("neg", Integer, nullable=False),
        Column("pos", Integer, nullable=False),
    )


rollup_story_day = _story_rollup(
    "rollup_story_day",
    [
        Column("day", Date, primary_key=True),
        Column("company_mask", BigInteger, primary_key=True),
        Column("topic_mask", BigInteger, primary_key=True),
    ],
)
rollup_story_company = _story_rollup(
    "rollup_story_company",
    [
        Column("day", Date, primary_key=True),
        Column("company", String(100), primary_key=True),
        Column("topic_mask", BigInteger, primary_key=True),
    ],
)


def _add_article_tone(conn: Connection) -> None:
    """v1 -> v2: tone columns on articles (the analysis tables are created by create_all)."""
    conn.execute(text("ALTER TABLE articles ADD COLUMN tone FLOAT"))
    conn.execute(text("ALTER TABLE articles ADD COLUMN tone_label VARCHAR(3)"))


def _add_rollup_keys(conn: Connection) -> None:
    """v2 -> v3: day and bit-set columns on articles; roll-ups and the full-text index are built after."""
    conn.execute(text("ALTER TABLE articles ADD COLUMN day DATE"))
    conn.execute(text("ALTER TABLE articles ADD COLUMN company_mask BIGINT NOT NULL DEFAULT 0"))
    conn.execute(text("ALTER TABLE articles ADD COLUMN topic_mask BIGINT NOT NULL DEFAULT 0"))
    conn.execute(meta.insert().values(key="rollups", value="stale"))


def _add_stories(conn: Connection) -> None:
    """v3 -> v4: the story column on articles; the story tables are created, and filled, after."""
    conn.execute(text("ALTER TABLE articles ADD COLUMN story_id INTEGER"))
    conn.execute(text("CREATE INDEX ix_articles_story ON articles (story_id)"))
    conn.execute(meta.insert().values(key="stories", value="stale"))


def _cover_story_copies(conn: Connection) -> None:
    """v4 -> v5: the story index also holds each copy's time and publisher (see articles)."""
    conn.execute(text("DROP INDEX ix_articles_story"))
    conn.execute(text("CREATE INDEX ix_articles_story ON articles (story_id, published_at, id, publisher)"))


def _tell_languages_apart(conn: Connection) -> None:
    """v5 -> v6: articles get a language, and a company named in an article may have no tone toward it, so
    the company and story tables count the articles with one (every row stored so far has one)."""
    conn.execute(text("ALTER TABLE articles ADD COLUMN language VARCHAR(8)"))
    present = inspect(conn)  # from an older version some tables come later, created and filled anew
    for table, counted in (
        ("rollup_company", "articles"),
        ("story_companies", "articles"),
        ("rollup_story_company", "stories"),
    ):
        if present.has_table(table):
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN toned INTEGER NOT NULL DEFAULT 0"))
            conn.execute(text(f"UPDATE {table} SET toned = {counted}"))
    if not present.has_table("article_companies"):
        return
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE article_companies ALTER COLUMN tone DROP NOT NULL"))
        conn.execute(text("ALTER TABLE article_companies ALTER COLUMN tone_label DROP NOT NULL"))
        return
    # SQLite cannot drop NOT NULL: the table is copied into its new definition.
    conn.execute(text("DROP INDEX ix_article_companies_company"))
    conn.execute(text("ALTER TABLE article_companies RENAME TO article_companies_v5"))
    article_companies.create(conn)
    conn.execute(
        text(
            "INSERT INTO article_companies SELECT article_id, company, mentions, tone, tone_label "
            "FROM article_companies_v5"
        )
    )
    conn.execute(text("DROP TABLE article_companies_v5"))


def _rekey_stories(conn: Connection) -> None:
    """v8 -> v9: headlines' band keys are keyed by the figures they quote, so the stories are redone (on
    SQLite into a story_keys table without rowids, made by create_all)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TABLE IF EXISTS story_keys"))  # from before v4 it comes later
    _redo_stories(conn)


def _redo_stories(conn: Connection) -> None:
    """v9 -> v10: band keys carry their headline's week, so the stories are redone under the new keys."""
    conn.execute(meta.delete().where(meta.c.key == "stories"))
    conn.execute(meta.insert().values(key="stories", value="stale"))


# Migrations: MIGRATIONS[n] upgrades a database at version n to n + 1.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _add_article_tone,
    2: _add_rollup_keys,
    3: _add_stories,
    4: _cover_story_copies,
    5: _tell_languages_apart,
    6: lambda conn: None,  # backfill_windows and feed_leases: new tables, made by create_all
    7: lambda conn: None,  # alert_episodes and alert_sends: new tables, made by create_all
    8: _rekey_stories,
    9: _redo_stories,
}


def marker(conn: Connection) -> str:
    """The driver's positional parameter marker (``?`` for sqlite3, ``%s`` for psycopg)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def markers(conn: Connection, count: int) -> str:
    """``count`` positional markers for a driver-level ``IN (...)`` list."""
    return ", ".join([marker(conn)] * count)


def pg_array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal of some values, for a parameter the statement casts to its array type:
    psycopg adapts a list element by element in Python, at 32 ms for 40,000 keys against 4.5 ms to join
    their text."""
    values = list(values)
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join(map(_array_element, values)) + "}"


def _array_element(value: object) -> str:
    """One value in an array literal: NULL, a number as it is, anything else quoted."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return repr(float(value))  # the shortest text that reads back as the same double
    literal = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return '"' + literal.replace("\\", "\\\\").replace('"', '\\"') + '"'


IN_CHUNK = 500  # values per IN list: compiling hundreds of bound parameters costs more than the lookup


def any_of(
    conn: Connection, column: str, values: Sequence[object], sql_type: str
) -> Iterator[tuple[str, tuple[object, ...]]]:
    """Driver-level ``column IN (...)`` conditions over many values, with their parameters: on PostgreSQL one
    ``column = ANY(array)`` for all of them (one round trip), on SQLite an IN list per IN_CHUNK values."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield f"{column} = ANY({marker(conn)}::{sql_type}[])", (pg_array(values),)
        return
    for chunk in chunks(values):
        yield f"{column} IN ({markers(conn, len(chunk))})", tuple(chunk)


def in_each(conn: Connection, column: Column[T], values: Sequence[T]) -> Iterator[ColumnElement[bool]]:
    """``column IN (values)`` as SQLAlchemy conditions: on PostgreSQL one ``column = ANY(array)`` (one plan, one
    round trip: a plan per IN list of hundreds was chosen from statistics a bulk load leaves stale), on SQLite
    an IN list per IN_CHUNK values."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for chunk in chunks(values):
        yield column.in_(chunk)


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterable[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (one IN list each)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, object]], suffix: str = "") -> None:
    """Insert many rows given as dicts (all with the same keys): ``insert_rows`` with their columns."""
    if rows:
        names = list(rows[0])
        _insert(conn, table, names, [[row[n] for n in names] for row in rows], suffix, owned=True)


def insert_rows(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[object]], suffix: str = ""
) -> None:
    """Insert many rows, each a value per column of ``names``, with one driver-level executemany (SQLite), or
    on PostgreSQL one binary COPY (plain rows) or one statement of column arrays (with a ``suffix``),
    converting values with each column's own type (the same rows as ``conn.execute(insert(table), rows)``,
    whose per-row bookkeeping costs more than the insert itself on large batches). ``suffix`` follows the
    rows (ON CONFLICT ...)."""
    _insert(conn, table, names, rows, suffix, owned=False)


def _insert(
    conn: Connection, table: Table, names: Sequence[str], rows: Sequence[Sequence[object]], suffix: str, owned: bool
) -> None:
    """``insert_rows``; ``owned``: the rows are lists made for this call, so values are converted in place
    (the caller's own rows are copied first, and only when a column converts its values)."""
    if not rows:
        return
    values: Sequence[Sequence[object]] = rows
    for index, name in enumerate(names):
        process = table.c[name].type._cached_bind_processor(conn.dialect)
        if process is None:
            continue
        if not owned:
            values, owned = [list(row) for row in rows], True
        done: dict[object, object] = {}  # a batch repeats its times and days: convert each value once
        for row in values:
            value = row[index]
            if value not in done:
                done[value] = process(value)
            row[index] = done[value]  # type: ignore[index]
    columns = ", ".join(names)
    if conn.dialect.name == "postgresql" and not suffix:
        # Plain rows: COPY, PostgreSQL's bulk path, in binary (psycopg writes each row in C, three times faster
        # than as text for a batch's story keys, and the server parses no text).
        cursor = conn.connection.cursor()
        with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:  # type: ignore[attr-defined]
            copy.set_types([copy_type(table.c[name]) for name in names])
            for row in values:
                copy.write_row(row)
        return
    if conn.dialect.name == "postgresql":
        # One statement, one round trip: the rows as one array per column, unnested (psycopg's executemany
        # sends a statement per row, which costs more than PostgreSQL's insert itself).
        arrays = ", ".join(f"{marker(conn)}::{table.c[n].type.compile(conn.dialect)}[]" for n in names)
        sql = f"INSERT INTO {table.name} ({columns}) SELECT * FROM unnest({arrays}) {suffix}"
        conn.exec_driver_sql(sql.rstrip(), tuple(pg_array(column) for column in zip(*values, strict=True)))
        return
    sql = f"INSERT INTO {table.name} ({columns}) VALUES ({markers(conn, len(names))}) {suffix}"
    conn.exec_driver_sql(sql.rstrip(), [tuple(row) for row in values])


# The PostgreSQL type a column's values are written as in a binary COPY: the server reads each value with its
# column's own binary format, so an INTEGER column takes 4 bytes, never a BIGINT's 8 (subclasses first).
_COPY_TYPES: tuple[tuple[type[TypeEngine[object]], str], ...] = (
    (BigInteger, "int8"),
    (SmallInteger, "int2"),
    (Integer, "int4"),
    (Float, "float8"),
    (Date, "date"),
    (String, "text"),  # varchar and text share one binary format: the UTF-8 bytes
)


def copy_type(column: Column[object]) -> str:
    """The PostgreSQL type name psycopg writes a column's values as, in a binary COPY."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return "timestamptz" if kind.timezone else "timestamp"
    for sql_type, name in _COPY_TYPES:
        if isinstance(kind, sql_type):
            return name
    raise TypeError(f"column {column.table.name}.{column.name}: no binary COPY type for {kind!r}")


def create_search_index(conn: Connection) -> None:
    """The full-text index over titles and summaries: FTS5 kept in step by triggers on SQLite, a generated
    ``tsvector`` column with a GIN index on PostgreSQL (what each indexes as a word: dashboard.store.search).
    Idempotent; fills itself from existing rows."""
    if conn.dialect.name == "sqlite":
        exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'")).first()
        if exists:
            return
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE articles_fts USING fts5(title, summary, content='articles', "
                "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
                "INSERT INTO articles_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
                "INSERT INTO articles_fts(articles_fts, rowid, title, summary) "
                "VALUES ('delete', old.id, old.title, old.summary); END"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary ON articles BEGIN "
                "INSERT INTO articles_fts(articles_fts, rowid, title, summary) "
                "VALUES ('delete', old.id, old.title, old.summary); "
                "INSERT INTO articles_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); END"
            )
        )
        conn.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"))
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "ALTER TABLE articles ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS "
                "(to_tsvector('simple', regexp_replace(title || ' ' || coalesce(summary, ''), "
                "'[^a-zA-Z0-9]+', ' ', 'g'))) STORED"
            )
        )
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_articles_search ON articles USING gin (search)"))


class SchemaError(RuntimeError):
    """The database's schema cannot be used by this version of the code."""


def stored_version(conn: Connection) -> int | None:
    """The schema version recorded in the database, or None for a database without one."""
    row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
    return int(row[0]) if row else None


SCHEMA_LOCK = 0x6E657773  # any constant: the advisory lock that serialises schema work on PostgreSQL


def lock_for_schema_work(conn: Connection) -> None:
    """Make processes that open a new or old database at the same moment create or migrate it one at a time:
    the first does the work, the others wait for it and then find the schema current."""
    if conn.dialect.name == "sqlite":
        # The write lock up front (waiting on busy_timeout): a read transaction that later tries to write
        # would instead fail at once with "database is locked" when another process wrote meanwhile.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})


def ensure_schema(engine: Engine) -> None:
    """Create the schema on first use, or migrate an older one, and record the version (safe to run from
    several processes at once)."""
    with engine.begin() as conn:
        lock_for_schema_work(conn)
        metadata.create_all(conn, tables=[meta])
        version = stored_version(conn)
        if version is None:
            metadata.create_all(conn)
            create_search_index(conn)
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
        create_search_index(conn)
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(version)))
