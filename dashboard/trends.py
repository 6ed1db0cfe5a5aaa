"""Time-series shaping for the charts: periods, smoothing, share of voice, rates, spikes (pandas, no I/O)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

PERIOD = {"day": "D", "week": "W", "month": "M"}  # weeks start on Monday (pandas' W-SUN periods)
Z_95 = 1.96


def to_periods(timestamps: pd.Series, step: str) -> pd.Series:
    """The start of the day, week (Monday) or month each UTC timestamp falls in, as naive dates."""
    naive = pd.to_datetime(timestamps, utc=True).dt.tz_convert(None)
    return naive.dt.to_period(PERIOD[step]).dt.start_time


def period_range(start: date, end: date, step: str) -> pd.DatetimeIndex:
    """Every period from the one holding ``start`` to the one holding ``end``, so gaps show as zero."""
    first = pd.Timestamp(start).to_period(PERIOD[step]).start_time
    last = pd.Timestamp(end).to_period(PERIOD[step]).start_time
    return pd.period_range(first, last, freq=PERIOD[step]).start_time


def _complete(frame: pd.DataFrame, groups: list[str], periods: pd.DatetimeIndex, group_col: str) -> pd.DataFrame:
    """Reindex a (period, group) frame so every group has every period (missing counts become 0)."""
    index = pd.MultiIndex.from_product([periods, groups], names=["period", group_col])
    return frame.set_index(["period", group_col]).reindex(index).reset_index()


def _smooth(frame: pd.DataFrame, group_col: str, column: str, window: int) -> pd.Series:
    """A trailing rolling mean over ``window`` periods within each group (window 1 = unchanged)."""
    if window <= 1:
        return frame[column]
    return frame.groupby(group_col)[column].transform(lambda s: s.rolling(window, min_periods=1).mean())


def tone_over_time(
    rows: pd.DataFrame, step: str, start: date, end: date, companies: list[str], smooth: int = 1
) -> pd.DataFrame:
    """Per company and period: articles, mean tone toward it, a 95% confidence band, and the smoothed mean."""
    frame = rows.assign(period=to_periods(rows["published_at"], step)) if len(rows) else rows.assign(period=[])
    grouped = (
        frame.groupby(["period", "company"])["tone"].agg(["count", "mean", "std"]).reset_index()
        if len(frame)
        else pd.DataFrame(columns=["period", "company", "count", "mean", "std"])
    )
    out = _complete(grouped, companies, period_range(start, end, step), "company").rename(columns={"count": "n"})
    out["n"] = out["n"].fillna(0).astype(int)
    half_width = Z_95 * out["std"].fillna(0) / out["n"].clip(lower=1).pow(0.5)
    out["lo"] = out["mean"] - half_width
    out["hi"] = out["mean"] + half_width
    out["smoothed"] = _smooth(out, "company", "mean", smooth)
    return out[["period", "company", "n", "mean", "std", "lo", "hi", "smoothed"]]


def volume_over_time(
    rows: pd.DataFrame,
    totals: pd.Series,
    step: str,
    start: date,
    end: date,
    companies: list[str],
    smooth: int = 1,
) -> pd.DataFrame:
    """Per company and period: articles naming it, its share of voice among the companies (%), and per 100
    articles of the period (``totals``: articles per period in the whole selection)."""
    frame = rows.assign(period=to_periods(rows["published_at"], step)) if len(rows) else rows.assign(period=[])
    counts = (
        frame.groupby(["period", "company"]).size().rename("n").reset_index()
        if len(frame)
        else pd.DataFrame(columns=["period", "company", "n"])
    )
    out = _complete(counts, companies, period_range(start, end, step), "company")
    out["n"] = out["n"].fillna(0).astype(int)
    out["smoothed"] = _smooth(out, "company", "n", smooth)
    period_sum = out.groupby("period")["smoothed"].transform("sum")
    out["share"] = (100 * out["smoothed"] / period_sum.where(period_sum > 0)).fillna(0.0)
    total = out["period"].map(totals).fillna(0)
    out["per100"] = (100 * out["n"] / total.where(total > 0)).fillna(0.0)
    return out[["period", "company", "n", "smoothed", "share", "per100"]]


def articles_per_period(articles: pd.DataFrame, step: str) -> pd.Series:
    """How many articles of the selection fall in each period."""
    if not len(articles):
        return pd.Series(dtype=int)
    return articles.groupby(to_periods(articles["published_at"], step)).size()


def topic_over_time(
    topics: pd.DataFrame,
    companies: pd.DataFrame,
    step: str,
    start: date,
    end: date,
    topic_names: list[str],
    company_names: list[str],
    norm: str = "raw",
    smooth: int = 1,
) -> pd.DataFrame:
    """Per company, topic and period: articles about the company that mention the topic, as a count or per
    100 of that company's articles in the period ("burnout stories about Meta, per 100 Meta stories")."""
    periods = period_range(start, end, step)
    index = pd.MultiIndex.from_product([periods, company_names, topic_names], names=["period", "company", "topic"])
    if len(topics) and len(companies):
        joined = topics.merge(companies[["id", "company"]], on="id")
        joined["period"] = to_periods(joined["published_at"], step)
        counts = joined.groupby(["period", "company", "topic"])["id"].nunique()
    else:
        counts = pd.Series(dtype=float)
    out = counts.reindex(index).fillna(0).rename("n").reset_index()
    if len(companies):
        base = (
            companies.assign(period=to_periods(companies["published_at"], step)).groupby(["period", "company"]).size()
        )
    else:
        base = pd.Series(dtype=float)
    out["articles"] = [base.get((p, c), 0) for p, c in zip(out["period"], out["company"], strict=True)]
    out["per100"] = (100 * out["n"] / out["articles"].where(out["articles"] > 0)).fillna(0.0)
    value = "per100" if norm == "per100" else "n"
    out["value"] = out[value]
    if smooth > 1:
        out["value"] = out.groupby(["company", "topic"])["value"].transform(
            lambda s: s.rolling(smooth, min_periods=1).mean()
        )
    out["n"] = out["n"].astype(int)
    out["articles"] = out["articles"].astype(int)
    return out[["period", "company", "topic", "n", "articles", "per100", "value"]]


