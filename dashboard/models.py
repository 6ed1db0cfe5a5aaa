"""Plain records passed between pipeline stages: feeds, fetched bytes, parsed articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

# What is stored and analysed of an entry. No real headline reaches TITLE_LIMIT; tone analysis costs grow
# with the square of a text's length (a 25 KB title took seconds), so nothing longer is analysed either.
TITLE_LIMIT = 400
SUMMARY_LIMIT = 2000


ALL_COMPANIES = "all"  # an event's company when it concerns every company
DEMO_FEED_PREFIX = "Demo: "  # every feed the synthetic demo corpus writes is named so


@dataclass(frozen=True)
class Event:
    """A dated event to read the charts against: from data/events.toml, or ad hoc from a link."""

    day: date
    label: str
    company: str = ALL_COMPANIES
    link: str | None = None
    demo: bool = False  # one of the demo corpus's planted events, not a real one
    ad_hoc: bool = False  # given in the link, not in the events file


@dataclass(frozen=True)
class FeedSpec:
    """A feed to fetch: its stable name, URL, and what we know of its publisher or company."""

    name: str
    url: str
    publisher: str = ""
    company: str = ""


class FetchStatus(StrEnum):
    """How a fetch ended: new content, nothing new since last time, or a failure."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"


@dataclass(frozen=True)
class FetchResult:
    """What one HTTP fetch of a feed produced; ``error`` is set when it failed."""

    url: str
    status: FetchStatus
    http_status: int | None = None
    body: bytes = b""
    content_type: str = ""
    final_url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    attempts: int = 1
    elapsed: float = 0.0


@dataclass(frozen=True)
class Article:
    """One cleaned feed entry, ready to store."""

    title: str
    link: str | None
    publisher: str
    publisher_domain: str
    summary: str
    published_at: datetime
    published_from: str  # "published", "updated" or "fetched": which clock the time came from
    guid: str | None = None
    related: tuple[str, ...] = ()  # Google News tokens of this article and of those its feed says are one story


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its articles, what was skipped, and any problem worth recording."""

    articles: list[Article] = field(default_factory=list)
    skipped: int = 0
    title: str = ""
    warning: str | None = None  # malformed but recovered: kept entries, recorded reason
    error: str | None = None  # nothing usable: an HTML page, empty body, not a feed


# VADER's customary cut-off is 0.05; news carries mild words in otherwise neutral reports, so a wider
# band fits it better (chosen on the tuning halves of the news sets; see bench/README.md).
NEUTRAL_BAND = 0.2


def label_for(compound: float, band: float = NEUTRAL_BAND) -> str:
    """neg / neu / pos for a compound score, neutral inside (-band, band)."""
    if compound >= band:
        return "pos"
    if compound <= -band:
        return "neg"
    return "neu"


@dataclass(frozen=True)
class Tone:
    """A VADER compound score (-1..1) and its label: "neg", "neu" or "pos"."""

    compound: float
    label: str


@dataclass(frozen=True)
class CompanyTone:
    """A company named in an article: how often, and the tone of the sentences that name it (None when the
    article's language has no tone lexicon)."""

    mentions: int
    tone: Tone | None


@dataclass(frozen=True)
class ArticleAnalysis:
    """What the analysis found in one article: its tone (None in a language the lexicon does not cover), the
    companies and topics it names, and its language (ISO 639-1)."""

    tone: Tone | None
    companies: dict[str, CompanyTone] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    language: str = "en"
