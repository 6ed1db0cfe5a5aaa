"""Turn fetched feed bytes into clean Article records; a bad feed comes back flagged, never raised."""

from __future__ import annotations

import calendar
import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from dashboard.collect.normalize import canonical_link, host_of, html_to_text, scrub, split_publisher_suffix, truncate
from dashboard.collect.plainrss import NotPlain, plain_rss_entries
from dashboard.collect.related import related_tokens
from dashboard.models import SUMMARY_LIMIT, TITLE_LIMIT, Article, FeedSpec, ParsedFeed

FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before this, a date is a feed's mistake, not a publication time
TITLE_CUT = f"title over {TITLE_LIMIT} characters cut"
DATE_REPLACED = "implausible date (before 1990 or in the future) replaced by the fetch time"
_AGGREGATOR_HOSTS = ("news.google.com",)
_JSON_FEED_PREFIX = "https://jsonfeed.org/version/"


def _looks_like_html(head: bytes) -> bool:
    """True when a body starts like an HTML page rather than an XML feed."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in start[:512] and b"<rss" not in start and b"<feed" not in start
    )


def _struct_to_utc(value: time.struct_time | None) -> datetime | None:
    """feedparser's parsed dates are UTC struct_times; turn one into an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _iso_to_utc(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (as JSON Feed uses) in UTC, or None when absent, malformed or out of range."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    try:
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError:  # before year 1 in UTC (0001-01-01T00:00+14:00): as implausible as any date before 1990
        return datetime.min.replace(tzinfo=UTC)


def choose_time(published: datetime | None, updated: datetime | None, fetched_at: datetime) -> tuple[datetime, str]:
    """Publication time with its origin; a time before 1990 or implausibly in the future falls back too."""
    limit = fetched_at + FUTURE_TOLERANCE
    if published and EARLIEST <= published <= limit:
        return published, "published"
    if updated and EARLIEST <= updated <= limit:
        return updated, "updated"
    return fetched_at, "fetched"


@dataclass(frozen=True)
class Built:
    """One entry's article (None: nothing to keep) and what had to be changed to keep it."""

    article: Article | None
    notes: tuple[str, ...] = ()


def build_article(
    *,
    spec: FeedSpec,
    feed_title: str,
    raw_title: str,
    raw_link: str | None,
    raw_summary: str,
    source_name: str,
    source_url: str,
    guid: str | None,
    published: datetime | None,
    updated: datetime | None,
    fetched_at: datetime,
) -> Built:
    """Clean one entry's fields into an Article (none when it has neither title nor link), saying what was
    cut or replaced."""
    link = canonical_link(scrub(raw_link)) if raw_link else None
    source_name = html_to_text(source_name)
    title = split_publisher_suffix(html_to_text(raw_title), source_name)
    if not title and not link:
        return Built(None)
    notes = []
    if len(title) > TITLE_LIMIT:
        title, notes = truncate(title, TITLE_LIMIT), [TITLE_CUT]
    link_host = host_of(link)
    aggregated = link_host in _AGGREGATOR_HOSTS
    domain = host_of(scrub(source_url)) or ("" if aggregated else link_host) or host_of(spec.url)
    publisher = source_name or spec.publisher or ("" if aggregated else link_host) or feed_title or domain
    # Google News descriptions only repeat headline and publisher names: noise, not a summary.
    summary = "" if aggregated else truncate(html_to_text(raw_summary), SUMMARY_LIMIT)
    when, origin = choose_time(published, updated, fetched_at)
    if origin == "fetched" and (published or updated):
        notes.append(DATE_REPLACED)
    article = Article(
        title=title or link or "",
        link=link,
        publisher=truncate(publisher, TITLE_LIMIT),
        publisher_domain=domain,
        summary=summary,
        published_at=when,
        published_from=origin,
        guid=truncate(scrub(guid or "").strip(), TITLE_LIMIT) or None,
        related=related_tokens(link, raw_summary) if aggregated else (),
    )
    return Built(article, tuple(notes))


def _entry_summary(entry: Any) -> str:
    """The entry's summary, or the first content block when there is no summary."""
    if entry.get("summary"):
        return entry["summary"]
    for block in entry.get("content") or []:
        if block.get("value"):
            return block["value"]
    return ""


