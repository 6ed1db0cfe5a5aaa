"""Time-series shaping on small hand-made data: exact numbers, planted spikes found."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.read import trends
from tests.cubes import rows

COMPANY_ROWS = rows(
    [
        (1, "2026-11-02T10:00", "Meta", -0.5),
        (2, "2026-11-02T23:59", "Meta", 0.1),
        (3, "2026-11-03T00:00", "Meta", 0.3),
        (2, "2026-11-02T23:59", "OpenAI", 0.5),
        (4, "2026-11-10T08:00", "OpenAI", -0.1),
    ]
)


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("day", ["2026-11-02", "2026-11-02", "2026-11-03"]),
        ("week", ["2026-11-02", "2026-11-02", "2026-11-02"]),
        ("month", ["2026-11-01", "2026-11-01", "2026-11-01"]),
    ],
)
def test_timestamps_fall_into_utc_periods(step: str, expected: list[str]) -> None:
    stamps = pd.Series(pd.to_datetime(["2026-11-02T10:00Z", "2026-11-02T23:59Z", "2026-11-03T00:00Z"], utc=True))
    assert [p.strftime("%Y-%m-%d") for p in trends.to_periods(stamps, step)] == expected


def test_tone_over_time_gives_mean_count_and_band_with_empty_days_kept() -> None:
    tone = trends.tone_over_time(COMPANY_ROWS, "day", date(2026, 11, 2), date(2026, 11, 4), ["Meta", "OpenAI"])
    meta = tone[tone.company == "Meta"].set_index("period")
    assert list(meta["n"]) == [2, 1, 0]
    assert meta["mean"].iloc[0] == pytest.approx(-0.2)
    assert meta["std"].iloc[0] == pytest.approx(0.4242640687)
    assert meta["hi"].iloc[0] == pytest.approx(-0.2 + 1.96 * 0.4242640687 / 2**0.5)
    assert pd.isna(meta["mean"].iloc[2])


def test_smoothing_is_a_trailing_mean_per_company() -> None:
    tone = trends.tone_over_time(COMPANY_ROWS, "day", date(2026, 11, 2), date(2026, 11, 3), ["Meta"], smooth=2)
    assert list(tone["smoothed"].round(4)) == [-0.2, 0.05]


def test_share_of_voice_and_rate_per_100_articles() -> None:
    totals = pd.Series({pd.Timestamp("2026-11-02"): 4, pd.Timestamp("2026-11-03"): 1})
    volume = trends.volume_over_time(
        COMPANY_ROWS, totals, "day", date(2026, 11, 2), date(2026, 11, 3), ["Meta", "OpenAI"]
    )
    day1 = volume[volume.period == pd.Timestamp("2026-11-02")].set_index("company")
    assert dict(day1["n"]) == {"Meta": 2, "OpenAI": 1}
    assert day1.loc["Meta", "share"] == pytest.approx(200 / 3)
    assert day1.loc["Meta", "per100"] == pytest.approx(50.0)
    low, high = trends.wilson(np.array([2]), np.array([4]))
    assert (day1.loc["Meta", "per100_lo"], day1.loc["Meta", "per100_hi"]) == (100 * low[0], 100 * high[0])


WITH_TOPICS = rows(
    [
        (1, "2026-11-02T10:00", "Meta", -0.5),
        (2, "2026-11-02T23:59", "Meta", 0.1),
        (3, "2026-11-02T12:00", "Meta", 0.3),
        (2, "2026-11-02T23:59", "OpenAI", 0.5),
    ],
    topics={1: ["burnout", "layoffs"], 2: ["burnout"]},  # article 3: no topic
)


def test_topic_mentions_per_100_articles_about_the_company() -> None:
    out = trends.topic_over_time(
        WITH_TOPICS,
        "day",
        date(2026, 11, 2),
        date(2026, 11, 2),
        ["burnout", "layoffs"],
        ["Meta", "OpenAI"],
        "per100",
    )
    got = out.set_index(["company", "topic"])[["n", "articles", "per100"]].to_dict("index")
    assert got == {
        ("Meta", "burnout"): {"n": 2, "articles": 3, "per100": pytest.approx(200 / 3)},
        ("Meta", "layoffs"): {"n": 1, "articles": 3, "per100": pytest.approx(100 / 3)},
        ("OpenAI", "burnout"): {"n": 1, "articles": 1, "per100": 100.0},
        ("OpenAI", "layoffs"): {"n": 0, "articles": 1, "per100": 0.0},
    }


def meta_day(stories: int, burnout: int) -> pd.DataFrame:
    """One day of Meta stories, ``burnout`` of them about burnout."""
    return rows(
        [(i, "2026-10-20T09:00", "Meta", -0.1) for i in range(stories)],
        topics={i: ["burnout"] for i in range(burnout)},
    )


def test_a_topic_rate_is_out_of_every_story_about_the_company_not_only_the_filtered_ones() -> None:
    # 3 burnout stories among 60 Meta stories: the topic filter keeps the 3, the rate is out of all 60.
    every = meta_day(60, 3)
    filtered = every[every["n:burnout"] == 1]
    day = date(2026, 10, 20)
    out = trends.topic_over_time(filtered, "day", day, day, ["burnout"], ["Meta"], "per100", base=every)
    row = out.iloc[0]
    assert (row["n"], row["articles"], row["per100"]) == (3, 60, 5.0)
    assert (round(row["per100_lo"], 2), round(row["per100_hi"], 2), row["thin"]) == (1.71, 13.7, False)
    # Without the lifted cube, the filtered set is its own denominator: the 100-or-0 chart of the past.
    assert trends.topic_over_time(filtered, "day", day, day, ["burnout"], ["Meta"], "per100").iloc[0]["per100"] == 100


@pytest.mark.parametrize(
    ("hits", "total", "interval"),
    [(3, 60, (1.71, 13.7)), (0, 3, (0.0, 56.15)), (3, 3, (43.85, 100.0)), (1, 4, (4.56, 69.94))],
)
def test_rates_carry_the_wilson_interval_scipy_gives(hits: int, total: int, interval: tuple[float, float]) -> None:
    low, high = trends.wilson(np.array([hits]), np.array([total]))
    assert (round(100 * low[0], 2), round(100 * high[0], 2)) == interval


def test_a_rate_on_fewer_than_ten_stories_is_marked_thin_and_smoothing_pools_the_periods() -> None:
    days = pd.concat([meta_day(4, 2).assign(day=pd.Timestamp(f"2026-10-{d}")) for d in (20, 21)])
    out = trends.topic_over_time(days, "day", date(2026, 10, 20), date(2026, 10, 22), ["burnout"], ["Meta"], "per100")
    assert list(out["thin"]) == [True, True, True]
    pooled = trends.topic_over_time(
        days, "day", date(2026, 10, 20), date(2026, 10, 22), ["burnout"], ["Meta"], "per100", smooth=3
    )
    # Day 3 pools 4 of 8 stories: 50 per 100, its interval that of 4 of 8; still under ten stories.
    assert list(pooled["per100"]) == [50.0, 50.0, 50.0]
    assert list(pooled["thin"]) == [True, True, True]
    low, high = trends.wilson(np.array([4]), np.array([8]))
    assert (pooled["per100_lo"].iloc[2], pooled["per100_hi"].iloc[2]) == (100 * low[0], 100 * high[0])


def test_a_planted_spike_is_found_and_ordinary_noise_is_not() -> None:
    counts = [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 30, 6, 5]
    frame = pd.DataFrame({"period": pd.date_range("2026-10-01", periods=len(counts)), "company": "Meta", "n": counts})
    spikes = trends.find_spikes(frame, "company", "n")
    assert list(spikes["period"].dt.strftime("%Y-%m-%d")) == ["2026-10-12"]
    assert (spikes["value"].iloc[0], spikes["baseline"].iloc[0], spikes["direction"].iloc[0]) == (30.0, 5.0, "up")


def test_a_flat_history_does_not_make_every_blip_a_spike() -> None:
    counts = [0, 0, 0, 0, 0, 0, 1, 2, 0]
    frame = pd.DataFrame({"period": pd.date_range("2026-10-01", periods=len(counts)), "company": "Meta", "n": counts})
    assert trends.find_spikes(frame, "company", "n").empty


def day_rows(tones: list[float | None]) -> pd.DataFrame:
    """Day roll-up rows, one article each (None: not analysed yet)."""
    return pd.DataFrame(
        {
            "articles": 1,
            "toned": [int(t is not None) for t in tones],
            "tone_sum": [t or 0.0 for t in tones],
            "neg": [int(t is not None and t <= -0.2) for t in tones],
        }
    )


def test_headline_figures_compare_with_the_previous_period() -> None:
    current = day_rows([-0.5, 0.5, 0.0, -0.4])
    previous = day_rows([0.2, 0.4, None])
    figures = {f.label: (f.value, f.previous, f.delta) for f in trends.headline_figures(current, previous)}
    assert figures["Articles"] == (4.0, 3.0, 1.0)
    assert figures["Mean tone"][0] == pytest.approx(-0.1)
    assert figures["Mean tone"][1] == pytest.approx(0.3)  # the unanalysed article has no tone to average
    assert figures["Share negative (%)"] == (50.0, 0.0, 50.0)


def test_company_topic_matrix_rates_and_conditioned_tone() -> None:
    matrix = trends.company_topic_matrix(WITH_TOPICS, ["Meta", "OpenAI"], ["layoffs"])
    assert matrix[["company", "articles", "company_articles"]].to_dict("records") == [
        {"company": "Meta", "articles": 1, "company_articles": 3},
        {"company": "OpenAI", "articles": 0, "company_articles": 1},
    ]
    assert list(matrix["per100"]) == pytest.approx([100 / 3, 0.0])
    assert matrix["tone"].iloc[0] == -0.5
    assert pd.isna(matrix["tone"].iloc[1])  # no article, no tone


def test_company_summary_counts_tone_and_negative_share() -> None:
    summary = trends.company_summary(COMPANY_ROWS, ["Meta", "OpenAI", "Apple"]).set_index("company")
    assert list(summary["articles"]) == [3, 2, 0]
    assert summary.loc["Meta", "mean_tone"] == pytest.approx(-0.1 / 3)
    assert summary.loc["Meta", "share_negative"] == pytest.approx(100 / 3)
    assert pd.isna(summary.loc["Apple", "mean_tone"])


@pytest.mark.parametrize(
    ("step", "period", "span"),
    [
        ("day", "2026-11-03", (date(2026, 11, 3), date(2026, 11, 3))),
        ("week", "2026-11-02", (date(2026, 11, 2), date(2026, 11, 8))),
        ("month", "2026-02-01", (date(2026, 2, 1), date(2026, 2, 28))),
    ],
)
def test_a_period_spans_its_days(step: str, period: str, span: tuple[date, date]) -> None:
    assert trends.period_span(pd.Timestamp(period), step) == span


def test_a_tone_swing_resting_on_a_few_articles_is_not_a_spike() -> None:
    tone = [0.0, 0.01, -0.01, 0.0, 0.02, 0.0, 0.9, -0.8]
    counts = [10, 10, 10, 10, 10, 10, 1, 12]
    frame = pd.DataFrame(
        {"period": pd.date_range("2026-10-01", periods=8), "company": "Meta", "tone_mean": tone, "n": counts}
    )
    spikes = trends.find_spikes(frame, "company", "tone_mean", count_col="n")
    assert list(zip(spikes["period"].dt.strftime("%Y-%m-%d"), spikes["direction"], strict=True)) == [
        ("2026-10-08", "down")
    ]
