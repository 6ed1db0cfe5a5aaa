"""The accuracy harness on the public evaluation sets: fidelity to the VADER paper, and the news targets we meet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.accuracy import challenge, fidelity, news_tone
from bench.evalsets import BUNDLED_EVAL_DIR, ChallengeError, in_test_half, read_challenge
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


@pytest.fixture(scope="module")
def challenge_rows() -> dict[str, dict[str, object]]:
    return {str(r["half"]): r for r in challenge(ANALYZER, SentimentIntensityAnalyzer())}


def test_tone_toward_companies_of_different_fortunes_reaches_070_on_the_test_half(
    challenge_rows: dict[str, dict[str, object]],
) -> None:
    assert float(challenge_rows["test, companies of different fortunes"]["ours_f1"]) >= 0.70  # type: ignore[arg-type]


def test_reading_structure_lifts_tone_toward_each_company_far_above_plain_vader(
    challenge_rows: dict[str, dict[str, object]],
) -> None:
    # The target for the whole test half is 0.80; bench/README.md gives the measured figure.
    row = challenge_rows["test"]
    assert float(row["ours_f1"]) - float(row["plain_f1"]) >= 0.30  # type: ignore[arg-type]


def test_the_challenge_set_is_big_enough_and_every_label_names_a_company_in_its_headline() -> None:
    headlines = read_challenge()
    assert len(headlines) >= 400
    assert 0.4 <= sum(in_test_half(h.text) for h in headlines) / len(headlines) <= 0.6
    for headline in headlines:
        toward = ANALYZER.toward_targets([name for name, _ in headline.labels], title=headline.text)
        assert None not in toward.values(), headline


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("plain | Meta=good | Meta soars", "labels must read Company=neg|neu|pos"),
        ("plain | Meta=pos; Meta=neg | Meta soars", "labelled twice"),
        ("plain | Meta soars", "expected SHAPE | Company=label; ... | headline"),
    ],
)
def test_a_bad_challenge_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "challenge.txt"
    path.write_text(f"# comment\n{line}\n", encoding="utf-8")
    with pytest.raises(ChallengeError, match=rf"challenge.txt:2: .*{re.escape(message)}"):
        read_challenge(path)
