"""Analysis in worker processes: the same answers as in this process, in order, and no lasting side effects."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.parallel import BULK_GC_THRESHOLDS, ParallelAnalyzer
from dashboard.config import DEFAULT_CONFIG, load_config

ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))
ITEMS = [(f"Meta cuts {n} jobs as OpenAI raises $40B", "Burned-out staff describe 80-hour weeks.") for n in range(600)]


ROOT = Path(__file__).resolve().parent.parent


def sleep_in_worker(analyzer: object, seconds: float) -> None:
    time.sleep(seconds)


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid``, from /proc."""
    return {int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()}


def running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_die_with_their_parent_even_in_the_middle_of_a_task() -> None:
    # A worker busy with a task would otherwise finish it first, however long it takes (a quadratic
    # analysis ran for more than 15 minutes after its ingest was killed).
    script = """
import time
from dashboard.analyse.parallel import ParallelAnalyzer
from tests.test_parallel import sleep_in_worker
with ParallelAnalyzer(object(), workers=2) as parallel:
    busy = [parallel.submit(sleep_in_worker, 600) for _ in range(2)]
    print("busy", flush=True)
    time.sleep(600)
"""
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "busy\n"
    workers = children_of(process.pid)
    assert len(workers) == 2
    process.kill()
    process.wait(timeout=30)
    deadline = time.monotonic() + 60
    while any(running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [w for w in workers if running(w)] == []


def answer(analyzer: Analyzer, title: str) -> tuple[str, int]:
    return title, len(analyzer.analyse(title).companies)


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_answer_as_the_analyzer_does_in_order(workers: int) -> None:
    with ParallelAnalyzer(ANALYZER, workers=workers) as parallel:
        assert parallel.analyse_many(ITEMS) == ANALYZER.analyse_many(ITEMS)
        assert [a.tone for batch in parallel.stream([ITEMS[:300], ITEMS[300:]]) for a in batch] == [
            a.tone for a in ANALYZER.analyse_many(ITEMS)
        ]
        assert parallel.submit(answer, "Google and Nvidia").get() == ("Google and Nvidia", 2)


def test_bulk_work_collects_garbage_less_often_and_restores_the_collector_after() -> None:
    before = gc.get_threshold()
    with ParallelAnalyzer(ANALYZER, workers=2):
        assert gc.get_threshold() == BULK_GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
