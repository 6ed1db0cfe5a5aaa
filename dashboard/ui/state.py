"""Filters kept in the URL: read the query string once per session, draw the sidebar, write the URL back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from dashboard.models import Event
from dashboard.read.filters import (
    COUNTS,
    MAX_SMOOTH,
    MAX_WINDOW,
    NORMS,
    PRESETS,
    STEPS,
    VIEWS,
    WINDOWS,
    Filters,
    parse_events,
    parse_params,
    preset_span,
)

VIEW_LABELS = {
    "overview": "Overview",
    "trends": "Trends",
    "spikes": "Spikes",
    "impact": "Impact",
    "compare": "Compare",
    "articles": "Articles",
    "sources": "Sources",
    "alerts": "Alerts",
}
NORM_LABELS = {"raw": "counts", "per100": "per 100"}
COUNT_LABELS = {"stories": "stories (each once)", "articles": "articles (every copy)"}
# Widget keys, in one place.
K_COMPANY, K_TOPIC, K_Q, K_SOURCE = "f_company", "f_topic", "f_q", "f_source"
K_RANGE, K_PRESET, K_STEP, K_SMOOTH, K_NORM, K_VIEW = "f_range", "f_preset", "f_step", "f_smooth", "f_norm", "f_view"
K_COUNT, K_EVENTS = "f_count", "f_events"
K_WINDOW, K_WINDOW_DAYS, K_PEERS, K_IMPACT_EVENT = "f_window", "f_window_days", "f_peers", "f_impact_event"
K_TERMS = "f_terms"
K_LOADED = "f_loaded_from_url"


def _query_dict() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _seed_widgets(filters: Filters, earliest: date, latest: date) -> None:
    """Put the URL's filters into the widgets' state (once per session)."""
    st.session_state[K_COMPANY] = list(filters.companies)
    st.session_state[K_TOPIC] = list(filters.topics)
    st.session_state[K_Q] = filters.q
    st.session_state[K_SOURCE] = list(filters.sources)
    start = filters.date_from or earliest
    end = filters.date_to or latest
    st.session_state[K_RANGE] = (start, end)
    st.session_state[K_PRESET] = next(
        (name for name in PRESETS if preset_span(name, latest, earliest) == (start, end)), "custom"
    )
    st.session_state[K_STEP] = filters.step
    st.session_state[K_SMOOTH] = filters.smooth
    st.session_state[K_NORM] = filters.norm
    st.session_state[K_COUNT] = filters.count
    st.session_state[K_VIEW] = filters.view
    st.session_state[K_EVENTS] = "\n".join(f"{e.day.isoformat()}:{e.label}" for e in filters.events)
    st.session_state[K_WINDOW] = filters.window if filters.window in WINDOWS else "custom"
    st.session_state[K_WINDOW_DAYS] = filters.window
    st.session_state[K_PEERS] = list(filters.peers)
    st.session_state[K_TERMS] = filters.terms
    if filters.events:
        st.session_state[K_IMPACT_EVENT] = event_label(filters.events[0])


def _apply_preset(latest: date, earliest: date) -> None:
    preset = st.session_state[K_PRESET]
    if preset != "custom":
        st.session_state[K_RANGE] = preset_span(preset, latest, earliest)


def _range_changed() -> None:
    st.session_state[K_PRESET] = "custom"


def sidebar_filters(
    companies: list[str], topics: list[str], sources: list[str], earliest: date, latest: date
) -> Filters:
    """Draw the filter widgets (seeded from the URL on first load) and return the filters they show."""
    notes: tuple[str, ...] = ()
    if not st.session_state.get(K_LOADED):
        parsed = parse_params(
            _query_dict(), companies=companies, topics=topics, sources=sources, latest=latest, earliest=earliest
        )
        _seed_widgets(parsed, earliest, latest)
        st.session_state[K_LOADED] = True
        notes = parsed.notes
        st.session_state["f_notes"] = notes
    notes = st.session_state.get("f_notes", ())
    side = st.sidebar
    side.header("Filters")
    side.multiselect("Companies", companies, key=K_COMPANY, placeholder="All companies")
    side.multiselect("Topics", topics, key=K_TOPIC, placeholder="Any topic")
    side.text_input("Keyword or phrase", key=K_Q, placeholder='e.g. "data center*" or burnout', max_chars=200)
    side.multiselect("Sources", sources, key=K_SOURCE, placeholder="All publishers")
    side.selectbox("Date range", ["custom", *PRESETS], key=K_PRESET, on_change=_apply_preset, args=(latest, earliest))
    side.date_input(
        "From / to", key=K_RANGE, min_value=min(earliest, st.session_state[K_RANGE][0]), on_change=_range_changed
    )
    side.selectbox("Time step", STEPS, key=K_STEP)
    side.slider("Smoothing (periods)", 1, MAX_SMOOTH, key=K_SMOOTH)
    side.radio(
        "Count",
        COUNTS,
        key=K_COUNT,
        format_func=COUNT_LABELS.get,
        help="A story is the set of articles, from any outlet, that report the same news: counting stories, a "
        "wire story run by 30 outlets counts once, with the mean tone of its copies.",
    )
    side.radio("Volumes as", NORMS, key=K_NORM, format_func=NORM_LABELS.get, horizontal=True)
    side.toggle(
        "Rising terms",
        key=K_TERMS,
        help="On Overview and Spikes: the words and phrases whose share of the headlines rose most against "
        "the period of the same length before. Click one to make it the keyword.",
    )
    side.text_area(
        "Events to mark",
        key=K_EVENTS,
        placeholder="2026-10-20:Reorg memo",
        help="One per line, YYYY-MM-DD:label. Drawn on every time chart and kept in the link; the events in "
        "data/events.toml are drawn too.",
        max_chars=2000,
    )
    unread: list[str] = []
    events = parse_events(st.session_state.get(K_EVENTS, "").splitlines(), unread)
    for note in unread:
        side.text(note)  # quotes what was typed: plain text, never Markdown
    picked = st.session_state[K_RANGE]
    start, end = (picked[0], picked[-1]) if isinstance(picked, (tuple, list)) and picked else (earliest, latest)
    return Filters(
        companies=tuple(st.session_state[K_COMPANY]),
        topics=tuple(st.session_state[K_TOPIC]),
        q=" ".join(st.session_state[K_Q].split()),
        sources=tuple(st.session_state[K_SOURCE]),
        date_from=start,
        date_to=end,
        step=st.session_state[K_STEP],
        smooth=int(st.session_state[K_SMOOTH]),
        norm=st.session_state[K_NORM],
        count=st.session_state.get(K_COUNT, "stories"),
        view=st.session_state.get(K_VIEW, "overview"),
        events=events,
        terms=bool(st.session_state.get(K_TERMS, False)),
        notes=notes,
    )


def use_as_keyword(term: str) -> None:
    """A button's callback: the term becomes the keyword filter (before the sidebar is drawn again)."""
    st.session_state[K_Q] = term


