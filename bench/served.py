"""A real ``streamlit run`` against a database, driven by Debian's Chromium: each view opened from a new link,
beside a one-chart Streamlit page opened the same way in the same run (the floor any Streamlit + Plotly page
costs on this machine), and the server's memory."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from dashboard.read.filters import VIEWS
from harness.served import CHROMIUM_ARGS, chromium, streamlit

WAIT_MS = 120_000
FLOOR_SCRIPT = (
    "import plotly.graph_objects as go\nimport streamlit as st\n"
    "st.plotly_chart(go.Figure(go.Scatter(x=[1, 2], y=[1, 2])))\n"
)
# A link a user might mistype or craft: every parameter is noted and ignored, the default view is drawn.
BAD_LINK = "?company=Nokia&from=last+week&smooth=999&view=admin&q=%7C"
DRAWN = {
    "overview": ".js-plotly-plot",
    "trends": ".js-plotly-plot",
    "impact": ".js-plotly-plot",
    "compare": ".js-plotly-plot",
}
# A view that needs a choice to draw anything gets the worked example's (the first company against the others).
CHOICES = {"impact": "&company=Meta&company=OpenAI&company=Google&topic=burnout"}


def drawn(page: Any, target: str) -> None:
    """Wait until the page is drawn: the script run finished, nothing left loading, ``target`` visible."""
    from playwright.sync_api import expect

    expect(page.locator(target).first).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_attached(timeout=WAIT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=WAIT_MS)


def open_link(browser: Any, url: str, target: str) -> float:
    """Seconds from opening ``url`` in a fresh browser context (a colleague clicking a link) to drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    drawn(page, target)
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def floor(browser: Any) -> dict[str, float]:
    """The one-chart page: cold (health check answered -> drawn) and warm (a new link once it has run)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "floor.py"
        script.write_text(FLOOR_SCRIPT)
        with streamlit("sqlite://", ("-m", "streamlit", "run", str(script))) as server:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(server.base)
            drawn(page, ".js-plotly-plot")
            cold = time.perf_counter() - server.healthy_at
            context.close()
            warm = min(open_link(browser, server.base, ".js-plotly-plot") for _ in range(3))
    return {"floor_cold_s": cold, "floor_warm_s": warm}


def visit_every_view(database_url: str) -> dict[str, float]:
    """The floor, then against the dashboard: cold start (health check answered -> first chart drawn), each
    view from a new link (best of two, after one visit warmed it), a link with bad parameters, and the
    server's resident memory after all of them."""
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        out.update(floor(browser))
        with streamlit(database_url) as server:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(server.base)
            from playwright.sync_api import expect

            expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=WAIT_MS)
            out["first_figures_s"] = time.perf_counter() - server.healthy_at
            drawn(page, ".js-plotly-plot")
            out["cold_start_s"] = time.perf_counter() - server.healthy_at
            context.close()
            for view in VIEWS:
                target = DRAWN.get(view, "[data-testid='stDataFrame']")
                link = f"{server.base}/?view={view}{CHOICES.get(view, '')}"
                out[f"view_{view}_s"] = min(open_link(browser, link, target) for _ in range(2))
            out["view_bad_link_s"] = min(
                open_link(browser, server.base + BAD_LINK, ".js-plotly-plot") for _ in range(2)
            )
            rss, peak = server.memory_kb()
            out["rss_mb"] = rss / 1024
            out["peak_rss_mb"] = peak / 1024
        browser.close()
    return out
