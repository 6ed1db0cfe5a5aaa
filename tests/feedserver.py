"""A real HTTP server on 127.0.0.1 that serves the fixture feeds and misbehaves on request.

Routes (all GET):
  /feeds/NAME                 a file from tests/feeds/, with ETag and Last-Modified; 304 when they match;
                              gzip-encoded when the client accepts it
  /as/TYPE/NAME               the same file served with Content-Type TYPE (``~`` stands for ``/``)
  /status/CODE                an empty response with that status
  /flaky/N/NAME               HTTP 500 for the first N requests of this path, then the file
  /loop/a, /loop/b            redirect to each other forever
  /hang                       accepts the request and never answers (until the server stops)
  /slow/SECONDS/NAME          waits, then serves the file
  /gated/NAME                 waits until the server's ``gate`` event is set (it starts set), then serves the file
  /big/BYTES                  a body of BYTES bytes (a valid feed padded with a comment)
  /many/N/TAG[?delay=S]       a valid RSS feed of N distinct items (long writes for crash tests), after S seconds
  /gnews/rss/search?q=...     a stand-in for Google News search: items of tests/google_news_archive.json
                              whose date falls within the query's after:/before: window (the last two
                              days without one); the server's
                              ``gnews_answers`` script other answers per window (429 with Retry-After,
                              Google's 503 "unusual traffic" page, 500) and ``gnews_delay`` slows each one
  /dribble                    sends the status line, then one header line every 0.2 s and never ends the
                              headers, until the server's ``release`` event is set (or it stops)
  /redirect?to=URL            a 302 to any URL
  /bomb/LAYERS/MB/NAME        the file followed by MB megabytes of zeros in a comment, gzipped LAYERS times
                              (``Content-Encoding: gzip, gzip, ...``): kilobytes on the wire
  /encoded/CODING/NAME        the file with ``Content-Encoding: CODING`` and its bytes as they are
  /hostile/NAME               a feed built to break readers and stores (see HOSTILE)
Run ``python -m tests.feedserver`` to serve the fixtures by hand.
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import hashlib
import json
import re
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as dtime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"
CONTENT_TYPES = {".xml": "application/rss+xml", ".html": "text/html; charset=utf-8", ".json": "application/feed+json"}
LAST_MODIFIED = "Tue, 10 Nov 2026 19:00:00 GMT"
# What Google serves a client it finds too busy (shape of the real page, abridged).
UNUSUAL_TRAFFIC = (
    b"<html><head><title>https://news.google.com/rss/search</title></head><body><div>Our systems have detected "
    b"unusual traffic from your computer network. This page checks to see if it's really you sending the "
    b"requests, and not a robot.</div></body></html>"
)


@dataclass
class RequestLog:
    """What the server saw: every request's path and headers, and the most requests in flight at once."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    max_in_flight: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: FeedHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        log = self.server.log
        host = self.headers.get("Host", "").split(":")[0]
        with log.lock:
            log.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            log.hits[self.path] += 1
            hits = log.hits[self.path]
            log.in_flight[host] += 1
            log.max_in_flight[host] = max(log.max_in_flight[host], log.in_flight[host])
        try:
            self._route(hits)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with log.lock:
                log.in_flight[host] -= 1

    def _route(self, hits: int) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if m := re.fullmatch(r"/feeds/([\w.-]+)", path):
            return self._file(m[1])
        if m := re.fullmatch(r"/as/([^/]+)/([\w.-]+)", path):
            return self._file(m[2], m[1].replace("~", "/"))
        if m := re.fullmatch(r"/status/(\d{3})", path):
            return self._send(int(m[1]), b"", "text/plain")
        if m := re.fullmatch(r"/flaky/(\d+)/([\w.-]+)", path):
            if hits <= int(m[1]):
                return self._send(500, b"server error", "text/plain")
            return self._file(m[2])
        if m := re.fullmatch(r"/loop/([ab])", path):
            target = "/loop/b" if m[1] == "a" else "/loop/a"
            return self._send(302, b"", "text/plain", {"Location": target})
        if path == "/hang":
            self.server.stopping.wait(60)
            return None
        if m := re.fullmatch(r"/slow/([\d.]+)/([\w.-]+)", path):
            self.server.stopping.wait(float(m[1]))
            return self._file(m[2])
        if m := re.fullmatch(r"/gated/([\w.-]+)", path):
            self.server.gate.wait(120)
            return self._file(m[1])
        if m := re.fullmatch(r"/big/(\d+)", path):
            return self._send(200, padded_feed(int(m[1])), "application/rss+xml")
        if m := re.fullmatch(r"/many/(\d+)/(\w+)", path):
            self.server.stopping.wait(float(parse_qs(parts.query).get("delay", ["0"])[0]))
            return self._send(200, many_items_feed(int(m[1]), m[2]), "application/rss+xml")
        if path == "/dribble":
            return self._dribble()
        if path == "/redirect":
            return self._send(302, b"", "text/plain", {"Location": parse_qs(parts.query)["to"][0]})
        if m := re.fullmatch(r"/bomb/(\d+)/(\d+)/([\w.-]+)", path):
            body = gzip_bomb((FEEDS_DIR / m[3]).read_bytes(), int(m[1]), int(m[2]))
            encoding = ", ".join(["gzip"] * int(m[1]))
            return self._send(200, body, "application/rss+xml", {"Content-Encoding": encoding}, compress=False)
        if m := re.fullmatch(r"/encoded/([\w-]+)/([\w.-]+)", path):
            body = (FEEDS_DIR / m[2]).read_bytes()
            return self._send(200, body, "application/rss+xml", {"Content-Encoding": m[1]}, compress=False)
        if m := re.fullmatch(r"/hostile/([\w-]+)", path):
            body = HOSTILE[m[1]]()
            kind = "application/feed+json" if m[1].startswith("json") else "application/rss+xml"
            return self._send(200, body, kind)
        if path == "/gnews/rss/search":
            query = parse_qs(parts.query).get("q", [""])[0]
            self.server.stopping.wait(self.server.gnews_delay)
            after = re.search(r"after:(\S+)", query)
            with self.server.log.lock:
                script = self.server.gnews_answers.get(after[1] if after else "", [])
                answer = script.pop(0) if script else 200
            if answer == 429:
                return self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": self.server.retry_after})
            if answer == 503:
                return self._send(503, UNUSUAL_TRAFFIC, "text/html; charset=utf-8")
            if answer != 200:
                return self._send(answer, b"server error", "text/plain")
            return self._send(200, google_news_search(query), "application/xml; charset=utf-8")
        return self._send(404, b"not found", "text/plain")

    def _file(self, name: str, content_type: str | None = None) -> None:
        path = FEEDS_DIR / name
        if not path.is_file():
            return self._send(404, b"not found", "text/plain")
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if self.headers.get("If-None-Match") == etag or (
            self.headers.get("If-Modified-Since") == LAST_MODIFIED and "If-None-Match" not in self.headers
        ):
            return self._send(304, b"", None, headers)
        return self._send(200, body, content_type or CONTENT_TYPES.get(path.suffix, "application/xml"), headers)

    def _dribble(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.close_connection = True  # the headers never end, so neither does this exchange
        for line in range(600):
            if self.server.release.wait(0.2) or self.server.stopping.is_set():
                return
            self.wfile.write(f"X-Line-{line}: still here\r\n".encode())
            self.wfile.flush()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
        compress: bool = True,
    ) -> None:
        if compress and body and "gzip" in self.headers.get("Accept-Encoding", "") and status == 200:
            body = gzip.compress(body)
            headers = {**(headers or {}), "Content-Encoding": "gzip"}
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class FeedHTTPServer(ThreadingHTTPServer):
    """The threading server with a request log and a stop signal for handlers that wait."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log = RequestLog()
        self.stopping = threading.Event()
        self.release = threading.Event()
        self.gate = threading.Event()
        self.gate.set()
        self.gnews_answers: dict[str, list[int]] = {}  # a window's after: date -> statuses to answer, in turn
        self.gnews_delay = 0.0
        self.retry_after = "1"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FeedHTTPServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


@functools.lru_cache(maxsize=4)
def gzip_bomb(feed: bytes, layers: int, megabytes: int) -> bytes:
    """A feed followed by ``megabytes`` MB of zeros inside an XML comment, gzipped ``layers`` times."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [squeeze.compress(feed + b"<!--")]
    zeros = b"0" * (1 << 20)
    parts += [squeeze.compress(zeros) for _ in range(megabytes)]
    body = b"".join([*parts, squeeze.compress(b"-->"), squeeze.flush()])
    for _ in range(layers - 1):
        body = gzip.compress(body, 9)
    return body


