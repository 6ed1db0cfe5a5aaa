"""Untrusted feed text in the UI: links only to http(s), never rendered as markup (CSV: dashboard.read.export)."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_link(url: object) -> str | None:
    """The URL when it is an absolute http(s) address, else None (a ``javascript:`` link shows as no link)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.hostname else None
