"""Which companies a text is about: aliases with word boundaries, case rules, and known false friends."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dashboard.analyse.terms import bounded, literal_body, literal_search


@dataclass(frozen=True)
class CompanyRule:
    """How to recognise one company: its aliases, which of them only count in their exact case, and
    phrases that contain an alias but mean something else."""

    name: str
    aliases: tuple[str, ...]
    case_sensitive: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A company named in a text, at [start, end)."""

    company: str
    start: int
    end: int
    alias: str


class CompanyMatcher:
    """Finds company mentions in text according to each company's rules."""

    def __init__(self, rules: Sequence[CompanyRule]) -> None:
        self.rules = tuple(rules)
        self._patterns: list[tuple[str, re.Pattern[str], re.Pattern[str] | None, re.Pattern[str] | None]] = []
        # Each alias's first word, lower-cased: a company none of whose needles occurs is skipped unscanned.
        self._needles: list[Callable[[str], re.Match[str] | None]] = []  # one substring search per company
        for rule in rules:
            firsts = sorted({a.split()[0].lower() for a in (rule.name, *rule.aliases) if a.split()})
            self._needles.append(literal_search(tuple(firsts)))
            exact = set(rule.case_sensitive)
            loose = [a for a in (rule.name, *rule.aliases) if a not in exact]
            strict = [a for a in (rule.name, *rule.aliases) if a in exact]
            loose_re = _union(loose, re.IGNORECASE)
            strict_re = _union(strict, 0)
            exclude_re = _union(list(rule.exclude), re.IGNORECASE)
            self._patterns.append((rule.name, loose_re, strict_re, exclude_re))  # type: ignore[arg-type]

    def mentions(self, text: str) -> list[Mention]:
        """Every mention of every company, in text order; excluded phrases are removed."""
        found: list[Mention] = []
        lowered = text.lower()
        for (name, loose, strict, exclude), needle in zip(self._patterns, self._needles, strict=True):
            if needle(lowered) is None:
                continue
            blocked = [(m.start(), m.end()) for m in exclude.finditer(text)] if exclude else []
            spans: dict[int, Mention] = {}
            for pattern in (strict, loose):
                if pattern is None:
                    continue
                for m in pattern.finditer(text):
                    if any(b_start <= m.start() < b_end for b_start, b_end in blocked):
                        continue
                    if m.start() not in spans:
                        spans[m.start()] = Mention(name, m.start(), m.end(), m.group(0))
            found.extend(spans.values())
        return sorted(found, key=lambda m: (m.start, m.company))

    def companies(self, text: str) -> dict[str, int]:
        """Company name -> number of mentions, in order of first mention."""
        return count_mentions(self.mentions(text))


def count_mentions(mentions: Sequence[Mention]) -> dict[str, int]:
    """Company name -> number of these mentions, in order of first mention."""
    counts: dict[str, int] = {}
    for mention in mentions:
        counts[mention.company] = counts.get(mention.company, 0) + 1
    return counts


def _union(terms: list[str], flags: int) -> re.Pattern[str] | None:
    """One regex for several literal terms, longest first."""
    if not terms:
        return None
    ordered = sorted(dict.fromkeys(terms), key=len, reverse=True)
    return re.compile(bounded([f"(?:{literal_body(t)})" for t in ordered]), flags)
