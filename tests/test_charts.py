"""Figure builders checked through their data and layout."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.read import charts, trends
from tests.cubes import rows

NAMES = ["Meta", "OpenAI"]
# (article, time, company, tone); article 1 is about burnout, article 3 about funding.
ROWS = rows(
    [
        (1, "2026-11-01T10:00", "Meta", -0.5),
        (2, "2026-11-01T12:00", "Meta", -0.1),
        (3, "2026-11-02T10:00", "OpenAI", 0.4),
        (4, "2026-11-02T11:00", "Meta", 0.2),
    ],
    topics={1: ["burnout"], 3: ["funding"]},
)


def test_tone_chart_has_a_band_and_a_line_per_company_and_marks_spikes() -> None:
    tone = trends.tone_over_time(ROWS, "day", date(2026, 11, 1), date(2026, 11, 2), NAMES)
    spikes = pd.DataFrame({"period": [pd.Timestamp("2026-11-02")], "company": ["Meta"], "value": [0.2], "z": [4.0]})
    fig = charts.tone_chart(tone, spikes, NAMES)
    assert [t.name for t in fig.data] == ["Meta 95% band", "Meta", "OpenAI 95% band", "OpenAI", "spike"]
    meta = fig.data[1]
    assert [round(v, 3) for v in meta.y] == [-0.3, 0.2]
    assert meta.line.color == charts.PALETTE[0]
    assert fig.layout.title.text == "Tone toward each company"
    assert fig.layout.yaxis.title.text == "mean tone (-1 .. 1)"
    assert list(fig.data[-1].x) == [pd.Timestamp("2026-11-02")]


def test_share_of_voice_is_stacked_and_sums_to_100() -> None:
    totals = pd.Series({pd.Timestamp("2026-11-01"): 2, pd.Timestamp("2026-11-02"): 2})
    volume = trends.volume_over_time(ROWS, totals, "day", date(2026, 11, 1), date(2026, 11, 2), NAMES)
    fig = charts.volume_chart(volume, NAMES, "share")
    assert {t.stackgroup for t in fig.data} == {"share"}
    assert [a + b for a, b in zip(fig.data[0].y, fig.data[1].y, strict=True)] == [100.0, 100.0]
    counts = charts.volume_chart(volume, NAMES, "n")
    assert counts.layout.yaxis.title.text == "articles"
    assert list(counts.data[0].y) == [2, 1]


def test_heatmap_cells_are_rates_per_100_with_tone_on_hover() -> None:
    matrix = trends.company_topic_matrix(ROWS, NAMES, ["burnout", "funding"])
    fig = charts.heatmap(matrix)
    cell = fig.data[0]
    assert (list(cell.y), list(cell.x)) == (NAMES, ["burnout", "funding"])
    assert [[round(v, 2) for v in row] for row in cell.z] == [[33.33, 0.0], [0.0, 100.0]]
    assert [list(row) for row in cell.customdata] == [["-0.50", "n/a"], ["n/a", "+0.40"]]


def test_topic_chart_has_one_line_per_topic_and_company() -> None:
    shaped = trends.topic_over_time(ROWS, "day", date(2026, 11, 1), date(2026, 11, 2), ["burnout"], NAMES, "per100")
    fig = charts.topic_chart(shaped, NAMES, "per100")
    assert [t.name for t in fig.data] == ["burnout · Meta", "burnout · OpenAI"]
    assert list(fig.data[0].y) == [50.0, 0.0]
    assert fig.layout.yaxis.title.text == "per 100 articles about the company (any topic or keyword)"
    # Two and one Meta articles a day: too few to say much, so faint, with the interval as error bars.
    assert list(fig.data[0].marker.opacity) == [charts.FAINT, charts.FAINT]
    meta = shaped[shaped["company"] == "Meta"]
    assert list(fig.data[0].error_y.array) == pytest.approx(list(meta["per100_hi"] - meta["per100"]))
    assert fig.data[0].customdata[0][2] == ", n < 10"


def test_small_multiples_put_each_company_in_its_own_cell_of_one_figure() -> None:
    volume = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-11-01", "2026-11-02"] * 2),
            "company": ["Meta"] * 2 + ["OpenAI"] * 2,
            "n": [1, 2, 3, 4],
        }
    )
    fig = charts.small_multiples(volume, NAMES, NAMES, columns=1)
    assert [(t.name, list(t.y), t.xaxis, t.yaxis) for t in fig.data] == [
        ("Meta", [1, 2], "x", "y"),
        ("OpenAI", [3, 4], "x2", "y2"),
    ]
    assert [a.text for a in fig.layout.annotations] == NAMES


def test_events_are_dashed_lines_on_every_plot_with_their_labels_as_text() -> None:
    events = pd.DataFrame({"date": [pd.Timestamp("2026-11-02")], "label": ["<a href='x'>memo</a> & more"]})
    volume = pd.DataFrame(
        {"period": pd.to_datetime(["2026-11-01", "2026-11-02"] * 2), "company": ["Meta"] * 2 + ["OpenAI"] * 2, "n": 1}
    )
    fig = charts.add_events(charts.small_multiples(volume, NAMES, NAMES, columns=2), events)
    assert [(s.xref, s.line.dash) for s in fig.layout.shapes] == [("x", "dash"), ("x2", "dash")]
    marker = [a for a in fig.layout.annotations if a.text not in NAMES]
    assert [a.text for a in marker] == ["&lt;a href='x'&gt;memo&lt;/a&gt; &amp; more"]
    assert charts.add_events(charts.small_multiples(volume, NAMES, NAMES), events.iloc[0:0]).layout.shapes == ()
