"""Fetch feeds over HTTP politely and defensively: timeouts, size cap, retries, conditional GET."""

from __future__ import annotations

import ipaddress
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
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
            return _failure(request, str(exc), attempts, started, exc.http_status)
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
