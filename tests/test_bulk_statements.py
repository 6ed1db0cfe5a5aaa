"""The store's bulk statements (dashboard.store.schema) give back exactly what they were given, on both
databases: rows written in one statement (on PostgreSQL a binary COPY, or column arrays with ON CONFLICT),
and lookups over many values at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Engine, select

from dashboard.store.schema import (
    any_of,
    articles,
    copy_type,
    feed_leases,
    in_each,
    insert_many,
    metadata,
    rollup_story_company,
    story_keys,
)

AWKWARD_TEXT = ['Quote "Co"', "Back\\slash\\", "NULL", "Ünïcode, Inc.", "{braces}", "comma, space", "", "'single'"]
AWKWARD_FLOATS = [0.1, -0.0, 1e-300, 1 / 3, -2.5e300, 7.0, 123456789.123456789, 5e-324]
EXTREME_KEYS = [-(2**63), -(2**47) - 1, -1, 0, 1, 2**47, 2**63 - 1, 6_917_529_027_641_081_856]
WAYS = {"copy": "", "arrays": "ON CONFLICT DO NOTHING"}


@pytest.mark.parametrize("suffix", WAYS.values(), ids=WAYS.keys())
def test_rows_written_in_one_statement_read_back_exactly_whatever_their_text_and_figures(
    engine: Engine, suffix: str
) -> None:
    rows = [
        {
            "day": date(2026, 11, i + 1),
            "company": name,
            "topic_mask": EXTREME_KEYS[i],
            "stories": i,
            "toned": i,
            "tone_sum": tone,
            "tone_sq": tone * tone,
            "neg": 0,
            "pos": 1,
        }
        for i, (name, tone) in enumerate(zip(AWKWARD_TEXT, AWKWARD_FLOATS, strict=True))
    ]
    with engine.begin() as conn:
        insert_many(conn, rollup_story_company, rows, suffix)
        stored = [dict(r._mapping) for r in conn.execute(select(rollup_story_company).order_by("day"))]
    assert stored == rows


@pytest.mark.parametrize("suffix", WAYS.values(), ids=WAYS.keys())
@pytest.mark.parametrize("expires_at", [None, datetime(2026, 11, 30, 8, 41, 5, 123456, tzinfo=UTC)])
def test_times_and_missing_values_written_in_one_statement_read_back_exactly(
    engine: Engine, expires_at: datetime | None, suffix: str
) -> None:
    rows = [
        {"url_hash": f"h{i}", "url": url, "holder": None, "expires_at": expires_at, "stored_at": None}
        for i, url in enumerate(AWKWARD_TEXT)
    ]
    with engine.begin() as conn:
        insert_many(conn, feed_leases, rows, suffix)
        stored = [dict(r._mapping) for r in conn.execute(select(feed_leases).order_by("url_hash"))]
    assert stored == rows


def test_a_lookup_over_many_keys_finds_exactly_the_stored_ones_among_them(engine: Engine) -> None:
    stored = [{"key": key, "day": date(2026, 11, 30), "story_id": i} for i, key in enumerate(EXTREME_KEYS)]
    sought = [*EXTREME_KEYS[::2], 2, 3, -(2**62)]
    with engine.begin() as conn:
        insert_many(conn, story_keys, stored, "ON CONFLICT DO NOTHING")
        found = {
            key
            for where, params in any_of(conn, "key", sought, "BIGINT")
            for (key,) in conn.exec_driver_sql(f"SELECT key FROM story_keys WHERE {where}", params)
        }
        stories = {
            story
            for condition in in_each(conn, story_keys.c.story_id, [0, 2, 4, 99])
            for story in conn.execute(select(story_keys.c.story_id).where(condition)).scalars()
        }
    assert found == set(EXTREME_KEYS[::2]) and stories == {0, 2, 4}


@pytest.mark.parametrize(
    ("column", "written_as"),
    [
        (story_keys.c.key, "int8"),
        (story_keys.c.story_id, "int4"),
        (story_keys.c.day, "date"),
        (rollup_story_company.c.tone_sum, "float8"),
        (articles.c.title, "text"),
        (articles.c.published_at, "timestamp"),  # naive UTC, through UTCDateTime
    ],
)
def test_a_binary_copy_writes_each_column_in_its_own_types_format(column: Column[object], written_as: str) -> None:
    assert copy_type(column) == written_as


def test_every_stored_column_can_be_written_by_binary_copy() -> None:
    assert all(copy_type(column) for table in metadata.sorted_tables for column in table.columns)
