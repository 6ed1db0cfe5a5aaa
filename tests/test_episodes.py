"""The episode detector: runs of periods with more stories than their recent history predicts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.read import episodes
from dashboard.read.episodes import Burst, Detector, detect, detect_many

WEEKDAYS = np.arange(120) % 7


def steady(level: int = 4, days: int = 120) -> np.ndarray:
    return np.full(days, level)


def with_burst(series: np.ndarray, at: int, extra: list[int]) -> np.ndarray:
    out = series.copy()
    out[at : at + len(extra)] += extra
    return out


def test_a_steady_series_has_no_episodes() -> None:
    assert detect(steady()) == []


def test_quiet_poisson_years_with_a_weekly_rhythm_have_rare_false_episodes() -> None:
    # bench.episodes measures about 0.1 a series-year at this volume; 20 seeded years give 3.
    rng = np.random.default_rng(3)
    days = np.arange(365) % 7
    found = [len(detect(rng.poisson(np.where(days < 5, 12.0, 4.0)), days)) for _ in range(20)]
    assert sum(found) == 3


def test_a_three_day_burst_is_one_episode_from_start_to_peak_to_end() -> None:
    [burst] = detect(with_burst(steady(), 60, [8, 16, 8]))
    assert (burst.start, burst.peak, burst.end, burst.observed) == (60, 61, 62, 44)
    assert burst.expected == pytest.approx(12.0, rel=0.01)
    assert burst.low <= 12 <= burst.high < 44
    assert burst.p < Detector().alpha


def test_a_rise_no_single_day_proves_is_found_over_three_days() -> None:
    # Each day alone is within what a level of 4 allows; three in a row are not.
    assert detect(with_burst(steady(), 60, [6]), detector=Detector(windows=(1,))) == []
    [burst] = detect(with_burst(steady(), 60, [6, 6, 6]))
    assert (burst.start, burst.end) == (60, 62)


@pytest.mark.parametrize(
    ("extra_at", "episodes"),
    [
        ({60: 20, 62: 20}, [(60, 62)]),  # one quiet day between: the same episode
        ({60: 20, 65: 20}, [(60, 60), (65, 65)]),  # days apart: two
    ],
)
def test_flagged_periods_close_together_are_one_episode(
    extra_at: dict[int, int], episodes: list[tuple[int, int]]
) -> None:
    counts = steady()
    for day, extra in extra_at.items():
        counts[day] += extra
    assert [(b.start, b.end) for b in detect(counts)] == episodes


def test_a_period_without_enough_history_is_not_judged() -> None:
    assert detect(with_burst(steady(), 5, [40])) == []
    assert [b.start for b in detect(with_burst(steady(), 14, [40]))] == [14]


def test_a_burst_under_the_minimum_size_is_not_an_episode() -> None:
    # One day of a series that is otherwise silent: 4 stories are too few to report, 7 are not.
    silent = np.zeros(60, dtype=int)
    assert detect(with_burst(silent, 40, [4])) == []
    assert [(b.start, b.observed) for b in detect(with_burst(silent, 40, [7]))] == [(40, 7)]


def test_a_weekly_rhythm_is_expected_but_a_busy_weekend_is_not() -> None:
    rhythm = np.where(WEEKDAYS < 5, 10, 2)
    assert detect(rhythm, WEEKDAYS) == []
    saturday = 61  # 61 % 7 == 5
    [burst] = detect(with_burst(rhythm, saturday, [10]), WEEKDAYS)
    assert (burst.start, burst.observed) == (saturday, 12)
    # Without the weekday model the same Saturday is an ordinary day.
    assert detect(with_burst(rhythm, saturday, [10])) == []


def test_an_episode_leaves_the_baseline_so_a_long_one_stays_one_episode() -> None:
    counts = with_burst(steady(), 60, [12] * 10)
    assert [(b.start, b.end, b.observed) for b in detect(counts)] == [(60, 69, 160)]


def test_the_detector_is_deterministic_and_takes_any_integer_series() -> None:
    rng = np.random.default_rng(9)
    counts = rng.poisson(6, 200)
    counts[100:103] += 25
    first = detect(counts, np.arange(200) % 7)
    assert first == detect(counts.tolist(), np.arange(200) % 7)
    assert [(b.start, b.end) for b in first] == [(100, 102)]
    assert detect([]) == []
    assert isinstance(first[0], Burst)


def test_series_judged_together_get_the_episodes_each_gets_alone() -> None:
    # Rows that settle after different numbers of passes, a thin row and a silent one, side by side.
    rng = np.random.default_rng(11)
    rows = [
        with_burst(steady(), 60, [12] * 10),
        with_burst(steady(), 60, [8, 16, 8]),
        rng.poisson(np.where(WEEKDAYS < 5, 12.0, 4.0)),
        with_burst(np.zeros(120, dtype=int), 40, [7]),
        np.zeros(120, dtype=int),
        with_burst(rng.poisson(6, 120), 90, [25, 30, 25]),
    ]
    alone = [detect(row, WEEKDAYS) for row in rows]
    assert detect_many(np.array(rows), WEEKDAYS) == alone
    assert [len(found) for found in alone] == [1, 1, 0, 1, 0, 1]


def _tone_grid(burst_tones: list[float]) -> episodes.SeriesGrid:
    """One series: 38 days of two articles a day at tones +0.2 and -0.2, then two days of ten articles each
    at ``burst_tones`` (five values, each twice)."""
    days = 40
    n = np.array([[2] * 38 + [10, 10]])
    per_day_sum = [0.0] * 38 + [2 * sum(burst_tones)] * 2
    per_day_sq = [0.08] * 38 + [2 * sum(t * t for t in burst_tones)] * 2
    return episodes.SeriesGrid(
        labels=pd.DataFrame([{"kind": "topic", "series": "burnout · Meta", "company": "Meta", "topic": "burnout"}]),
        periods=pd.date_range("2026-10-01", periods=days, freq="D"),
        n=n,
        toned=n.copy(),
        tone_sum=np.array([per_day_sum]),
        tone_sq=np.array([per_day_sq]),
    )


@pytest.mark.parametrize(
    ("burst_tones", "shift"),
    [
        # usual: 56 articles at mean 0, variance 2.24/55; episode: 20 at mean -0.5, variance 0.4/19;
        # standard error 0.0422 on 46.6 degrees of freedom (t = 2.013): half-width 0.085
        ([-0.7, -0.6, -0.5, -0.4, -0.3], (-0.585, -0.415)),
        # the same spread around the usual tone: the interval holds zero
        ([-0.2, -0.1, 0.0, 0.1, 0.2], (-0.085, 0.085)),
    ],
)
def test_an_episode_carries_its_tone_shift_from_the_usual_tone_with_its_interval(
    burst_tones: list[float], shift: tuple[float, float]
) -> None:
    found = episodes.find(_tone_grid(burst_tones), "day", date(2026, 10, 1))
    assert found[["start", "end", "articles"]].values.tolist() == [
        [pd.Timestamp("2026-11-08"), pd.Timestamp("2026-11-09"), 20]
    ]
    assert found.loc[0, "usual_tone"] == 0.0
    assert (found.loc[0, "shift_low"], found.loc[0, "shift_high"]) == shift
