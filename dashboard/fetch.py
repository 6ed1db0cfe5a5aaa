"""Fetch feeds over HTTP politely and defensively: timeouts, size cap, retries, conditional GET."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from queue import Empty, Queue
from urllib.parse import urlsplit

import httpx

from dashboard import __version__
from dashboard.connect import AddressRefused, DeadlineExceeded, GuardedTransport, budget
from dashboard.decode import TooLarge, UnsupportedEncoding, decoded
from dashboard.models import FetchResult, FetchStatus

USER_AGENT = f"ai-news-sentiment-tracker/{__version__} (+https://github.com/ai-news-sentiment-tracker)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one feed fetch; the defaults suit real sites, tests shrink them."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0
    workers: int = 8
    allowed_networks: tuple[str, ...] = ()  # non-public networks a fetch may connect to (CIDR)


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch, with the validators from its previous fetch for a conditional GET."""

    key: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


_UNKNOWN_HOST = ("Name or service not known", "nodename nor servname provided", "No address associated with hostname")


class _Retryable(Exception):
    """A failure worth another attempt: a timeout, a dropped connection, a 5xx."""


class _Fatal(Exception):
    """A failure no retry will fix: a 4xx, too many redirects, a body over the cap."""


def make_client(policy: FetchPolicy) -> httpx.Client:
    """An HTTP client with the policy's timeouts and redirect limit, connecting only where the policy allows
    (an explicit transport also keeps proxies from the environment out of the way). Bodies are decoded by
    ``decode.decoded``, within the size cap, not by httpx."""
    return httpx.Client(
        timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
        follow_redirects=True,
        max_redirects=policy.max_redirects,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        transport=GuardedTransport(
            allowed_networks=policy.allowed_networks,
            max_connections=policy.workers * 2,
            max_keepalive_connections=policy.workers,
        ),
    )