def find_spikes(
    frame: pd.DataFrame,
    group_col: str,
    value_col: str,
    *,
    window: int = 14,
    threshold: float = 3.5,
    min_value: float = 3.0,
    min_history: int = 5,
    count_col: str | None = None,
    min_count: int = 5,
) -> pd.DataFrame:
    """Periods whose value departs sharply from the trailing ``window`` periods before it, per group.

    A robust z-score: distance from the trailing median in units of the trailing median absolute deviation
    (scaled to a standard deviation; at least 1 so a flat history does not make every blip a spike).
    With ``count_col`` (for means such as tone), periods resting on fewer than ``min_count`` articles are
    neither judged nor part of the history: one article is not a trend.
    """
    rows = []
    for group, series in frame.sort_values("period").groupby(group_col):
        if count_col is not None:
            series = series[series[count_col] >= min_count]
        values = series[value_col].astype(float).tolist()
        periods = series["period"].tolist()
        for i in range(len(values)):
            history = [v for v in values[max(0, i - window) : i] if not math.isnan(v)]
            if len(history) < min_history or math.isnan(values[i]):
                continue
            median = float(pd.Series(history).median())
            mad = float(pd.Series(history).sub(median).abs().median()) * 1.4826
            z = (values[i] - median) / max(mad, 1.0 if value_col in ("n", "value", "smoothed") else 0.05)
            if abs(z) >= threshold and (abs(values[i]) >= min_value or value_col not in ("n", "value")):
                rows.append(
                    {
                        "period": periods[i],
                        group_col: group,
                        "value": values[i],
                        "baseline": median,
                        "z": round(z, 2),
                        "direction": "up" if z > 0 else "down",
                    }
                )
    return pd.DataFrame(rows, columns=["period", group_col, "value", "baseline", "z", "direction"])


@dataclass(frozen=True)
class Figure:
    """A headline number with the same number for the previous period of equal length."""

    label: str
    value: float | None
    previous: float | None

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def headline_figures(current: pd.DataFrame, previous: pd.DataFrame) -> list[Figure]:
    """Articles, mean tone and share negative for the selection and for the period before it."""

    def mean_tone(frame: pd.DataFrame) -> float | None:
        tones = frame["tone"].dropna()
        return float(tones.mean()) if len(tones) else None

    def share_negative(frame: pd.DataFrame) -> float | None:
        labels = frame["tone_label"].dropna()
        return float(100 * (labels == "neg").mean()) if len(labels) else None

    return [
        Figure("Articles", float(len(current)), float(len(previous))),
        Figure("Mean tone", mean_tone(current), mean_tone(previous)),
        Figure("Share negative (%)", share_negative(current), share_negative(previous)),
    ]


def company_topic_matrix(
    companies: pd.DataFrame, topics: pd.DataFrame, company_names: list[str], topic_names: list[str]
) -> pd.DataFrame:
    """Company x topic: articles mentioning the topic per 100 articles about the company, and the mean tone
    toward the company in those articles."""
    rows = []
    per_company = companies.groupby("company")["id"].nunique() if len(companies) else pd.Series(dtype=int)
    joined = topics.merge(companies[["id", "company", "tone"]], on="id") if len(topics) and len(companies) else None
    for company in company_names:
        total = int(per_company.get(company, 0))
        for topic in topic_names:
            if joined is not None:
                hits = joined[(joined["company"] == company) & (joined["topic"] == topic)]
                n, tone = int(hits["id"].nunique()), (float(hits["tone"].mean()) if len(hits) else None)
            else:
                n, tone = 0, None
            rows.append(
                {
                    "company": company,
                    "topic": topic,
                    "articles": n,
                    "company_articles": total,
                    "per100": 100 * n / total if total else 0.0,
                    "tone": tone,
                }
            )
    return pd.DataFrame(rows, columns=["company", "topic", "articles", "company_articles", "per100", "tone"])


def articles_in_period(rows: pd.DataFrame, period: pd.Timestamp, step: str) -> pd.DataFrame:
    """The rows (articles or company rows) that fall in one period: the headlines behind a point."""
    if not len(rows):
        return rows
    return rows[to_periods(rows["published_at"], step) == pd.Timestamp(period)]
