"""Plotly figures from shaped DataFrames (no Streamlit, no I/O); every text passes as data, never as HTML."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]


def color_for(name: str, names: list[str]) -> str:
    """A stable colour per company or topic, by its place in the configured list."""
    return PALETTE[names.index(name) % len(PALETTE)] if name in names else PALETTE[-1]


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        yaxis_title=y_title,
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        clickmode="event+select",
        dragmode="select",
    )
    return fig


def _spike_trace(spikes: pd.DataFrame, label_col: str) -> go.Scatter:
    """Stars on the periods found by trends.find_spikes, naming the series and its z-score on hover."""
    return go.Scatter(
        x=spikes["period"],
        y=spikes["value"],
        mode="markers",
        name="spike",
        marker={"symbol": "star", "size": 14, "color": "#000000"},
        customdata=spikes[[label_col, "z"]].to_numpy(),
        hovertemplate="spike: %{customdata[0]} (z=%{customdata[1]})",
    )


def _episode_bands(fig: go.Figure, episodes: pd.DataFrame | None, periods: pd.Series, names: list[str]) -> None:
    """Each episode as one shaded band from its first to its last period, named on top."""
    if episodes is None or not len(episodes):
        return
    steps = pd.Series(sorted(pd.unique(periods))).diff().dropna()
    half = (steps.min() if len(steps) else pd.Timedelta(days=1)) / 2
    for start, end, series, company in zip(
        episodes["start"], episodes["end"], episodes["series"], episodes["company"], strict=True
    ):
        fig.add_vrect(
            x0=start - half,
            x1=end + half,
            fillcolor=color_for(company, names),
            opacity=0.15,
            line_width=0,
            layer="below",
            label={"text": series, "textposition": "top center", "font": {"size": 11}},
        )


def tone_chart(tone: pd.DataFrame, spikes: pd.DataFrame, names: list[str]) -> go.Figure:
    """Mean tone toward each company over time with its 95% band, and spikes marked."""
    fig = go.Figure()
    for company in tone["company"].unique():
        data = tone[tone["company"] == company]
        color = color_for(company, names)
        fig.add_trace(
            go.Scatter(
                x=list(data["period"]) + list(data["period"])[::-1],
                y=list(data["hi"]) + list(data["lo"])[::-1],
                fill="toself",
                fillcolor=_rgba(color, 0.12),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                name=f"{company} 95% band",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=data["period"],
                y=data["smoothed"],
                mode="lines+markers",
                name=company,
                line={"color": color},
                customdata=data[["n"]].to_numpy(),
                hovertemplate="%{y:.3f} (%{customdata[0]} articles)",
            )
        )
    if len(spikes):
        fig.add_trace(_spike_trace(spikes, "company"))
    fig.add_hline(y=0, line={"color": "#999999", "width": 1, "dash": "dot"})
    return _layout(fig, "Tone toward each company", "mean tone (-1 .. 1)")


def volume_chart(
    volume: pd.DataFrame,
    names: list[str],
    measure: str = "share",
    episodes: pd.DataFrame | None = None,
    unit: str = "articles",
) -> go.Figure:
    """Stories (or articles: ``unit``) naming each company over time: share of voice (stacked, %), count, or
    per 100 of the period's, with every episode (episodes.find) as a band."""
    titles = {
        "share": ("Share of voice", "% of company mentions"),
        "n": ("Volume", unit),
        "per100": ("Volume", f"per 100 {unit}"),
    }
    column = {"share": "share", "n": "smoothed", "per100": "per100"}[measure]
    fig = go.Figure()
    for company in volume["company"].unique():
        data = volume[volume["company"] == company]
        fig.add_trace(
            go.Scatter(
                x=data["period"],
                y=data[column],
                mode="lines",
                name=company,
                stackgroup="share" if measure == "share" else None,
                line={"color": color_for(company, names)},
                customdata=data[["n"]].to_numpy(),
                hovertemplate="%{y:.1f} (%{customdata[0]} " + unit + ")",
            )
        )
    _episode_bands(fig, episodes, volume["period"], names)
    title, y_title = titles[measure]
    return _layout(fig, title, y_title)


