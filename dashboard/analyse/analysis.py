"""One article in, everything we know about it out: companies, topics, overall tone, tone toward each company."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from dashboard.analyse.entities import CompanyMatcher, CompanyRule
from dashboard.analyse.lexicon import DEFAULT_LEXICON, load_lexicon
from dashboard.analyse.sentences import split_sentences
from dashboard.analyse.sentiment import TITLE_WEIGHT, ToneScorer, label_for, tone_toward
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

    def __init__(self, companies: CompanyMatcher, topics: TopicMatcher, scorer: ToneScorer) -> None:
        self.companies = companies
        self.topics = topics
        self.scorer = scorer

    @classmethod
    def from_config(cls, config: AnalysisSettings, lexicon: Path | str | None = None) -> Analyzer:
        """Build from a loaded config; the lexicon path defaults to the one the config names."""
        return cls(
            CompanyMatcher(config.company_rules()),
            TopicMatcher(config.topics),
            ToneScorer(load_lexicon(lexicon or config.lexicon or DEFAULT_LEXICON)),
        )

    def analyse(self, title: str, summary: str = "") -> ArticleAnalysis:
        """Analyse a headline and its summary (cut to the stored limits); each company's tone comes only from
        sentences naming it."""
        title, summary = truncate(title, TITLE_LIMIT), truncate(summary, SUMMARY_LIMIT)
        # The headline weighs more than each summary sentence; both are split into sentences and clauses.
        units = [(TITLE_WEIGHT, title[s:e]) for s, e in split_sentences(title)]
        units += [(1.0, summary[s:e]) for s, e in split_sentences(summary)]
        scores = {title: self.scorer.compound(title)}  # a one-sentence headline (or summary) is scored once
        summary_score = self.scorer.compound(summary) if summary.strip() else None
        if summary_score is not None:
            scores.setdefault(summary, summary_score)
        tone = self.scorer.combine(scores[title], summary_score)
        return self._analyse_units(units, tone, f"{title}\n{summary}", scores)

    def analyse_many(self, items: Sequence[tuple[str, str]]) -> list[ArticleAnalysis]:
        """Analyse (title, summary) pairs in order (the store's batch interface; see dashboard.analyse.parallel)."""
        return [self.analyse(title, summary) for title, summary in items]

    def analyse_text(self, text: str) -> ArticleAnalysis:
        """Analyse free text (no headline, cut to what an article may hold): every sentence counts the same."""
        text = truncate(text, TITLE_LIMIT + SUMMARY_LIMIT)
        units = [(1.0, text[s:e]) for s, e in split_sentences(text)]
        scores = {text: self.scorer.compound(text)}
        return self._analyse_units(
            units, Tone(scores[text], label_for(scores[text], self.scorer.neutral_band)), text, scores
        )

    def _analyse_units(
        self, units: list[tuple[float, str]], tone: Tone, whole: str, scores: dict[str, float]
    ) -> ArticleAnalysis:
        """Companies with the weighted tone of the units naming them, and topics over the whole text."""
        scored: list[tuple[float, float, dict[str, int]]] = []
        for weight, text in units:
            named = self.companies.companies(text)
            if named and text not in scores:
                scores[text] = self.scorer.compound(text)
            scored.append((weight, scores.get(text, 0.0), named))
        companies: dict[str, CompanyTone] = {}
        names = dict.fromkeys(name for _, _, named in scored for name in named)
        for name in names:
            toward = tone_toward([(w, c) for w, c, named in scored if name in named], self.scorer.neutral_band)
            mentions = sum(named[name] for _, _, named in scored if name in named)
            companies[name] = CompanyTone(mentions, toward)  # type: ignore[arg-type]  # named, so never None
        return ArticleAnalysis(tone, companies, self.topics.counts(whole))
