"""One database as the read side sees it: its engine, and everything kept between reads of it."""

from __future__ import annotations

import threading

import numpy as np
from sqlalchemy import Engine, select

from dashboard.store import facts, rollups
from dashboard.store.facts import Facts, StoryFacts
from dashboard.store.schema import articles
from dashboard.store.search import index_only_ids, keyword_condition

Version = tuple[int, str]  # the newest article id, and when the analysis was last rewritten
KEYWORDS_KEPT = 32


class Reader:
    """The engine, the data version, the label bits, the per-article facts and recent keyword selections of one
    database. What it keeps is checked against the data version at every use, so it is never stale; the UI
    holds one Reader per database for the whole server, a command or a benchmark makes its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._facts: Facts | None = None
        self._stories: tuple[Facts, StoryFacts] | None = None
        self._bits: tuple[Version, dict[str, dict[str, int]]] | None = None
        self._keywords: dict[tuple[str, Version], np.ndarray] = {}

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def version(self) -> Version:
        """The data version now (one small query)."""
        return facts.data_version(self.engine)

    def facts(self) -> Facts:
        """The facts of every stored article, loaded on first use and kept current."""
        version = self.version()
        with self._lock:
            self._facts = facts.refreshed(self.engine, self._facts, version)
            return self._facts

    def story_facts(self) -> StoryFacts:
        """Each story's facts, derived from the article facts and kept while they are current."""
        held = self.facts()
        with self._lock:
            if self._stories is None or self._stories[0] is not held:
                self._stories = (held, facts.story_facts(held))
            return self._stories[1]

    def label_bits(self) -> dict[str, dict[str, int]]:
        """Each company's and topic's bit value in the stored bit sets."""
        version = self.version()
        with self._lock:
            if self._bits is None or self._bits[0] != version:
                with self.engine.connect() as conn:
                    self._bits = (version, rollups.all_bits(conn))
            return self._bits[1]

    def keyword_ids(self, keyword: str) -> np.ndarray:
        """Ids of the articles whose title or summary matches a keyword (the full-text index, then the pattern
        when the index alone cannot decide), sorted; kept per keyword until the data changes."""
        key = (keyword, self.version())
        with self._lock:
            if key in self._keywords:
                return self._keywords[key]
        statement = index_only_ids(keyword, self.dialect)
        if statement is None:
            statement = select(articles.c.id).where(keyword_condition(keyword, self.dialect))
        with self.engine.connect() as conn:
            rows = facts.raw_rows(conn, statement)
        ids = np.sort(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
        with self._lock:
            if len(self._keywords) >= KEYWORDS_KEPT:
                self._keywords.pop(next(iter(self._keywords)))
            self._keywords[key] = ids
        return ids
