"""Turn fetched feed bytes into clean Article records; a bad feed comes back flagged, never raised."""

from __future__ import annotations

import calendar
import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from dashboard.models import Article, FeedSpec, ParsedFeed
from dashboard.normalize import canonical_link, host_of, html_to_text, split_publisher_suffix, truncate
from dashboard.plainrss import NotPlain, plain_rss_entries

SUMMARY_LIMIT = 2000
FUTURE_TOLERANCE = timedelta(days=1)
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
    """An RFC 3339 timestamp (as JSON Feed uses) in UTC, or None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def choose_time(published: datetime | None, updated: datetime | None, fetched_at: datetime) -> tuple[datetime, str]:
    """Publication time with its origin; a time implausibly in the future falls back too."""
    limit = fetched_at + FUTURE_TOLERANCE
    if published and published <= limit:
        return published, "published"
    if updated and updated <= limit:
        return updated, "updated"
    return fetched_at, "fetched"


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
) -> Article | None:
    """Clean one entry's fields into an Article; None when it has neither title nor link."""
    link = canonical_link(raw_link)
    source_name = html_to_text(source_name)
    title = split_publisher_suffix(html_to_text(raw_title), source_name)
    if not title and not link:
        return None
    link_host = host_of(link)
    aggregated = link_host in _AGGREGATOR_HOSTS
    domain = host_of(source_url) or ("" if aggregated else link_host) or host_of(spec.url)
    publisher = source_name or spec.publisher or ("" if aggregated else link_host) or feed_title or domain
    # Google News descriptions only repeat headline and publisher names: noise, not a summary.
    summary = "" if aggregated else truncate(html_to_text(raw_summary), SUMMARY_LIMIT)
    when, origin = choose_time(published, updated, fetched_at)
    return Article(
        title=title or link or "",
        link=link,
        publisher=publisher,
        publisher_domain=domain,
        summary=summary,
        published_at=when,
        published_from=origin,
        guid=(guid or "").strip() or None,
    )


def _entry_summary(entry: Any) -> str:
    """The entry's summary, or the first content block when there is no summary."""
    if entry.get("summary"):
        return entry["summary"]
    for block in entry.get("content") or []:
        if block.get("value"):
            return block["value"]
    return ""


def _parse_json_feed(body: bytes, spec: FeedSpec, fetched_at: datetime) -> ParsedFeed:
    """A JSON Feed (jsonfeed.org) document, which feedparser does not read."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedFeed(error=f"not an RSS/Atom feed (JSON that does not parse: {exc})")
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(_JSON_FEED_PREFIX):
        return ParsedFeed(error="not an RSS/Atom feed (JSON, but not a JSON Feed)")
    feed_title = html_to_text(str(doc.get("title") or ""))
    items = doc.get("items") or []
    entries = [
        {
            "raw_title": str(item.get("title") or ""),
            "raw_link": str(item.get("url") or item.get("external_url") or "") or None,
            "raw_summary": str(item.get("summary") or item.get("content_text") or item.get("content_html") or ""),
            "source_name": "",
            "source_url": "",
            "guid": str(item["id"]) if item.get("id") is not None else None,
            "published": _iso_to_utc(item.get("date_published")),
            "updated": _iso_to_utc(item.get("date_modified")),
        }
        for item in items
        if isinstance(item, dict)
    ]
    parsed = _build_all(spec, feed_title, entries, fetched_at)
    return replace(parsed, skipped=parsed.skipped + len(items) - len(entries))


def _build_all(
    spec: FeedSpec, feed_title: str, entries: list[dict[str, Any]], fetched_at: datetime, warning: str | None = None
) -> ParsedFeed:
    """Articles from entries' raw fields; entries with neither title nor link are skipped and counted."""
    articles = [build_article(spec=spec, feed_title=feed_title, fetched_at=fetched_at, **entry) for entry in entries]
    kept = [a for a in articles if a is not None]
    return ParsedFeed(articles=kept, skipped=len(articles) - len(kept), title=feed_title, warning=warning)


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
