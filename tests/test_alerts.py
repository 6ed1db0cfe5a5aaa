"""Alerts, end to end with real servers: a feed that plants a burnout episode at Meta is ingested by the real
command, and the rule's targets (a JSON webhook and an SMTP server on 127.0.0.1) get one message each, once."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from dashboard.notify import message, watch
from dashboard.read.filters import Filters
from tests.conftest import loopback_config_text
from tests.receivers import ReceiverServer, SMTPReceiver
from tests.test_workers import log_until

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD_URL = "https://news.example.org/team"
BACKGROUND_DAYS = 40


def _item(title: str, at: datetime, n: int, publisher: str = "Example Wire") -> str:
    return (
        f"<item><title>{escape(title)}</title><link>https://wire.example.org/{n}</link>"
        f"<guid>wire-{n}</guid><pubDate>{format_datetime(at)}</pubDate><source>{publisher}</source>"
        f"<description>{escape(title)}.</description></item>"
    )


def planted_feed(burst: int, now: datetime) -> bytes:
    """Forty days of ordinary Meta news (two stories a day), then ``burst`` burnout stories at Meta, two in
    five the day before yesterday and the rest yesterday, each with figures of its own so no two are one
    story (whatever the hour, the episode is the same two days)."""
    items = []
    for day in range(BACKGROUND_DAYS, 2, -1):
        for k in range(2):
            n = day * 10 + k
            items.append(_item(f"Meta opens research office {n} in district {n + 7}", now - timedelta(days=day), n))
    outlets = ["Example Wire", "Daily Example", "Example Times"]
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for i in range(burst):
        day = 2 if i < burst * 2 // 5 else 1
        at = midnight - timedelta(days=day) + timedelta(hours=6, minutes=30 * i)
        title = f"Meta engineers describe burnout after {60 + i}-hour weeks on team {300 + i}"
        items.append(_item(title, at, 5000 + i, outlets[i % 3]))
    channel = "".join(items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{channel}</channel></rss>'.encode()


def rule_toml(*targets: str, kind: str = "both") -> str:
    urls = ", ".join(json.dumps(t) for t in targets)
    return (
        '\n[[alerts]]\nname = "Meta burnout"\ncompanies = ["Meta"]\ntopic = "burnout"\n'
        f'kind = "{kind}"\nmin_stories = 3\nnotify = [{urls}]\n'
    )


@pytest.fixture
def receiver() -> Iterator[ReceiverServer]:
    server = ReceiverServer()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SMTPReceiver]:
    server = SMTPReceiver()
    yield server
    server.stop()


def run(*args: str, config: Path, db: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DASHBOARD_URL": DASHBOARD_URL, "HOOK_TOKEN": "s3cret-token"}
    command = [sys.executable, "-m", "dashboard", *args, "--config", str(config), "--db", db]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def write_config(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(loopback_config_text() + rules, encoding="utf-8")
    return path


def loopback_rules_config(tmp_path: Path, receiver: ReceiverServer) -> Path:
    """The shipped config with one rule, Meta burnout, telling a webhook on the receiver."""
    return write_config(tmp_path, rule_toml(hook_url(receiver)))


def hook_url(receiver: ReceiverServer) -> str:
    return receiver.url("/hook").replace("http://", "json://") + "?token=${HOOK_TOKEN}"


def mail_url(smtp: SMTPReceiver) -> str:
    return f"mailto://127.0.0.1:{smtp.port}?from=alerts@example.org&to=analyst@example.org"


def test_a_planted_episode_is_told_once_to_each_target_and_again_only_when_it_doubles(
    tmp_path: Path, receiver: ReceiverServer, smtp: SMTPReceiver, sqlite_url: str
) -> None:
    now = datetime.now(UTC)
    config = write_config(tmp_path, rule_toml(hook_url(receiver), mail_url(smtp)))
    feed = receiver.url("/feed.xml")
    receiver.feed = planted_feed(10, now)

    ingested = run("ingest", "--url", feed, config=config, db=sqlite_url)
    assert "alert sent: Meta burnout" in ingested.stderr
    assert len(receiver.hooks.accepted()) == 1 and len(smtp.messages) == 1

    body = receiver.hooks.bodies[0]
    assert body["title"] == f"Episode: burnout · Meta, 10 stories since {(now - timedelta(days=2)):%d %b}"
    text = str(body["message"])
    assert "Burnout at Meta: 10 stories (10 articles, 3 outlets)" in text
    assert text.count("\n- Meta engineers describe burnout") == 3
    assert f"Open it: {DASHBOARD_URL}/?company=Meta&topic=burnout&from=" in text
    assert "view=spikes" in text

    mail = smtp.messages[0]
    assert mail["Subject"] == body["title"] and mail["To"] == "analyst@example.org"
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == text.strip()
    images = [part for part in mail.iter_attachments() if part.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content().startswith(b"\x89PNG")

    # Checked again, nothing has changed: nothing is sent.
    again = run("alerts", config=config, db=sqlite_url)
    assert again.stdout.strip() == "no new episodes to tell"
    receiver.feed = planted_feed(15, now)  # grown by half: still the same episode, not told again
    run("ingest", "--url", feed, config=config, db=sqlite_url)
    assert len(receiver.hooks.bodies) == 1 and len(smtp.messages) == 1

    receiver.feed = planted_feed(20, now)  # doubled: one follow-up to each target
    run("ingest", "--url", feed, config=config, db=sqlite_url)
    assert len(receiver.hooks.accepted()) == 2 and len(smtp.messages) == 2
    follow_up = str(receiver.hooks.bodies[1]["message"])
    assert receiver.hooks.bodies[1]["title"].startswith("Doubled: Episode: burnout · Meta, 20 stories")
    assert follow_up.startswith("Update: this episode has doubled since it was last told (10 -> 20 stories).")

    listed = run("alerts", "--dry-run", "--json", config=config, db=sqlite_url)
    assert listed.stdout == ""


def test_a_target_that_fails_is_told_once_after_a_retry(
    tmp_path: Path, receiver: ReceiverServer, sqlite_url: str
) -> None:
    config = write_config(tmp_path, rule_toml(hook_url(receiver)))
    receiver.feed = planted_feed(10, datetime.now(UTC))
    receiver.hooks.statuses = [500]

    first = run("ingest", "--url", receiver.url("/feed.xml"), config=config, db=sqlite_url)
    assert "alert retry: Meta burnout" in first.stderr and "did not accept the message" in first.stderr
    assert receiver.hooks.answered == [500]

    second = run("alerts", config=config, db=sqlite_url)
    assert second.stdout.startswith("sent: Meta burnout: Episode: burnout · Meta, 10 stories")
    assert "s3cret" not in first.stderr + second.stdout  # the token is masked wherever the target is shown
    assert receiver.hooks.answered == [500, 200]
    assert run("alerts", config=config, db=sqlite_url).stdout.strip() == "no new episodes to tell"
    assert receiver.hooks.answered == [500, 200]


def test_two_processes_checking_at_once_send_one_message(tmp_path: Path, receiver: ReceiverServer, db_url: str) -> None:
    quiet = write_config(tmp_path, "")
    receiver.feed = planted_feed(10, datetime.now(UTC))
    run("ingest", "--url", receiver.url("/feed.xml"), config=quiet, db=db_url)
    config = write_config(tmp_path, rule_toml(hook_url(receiver)))
    receiver.hooks.delay = 1.0  # each send takes a second, so the two checks overlap

    env = {**os.environ, "DASHBOARD_URL": DASHBOARD_URL, "HOOK_TOKEN": "s3cret-token"}
    command = [sys.executable, "-m", "dashboard", "alerts", "--json", "--config", str(config), "--db", db_url]
    checks = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [check.communicate(timeout=300)[0] for check in checks]

    assert [c.returncode for c in checks] == [0, 0]
    sent = [json.loads(line) for out in outputs for line in out.splitlines()]
    assert [s["status"] for s in sent] == ["sent"]
    assert len(receiver.hooks.bodies) == 1


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            rule_toml("json://127.0.0.1/hook", kind="loud"),
            "alerts[0] (\"Meta burnout\").kind: Input should be 'volume', 'tone' or 'both'",
        ),
        (
            rule_toml("hooks.example.org/x"),
            "alerts[0] (\"Meta burnout\").notify: Value error, 'hooks.example.org/x' is not an Apprise URL (scheme://...)",
        ),
        (
            rule_toml("json://h/x").replace('["Meta"]', '["Metta"]'),
            'alerts[0] ("Meta burnout").companies: "Metta" is not a configured company',
        ),
        (
            rule_toml("json://h/x").replace('"burnout"', '"burnin"'),
            'alerts[0] ("Meta burnout").topic: "burnin" is not a configured topic',
        ),
    ],
)
def test_a_malformed_rule_is_a_config_error_naming_the_entry(
    tmp_path: Path, sqlite_url: str, rule: str, message: str
) -> None:
    config = write_config(tmp_path, rule)
    done = run("alerts", config=config, db=sqlite_url, check=False)
    assert done.returncode == 2
    assert f"{config}: {message}" in done.stderr


def test_a_worker_tells_an_episode_after_the_round_that_stored_it(
    tmp_path: Path, receiver: ReceiverServer, sqlite_url: str
) -> None:
    """Every company's search feed is the planted one here; the outlets' feeds are left out."""
    receiver.feed = planted_feed(10, datetime.now(UTC))
    text = loopback_config_text()
    text = re.sub(r"(?m)^\[\[feeds\]\]\n(?:(?!\[).*\n)*", "", text)
    text = re.sub(r'(?m)^template = ".*"$', f'template = "{receiver.url("/feed.xml")}?q={{query}}"', text)
    config = tmp_path / "config.toml"
    config.write_text(text + rule_toml(hook_url(receiver)), encoding="utf-8")
    env = {**os.environ, "DASHBOARD_URL": DASHBOARD_URL, "HOOK_TOKEN": "s3cret-token"}
    command = [sys.executable, "-m", "dashboard", "worker", "--json", "--config", str(config), "--db", sqlite_url]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = log_until(worker, "alert")
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
    events = [line["event"] for line in lines]
    assert events.index("alert") == events.index("round") + 1
    alert = lines[-1]
    assert (alert["rule"], alert["series"], alert["status"]) == ("Meta burnout", "burnout · Meta", "sent")
    assert len(receiver.hooks.accepted()) == 1


def _found(**changes: object) -> watch.Found:
    base = watch.Found(
        series="burnout · Meta",
        company="Meta",
        topic="burnout",
        start=date(2026, 10, 18),
        end=date(2026, 10, 28),
        stories=65,
        articles=126,
        outlets=8,
        expected=5.5,
        usual_low=1,
        usual_high=13,
        times=11.8,
        tone=-0.52,
        tone_low=-0.6,
        tone_high=-0.44,
        usual_tone=-0.1,
        shift_low=-0.5,
        shift_high=-0.34,
        top=(),
        filters=Filters(companies=("Meta",), topics=("burnout",)),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "tone"),
    [
        (
            {},
            " Tone toward Meta \u22120.52 (95% \u22120.60 to \u22120.44), more negative than its usual \u22120.10 "
            "(shift 95% \u22120.50 to \u22120.34).",
        ),
        (
            {"shift_low": -0.2, "shift_high": 0.1},
            " Tone toward Meta \u22120.52 (95% \u22120.60 to \u22120.44), near its usual \u22120.10 "
            "(shift 95% \u22120.20 to +0.10).",
        ),
        (
            {"usual_tone": None, "shift_low": None, "shift_high": None},
            " Tone toward Meta \u22120.52 (95% \u22120.60 to \u22120.44), with too little history to compare.",
        ),
        ({"tone": None}, " Too few articles carry a tone toward Meta to say how they read."),
    ],
)
def test_the_sentence_gives_size_dates_and_tone_with_their_uncertainty(changes: dict[str, object], tone: str) -> None:
    size = (
        "Burnout at Meta: 65 stories (126 articles, 8 outlets) from 18 Oct to 28 Oct 2026, 11.8 times the 5.5 "
        "expected (90% of quiet runs: 1 to 13)."
    )
    assert message.sentence(_found(**changes)) == size + tone


def test_a_keyword_rule_names_its_keyword_and_a_company_rule_its_coverage() -> None:
    found = _found(series="Meta", topic="", filters=Filters(companies=("Meta",), q="data center*"))
    assert message.sentence(found).startswith('Coverage of Meta matching "data center*": 65 stories')
