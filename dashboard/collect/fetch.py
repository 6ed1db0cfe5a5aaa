"""Fetch feeds over HTTP politely and defensively: timeouts, size cap, retries, conditional GET."""

from __future__ import annotations

import ipaddress
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from queue import Empty, Queue
from urllib.parse import urlsplit

import httpx
from pydantic import ConfigDict, Field, field_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from dashboard import __version__
from dashboard.collect.connect import AddressRefused, DeadlineExceeded, GuardedTransport, budget
from dashboard.collect.decode import TooLarge, UnsupportedEncoding, decoded
from dashboard.models import FetchResult, FetchStatus

USER_AGENT = f"ai-news-sentiment-tracker/{__version__} (+https://github.com/ai-news-sentiment-tracker)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class FetchPolicy:
    """Limits for one feed fetch, validated where they are read (the config's ``[fetch]`` table is one); the
    defaults suit real sites, tests shrink them."""

    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    deadline: float = Field(default=60.0, gt=0)
    max_bytes: int = Field(default=10_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    retries: int = Field(default=2, ge=0)
    backoff: float = Field(default=1.0, ge=0)
    throttle_retries: int = Field(default=3, ge=0)
    max_backoff: float = Field(default=120.0, ge=0)
    max_retry_after: float = Field(default=300.0, ge=0)
    workers: int = Field(default=8, ge=1)
    allowed_networks: tuple[str, ...] = ()  # non-public networks a fetch may connect to (CIDR), e.g. 10.1.2.0/24

    @field_validator("allowed_networks")
    @classmethod
    def _networks_parse(cls, networks: tuple[str, ...]) -> tuple[str, ...]:
        for network in networks:
            ipaddress.ip_network(network, strict=False)  # its ValueError names the bad entry
        return networks


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch, with the validators from its previous fetch for a conditional GET."""

    key: Hashable  # the caller's name for this request (ingest: the job's index)
    url: str
    etag: str | None = None
    last_modified: str | None = None


_UNKNOWN_HOST = ("Name or service not known", "nodename nor servname provided", "No address associated with hostname")


class _Failed(Exception):
    """A failed attempt: why, in words for the feed report, and the HTTP status when there was one."""

    def __init__(self, reason: str, http_status: int | None = None) -> None:
        super().__init__(reason)
        self.http_status = http_status


class _Retryable(_Failed):
    """A failure worth another attempt: a timeout, a dropped connection, a 5xx."""


class _Fatal(_Failed):
    """A failure no retry will fix: a 4xx, too many redirects, a body over the cap."""


# The server asks us to slow down: 429 Too Many Requests, or 503 (Google News answers a client it finds too
# busy with a 503 "unusual traffic" page).
THROTTLED = frozenset({429, 503})


class _Throttled(_Failed):
    """The server asked us to slow down, and perhaps said for how long (Retry-After, in seconds)."""

    def __init__(self, reason: str, http_status: int, retry_after: float | None) -> None:
        super().__init__(reason, http_status)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header in seconds (it is a number of seconds or an HTTP date); None when absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


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
            if status in THROTTLED:
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
                raise _Throttled(f"HTTP {status}: the server asks us to slow down", status, retry_after)
            if status >= 500:
                raise _Retryable(f"HTTP {status}", status)
            if status >= 400:
                raise _Fatal(f"HTTP {status}", status)
            if status >= 300:
                raise _Fatal(f"HTTP {status} without a usable redirect", status)
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
    """Fetch one feed, retrying timeouts and 5xx with jittered back-off inside the deadline, and waiting as
    asked when throttled (Retry-After up to ``max_retry_after``, else a doubling wait up to ``max_backoff``;
    those waits do not count against the deadline); never raises (anything unexpected, even running out of
    memory, is this feed's failure)."""
    started = time.monotonic()
    deadline = started + policy.deadline
    attempts = throttled = 0
    while True:
        attempts += 1
        try:
            result = _attempt(client, request, policy, deadline, stop)
        except _Fatal as exc:
            return _failure(request, str(exc), attempts, started, exc.http_status)
        except _Throttled as exc:
            throttled += 1
            wait = exc.retry_after
            if wait is None:
                wait = min(policy.backoff * 2 ** (throttled - 1), policy.max_backoff)
            elif wait > policy.max_retry_after:
                limit = policy.max_retry_after
                reason = f"{exc}: it asked to wait {wait:.0f} s, more than max_retry_after ({limit:.0f} s)"
                return _failure(request, reason, attempts, started, exc.http_status)
            if throttled > policy.throttle_retries or (stop is not None and stop.is_set()):
                return _failure(request, f"{exc} (after {attempts} attempts)", attempts, started, exc.http_status)
            deadline += wait
            if stop is not None:
                stop.wait(wait)
            else:
                sleep(wait)
            continue
        except _Retryable as exc:
            pause = policy.backoff * (2 ** (attempts - 1)) * random.uniform(0.5, 1.0)
            stopped = stop is not None and stop.is_set()
            if stopped or attempts > policy.retries or time.monotonic() + pause >= deadline:
                suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
                return _failure(request, f"{exc}{suffix}", attempts, started, exc.http_status)
            sleep(pause)
            continue
        except Exception as exc:
            return _failure(request, f"unexpected {type(exc).__name__}: {exc}", attempts, started)
        return FetchResult(**{**result.__dict__, "attempts": attempts, "elapsed": time.monotonic() - started})


def _failure(
    request: FetchRequest, reason: str, attempts: int, started: float, http_status: int | None = None
) -> FetchResult:
    """A FetchResult for a failed fetch."""
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
    resting: dict[str, FetchResult] | None = None,
) -> Iterator[tuple[FetchRequest, FetchResult]]:
    """Fetch many feeds concurrently, one request at a time per host, yielding each as it finishes. A host
    that still throttles after the retries gets no more requests this run (each is reported failed);
    ``resting`` (host -> its last throttled answer) carries that across calls that make up one run.

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
    resting = {} if resting is None else resting

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
                    host = (urlsplit(request.url).hostname or "").lower()
                    if (throttled := resting.get(host)) is not None:  # asking again now would be impolite
                        reason = f"not fetched: {host} throttled an earlier request of this run ({throttled.error})"
                        done.put((request, _failure(request, reason, 0, time.monotonic(), throttled.http_status)))
                        continue
                    result = fetch(client, request, policy, stop=stop)
                    if result.status == FetchStatus.ERROR and result.http_status in THROTTLED:
                        resting[host] = result
                    done.put((request, result))
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