def _json_feed(*items: str) -> bytes:
    """A JSON Feed whose items are given as raw JSON text (so they can hold what json.dumps never writes)."""
    head = '{"version": "https://jsonfeed.org/version/1.1", "title": "Hostile", "items": ['
    return (head + ", ".join(items) + "]}").encode()


def _rss(*items: str) -> bytes:
    """An RSS 2.0 feed of raw item XML."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Hostile</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


_GOOD_JSON_ITEM = '{"id": "ok", "url": "https://hostile.example/ok", "title": "Meta cuts 600 AI jobs"}'
HOSTILE: dict[str, Callable[[], bytes]] = {
    # JSON Feed items that crash a reader that trusts the format
    "json-date-overflow": lambda: _json_feed(
        '{"id": "a", "url": "https://hostile.example/a", "title": "Dated at the edge of time",'
        ' "date_published": "0001-01-01T00:00:00+14:00"}',
        _GOOD_JSON_ITEM,
    ),
    "json-items-not-a-list": lambda: b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": 5}',
    "json-deep": lambda: _json_feed("[" * 50_000 + "]" * 50_000),
    "json-huge-integer": lambda: _json_feed('{"id": ' + "9" * 5000 + ', "title": "A huge id"}'),
    "json-lone-surrogate": lambda: _json_feed(
        '{"id": "s", "url": "https://hostile.example/s", "title": "\\ud800Surrogate \\udfffhere"}', _GOOD_JSON_ITEM
    ),
    "json-nul": lambda: _json_feed(
        '{"id": "n", "url": "https://hostile.example/n", "title": "NUL\\u0000 in the title",'
        ' "summary": "and\\u0000 in the summary"}'
    ),
    "json-wrong-types": lambda: _json_feed(
        '{"id": {"x": 1}, "url": ["https://hostile.example/t"], "title": 42, "summary": null}',
        '"a string"',
        _GOOD_JSON_ITEM,
    ),
    # RSS
    "rss-nul": lambda: _rss("<item><title>Raw NUL\x00 byte</title><link>https://hostile.example/r</link></item>"),
    "rss-long-title": lambda: _rss(
        "<item><title>" + "Meta layoffs not good but " * 4000 + "</title><link>https://hostile.example/l</link></item>"
    ),
    "rss-old-dates": lambda: _rss(
        "<item><title>Dated 1900</title><link>https://hostile.example/1900</link>"
        "<pubDate>Mon, 01 Jan 1900 00:00:00 GMT</pubDate></item>",
        "<item><title>Dated 2026</title><link>https://hostile.example/2026</link>"
        "<pubDate>Tue, 10 Nov 2026 08:00:00 GMT</pubDate></item>",
    ),
    "rss-bidi": lambda: _rss(
        "<item><title>\u202e\u202e\u202e</title><link>https://hostile.example/empty</link></item>",
        "<item><title>\u202eMeta cuts jobs\u202c and \u200bhides it\u2066</title>"
        '<link>https://hostile.example/b</link><source url="https://pub.example/">\u202eEvil Pub</source></item>',
    ),
}


def padded_feed(size: int) -> bytes:
    """A valid one-item RSS feed padded with a comment to exactly ``size`` bytes (when size allows)."""
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><item><title>Big item</title><link>https://big.example.com/1</link></item></channel></rss><!--'
    tail = b"-->"
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


def many_items_feed(count: int, tag: str) -> bytes:
    """An RSS feed of ``count`` distinct items, one per minute back from a fixed time."""
    start = datetime(2026, 11, 10, 12, 0, tzinfo=UTC).timestamp()
    items = "".join(
        f"<item><title>{tag} story number {i}</title><link>https://many.example.com/{tag}/{i}</link>"
        f"<pubDate>{email.utils.formatdate(start - 60 * i, usegmt=True)}</pubDate>"
        f"<description>Summary of {tag} story {i}.</description></item>"
        for i in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Many {tag}</title>{items}</channel></rss>'.encode()


RECENT_DAYS = 2


def google_news_search(query: str) -> bytes:
    """A Google News search feed of the archive items dated within the query's after:/before: window (without
    one, those of the archive's last RECENT_DAYS days, as a live feed holds only the latest news)."""
    archive = json.loads((FEEDS_DIR.parent / "google_news_archive.json").read_text(encoding="utf-8"))
    after = re.search(r"after:(\d{4}-\d{2}-\d{2})", query)
    before = re.search(r"before:(\d{4}-\d{2}-\d{2})", query)
    terms = re.sub(r"(after|before):\S+", "", query).strip()
    newest = max(date.fromisoformat(entry["date"]) for entry in archive)
    items = []
    for entry in archive:
        day = date.fromisoformat(entry["date"])
        if (after and day < date.fromisoformat(after[1])) or (before and day >= date.fromisoformat(before[1])):
            continue
        if not after and not before and (newest - day).days >= RECENT_DAYS:  # a feed holds only recent news
            continue
        if entry["company"].lower() not in terms.lower():
            continue
        when = email.utils.format_datetime(datetime.combine(day, dtime(12, 0), UTC), usegmt=True)
        link = f"https://news.google.com/rss/articles/{entry['token']}?oc=5"
        items.append(
            f"<item><title>{escape(entry['title'])} - {escape(entry['publisher'])}</title><link>{link}</link>"
            f'<guid isPermaLink="false">{entry["token"]}</guid><pubDate>{when}</pubDate>'
            f"<description>{escape(entry['title'])}</description>"
            f'<source url="{entry["site"]}">{escape(entry["publisher"])}</source></item>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0"><channel>'
        f"<title>{escape(query)} - Google News</title><link>https://news.google.com/</link>"
        "<description>Google News</description>" + "".join(items) + "</channel></rss>"
    ).encode()


if __name__ == "__main__":
    server = FeedHTTPServer().start()
    print(f"serving {FEEDS_DIR} at {server.base_url}/feeds/ (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
