"""Tone of a text, of an article, and toward a company: VADER with a news lexicon, and why a score is what it is."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SentimentIntensityAnalyzer, SentiText, normalize

from dashboard.analyse.lexicon import LexiconEntry
from dashboard.analyse.structure import Bend, Role, Segment, bend_words, has_cue, has_role_verb, roles, segments
from dashboard.analyse.terms import bounded, first_words_body, term_body
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
class CompanyReading:
    """The tone toward one company named in a text, and how it was read (its clauses, its role)."""

    company: str
    tone: Tone
    how: str


@dataclass(frozen=True)
class Explanation:
    """Why a text scores as it does: each scoring word, the clauses and their weights, punctuation emphasis,
    the sum and the result; with the tone toward each company named when asked for."""

    text: str
    contributions: tuple[Contribution, ...]
    punctuation: float
    total: float
    tone: Tone | None  # None: a language the lexicon does not cover
    clauses: tuple[str, ...] = ()
    companies: tuple[CompanyReading, ...] = ()
    language: str = "en"


@dataclass(frozen=True)
class Clause:
    """One clause as scored: VADER's words, their lexicon valence, their valence after VADER's rules and after
    the structural ones (``bends``), and the clause's place and weight in its sentence."""

    segment: Segment
    words: tuple[str, ...]
    shown: tuple[str, ...]
    base: tuple[float, ...]
    vader: tuple[float, ...]
    valences: tuple[float, ...]
    bends: tuple[Bend, ...]
    cap_diff: bool

    @property
    def total(self) -> float:
        """The clause's valence sum, before its weight."""
        return float(sum(self.valences))


@dataclass(frozen=True)
class Reading:
    """A sentence read clause by clause: its tone, and the tone toward any company named in it."""

    text: str
    clauses: tuple[Clause, ...]
    punctuation: float
    band: float

    def compound(self, totals: Sequence[float] | None = None, clauses: Sequence[int] | None = None) -> float:
        """VADER's compound of the weighted clause sums (``totals`` replace the clauses' own, ``clauses`` picks
        some), with the sentence's punctuation emphasis."""
        totals = totals if totals is not None else [c.total for c in self.clauses]
        picked = range(len(self.clauses)) if clauses is None else clauses
        total = sum(self.clauses[i].segment.weight * totals[i] for i in picked)
        if not total:
            return 0.0
        return round(normalize(total + math.copysign(self.punctuation, total)), 4)

    def toward(self, company: str, mentions: Sequence[tuple[str, int, int]]) -> tuple[float, str]:
        """The compound toward ``company`` and how: from the clauses that name it and those that name no
        company (not those about unnamed rivals), a clause where it has a role counting that role's valence."""
        named = [{m[0] for m in mentions if c.segment.start <= m[1] < c.segment.end} for c in self.clauses]
        picked = [
            i for i, names in enumerate(named) if company in names or not (names or self.clauses[i].segment.rivals)
        ]
        totals = [c.total for c in self.clauses]
        how: list[str] = []
        if len(picked) < len(self.clauses):
            how.append("from its own clauses: " + " / ".join(repr(self.clause_text(i)) for i in picked))
        for i in picked:
            role = next((r for r in roles(self.text, self.clauses[i].segment, mentions) if r.company == company), None)
            if role is not None:
                totals[i] = role.valence
                how.append(_role_note(role))
        return self.compound(totals, picked or None), "; ".join(how)

    def clause_text(self, index: int) -> str:
        """A clause's words as they stand in the sentence."""
        segment = self.clauses[index].segment
        return self.text[segment.start : segment.end].strip(" ,;")


