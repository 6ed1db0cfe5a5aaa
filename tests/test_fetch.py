"""Fetching over real HTTP from 127.0.0.1: limits, retries, conditional GET and politeness."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from dashboard.collect.connect import refusal
from dashboard.collect.fetch import USER_AGENT, FetchPolicy, FetchRequest, fetch, fetch_all, make_client
from dashboard.models import FetchResult, FetchStatus
from tests.conftest import LOOPBACK
from tests.feedserver import FEEDS_DIR, FeedHTTPServer

ROOT = Path(__file__).resolve().parent.parent


def get(server: FeedHTTPServer, path: str, policy: FetchPolicy, **validators: str) -> FetchResult:
    with make_client(policy) as client:
        return fetch(client, FetchRequest(key=path, url=server.url(path), **validators), policy)


def test_a_feed_is_fetched_with_our_user_agent_and_gzip(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    result = get(feed_server, "/feeds/atom_verge_ai.xml", policy)
    assert (result.status, result.http_status, result.attempts) == (FetchStatus.OK, 200, 1)
    assert result.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')  # decompressed
    assert result.etag and result.last_modified == "Tue, 10 Nov 2026 19:00:00 GMT"
    [(_, headers)] = feed_server.log.requests
    assert headers["user-agent"] == USER_AGENT
    assert "gzip" in headers["accept-encoding"]


def test_second_fetch_is_conditional_and_a_304_is_success_with_nothing_new(
    feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    first = get(feed_server, "/feeds/atom_verge_ai.xml", policy)
    second = get(feed_server, "/feeds/atom_verge_ai.xml", policy, etag=first.etag, last_modified=first.last_modified)
    assert (second.status, second.http_status, second.body) == (FetchStatus.NOT_MODIFIED, 304, b"")
    assert second.etag == first.etag
    sent = feed_server.log.requests[1][1]
    assert (sent["if-none-match"], sent["if-modified-since"]) == (first.etag, first.last_modified)


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410])
def test_a_4xx_fails_at_once_without_retry(feed_server: FeedHTTPServer, policy: FetchPolicy, code: int) -> None:
    result = get(feed_server, f"/status/{code}", policy)
    assert (result.status, result.http_status, result.error, result.attempts) == (
        FetchStatus.ERROR,
        code,
        f"HTTP {code}",
        1,
    )
    assert feed_server.log.paths() == [f"/status/{code}"]


def test_a_500_is_retried_and_then_succeeds(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    result = get(feed_server, "/flaky/1/atom_verge_ai.xml", policy)
    assert (result.status, result.http_status, result.attempts) == (FetchStatus.OK, 200, 2)


def test_a_server_that_keeps_failing_gives_up_after_the_retries(
    feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    result = get(feed_server, "/status/500", policy)
    assert (result.status, result.error, result.attempts) == (FetchStatus.ERROR, "HTTP 500 (after 3 attempts)", 3)


@pytest.mark.parametrize("code", [429, 503])
def test_a_server_asking_to_slow_down_is_asked_again_after_doubling_waits_up_to_the_cap(
    feed_server: FeedHTTPServer, code: int
) -> None:
    patient = FetchPolicy(throttle_retries=3, backoff=0.1, max_backoff=0.25, allowed_networks=LOOPBACK)
    waits: list[float] = []
    with make_client(patient) as client:
        result = fetch(client, FetchRequest("k", feed_server.url(f"/status/{code}")), patient, sleep=waits.append)
    assert (result.status, result.http_status, result.attempts) == (FetchStatus.ERROR, code, 4)
    assert result.error == f"HTTP {code}: the server asks us to slow down (after 4 attempts)"
    assert waits == [0.1, 0.2, 0.25]


def test_a_redirect_loop_is_cut_off(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    result = get(feed_server, "/loop/a", policy)
    assert (result.status, result.error, result.attempts) == (FetchStatus.ERROR, "too many redirects", 1)
    assert len(feed_server.log.requests) == policy.max_redirects + 1


def test_a_server_that_never_answers_times_out_and_is_retried(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    started = time.monotonic()
    result = get(feed_server, "/hang", policy)
    assert (result.status, result.error) == (FetchStatus.ERROR, "timeout waiting for the server (after 3 attempts)")
    assert time.monotonic() - started < policy.deadline + 1


def test_the_overall_deadline_bounds_retries_and_each_wait(feed_server: FeedHTTPServer) -> None:
    # Two full read timeouts would take 4 s; the deadline cuts the second attempt short at 2.5 s.
    tight = FetchPolicy(read_timeout=2.0, deadline=2.5, retries=5, backoff=0.05, allowed_networks=LOOPBACK)
    result = get(feed_server, "/hang", tight)
    assert (result.status, result.attempts) == (FetchStatus.ERROR, 2)
    assert 2.5 <= result.elapsed < 3.5


def test_a_body_over_the_cap_is_refused(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    result = get(feed_server, f"/big/{policy.max_bytes + 1}", policy)
    assert (result.status, result.attempts) == (FetchStatus.ERROR, 1)
    assert result.error == f"response too large (over {policy.max_bytes:,} bytes)"


def test_a_body_at_the_cap_is_accepted(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    result = get(feed_server, f"/big/{policy.max_bytes}", policy)
    assert (result.status, len(result.body)) == (FetchStatus.OK, policy.max_bytes)


def test_an_unreachable_host_is_an_error_not_an_exception(policy: FetchPolicy) -> None:
    with make_client(policy) as client:
        result = fetch(client, FetchRequest("x", "http://127.0.0.1:9/feed.xml"), policy)
    assert result.status == FetchStatus.ERROR
    assert result.error is not None and result.error.startswith("cannot connect")


def test_fetch_all_sends_one_request_at_a_time_per_host_but_hosts_in_parallel(
    feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    port = feed_server.server_address[1]
    requests = [
        FetchRequest(f"{host}{i}", f"http://{host}:{port}/slow/0.2/atom_verge_ai.xml?{i}")
        for host in ("127.0.0.1", "localhost")
        for i in range(4)
    ]
    started = time.monotonic()
    results = list(fetch_all(requests, policy))
    elapsed = time.monotonic() - started
    assert sorted(r.key for r, _ in results) == sorted(r.key for r in requests)
    assert {res.status for _, res in results} == {FetchStatus.OK}
    assert dict(feed_server.log.max_in_flight) == {"127.0.0.1": 1, "localhost": 1}
    assert elapsed < 8 * 0.2  # the two hosts overlapped


def test_fetch_all_starts_no_new_request_once_stopped(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    stop = threading.Event()
    requests = [FetchRequest(str(i), feed_server.url(f"/slow/0.1/atom_verge_ai.xml?{i}")) for i in range(5)]
    seen = []
    for request, _ in fetch_all(requests, policy, stop):
        seen.append(request.key)
        stop.set()
    assert seen == ["0"]
    assert len(feed_server.log.requests) <= 2  # at most the one already under way when stop was set


def test_an_unknown_host_fails_at_once_without_retry(policy: FetchPolicy) -> None:
    with make_client(policy) as client:
        result = fetch(client, FetchRequest("x", "http://no-such-host.invalid/feed.xml"), policy)
    assert (result.status, result.attempts) == (FetchStatus.ERROR, 1)
    assert result.error is not None and result.error.startswith("unknown host")


def test_headers_that_never_end_are_cut_off_at_the_overall_deadline(
    feed_server: FeedHTTPServer, policy: FetchPolicy
) -> None:
    result = get(feed_server, "/dribble", policy)  # a header line every 0.2 s: no single read ever times out
    assert (result.status, result.error) == (FetchStatus.ERROR, "deadline exceeded")
    assert policy.deadline <= result.elapsed < policy.deadline + 2


def test_a_stop_ends_a_fetch_under_way_within_a_moment(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    with make_client(policy) as client:
        result = fetch(client, FetchRequest("x", feed_server.url("/dribble")), policy, stop=stop)
    assert (result.status, result.error, result.attempts) == (FetchStatus.ERROR, "stopped", 1)
    assert result.elapsed < policy.deadline


def test_a_gzip_bomb_in_stacked_layers_is_refused_at_the_cap_in_little_memory(
    feed_server: FeedHTTPServer, tmp_path: Path
) -> None:
    # Two gzip layers, 3 KB on the wire, a gigabyte decoded: refused at the 200 KB cap, and the fetching
    # process never holds more than a few megabytes of it (it is measured in a process of its own).
    script = f"""