def topic_chart(
    topics: pd.DataFrame,
    names: list[str],
    norm: str,
    episodes: pd.DataFrame | None = None,
    unit: str = "articles",
) -> go.Figure:
    """Topic mentions over time per company: stories (or articles: ``unit``, the name of the frame's count
    column) mentioning the topic, as a count or per 100, with the topic episodes as bands."""
    fig = go.Figure()
    dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
    topic_names = list(topics["topic"].unique())
    for (company, topic), data in topics.groupby(["company", "topic"], sort=False):
        fig.add_trace(
            go.Scatter(
                x=data["period"],
                y=data["value"],
                mode="lines+markers",
                name=f"{topic} · {company}",
                line={"color": color_for(company, names), "dash": dashes[topic_names.index(topic) % len(dashes)]},
                customdata=data[["n", unit]].to_numpy(),
                hovertemplate="%{y:.1f} (%{customdata[0]} of %{customdata[1]} " + unit + ")",
            )
        )
    if episodes is not None:
        _episode_bands(fig, episodes[episodes["kind"] == "topic"], topics["period"], names)
    y_title = f"per 100 {unit} about the company" if norm == "per100" else unit
    return _layout(fig, "Topic mentions", y_title)


def heatmap(matrix: pd.DataFrame, value: str = "per100", unit: str = "articles") -> go.Figure:
    """Company x topic: rate per 100 stories (or articles: ``unit``) about the company (colour) with the tone
    toward the company in those."""
    companies = list(dict.fromkeys(matrix["company"]))
    topics = list(dict.fromkeys(matrix["topic"]))
    z = [[float(matrix[(matrix.company == c) & (matrix.topic == t)][value].iloc[0]) for t in topics] for c in companies]
    tone = [[matrix[(matrix.company == c) & (matrix.topic == t)]["tone"].iloc[0] for t in topics] for c in companies]
    text = [[f"{v:.1f}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=topics,
            y=companies,
            text=text,
            texttemplate="%{text}",
            customdata=[[("n/a" if t is None or pd.isna(t) else f"{t:+.2f}") for t in row] for row in tone],
            hovertemplate="%{y} · %{x}: %{z:.1f} per 100 " + unit + ", tone %{customdata}<extra></extra>",
            colorscale="Blues",
            colorbar={"title": {"text": "per 100"}},
        )
    )
    fig.update_layout(
        title={"text": f"Topics per 100 {unit} about each company"}, margin={"l": 80, "r": 10, "t": 50, "b": 40}
    )
    return fig


def bar_chart(summary: pd.DataFrame, column: str, title: str) -> go.Figure:
    """One bar per company (in the frame's order) for a column such as mean tone or articles."""
    names = list(summary["company"])
    fig = go.Figure(go.Bar(x=names, y=summary[column], marker_color=[color_for(c, names) for c in names]))
    fig.update_layout(title={"text": title}, margin={"l": 40, "r": 10, "t": 50, "b": 40})
    return fig


def small_multiples(volume: pd.DataFrame, companies: list[str], names: list[str], columns: int = 5) -> go.Figure:
    """A small trend of each company's article count, all in one figure (one chart to draw, not one each)."""
    rows = max(1, -(-len(companies) // columns))
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=companies, vertical_spacing=0.25 / rows)
    for index, company in enumerate(companies):
        data = volume[volume["company"] == company]
        fig.add_trace(
            go.Scatter(
                x=data["period"], y=data["n"], mode="lines", line={"color": color_for(company, names)}, name=company
            ),
            row=index // columns + 1,
            col=index % columns + 1,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font_size=13)
    fig.update_layout(height=140 * rows, margin={"l": 0, "r": 0, "t": 24, "b": 0}, showlegend=False)
    return fig