def _role_note(role: Role) -> str:
    """How ``explain`` names a role: "the object of 'poaches' (-2.0)"."""
    part = f"the {role.part}" if role.part in ("subject", "object") else f"named after '{role.part}'"
    return f"{part} of '{role.verb}' ({role.valence:+.1f})"


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
        structure: bool = True,
    ) -> None:
        self.neutral_band = neutral_band
        self.structure = structure
        self._vader = SentimentIntensityAnalyzer()
        if vader_weight != 1.0:
            self._vader.lexicon = {w: v * vader_weight for w, v in self._vader.lexicon.items()}
        self._domain: dict[str, LexiconEntry] = {}
        self._patterns: list[LexiconEntry] = []
        plain = {entry.term for entry in entries if _is_plain_word(entry.term)}
        for entry in entries:
            words = entry.term.split("|")
            if all(_is_plain_word(word) for word in words):  # "boom|booms|booming": looked up, not searched for
                for word in words:
                    if word == entry.term or word not in plain:
                        self._vader.lexicon[word] = entry.valence
                        self._domain[word] = entry
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
        # Where a term can start: before a word of the text, one of the terms' first words (zero-width, so no
        # start is skipped). Most positions fail here, on a short alternation of literals.
        starts = first_words_body(e.term for e in self._patterns)
        self._starts = re.compile(r"(?<![\w])(?=(?:" + starts + "))", re.IGNORECASE) if self._patterns else None

    def _prepare(self, text: str, found: list[str] | None = None) -> str:
        """Replace each multi-word or pattern term by one token, so VADER's rules see it as a word. The union
        of every term is tried only where one of their first words starts (the same replacements as
        ``self._pattern_re.sub``, in half the time: the union is long, a first word rarely there)."""
        if self._pattern_re is None or self._starts is None:
            return text
        out: list[str] = []
        last = 0
        for start in self._starts.finditer(text):
            if start.start() < last:
                continue
            match = self._pattern_re.match(text, start.start())
            if match is None:
                continue
            if found is not None:
                found.append(match.group(0))
            out += [text[last : match.start()], str(match.lastgroup)]
            last = match.end()
        return "".join(out) + text[last:] if out else text

    def compound(self, text: str, readings: dict[str, Reading] | None = None) -> float:
        """VADER's compound score (-1..1) with the domain lexicon and the structural rules (a text read clause
        by clause is kept in ``readings`` when given, for the tone toward its companies)."""
        if not text.strip():
            return 0.0
        if self.structure and has_cue(text):
            return self._reading(text, readings).compound()
        return self._vader.polarity_scores(self._prepare(text))["compound"]

    def toward_each(
        self,
        text: str,
        mentions: Sequence[tuple[str, int, int]],
        scores: dict[str, float] | None = None,
        readings: dict[str, Reading] | None = None,
    ) -> dict[str, float]:
        """The compound toward each company named in one sentence (``mentions``: company, start, end), by
        its clauses and roles; the sentence's own compound for all when its structure says nothing more.
        ``scores`` and ``readings`` keep what one article has already scored, by text."""
        names = dict.fromkeys(company for company, _, _ in mentions)
        if not self.structure or not (has_cue(text) or has_role_verb(text)):
            scores = {} if scores is None else scores
            if text not in scores:
                scores[text] = self.compound(text)
            return dict.fromkeys(names, scores[text])
        reading = self._reading(text, readings)
        return {name: reading.toward(name, mentions)[0] for name in names}

    def _reading(self, text: str, readings: dict[str, Reading] | None) -> Reading:
        """``read``, kept in ``readings`` by text when given."""
        if readings is None:
            return self.read(text)
        if text not in readings:
            readings[text] = self.read(text)
        return readings[text]

    def read(self, text: str) -> Reading:
        """Score a sentence clause by clause, with the structural rules applied to each clause's words."""
        parts = segments(text) if self.structure else [Segment(0, len(text), 1.0)]
        clauses = tuple(self._clause(text, part) for part in parts)
        punctuation = self._vader._punctuation_emphasis(self._demojize(text))
        return Reading(text, clauses, punctuation, self.neutral_band)

    def _clause(self, text: str, segment: Segment) -> Clause:
        """One clause's words, replayed through VADER's per-word rules, then bent by the structural ones."""
        found: list[str] = []
        prepared = self._prepare(self._demojize(text[segment.start : segment.end]), found)
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
        base = [0.0 if w in BOOSTER_DICT else float(vader.lexicon.get(w, 0.0)) for w in lowered]
        valences = list(sentiments)
        bends = bend_words(lowered, base, sentiments) if self.structure else []
        for bend in bends:
            valences[bend.index] = bend.valence
        shown = tuple(
            next(matched) if w.startswith(_TERM_TOKEN) and w in self._domain else words[i]
            for i, w in enumerate(lowered)
        )
        return Clause(
            segment,
            tuple(words),
            shown,
            tuple(base),
            tuple(sentiments),
            tuple(valences),
            tuple(bends),
            sentitext.is_cap_diff,
        )

    def _demojize(self, text: str) -> str:
        """VADER's first step: emojis become their descriptions."""
        emojis = self._vader.emojis
        if not any(char in emojis for char in text):
            return text
        out, prev_space = [], True
        for char in text:
            if char in emojis:
                out.append(("" if prev_space else " ") + emojis[char])
                prev_space = False
            else:
                out.append(char)
                prev_space = char == " "
        return "".join(out).strip()

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

    def explain(self, text: str) -> Explanation:
        """Which words, clauses and rules moved the score: VADER's own steps and ours, word by word."""
        reading = self.read(text)
        contributions = []
        for clause in reading.clauses:
            bends = {b.index: b.rule for b in clause.bends}
            weight = clause.segment.weight
            lowered = [w.lower() for w in clause.words]
            for i, token in enumerate(lowered):
                if (token not in self._vader.lexicon or token in BOOSTER_DICT) and i not in bends:
                    continue
                base, final = clause.base[i], clause.valences[i] * weight
                domain = self._domain.get(token)
                if base == 0 and final == 0 and domain is None and i not in bends:
                    continue
                rules = _rules_for(i, clause, lowered, self._vader.lexicon)
                if i in bends:
                    rules += (bends[i],)
                if weight != 1.0 and final:
                    rules += (_weight_rule(clause.segment),)
                contributions.append(
                    Contribution(
                        word=clause.shown[i],
                        lexicon=base,
                        valence=round(final, 4),
                        source="domain" if domain else "vader",
                        rules=rules,
                        reason=domain.reason if domain else "",
                    )
                )
        total = sum(c.segment.weight * c.total for c in reading.clauses)
        punctuation = reading.punctuation if total else 0.0
        compound = reading.compound()
        clauses = (
            tuple(f"{_weight_rule(c.segment)}: {reading.clause_text(i)!r}" for i, c in enumerate(reading.clauses))
            if len(reading.clauses) > 1
            else ()
        )
        return Explanation(
            text=text,
            contributions=tuple(contributions),
            punctuation=punctuation,
            total=round(total + math.copysign(punctuation, total) if total else 0.0, 4),
            tone=Tone(compound, label_for(compound, self.neutral_band)),
            clauses=clauses,
        )


