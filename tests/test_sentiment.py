"""Tone: VADER at the core, the news lexicon on top, per-company tone, and explanations that add up."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.lexicon import LexiconError, load_lexicon, parse_lexicon
from dashboard.analyse.sentiment import NEUTRAL_BAND, ToneScorer, label_for
from dashboard.config import DEFAULT_CONFIG, load_config

SCORER = ToneScorer(load_lexicon())
ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))
HEADLINES = [
    "Meta lays off 600 in AI unit as burnout spreads",
    "OpenAI shares soar to a record after it beats estimates",
    "Google is NOT fined, but the antitrust probe continues!",
    "Nvidia's Blackwell chips sell out through 2027",
    "Amazon cuts to Hold at Deutsche Bank; price target lowered",
    "Apple's AI chief departs after a very bad year :(",
    "Anthropic is not doing great, critics say",
    "Microsoft extremely happy with Copilot growth!!!",
]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Meta lays off 600 workers in its AI unit", "neg"),
        ("Engineers describe burnout and exhaustion", "neg"),
        ("Google faces antitrust probe", "neg"),
        ("OpenAI fined for privacy violations", "neg"),
        ("AWS outage takes down popular apps", "neg"),
        ("Nvidia shares plunge 9%", "neg"),
        ("Nvidia shares soar to a record high", "pos"),
        ("Analyst upgrades Microsoft to buy", "pos"),
        ("Apple beats estimates as iPhone sales grow", "pos"),
        ("Meta shares rise after earnings", "pos"),
        ("OpenAI shares its plans", "neu"),
        ("Google's top AI scientist speaks at conference", "neu"),
        ("Interest in artificial intelligence grows among students", "pos"),
        ("The Department of Justice and the Republican Party", "neu"),
        ("Microsoft names new head of AI safety", "neu"),
    ],
)
def test_news_vocabulary_scores_as_a_reader_would_read_it(text: str, label: str) -> None:
    assert SCORER.tone(text).label == label


@pytest.mark.parametrize("text", HEADLINES)
def test_without_the_lexicon_the_scorer_is_plain_vader(text: str) -> None:
    assert ToneScorer(vader_weight=1.0).compound(text) == SentimentIntensityAnalyzer().polarity_scores(text)["compound"]


@pytest.mark.parametrize("text", HEADLINES)
def test_an_explanation_adds_up_to_the_score(text: str) -> None:
    explanation = SCORER.explain(text)
    assert explanation.tone.compound == SCORER.compound(text)


def test_explain_names_words_rules_and_reasons() -> None:
    explanation = SCORER.explain("Google is NOT fined, but the antitrust probe continues!")
    rows = {c.word: (c.source, c.rules) for c in explanation.contributions}
    assert rows["fined"] == ("domain", ("negated by 'not'", "before 'but' (x0.5)"))
    assert rows["probe"] == ("domain", ("after 'but' (x1.5)",))
    assert explanation.punctuation > 0
    assert next(c.reason for c in explanation.contributions if c.word == "antitrust") == "competition-law trouble"


def test_explain_shows_the_matched_text_of_a_phrase() -> None:
    [contribution] = SCORER.explain("Meta to cut 600 jobs").contributions
    assert (contribution.word, contribution.lexicon) == ("cut 600 jobs", -2.2)


def test_a_headline_with_no_tone_words_scores_exactly_zero() -> None:
    explanation = SCORER.explain("Nvidia to report results on Wednesday")
    assert (explanation.contributions, explanation.tone.compound, explanation.tone.label) == ((), 0.0, "neu")


@pytest.mark.parametrize(
    ("compound", "label"), [(NEUTRAL_BAND, "pos"), (-NEUTRAL_BAND, "neg"), (0.0, "neu"), (0.19, "neu")]
)
def test_labels_use_the_neutral_band(compound: float, label: str) -> None:
    assert label_for(compound) == label


def test_a_company_mentioned_in_passing_keeps_its_own_tone() -> None:
    analysis = ANALYZER.analyse(
        "Meta's AI staff describe burnout and toxic culture after layoffs",
        "The crisis deepens at Meta. Separately, OpenAI released a new model on Tuesday.",
    )
    assert analysis.companies["Meta"].tone.label == "neg"
    assert analysis.companies["OpenAI"].tone.compound == 0.0
    assert analysis.tone.label == "neg"


def test_a_company_named_only_in_the_title_takes_the_title_tone() -> None:
    analysis = ANALYZER.analyse("Nvidia shares soar to a record", "Demand for its chips keeps growing.")
    assert analysis.companies["Nvidia"].tone.compound == SCORER.compound("Nvidia shares soar to a record")


def test_article_tone_weights_the_title_twice() -> None:
    title, summary = "Meta lays off 600", "Analysts praised the move."
    expected = round((2 * SCORER.compound(title) + SCORER.compound(summary)) / 3, 4)
    assert SCORER.article_tone(title, summary).compound == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("layoffs\t-2.0", "lexicon:1: expected TERM<TAB>VALENCE<TAB>REASON"),
        ("layoffs\tbad\twhy", "lexicon:1: valence 'bad' is not a number"),
        ("layoffs\t-5\twhy", "lexicon:1: valence -5.0 is outside -4..4"),
        ("# comment\nlayoffs\t-2\twhy\nLayoffs\t-1\tagain", "lexicon:3: 'layoffs' is already defined on line 2"),
    ],
)
def test_a_bad_lexicon_line_is_named(text: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        parse_lexicon(text)


def test_every_lexicon_entry_has_a_reason_and_compiles() -> None:
    entries = load_lexicon()
    assert len(entries) > 300
    assert all(e.reason for e in entries)
    ToneScorer(entries)  # every pattern term compiles


@pytest.mark.parametrize(
    "text",
    [
        *HEADLINES,
        "Intel to cut 1,000 jobs, lays off 5,000 more; shares down 5% after it misses estimates",
        "Price target raised to $40 as Nvidia beats analysts' estimates and tops forecasts",
        "Meta's stock hits an all-time high, sells out of glasses, then cuts hundreds of jobs",
    ],
)
def test_terms_are_replaced_where_the_whole_union_would_replace_them(text: str) -> None:
    # _prepare tries the union of every term only where a first word starts; the result must be the same.
    assert SCORER._prepare(text) == SCORER._pattern_re.sub(lambda m: str(m.lastgroup), text)  # type: ignore[union-attr]
