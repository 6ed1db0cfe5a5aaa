"""Open the database: SQLite (WAL, waiting on locks) or PostgreSQL, with the schema created or migrated."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from dashboard.paths import DATA_DIR
from dashboard.store import rollups, stories
from dashboard.store.schema import ensure_schema

DEFAULT_DB_PATH = DATA_DIR / "news.db"


def database_url(explicit: str | None = None) -> str:
    """The database to use: ``--db``, else ``DATABASE_URL``, else the SQLite file under data/."""
    url = explicit or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"
    # Hosted providers hand out postgres:// URLs; route them to the psycopg (v3) driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _use_wal(cursor: sqlite3.Cursor, patience: float = 30.0) -> None:
    """Switch the file to WAL (it stays so). SQLite answers "database is locked" at once, without waiting on
    busy_timeout, when another process opens a new file at the same moment, so that case is retried."""
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    give_up = time.monotonic() + patience
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > give_up:
                raise
            time.sleep(0.05)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """WAL lets the dashboard read while an ingest writes; wait rather than fail on a busy lock."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout=30000")
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # 16 MB of pages per connection (SQLite's default is 2 MB): batches touch large indexes; the dashboard's
    # pooled connections each keep this much, so it stays well inside the server's memory budget.
    cursor.execute("PRAGMA cache_size=-16000")
    cursor.close()


def open_engine(url: str | None = None) -> Engine:
    """An engine for the chosen database with the schema created or migrated."""
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    ensure_schema(engine)
    rollups.ensure_current(engine)
    stories.ensure_current(engine)
    return engine
