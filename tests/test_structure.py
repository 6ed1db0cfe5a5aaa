"""Tone that reads a headline's structure: negated and ended events, expectations, contrast and roles."""

from __future__ import annotations

import pytest

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.lexicon import load_lexicon
from dashboard.analyse.sentiment import ToneScorer
from dashboard.analyse.structure import segments
from dashboard.config import DEFAULT_CONFIG, load_config

SCORER = ToneScorer(load_lexicon())
ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Apple avoids layoffs", "pos"),
        ("Court dismisses lawsuit against Meta", "pos"),
        ("Regulators drop probe into Google's ad deal", "pos"),
        ("Nvidia escapes new export curbs", "pos"),
        ("Microsoft fails to avoid EU fine", "neg"),  # the avoidance itself failed
        ("Judge denies OpenAI's bid to dismiss the lawsuit", "neg"),
        ("Nvidia shares drop 5%", "neg"),  # "drop" negates only a dispute or a penalty
        ("Nvidia is no longer the world's most valuable company", "neg"),
        ("Meta is no longer losing money on its AI push", "pos"),
        ("Nvidia's stock falls from its record high", "neg"),
        ("Meta's AI pivot is not as costly as investors feared", "pos"),
        ("Apple's tariff costs are lower than feared", "pos"),
        ("Samsung's chip recovery is slower than investors hoped", "neg"),
        ("Microsoft's cloud growth is better than expected", "pos"),
        ("Samsung's profit slumps", "neg"),  # the measure is not the news; the verb is
        ("Nvidia shares jump despite China export worries", "pos"),
        ("Despite record profits, Google cuts hundreds of jobs", "neg"),
    ],
)
def test_structure_turns_a_headline_the_way_a_reader_reads_it(text: str, label: str) -> None:
    assert SCORER.tone(text).label == label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple loses its head of AI models to Meta", {"Apple": "neg", "Meta": "pos"}),
        ("Meta poaches Apple's top AI executive", {"Meta": "pos", "Apple": "neg"}),
        ("Apple's top AI executive leaves for Meta", {"Apple": "neg", "Meta": "pos"}),
        ("Microsoft's AI vice president joins Anthropic", {"Microsoft": "neg", "Anthropic": "pos"}),
        ("Google beats OpenAI on the latest AI benchmark", {"Google": "pos", "OpenAI": "neg"}),
        ("OpenAI falls behind Google in the AI race", {"OpenAI": "neg", "Google": "pos"}),
        ("xAI sues OpenAI over trade secrets", {"xAI": "neu", "OpenAI": "neg"}),
        ("Meta buys 49% stake in Scale AI", {"Meta": "neu", "Scale AI": "pos"}),
        ("European banks pick Mistral over OpenAI", {"Mistral": "pos", "OpenAI": "neg"}),
        ("Epic Games wins its lawsuit against Google", {"Epic Games": "pos", "Google": "neg"}),
        ("Meta cuts 5,000 jobs while Google hires AI engineers", {"Meta": "neg", "Google": "pos"}),
        ("Nvidia soars as Intel sinks", {"Nvidia": "pos", "Intel": "neg"}),
        ("Apple avoids layoffs as rivals shed staff", {"Apple": "pos"}),
        ("Meta and OpenAI face FTC inquiry", {"Meta": "neg", "OpenAI": "neg"}),
        ("Meta is no longer losing money to OpenAI", {"Meta": "pos", "OpenAI": "pos"}),  # a negated verb: no role
    ],
)
def test_each_company_gets_the_tone_of_its_own_clause_and_role(text: str, expected: dict[str, str]) -> None:
    toward = ANALYZER.toward_targets(list(expected), title=text)
    assert {name: tone.label if tone else None for name, tone in toward.items()} == expected


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("Nvidia rises despite export worries", [("Nvidia rises", 1.5), ("export worries", 0.5)]),
        ("Although PC sales slumped, the cloud soared", [("PC sales slumped,", 0.5), ("the cloud soared", 1.5)]),
        ("Azure grows, but not fast enough", [("Azure grows", 0.5), ("not fast enough", 1.5)]),
        (
            "Oracle wins deals, yet cash flow turns negative",
            [("Oracle wins deals", 0.5), ("cash flow turns negative", 1.5)],
        ),
        ("AMD rallies, Intel slumps after earnings", [("AMD rallies", 1.0), ("Intel slumps after earnings", 1.0)]),
        ("Meta, Google and Microsoft fall", [("Meta, Google and Microsoft fall", 1.0)]),
        ("OpenAI has yet to turn a profit", [("OpenAI has yet to turn a profit", 1.0)]),
        ("Nvidia overtakes Apple as the most valuable", [("Nvidia overtakes Apple as the most valuable", 1.0)]),
        ("Costs are not as high as investors feared", [("Costs are not as high as investors feared", 1.0)]),
    ],
)
def test_contrast_splits_clauses_with_their_weights(text: str, clauses: list[tuple[str, float]]) -> None:
    assert [(text[s.start : s.end].strip(), s.weight) for s in segments(text)] == clauses


