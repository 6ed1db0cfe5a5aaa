"""Fetching over real HTTP from 127.0.0.1: limits, retries, conditional GET and politeness."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.fetch import USER_AGENT, FetchPolicy, FetchRequest, fetch, fetch_all, make_client
from dashboard.models import FetchResult, FetchStatus
from tests.feedserver import FeedHTTPServer


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


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 429])
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
    result = get(feed_server, "/status/503", policy)
    assert (result.status, result.error, result.attempts) == (FetchStatus.ERROR, "HTTP 503 (after 3 attempts)", 3)


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
    tight = FetchPolicy(read_timeout=2.0, deadline=2.5, retries=5, backoff=0.05)
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
