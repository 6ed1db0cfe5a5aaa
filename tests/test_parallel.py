"""Analysis in worker processes: the same answers as in this process, in order, and no lasting side effects."""

from __future__ import annotations

import gc

import pytest

from dashboard.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.parallel import BULK_GC_THRESHOLDS, ParallelAnalyzer

ANALYZER = Analyzer.from_config(load_config(DEFAULT_CONFIG))
ITEMS = [(f"Meta cuts {n} jobs as OpenAI raises $40B", "Burned-out staff describe 80-hour weeks.") for n in range(600)]


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
