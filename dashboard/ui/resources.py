"""Shared, cached resources and data reads: the only module that decides what is cached, keyed on arguments."""

from __future__ import annotations

import os
import threading
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select

from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, Config, load_config
from dashboard.read import queries
from dashboard.read.filters import Filters
from dashboard.read.reader import Reader
from dashboard.read.views import VIEWS, ViewData
from dashboard.store import facts
from dashboard.store.engine import database_url, open_engine
from dashboard.store.schema import feeds


def configured_database_url() -> str:
    """``DATABASE_URL`` from Streamlit secrets or the environment, else the local SQLite file."""
    try:
        secret = st.secrets.get("DATABASE_URL")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        secret = None
    return database_url(secret or os.environ.get("DATABASE_URL"))


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the whole server."""
    return open_engine(url)


@st.cache_resource(show_spinner=False)
def reader_for(url: str) -> Reader:
    """One Reader per database URL for the whole server: what it keeps (the per-article facts, keyword
    selections) serves every session, and stays current with the data version."""
    return Reader(engine_for(url))


@st.cache_resource(show_spinner=False)
def warm_facts(url: str) -> threading.Thread:
    """Load the per-article facts in the background once per server, after the first page is drawn, so the
    first keyword or publisher filter does not wait for them."""
    thread = threading.Thread(target=reader_for(url).facts, name="warm-facts", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def config_for(path: str) -> Config:
    """The parsed configuration file."""
    return load_config(path)


@st.cache_resource(show_spinner=False)
def analyzer_for(path: str) -> Analyzer:
    """The analyzer built from the configuration file (for refreshes and explanations)."""
    return Analyzer.from_config(config_for(path))


def config_path() -> str:
    return os.environ.get("DASHBOARD_CONFIG", str(DEFAULT_CONFIG))


def data_version(engine: Engine) -> tuple[int, int, str]:
    """Changes whenever an ingest stores anything or a rescore rewrites the analysis: part of every cached
    read's key. (The newest id, not a count: counting a million rows on every rerun costs ~50 ms.)"""
    last_id, analysed = facts.data_version(engine)
    with engine.connect() as conn:
        last_fetch = conn.execute(select(func.max(feeds.c.last_fetch_at))).scalar()
    return last_id, 0, f"{last_fetch}|{analysed}"


@st.cache_data(show_spinner=False, max_entries=64)
def view(
    url: str, name: str, filters: Filters, version: tuple[int, int, str], params: tuple[tuple[str, object], ...] = ()
) -> ViewData:
    """A view's data (dashboard.read.views) for these filters and view parameters, until the data changes."""
    return VIEWS[name](reader_for(url), config_for(config_path()), filters, **dict(params))  # type: ignore[operator]


def alerts_view(url: str, filters: Filters) -> ViewData:
    """The alert rules and messages, read afresh every time: messages are recorded without any new article,
    so the data version does not see them."""
    return VIEWS["alerts"](reader_for(url), config_for(config_path()), filters)  # type: ignore[operator]


@st.cache_data(show_spinner=False, max_entries=64)
def copies(url: str, story: int, version: tuple[int, int, str]) -> pd.DataFrame:
    """Every article of one story (the copies behind a story's row)."""
    return queries.story_copies(reader_for(url), story)


@st.cache_data(show_spinner=False, max_entries=16)
def publishers(url: str, version: tuple[int, int, str]) -> list[str]:
    return queries.publishers(reader_for(url))


@st.cache_data(show_spinner=False, max_entries=16)
def bounds(url: str, version: tuple[int, int, str]) -> tuple[date, date] | None:
    return queries.data_bounds(reader_for(url))


@st.cache_data(show_spinner=False, max_entries=8)
def is_demo(url: str, version: tuple[int, int, str]) -> bool:
    return queries.is_demo(reader_for(url))
