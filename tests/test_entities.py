"""Which companies a headline is about: aliases, case rules and false friends from the default config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.analyse.entities import CompanyMatcher, CompanyRule
from dashboard.config import DEFAULT_CONFIG, load_config

MATCHER = CompanyMatcher(load_config(DEFAULT_CONFIG).company_rules())
LABELLED = Path(__file__).parent / "data" / "matching_headlines.jsonl"


@pytest.mark.parametrize(
    ("text", "companies"),
    [
        ("Meta's AI chief leaves", {"Meta": 1}),
        ("A meta-analysis of 40 studies", {}),
        ("Meta-analysis shows Meta is wrong", {"Meta": 1}),
        ("OpenAI-backed startup raises money", {"OpenAI": 1}),
        ("Sam Altman's OpenAI and ChatGPT", {"OpenAI": 3}),
        ("Apple orchards and an apple pie", {}),
        ("Apple unveils iPhone 17", {"Apple": 2}),
        ("the Big Apple welcomes startups", {}),
        ("Claude Monet's water lilies", {}),
        ("Anthropic's Claude writes code", {"Anthropic": 2}),
        ("Jean-Claude Van Damme returns", {}),
        ("the Amazon rainforest burns", {}),
        ("Amazon's AWS unit grows", {"Amazon": 2}),
        ("Gemini horoscope for the week", {}),
        ("Google's Gemini 3 launches", {"Google": 2}),
        ("The mistral wind blows", {}),
        ("Mistral AI raises money", {"Mistral": 1}),
        ("explainable AI (XAI) methods", {}),
        ("xAI's Grok 4", {"xAI": 2}),
        ("I grok transformers now", {}),
        ("the copilot landed the plane", {}),
        ("Microsoft Copilot gets agents", {"Microsoft": 2}),
        ("llama farmers in Peru", {}),
        ("Blackwell Publishing and Nvidia Blackwell chips", {"Nvidia": 2}),
        ("NVIDIA, Nvidia and nvidia", {"Nvidia": 3}),
    ],
)
def test_companies_follow_the_configured_rules(text: str, companies: dict[str, int]) -> None:
    assert MATCHER.companies(text) == companies


def test_mentions_carry_their_position() -> None:
    [mention] = MATCHER.mentions("Shares of Nvidia rose")
    assert (mention.company, mention.start, mention.end, mention.alias) == ("Nvidia", 10, 16, "Nvidia")


def test_a_new_company_needs_only_a_rule() -> None:
    matcher = CompanyMatcher([CompanyRule("Perplexity", ("Aravind Srinivas",), ("Perplexity",), ("perplexity of",))])
    assert matcher.companies("Perplexity's Aravind Srinivas; the perplexity of users") == {"Perplexity": 2}


def test_company_matching_on_the_labelled_headlines_is_near_perfect() -> None:
    items = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 100
    wrong = [(i["text"], i["companies"]) for i in items if set(MATCHER.companies(i["text"])) != set(i["companies"])]
    assert wrong == []
