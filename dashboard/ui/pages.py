"""One function per view. Each reads cached data, shapes it with dashboard.read.trends, draws dashboard.read.charts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.config import Config
from dashboard.read import charts, trends
from dashboard.read.filters import Filters
from dashboard.ui import resources as data
from dashboard.ui.safety import csv_safe, safe_link

PAGE_SIZE = 50
HEADLINES = 200
SORTS = ["newest", "oldest", "most negative", "most positive"]


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
        return list(self.filters.companies) or [c.name for c in self.config.companies]

    @property
    def all_companies(self) -> list[str]:
        return [c.name for c in self.config.companies]

    @property
    def topics(self) -> list[str]:
        return list(self.filters.topics) or list(self.config.topics)


def _csv_button(label: str, frame: pd.DataFrame, name: str) -> None:
    """A CSV download of a chart's or table's data; feed text cannot turn into spreadsheet formulas."""
    body = csv_safe(frame).to_csv(index=False).encode("utf-8")
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


def _tone_data(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The company roll-up for the selection, and tone per company and period from it."""
    f = ctx.filters
    cube = data.company_cube(ctx.url, f, tuple(ctx.companies), tuple(ctx.topics), ctx.version)
    tone = trends.tone_over_time(cube, f.step, f.date_from, f.date_to, ctx.companies, f.smooth)
    return cube, tone


def _volume(ctx: Context, cube: pd.DataFrame) -> pd.DataFrame:
    f = ctx.filters
    totals = trends.articles_per_period(data.day_cube(ctx.url, f, ctx.version), f.step)
    return trends.volume_over_time(cube, totals, f.step, f.date_from, f.date_to, ctx.companies, f.smooth)


def _topics(ctx: Context, cube: pd.DataFrame) -> pd.DataFrame:
    f = ctx.filters
    return trends.topic_over_time(cube, f.step, f.date_from, f.date_to, ctx.topics, ctx.companies, f.norm, f.smooth)


def _headlines(ctx: Context, filters: Filters, span: tuple[date, date] | None, sort: str) -> pd.DataFrame:
    """Up to 200 of the selection's articles (in ``span``, when given) for a table under a chart."""
    frame, _ = data.article_page(ctx.url, filters, sort, 1, HEADLINES, span, ctx.version, count=False)
    return frame


def overview(ctx: Context) -> None:
    """Headline figures against the previous period, and a small trend per company."""
    f = ctx.filters
    current = data.day_cube(ctx.url, f, ctx.version)
    previous_span = f.previous_span()
    previous = data.day_cube(ctx.url, f, ctx.version, previous_span) if previous_span else current.iloc[0:0]
    figures = trends.headline_figures(current, previous)
    columns = st.columns(len(figures))
    for column, figure in zip(columns, figures, strict=True):
        fmt = "{:,.0f}" if figure.label == "Articles" else ("{:+.3f}" if figure.label == "Mean tone" else "{:.1f}")
        value = "n/a" if figure.value is None else fmt.format(figure.value)
        delta = (
            None
            if figure.delta is None
            else fmt.format(figure.delta)
            if figure.label != "Articles"
            else f"{figure.delta:+,.0f}"
        )
        column.metric(
            figure.label,
            value,
            delta,
            delta_color="inverse" if figure.label.startswith("Share negative") else "normal",
            help="Against the previous period of the same length.",
        )
    cube = data.company_cube(ctx.url, f, tuple(ctx.companies), tuple(ctx.topics), ctx.version)
    volume = _volume(ctx, cube)
    st.subheader("Articles per company")
    grid = st.columns(5)
    for index, company in enumerate(ctx.companies):
        with grid[index % 5]:
            st.plotly_chart(
                charts.sparkline(volume, company, ctx.all_companies),
                config={"displayModeBar": False},
                key=f"spark_{company}",
            )
    _csv_button("Download per-company volumes (CSV)", volume, "volume.csv")


