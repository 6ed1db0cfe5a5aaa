"""One small pattern language for every term we look for: topic terms, lexicon phrases and free keywords.

A term is words separated by spaces; between words any run of spaces or hyphens matches ("burned out"
finds "burned-out"). Within a word:
  ``*`` at the end   any ending: ``resign*`` finds resign, resigns, resigned, resignation
  ``#``              a number: 80, 1,000, 2.5, 10k, 3bn (``#%`` a percentage)
  ``a|b``            either word: ``cut|cuts|slashes # jobs``
Matching ignores case and respects word boundaries at both ends, so a term never matches inside a
longer word ("AI" is not found in "said"), while possessives and hyphenated forms still match
("Meta's", "OpenAI-backed").

Topic terms and free keywords also find the regular English plural of their last word, as people type
them: ``GPU`` finds "GPUs", ``layoff`` "layoffs", ``data center`` "data centers", ``company``
"companies", ``tax`` "taxes" (``inflected``). A term in double quotes is exactly that phrase
(``"GPU"`` does not find "GPUs"; ``*`` and ``#`` keep their meaning inside).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

NUMBER = r"\d[\d,.]*(?:\s?(?:k|m|bn|million|billion|thousand|hundred))?"
_WORD_BEFORE = r"(?<![\w])"
_WORD_AFTER = r"(?![\w])"
_GAP = r"[\s\-‐‑–]+"


def _alternative(text: str) -> str:
    """Regex for one alternative of one word of a term."""
    out = []
    for index, char in enumerate(text):
        if char == "#":
            out.append(NUMBER)
        elif char == "*" and index == len(text) - 1:
            out.append(r"\w*")
        else:
            out.append(re.escape(char))
    return "".join(out)


_VOWELS = set("aeiou")
_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def inflected(word: str) -> list[str]:
    """A word and its regular English plural: GPU -> GPUs, company -> companies, tax -> taxes. Only plain
    words of letters are inflected (not ``resign*``, ``#``, ``H100``)."""
    if len(word) < 2 or not word.isalpha():
        return [word]
    lower = word.lower()
    if lower.endswith("y") and lower[-2] not in _VOWELS:
        return [word, word[:-1] + "ies"]
    if lower.endswith(_SIBILANT_ENDINGS):
        return [word, word + "es"]
    return [word, word + "s"]


def quoted(term: str) -> str | None:
    """The phrase inside a term in double quotes, or None when it is not quoted."""
    term = term.strip()
    return term[1:-1] if len(term) >= 2 and term[0] == term[-1] == '"' else None


def term_regex(term: str) -> str:
    """The regex (without flags) for a term in the pattern language above."""
    return _WORD_BEFORE + term_body(term) + _WORD_AFTER


def bounded(alternatives: list[str]) -> str:
    """Several term bodies as one regex with the word boundaries checked once, outside the alternation
    (the same matches as bounding each term, several times faster on long lists)."""
    return _WORD_BEFORE + "(?:" + "|".join(alternatives) + ")" + _WORD_AFTER


def term_words(term: str, inflect: bool = False) -> list[list[str]]:
    """A term's words, each a list of its alternatives; with ``inflect`` (and no quotes), the last word's
    plain alternatives come with their plurals."""
    inside = quoted(term)
    if inside is not None:
        term, inflect = inside, False
    words = term.split()
    if not words:
        raise ValueError("empty term")
    out = []
    for index, word in enumerate(words):
        alternatives = [a for a in word.split("|") if a]
        if not alternatives:
            raise ValueError(f"empty alternative in {term!r}")
        if inflect and index == len(words) - 1:
            alternatives = list(dict.fromkeys(form for a in alternatives for form in inflected(a)))
        out.append(alternatives)
    return out


def term_body(term: str, inflect: bool = False) -> str:
    """The regex for a term without its word boundaries."""
    parts = []
    for alternatives in term_words(term, inflect):
        body = "|".join(_alternative(a) for a in alternatives)
        parts.append(f"(?:{body})" if len(alternatives) > 1 else body)
    return _GAP.join(parts)


def first_words_body(terms: Iterable[str]) -> str:
    """The regex (without boundaries) of the first words of some terms: where any of them can start."""
    firsts = {_alternative(a) for term in terms for a in term_words(term)[0]}
    return "|".join(sorted(firsts, key=len, reverse=True))


def literal_body(text: str) -> str:
    """The regex for literal words without their word boundaries."""
    return _GAP.join(re.escape(word) for word in text.split())


@lru_cache(maxsize=4096)
def compile_terms(terms: tuple[str, ...], case_sensitive: bool = False, inflect: bool = False) -> re.Pattern[str]:
    """One regex finding any of the terms, longest first so "job cuts" wins over "cuts"."""
    ordered = sorted(dict.fromkeys(terms), key=len, reverse=True)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(bounded([f"(?:{term_body(t, inflect)})" for t in ordered]), flags)


def keyword_regex(keyword: str) -> re.Pattern[str]:
    """A free keyword or phrase typed by a user, matched like a topic term (``*``, ``#``, plurals, quotes)."""
    return compile_terms((" ".join(keyword.split()),), inflect=True)


def count_matches(pattern: re.Pattern[str], text: str) -> int:
    """Non-overlapping matches of a compiled term pattern in a text."""
    return sum(1 for _ in pattern.finditer(text))


# re.IGNORECASE also matches these non-ASCII letters to ASCII ones (see the re module's docs); needle
# checks fold them the same way, so a cheap substring test never rules out a text the regex would match.
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_DIGIT = re.compile(r"\d")


def fold(text: str) -> str:
    """A text lower-cased for needle checks (see Needles)."""
    return text.translate(_ASCII_FOLD).lower()


@dataclass(frozen=True)
class Needles:
    """Lower-case strings at least one of which occurs in any text some term matches (or a digit, for
    terms that start with ``#``): a substring test that lets most texts skip a long regex scan."""

    words: tuple[str, ...]
    digit: bool

    def may_occur(self, folded: str, text: str) -> bool:
        """False only when no term can match ``text`` (``folded`` is ``fold(text)``)."""
        return literal_search(self.words)(folded) is not None or (self.digit and _DIGIT.search(text) is not None)


@lru_cache(maxsize=4096)
def literal_search(words: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """A search for any of these literal substrings at once (one regex call, not a Python loop per word);
    it never matches when there are none."""
    return re.compile("|".join(map(re.escape, words)) or "(?!)").search


def needles(terms: Iterable[str], inflect: bool = False) -> Needles | None:
    """The needles of case-insensitive terms: each first word's literal start (its plurals' too); None when
    some term has none that is plain ASCII (then every text must be scanned)."""
    words: set[str] = set()
    digit = False
    for term in terms:
        for alternative in term_words(term, inflect)[0]:
            literal = alternative.split("#")[0]
            if literal.endswith("*") and literal == alternative:
                literal = literal[:-1]
            if literal:
                if not literal.isascii():
                    return None
                words.add(literal.lower())
            elif alternative.startswith("#"):
                digit = True
            else:
                return None
    return Needles(tuple(sorted(words, key=len)), digit)
