"""A real ``streamlit run`` on a free port, and the settings Debian's Chromium is driven with."""

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
def streamlit(
    database_url: str, command: tuple[str, ...] = ("-m", "dashboard.ui.serve"), env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Start the dashboard (as the README does) on a free port, with ``env`` added to its environment; yields
    once its health check answers. If it never does, the error carries the end of what the server printed."""
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
            env={**os.environ, **(env or {}), "DATABASE_URL": database_url},
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


def chromium() -> str:
    """The path of Debian's Chromium."""
    return shutil.which("chromium") or "/usr/bin/chromium"
