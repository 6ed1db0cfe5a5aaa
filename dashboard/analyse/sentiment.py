"""Tone of a text, of an article, and toward a company: VADER with a news lexicon, and why a score is what it is."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SentimentIntensityAnalyzer, SentiText, normalize

from dashboard.analyse.lexicon import LexiconEntry
from dashboard.analyse.sentences import split_sentences
from dashboard.analyse.terms import bounded, term_body
from dashboard.models import NEUTRAL_BAND, Tone, label_for

# News is written in a flatter register than the social-media text VADER's lexicon was rated on, so its
# general words count for less than the domain lexicon's news vocabulary (tuned like the band).
VADER_WEIGHT = 0.5
TITLE_WEIGHT = 2.0  # a headline states the story's angle; the summary adds detail
_TERM_TOKEN = "lexiconterm"


@dataclass(frozen=True)
class Contribution:
    """One word's part in a score: its lexicon valence, its valence after VADER's rules, and why."""

    word: str
    lexicon: float
    valence: float
    source: str  # "vader" or "domain"
    rules: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True)
class Explanation:
    """Why a text scores as it does: each scoring word, punctuation emphasis, the sum and the result."""

    text: str
    contributions: tuple[Contribution, ...]
    punctuation: float
    total: float
    tone: Tone


def _is_plain_word(term: str) -> bool:
    """A single word VADER can look up directly (no spaces or pattern characters)."""
    return re.fullmatch(r"[\w']+", term) is not None


def tone_toward(scored: Sequence[tuple[float, float]], band: float = NEUTRAL_BAND) -> Tone | None:
    """Tone toward an entity from the (weight, compound) of the sentences and clauses that name it: their
    weighted mean. The one definition: the store's per-company tone and the evaluations both come from here."""
    if not scored:
        return None
    mean = sum(w * c for w, c in scored) / sum(w for w, _ in scored)
    return Tone(round(mean, 4), label_for(mean, band))


