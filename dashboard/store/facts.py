"""Per-article facts in compact arrays, for the filters the roll-ups cannot answer (a keyword, a publisher).

The full-text index finds which articles match a keyword in milliseconds, but summing their tone in SQL
means one B-tree lookup per matching article (a few microseconds each: most of a second for a common word at
a million articles). These arrays hold, per article, only what the charts sum: day, company and topic bit
sets, tone and label, publisher; and per (article, company) the tone toward it. About 40 bytes an article,
loaded once per Reader (dashboard.read.reader), extended by new ids, reloaded after a rescore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection, Engine, Select, func, select

from dashboard.models import NEUTRAL_BAND
from dashboard.store.schema import articles, meta

LABELS = {"neg": -1, "neu": 0, "pos": 1}
NO_LABEL = -2
EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Facts:
    """Arrays indexed by position; ``position`` maps an article id to its position."""

    ids: np.ndarray  # int64, ascending
    day: np.ndarray  # int32 days since 1970-01-01
    published: np.ndarray  # int64 seconds since 1970-01-01 UTC
    company_mask: np.ndarray  # int64
    topic_mask: np.ndarray  # int64
    tone: np.ndarray  # float64, NaN when not analysed
    label: np.ndarray  # int8: -1 neg, 0 neu, 1 pos, -2 none
    publisher: np.ndarray  # int32 index into publishers
    publishers: tuple[str, ...]
    language: np.ndarray  # int32 index into languages ("" for articles stored before languages were detected)
    languages: tuple[str, ...]
    story: np.ndarray  # int64 id of the article's story
    # One row per (article, company), grouped by article: position of the article, company, tone, label.
    ac_position: np.ndarray  # int64
    ac_company: np.ndarray  # int32 index into companies
    ac_tone: np.ndarray  # float64
    ac_label: np.ndarray  # int8
    companies: tuple[str, ...]
    version: tuple[int, str]

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of some article ids (ids not loaded are dropped)."""
        if not len(self.ids) or not len(ids):
            return np.array([], dtype=np.int64)
        found = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return found[self.ids[found] == ids]


def data_version(engine: Engine) -> tuple[int, str]:
    """What per-article data depends on: the newest article id, and when the analysis was last rewritten or
    stored stories last merged (which moves older articles to another story)."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(articles.c.id))).scalar() or 0
        rows = conn.execute(
            select(meta.c.key, meta.c.value).where(meta.c.key.in_(["analysis_version", "stories_version"]))
        )
        built = dict(rows.all())
    return int(last), f"{built.get('analysis_version', '')}|{built.get('stories_version', '')}"


def raw_rows(conn: Connection, statement: Select, chunk: int | None = None) -> list[tuple[object, ...]]:
    """A select's rows straight from the driver, values as the driver gives them (SQLAlchemy's per-row
    processing costs several times the query on hundreds of thousands of rows)."""
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    processors = compiled._bind_processors
    values = {k: processors[k](v) if k in processors else v for k, v in params.items()}
    args: object = (
        tuple(values[name] for name in compiled.positiontup or ()) if conn.dialect.paramstyle == "qmark" else values
    )
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        return cursor.fetchall()
    finally:
        cursor.close()


def _table(engine: Engine, sql: str) -> pa.Table:
    """A query's rows as an Arrow table. PostgreSQL: through ADBC (a million rows arrive as columns, without a
    Python object per value: three times faster than the DB-API driver, a fraction of the memory). SQLite:
    through the same sqlite3 module as every other connection, in chunks. ADBC's SQLite driver carries its
    own copy of the SQLite library, and two copies in one process break each other's file locks: closing
    the copy's connection deleted the write-ahead log under the process's other connections, which then
    wrote to a file no one would read again."""
    if engine.url.get_backend_name() == "sqlite":
        return _sqlite_table(engine, sql)
    import adbc_driver_postgresql.dbapi

    plain = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = adbc_driver_postgresql.dbapi.connect(plain)
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetch_arrow_table()
        finally:
            cursor.close()
    finally:
        connection.close()


def _sqlite_table(engine: Engine, sql: str, chunk: int = 100_000) -> pa.Table:
    """A query's rows as an Arrow table, fetched in chunks through the engine's own pool."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        parts = []
        while rows := cursor.fetchmany(chunk):
            parts.append(pa.table([pa.array(column) for column in zip(*rows, strict=True)], names=names))
        cursor.close()
    finally:
        connection.close()
    if not parts:
        return pa.table({name: pa.array([], pa.null()) for name in names})
    return pa.concat_tables(parts, promote_options="permissive")


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Small integer codes for a column of repeated strings, and the strings they stand for."""
    encoded = (
        column.combine_chunks().dictionary_encode() if len(column) else pa.array([], pa.string()).dictionary_encode()
    )
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32), tuple(encoded.dictionary.to_pylist())


def _numbers(table: pa.Table, name: str, dtype: type) -> np.ndarray:
    return table.column(name).to_numpy().astype(dtype) if table.num_rows else np.array([], dtype=dtype)


LABEL_SQL = (
    "CASE {c} " + " ".join(f"WHEN '{name}' THEN {code}" for name, code in LABELS.items()) + f" ELSE {NO_LABEL} END"
)


def _load(engine: Engine, after: int, version: tuple[int, str]) -> Facts:
    """Facts of the articles with ids above ``after`` (0: all), up to the version's newest id."""
    sqlite = engine.url.get_backend_name() == "sqlite"
    day = "CAST(julianday(day) - 2440587.5 AS INTEGER)" if sqlite else "(day - DATE '1970-01-01')"
    published = (
        "CAST(strftime('%s', published_at) AS INTEGER)"
        if sqlite
        else "CAST(EXTRACT(EPOCH FROM published_at) AS BIGINT)"
    )
    first, last = int(after), int(version[0])
    table = _table(
        engine,
        f"SELECT id, {day} AS day, {published} AS published, company_mask, topic_mask, tone, "
        f"{LABEL_SQL.format(c='tone_label')} AS label, publisher, COALESCE(language, '') AS language, "
        "COALESCE(story_id, id) AS story FROM articles "
        f"WHERE id > {first} AND id <= {last} ORDER BY id",
    )
    companies = _table(
        engine,
        f"SELECT article_id, company, tone, {LABEL_SQL.format(c='tone_label')} AS label FROM article_companies "
        f"WHERE article_id > {first} AND article_id <= {last} ORDER BY article_id",
    )
    try:
        return _facts(table, companies, version)
    finally:
        del table, companies
        pa.default_memory_pool().release_unused()  # hand the Arrow buffers back rather than keep them pooled