def trends_page(ctx: Context) -> None:
    """Tone, volume and topic charts; selecting points narrows the article list below."""
    f = ctx.filters
    cube, tone = _tone_data(ctx)
    tone_spikes = trends.find_spikes(tone.rename(columns={"mean": "tone_mean"}), "company", "tone_mean", count_col="n")
    tone_event = st.plotly_chart(
        charts.tone_chart(tone, tone_spikes, ctx.all_companies),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="tone_chart",
    )
    _csv_button("Download tone data (CSV)", tone, "tone.csv")
    volume = _volume(ctx, cube)
    measure = "per100" if f.norm == "per100" else "share"
    measure = st.radio(
        "Volume as",
        ["share", "n", "per100"],
        index=["share", "n", "per100"].index(measure),
        horizontal=True,
        format_func={"share": "share of voice", "n": "articles", "per100": "per 100 articles"}.get,
        key="volume_measure",
    )
    volume_spikes = trends.find_spikes(volume, "company", "n")
    volume_event = st.plotly_chart(
        charts.volume_chart(volume, ctx.all_companies, measure, volume_spikes),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="volume_chart",
    )
    _csv_button("Download volume data (CSV)", volume, "volume.csv")
    topics = _topics(ctx, cube)
    series = topics.assign(series=topics["topic"] + " · " + topics["company"])
    topic_spikes = trends.find_spikes(series, "series", "value")
    topic_event = st.plotly_chart(
        charts.topic_chart(topics, ctx.all_companies, f.norm, topic_spikes),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="topic_chart",
    )
    _csv_button("Download topic data (CSV)", topics, "topics.csv")
    periods = _selected_periods(tone_event, volume_event, topic_event)
    st.subheader("Articles behind the selection" if periods else "Articles")
    if periods:
        st.caption(f"Showing {len(periods)} selected period(s); clear the chart selection to see all.")
        frame = pd.concat([_headlines(ctx, f, trends.period_span(p, f.step), "newest") for p in periods])
    else:
        frame = _headlines(ctx, f, None, "newest")
    _headlines_table(frame, "trend_articles")


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


def spikes(ctx: Context) -> None:
    """Every spike in volume, tone or topic mentions, with the headlines that drove the selected one."""
    f = ctx.filters
    cube, tone = _tone_data(ctx)
    volume = _volume(ctx, cube)
    topics = _topics(ctx, cube)
    found = []
    for kind, frame in (
        ("volume", trends.find_spikes(volume, "company", "n")),
        ("tone", trends.find_spikes(tone.rename(columns={"mean": "tone_mean"}), "company", "tone_mean", count_col="n")),
        (
            "topic",
            trends.find_spikes(topics.assign(series=topics["topic"] + " · " + topics["company"]), "series", "value"),
        ),
    ):
        if len(frame):
            label = frame["company"] if "company" in frame else frame["series"]
            found.append(
                pd.DataFrame(
                    {
                        "period": frame["period"],
                        "kind": kind,
                        "series": label,
                        "value": frame["value"].round(3),
                        "baseline": frame["baseline"].round(3),
                        "z": frame["z"],
                        "direction": frame["direction"],
                    }
                )
            )
    table = (
        pd.concat(found).sort_values(["period", "z"], ascending=[False, False]).reset_index(drop=True)
        if found
        else pd.DataFrame(columns=["period", "kind", "series", "value", "baseline", "z", "direction"])
    )
    if not len(table):
        st.info("No spikes in this selection: nothing departs sharply from its recent norm.")
        return
    st.caption(
        "A spike is a period whose value is far (robust z-score of 3.5 or more) from the median of the "
        "14 periods before it. Select a row to read the headlines behind it."
    )
    event = st.dataframe(
        table.assign(period=table["period"].dt.strftime("%Y-%m-%d")),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="spike_table",
    )
    _csv_button("Download spikes (CSV)", table, "spikes.csv")
    picked = event.selection.rows if event and event.selection else []
    row = table.iloc[picked[0]] if picked else table.iloc[0]
    company = row["series"].split(" · ")[-1]
    topic = row["series"].split(" · ")[0] if row["kind"] == "topic" else None
    st.subheader(f"Headlines behind: {row['kind']} spike, {row['series']}, {row['period']:%Y-%m-%d}")
    narrowed = replace(f, companies=(company,), topics=(topic,) if topic else f.topics)
    frame = _headlines(ctx, narrowed, trends.period_span(row["period"], f.step), "most negative")
    _headlines_table(frame, "spike_articles")