def test_a_clause_about_unnamed_rivals_is_marked() -> None:
    assert [s.rivals for s in segments("Apple avoids layoffs as its rivals shed staff")] == [False, True]


def test_explain_names_the_structural_rule_and_each_companys_role() -> None:
    explanation = ANALYZER.explain("Apple loses its head of AI models to Meta after it avoids layoffs")
    rules = {c.word: c.rules for c in explanation.contributions}
    assert rules["layoffs"] == ("a bad event negated by 'avoids'",)
    assert {c.company: c.how for c in explanation.companies} == {
        "Apple": "the subject of 'loses' (-2.0)",
        "Meta": "named after 'to' of 'loses' (+2.0)",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Meta lays off 600 in AI unit as burnout spreads",
        "Nvidia shares soar to a record high",
        "Google is NOT fined, but the antitrust probe continues!",
        "Microsoft extremely happy with Copilot growth!!!",
        "OpenAI shares its plans while rivals wait",
    ],
)
def test_reading_clause_by_clause_adds_up_to_the_score_and_the_explanation(text: str) -> None:
    assert SCORER.read(text).compound() == SCORER.compound(text) == SCORER.explain(text).tone.compound


def test_without_structural_cues_the_score_is_vaders_with_the_lexicon() -> None:
    text = "Nvidia shares soar to a record high"
    plain = ToneScorer(load_lexicon(), structure=False)
    assert SCORER.compound(text) == plain.compound(text) == SCORER.read(text).compound()


@pytest.mark.parametrize(
    ("text", "company", "label"),
    [
        ("Amazon sues Perplexity over its AI shopping agent", "Amazon", "neu"),  # the defendant need not be known
        ("Microsoft sued by authors over copyright", "Microsoft", "neg"),  # passive: the subject is the one sued
        ("Meta buys a stake in a robotics startup", "Meta", "neu"),
    ],
)
def test_a_role_holds_in_the_stored_tone_whoever_else_the_headline_names(text: str, company: str, label: str) -> None:
    assert ANALYZER.analyse(text).companies[company].tone.label == label  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        (
            "Despite record profits, Google cuts hundreds of jobs",
            ("the clause after 'despite' (x0.5): 'record profits'",
             "the main clause, against a concession (x1.5): 'Google cuts hundreds of jobs'"),
        ),
        (
            "Oracle wins deals, yet cash flow turns negative",
            ("before 'yet' (x0.5): 'Oracle wins deals'", "after 'yet' (x1.5): 'cash flow turns negative'"),
        ),
        (
            "Apple avoids layoffs as rivals shed staff",
            ("the main clause (x1): 'Apple avoids layoffs'",
             "the clause after 'as', about unnamed rivals (x1): 'rivals shed staff'"),
        ),
    ],
)  # fmt: skip
def test_explain_names_each_clause_and_why_it_weighs_what_it_weighs(text: str, clauses: tuple[str, ...]) -> None:
    assert SCORER.explain(text).clauses == clauses
