"""A real ``streamlit run`` against a database, driven by Debian's Chromium: cold start and memory."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from dashboard.read.filters import VIEWS
from harness.served import CHROMIUM_ARGS, chromium, streamlit


def trivial_floor() -> float:
    """Seconds from health check to a one-chart Streamlit page drawn: what any Streamlit + Plotly app costs
    on this machine, measured beside ours."""
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "floor.py"
        script.write_text(
            "import plotly.graph_objects as go\nimport streamlit as st\n"
            "st.plotly_chart(go.Figure(go.Scatter(x=[1, 2], y=[1, 2])))\n"
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            with streamlit("sqlite://", ("-m", "streamlit", "run", str(script))) as server:
                page = browser.new_page()
                page.goto(server.base)
                expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=120_000)
                seconds = time.perf_counter() - server.healthy_at
            browser.close()
    return seconds


def visit_every_view(database_url: str) -> dict[str, float]:
    """Cold start (health check answered -> first chart drawn), each view's time to draw, and the server's
    resident memory after all of them."""
    from playwright.sync_api import expect, sync_playwright

    executable = chromium()
    out: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        with streamlit(database_url) as server:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.base)
            expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=120_000)
            out["first_figures_s"] = time.perf_counter() - server.healthy_at
            expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=120_000)
            out["cold_start_s"] = time.perf_counter() - server.healthy_at
            for view in VIEWS:
                started = time.perf_counter()
                page.goto(f"{server.base}/?view={view}")
                target = (
                    ".js-plotly-plot" if view in ("overview", "trends", "compare") else "[data-testid='stDataFrame']"
                )
                expect(page.locator(target).first).to_be_visible(timeout=120_000)
                page.wait_for_timeout(300)
                expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
                out[f"view_{view}_s"] = time.perf_counter() - started
            rss, peak = server.memory_kb()
            out["rss_mb"] = rss / 1024
            out["peak_rss_mb"] = peak / 1024
        browser.close()
    return out