def _json_text(item: dict[str, Any], *keys: str) -> str:
    """The first of an item's fields that is a non-empty string (a JSON Feed's values may be anything)."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _parse_json_feed(body: bytes, spec: FeedSpec, fetched_at: datetime) -> ParsedFeed:
    """A JSON Feed (jsonfeed.org) document, which feedparser does not read; any shape of JSON ends in
    articles, skipped items or this feed's error."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split("; use ")[0][:200]
        return ParsedFeed(error=f"not an RSS/Atom feed (JSON that does not parse: {reason})")
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(_JSON_FEED_PREFIX):
        return ParsedFeed(error="not an RSS/Atom feed (JSON, but not a JSON Feed)")
    items = doc.get("items") or []
    if not isinstance(items, list):
        return ParsedFeed(error=f"JSON Feed field 'items' is a {type(items).__name__}, not a list")
    title = doc.get("title")
    entries = [
        {
            "raw_title": _json_text(item, "title"),
            "raw_link": _json_text(item, "url", "external_url") or None,
            "raw_summary": _json_text(item, "summary", "content_text", "content_html"),
            "source_name": "",
            "source_url": "",
            "guid": str(item["id"]) if isinstance(item.get("id"), (str, int)) else None,
            "published": _iso_to_utc(item.get("date_published")),
            "updated": _iso_to_utc(item.get("date_modified")),
        }
        if isinstance(item, dict)
        else None
        for item in items
    ]
    return _build_all(spec, html_to_text(title if isinstance(title, str) else ""), entries, fetched_at)


def _build_all(
    spec: FeedSpec,
    feed_title: str,
    entries: list[dict[str, Any] | None],
    fetched_at: datetime,
    warning: str | None = None,
) -> ParsedFeed:
    """Articles from entries' raw fields. An entry with neither title nor link, one that is not an entry at
    all (None), and one no reader could clean are skipped and counted; what was cut, replaced or skipped is
    said in the warning, with counts."""
    kept: list[Article] = []
    notes: Counter[str] = Counter()
    skipped = 0
    for entry in entries:
        try:
            built = build_article(spec=spec, feed_title=feed_title, fetched_at=fetched_at, **entry) if entry else None
        except Exception as exc:  # an entry unlike any we know: skip it, keep the rest, say why
            notes[f"entry skipped ({type(exc).__name__}: {str(exc)[:100]})"] += 1
            built = None
        if entry is None:
            notes["entry skipped (not a JSON object)"] += 1
        if built is None or built.article is None:
            skipped += 1
            continue
        kept.append(built.article)
        notes.update(built.notes)
    said = [f"{note} ({count}x)" if count > 1 else note for note, count in notes.items()]
    warning = "; ".join(([warning] if warning else []) + said) or None
    return ParsedFeed(articles=kept, skipped=skipped, title=feed_title, warning=warning)


def parse_feed(body: bytes, spec: FeedSpec, fetched_at: datetime, content_type: str = "", url: str = "") -> ParsedFeed:
    """Feed bytes into articles, or an error saying why there are none: plain RSS 2.0 by the fast reader,
    JSON Feed by its own, everything else by feedparser."""
    if not body.strip():
        return ParsedFeed(error="empty response body")
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return _parse_json_feed(body, spec, fetched_at)
    try:
        feed_title, entries = plain_rss_entries(body, content_type)
    except NotPlain:
        pass
    else:
        return _build_all(spec, html_to_text(feed_title), entries, fetched_at)
    return parse_with_feedparser(body, spec, fetched_at, content_type, url)


def parse_with_feedparser(
    body: bytes, spec: FeedSpec, fetched_at: datetime, content_type: str = "", url: str = ""
) -> ParsedFeed:
    """Any RSS/Atom dialect, malformed or not, through feedparser (relative links resolved against url)."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    headers = {"content-location": url or spec.url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    except Exception as exc:
        return ParsedFeed(error=f"feed parser crashed: {type(exc).__name__}: {exc}")
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # A feed served with a non-XML Content-Type parses fine; that is the server's label, not a malformation.
    if isinstance(bozo, feedparser.NonXMLContentType) and parsed.entries:
        bozo = None
    problem = f"{type(bozo).__name__}: {bozo}" if bozo else None
    if not parsed.entries:
        if _looks_like_html(stripped[:2048]) or ("html" in content_type.lower() and not parsed.get("version")):
            return ParsedFeed(error="an HTML page, not a feed")
        if not parsed.get("version"):
            return ParsedFeed(error=f"not an RSS/Atom feed ({problem or 'no feed elements found'})")
    entries = []
    for entry in parsed.entries:
        source = entry.get("source") or {}
        entries.append(
            {
                "raw_title": entry.get("title", ""),
                "raw_link": entry.get("feedburner_origlink") or entry.get("link"),
                "raw_summary": _entry_summary(entry),
                "source_name": source.get("title", "") if isinstance(source, dict) else "",
                "source_url": source.get("href", "") if isinstance(source, dict) else "",
                "guid": entry.get("id"),
                "published": _struct_to_utc(dict.get(entry, "published_parsed")),
                "updated": _struct_to_utc(dict.get(entry, "updated_parsed")),  # dict.get: no deprecated alias
            }
        )
    warning = f"malformed feed, entries recovered: {problem}" if problem else None
    return _build_all(spec, html_to_text(parsed.feed.get("title", "")), entries, fetched_at, warning)
