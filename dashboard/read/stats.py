"""What is stored: article counts per feed and per source, time span, and each feed's last fetch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from dashboard.store import windows
from dashboard.store.schema import article_feeds, articles, feeds


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def feed_health(engine: Engine) -> list[dict[str, Any]]:
    """Each feed's articles and its last fetch: how it is doing, JSON-ready."""
    with engine.connect() as conn:
        return _feeds(conn)


def _feeds(conn: Connection) -> list[dict[str, Any]]:
    per_feed = conn.execute(
        select(
            feeds.c.name,
            feeds.c.url,
            func.count(article_feeds.c.article_id).label("articles"),
            feeds.c.last_fetch_at,
            feeds.c.last_status,
            feeds.c.last_http_status,
            feeds.c.last_error,
            feeds.c.last_warning,
        )
        .select_from(feeds.outerjoin(article_feeds, article_feeds.c.feed_id == feeds.c.id))
        .group_by(feeds.c.id)
        .order_by(feeds.c.name)
    ).all()
    return [
        {
            "name": r.name,
            "url": r.url,
            "articles": r.articles,
            "last_fetch": _iso(r.last_fetch_at),
            "status": r.last_status,
            "http_status": r.last_http_status,
            "error": r.last_error,
            "warning": r.last_warning,
        }
        for r in per_feed
    ]


def collect_stats(engine: Engine, top_sources: int = 20) -> dict[str, Any]:
    """A JSON-ready summary of the store."""
    with engine.connect() as conn:
        total, first, last = conn.execute(
            select(func.count(), func.min(articles.c.published_at), func.max(articles.c.published_at))
        ).one()
        feeds_now = _feeds(conn)
        n = func.count().label("articles")
        per_source = conn.execute(
            select(articles.c.publisher, n).group_by(articles.c.publisher).order_by(n.desc(), articles.c.publisher)
        ).all()
        history = windows.history_state(conn)
    return {
        "articles": total,
        "history": history,
        "first_published": _iso(first),
        "last_published": _iso(last),
        "feeds": feeds_now,
        "sources": [{"publisher": r.publisher, "articles": r.articles} for r in per_source[:top_sources]],
        "source_count": len(per_source),
    }
