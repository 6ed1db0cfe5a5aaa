"""The term language shared by topics, lexicon phrases and free keywords."""

from __future__ import annotations

import pytest

from dashboard.analyse.terms import compile_terms, count_matches, fold, keyword_regex, needles


def found(term: str, text: str) -> list[str]:
    return [m.group(0) for m in compile_terms((term,)).finditer(text)]


@pytest.mark.parametrize(
    ("term", "text", "matches"),
    [
        (
            "burned out",
            "burned-out staff, burned out teams, burned   out",
            ["burned-out", "burned out", "burned   out"],
        ),
        ("AI", "AI-powered tools said AI's future is bright; MAIL", ["AI", "AI"]),
        ("resign*", "She resigned; two resignations; he resigns", ["resigned", "resignations", "resigns"]),
        ("# hour week*", "80-hour weeks and 100 hour week", ["80-hour weeks", "100 hour week"]),
        ("cut|cuts # jobs", "Meta cuts 1,000 jobs; Amazon cut 14k jobs", ["cuts 1,000 jobs", "cut 14k jobs"]),
        ("up #%", "shares up 2.5% and up 10 %", ["up 2.5%"]),
        ("GPU", "GPUs and a GPU", ["GPU"]),
        ("OpenAI", "OpenAI-backed, OpenAI's, openai", ["OpenAI", "OpenAI", "openai"]),
    ],
)
def test_terms_match_at_word_boundaries_with_their_variants(term: str, text: str, matches: list[str]) -> None:
    assert found(term, text) == matches


def test_longer_terms_win_over_their_prefixes() -> None:
    pattern = compile_terms(("cuts", "job cuts"))
    assert [m.group(0) for m in pattern.finditer("job cuts announced")] == ["job cuts"]


def test_a_free_keyword_uses_the_same_rules() -> None:
    assert keyword_regex("data center*").search("new data-centres") is None
    assert count_matches(keyword_regex("data center*"), "Data-centers and data centers") == 2
    assert count_matches(keyword_regex("meta"), "metaverse and meta-analysis") == 1


@pytest.mark.parametrize("term", ["", "|", "||"])
def test_an_empty_term_is_refused(term: str) -> None:
    with pytest.raises(ValueError):
        compile_terms((term,))


@pytest.mark.parametrize(
    ("terms", "text"),
    [
        (("layoff*",), "LAYOFFS at Meta"),
        (("istanbul office",), "İSTANBUL OFFICE closes"),  # re.IGNORECASE matches U+0130 and U+0131 to i
        (("istanbul office",), "ıstanbul office closes"),
        (("stock",), "ſtock rises"),  # and U+017F to s
        (("# hour week",), "٨٠ hour week"),  # \d is any decimal digit
        (("+#%",), "shares +5%"),
        (("cut|cuts|slash # jobs",), "Slash 1,000 jobs"),
        (("a*b",), "an a*b test"),
    ],
)
def test_needles_never_rule_out_a_text_a_term_matches(terms: tuple[str, ...], text: str) -> None:
    hint = needles(terms)
    assert compile_terms(terms).search(text)
    assert hint is not None and hint.may_occur(fold(text), text)


@pytest.mark.parametrize(
    ("terms", "text"), [(("layoff*", "job cuts"), "Meta ships a new model"), (("# jobs",), "no jobs")]
)
def test_needles_rule_out_a_text_no_term_can_match(terms: tuple[str, ...], text: str) -> None:
    hint = needles(terms)
    assert hint is not None and not hint.may_occur(fold(text), text)


@pytest.mark.parametrize("terms", [("* jobs",), ("ünion",)])
def test_terms_without_a_plain_ascii_start_have_no_needles(terms: tuple[str, ...]) -> None:
    assert needles(terms) is None
