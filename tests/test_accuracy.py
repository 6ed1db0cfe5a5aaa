"""The accuracy harness on the public evaluation sets: fidelity to the VADER paper, and the news targets we meet."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.accuracy import fidelity, news_tone
from bench.evalsets import BUNDLED_EVAL_DIR
from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config

ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))


@pytest.fixture(scope="module")
def fidelity_rows() -> list[dict[str, object]]:
    return fidelity(BUNDLED_EVAL_DIR, SentimentIntensityAnalyzer(), ANALYZER)


def test_the_harness_reproduces_the_vader_paper_within_003(fidelity_rows: list[dict[str, object]]) -> None:
    for row in fidelity_rows:
        assert abs(float(row["r"]) - float(row["paper_r"])) <= 0.03, row  # type: ignore[arg-type]
        assert abs(float(row["f1"]) - float(row["paper_f1"])) <= 0.03, row  # type: ignore[arg-type]


def test_our_lexicon_keeps_vader_good_on_tweets(fidelity_rows: list[dict[str, object]]) -> None:
    tweets = next(r for r in fidelity_rows if r["set"] == "tweets")
    assert float(tweets["ours_r"]) >= 0.85  # type: ignore[arg-type]


def test_headline_tone_beats_plain_vader_by_015_macro_f1_on_the_test_half() -> None:
    rows = news_tone(BUNDLED_EVAL_DIR, SentimentIntensityAnalyzer(), ANALYZER)
    test = next(r for r in rows if r["set"].startswith("Twitter Financial") and r["half"] == "test")  # type: ignore[union-attr]
    assert float(test["ours_f1"]) - float(test["plain_f1"]) >= 0.15  # type: ignore[arg-type]
    targeted = next(r for r in rows if r["set"].startswith("NewsMTSC") and r["half"] == "test")  # type: ignore[union-attr]
    assert float(targeted["ours_f1"]) >= float(targeted["plain_f1"])  # type: ignore[arg-type]  # no worse, at least