def _facts(table: pa.Table, companies: pa.Table, version: tuple[int, str]) -> Facts:
    ids = _numbers(table, "id", np.int64)
    publisher, publishers = _codes(table.column("publisher"))
    language, languages = _codes(table.column("language"))
    company, company_names = _codes(companies.column("company"))
    tones = table.column("tone").to_numpy(zero_copy_only=False) if table.num_rows else np.array([])
    return Facts(
        ids=ids,
        day=_numbers(table, "day", np.int32),
        published=_numbers(table, "published", np.int64),
        company_mask=_numbers(table, "company_mask", np.int64),
        topic_mask=_numbers(table, "topic_mask", np.int64),
        tone=np.asarray(tones, dtype=np.float64),  # NULL (not analysed) becomes NaN
        label=_numbers(table, "label", np.int8),
        publisher=publisher,
        publishers=publishers,
        language=language,
        languages=languages,
        story=_numbers(table, "story", np.int64),
        ac_position=np.searchsorted(ids, _numbers(companies, "article_id", np.int64)),
        ac_company=company,
        ac_tone=_numbers(companies, "tone", np.float64),
        ac_label=_numbers(companies, "label", np.int8),
        companies=company_names,
        version=version,
    )


def _recode(codes: np.ndarray, names: tuple[str, ...], into: list[str]) -> np.ndarray:
    """Codes against ``names`` re-expressed against ``into`` (extended with any new names)."""
    index = {n: i for i, n in enumerate(into)}
    for name in names:
        if name not in index:
            index[name] = len(into)
            into.append(name)
    mapping = np.array([index[n] for n in names], dtype=np.int32)
    return mapping[codes] if len(codes) else codes.astype(np.int32)