def event_label(event: Event) -> str:
    return f"{event.day.isoformat()}: {event.label}"


def impact_controls(filters: Filters, companies: list[str], known: list[Event]) -> Filters:
    """The Impact view's own choices, above it: the event (the link's, then the events file's), the window and
    the peers; returned in the filters, so the link carries them."""
    options = {event_label(e): e for e in [*filters.events, *known]}
    event_column, window_column, peers_column = st.columns([3, 2, 3])
    if options:
        if st.session_state.get(K_IMPACT_EVENT) not in options:
            st.session_state[K_IMPACT_EVENT] = next(iter(options))
        chosen = options[event_column.selectbox("Event", list(options), key=K_IMPACT_EVENT)]
        if not filters.events or chosen != filters.events[0]:
            picked = replace(chosen, ad_hoc=True, demo=False, company="all", link=None)
            filters = replace(filters, events=(picked, *[e for e in filters.events if e.day != chosen.day]))
    else:
        event_column.text("No event yet: add one under Events to mark (sidebar), or in data/events.toml.")
    window = window_column.radio(
        "Days before and after", [*WINDOWS, "custom"], key=K_WINDOW, horizontal=True, format_func=str
    )
    if window == "custom":
        window = window_column.number_input("Days", min_value=2, max_value=MAX_WINDOW, step=1, key=K_WINDOW_DAYS)
    peers = peers_column.multiselect(
        "Against",
        companies,
        key=K_PEERS,
        placeholder="The other selected companies",
        help="The peers whose change is subtracted: by default the other companies selected in the sidebar.",
    )
    return replace(filters, window=int(window), peers=tuple(peers))


def view_selector() -> str:
    """The page switcher (kept in the URL as ``view``)."""
    return st.radio(
        "View", VIEWS, key=K_VIEW, format_func=VIEW_LABELS.get, horizontal=True, label_visibility="collapsed"
    )


def sync_url(filters: Filters) -> None:
    """Write the filters to the query string when they differ from it, so the URL always reopens this view."""
    wanted = filters.to_params()
    if wanted != _query_dict():
        st.query_params.from_dict(wanted)
