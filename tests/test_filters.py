"""Filters and their URL form: every parameter round-trips, and bad ones become notes, never errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard.models import Event
from dashboard.read.filters import Filters, bounded, parse_params, preset_span

COMPANIES = ["Meta", "OpenAI", "Google"]
TOPICS = ["burnout", "layoffs"]
LATEST = date(2026, 11, 28)


def parse(query: dict[str, list[str]]) -> Filters:
    return parse_params(query, companies=COMPANIES, topics=TOPICS, latest=LATEST)


def test_a_full_query_string_restores_every_filter() -> None:
    query = {
        "company": ["Meta", "openai"],
        "topic": ["burnout"],
        "q": ["data  center*"],
        "source": ["Reuters"],
        "from": ["2026-09-01"],
        "to": ["2026-10-31"],
        "step": ["week"],
        "smooth": ["3"],
        "norm": ["per100"],
        "view": ["trends"],
        "event": ["2026-10-20:Reorg memo", "2026-09-02"],
        "window": ["14"],
        "peer": ["google"],
        "terms": ["1"],
    }
    filters = parse(query)
    assert filters == Filters(
        companies=("Meta", "OpenAI"),
        topics=("burnout",),
        q="data center*",
        sources=("Reuters",),
        date_from=date(2026, 9, 1),
        date_to=date(2026, 10, 31),
        step="week",
        smooth=3,
        norm="per100",
        view="trends",
        events=(
            Event(date(2026, 10, 20), "Reorg memo", ad_hoc=True),
            Event(date(2026, 9, 2), "2026-09-02", ad_hoc=True),
        ),
        window=14,
        peers=("Google",),
        terms=True,
    )
    assert filters.notes == ()
    assert parse(filters.to_params()) == filters


def test_no_parameters_means_the_last_90_days_of_everything() -> None:
    filters = parse({})
    assert (filters.date_from, filters.date_to, filters.view, filters.companies) == (
        date(2026, 8, 31),
        LATEST,
        "overview",
        (),
    )
    assert filters.to_params() == {"from": ["2026-08-31"], "to": ["2026-11-28"]}


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"company": ["Nokia"]}, "ignored company='Nokia': not one of the known values"),
        ({"from": ["yesterday"]}, "ignored from='yesterday': not a date (use YYYY-MM-DD)"),
        ({"from": ["2026-10-01"], "to": ["2026-09-01"]}, "ignored from=2026-10-01 and to=2026-09-01: from is after to"),
        ({"step": ["hour"]}, "ignored step='hour': use one of day, week, month"),
        ({"smooth": ["0"]}, "ignored smooth='0': use a whole number from 1 to 30"),
        ({"smooth": ["lots"]}, "ignored smooth='lots': use a whole number from 1 to 30"),
        ({"norm": ["log"]}, "ignored norm='log': use raw or per100"),
        (
            {"view": ["admin"]},
            "ignored view='admin': use one of overview, trends, spikes, impact, compare, articles, sources, alerts",
        ),
        ({"utm_source": ["x"]}, "ignored unknown parameter 'utm_source'"),
        ({"event": ["Oct 20:memo"]}, "ignored event='Oct 20:memo': use YYYY-MM-DD:label"),
        ({"event": ["0001-01-01:x"]}, "ignored event='0001-01-01:x': the date is out of range"),
        ({"window": ["1000"]}, "ignored window='1000': use a whole number of days from 2 to 365"),
        ({"peer": ["Nokia"]}, "ignored peer='Nokia': not one of the known values"),
        ({"terms": ["yes"]}, "ignored terms='yes': use 1 or 0"),
    ],
)
def test_a_bad_parameter_is_ignored_with_a_note(query: dict[str, list[str]], note: str) -> None:
    filters = parse(query)
    assert filters.notes == (note,)
    assert (filters.step, filters.smooth, filters.norm, filters.view) == ("day", 1, "raw", "overview")


def test_previous_period_has_the_same_length() -> None:
    filters = Filters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
    assert filters.previous_span() == (date(2026, 10, 2), date(2026, 10, 31))


@pytest.mark.parametrize(
    ("preset", "span"),
    [
        ("7 days", (date(2026, 11, 22), LATEST)),
        ("1 year", (date(2025, 11, 29), LATEST)),
        ("all", (date(2020, 1, 1), LATEST)),
    ],
)
def test_presets_end_at_the_newest_article(preset: str, span: tuple[date, date]) -> None:
    assert preset_span(preset, LATEST, date(2020, 1, 1)) == span


@pytest.mark.parametrize(
    ("days", "step", "drawn"),
    [
        (1000, "day", "day"),
        (1001, "day", "week"),
        (7001, "day", "month"),
        (7001, "week", "month"),
        (9000, "month", "month"),
    ],
)
def test_a_range_too_long_for_its_step_is_drawn_coarser_with_a_note(days: int, step: str, drawn: str) -> None:
    start = date(2000, 1, 1)
    filters = bounded(Filters(date_from=start, date_to=start + timedelta(days=days - 1), step=step))
    assert filters.step == drawn
    expected = (
        ()
        if drawn == step
        else (f"step={step} over {days:,} days would draw over 1,000 points per line: drawn by {drawn}",)
    )
    assert filters.notes == expected


@pytest.mark.parametrize(
    ("query", "span", "note"),
    [
        (
            {"from": ["0001-01-01"]},
            (date(2026, 1, 1), date(2026, 11, 28)),
            "from=0001-01-01 is outside the stored articles: using the first day, 2026-01-01",
        ),
        (
            {"to": ["0001-01-01"]},
            (date(2026, 1, 1), date(2026, 1, 1)),
            "to=0001-01-01 is outside the stored articles: using the first day, 2026-01-01",
        ),
        (
            {"from": ["9999-12-31"]},
            (date(2026, 11, 28), date(2026, 11, 28)),
            "from=9999-12-31 is outside the stored articles: using the last day, 2026-11-28",
        ),
    ],
)
def test_dates_outside_the_stored_articles_are_moved_to_them(
    query: dict[str, list[str]], span: tuple[date, date], note: str
) -> None:
    filters = parse_params(query, companies=[], topics=[], latest=date(2026, 11, 28), earliest=date(2026, 1, 1))
    assert (filters.span(), filters.notes) == (span, (note,))
    assert filters.previous_span() is not None


def test_the_previous_period_of_the_earliest_dates_is_none_not_an_error() -> None:
    assert Filters(date_from=date.min, date_to=date(1, 1, 31)).previous_span() is None


def test_an_event_label_from_a_link_is_one_short_line() -> None:
    [event] = parse({"event": ["2026-10-20:  Reorg\n memo " + "x" * 300]}).events
    assert event.label == "Reorg memo " + "x" * 89
    assert len(parse({"event": [f"2026-10-{d:02d}:e" for d in range(1, 31)]}).events) == 20
