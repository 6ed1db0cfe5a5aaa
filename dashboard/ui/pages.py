"""One function per view: it lays out the data of dashboard.read.views (cached in dashboard.ui.resources) with
the figures of dashboard.read.charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.config import Config
from dashboard.models import Event
from dashboard.notify.check import send_test
from dashboard.read import charts, views
from dashboard.read.export import to_csv
from dashboard.read.filters import Filters
from dashboard.ui import resources as data
from dashboard.ui.safety import safe_link
from dashboard.ui.state import use_as_keyword


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

    @property
    def unit(self) -> str:
        """What counts count: "stories" or "articles"."""
        return self.filters.count

    def view(self, name: str, **params: object) -> views.ViewData:
        """The data of a view for these filters (cached until the data changes)."""
        return data.view(self.url, name, self.filters, self.version, tuple(sorted(params.items())))


def _csv_button(label: str, frame: pd.DataFrame, name: str) -> None:
    """A CSV download of a chart's or table's data; feed text cannot turn into spreadsheet formulas."""
    body = to_csv(frame).encode("utf-8")
    st.download_button(label, body, file_name=name, mime="text/csv", key=f"dl_{name}")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Stories or articles as plain text: a story's row is its first headline, with its first publication and
    how many outlets and articles ran it; titles link out only to http(s) addresses."""
    shown = pd.DataFrame(
        {
            "time (UTC)": pd.to_datetime(frame["published_at"], utc=True).dt.strftime("%Y-%m-%d %H:%M"),
            "publisher": frame["publisher"],
            "title": frame["title"],
            "link": [safe_link(link) for link in frame["link"]],
        }
    )
    for column in ("outlets", "articles"):
        if column in frame:
            shown[column] = frame[column]
    shown["tone"] = pd.to_numeric(frame["tone"]).round(3)
    languages = [code if isinstance(code, str) else "en" for code in frame.get("language", [])]
    if any(code != "en" for code in languages):
        # An article in a language without a tone lexicon has none: an empty tone cell, said in words here.
        shown["language"] = [
            f"{code}: no tone" if pd.isna(t) else code for code, t in zip(languages, frame["tone"], strict=True)
        ]
    for column in ("companies", "topics"):
        if column in frame:
            shown[column] = frame[column]
    return shown


def _headlines_table(ctx: Context, frame: pd.DataFrame, key: str) -> None:
    """Stories or articles as a plain-text table; selecting a story lists every copy of it below."""
    stories = "outlets" in frame
    event = st.dataframe(
        _plain(frame),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={"link": st.column_config.LinkColumn("link", display_text="open")},
        **({"on_select": "rerun", "selection_mode": "single-row"} if stories else {}),
    )
    picked = event.selection.rows if stories and event and event.selection else []
    if not picked:
        if stories and len(frame):
            st.caption("Select a story to list every copy of it.")
        return
    story = frame.iloc[picked[0]]
    st.caption(f"Every copy of: {story['title']}")
    st.dataframe(
        _plain(data.copies(ctx.url, int(story["id"]), ctx.version)),
        hide_index=True,
        width="stretch",
        key=f"{key}_copies",
        column_config={"link": st.column_config.LinkColumn("link", display_text="open")},
    )


def overview(ctx: Context) -> None:
    """Headline figures against the previous period, and a small trend per company."""
    shown: views.Overview = ctx.view("overview")  # type: ignore[assignment]
    figures = shown.figures.to_dict("records")
    for column, figure in zip(st.columns(len(figures)), figures, strict=True):
        label, value, delta = figure["label"], figure["value"], figure["delta"]
        count = label in ("Stories", "Articles")
        fmt = "{:,.0f}" if count else ("{:+.3f}" if label == "Mean tone" else "{:.1f}")
        column.metric(
            label,
            "n/a" if pd.isna(value) else fmt.format(value),
            None if pd.isna(delta) else fmt.format(delta) if not count else f"{delta:+,.0f}",
            delta_color="inverse" if label.startswith("Share negative") else "normal",
            help="Against the previous period of the same length.",
        )
    st.subheader(f"{ctx.unit.capitalize()} per company")
    if ctx.filters.stories:
        st.caption("Counting stories: a story run by many outlets counts once, with the mean tone of its copies.")
    st.plotly_chart(
        charts.add_events(charts.small_multiples(shown.volume, ctx.companies, ctx.all_companies), shown.events),
        config={"displayModeBar": False},
        key="small_multiples",
    )
    _csv_button("Download per-company volumes (CSV)", shown.volume, "volume.csv")
    if ctx.filters.terms:
        _rising_terms(shown.rising, "Rising terms against the previous period", "rising_overview")


