"""Which topics a text mentions and how often; free keywords use the same matching rules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dashboard.analyse.terms import Needles, compile_terms, count_matches, fold, needles


class TopicMatcher:
    """Counts mentions of each topic's terms (see dashboard/terms.py for the term language)."""

    def __init__(self, topics: Mapping[str, Sequence[str]]) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {
            name: compile_terms(tuple(terms), inflect=True) for name, terms in topics.items() if terms
        }
        self._needles: dict[str, Needles | None] = {
            name: needles(topics[name], inflect=True) for name in self._patterns
        }

    @property
    def names(self) -> list[str]:
        return list(self._patterns)

    def counts(self, text: str) -> dict[str, int]:
        """Topic name -> number of mentions, only for topics mentioned at least once."""
        folded = fold(text)
        counts = {}
        for name, pattern in self._patterns.items():
            hint = self._needles[name]
            if hint is None or hint.may_occur(folded, text):
                counts[name] = count_matches(pattern, text)
        return {name: n for name, n in counts.items() if n}
