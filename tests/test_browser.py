"""A real browser against a real ``streamlit run``: shared links restore filters, charts draw, the URL follows.

Uses Debian's Chromium (installed by scripts/run-tests.sh) driven by Playwright; screenshots of every view
are saved under test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.pipeline.demo import DemoSpec, write_demo
from dashboard.store.engine import open_engine
from harness.served import CHROMIUM_ARGS, streamlit

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
VIEWS = ["overview", "trends", "spikes", "impact", "compare", "articles", "sources"]
WAIT_MS = 60_000  # every wait in this file: generous, so a loaded machine is slow, never failing
expect.set_options(timeout=WAIT_MS)


def write_test_demo(url: str) -> None:
    """The demo the browser tests read: 1,500 articles over 120 days to 2026-11-28, seed 3."""
    engine = open_engine(url)
    write_demo(
        engine,
        Analyzer.from_config(load_config(DEFAULT_CONFIG)),
        DemoSpec(articles=1500, days=120, seed=3, end=datetime(2026, 11, 28, 12, tzinfo=UTC)),
    )
    engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free port against a demo database, ready when its health check answers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    write_test_demo(url)
    with streamlit(url, ("-m", "streamlit", "run", "app.py")) as running:
        yield running.base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(executable).exists(), "Chromium is missing: scripts/run-tests.sh installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser: Browser, url: str) -> Page:
    """A page (in a browser context of its own) at ``url``, waiting for its sidebar."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_test_id("stSidebar")).to_be_attached()
    return page


def wait_until_idle(page: Page) -> None:
    """Wait on the app's own state: connected, the script run finished, nothing left to draw."""
    expect(page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']")).to_be_attached()
    expect(page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_attached()
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)  # every element drawn


def sidebar_widget(page: Page, label: str):
    return page.get_by_test_id("stSidebar").locator("[data-testid='stWidgetLabel']", has_text=label).locator("xpath=..")


def test_a_shared_link_restores_filters_and_draws_the_charts(browser: Browser, server: str) -> None:
    page = new_page(browser, f"{server}/?company=Meta&company=OpenAI&topic=burnout&step=week&norm=per100&view=trends")
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(3)
    expect(charts.first.locator(".scatterlayer .trace").first).to_be_attached()
    companies = sidebar_widget(page, "Companies")
    expect(companies).to_contain_text("Meta")
    expect(companies).to_contain_text("OpenAI")
    expect(sidebar_widget(page, "Topics")).to_contain_text("burnout")
    expect(page.get_by_role("combobox", name="Time step")).to_have_value("week")
    assert "view=trends" in page.url and "norm=per100" in page.url
    wait_until_idle(page)
    page.screenshot(path=str(ARTIFACTS / "browser-shared-link-trends.png"))
    page.context.close()


def test_changing_a_filter_updates_the_url_and_the_link_reopens_the_view(browser: Browser, server: str) -> None:
    page = new_page(browser, f"{server}/?company=Meta&view=compare")
    expect(page.locator(".js-plotly-plot")).to_have_count(3)
    page.get_by_role("combobox", name="Time step").click()
    page.get_by_role("option", name="month").click()
    page.wait_for_url(re.compile(r"step=month"))
    shared = page.url
    page.context.close()
    other = new_page(browser, shared)  # a colleague's fresh browser
    expect(other.get_by_role("combobox", name="Time step")).to_have_value("month")
    expect(sidebar_widget(other, "Companies")).to_contain_text("Meta")
    expect(other.get_by_role("radio", name="Compare")).to_be_checked()
    other.context.close()


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders_in_the_browser(browser: Browser, server: str, view: str) -> None:
    page = new_page(browser, f"{server}/?view={view}&company=Meta&company=Microsoft&company=OpenAI")
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    if view in ("overview", "trends", "impact", "compare"):
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
    else:
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-{view}.png"))
    page.context.close()


def test_the_worked_example_marks_the_event_and_answers_with_numbers(browser: Browser, server: str) -> None:
    """Burnout at Meta against OpenAI and Google around the demo's planted event: Trends, then Impact."""
    peers = "company=Meta&company=OpenAI&company=Google&topic=burnout"
    page = new_page(browser, f"{server}/?{peers}&view=trends&norm=per100&step=week&from=2026-08-01")
    wait_until_idle(page)
    marker = page.locator(".annotation-text", has_text="Demo: burnout stories begin (planted)")
    expect(marker).to_have_count(3)  # on the tone, volume and topic charts
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-example-trends.png"), full_page=True)
    page.context.close()
    page = new_page(browser, f"{server}/?{peers}&view=impact&window=40")
    wait_until_idle(page)
    expect(page.get_by_text("Burnout stories about Meta:", exact=False)).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.locator(".annotation-text", has_text="Demo: burnout stories begin (planted)")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "browser-example-impact.png"), full_page=True)
    page.context.close()
    page = new_page(browser, f"{server}/?company=Meta&topic=burnout&view=spikes&from=2026-09-01&terms=1")
    wait_until_idle(page)
    heading = page.get_by_text("What it was about: burnout · Meta, 2026-10-18 to 2026-10-28")
    heading.scroll_into_view_if_needed()
    expect(page.get_by_role("button", name="exhaustion", exact=True)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "browser-example-episode-terms.png"))
    page.context.close()


