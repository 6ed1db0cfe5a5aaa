"""Topic counts with the default topic groups, and the labelled headline set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.evalsets import BUNDLED_EVAL_DIR, read_newsmtsc, read_twitter_financial
from dashboard.analyse.terms import compile_terms, count_matches
from dashboard.analyse.topics import TopicMatcher
from dashboard.config import DEFAULT_CONFIG, load_config

TOPICS = TopicMatcher(load_config(DEFAULT_CONFIG).topics)
LABELLED = Path(__file__).parent / "data" / "matching_headlines.jsonl"


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Burned-out engineers describe 80-hour weeks and crunch time", {"burnout": 3}),
        ("Meta lays off 600; more job cuts coming as it cuts 1,000 roles", {"layoffs": 3}),
        ("Amazon cuts 14,000 corporate jobs", {"layoffs": 1}),
        ("Nvidia H100 GPUs fill new data centers", {"compute": 3}),
        ("OpenAI poaches researchers as an exodus hits xAI", {"talent": 2}),
        ("Google fined in EU antitrust probe", {"regulation": 3}),
        ("Jailbreak exposes hallucinations", {"safety": 2}),
        ("Open-weight model released under Apache 2.0", {"open_source": 2}),
        ("Anthropic raises $13 billion at a $183 billion valuation", {"funding": 2}),
        ("A quiet day with nothing to report", {}),
        ("The department investigated the investment", {"regulation": 1, "funding": 1}),
    ],
)
def test_topic_mentions_are_counted(text: str, counts: dict[str, int]) -> None:
    assert TOPICS.counts(text) == counts


def test_topic_recall_and_precision_on_the_labelled_headlines() -> None:
    items = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    for topic in TOPICS.names:
        truth = [topic in i["topics"] for i in items]
        found = [topic in TOPICS.counts(i["text"]) for i in items]
        tp = sum(t and f for t, f in zip(truth, found, strict=True))
        assert tp / max(1, sum(found)) >= 0.9, f"{topic} precision"
        assert tp / max(1, sum(truth)) >= 0.8, f"{topic} recall"


def test_the_needle_check_never_changes_a_count_on_real_texts() -> None:
    texts = [d.text for d in read_twitter_financial(BUNDLED_EVAL_DIR)] + [
        d.text for d in read_newsmtsc(BUNDLED_EVAL_DIR)
    ]
    assert len(texts) > 3000
    scanned = {
        name: compile_terms(tuple(terms), inflect=True) for name, terms in load_config(DEFAULT_CONFIG).topics.items()
    }
    for text in texts:
        every = {name: count_matches(pattern, text) for name, pattern in scanned.items()}
        assert TOPICS.counts(text) == {name: n for name, n in every.items() if n}, text
