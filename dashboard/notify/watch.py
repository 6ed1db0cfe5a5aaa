"""The episodes an alert rule watches: its filters, and the episodes of them that are recent and large enough,
with their make-up (the same episodes and numbers the Spikes view shows for the rule's link)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from dashboard.config import AlertRule, Config
from dashboard.read import queries, views
from dashboard.read.filters import Filters
from dashboard.read.reader import Reader

LOOKBACK = 120  # days of history the episodes are judged on (and the linked view shows)
RECENT = 2  # by default an episode is told if it ran on one of the last RECENT days


@dataclass(frozen=True)
class Found:
    """One episode of a rule's series, with everything a message says about it."""

    series: str
    company: str
    topic: str
    start: date
    end: date
    stories: int
    articles: int
    outlets: int
    expected: float
    usual_low: int
    usual_high: int
    times: float
    tone: float | None
    tone_low: float | None
    tone_high: float | None
    usual_tone: float | None
    shift_low: float | None
    shift_high: float | None
    top: tuple[tuple[str, int], ...]  # its largest stories: headline, outlets
    filters: Filters  # the view that shows it

    @property
    def tone_moved(self) -> bool:
        """Whether its tone departs from the series' usual tone (the 95% interval of the shift excludes 0)."""
        if self.shift_low is None or self.shift_high is None:
            return False
        return self.shift_low > 0 or self.shift_high < 0

    @property
    def kind(self) -> str:
        return "tone" if self.tone_moved else "volume"


def rule_filters(rule: AlertRule, today: date) -> Filters:
    """The filters of what a rule watches, over the LOOKBACK days to ``today``, counting stories."""
    return Filters(
        companies=tuple(rule.companies),
        topics=(rule.topic,) if rule.topic else (),
        q=rule.keyword or "",
        date_from=today - timedelta(days=LOOKBACK - 1),
        date_to=today,
        step="day",
        count="stories",
        view="spikes",
    )


def _optional(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def episodes(reader: Reader, config: Config, rule: AlertRule, today: date, since: date | None = None) -> list[Found]:
    """The rule's episodes that ran on or after ``since`` (default: the last RECENT days), of its kind, with at
    least its stories and outlets; oldest first."""
    since = since or today - timedelta(days=RECENT - 1)
    filters = rule_filters(rule, today)
    table = views.find_episodes(reader, config, filters)
    wanted = "topic" if rule.topic else "volume"
    found = []
    for _, row in table[table["kind"] == wanted].iterrows():
        first, last = views.episode_span(row, "day")
        if last < since:
            continue
        narrowed = replace(filters, companies=(row["company"],), date_from=first, date_to=last)
        stories, articles, outlets, largest = queries.story_summary(reader, narrowed, (first, last), 3)
        if stories < rule.min_stories or outlets < rule.min_outlets:
            continue
        link = replace(narrowed, date_from=max(filters.date_from, first - timedelta(days=28)), date_to=today)
        episode = Found(
            series=row["series"],
            company=row["company"],
            topic=row["topic"],
            start=first,
            end=last,
            stories=stories,
            articles=articles,
            outlets=outlets,
            expected=float(row["expected"]),
            usual_low=int(row["usual_low"]),
            usual_high=int(row["usual_high"]),
            times=float(row["times"]),
            tone=_optional(row["tone"]),
            tone_low=_optional(row["tone_low"]),
            tone_high=_optional(row["tone_high"]),
            usual_tone=_optional(row["usual_tone"]),
            shift_low=_optional(row["shift_low"]),
            shift_high=_optional(row["shift_high"]),
            top=tuple(zip(largest["title"].tolist(), largest["outlets"].astype(int).tolist(), strict=True)),
            filters=link,
        )
        if rule.kind == "both" or rule.kind == episode.kind:
            found.append(episode)
    return sorted(found, key=lambda e: (e.start, e.series))