def _extend(old: Facts, new: Facts) -> Facts:
    """Old facts followed by newer articles' facts."""
    publishers, companies = list(old.publishers), list(old.companies)
    new_publisher = _recode(new.publisher, new.publishers, publishers)
    languages = list(old.languages)
    new_language = _recode(new.language, new.languages, languages)
    new_company = _recode(new.ac_company, new.companies, companies)
    return Facts(
        ids=np.concatenate([old.ids, new.ids]),
        day=np.concatenate([old.day, new.day]),
        published=np.concatenate([old.published, new.published]),
        company_mask=np.concatenate([old.company_mask, new.company_mask]),
        topic_mask=np.concatenate([old.topic_mask, new.topic_mask]),
        tone=np.concatenate([old.tone, new.tone]),
        label=np.concatenate([old.label, new.label]),
        publisher=np.concatenate([old.publisher, new_publisher]),
        publishers=tuple(publishers),
        language=np.concatenate([old.language, new_language]),
        languages=tuple(languages),
        story=np.concatenate([old.story, new.story]),
        ac_position=np.concatenate([old.ac_position, new.ac_position + len(old.ids)]),
        ac_company=np.concatenate([old.ac_company, new_company]),
        ac_tone=np.concatenate([old.ac_tone, new.ac_tone]),
        ac_label=np.concatenate([old.ac_label, new.ac_label]),
        companies=tuple(companies),
        version=new.version,
    )


def refreshed(engine: Engine, held: Facts | None, version: tuple[int, str]) -> Facts:
    """The facts at ``version``: ``held`` extended by the articles stored since, or loaded afresh when the
    analysis was rewritten (or nothing is held)."""
    if held is None or held.version[1] != version[1] or held.version[0] > version[0]:
        return _load(engine, 0, version)
    if held.version[0] < version[0]:
        return _extend(held, _load(engine, held.version[0], version))
    return held


@dataclass(frozen=True)
class StoryFacts:
    """Per story, derived from the article facts: what the story roll-ups hold of it (dashboard.store.stories),
    so a keyword or publisher selection counts stories as the roll-ups do."""

    position: np.ndarray  # per article: the index of its story below
    ids: np.ndarray  # int64 story ids, ascending
    day: np.ndarray  # int32 day of its first publication
    published: np.ndarray  # int64 its first publication
    company_mask: np.ndarray  # int64: every company any of its articles names
    topic_mask: np.ndarray  # int64
    tone: np.ndarray  # float64 mean over its analysed articles, NaN when none is
    label: np.ndarray  # int8 label of that mean, NO_LABEL when NaN
    articles: np.ndarray  # int64 articles in it
    # One row per (story, company): story index, company code, mean tone toward the company, its label.
    sc_story: np.ndarray
    sc_company: np.ndarray
    sc_tone: np.ndarray
    sc_label: np.ndarray


def _labels(tone: np.ndarray) -> np.ndarray:
    """neg/neu/pos codes of mean tones (NO_LABEL for NaN), with the analysis' neutral band."""
    out = np.where(tone >= NEUTRAL_BAND, 1, np.where(tone <= -NEUTRAL_BAND, -1, 0)).astype(np.int8)
    out[np.isnan(tone)] = NO_LABEL
    return out


def story_facts(held: Facts) -> StoryFacts:
    """Each story's day, bit sets, size and mean tones, from its articles' facts."""
    ids, position = np.unique(held.story, return_inverse=True)
    count = len(ids)
    order = np.argsort(position, kind="stable")
    starts = np.searchsorted(position[order], np.arange(count)) if count else np.array([], dtype=np.int64)

    def reduced(ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
        return ufunc.reduceat(values[order], starts) if count else values[:0]

    toned = ~np.isnan(held.tone)
    sums = np.bincount(position, weights=np.where(toned, held.tone, 0.0), minlength=count)
    n_toned = np.bincount(position, weights=toned.astype(float), minlength=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        tone = np.where(n_toned > 0, sums / n_toned, np.nan)
    width = max(len(held.companies), 1)
    keys, inverse = np.unique(
        position[held.ac_position].astype(np.int64) * width + held.ac_company, return_inverse=True
    )
    ac_toned = ~np.isnan(held.ac_tone)  # a company named in a language without a lexicon has no tone
    with np.errstate(invalid="ignore", divide="ignore"):
        sc_tone = np.bincount(inverse, weights=np.where(ac_toned, held.ac_tone, 0.0), minlength=len(keys)) / (
            np.bincount(inverse, weights=ac_toned.astype(float), minlength=len(keys))
        )
    return StoryFacts(
        position=position,
        ids=ids,
        day=reduced(np.minimum, held.day),
        published=reduced(np.minimum, held.published),
        company_mask=reduced(np.bitwise_or, held.company_mask),
        topic_mask=reduced(np.bitwise_or, held.topic_mask),
        tone=tone,
        label=_labels(tone),
        articles=np.bincount(position, minlength=count).astype(np.int64),
        sc_story=keys // width,
        sc_company=(keys % width).astype(np.int32),
        sc_tone=sc_tone,
        sc_label=_labels(sc_tone),
    )
