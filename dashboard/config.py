"""Load and validate ``data/config.toml`` (companies, feeds, fetch settings) and the events file it names."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote_plus, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dashboard.analyse.entities import CompanyRule
from dashboard.analyse.terms import term_regex
from dashboard.collect.fetch import FetchPolicy
from dashboard.models import ALL_COMPANIES, Event, FeedSpec
from dashboard.paths import DATA_DIR

DEFAULT_CONFIG = DATA_DIR / "config.toml"
GOOGLE_NEWS_TEMPLATE = "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en"


class ConfigError(ValueError):
    """A configuration file that cannot be used, with a message naming file, entry and field."""


def check_http_url(value: str) -> str:
    """Accept only absolute http(s) URLs with a host; feeds are fetched from nowhere else."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value.strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CompanyConfig(_Strict):
    """A tracked company; ``query`` feeds its Google News search feed."""

    name: str = Field(min_length=1)
    query: str = Field(min_length=1)
    google_news: bool = True
    aliases: list[str] = []
    case_sensitive: list[str] = []
    exclude: list[str] = []

    @model_validator(mode="after")
    def _case_rules_name_aliases(self) -> CompanyConfig:
        known = {self.name, *self.aliases}
        unknown = [a for a in self.case_sensitive if a not in known]
        if unknown:
            raise ValueError(f"case_sensitive names {unknown} are not the name or an alias")
        return self

    def rule(self) -> CompanyRule:
        """The matching rule for this company."""
        return CompanyRule(self.name, tuple(self.aliases), tuple(self.case_sensitive), tuple(self.exclude))


class FeedConfig(_Strict):
    """An RSS/Atom feed; ``name`` defaults to the URL's host."""

    url: str
    name: str = ""
    publisher: str = ""

    _url = field_validator("url")(check_http_url)

    @model_validator(mode="after")
    def _default_name(self) -> FeedConfig:
        if not self.name:
            object.__setattr__(self, "name", urlsplit(self.url).hostname or self.url)
        return self


class GoogleNewsConfig(_Strict):
    """The Google News search feed template; ``{query}`` is replaced by each company's query."""

    template: str = GOOGLE_NEWS_TEMPLATE

    @field_validator("template")
    @classmethod
    def _has_query(cls, value: str) -> str:
        if "{query}" not in value:
            raise ValueError("must contain {query}")
        check_http_url(value.replace("{query}", "x"))
        return value


def _check_terms(terms: list[str]) -> list[str]:
    for term in terms:
        try:
            term_regex(term)
        except (ValueError, re.error) as exc:
            raise ValueError(f"term {term!r}: {exc}") from None
    return terms


class EventConfig(_Strict):
    """One ``[[event]]`` of the events file: a day, the company it concerns (or "all"), a label, a link."""

    date: date
    company: str = Field(default=ALL_COMPANIES, min_length=1)
    label: str = Field(min_length=1, max_length=200)
    link: str | None = None
    demo: bool = False

    @field_validator("link")
    @classmethod
    def _http_link(cls, value: str | None) -> str | None:
        return check_http_url(value) if value is not None else None

    def event(self) -> Event:
        return Event(day=self.date, label=self.label, company=self.company, link=self.link, demo=self.demo)


class EventsFile(_Strict):
    """The events file: a list of ``[[event]]`` tables."""

    event: list[EventConfig] = []


class BackfillConfig(_Strict):
    """How much history a first run fetches: ``days`` back, in Google News searches of ``window_days`` each."""

    days: int = Field(default=90, ge=1, le=3650)
    window_days: int = Field(default=7, ge=1, le=365)


_APPRISE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.I)


class AlertRule(_Strict):
    """One ``[[alerts]]`` rule: what to watch (companies, a topic and/or a keyword; none: every company), which
    episodes (volume, tone or both), how large at least, and the Apprise URLs to tell. A URL may name
    environment variables as ``${NAME}``, so tokens stay out of this file."""

    name: str = Field(min_length=1, max_length=100)
    companies: list[str] = []
    topic: str | None = None
    keyword: str | None = Field(default=None, min_length=1, max_length=200)
    kind: Literal["volume", "tone", "both"] = "both"
    min_stories: int = Field(default=3, ge=1)
    min_outlets: int = Field(default=1, ge=1)
    notify: list[str] = Field(min_length=1)

    @field_validator("notify")
    @classmethod
    def _apprise_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not _APPRISE_URL.match(url):
                raise ValueError(f"{url!r} is not an Apprise URL (scheme://...)")
        return urls


