"""The articles a Google News item says report the same news: the tokens of its own link and of the links in
the ``<ol>`` cluster of its description (kept as story evidence, never as text to score)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

GOOGLE_NEWS_HOST = "news.google.com"
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)
_TOKEN_PATH = re.compile(r"/articles/([A-Za-z0-9_-]{8,})")


def article_token(url: str | None) -> str | None:
    """The opaque article token of a Google News redirect (``/rss/articles/<token>?oc=5``), or None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.hostname != GOOGLE_NEWS_HOST:
        return None
    found = _TOKEN_PATH.search(parts.path)
    return found.group(1) if found else None


def related_tokens(link: str | None, description: str) -> tuple[str, ...]:
    """The item's own token, then those of its cluster, each once, in order (empty outside Google News)."""
    own = article_token(link)
    if own is None:
        return ()
    tokens = [own]
    for href in _HREF.findall(description or ""):
        token = article_token(href)
        if token and token not in tokens:
            tokens.append(token)
    return tuple(tokens)