def _weight_rule(segment: Segment) -> str:
    """How a clause's weight is named: "the clause after 'despite' (x0.5)", "after 'but' (x1.5)"."""
    weight = f"(x{segment.weight:g})"
    if segment.why.startswith(("before '", "after '")):
        return f"{segment.why} {weight}"
    if segment.why == "asserted":
        return f"the main clause, against a concession {weight}"
    name = f"the clause after '{segment.marker}'" if segment.marker else "the main clause"
    about = ", about unnamed rivals" if segment.rivals else ""
    return f"{name}{about} {weight}"


def _rules_for(i: int, clause: Clause, lowered: list[str], lexicon: dict[str, float]) -> tuple[str, ...]:
    """Name the VADER rules that turned a word's lexicon valence into its valence in the clause (``lowered``:
    its words in lower case)."""
    base, after_rules = clause.base[i], clause.vader[i]
    rules = []
    window = lowered[max(0, i - 3) : i]
    if base and after_rules and math.copysign(1, base) != math.copysign(1, after_rules):
        negator = next((w for w in reversed(window) if w in NEGATE or w == "no" or "n't" in w), "a negation")
        rules.append(f"negated by '{negator}'")
    boosters = [w for w in window if w in BOOSTER_DICT and w not in lexicon]
    if boosters:
        rules.append(f"intensity changed by '{boosters[-1]}'")
    if clause.words[i].isupper() and clause.cap_diff:
        rules.append("emphasised by capitals")
    if not rules and after_rules != base and base:
        rules.append("adjusted by a VADER rule")
    return tuple(rules)
