"""The connections a fetch opens: only to public addresses unless allowed, and never past the feed's
deadline or a stop request.

Both checks sit below HTTP, in the network backend, so they hold for every connection and every read:
redirects, keep-alive reuse and response headers included. The host is resolved once and the checked
address is the one connected to, so a second DNS answer cannot swap in an internal address.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

SLICE = 0.25  # seconds: the longest any single wait lasts before the deadline and stop are checked again


class AddressRefused(httpcore.ConnectError):
    """A connection to a loopback, private, link-local or otherwise non-public address that is not allowed."""


class DeadlineExceeded(httpcore.ReadTimeout):
    """The feed's overall deadline passed, or a stop was requested, while waiting on the network."""


@dataclass(frozen=True)
class Budget:
    """When the exchange under way must end, and the event that ends it early."""

    deadline: float
    stop: threading.Event | None = None

    def remaining(self) -> float:
        """Seconds left; raises DeadlineExceeded once none are, or once a stop was requested."""
        if self.stop is not None and self.stop.is_set():
            raise DeadlineExceeded("stopped")
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("deadline exceeded")
        return left


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("fetch_budget", default=None)


@contextmanager
def budget(deadline: float, stop: threading.Event | None = None) -> Iterator[None]:
    """Bound every connect, read and write in this thread by ``deadline`` (a monotonic time) and ``stop``."""
    token = _BUDGET.set(Budget(deadline, stop))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def refusal(address: str) -> str | None:
    """Why a connection to this IP address is refused by default, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, test in (
        ("a loopback", ip.is_loopback),
        ("an unspecified", ip.is_unspecified),
        ("a link-local (cloud metadata)", ip.is_link_local),
        ("a private-network", ip.is_private),
        ("a multicast", ip.is_multicast),
        ("a reserved", ip.is_reserved or not ip.is_global),
    ):
        if test:
            return f"{kind} address"
    return None


def _resolve(host: str, port: int) -> list[str]:
    """The host's addresses, in the resolver's order (an IP literal is its own answer)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"[Errno {exc.errno}] {exc.strerror}") from exc
    except UnicodeError as exc:
        raise httpcore.ConnectError(f"invalid host name {host!r}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _GuardedStream(httpcore.NetworkStream):
    """A stream whose reads and writes wait in short slices, each within the budget of its thread."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _sliced(lambda wait: self._inner.read(max_bytes, wait), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # A partial write cannot be resumed safely, so a write gets the whole remaining budget at once.
        self._inner.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _clamp(timeout: float | None) -> float | None:
    """The timeout cut to what the budget leaves (unchanged outside a budget)."""
    current = _BUDGET.get()
    if current is None:
        return timeout
    left = current.remaining()
    return left if timeout is None else min(timeout, left)


def _sliced(operation: Any, timeout: float | None, timeout_error: type[Exception]) -> Any:
    """Run a resumable wait (a read) in slices, so a deadline or stop ends it within one slice."""
    current = _BUDGET.get()
    if current is None:
        return operation(timeout)
    ends = None if timeout is None else time.monotonic() + timeout
    while True:
        left = current.remaining()
        if ends is not None:
            own = ends - time.monotonic()
            if own <= 0:
                raise timeout_error("timed out")
            left = min(left, own)
        try:
            return operation(min(left, SLICE))
        except httpcore.ReadTimeout:
            continue  # nothing arrived in this slice; the loop checks the budget and the timeout again


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's own socket backend, behind the address check and the budget."""

    def __init__(self, allowed_networks: Iterable[str] = ()) -> None:
        self.allowed = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]
        self._inner = httpcore.SyncBackend()

    def why_refused(self, address: str) -> str | None:
        """Why a connection to this address is refused, or None when it is public or explicitly allowed."""
        why = refusal(address)
        ip = ipaddress.ip_address(address.split("%")[0])
        if why is None or any(ip in network for network in self.allowed if ip.version == network.version):
            return None
        return why

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        allowed = [a for a in addresses if self.why_refused(a) is None]
        if not allowed:
            raise AddressRefused(
                f"refused to connect to {host} ({addresses[0]}): {self.why_refused(addresses[0])}; "
                "list its network under [fetch] allowed_networks to allow it"
            )
        error: Exception | None = None
        for address in allowed:
            try:
                stream = self._inner.connect_tcp(address, port, _clamp(timeout), local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _GuardedStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("feeds are fetched over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that uses the guarded backend."""

    def __init__(
        self, *, allowed_networks: Iterable[str], max_connections: int, max_keepalive_connections: int
    ) -> None:
        super().__init__()
        # httpx 0.28 has no public way to hand a network backend to its transport; its pool is replaced here
        # by one built with httpcore's public constructor (tests/test_fetch.py holds the behaviour).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            network_backend=GuardedBackend(allowed_networks),
        )
