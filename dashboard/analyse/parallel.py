"""Analysis on every core: worker processes each hold the analyzer and score batches of articles."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.pool import AsyncResult, Pool
from typing import Generic, Protocol, TypeVar

from dashboard.analyse.analysis import Analyzer
from dashboard.models import ArticleAnalysis

Items = Sequence[tuple[str, str]]
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
_WORKER: Analyzer | None = None
MIN_PARALLEL = 200  # smaller batches cost more to ship to a worker than to score here
# Bulk work makes millions of short-lived objects without cycles; at Python's default thresholds (700, 10, 10)
# the collector re-walks every long-lived object (analyzer, SQLAlchemy, modules) again and again: about a
# third of ingest's CPU. Existing objects are frozen out of collection and new ones collected less often.
BULK_GC_THRESHOLDS = (20_000, 20, 20)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this worker when its parent dies, however it dies (SIGKILL too): a pool's workers
    otherwise wait on their task pipe forever, since each holds the pipe's other end open itself."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: workers still end when the pool is closed
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _set_worker(analyzer: Analyzer, parent: int) -> None:
    global _WORKER
    _WORKER = analyzer
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, between feeds
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's stop handler is not the worker's


def _analyse(items: Items) -> list[ArticleAnalysis]:
    assert _WORKER is not None
    return _WORKER.analyse_many(items)


def _call(function: Callable[..., T], args: tuple[object, ...]) -> T:
    assert _WORKER is not None
    return function(_WORKER, *args)


class Later(Protocol[T_co]):
    """A result that may still be computing: ask whether it is ready, or wait for it."""

    def ready(self) -> bool: ...

    def get(self) -> T_co: ...


class Done(Generic[T]):
    """A result computed already (or an exception raised computing it), shaped like a pending one."""

    def __init__(self, function: Callable[[], T]) -> None:
        try:
            self._value: T | None = function()
            self._error: Exception | None = None
        except Exception as exc:
            self._value, self._error = None, exc

    def ready(self) -> bool:
        return True

    def get(self) -> T:
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ParallelAnalyzer:
    """``analyse_many`` spread over worker processes (forked, so each inherits the built analyzer).

    Use as a context manager around bulk work (it also collects garbage less often meanwhile); with one
    worker it scores in this process and starts nothing."""

    def __init__(self, analyzer: Analyzer, workers: int | None = None, chunk: int = 250) -> None:
        self.analyzer = analyzer
        self.workers = workers or default_workers()
        self.chunk = chunk
        self._pool: Pool | None = None
        self._gc_thresholds = gc.get_threshold()

    def __enter__(self) -> ParallelAnalyzer:
        self._gc_thresholds = gc.get_threshold()
        gc.freeze()  # before forking, too: the workers then share these pages instead of copying them
        gc.set_threshold(*BULK_GC_THRESHOLDS)
        if self.workers > 1:
            load = getattr(self.analyzer, "load_models", None)  # an Analyzer's lazily loaded models, once, here:
            if load is not None:  # the forked workers share them rather than each load its own
                load()
            context = multiprocessing.get_context("fork")
            self._pool = context.Pool(self.workers, initializer=_set_worker, initargs=(self.analyzer, os.getpid()))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        gc.set_threshold(*self._gc_thresholds)
        gc.unfreeze()

    def _chunks(self, items: Items) -> list[Items]:
        return [items[i : i + self.chunk] for i in range(0, len(items), self.chunk)]

    def analyse_many(self, items: Items) -> list[ArticleAnalysis]:
        """Analyses of (title, summary) pairs, in order."""
        if self._pool is None or len(items) < MIN_PARALLEL:
            return self.analyzer.analyse_many(items)
        return [a for part in self._pool.map(_analyse, self._chunks(items)) for a in part]

    def submit(self, function: Callable[..., T], *args: object) -> Later[T]:
        """Run ``function(analyzer, *args)`` in a worker (here, with one worker); its result, or its
        exception, comes from ``get()``."""
        if self._pool is None:
            return Done(lambda: function(self.analyzer, *args))
        return self._pool.apply_async(_call, (function, args))

    def stream(self, batches: Iterable[Items], ahead: int | None = None) -> Iterator[list[ArticleAnalysis]]:
        """Analyses batch by batch, in order, computed a few batches ahead in the workers while the caller
        stores earlier ones (bounded, so a million articles never sit in memory at once)."""
        if self._pool is None:
            yield from (self.analyzer.analyse_many(batch) for batch in batches)
            return
        pending: deque[AsyncResult[list[ArticleAnalysis]]] = deque()
        limit = ahead or 2 * self.workers
        for batch in batches:
            pending.append(self._pool.apply_async(_analyse, (batch,)))
            if len(pending) > limit:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