import resource
from dashboard.collect.fetch import FetchPolicy, FetchRequest, fetch, make_client
policy = FetchPolicy(max_bytes=200_000, allowed_networks=("127.0.0.0/8",))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with make_client(policy) as client:
    result = fetch(client, FetchRequest("bomb", {feed_server.url("/bomb/2/1024/atom_verge_ai.xml")!r}), policy)
print(result.error)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    error, grown_mb = out.stdout.splitlines()
    assert error == "response too large (over 200,000 bytes)"
    assert int(grown_mb) < 50


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_stacked_gzip_layers_within_the_cap_are_all_undone(
    feed_server: FeedHTTPServer, policy: FetchPolicy, layers: int
) -> None:
    result = get(feed_server, f"/bomb/{layers}/0/atom_verge_ai.xml", policy)
    feed = (FEEDS_DIR / "atom_verge_ai.xml").read_bytes()
    assert (result.status, result.body) == (FetchStatus.OK, feed + b"<!---->")


def test_an_encoding_we_never_asked_for_is_the_feeds_error(feed_server: FeedHTTPServer, policy: FetchPolicy) -> None:
    result = get(feed_server, "/encoded/br/atom_verge_ai.xml", policy)
    assert (result.status, result.error) == (FetchStatus.ERROR, "unsupported Content-Encoding 'br'")


