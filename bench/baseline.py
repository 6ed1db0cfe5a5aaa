"""The obvious approach, for comparison: every article in one pandas DataFrame grouped in memory, and an
ingest loop that scores each entry with plain VADER and commits each row."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta

import feedparser
import httpx
import pandas as pd
from sqlalchemy import Engine, select

from dashboard.analyse.terms import keyword_regex
from dashboard.read.filters import Filters
from dashboard.store.schema import article_companies, article_topics, articles


def load_all(engine: Engine) -> pd.DataFrame:
    """Every (article, company) row with its title, summary, publisher, tones and topics."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                articles.c.id,
                articles.c.published_at,
                articles.c.title,
                articles.c.summary,
                articles.c.publisher,
                articles.c.tone,
                article_companies.c.company,
                article_companies.c.tone.label("company_tone"),
            ).select_from(articles.outerjoin(article_companies, article_companies.c.article_id == articles.c.id))
        ).all()
        topics = conn.execute(select(article_topics.c.article_id, article_topics.c.topic)).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(rows[0]._fields) if rows else None)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    by_article = pd.DataFrame(topics, columns=["id", "topic"]).groupby("id")["topic"].agg(frozenset)
    frame["topics"] = frame["id"].map(by_article)
    return frame


def chart_data(frame: pd.DataFrame, filters: Filters, companies: Sequence[str]) -> dict[str, pd.DataFrame]:
    """What the charts need, from the in-memory frame: tone and volume per company and day, totals."""
    rows = frame
    if filters.date_from and filters.date_to:
        start = pd.Timestamp(filters.date_from, tz="UTC")
        end = pd.Timestamp(filters.date_to + timedelta(days=1), tz="UTC")
        rows = rows[(rows["published_at"] >= start) & (rows["published_at"] < end)]
    if filters.sources:
        rows = rows[rows["publisher"].isin(filters.sources)]
    if filters.topics:
        wanted = set(filters.topics)
        rows = rows[rows["topics"].map(lambda t: isinstance(t, frozenset) and bool(t & wanted))]
    if filters.q:
        pattern = keyword_regex(filters.q)
        rows = rows[rows["title"].str.contains(pattern) | rows["summary"].str.contains(pattern)]
    if filters.companies:
        ids = rows.loc[rows["company"].isin(filters.companies), "id"]
        rows = rows[rows["id"].isin(ids)]
    day = rows["published_at"].dt.floor("D")
    named = rows[rows["company"].isin(companies)]
    per_company = named.groupby([day[named.index], "company"])["company_tone"].agg(["count", "mean", "std"])
    totals = rows.drop_duplicates("id").groupby(day.loc[rows.drop_duplicates("id").index]).size()
    return {"per_company": per_company, "totals": totals}


def ingest_loop(urls: Sequence[str], database: str) -> int:
    """Fetch each feed, parse it, score each entry with VADER and insert and commit it row by row."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    conn = sqlite3.connect(database)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS articles (id INTEGER PRIMARY KEY, link TEXT UNIQUE, title TEXT, summary TEXT,"
        " published TEXT, compound REAL)"
    )
    stored = 0
    with httpx.Client(timeout=30) as client:
        for url in urls:
            parsed = feedparser.parse(client.get(url).content)
            for entry in parsed.entries:
                title, summary = entry.get("title", ""), entry.get("summary", "")
                score = analyzer.polarity_scores(f"{title} {summary}".strip())["compound"]
                conn.execute(
                    "INSERT OR IGNORE INTO articles (link, title, summary, published, compound) VALUES (?, ?, ?, ?, ?)",
                    (entry.get("link"), title, summary, entry.get("published", str(date.today())), score),
                )
                conn.commit()
                stored += 1
    conn.close()
    return stored