def _rising_terms(frame: pd.DataFrame, heading: str, key: str) -> None:
    """The rising terms under a heading, each one click from becoming the keyword."""
    st.subheader(heading)
    if frame.empty:
        st.caption("No term rose surely enough (or the selection is too thin): nothing to list.")
        return
    st.caption(
        "Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008): z ranks how "
        "sure the rise is, conservatively (with nothing changed, almost no term reaches 2); now and before "
        "count the headlines that use the term. Click a term to filter by it."
    )
    columns = st.columns(5)
    for index, term in enumerate(frame["term"].head(10)):
        columns[index % 5].button(term, key=f"{key}_{term}", on_click=use_as_keyword, args=(term,), width="stretch")
    st.dataframe(frame, hide_index=True, width="stretch")


def trends_page(ctx: Context) -> None:
    """Tone, volume and topic charts; selecting points narrows the article list below."""
    f = ctx.filters
    shown: views.Trends = ctx.view("trends")  # type: ignore[assignment]
    tone_event = st.plotly_chart(
        charts.add_events(charts.tone_chart(shown.tone, shown.tone_spikes, ctx.all_companies), shown.events),
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
        format_func={"share": "share of voice", "n": ctx.unit, "per100": f"per 100 {ctx.unit}"}.get,
        key="volume_measure",
    )
    volume_event = st.plotly_chart(
        charts.add_events(
            charts.volume_chart(shown.volume, ctx.all_companies, measure, shown.episodes, ctx.unit), shown.events
        ),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="volume_chart",
    )
    _csv_button("Download volume data (CSV)", shown.volume, "volume.csv")
    topic_event = st.plotly_chart(
        charts.add_events(
            charts.topic_chart(shown.topics, ctx.all_companies, f.norm, shown.episodes, ctx.unit), shown.events
        ),
        on_select="rerun",
        selection_mode=("points", "box"),
        key="topic_chart",
    )
    _csv_button("Download topic data (CSV)", shown.topics, "topics.csv")
    periods = _selected_periods(tone_event, volume_event, topic_event)
    noun = ctx.unit.capitalize()
    st.subheader(f"{noun} behind the selection" if periods else noun)
    if periods:
        st.caption(f"Showing {len(periods)} selected period(s); clear the chart selection to see all.")
        shown = ctx.view("trends", periods=tuple(periods))  # type: ignore[assignment]
    _headlines_table(ctx, shown.articles, "trend_articles")


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
    "stories": st.column_config.NumberColumn("stories", help="distinct stories in the episode"),
    "articles": st.column_config.NumberColumn("articles", help="articles (every copy) in the episode"),
    "outlets": st.column_config.NumberColumn("outlets", help="publishers that ran its stories"),
    "expected": st.column_config.NumberColumn("expected", help="what the weeks before predicted for these periods"),
    "usual_low": st.column_config.NumberColumn("usual from", help="9 in 10 quiet runs this long fall in this range"),
    "usual_high": st.column_config.NumberColumn("usual to"),
    "times": st.column_config.NumberColumn("x usual", format="%.1fx"),
    "p": st.column_config.NumberColumn("p", help="chance of a run this busy if nothing happened", format="%.1e"),
    "tone": st.column_config.NumberColumn("tone", help="mean tone toward the company in the episode"),
    "tone_low": st.column_config.NumberColumn("tone 95% from"),
    "tone_high": st.column_config.NumberColumn("tone 95% to"),
    "top_stories": st.column_config.TextColumn("largest stories", help="with how many outlets ran each"),
}


