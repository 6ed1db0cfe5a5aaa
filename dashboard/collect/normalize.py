"""Pure text and URL clean-up for feed entries: plain text, clean titles, canonical links, keys."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dashboard.models import Article

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "cmpid",
        "ncid",
        "ocid",
        "sr_share",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "smid",
        "s_cid",
        "taid",
    }
)
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})
_SPACE = re.compile(r"\s+")
# Removed from all feed text before it is stored: control characters (NUL, which PostgreSQL refuses, among
# them) but tab and line breaks, lone surrogates (which no database encodes), bidirectional controls (which
# reverse what follows on screen) and invisible format characters. Joiners stay: scripts and emoji need them.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_NON_WORD = re.compile(r"[^\w]+")


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, dropping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def scrub(text: str) -> str:
    """Feed text without the characters that break storage or hide what it says (see _UNSAFE)."""
    return _UNSAFE.sub("", text)


def collapse_space(text: str) -> str:
    """One space between words, none at the ends; non-breaking spaces count as spaces."""
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: tags stripped, entities (HTML5 ones too) decoded."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return collapse_space(scrub(fragment))
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    # A second unescape catches entities feedparser left literal (``&colon;``) or double-escaped.
    return collapse_space(scrub(html.unescape("".join(parser.parts))))


def truncate(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def split_publisher_suffix(title: str, publisher: str) -> str:
    """Drop a trailing " - Publisher" (repeated or not) only when it equals the known publisher."""
    if not publisher:
        return title
    suffix = f" - {publisher}"
    while title.endswith(suffix) and len(title) > len(suffix):
        title = title[: -len(suffix)].rstrip()
    return title


def host_of(url: str | None) -> str:
    """The lower-case host of a URL without ``www.``; empty when there is none."""
    if not url:
        return ""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return host.removeprefix("www.")


def unwrap_redirect(url: str) -> str:
    """The publisher's URL hidden in a Google redirect (``/url?url=...``, older news links)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if (host.endswith("google.com") and parts.path.rstrip("/").endswith("/url")) or parts.path.startswith("/news/url"):
        for key, value in parse_qsl(parts.query):
            if key in ("url", "q") and value.startswith(("http://", "https://")):
                return value
    return url


def canonical_link(url: str | None) -> str | None:
    """An http(s) link with tracking parameters, fragment and default port removed; else None."""
    if not url:
        return None
    try:
        url = unwrap_redirect(url.strip())
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query, doseq=True), ""))


def normalize_title(title: str) -> str:
    """A title reduced for comparison: Unicode-folded, lower case, punctuation and spacing removed."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return collapse_space(_NON_WORD.sub(" ", folded))


def story_key(title: str, domain: str) -> str | None:
    """The same story from the same publisher, however it reached us: normalised title + domain."""
    norm = normalize_title(title)
    if not norm or not domain:
        return None
    return f"{domain}\x1f{norm}"


def link_key(link: str) -> str | None:
    """A link worth de-duplicating on: not a bare site root, which some feeds give every item."""
    parts = urlsplit(link)
    if parts.path in ("", "/") and not parts.query:
        return None
    return f"{host_of(link)}{parts.path}?{parts.query}" if parts.query else f"{host_of(link)}{parts.path}"


def article_keys(article: Article, feed_name: str) -> list[str]:
    """Keys under which an article is the same story: guid (within its feed), link, title+publisher."""
    keys = []
    if article.guid:
        keys.append(f"guid:{feed_name}\x1f{article.guid}")
    if article.link and (key := link_key(article.link)):
        keys.append(f"link:{key}")
    if story := story_key(article.title, article.publisher_domain):
        keys.append(f"story:{story}")
    return keys
