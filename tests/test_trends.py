"""Time-series shaping on small hand-made data: exact numbers, planted spikes found."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import trends


def rows(records: list[tuple[int, str, str, float]]) -> pd.DataFrame:
    """(id, ISO time, company, tone) -> company rows as the queries return them."""
    return pd.DataFrame(
        [
            {
                "id": i,
                "published_at": pd.Timestamp(t, tz="UTC"),
                "company": c,
                "tone": tone,
                "tone_label": "neg" if tone <= -0.2 else "neu",
            }
            for i, t, c, tone in records
        ]
    )


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


def test_topic_mentions_per_100_articles_about_the_company() -> None:
    topics = pd.DataFrame(
        [
            {"id": 1, "published_at": pd.Timestamp("2026-11-02T10:00", tz="UTC"), "topic": "burnout", "mentions": 2},
            {"id": 2, "published_at": pd.Timestamp("2026-11-02T23:59", tz="UTC"), "topic": "burnout", "mentions": 1},
        ]
    )
    out = trends.topic_over_time(
        topics, COMPANY_ROWS, "day", date(2026, 11, 2), date(2026, 11, 2), ["burnout"], ["Meta", "OpenAI"], "per100"
    )
    assert out.set_index("company")[["n", "articles", "per100", "value"]].to_dict("index") == {
        "Meta": {"n": 2, "articles": 2, "per100": 100.0, "value": 100.0},
        "OpenAI": {"n": 1, "articles": 1, "per100": 100.0, "value": 100.0},
    }


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


def test_headline_figures_compare_with_the_previous_period() -> None:
    current = pd.DataFrame({"tone": [-0.5, 0.5, 0.0, -0.4], "tone_label": ["neg", "pos", "neu", "neg"]})
    previous = pd.DataFrame({"tone": [0.2, 0.4], "tone_label": ["pos", "pos"]})
    figures = {f.label: (f.value, f.previous, f.delta) for f in trends.headline_figures(current, previous)}
    assert figures["Articles"] == (4.0, 2.0, 2.0)
    assert figures["Mean tone"][0] == pytest.approx(-0.1)
    assert figures["Share negative (%)"] == (50.0, 0.0, 50.0)


def test_company_topic_matrix_rates_and_conditioned_tone() -> None:
    topics = pd.DataFrame([{"id": 1, "published_at": None, "topic": "burnout", "mentions": 1}])
    matrix = trends.company_topic_matrix(COMPANY_ROWS, topics, ["Meta", "OpenAI"], ["burnout"])
    assert matrix[["company", "articles", "company_articles"]].to_dict("records") == [
        {"company": "Meta", "articles": 1, "company_articles": 3},
        {"company": "OpenAI", "articles": 0, "company_articles": 2},
    ]
    assert list(matrix["per100"]) == pytest.approx([100 / 3, 0.0])
    assert matrix["tone"].iloc[0] == -0.5
    assert pd.isna(matrix["tone"].iloc[1])  # no article, no tone


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
