"""The dashboard's filters and their URL form: parse a query string, and write one back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from dashboard.analyse.language import LANGUAGES
from dashboard.analyse.terms import keyword_regex
from dashboard.models import Event

STEPS = ("day", "week", "month")
NORMS = ("raw", "per100")
COUNTS = ("stories", "articles")  # what a count counts: each story once (however many outlets ran it), or every copy
VIEWS = ("overview", "trends", "spikes", "impact", "compare", "articles", "sources", "alerts")
PRESETS = {"7 days": 7, "30 days": 30, "90 days": 90, "1 year": 365, "all": None}
DEFAULT_DAYS = 90
MAX_SMOOTH = 30
MAX_PERIODS = 1000  # points per line: a longer range at a finer step is drawn at a coarser one, with a note
STEP_DAYS = {"day": 1, "week": 7, "month": 30.44}
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2999, 12, 31)  # dates outside are mistakes, kept off date arithmetic
KNOWN_PARAMS = (
    *("company", "topic", "q", "source", "from", "to", "step", "smooth", "norm", "count", "view"),
    *("event", "window", "peer", "terms", "lang"),
)
WINDOWS = (14, 30, 90)  # the Impact view's usual windows (days before and after the event); any 2-365 works
MAX_WINDOW = 365
MAX_EVENTS = 20  # ad-hoc events a link can carry
EVENT_LABEL = 100  # characters of an ad-hoc event's label


@dataclass(frozen=True)
class Filters:
    """Everything that decides what the dashboard shows; the URL holds exactly this."""

    companies: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    q: str = ""
    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()  # languages (ISO 639-1) of the articles to keep; none: every language
    date_from: date | None = None
    date_to: date | None = None
    step: str = "day"
    smooth: int = 1
    norm: str = "raw"
    count: str = "stories"
    view: str = "overview"
    events: tuple[Event, ...] = ()  # ad-hoc events from the link (event=YYYY-MM-DD:label); Impact uses the first
    window: int = 30  # Impact: days before and after the event
    peers: tuple[str, ...] = ()  # Impact: companies to compare against (default: the other selected ones)
    terms: bool = False  # Overview and Spikes: list the rising terms too (terms=1)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def to_params(self) -> dict[str, list[str]]:
        """The query string for these filters (defaults left out, lists repeated)."""
        params: dict[str, list[str]] = {}
        if self.companies:
            params["company"] = list(self.companies)
        if self.topics:
            params["topic"] = list(self.topics)
        if self.q:
            params["q"] = [self.q]
        if self.sources:
            params["source"] = list(self.sources)
        if self.langs:
            params["lang"] = list(self.langs)
        if self.date_from:
            params["from"] = [self.date_from.isoformat()]
        if self.date_to:
            params["to"] = [self.date_to.isoformat()]
        if self.step != "day":
            params["step"] = [self.step]
        if self.smooth != 1:
            params["smooth"] = [str(self.smooth)]
        if self.norm != "raw":
            params["norm"] = [self.norm]
        if self.count != "stories":
            params["count"] = [self.count]
        if self.view != "overview":
            params["view"] = [self.view]
        if self.events:
            params["event"] = [f"{e.day.isoformat()}:{e.label}" for e in self.events]
        if self.window != 30:
            params["window"] = [str(self.window)]
        if self.peers:
            params["peer"] = list(self.peers)
        if self.terms:
            params["terms"] = ["1"]
        return params

    @property
    def stories(self) -> bool:
        """True when counts are of stories (each story once), False when of articles (every copy)."""
        return self.count == "stories"

    def span(self) -> tuple[date, date] | None:
        """The selected dates, inclusive, when both ends are set."""
        if self.date_from and self.date_to:
            return self.date_from, self.date_to
        return None

    def previous_span(self) -> tuple[date, date] | None:
        """The period of the same length just before the selected one, for comparisons."""
        span = self.span()
        if span is None:
            return None
        length = (span[1] - span[0]).days + 1
        try:
            return span[0] - timedelta(days=length), span[0] - timedelta(days=1)
        except OverflowError:
            return None


def _choices(values: Sequence[str], allowed: Iterable[str], name: str, notes: list[str]) -> tuple[str, ...]:
    """Values that are allowed (matched without regard to case), in order, once each; the rest noted."""
    by_fold = {a.casefold(): a for a in allowed}
    kept: list[str] = []
    for value in values:
        canonical = by_fold.get(value.strip().casefold())
        if canonical is None:
            notes.append(f"ignored {name}={value!r}: not one of the known values")
        elif canonical not in kept:
            kept.append(canonical)
    return tuple(kept)


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    return values[-1] if values else None


def _date(params: Mapping[str, Sequence[str]], name: str, notes: list[str]) -> date | None:
    value = _one(params, name)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        notes.append(f"ignored {name}={value!r}: not a date (use YYYY-MM-DD)")
        return None


def _whole(
    params: Mapping[str, Sequence[str]],
    name: str,
    default: int,
    limits: tuple[int, int],
    notes: list[str],
    unit: str = "",
) -> int:
    """A whole number within ``limits`` (inclusive), else ``default`` with a note."""
    text = _one(params, name) or str(default)
    try:
        value = int(text)
        if limits[0] <= value <= limits[1]:
            return value
    except ValueError:
        pass
    notes.append(f"ignored {name}={text!r}: use a whole number{unit} from {limits[0]} to {limits[1]}")
    return default


def _keyword(params: Mapping[str, Sequence[str]], notes: list[str]) -> str:
    """The free keyword, when the term language can read it (``q=|`` cannot)."""
    q = " ".join((_one(params, "q") or "").split())[:200]
    if not q:
        return q
    try:
        keyword_regex(q)
    except ValueError as exc:
        notes.append(f"ignored q={q!r}: {exc}")
        return ""
    return q


def parse_events(values: Iterable[str], notes: list[str]) -> tuple[Event, ...]:
    """Ad-hoc events, each ``YYYY-MM-DD:label`` (the label may be left out), each once, in the order given
    (the Impact view compares around the first); the malformed ones noted."""
    found: list[Event] = []
    for value in values:
        if not value.strip():
            continue
        day_text, _, label = value.partition(":")
        try:
            day = date.fromisoformat(day_text.strip())
        except ValueError:
            notes.append(f"ignored event={value!r}: use YYYY-MM-DD:label")
            continue
        if not FIRST_DAY <= day <= LAST_DAY:
            notes.append(f"ignored event={value!r}: the date is out of range")
            continue
        label = " ".join(label.split())[:EVENT_LABEL] or day.isoformat()
        event = Event(day=day, label=label, ad_hoc=True)
        if event not in found:
            found.append(event)
    if len(found) > MAX_EVENTS:
        notes.append(f"ignored {len(found) - MAX_EVENTS} events beyond the first {MAX_EVENTS}")
        found = found[:MAX_EVENTS]
    return tuple(found)


def _within(value: date | None, low: date, high: date, name: str, notes: list[str]) -> date | None:
    """A date moved into [low, high] (the stored articles' days), saying so when it had to be."""
    if value is None or low <= value <= high:
        return value
    moved = min(max(value, low), high)
    where = "first" if moved == low else "last"
    notes.append(f"{name}={value.isoformat()} is outside the stored articles: using the {where} day, {moved}")
    return moved


def bounded(filters: Filters) -> Filters:
    """Filters whose charts stay within MAX_PERIODS points per line: a range too long for its step is drawn
    at the next coarser step, with a note saying so."""
    span = filters.span()
    if span is None:
        return filters
    days = (span[1] - span[0]).days + 1
    step = filters.step
    for coarser in STEPS[STEPS.index(step) :]:
        step = coarser
        if days / STEP_DAYS[coarser] <= MAX_PERIODS:
            break
    if step == filters.step:
        return filters
    note = f"step={filters.step} over {days:,} days would draw over {MAX_PERIODS:,} points per line: drawn by {step}"
    return replace(filters, step=step, notes=(*filters.notes, note))


def parse_params(
    params: Mapping[str, Sequence[str]],
    *,
    companies: Iterable[str],
    topics: Iterable[str],
    sources: Iterable[str] | None = None,
    latest: date | None = None,
    earliest: date | None = None,
) -> Filters:
    """Filters from a query string; anything unknown or malformed is dropped with a note saying so.

    Without ``from``/``to`` the range is the last 90 days up to ``latest`` (the newest article); dates are
    kept between ``earliest`` and ``latest`` (the stored articles' first and last days).
    """
    notes: list[str] = []
    companies = list(companies)
    for name in params:
        if name not in KNOWN_PARAMS:
            notes.append(f"ignored unknown parameter {name!r}")
    chosen_companies = _choices(params.get("company") or [], companies, "company", notes)
    chosen_topics = _choices(params.get("topic") or [], topics, "topic", notes)
    raw_sources = [s for s in params.get("source") or [] if s.strip()]
    chosen_sources = (
        _choices(raw_sources, sources, "source", notes) if sources is not None else tuple(dict.fromkeys(raw_sources))
    )
    langs = _choices([v for v in params.get("lang") or [] if v.strip()], LANGUAGES, "lang", notes)
    q = _keyword(params, notes)
    low, high = earliest or FIRST_DAY, latest or LAST_DAY
    date_from = _within(_date(params, "from", notes), low, high, "from", notes)
    date_to = _within(_date(params, "to", notes), low, high, "to", notes)
    if date_from and date_to and date_from > date_to:
        notes.append(f"ignored from={date_from} and to={date_to}: from is after to")
        date_from = date_to = None
    if date_to is None and latest is not None and "to" not in params:
        date_to = latest
    if date_from is None and date_to is not None and "from" not in params:
        date_from = max(date_to - timedelta(days=DEFAULT_DAYS - 1), low)
    step = _one(params, "step") or "day"
    if step not in STEPS:
        notes.append(f"ignored step={step!r}: use one of {', '.join(STEPS)}")
        step = "day"
    smooth = _whole(params, "smooth", 1, (1, MAX_SMOOTH), notes)
    norm = _one(params, "norm") or "raw"
    if norm not in NORMS:
        notes.append(f"ignored norm={norm!r}: use raw or per100")
        norm = "raw"
    count = _one(params, "count") or "stories"
    if count not in COUNTS:
        notes.append(f"ignored count={count!r}: use stories or articles")
        count = "stories"
    window = _whole(params, "window", 30, (2, MAX_WINDOW), notes, " of days")
    peers = _choices(params.get("peer") or [], companies, "peer", notes)
    terms_text = _one(params, "terms") or "0"
    if terms_text not in ("0", "1"):
        notes.append(f"ignored terms={terms_text!r}: use 1 or 0")
    terms = terms_text == "1"
    view = _one(params, "view") or "overview"
    if view not in VIEWS:
        notes.append(f"ignored view={view!r}: use one of {', '.join(VIEWS)}")
        view = "overview"
    return bounded(
        Filters(
            companies=chosen_companies,
            topics=chosen_topics,
            q=q,
            sources=chosen_sources,
            langs=langs,
            date_from=date_from,
            date_to=date_to,
            step=step,
            smooth=smooth,
            norm=norm,
            count=count,
            view=view,
            events=parse_events(params.get("event") or [], notes),
            window=window,
            peers=peers,
            terms=terms,
            notes=tuple(notes),
        )
    )


def preset_span(preset: str, latest: date, earliest: date) -> tuple[date, date]:
    """The dates a range preset stands for, ending at the newest article."""
    days = PRESETS[preset]
    if days is None:
        return earliest, latest
    return latest - timedelta(days=days - 1), latest