def test_a_crafted_link_draws_its_values_as_plain_text(browser: Browser, server: str) -> None:
    phishing = "[Your session expired - log in here](http://evil.example/login)"
    pixel = "![x](http://attacker.example/pixel.png)"
    query = urlencode({"topic": phishing, "company": pixel, "q": "Meta ||", "from": "0001-01-01", "view": "trends"})
    page = new_page(browser, f"{server}/?{query}")
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text(f"Link note: ignored topic={phishing!r}: not one of the known values")).to_be_visible()
    expect(page.get_by_text(f"Link note: ignored company={pixel!r}: not one of the known values")).to_be_visible()
    expect(page.get_by_text("Link note: ignored q='Meta ||': empty alternative in 'Meta ||'")).to_be_visible()
    expect(page.locator("a[href*='evil.example'], img[src*='attacker.example']")).to_have_count(0)
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "browser-crafted-link.png"))
    page.context.close()


def test_the_alerts_page_lists_rules_and_messages_and_sends_a_test(browser: Browser, tmp_path: Path) -> None:
    """The demo's planted Meta burnout episode told to a webhook on 127.0.0.1 by ``alerts``, then the page: the
    rule, the message with its target masked, and "Send test alert" reaching the webhook."""
    from tests.receivers import ReceiverServer
    from tests.test_alerts import loopback_rules_config

    receiver = ReceiverServer()
    try:
        url = f"sqlite:///{tmp_path / 'demo.db'}"
        write_test_demo(url)
        config = loopback_rules_config(tmp_path, receiver)
        env = {"DASHBOARD_CONFIG": str(config), "HOOK_TOKEN": "s3cret-token"}
        told = subprocess.run(
            [sys.executable, "-m", "dashboard", "alerts", "--since", "2026-10-01", "--db", url],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert told.returncode == 0, told.stderr
        assert len(receiver.hooks.accepted()) == 1
        with streamlit(url, ("-m", "streamlit", "run", "app.py"), env) as running:
            page = new_page(browser, f"{running.base}/?view=alerts")
            wait_until_idle(page)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
            page.get_by_role("button", name="Send test alert").click()
            expect(page.get_by_text("Test alert: 1 of 1 targets accepted it.")).to_be_visible()
            assert [b["title"] for b in receiver.hooks.bodies][1] == "Test alert: Meta burnout"
            page.reload()
            wait_until_idle(page)
            expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
            assert "s3cret" not in page.content()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "browser-alerts.png"), full_page=True)
            page.context.close()
    finally:
        receiver.stop()
