"""The dashboard: first run, filters bound to the URL, one view at a time, refresh for whoever may."""

from __future__ import annotations

import hmac
import logging
import os
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard.pipeline.backfill import ingest_with_history
from dashboard.pipeline.demo import DemoSpec, write_demo
from dashboard.pipeline.ingest import FeedReport, jobs_for
from dashboard.pipeline.shared import run_shared
from dashboard.read.filters import bounded
from dashboard.ui import pages
from dashboard.ui import resources as data
from dashboard.ui.state import impact_controls, sidebar_filters, sync_url, view_selector

PAGE_FAILED = "This view could not be drawn. The error was logged on the server; try other filters, or reload."
log = logging.getLogger(__name__)


def _admin_token() -> str | None:
    try:
        token = st.secrets.get("ADMIN_TOKEN")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        token = None
    return token or os.environ.get("ADMIN_TOKEN") or None


def may_refresh(url: str, offered: str | None) -> bool:
    """Refreshing is open on a local SQLite store; elsewhere it needs the admin token."""
    token = _admin_token()
    if token:
        return offered is not None and hmac.compare_digest(offered, token)
    return url.startswith("sqlite")


def _run_ingest(url: str, with_history: bool = False) -> list[FeedReport]:
    """Ingest the configured feeds with progress on the page; ``with_history``: into an empty database, then
    backfill its history too, window by window."""
    config = data.config_for(data.config_path())
    engine = data.engine_for(url)
    analyzer = data.analyzer_for(data.config_path())
    with st.status("Fetching feeds…", expanded=True) as status:
        progress = st.progress(0.0)

        def report(feed: FeedReport, done: int, total: int) -> None:
            progress.progress(done / total, text=f"{done}/{total}: {feed.label}")

        history_bar = st.empty()

        def history(feed: FeedReport, done: int, total: int) -> None:
            what = "failed" if feed.failed else f"{feed.new} new"
            history_bar.progress(done / total, text=f"History {done}/{total}: {feed.label}: {what}")

        if with_history:
            reports, backfilled = ingest_with_history(
                engine, config, date.today(), progress=report, history_progress=history, analyzer=analyzer
            )
        else:
            jobs = jobs_for(config.feed_specs())
            reports = run_shared(engine, jobs, config.fetch, progress=report, analyzer=analyzer)
            backfilled = []
        failed = sum(r.failed for r in reports)
        label = f"Fetched {len(reports)} feeds: {sum(r.new for r in reports)} new articles, {failed} failed"
        if backfilled:
            label += (
                f"; history: {sum(r.new for r in backfilled)} articles from {len(backfilled)} windows, "
                f"{sum(r.failed for r in backfilled)} failed (they are fetched again next time)"
            )
        status.update(label=label, state="complete")
    st.cache_data.clear()
    return reports


def _run_demo(url: str) -> None:
    with st.status("Writing the demo dataset…", expanded=True) as status:
        progress = st.progress(0.0)
        total = write_demo(
            data.engine_for(url),
            data.analyzer_for(data.config_path()),
            DemoSpec(),
            lambda done, total: progress.progress(done / total, text=f"{done:,} of {total:,} articles"),
        )
        status.update(label=f"Wrote {total:,} synthetic articles", state="complete")
    st.cache_data.clear()


def first_run(url: str) -> None:
    """An empty store: offer to ingest now, or the demo dataset when no feed can be reached."""
    st.info(
        "No articles are stored yet. Fetch the configured feeds now, or load a synthetic demo dataset "
        "to explore the dashboard offline."
    )
    left, right = st.columns(2)
    if left.button("Ingest now", type="primary", disabled=not may_refresh(url, st.session_state.get("admin_token"))):
        reports = _run_ingest(url, with_history=True)
        if reports and all(r.failed for r in reports):
            st.warning("No feed could be reached (offline?). Load the demo dataset instead.")
            st.dataframe(pd.DataFrame([{"feed": r.name, "error": r.error} for r in reports]), hide_index=True)
        else:
            st.rerun()
    if right.button("Load demo data", disabled=not may_refresh(url, st.session_state.get("admin_token"))):
        _run_demo(url)
        st.rerun()


def refresh_panel(url: str) -> None:
    """Refresh (run an ingest) from the sidebar, for whoever may."""
    with st.sidebar.expander("Refresh data"):
        if _admin_token():
            st.text_input("Admin token", type="password", key="admin_token")
        if may_refresh(url, st.session_state.get("admin_token")):
            if st.button("Ingest now", key="refresh_now"):
                _run_ingest(url)
                st.rerun()
        else:
            st.caption("Only an administrator can refresh this deployment; the data updates on its own schedule.")


def explain_panel(title: str, summary: str) -> None:
    """Why an article scored as it did: word by word."""
    scorer = data.analyzer_for(data.config_path()).scorer
    explanation = scorer.explain(f"{title}. {summary}" if summary else title)
    st.subheader(f"Why it scores {explanation.tone.compound:+.3f} ({explanation.tone.label})")
    if not explanation.contributions:
        st.caption("No word in the headline or summary carries tone, so it scores exactly 0.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "word": c.word,
                    "lexicon": c.lexicon,
                    "counted": c.valence,
                    "source": c.source,
                    "rules": "; ".join(c.rules),
                    "reason": c.reason,
                }
                for c in explanation.contributions
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def copy_link(filters_query: str) -> None:
    """Show the shareable link of the current view, ready to select and copy (a plain text field: a code block
    would load a 1.5 MB syntax highlighter into every page for it)."""
    with st.sidebar.expander("Copy link to this view"):
        base = st.context.url or ""
        st.text_input("Link", f"{base}?{filters_query}", label_visibility="collapsed")
        st.caption("It reopens exactly this view, with these filters and numbers, in any browser.")


def main() -> None:
    """Draw the page; whatever goes wrong below this line is logged, and the viewer gets a plain message."""
    st.set_page_config(page_title="AI news sentiment tracker", page_icon="📰", layout="wide")
    try:
        draw()
    except Exception:
        log.exception("the page failed for the query %r", st.query_params.to_dict())
        st.error(PAGE_FAILED)


def draw() -> None:
    """The page: first run, or the filters, the chosen view and the tools around it."""
    url = data.configured_database_url()
    engine = data.engine_for(url)
    config = data.config_for(data.config_path())
    version = data.data_version(engine)
    st.title("AI news sentiment tracker")
    bounds = data.bounds(url, version)
    if bounds is None:
        first_run(url)
        return
    if data.is_demo(url, version):
        st.warning(
            "Demo data: these articles are synthetic, generated by `python -m dashboard demo`, not real news.",
            icon="🧪",
        )
    earliest, latest = bounds
    filters = sidebar_filters(
        [c.name for c in config.companies], list(config.topics), data.publishers(url, version), earliest, latest
    )
    refresh_panel(url)
    view = view_selector()
    filters = bounded(replace(filters, view=view))
    if view == "impact":
        known = pages.impact_events(url, version, config, filters)
        filters = impact_controls(filters, [c.name for c in config.companies], known)
    for note in filters.notes:
        st.text(f"Link note: {note}")  # notes quote the link's values: plain text, never Markdown
    filters = replace(filters, notes=())
    sync_url(filters)
    copy_link(urlencode(filters.to_params(), doseq=True))
    ctx = pages.Context(url=url, version=version, config=config, filters=filters)
    if view == "articles":
        pages.articles_page(ctx, explain_panel)
    elif view == "alerts":
        pages.alerts_page(ctx, may_refresh(url, st.session_state.get("admin_token")))
    else:
        pages.PAGES[view](ctx)
    data.warm_facts(url)
