"""The dashboard page. Until the charts arrive it shows what is stored and how each feed is doing."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard.stats import collect_stats
from dashboard.store import database_url, open_engine


@st.cache_resource
def _engine(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the whole server."""
    return open_engine(url)


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="AI news sentiment tracker", layout="wide")
    st.title("AI news sentiment tracker")
    stats = collect_stats(_engine(database_url()))
    if not stats["articles"]:
        st.info("No articles stored yet. Run `python -m dashboard ingest` to fetch the configured feeds.")
        return
    left, middle, right = st.columns(3)
    left.metric("Articles", f"{stats['articles']:,}")
    middle.metric("Feeds", len(stats["feeds"]))
    right.metric("Publishers", stats["source_count"])
    st.caption(f"Published from {stats['first_published']} to {stats['last_published']} (UTC).")
    st.subheader("Feeds")
    # Feed text is untrusted: st.dataframe shows it as plain text, never as HTML or Markdown.
    st.dataframe(pd.DataFrame(stats["feeds"]), hide_index=True, width="stretch")
    st.subheader("Top publishers")
    st.dataframe(pd.DataFrame(stats["sources"]), hide_index=True, width="stretch")
