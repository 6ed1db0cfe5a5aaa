"""Before and after an event, on constructed days: exact estimates, intervals, tests and the sentence."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.read import impact, trends


def test_a_window_ratio_has_the_day_clustered_error_and_a_t_interval() -> None:
    # 1, 2 and 3 hits among 10 stories a day: 20 per 100; the days' residuals are -1, 0 and +1 of 30.
    estimate = impact.ratio(np.array([1, 2, 3]), np.array([10, 10, 10]), scale=100)
    se = np.sqrt(3 / 2 * 2 / 900) * 100
    half = stats.t.ppf(0.975, 2) * se
    assert (estimate.value, estimate.df, estimate.stories) == (20.0, 2, 30)
    assert (estimate.se, estimate.low, estimate.high) == pytest.approx((se, 20 - half, 20 + half))


def test_a_rate_whose_hits_fall_on_one_day_is_wider_than_binomial_and_stays_within_0_and_100() -> None:
    # 3 hits, all on one of three days of 20 stories: the day-clustered variance (0.0025) is 3.2 times the
    # binomial one, so Wilson's interval is taken on 60 / 3.16 = 19 stories.
    estimate = impact.rate(np.array([3, 0, 0]), np.array([20, 20, 20]))
    low, high = trends.wilson(np.array([0.95]), np.array([19.0]))
    assert (estimate.value, estimate.se, estimate.df) == (pytest.approx(5.0), pytest.approx(5.0), 2)
    assert (estimate.low, estimate.high) == pytest.approx((100 * low[0], 100 * high[0]))
    assert estimate.low > 0


def test_a_window_without_hits_still_carries_the_binomial_uncertainty() -> None:
    estimate = impact.rate(np.zeros(10), np.full(10, 6))
    adjusted = 1 / 62
    assert estimate.value == 0 and estimate.se == pytest.approx(100 * np.sqrt(adjusted * (1 - adjusted) / 62))
    assert estimate.df == 59


def test_the_change_is_welchs_t_with_satterthwaites_degrees_of_freedom() -> None:
    before, after = impact.Estimate(5.0, 0, 0, 1.0, 9, 100), impact.Estimate(8.0, 0, 0, 2.0, 19, 200)
    value, low, high, p = impact.change(before, after)
    df = 25 / (1 / 9 + 16 / 19)
    half = stats.t.ppf(0.975, df) * np.sqrt(5)
    assert (value, low, high) == pytest.approx((3.0, 3 - half, 3 + half))
    assert p == pytest.approx(2 * stats.t.sf(3 / np.sqrt(5), df))


@pytest.mark.parametrize(
    ("before_n", "after_n", "hits", "reason"),
    [
        ([2] * 9, [5] * 10, 10, "only 18 stories in the window before the event (at least 20 needed)"),
        (
            [5] * 10,
            [30, 30, 0, 0, 0, 0],
            10,
            "stories on only 2 days in the window after the event (at least 5 needed)",
        ),
        ([5] * 10, [5] * 10, 4, "only 4 matching stories in both windows together (at least 5 needed)"),
        ([5] * 10, [5] * 10, 5, None),
    ],
)
def test_too_thin_says_why(before_n: list[int], after_n: list[int], hits: int, reason: str | None) -> None:
    assert impact.thin_reason(np.array(before_n), np.array(after_n), hits) == reason


def test_the_change_against_peers_is_zero_when_they_move_alike_and_resampling_is_seeded() -> None:
    rng = np.random.default_rng(4)
    n_b, n_a = rng.poisson(20, 30), rng.poisson(20, 30)
    x_b, x_a = rng.binomial(n_b, 0.05), rng.binomial(n_a, 0.1)
    same = (x_b, n_b, x_a, n_a)
    assert impact.difference_in_differences(same, same, 100) == (0.0, 0.0, 0.0, 1.0)
    peers = (rng.binomial(n_b, 0.05), n_b, rng.binomial(n_a, 0.05), n_a)
    first = impact.difference_in_differences(same, peers, 100)
    assert first == impact.difference_in_differences(same, peers, 100)
    expected = 100 * (
        (x_a.sum() / n_a.sum() - x_b.sum() / n_b.sum()) - (peers[2].sum() / n_a.sum() - peers[0].sum() / n_b.sum())
    )
    assert first[0] == pytest.approx(expected) and first[1] < first[0] < first[2]


def days_around(event: date, window: int, company: tuple[int, int], peers: tuple[int, int]) -> pd.DataFrame:
    """``window`` days each side: 20 stories a day at the company and at its peers, with (before, after) hits
    a day, and each hit's tone -0.5 at the company, 0 at the peers."""
    days = pd.date_range(pd.Timestamp(event) - pd.Timedelta(days=window), periods=2 * window, freq="D")
    after = days >= pd.Timestamp(event)
    frame = pd.DataFrame({"day": days})
    for who, (hits_before, hits_after), tone in (("company", company, -0.5), ("peers", peers, 0.0)):
        hits = np.where(after, hits_after, hits_before)
        # Alternate days a hit more and a hit less, so every window has a spread to measure.
        hits = hits + np.where(np.arange(len(days)) % 2 == 0, 1, -1) * (hits > 0)
        frame[f"{who}_hits"] = hits
        frame[f"{who}_stories"] = 20
        frame[f"{who}_toned"] = hits
        frame[f"{who}_tone"] = tone * hits
    return frame


def test_the_finding_is_one_plain_sentence_with_every_number_and_its_interval() -> None:
    event = date(2026, 10, 20)
    days = days_around(event, 30, company=(2, 4), peers=(2, 2))
    measures, versus = impact.assess(days, event, peers=True, rate=True)
    rate = measures.set_index(["measure", "who"]).loc[("rate per 100", "company")]
    assert (rate["stories_before"], rate["stories_after"], rate["before"], rate["after"]) == (600, 600, 10.0, 20.0)
    assert rate["change"] == pytest.approx(10.0)
    text = impact.sentence(measures, versus, "Burnout", "Meta", ["OpenAI", "Google"], 30, event, "stories")
    r, v = rate, versus.set_index("measure").loc["rate per 100"]
    assert text.startswith(
        f"Burnout stories about Meta: 10.0 per 100 in the 30 days before 2026-10-20, 20.0 after (+10.0, 95% CI "
        f"{r['change_low']:+.1f} to {r['change_high']:+.1f}, p = {r['p']:.2g}). At OpenAI and Google: +0.0. "
        f"Difference: +10.0 ({v['low']:+.1f} to {v['high']:+.1f})."
    )
    assert "Tone toward Meta in them: -0.50 in the 30 days before 2026-10-20, -0.50 after (+0.00" in text


def test_thin_data_gets_words_not_numbers() -> None:
    event = date(2026, 10, 20)
    days = days_around(event, 14, company=(0, 1), peers=(1, 1))
    days.loc[days["day"] < pd.Timestamp(event), "company_stories"] = 1
    measures, versus = impact.assess(days, event, peers=True, rate=True)
    text = impact.sentence(measures, versus, "Burnout", "Meta", ["OpenAI"], 14, event, "stories")
    assert text.startswith(
        "Burnout stories about Meta: too thin to say, with only 14 stories in the window before the event "
        "(at least 20 needed)."
    )
    assert pd.isna(measures.set_index(["measure", "who"]).loc[("rate per 100", "company"), "change"])
