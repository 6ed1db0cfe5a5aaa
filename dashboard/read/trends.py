"""Time-series shaping for the charts: periods, smoothing, share of voice, rates, spikes (pandas, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

PERIOD = {"day": "D", "week": "W", "month": "M"}  # weeks start on Monday (pandas' W-SUN periods)
Z_95 = 1.96
THIN = 10  # a rate or mean over fewer stories than this is drawn faint, marked "n < 10"


def wilson(hits: np.ndarray, total: np.ndarray, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of each proportion hits / total (NaN where total is 0): unlike the normal
    interval it stays within 0..1 and does not shrink to a point at 0 of 3 or 3 of 3."""
    hits, total = np.asarray(hits, dtype=float), np.asarray(total, dtype=float)
    n = np.where(total > 0, total, np.nan)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


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


def with_periods(cube: pd.DataFrame, step: str) -> pd.DataFrame:
    """A roll-up frame (one row per day and key) with the period each day falls in."""
    if not len(cube):
        return cube.assign(period=pd.Series([], dtype="datetime64[ns]"))
    return cube.assign(period=to_periods(cube["day"], step))


def _mean_std(n: pd.Series, total: pd.Series, squares: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Mean and sample standard deviation from a count, a sum and a sum of squares."""
    count = n.astype(float)
    mean = total / count.where(count > 0)
    variance = (squares - count * mean * mean) / (count - 1).where(count > 1)
    return mean, variance.clip(lower=0).pow(0.5)


def tone_over_time(
    cube: pd.DataFrame, step: str, start: date, end: date, companies: list[str], smooth: int = 1
) -> pd.DataFrame:
    """Per company and period: articles, mean tone toward it, a 95% confidence band, and the smoothed mean.
    ``cube``: queries.company_cube rows (per day and company)."""
    frame = with_periods(cube, step)
    grouped = frame.groupby(["period", "company"])[["toned", "tone_sum", "tone_sq"]].sum().reset_index()
    out = _complete(grouped, companies, period_range(start, end, step), "company")
    out["n"] = out["toned"].fillna(0).astype(int)  # those with a tone toward the company
    out["mean"], out["std"] = _mean_std(out["n"], out["tone_sum"], out["tone_sq"])
    half_width = Z_95 * out["std"].fillna(0) / out["n"].clip(lower=1).pow(0.5)
    out["lo"] = out["mean"] - half_width
    out["hi"] = out["mean"] + half_width
    out["smoothed"] = _smooth(out, "company", "mean", smooth)
    return out[["period", "company", "n", "mean", "std", "lo", "hi", "smoothed"]]


def volume_over_time(
    cube: pd.DataFrame,
    totals: pd.Series,
    step: str,
    start: date,
    end: date,
    companies: list[str],
    smooth: int = 1,
) -> pd.DataFrame:
    """Per company and period: articles naming it, its share of voice among the companies (%), and per 100
    articles of the period with its 95% Wilson interval (``totals``: articles per period in the selection
    with any topic or keyword filter lifted, so the rate is of all the period's articles)."""
    frame = with_periods(cube, step)
    counts = frame.groupby(["period", "company"])["articles"].sum().rename("n").reset_index()
    out = _complete(counts, companies, period_range(start, end, step), "company")
    out["n"] = out["n"].fillna(0).astype(int)
    out["smoothed"] = _smooth(out, "company", "n", smooth)
    period_sum = out.groupby("period")["smoothed"].transform("sum")
    out["share"] = (100 * out["smoothed"] / period_sum.where(period_sum > 0)).fillna(0.0)
    total = out["period"].map(totals).fillna(0)
    out["per100"] = (100 * out["n"] / total.where(total > 0)).fillna(0.0)
    low, high = wilson(out["n"].to_numpy(), total.to_numpy())
    out["per100_lo"], out["per100_hi"] = 100 * low, 100 * high
    out["thin"] = total.to_numpy() < THIN
    return out[["period", "company", "n", "smoothed", "share", "per100", "per100_lo", "per100_hi", "thin"]]


def articles_per_period(day_cube: pd.DataFrame, step: str) -> pd.Series:
    """How many articles of the selection fall in each period (``day_cube``: queries.day_cube rows)."""
    if not len(day_cube):
        return pd.Series(dtype=int)
    return with_periods(day_cube, step).groupby("period")["articles"].sum()


def _topic_rows(cube: pd.DataFrame, topic_names: list[str]) -> pd.DataFrame:
    """The company cube's per-topic columns (``n:<topic>``, ``tone:<topic>``) as rows: one per row and topic,
    with ``articles`` and ``tone_sum`` restricted to the articles mentioning that topic."""
    keep = [c for c in ("period", "day", "company") if c in cube]
    size = len(cube)

    def stacked(prefix: str) -> np.ndarray:
        parts = [
            cube[f"{prefix}:{t}"].to_numpy(dtype=float) if f"{prefix}:{t}" in cube else np.zeros(size)
            for t in topic_names
        ]
        return np.concatenate(parts) if parts else np.zeros(0)

    return pd.DataFrame(
        {
            **{c: np.tile(cube[c].to_numpy(), len(topic_names)) for c in keep},
            "topic": np.repeat(np.array(topic_names, dtype=object), size),
            "articles": stacked("n"),
            "toned": stacked("t"),
            "tone_sum": stacked("tone"),
        }
    )


def topic_over_time(
    cube: pd.DataFrame,
    step: str,
    start: date,
    end: date,
    topic_names: list[str],
    company_names: list[str],
    norm: str = "raw",
    smooth: int = 1,
    base: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per company, topic and period: articles about the company that mention the topic, as a count or per
    100 of the company's articles in the period ("burnout stories about Meta, per 100 Meta stories"), with
    the rate's 95% Wilson interval. ``base`` is the company cube with the topic and keyword filters lifted:
    the denominator is every article about the company, not only those the filters keep (``cube`` if None).
    Smoothing pools the trailing periods (their mentions over their articles), so the interval follows it."""
    periods = period_range(start, end, step)
    index = pd.MultiIndex.from_product([periods, company_names, topic_names], names=["period", "company", "topic"])
    frame = with_periods(cube, step)
    counts = _topic_rows(frame, topic_names).groupby(["period", "company", "topic"])["articles"].sum()
    out = counts.reindex(index).fillna(0).rename("n").reset_index()
    denominator = with_periods(base, step) if base is not None else frame
    per_company = denominator.groupby(["period", "company"])["articles"].sum().rename("articles")
    out = out.join(per_company, on=["period", "company"])
    out["articles"] = out["articles"].fillna(0)
    if smooth > 1:
        pooled = out.groupby(["company", "topic"])[["n", "articles"]].transform(
            lambda s: s.rolling(smooth, min_periods=1).sum()
        )
        hits, total = pooled["n"], pooled["articles"]
    else:
        hits, total = out["n"], out["articles"]
    out["per100"] = (100 * hits / total.where(total > 0)).fillna(0.0)
    low, high = wilson(hits.to_numpy(), total.to_numpy())
    out["per100_lo"], out["per100_hi"] = 100 * low, 100 * high
    out["thin"] = total.to_numpy() < THIN
    if norm == "per100":
        out["value"] = out["per100"]
    else:
        out["value"] = out.groupby(["company", "topic"])["n"].transform(
            lambda s: s.rolling(smooth, min_periods=1).mean()
        )
    out["n"] = out["n"].astype(int)
    out["articles"] = out["articles"].astype(int)
    return out[["period", "company", "topic", "n", "articles", "per100", "per100_lo", "per100_hi", "thin", "value"]]


def _row_medians(rows: np.ndarray) -> np.ndarray:
    """The median of each row, ignoring NaN (each row has at least one number). Sorting puts NaN last, so
    the middle of the numbers is found by position: far faster than numpy's nanmedian on short rows."""
    ordered = np.sort(rows, axis=1)
    count = np.count_nonzero(~np.isnan(rows), axis=1)
    low = np.take_along_axis(ordered, ((count - 1) // 2)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, (count // 2)[:, None], axis=1)[:, 0]
    return (low + high) / 2


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
    floor = 1.0 if value_col in ("n", "value", "smoothed") else 0.05
    for group, series in frame.sort_values("period").groupby(group_col):
        if count_col is not None:
            series = series[series[count_col] >= min_count]
        values = series[value_col].to_numpy(dtype=float)
        if len(values) <= min_history:
            continue
        # Row i of ``history`` holds the ``window`` values before period i (NaN where there are none).
        padded = np.concatenate([np.full(window, np.nan), values])
        history = np.lib.stride_tricks.sliding_window_view(padded, window)[: len(values)]
        enough = (np.count_nonzero(~np.isnan(history), axis=1) >= min_history) & ~np.isnan(values)
        if not enough.any():
            continue
        history, current = history[enough], values[enough]
        median = _row_medians(history)
        mad = _row_medians(np.abs(history - median[:, None])) * 1.4826
        z = (current - median) / np.maximum(mad, floor)
        hit = np.abs(z) >= threshold
        if value_col in ("n", "value"):
            hit &= np.abs(current) >= min_value
        periods = series["period"].to_numpy()[enough]
        for i in np.flatnonzero(hit):
            rows.append(
                {
                    "period": pd.Timestamp(periods[i]),
                    group_col: group,
                    "value": float(current[i]),
                    "baseline": float(median[i]),
                    "z": round(float(z[i]), 2),
                    "direction": "up" if z[i] > 0 else "down",
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


def headline_figures(current: pd.DataFrame, previous: pd.DataFrame, unit: str = "Articles") -> list[Figure]:
    """Stories or articles (``unit``), mean tone and share negative for the selection and for the period before
    it (both queries.day_cube rows, so one naming two companies counts once)."""

    def mean_tone(frame: pd.DataFrame) -> float | None:
        toned = frame["toned"].sum()
        return float(frame["tone_sum"].sum() / toned) if toned else None

    def share_negative(frame: pd.DataFrame) -> float | None:
        toned = frame["toned"].sum()
        return float(100 * frame["neg"].sum() / toned) if toned else None

    return [
        Figure(unit, float(current["articles"].sum()), float(previous["articles"].sum())),
        Figure("Mean tone", mean_tone(current), mean_tone(previous)),
        Figure("Share negative (%)", share_negative(current), share_negative(previous)),
    ]


def company_summary(cube: pd.DataFrame, companies: list[str]) -> pd.DataFrame:
    """Per company: articles naming it, mean tone toward it, and the share of those that read negative."""
    sums = cube.groupby("company")[["articles", "toned", "tone_sum", "neg"]].sum().reindex(companies)
    n = sums["articles"].fillna(0).astype(int)
    toned = sums["toned"].fillna(0)
    return pd.DataFrame(
        {
            "company": companies,
            "articles": n.to_numpy(),
            "mean_tone": (sums["tone_sum"] / toned.where(toned > 0)).to_numpy(),
            "share_negative": (100 * sums["neg"] / toned.where(toned > 0)).to_numpy(),
        }
    )


def company_topic_matrix(
    cube: pd.DataFrame, company_names: list[str], topic_names: list[str], base: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Company x topic: articles mentioning the topic per 100 articles about the company (all of them:
    ``base``, the cube with the topic and keyword filters lifted, or ``cube`` if None) with its 95% Wilson
    interval, and the mean tone toward the company in those articles."""
    per_company = (base if base is not None else cube).groupby("company")["articles"].sum()
    by_topic = _topic_rows(cube, topic_names).groupby(["company", "topic"])[["articles", "toned", "tone_sum"]].sum()
    rows = []
    for company in company_names:
        total = int(per_company.get(company, 0))
        for topic in topic_names:
            n = int(by_topic["articles"].get((company, topic), 0))
            toned = int(by_topic["toned"].get((company, topic), 0))
            tone = float(by_topic["tone_sum"][(company, topic)] / toned) if toned else None
            low, high = wilson(np.array([n]), np.array([total]))
            rows.append(
                {
                    "company": company,
                    "topic": topic,
                    "articles": n,
                    "company_articles": total,
                    "per100": 100 * n / total if total else 0.0,
                    "per100_lo": float(100 * low[0]),
                    "per100_hi": float(100 * high[0]),
                    "tone": tone,
                }
            )
    columns = ["company", "topic", "articles", "company_articles", "per100", "per100_lo", "per100_hi", "tone"]
    return pd.DataFrame(rows, columns=columns)


def period_span(period: pd.Timestamp, step: str) -> tuple[date, date]:
    """The first and last day of the period starting at ``period``."""
    p = pd.Timestamp(period).to_period(PERIOD[step])
    return p.start_time.date(), p.end_time.date()
