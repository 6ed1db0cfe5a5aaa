"""A real ``streamlit run`` against a database, driven by Debian's Chromium: cold start and memory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ["overview", "trends", "spikes", "compare", "articles", "sources"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_kb(pid: int) -> tuple[int, int]:
    """A process's resident memory now and at its peak (VmRSS, VmHWM from /proc), in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    healthy_at: float

    def memory_kb(self) -> tuple[int, int]:
        """The server's resident memory now and at its peak, in KiB."""
        return memory_kb(self.process.pid)


@contextmanager
def streamlit(database_url: str, command: tuple[str, ...] = ("-m", "dashboard.ui.serve")) -> Iterator[Server]:
    """Start the dashboard (as the README does) on a free port; yields once its health check answers.
    If it never does, the error carries the end of what the server printed."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [
                sys.executable,
                *command,
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        try:
            while True:
                try:
                    if httpx.get(f"{base}/_stcore/health", timeout=2).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    output.seek(0)
                    tail = output.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"streamlit exited or did not answer its health check within 120 s: {tail}")
                time.sleep(0.05)
            yield Server(base, process, time.perf_counter())
        finally:
            process.terminate()
            process.wait(timeout=30)


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
            browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
            with streamlit("sqlite://", ("-m", "streamlit", "run", str(script))) as server:
                page = browser.new_page()
                page.goto(server.base)
                expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=120_000)
                seconds = time.perf_counter() - server.healthy_at
            browser.close()
    return seconds


def _chromium() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


def visit_every_view(database_url: str) -> dict[str, float]:
    """Cold start (health check answered -> first chart drawn), each view's time to draw, and the server's
    resident memory after all of them."""
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
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