def spikes(ctx: Context) -> None:
    """Every episode in volume or topic mentions, with the headlines that drove the selected one."""
    shown: views.Spikes = ctx.view("spikes")  # type: ignore[assignment]
    table = shown.episodes
    if not len(table):
        st.info("No episodes in this selection: no run of periods is busier than its recent history allows.")
        return
    unit = ctx.unit
    st.caption(
        f"An episode is a run of periods with more {unit} than the weeks before predict (by weekday, allowing "
        "for how much the counts usually vary): shown once, from start to peak to end. Select a row to read "
        f"the stories behind it. Thin series are judged with care: a period needs 14 periods of history and a "
        f"run at least 5 {unit}, and under about 5 {unit} a day even a tripling for three days is missed "
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
    st.subheader(f"{'Stories' if ctx.filters.stories else 'Headlines'} behind: {shown.picked}")
    _headlines_table(ctx, shown.articles, "spike_articles")
    if ctx.filters.terms:
        _rising_terms(shown.rising, f"What it was about: {shown.picked}", "rising_episode")


def impact_events(url: str, version: tuple[int, int, str], config: Config, filters: Filters) -> list[Event]:
    """The events file's events the Impact view offers for the first selected company."""
    return views.file_events(config, list(filters.companies[:1]), data.is_demo(url, version))


def impact(ctx: Context) -> None:
    """Before and after an event, for the first selected company against its peers, in one sentence first."""
    shown: views.Impact = ctx.view("impact")  # type: ignore[assignment]
    st.text(shown.finding)  # names come from the link and the config: plain text, never Markdown
    if shown.measures.empty:
        return
    company, _ = views.impact_parties(ctx.config, ctx.filters)
    st.plotly_chart(
        charts.add_events(
            charts.impact_chart(
                shown.days, shown.measures, shown.events["date"].iloc[0], str(company), ctx.all_companies, ctx.unit
            ),
            shown.events,
        ),
        key="impact_chart",
    )
    st.caption(
        "Days are the units: each window's value is a ratio of sums over its days, with a day-clustered "
        "standard error (never below the binomial one for a rate); the change is tested with Welch's t. The "
        "change against peers resamples the same days for both (4,000 resamples) for its standard error."
    )
    st.dataframe(shown.measures, hide_index=True, width="stretch")
    if not shown.versus.empty:
        st.dataframe(shown.versus, hide_index=True, width="stretch")
    _csv_button("Download every number (CSV)", pd.concat([shown.measures, shown.versus]), "impact.csv")
    _csv_button("Download the days (CSV)", shown.days, "impact_days.csv")


def compare(ctx: Context) -> None:
    """Companies side by side: tone, volume, and a company x topic heatmap."""
    shown: views.Compare = ctx.view("compare")  # type: ignore[assignment]
    summary = shown.companies
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.bar_chart(summary, "mean_tone", "Mean tone toward each company"), key="compare_tone")
    with right:
        st.plotly_chart(
            charts.bar_chart(summary, ctx.unit, f"{ctx.unit.capitalize()} naming each company"), key="compare_volume"
        )
    st.dataframe(summary.round(3), hide_index=True, width="stretch")
    _csv_button("Download comparison (CSV)", summary, "compare.csv")
    st.plotly_chart(charts.heatmap(shown.company_topic, unit=ctx.unit), key="compare_heatmap")
    st.caption(
        f"Cells: {ctx.unit} mentioning the topic per 100 {ctx.unit} about the company; "
        f"hover for the tone toward the company in those {ctx.unit}."
    )
    _csv_button("Download heatmap data (CSV)", shown.company_topic, "company_topic.csv")


def articles_page(ctx: Context, explain: callable) -> None:  # type: ignore[valid-type]
    """The selection's stories (or articles), sortable and paged; select a row to see a story's copies and why
    its headline scored as it did."""
    left, right = st.columns([2, 1])
    sort = left.selectbox("Sort by", views.SORTS, key="article_sort")
    page = int(st.session_state.get("article_page", 1))
    shown: views.Articles = ctx.view("articles", page=page, sort=sort)  # type: ignore[assignment]
    if shown.page != st.session_state.get("article_page", 1):  # the selection shrank under the page shown
        st.session_state["article_page"] = shown.page
    right.number_input(f"Page (of {shown.pages})", 1, shown.pages, key="article_page")
    st.caption(f"{shown.total:,} {ctx.unit} in the selection")
    frame = shown.articles
    display = _plain(frame).assign(**{c: frame[c] for c in frame.columns if c.startswith("tone: ")})
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
    if not picked:
        hint = "its copies and " if ctx.filters.stories else ""
        st.caption(f"Select a row to see {hint}which words and rules gave it its tone.")
        return
    row = frame.iloc[picked[0]]
    if ctx.filters.stories:
        picked_view: views.Articles = ctx.view("articles", page=page, sort=sort, row=picked[0])  # type: ignore[assignment]
        st.subheader(f"Every copy of: {row['title']}")
        st.dataframe(
            _plain(picked_view.copies),
            hide_index=True,
            width="stretch",
            key="story_copies",
            column_config={"link": st.column_config.LinkColumn("link", display_text="open")},
        )
    explain(row["title"], row["summary"])


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


def alerts_page(ctx: Context, may_send: bool) -> None:
    """The alert rules, every message on record, and a test message for whoever may refresh."""
    shown: views.Alerts = data.alerts_view(ctx.url, ctx.filters)  # type: ignore[assignment]
    st.subheader("Rules")
    if shown.rules.empty:
        st.info("No alert rules yet: add `[[alerts]]` entries to the config (the README shows how).")
    else:
        st.dataframe(shown.rules, hide_index=True, width="stretch")
    if st.button("Send test alert", disabled=not may_send or shown.rules.empty, key="test_alert"):
        sent = send_test(data.engine_for(ctx.url), ctx.config, datetime.now(UTC))
        failed = [o for o in sent if o.status == "failed"]
        st.text(f"Test alert: {len(sent) - len(failed)} of {len(sent)} targets accepted it.")
    st.subheader("Messages")
    st.dataframe(shown.sent, hide_index=True, width="stretch")
    _csv_button("Download messages (CSV)", shown.sent, "alerts.csv")


PAGES = {
    "overview": overview,
    "trends": trends_page,
    "spikes": spikes,
    "impact": impact,
    "compare": compare,
    "sources": sources,
}
