"""Plotly figures from shaped DataFrames (no Streamlit, no I/O); every text passes as data, never as HTML."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.read.trends import THIN

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


FAINT = 0.3  # the opacity of a point resting on fewer than trends.THIN stories


def _faint(thin: pd.Series) -> list[float]:
    """Marker opacities: points on too few stories to say much are drawn faint."""
    return [FAINT if t else 1.0 for t in thin]


def _thin_note(thin: pd.Series) -> list[str]:
    return [f", n < {THIN}" if t else "" for t in thin]


def _error_bars(data: pd.DataFrame, value: str) -> dict[str, object]:
    """A rate's 95% interval (per100_lo .. per100_hi) as error bars around ``value``."""
    return {
        "type": "data",
        "symmetric": False,
        "array": (data["per100_hi"] - data[value]).clip(lower=0).to_numpy(),
        "arrayminus": (data[value] - data["per100_lo"]).clip(lower=0).to_numpy(),
        "thickness": 1,
        "width": 2,
    }


EVENT_COLOR = "#555555"


def add_events(fig: go.Figure, events: pd.DataFrame | None, label: bool = True) -> go.Figure:
    """Each event (views.events_in) as a dashed vertical line across every plot of the figure, labelled at
    the top of the first; labels are escaped, so a label from a link is text, never markup."""
    if events is None or not len(events):
        return fig
    for day, text in zip(events["date"], events["label"], strict=True):
        fig.add_vline(x=day, line={"color": EVENT_COLOR, "width": 1, "dash": "dash"}, row="all", col="all")
        if label:
            fig.add_annotation(
                x=day,
                y=1,
                xref="x",
                yref="paper",
                text=html.escape(text, quote=False),
                showarrow=False,
                xanchor="left",
                yanchor="top",
                textangle=-90,
                font={"size": 10, "color": EVENT_COLOR},
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
                marker={"opacity": _faint(data["n"] < THIN)},
                customdata=list(zip(data["n"], _thin_note(data["n"] < THIN), strict=True)),
                hovertemplate="%{y:.3f} (%{customdata[0]} articles%{customdata[1]})",
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
        "per100": ("Volume", f"per 100 {unit} of the period (any topic or keyword)"),
    }
    column = {"share": "share", "n": "smoothed", "per100": "per100"}[measure]
    fig = go.Figure()
    for company in volume["company"].unique():
        data = volume[volume["company"] == company]
        rate = measure == "per100"
        fig.add_trace(
            go.Scatter(
                x=data["period"],
                y=data[column],
                mode="lines+markers" if rate else "lines",
                name=company,
                stackgroup="share" if measure == "share" else None,
                line={"color": color_for(company, names)},
                marker={"opacity": _faint(data["thin"])} if rate else None,
                error_y=_error_bars(data, column) if rate else None,
                customdata=list(zip(data["n"], _thin_note(data["thin"]) if rate else [""] * len(data), strict=True)),
                hovertemplate="%{y:.1f} (%{customdata[0]} " + unit + "%{customdata[1]})",
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
    rate = norm == "per100"
    for (company, topic), data in topics.groupby(["company", "topic"], sort=False):
        fig.add_trace(
            go.Scatter(
                x=data["period"],
                y=data["value"],
                mode="lines+markers",
                name=f"{topic} · {company}",
                line={"color": color_for(company, names), "dash": dashes[topic_names.index(topic) % len(dashes)]},
                marker={"opacity": _faint(data["thin"])} if rate else None,
                error_y=_error_bars(data, "value") if rate else None,
                customdata=list(zip(data["n"], data[unit], _thin_note(data["thin"]), strict=True)),
                hovertemplate="%{y:.1f} (%{customdata[0]} of %{customdata[1]} " + unit + "%{customdata[2]})",
            )
        )
    if episodes is not None:
        _episode_bands(fig, episodes[episodes["kind"] == "topic"], topics["period"], names)
    y_title = f"per 100 {unit} about the company (any topic or keyword)" if rate else unit
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


def impact_chart(
    days: pd.DataFrame, measures: pd.DataFrame, event: pd.Timestamp, company: str, names: list[str], unit: str
) -> go.Figure:
    """The windows before and after an event: each day's value for the company and its peers (markers, faint
    on fewer than ten stories), and each window's value with its 95% interval (a level over a band)."""
    rate = (measures["measure"] == "rate per 100").any()
    measure = "rate per 100" if rate else "mean tone"
    fig = go.Figure()
    for who, label, color in (("company", company, color_for(company, names)), ("peers", "peers", "#7f7f7f")):
        if f"{who}_hits" not in days or (who == "peers" and not (measures["who"] == "peers").any()):
            continue
        base = days[f"{who}_{unit}"] if rate else days[f"{who}_toned"]
        top = days[f"{who}_hits"] * 100 if rate else days[f"{who}_tone"]
        daily = top / base.where(base > 0)
        fig.add_trace(
            go.Scatter(
                x=days["day"],
                y=daily,
                mode="markers",
                name=f"{label}, each day",
                marker={"color": color, "opacity": _faint(base < THIN), "size": 6},
                customdata=list(zip(base, _thin_note(base < THIN), strict=True)),
                hovertemplate="%{y:.2f} (%{customdata[0]} " + unit + "%{customdata[1]})",
            )
        )
        row = measures[(measures["measure"] == measure) & (measures["who"] == who)]
        if not len(row) or pd.isna(row["before"].iloc[0]):
            continue
        r = row.iloc[0]
        for part, span in (("before", days["day"] < event), ("after", days["day"] >= event)):
            x0, x1 = days["day"][span].min(), days["day"][span].max()
            fig.add_shape(
                type="rect",
                x0=x0,
                x1=x1,
                y0=r[f"{part}_low"],
                y1=r[f"{part}_high"],
                fillcolor=_rgba(color, 0.15),
                line_width=0,
                layer="below",
            )
            fig.add_trace(
                go.Scatter(
                    x=[x0, x1],
                    y=[r[part], r[part]],
                    mode="lines",
                    line={"color": color, "width": 3},
                    name=f"{label}, {part} ({r[part]:.2f})",
                    hovertemplate=f"{label} {part}: %{{y:.2f}} (95% {r[f'{part}_low']:.2f} to {r[f'{part}_high']:.2f})",
                )
            )
    y_title = f"topic {unit} per 100 {unit}" if rate else "mean tone (-1 .. 1)"
    return _layout(fig, "Before and after the event", y_title)