def test_a_feed_on_this_machine_is_refused_unless_its_network_is_allowed(feed_server: FeedHTTPServer) -> None:
    result = get(feed_server, "/feeds/atom_verge_ai.xml", FetchPolicy())
    assert (result.status, result.attempts) == (FetchStatus.ERROR, 1)
    assert result.error == (
        "refused to connect to 127.0.0.1 (127.0.0.1): a loopback address; "
        "list its network under [fetch] allowed_networks to allow it"
    )
    assert feed_server.log.requests == []


@pytest.mark.parametrize(
    ("target", "why"),
    [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 (169.254.169.254): a link-local (cloud metadata)",
        ),
        ("http://10.0.0.1/feed.xml", "10.0.0.1 (10.0.0.1): a private-network"),
        ("http://127.0.0.2:{port}/feeds/atom_verge_ai.xml", "127.0.0.2 (127.0.0.2): a loopback"),
        ("http://[::1]:{port}/feeds/atom_verge_ai.xml", "::1 (::1): a loopback"),
        ("http://[::ffff:192.168.0.1]/feed.xml", "::ffff:192.168.0.1 (::ffff:192.168.0.1): a private-network"),
    ],
)
def test_a_redirect_to_an_internal_address_is_refused(feed_server: FeedHTTPServer, target: str, why: str) -> None:
    only_the_feed_server = FetchPolicy(allowed_networks=("127.0.0.1/32",), retries=0)
    to = target.format(port=feed_server.server_address[1])
    result = get(feed_server, f"/redirect?to={quote(to, safe='')}", only_the_feed_server)
    assert (result.status, result.error) == (
        FetchStatus.ERROR,
        f"refused to connect to {why} address; list its network under [fetch] allowed_networks to allow it",
    )
    assert len(feed_server.log.requests) == 1  # the redirect itself, never its target


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.20.30.40", "a private-network address"),
        ("172.16.0.1", "a private-network address"),
        ("192.168.1.1", "a private-network address"),
        ("fc00::1", "a private-network address"),
        ("169.254.169.254", "a link-local (cloud metadata) address"),
        ("fe80::1", "a link-local (cloud metadata) address"),
        ("0.0.0.0", "an unspecified address"),
        ("100.64.0.1", "a reserved address"),
        ("::ffff:10.0.0.1", "a private-network address"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_which_addresses_are_refused(address: str, why: str | None) -> None:
    assert refusal(address) == why
