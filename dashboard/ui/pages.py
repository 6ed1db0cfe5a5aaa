"""One function per view: it lays out the data of dashboard.read.views (cached in dashboard.ui.resources) with
the figures of dashboard.read.charts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard.config import Config
from dashboard.read import charts, views
from dashboard.read.export import to_csv
from dashboard.read.filters import Filters
from dashboard.ui import resources as data
from dashboard.ui.safety import safe_link


@dataclass(frozen=True)
class Context:
    """What every page needs: where the data is, its version, the config, and the filters."""

    url: str
    version: tuple[int, int, str]
    config: Config
    filters: Filters

    @property
    def companies(self) -> list[str]:
        """The selected companies, or every configured one."""
        return views.companies_of(self.config, self.filters)

    @property
    def all_companies(self) -> list[str]:
        return [c.name for c in self.config.companies]

    def view(self, name: str, **params: object) -> views.ViewData:
        """The data of a view for these filters (cached until the data changes)."""
        return data.view(self.url, name, self.filters, self.version, tuple(sorted(params.items())))


def _csv_button(label: str, frame: pd.DataFrame, name: str) -> None:
    """A CSV download of a chart's or table's data; feed text cannot turn into spreadsheet formulas."""
    body = to_csv(frame).encode("utf-8")
    st.download_button(label, body, file_name=name, mime="text/csv", key=f"dl_{name}")


def _headlines_table(frame: pd.DataFrame, key: str, height: int | None = None) -> None:
    """Articles as a plain-text table; titles link out only to http(s) addresses."""
    shown = pd.DataFrame(
        {
            "time (UTC)": frame["published_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "publisher": frame["publisher"],
            "title": frame["title"],
            "link": [safe_link(link) for link in frame["link"]],
            "tone": frame["tone"].round(3),
        }
    )
    for column in ("companies", "topics"):
        if column in frame:
            shown[column] = frame[column]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=height or "auto",
        key=key,
        column_config={"link": st.column_config.LinkColumn("link", display_text="open")},
    )


def overview(ctx: Context) -> None:
    """Headline figures against the previous period, and a small trend per company."""
    shown: views.Overview = ctx.view("overview")  # type: ignore[assignment]
    figures = shown.figures.to_dict("records")
    for column, figure in zip(st.columns(len(figures)), figures, strict=True):
        label, value, delta = figure["label"], figure["value"], figure["delta"]
        fmt = "{:,.0f}" if label == "Articles" else ("{:+.3f}" if label == "Mean tone" else "{:.1f}")
        column.metric(
            label,
            "n/a" if pd.isna(value) else fmt.format(value),
            None if pd.isna(delta) else fmt.format(delta) if label != "Articles" else f"{delta:+,.0f}",
            delta_color="inverse" if label.startswith("Share negative") else "normal",
            help="Against the previous period of the same length.",
        )
    st.subheader("Articles per company")
    st.plotly_chart(
        charts.small_multiples(shown.volume, ctx.companies, ctx.all_companies),
        config={"displayModeBar": False},
        key="small_multiples",
    )
    _csv_button("Download per-company volumes (CSV)", shown.volume, "volume.csv")


def trends_page(ctx: Context) -> None:
    """Tone, volume and topic charts; selecting points narrows the article list below."""
    f = ctx.filters
    shown: views.Trends = ctx.view("trends")  # type: ignore[assignment]
    tone_event = st.plotly_chart(
        charts.tone_chart(shown.tone, shown.tone_spikes, ctx.all_companies),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="tone_chart",
    )
    _csv_button("Download tone data (CSV)", shown.tone, "tone.csv")
    measure = "per100" if f.norm == "per100" else "share"
    measure = st.radio(
        "Volume as",
        ["share", "n", "per100"],
        index=["share", "n", "per100"].index(measure),
        horizontal=True,
        format_func={"share": "share of voice", "n": "articles", "per100": "per 100 articles"}.get,
        key="volume_measure",
    )
    volume_event = st.plotly_chart(
        charts.volume_chart(shown.volume, ctx.all_companies, measure, shown.episodes),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="volume_chart",
    )
    _csv_button("Download volume data (CSV)", shown.volume, "volume.csv")
    topic_event = st.plotly_chart(
        charts.topic_chart(shown.topics, ctx.all_companies, f.norm, shown.episodes),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="topic_chart",
    )
    _csv_button("Download topic data (CSV)", shown.topics, "topics.csv")
    periods = _selected_periods(tone_event, volume_event, topic_event)
    st.subheader("Articles behind the selection" if periods else "Articles")
    if periods:
        st.caption(f"Showing {len(periods)} selected period(s); clear the chart selection to see all.")
        shown = ctx.view("trends", periods=tuple(periods))  # type: ignore[assignment]
    _headlines_table(shown.articles, "trend_articles")


def _selected_periods(*events: object) -> list[pd.Timestamp]:
    """The x values (periods) of points selected on any chart."""
    periods: list[pd.Timestamp] = []
    for event in events:
        selection = getattr(event, "selection", None) or (event.get("selection") if isinstance(event, dict) else None)
        if not selection:
            continue
        for point in selection.get("points", []):
            if point.get("x") is not None:
                periods.append(pd.Timestamp(point["x"]))
    return sorted(set(periods))


EPISODE_LABELS = {
    "series": "series",
    "start": "start",
    "peak": "peak",
    "end": "end",
    "articles": st.column_config.NumberColumn("articles", help="articles in the episode"),
    "expected": st.column_config.NumberColumn("expected", help="what the weeks before predicted for these periods"),
    "usual_low": st.column_config.NumberColumn("usual from", help="9 in 10 quiet runs this long fall in this range"),
    "usual_high": st.column_config.NumberColumn("usual to"),
    "times": st.column_config.NumberColumn("x usual", format="%.1fx"),
    "p": st.column_config.NumberColumn("p", help="chance of a run this busy if nothing happened", format="%.1e"),
    "tone": st.column_config.NumberColumn("tone", help="mean tone toward the company in the episode"),
    "tone_low": st.column_config.NumberColumn("tone 95% from"),
    "tone_high": st.column_config.NumberColumn("tone 95% to"),
}


def spikes(ctx: Context) -> None:
    """Every episode in volume or topic mentions, with the headlines that drove the selected one."""
    shown: views.Spikes = ctx.view("spikes")  # type: ignore[assignment]
    table = shown.episodes
    if not len(table):
        st.info("No episodes in this selection: no run of periods is busier than its recent history allows.")
        return
    st.caption(
        "An episode is a run of periods with more articles than the weeks before predict (by weekday, allowing "
        "for how much the counts usually vary): shown once, from start to peak to end. Select a row to read "
        "the headlines behind it. Thin series are judged with care: a period needs 14 periods of history and a "
        "run at least 5 articles, and under about 5 articles a day even a tripling for three days is missed "
        "more often than found."
    )
    dates = {c: table[c].dt.strftime("%Y-%m-%d") for c in ("start", "peak", "end")}
    event = st.dataframe(
        table.assign(**dates),
        hide_index=True,
        width="stretch",
        column_order=list(EPISODE_LABELS),
        column_config=EPISODE_LABELS,
        on_select="rerun",
        selection_mode="single-row",
        key="spike_table",
    )
    _csv_button("Download episodes (CSV)", table, "episodes.csv")
    picked = event.selection.rows if event and event.selection else []
    if picked and picked[0] != 0:
        shown = ctx.view("spikes", row=picked[0])  # type: ignore[assignment]
    st.subheader(f"Headlines behind: {shown.picked}")
    _headlines_table(shown.articles, "spike_articles")


def compare(ctx: Context) -> None:
    """Companies side by side: tone, volume, and a company x topic heatmap."""
    shown: views.Compare = ctx.view("compare")  # type: ignore[assignment]
    summary = shown.companies
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.bar_chart(summary, "mean_tone", "Mean tone toward each company"), key="compare_tone")
    with right:
        st.plotly_chart(charts.bar_chart(summary, "articles", "Articles naming each company"), key="compare_volume")
    st.dataframe(summary.round(3), hide_index=True, width="stretch")
    _csv_button("Download comparison (CSV)", summary, "compare.csv")
    st.plotly_chart(charts.heatmap(shown.company_topic), key="compare_heatmap")
    st.caption(
        "Cells: articles mentioning the topic per 100 articles about the company; "
        "hover for the tone toward the company in those articles."
    )
    _csv_button("Download heatmap data (CSV)", shown.company_topic, "company_topic.csv")


def articles_page(ctx: Context, explain: callable) -> None:  # type: ignore[valid-type]
    """The selection's articles, sortable and paged; select a row to see why it scored as it did."""
    left, right = st.columns([2, 1])
    sort = left.selectbox("Sort by", views.SORTS, key="article_sort")
    shown: views.Articles = ctx.view(  # type: ignore[assignment]
        "articles", page=int(st.session_state.get("article_page", 1)), sort=sort
    )
    if shown.page != st.session_state.get("article_page", 1):  # the selection shrank under the page shown
        st.session_state["article_page"] = shown.page
    right.number_input(f"Page (of {shown.pages})", 1, shown.pages, key="article_page")
    st.caption(f"{shown.total:,} articles in the selection")
    frame = shown.articles
    display = pd.DataFrame(
        {
            "time (UTC)": frame["published_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "publisher": frame["publisher"],
            "title": frame["title"],
            "link": [safe_link(link) for link in frame["link"]],
            "companies": frame["companies"],
            "topics": frame["topics"],
            "tone": frame["tone"].round(3),
            **{c: frame[c] for c in frame.columns if c.startswith("tone: ")},
        }
    )
    event = st.dataframe(
        display,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="article_table",
        column_config={"link": st.column_config.LinkColumn("link", display_text="open")},
    )
    _csv_button("Download this page (CSV)", display, "articles.csv")
    picked = event.selection.rows if event and event.selection else []
    if picked:
        row = frame.iloc[picked[0]]
        explain(row["title"], row["summary"])
    else:
        st.caption("Select a row to see which words and rules gave it its tone.")


def sources(ctx: Context) -> None:
    """Articles per publisher and per feed, feed health, and when data was last refreshed."""
    shown: views.Sources = ctx.view("sources")  # type: ignore[assignment]
    st.metric("Last refresh (UTC)", shown.last_refresh)
    left, right = st.columns(2)
    with left:
        st.subheader("Articles per publisher")
        st.dataframe(shown.publishers, hide_index=True, width="stretch")
        _csv_button("Download publishers (CSV)", shown.publishers, "publishers.csv")
    with right:
        st.subheader("Articles per feed")
        st.dataframe(shown.feeds, hide_index=True, width="stretch")
    st.subheader("Feed health")
    st.dataframe(shown.health, hide_index=True, width="stretch")


PAGES = {"overview": overview, "trends": trends_page, "spikes": spikes, "compare": compare, "sources": sources}
