"""One article in, everything we know about it out: companies, topics, overall tone, tone toward each company."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
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
        self._rules = {rule.name: rule for rule in companies.rules}

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
        # The headline weighs more than each summary sentence; both are split into sentences and clauses.
        units = self._units(title, summary)
        title, summary = truncate(title, TITLE_LIMIT), truncate(summary, SUMMARY_LIMIT)
        scores = {title: self.scorer.compound(title)}  # a one-sentence headline (or summary) is scored once
        summary_score = self.scorer.compound(summary) if summary.strip() else None
        if summary_score is not None:
            scores.setdefault(summary, summary_score)
        tone = self.scorer.combine(scores[title], summary_score)
        return self._analyse_units(units, tone, f"{title}\n{summary}", scores)

    def toward_targets(
        self, targets: Sequence[str], title: str = "", summary: str = "", text: str | None = None
    ) -> dict[str, Tone | None]:
        """Tone toward any named targets in a headline and summary (or a free ``text``), found by the rules
        company aliases follow (word boundaries, possessives, hyphenated forms) and scored as a company is:
        from the sentences that name each, the headline's weighing more. None for a target the text does not
        name, never the headline's tone. A configured company's name brings its aliases and exclusions."""
        units = self._text_units(text) if text is not None else self._units(title, summary)
        rules = (self._rules.get(name, CompanyRule(name, ())) for name in dict.fromkeys(targets) if name.strip())
        matcher = _target_matcher(tuple(rules))
        found = self._analyse_units(units, Tone(0.0, "neu"), "", {}, matcher).companies
        return {target: found[target].tone if target in found else None for target in targets}

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
        scores = {text: self.scorer.compound(text)}
        return self._analyse_units(
            units, Tone(scores[text], label_for(scores[text], self.scorer.neutral_band)), text, scores
        )

    def _analyse_units(
        self,
        units: list[tuple[float, str]],
        tone: Tone,
        whole: str,
        scores: dict[str, float],
        matcher: CompanyMatcher | None = None,
    ) -> ArticleAnalysis:
        """Companies (or ``matcher``'s names) with the weighted tone of the units naming them, and topics over
        the whole text."""
        scored: list[tuple[float, float, dict[str, int]]] = []
        for weight, text in units:
            named = (matcher or self.companies).companies(text)
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


@lru_cache(maxsize=256)
def _target_matcher(rules: tuple[CompanyRule, ...]) -> CompanyMatcher:
    """A matcher for a request's targets (an ad-hoc name is its own only alias, matched in any case)."""
    return CompanyMatcher(rules)
