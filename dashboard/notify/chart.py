"""The Trends chart of an episode as a PNG for e-mail: Plotly's static export, Kaleido driving Chromium."""

from __future__ import annotations

import logging

from dashboard.config import Config
from dashboard.read import charts, views
from dashboard.read.filters import Filters
from dashboard.read.reader import Reader

log = logging.getLogger(__name__)


def picture(reader: Reader, config: Config, filters: Filters) -> bytes | None:
    """The chart the link opens on (the topic chart for a topic, else volume), or None where no browser can
    draw it (the message then goes as text alone)."""
    shown = views.trends_view(reader, config, filters)
    names = [c.name for c in config.companies]
    if filters.topics:
        fig = charts.topic_chart(shown.topics, names, filters.norm, shown.episodes, filters.count)
    else:
        fig = charts.volume_chart(shown.volume, names, "n", shown.episodes, filters.count)
    try:
        return bytes(fig.to_image(format="png", width=900, height=420))
    except Exception as exc:  # Kaleido raises several kinds when no Chromium can start
        log.warning("chart not drawn, sending text only: %s", exc)
        return None