def compare(ctx: Context) -> None:
    """Companies side by side: tone, volume, and a company x topic heatmap."""
    f = ctx.filters
    cube = data.company_cube(ctx.url, f, tuple(ctx.companies), tuple(ctx.topics), ctx.version)
    summary = trends.company_summary(cube, ctx.companies)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.bar_chart(summary, "mean_tone", "Mean tone toward each company"), key="compare_tone")
    with right:
        st.plotly_chart(charts.bar_chart(summary, "articles", "Articles naming each company"), key="compare_volume")
    st.dataframe(summary.round(3), hide_index=True, width="stretch")
    _csv_button("Download comparison (CSV)", summary, "compare.csv")
    matrix = trends.company_topic_matrix(cube, ctx.companies, ctx.topics)
    st.plotly_chart(charts.heatmap(matrix), key="compare_heatmap")
    st.caption(
        "Cells: articles mentioning the topic per 100 articles about the company; "
        "hover for the tone toward the company in those articles."
    )
    _csv_button("Download heatmap data (CSV)", matrix, "company_topic.csv")


def articles_page(ctx: Context, explain: callable) -> None:  # type: ignore[valid-type]
    """The selection's articles, sortable and paged; select a row to see why it scored as it did."""
    f = ctx.filters
    left, right = st.columns([2, 1])
    sort = left.selectbox("Sort by", SORTS, key="article_sort")
    page = int(st.session_state.get("article_page", 1))
    frame, total = data.article_page(ctx.url, f, sort, page, PAGE_SIZE, None, ctx.version)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # the selection shrank under the page being shown
        page = st.session_state["article_page"] = pages
        frame, total = data.article_page(ctx.url, f, sort, page, PAGE_SIZE, None, ctx.version)
    right.number_input(f"Page (of {pages})", 1, pages, key="article_page")
    st.caption(f"{total:,} articles in the selection")
    shown = frame.copy()
    for company in ctx.filters.companies:
        shown[f"tone: {company}"] = [tones.get(company) for tones in frame["company_tone"]]
    display = pd.DataFrame(
        {
            "time (UTC)": shown["published_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "publisher": shown["publisher"],
            "title": shown["title"],
            "link": [safe_link(link) for link in shown["link"]],
            "companies": shown["companies"],
            "topics": shown["topics"],
            "tone": shown["tone"].round(3),
            **{c: shown[c] for c in shown.columns if c.startswith("tone: ")},
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
    publishers, feed_counts = data.source_tables(ctx.url, ctx.filters, ctx.version)
    stats = data.store_stats(ctx.url, ctx.version)
    fetched = [f["last_fetch"] for f in stats["feeds"] if f["last_fetch"]]  # type: ignore[index,union-attr]
    st.metric("Last refresh (UTC)", max(fetched)[:19].replace("T", " ") if fetched else "never")
    left, right = st.columns(2)
    with left:
        st.subheader("Articles per publisher")
        st.dataframe(publishers, hide_index=True, width="stretch")
        _csv_button("Download publishers (CSV)", publishers, "publishers.csv")
    with right:
        st.subheader("Articles per feed")
        st.dataframe(feed_counts, hide_index=True, width="stretch")
    st.subheader("Feed health")
    health = pd.DataFrame(stats["feeds"])[
        ["name", "status", "http_status", "last_fetch", "error", "warning", "articles"]
    ]  # type: ignore[call-overload]
    st.dataframe(health, hide_index=True, width="stretch")


PAGES = {"overview": overview, "trends": trends_page, "spikes": spikes, "compare": compare, "sources": sources}