class ToneScorer:
    """VADER with the domain lexicon merged in; multi-word terms are scored as single tokens."""

    def __init__(
        self,
        entries: Sequence[LexiconEntry] = (),
        neutral_band: float = NEUTRAL_BAND,
        vader_weight: float = VADER_WEIGHT,
    ) -> None:
        self.neutral_band = neutral_band
        self._vader = SentimentIntensityAnalyzer()
        if vader_weight != 1.0:
            self._vader.lexicon = {w: v * vader_weight for w, v in self._vader.lexicon.items()}
        self._domain: dict[str, LexiconEntry] = {}
        self._patterns: list[LexiconEntry] = []
        for entry in entries:
            if _is_plain_word(entry.term):
                self._vader.lexicon[entry.term] = entry.valence
                self._domain[entry.term] = entry
            else:
                token = f"{_TERM_TOKEN}{len(self._patterns)}"
                self._vader.lexicon[token] = entry.valence
                self._domain[token] = entry
                self._patterns.append(entry)
        self._pattern_re = (
            re.compile(
                bounded([f"(?P<{_TERM_TOKEN}{i}>{term_body(e.term)})" for i, e in enumerate(self._patterns)]),
                re.IGNORECASE,
            )
            if self._patterns
            else None
        )

    def _prepare(self, text: str, found: list[str] | None = None) -> str:
        """Replace each multi-word or pattern term by one token, so VADER's rules see it as a word."""
        if self._pattern_re is None:
            return text

        def token(match: re.Match[str]) -> str:
            if found is not None:
                found.append(match.group(0))
            return str(match.lastgroup)

        return self._pattern_re.sub(token, text)

    def compound(self, text: str) -> float:
        """VADER's compound score (-1..1) with the domain lexicon."""
        return self._vader.polarity_scores(self._prepare(text))["compound"] if text.strip() else 0.0

    def tone(self, text: str) -> Tone:
        """Compound score and label of a text."""
        compound = self.compound(text)
        return Tone(compound, label_for(compound, self.neutral_band))

    def article_tone(self, title: str, summary: str = "") -> Tone:
        """An article's tone: the headline weighted ``TITLE_WEIGHT`` times the summary."""
        return self.combine(self.compound(title), self.compound(summary) if summary.strip() else None)

    def combine(self, title_score: float, summary_score: float | None) -> Tone:
        """The article tone from already computed headline and summary scores (None: no summary)."""
        if summary_score is None:
            return Tone(title_score, label_for(title_score, self.neutral_band))
        combined = (TITLE_WEIGHT * title_score + summary_score) / (TITLE_WEIGHT + 1)
        return Tone(round(combined, 4), label_for(combined, self.neutral_band))

    def toward(self, text: str, mentions: Sequence[tuple[int, int]]) -> Tone | None:
        """Tone toward an entity mentioned at these offsets: ``tone_toward`` over the text's sentences, each
        weighing the same; None when no sentence mentions it."""
        scored = [
            (1.0, self.compound(text[start:end]))
            for start, end in split_sentences(text)
            if any(start <= m_start < end for m_start, _ in mentions)
        ]
        return tone_toward(scored, self.neutral_band)

    def explain(self, text: str) -> Explanation:
        """Which words and rules moved the score: VADER's own steps, replayed word by word."""
        found: list[str] = []
        prepared = self._prepare(text, found)
        matched = iter(found)
        vader = self._vader
        sentitext = SentiText(prepared)
        words = sentitext.words_and_emoticons
        lowered = [w.lower() for w in words]
        sentiments: list[float] = []
        for i, word in enumerate(words):
            if lowered[i] in BOOSTER_DICT or (lowered[i] == "kind" and i < len(words) - 1 and lowered[i + 1] == "of"):
                sentiments.append(0.0)
                continue
            sentiments = vader.sentiment_valence(0, sentitext, word, i, sentiments)
        after_but = vader._but_check(words, list(sentiments))
        contributions = []
        for i, word in enumerate(words):
            token = lowered[i]
            if token not in vader.lexicon or token in BOOSTER_DICT:
                continue
            base = vader.lexicon[token]
            final = after_but[i]
            domain = self._domain.get(token)
            if base == 0 and final == 0 and token not in self._domain:
                continue
            rules = _rules_for(i, words, lowered, base, sentiments[i], final, vader.lexicon, sentitext.is_cap_diff)
            shown = next(matched) if token.startswith(_TERM_TOKEN) and domain is not None else word
            contributions.append(
                Contribution(
                    word=shown,
                    lexicon=base,
                    valence=round(final, 4),
                    source="domain" if domain else "vader",
                    rules=rules,
                    reason=domain.reason if domain else "",
                )
            )
        total = float(sum(after_but))
        punctuation = vader._punctuation_emphasis(prepared) if total else 0.0
        total += math.copysign(punctuation, total) if total else 0.0
        compound = round(normalize(total), 4) if after_but else 0.0
        return Explanation(
            text=text,
            contributions=tuple(contributions),
            punctuation=punctuation,
            total=round(total, 4),
            tone=Tone(compound, label_for(compound, self.neutral_band)),
        )


def _rules_for(
    i: int,
    words: list[str],
    lowered: list[str],
    base: float,
    after_rules: float,
    final: float,
    lexicon: dict[str, float],
    cap_diff: bool,
) -> tuple[str, ...]:
    """Name the VADER rules that turned a word's lexicon valence into its final valence."""
    rules = []
    window = lowered[max(0, i - 3) : i]
    if base and after_rules and math.copysign(1, base) != math.copysign(1, after_rules):
        negator = next((w for w in reversed(window) if w in NEGATE or w == "no" or "n't" in w), "a negation")
        rules.append(f"negated by '{negator}'")
    boosters = [w for w in window if w in BOOSTER_DICT and w not in lexicon]
    if boosters:
        rules.append(f"intensity changed by '{boosters[-1]}'")
    if words[i].isupper() and cap_diff:
        rules.append("emphasised by capitals")
    if "but" in lowered and final != after_rules:
        rules.append("after 'but' (x1.5)" if i > lowered.index("but") else "before 'but' (x0.5)")
    if not rules and after_rules != base and base:
        rules.append("adjusted by a VADER rule")
    return tuple(rules)