def _describe(exc: httpx.HTTPError) -> str:
    """A short, user-facing reason for a transport failure."""
    if isinstance(exc.__cause__, (AddressRefused, DeadlineExceeded)):
        return str(exc.__cause__)
    if isinstance(exc, httpx.ConnectTimeout):
        return "timeout while connecting"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout waiting for the server"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    if isinstance(exc, httpx.DecodingError):
        return f"undecodable response: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _attempt(
    client: httpx.Client, request: FetchRequest, policy: FetchPolicy, deadline: float, stop: threading.Event | None
) -> FetchResult:
    """One GET within the overall deadline (connecting, headers and body alike), the body capped as it is
    decoded."""
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Retryable("deadline exceeded")
    # No single wait may outlast the feed's overall deadline.
    timeout = httpx.Timeout(min(policy.read_timeout, remaining), connect=min(policy.connect_timeout, remaining))
    try:
        with budget(deadline, stop), client.stream("GET", request.url, headers=headers, timeout=timeout) as response:
            status = response.status_code
            if status == 304:
                return FetchResult(
                    url=request.url,
                    status=FetchStatus.NOT_MODIFIED,
                    http_status=304,
                    final_url=str(response.url),
                    etag=response.headers.get("etag") or request.etag,
                    last_modified=response.headers.get("last-modified") or request.last_modified,
                )
            if status >= 500:
                raise _Retryable(f"HTTP {status}")
            if status >= 400:
                raise _Fatal(f"HTTP {status}")
            if status >= 300:
                raise _Fatal(f"HTTP {status} without a usable redirect")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > policy.max_bytes:
                raise _Fatal(f"response too large ({int(declared):,} bytes, limit {policy.max_bytes:,})")
            try:
                body = decoded(response.iter_raw(), response.headers.get("content-encoding", ""), policy.max_bytes)
            except (TooLarge, UnsupportedEncoding) as exc:
                raise _Fatal(str(exc)) from exc
            except ValueError as exc:
                raise _Fatal(f"undecodable response: {exc}") from exc
            return FetchResult(
                url=request.url,
                status=FetchStatus.OK,
                http_status=status,
                body=body,
                content_type=response.headers.get("content-type", ""),
                final_url=str(response.url),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
    except (httpx.TooManyRedirects, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise _Fatal(_describe(exc)) from exc
    except httpx.ConnectError as exc:
        if isinstance(exc.__cause__, AddressRefused):
            raise _Fatal(_describe(exc)) from exc
        # A host that does not exist will not exist a second later; a refused or reset connection might.
        if any(marker in str(exc) for marker in _UNKNOWN_HOST):
            raise _Fatal(f"unknown host: {exc}") from exc
        raise _Retryable(_describe(exc)) from exc
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        raise _Retryable(_describe(exc)) from exc
    except httpx.HTTPError as exc:
        raise _Fatal(_describe(exc)) from exc


def fetch(
    client: httpx.Client,
    request: FetchRequest,
    policy: FetchPolicy,
    sleep: Callable[[float], None] = time.sleep,
    stop: threading.Event | None = None,
) -> FetchResult:
    """Fetch one feed, retrying timeouts and 5xx with jittered back-off inside the deadline; never raises
    (anything unexpected, even running out of memory, is this feed's failure)."""
    started = time.monotonic()
    deadline = started + policy.deadline
    attempts = 0
    while True:
        attempts += 1
        try:
            result = _attempt(client, request, policy, deadline, stop)
        except _Fatal as exc:
            return _failure(request, str(exc), attempts, started)
        except _Retryable as exc:
            pause = policy.backoff * (2 ** (attempts - 1)) * random.uniform(0.5, 1.0)
            stopped = stop is not None and stop.is_set()
            if stopped or attempts > policy.retries or time.monotonic() + pause >= deadline:
                suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
                return _failure(request, f"{exc}{suffix}", attempts, started)
            sleep(pause)
            continue
        except Exception as exc:
            return _failure(request, f"unexpected {type(exc).__name__}: {exc}", attempts, started)
        return FetchResult(**{**result.__dict__, "attempts": attempts, "elapsed": time.monotonic() - started})


def _failure(request: FetchRequest, reason: str, attempts: int, started: float) -> FetchResult:
    """A FetchResult for a failed fetch, keeping the HTTP status when the reason names one."""
    http_status = int(reason.split()[1]) if reason.startswith("HTTP ") and reason.split()[1].isdigit() else None
    return FetchResult(
        url=request.url,
        status=FetchStatus.ERROR,
        http_status=http_status,
        error=reason,
        attempts=attempts,
        elapsed=time.monotonic() - started,
    )


def fetch_all(
    requests: Iterable[FetchRequest],
    policy: FetchPolicy,
    stop: threading.Event | None = None,
    idle: Callable[[], None] | None = None,
    tick: float = 0.2,
) -> Iterator[tuple[FetchRequest, FetchResult]]:
    """Fetch many feeds concurrently, one request at a time per host, yielding each as it finishes.

    ``idle`` is called every ``tick`` seconds while no fetch finishes, so the caller can store what it has
    while a slow host holds on. Once ``stop`` is set, fetches under way are abandoned within a fraction of a
    second (their threads are daemons: nothing waits for them), none start, and the iteration ends.
    """
    by_host: dict[str, list[FetchRequest]] = defaultdict(list)
    for request in requests:
        by_host[(urlsplit(request.url).hostname or "").lower()].append(request)
    hosts: Queue[list[FetchRequest]] = Queue()
    for queue in by_host.values():
        hosts.put(queue)
    done: Queue[tuple[FetchRequest, FetchResult] | None] = Queue()
    client = make_client(policy)

    def run_hosts() -> None:
        while True:
            try:
                queue = hosts.get_nowait()
            except Empty:
                return
            try:
                for request in queue:
                    if stop is not None and stop.is_set():
                        break
                    done.put((request, fetch(client, request, policy, stop=stop)))
            finally:
                done.put(None)

    for _ in range(min(policy.workers, len(by_host))):
        threading.Thread(target=run_hosts, name="fetch", daemon=True).start()
    try:
        remaining = len(by_host)
        while remaining and not (stop is not None and stop.is_set()):
            try:
                item = done.get(timeout=tick)
            except Empty:
                if idle is not None:
                    idle()
                continue
            if item is None:
                remaining -= 1
            elif stop is None or not stop.is_set():
                yield item
    finally:
        client.close()
