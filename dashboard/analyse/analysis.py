"""One article in, everything we know about it out: companies, topics, overall tone, tone toward each company."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from dashboard.analyse.entities import CompanyMatcher, CompanyRule, count_mentions
from dashboard.analyse.language import TONED, LanguageDetector
from dashboard.analyse.lexicon import DEFAULT_LEXICON, load_lexicon
from dashboard.analyse.sentences import split_sentences
from dashboard.analyse.sentiment import (
    TITLE_WEIGHT,
    CompanyReading,
    Explanation,
    Reading,
    ToneScorer,
    label_for,
    tone_toward,
)
from dashboard.analyse.topics import TopicMatcher
from dashboard.collect.normalize import truncate
from dashboard.models import SUMMARY_LIMIT, TITLE_LIMIT, ArticleAnalysis, CompanyTone, Tone


class AnalysisSettings(Protocol):
    """What the analysis needs of a configuration (dashboard.config.Config is one)."""

    @property
    def topics(self) -> dict[str, list[str]]: ...

    @property
    def lexicon(self) -> str: ...

    def company_rules(self) -> list[CompanyRule]: ...


class Analyzer:
    """Companies, topics and tone for articles, from the configuration and the domain lexicon."""

    def __init__(
        self,
        companies: CompanyMatcher,
        topics: TopicMatcher,
        scorer: ToneScorer,
        languages: LanguageDetector | None = None,
    ) -> None:
        self.companies = companies
        self.topics = topics
        self.scorer = scorer
        self.languages = languages or LanguageDetector()
        self._rules = {rule.name: rule for rule in companies.rules}

    @classmethod
    def from_config(cls, config: AnalysisSettings, lexicon: Path | str | None = None) -> Analyzer:
        """Build from a loaded config; the lexicon path defaults to the one the config names."""
        return cls(
            CompanyMatcher(config.company_rules()),
            TopicMatcher(config.topics),
            ToneScorer(load_lexicon(lexicon or config.lexicon or DEFAULT_LEXICON)),
        )

    def load_models(self) -> None:
        """Load what is otherwise loaded on first use (the language model), e.g. before forking workers."""
        self.languages.load()

    def analyse(self, title: str, summary: str = "") -> ArticleAnalysis:
        """Analyse a headline and its summary (cut to the stored limits); each company's tone comes only from
        sentences naming it."""
        # The headline weighs more than each summary sentence; both are split into sentences and clauses.
        units = self._units(title, summary)
        title, summary = truncate(title, TITLE_LIMIT), truncate(summary, SUMMARY_LIMIT)
        language = self.languages.detect(f"{title}\n{summary}")
        if language not in TONED:
            return self._untoned(units, f"{title}\n{summary}", language)
        readings: dict[str, Reading] = {}  # a one-sentence headline (or summary) is read once
        scores = {title: self.scorer.compound(title, readings)}
        summary_score = self.scorer.compound(summary, readings) if summary.strip() else None
        if summary_score is not None:
            scores.setdefault(summary, summary_score)
        tone = self.scorer.combine(scores[title], summary_score)
        return self._analyse_units(units, tone, f"{title}\n{summary}", scores, readings=readings)

    def toward_targets(
        self, targets: Sequence[str], title: str = "", summary: str = "", text: str | None = None
    ) -> dict[str, Tone | None]:
        """Tone toward any named targets in a headline and summary (or a free ``text``), found by the rules
        company aliases follow (word boundaries, possessives, hyphenated forms) and scored as a company is:
        from the sentences that name each, the headline's weighing more. None for a target the text does not
        name, never the headline's tone, and for every target of a text in a language without a tone lexicon. A
        configured company's name brings its aliases and exclusions."""
        units = self._text_units(text) if text is not None else self._units(title, summary)
        if self.languages.detect(text if text is not None else f"{title}\n{summary}") not in TONED:
            return dict.fromkeys(targets)
        found = self._analyse_units(units, Tone(0.0, "neu"), "", {}, self._matcher(targets)).companies
        return {target: found[target].tone if target in found else None for target in targets}

    def explain(self, text: str, targets: Sequence[str] = ()) -> Explanation:
        """Why a text scores as it does, with the tone toward each company it names (or each of ``targets``)
        and how that was read: from which clauses, with which role. No tone at all in a language the lexicon
        does not cover."""
        language = self.languages.detect(text)
        if language not in TONED:
            return Explanation(text, (), 0.0, 0.0, None, language=language)
        explanation = self.scorer.explain(text)
        matcher = self._matcher(targets) if targets else self.companies
        found: dict[str, list[tuple[float, str]]] = {}
        for _, unit in self._text_units(text):
            mentions = [(m.company, m.start, m.end) for m in matcher.mentions(unit)]
            if not mentions:
                continue
            reading = self.scorer.read(unit)
            for company in dict.fromkeys(c for c, _, _ in mentions):
                found.setdefault(company, []).append(reading.toward(company, mentions))
        companies = []
        for company, parts in found.items():
            tone = tone_toward([(1.0, compound) for compound, _ in parts], self.scorer.neutral_band)
            how = "; ".join(dict.fromkeys(h for _, h in parts if h)) or "from the sentences that name it"
            companies.append(CompanyReading(company, tone, how))  # type: ignore[arg-type]  # named, so a tone
        return dataclasses.replace(explanation, companies=tuple(companies))

    def _matcher(self, targets: Sequence[str]) -> CompanyMatcher:
        """A matcher for a request's targets; a configured company's name brings its aliases and exclusions."""
        rules = (self._rules.get(name, CompanyRule(name, ())) for name in dict.fromkeys(targets) if name.strip())
        return _target_matcher(tuple(rules))

    @staticmethod
    def _units(title: str, summary: str) -> list[tuple[float, str]]:
        """A headline's and summary's sentences and clauses, cut to the stored limits, with their weights."""
        title, summary = truncate(title, TITLE_LIMIT), truncate(summary, SUMMARY_LIMIT)
        units = [(TITLE_WEIGHT, title[s:e]) for s, e in split_sentences(title)]
        return units + [(1.0, summary[s:e]) for s, e in split_sentences(summary)]

    @staticmethod
    def _text_units(text: str) -> list[tuple[float, str]]:
        """A free text's sentences, cut to what an article may hold, each weighing the same."""
        text = truncate(text, TITLE_LIMIT + SUMMARY_LIMIT)
        return [(1.0, text[s:e]) for s, e in split_sentences(text)]

    def analyse_many(self, items: Sequence[tuple[str, str]]) -> list[ArticleAnalysis]:
        """Analyse (title, summary) pairs in order (the store's batch interface; see dashboard.analyse.parallel)."""
        return [self.analyse(title, summary) for title, summary in items]

    def analyse_text(self, text: str) -> ArticleAnalysis:
        """Analyse free text (no headline, cut to what an article may hold): every sentence counts the same."""
        units = self._text_units(text)
        text = truncate(text, TITLE_LIMIT + SUMMARY_LIMIT)
        language = self.languages.detect(text)
        if language not in TONED:
            return self._untoned(units, text, language)
        scores = {text: self.scorer.compound(text)}
        return self._analyse_units(
            units, Tone(scores[text], label_for(scores[text], self.scorer.neutral_band)), text, scores
        )

    def _untoned(self, units: list[tuple[float, str]], whole: str, language: str) -> ArticleAnalysis:
        """An article in a language the lexicon does not cover: its companies and topics, with no tone at all
        (names match in any language; English words would only misread it)."""
        named = count_mentions([m for _, text in units for m in self.companies.mentions(text)])
        companies = {name: CompanyTone(n, None) for name, n in named.items()}
        return ArticleAnalysis(None, companies, self.topics.counts(whole), language)

    def _analyse_units(
        self,
        units: list[tuple[float, str]],
        tone: Tone,
        whole: str,
        scores: dict[str, float],
        matcher: CompanyMatcher | None = None,
        readings: dict[str, Reading] | None = None,
    ) -> ArticleAnalysis:
        """Companies (or ``matcher``'s names) with the weighted tone of the units naming them, and topics over
        the whole text."""
        scored: list[tuple[float, dict[str, float], dict[str, int]]] = []
        for weight, text in units:
            found = (matcher or self.companies).mentions(text)
            named = count_mentions(found)
            toward: dict[str, float] = {}
            if named:
                toward = self.scorer.toward_each(text, [(m.company, m.start, m.end) for m in found], scores, readings)
            scored.append((weight, toward, named))
        companies: dict[str, CompanyTone] = {}
        names = dict.fromkeys(name for _, _, named in scored for name in named)
        for name in names:
            parts = [(w, toward[name]) for w, toward, named in scored if name in named]
            mentions = sum(named[name] for _, _, named in scored if name in named)
            companies[name] = CompanyTone(mentions, tone_toward(parts, self.scorer.neutral_band))  # type: ignore[arg-type]  # named, so never None
        return ArticleAnalysis(tone, companies, self.topics.counts(whole))


@lru_cache(maxsize=256)
def _target_matcher(rules: tuple[CompanyRule, ...]) -> CompanyMatcher:
    """A matcher for a request's targets (an ad-hoc name is its own only alias, matched in any case)."""
    return CompanyMatcher(rules)