class Config(_Strict):
    """The whole configuration file, with the events of its events file."""

    companies: list[CompanyConfig] = []
    topics: dict[str, list[str]] = {}
    lexicon: str = ""  # relative to the config file's folder; empty: data/lexicon.txt
    events_file: str = ""  # relative to the config file's folder; empty: no events
    events: list[Event] = []  # read from events_file, never written in the config itself
    feeds: list[FeedConfig] = []
    fetch: FetchPolicy = FetchPolicy()
    google_news: GoogleNewsConfig = GoogleNewsConfig()
    backfill: BackfillConfig = BackfillConfig()
    alerts: list[AlertRule] = []

    @field_validator("topics")
    @classmethod
    def _topic_terms_compile(cls, topics: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, terms in topics.items():
            if not terms:
                raise ValueError(f"topic {name!r} has no terms")
            _check_terms(terms)
        return topics

    def company_rules(self) -> list[CompanyRule]:
        """Matching rules for every company, in config order."""
        return [c.rule() for c in self.companies]

    def google_news_url(self, query: str) -> str:
        """The Google News search feed URL for a query."""
        return self.google_news.template.replace("{query}", quote_plus(query))

    def feed_specs(self) -> list[FeedSpec]:
        """Every feed to ingest: one Google News search per company, then the configured feeds."""
        specs = [
            FeedSpec(name=f"Google News: {c.name}", url=self.google_news_url(c.query), company=c.name)
            for c in self.companies
            if c.google_news
        ]
        specs += [FeedSpec(name=f.name, url=f.url, publisher=f.publisher) for f in self.feeds]
        return specs


def _describe_location(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """Render a pydantic error location as ``feeds[2] ("Verge").url``, naming the entry."""
    out = ""
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and node.get("name"):
                out += f' ("{node["name"]}")'
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def parse_config(raw: dict[str, Any], source: str = "config") -> Config:
    """Validate a decoded TOML document; every problem is reported with its location."""
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _describe_location(raw, tuple(err["loc"]))
            unknown = err["type"] in ("extra_forbidden", "unexpected_keyword_argument")  # models, dataclasses
            message = "unknown key" if unknown else err["msg"]
            if err["type"] == "missing":
                message = "missing required field"
            lines.append(f"{source}: {where}: {message}")
        raise ConfigError("\n".join(lines)) from None
    problems = []
    generated = {s.name.casefold() for s in config.feed_specs() if s.company}
    for kind, names, taken in (
        ("companies", [c.name for c in config.companies], set()),
        ("feeds", [f.name for f in config.feeds], generated),
    ):
        seen: set[str] = set(taken)
        for index, name in enumerate(names):
            if name.casefold() in seen:
                problems.append(f'{source}: {kind}[{index}] ("{name}").name: duplicate name')
            seen.add(name.casefold())
    problems += _alert_problems(config, source)
    if problems:
        raise ConfigError("\n".join(problems))
    return config


def _alert_problems(config: Config, source: str) -> list[str]:
    """Alert rules that name a company or topic this file does not define, or share a name."""
    companies, topics = {c.name for c in config.companies}, set(config.topics)
    problems, seen = [], set()
    for index, rule in enumerate(config.alerts):
        where = f'{source}: alerts[{index}] ("{rule.name}")'
        problems += [
            f'{where}.companies: "{c}" is not a configured company' for c in rule.companies if c not in companies
        ]
        if rule.topic is not None and rule.topic not in topics:
            problems.append(f'{where}.topic: "{rule.topic}" is not a configured topic')
        if rule.name.casefold() in seen:
            problems.append(f"{where}.name: duplicate name")
        seen.add(rule.name.casefold())
    return problems


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def parse_events(raw: dict[str, Any], companies: list[str], source: str = "events") -> list[Event]:
    """Validate a decoded events file: each problem named by file, entry and field."""
    try:
        parsed = EventsFile.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _describe_location(raw, tuple(err["loc"]))
            message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            lines.append(f"{source}: {where}: {'missing required field' if err['type'] == 'missing' else message}")
        raise ConfigError("\n".join(lines)) from None
    known = {*companies, ALL_COMPANIES}
    unknown = [
        f'{source}: event[{index}].company: "{e.company}" is not a configured company or "all"'
        for index, e in enumerate(parsed.event)
        if e.company not in known
    ]
    if unknown:
        raise ConfigError("\n".join(unknown))
    return sorted((e.event() for e in parsed.event), key=lambda e: (e.day, e.company, e.label))


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    """Read and validate a config file and its events file, raising ConfigError with the file name on any
    problem."""
    path = Path(path)
    config = parse_config(_read_toml(path), str(path))
    lexicon = (path.parent / config.lexicon).resolve() if config.lexicon else DATA_DIR / "lexicon.txt"
    update: dict[str, object] = {"lexicon": str(lexicon)}
    if config.events_file:
        named = (path.parent / config.events_file).resolve()
        companies = [c.name for c in config.companies]
        update |= {"events_file": str(named), "events": parse_events(_read_toml(named), companies, str(named))}
    return config.model_copy(update=update)
