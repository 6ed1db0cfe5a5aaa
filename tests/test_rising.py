"""Rising terms: headline words and phrases counted, then scored by weighted log-odds with an informative prior."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from dashboard.read.rising import RISING_COLUMNS, rising, term_counts


def test_words_and_phrases_are_counted_once_per_headline_without_stop_words_or_the_selections_names() -> None:
    headlines = [
        "Meta's AI staff describe burnout after 40 days of crunch",
        "Meta's AI staff describe burnout after 40 days of crunch",  # a copy counts again
        "Staff burnout, burnout everywhere at the lab",
    ]
    assert term_counts(headlines, ["Meta", "Meta AI"]) == {
        "staff": 3,
        "burnout": 3,  # once per headline, however often it says it
        "describe": 2,
        "staff describe": 2,
        "describe burnout": 2,
        "days": 2,
        "crunch": 2,
        "staff burnout": 1,
        "burnout burnout": 1,
        "burnout everywhere": 1,
        "everywhere": 1,
        "lab": 1,
    }


def expected_score(y_now: int, y_before: int, n_now: int, n_before: int, prior: float) -> tuple[float, float]:
    """Monroe, Colaresi and Quinn (2008), eq. 16 and 18, with the prior from both periods' counts."""
    alpha = prior * (y_now + y_before) / (n_now + n_before)
    delta = math.log((y_now + alpha) / (n_now + prior - y_now - alpha)) - math.log(
        (y_before + alpha) / (n_before + prior - y_before - alpha)
    )
    return delta, delta / math.sqrt(1 / (y_now + alpha) + 1 / (y_before + alpha))


def test_terms_are_ranked_by_how_sure_their_rise_is() -> None:
    now = Counter({"gpu": 300, "chip": 100, "rare": 6, "tiny": 4, "fading": 50})
    before = Counter({"gpu": 100, "chip": 100, "rare": 0, "fading": 300})
    table = rising(now, before)
    assert list(table.columns) == RISING_COLUMNS
    # "tiny" has too few mentions and "fading" fell: only rises are listed, surest first; "chip" kept its
    # count but its share rose a little (100 of 460 mentions against 100 of 500), so it comes last.
    assert list(table["term"]) == ["gpu", "rare", "chip"]
    for row in table.itertuples():
        delta, z = expected_score(row.now, row.before, 460, 500, 960)  # the prior is as strong as both periods
        assert (row.log_odds, row.z) == (round(delta, 3), round(z, 2))
    assert table["log_odds"].iloc[1] > table["log_odds"].iloc[0]  # "rare" rose more, but on 6 mentions


@pytest.mark.parametrize(("now", "before"), [(Counter(), Counter({"gpu": 5})), (Counter({"gpu": 5}), Counter())])
def test_an_empty_period_lists_nothing(now: Counter[str], before: Counter[str]) -> None:
    assert rising(now, before).empty
