"""Episodes in a count series: runs of periods with more stories than their recent history predicts.

Each period's count is judged against a trailing baseline under a negative-binomial model: the baseline's
level (by weekday, for daily series), its over-dispersion and the uncertainty of estimating both from a few
weeks all widen the predicted range, so a quiet fortnight does not make seven stories an event. Windows of
one to three periods are judged, so a three-day rise that no single day proves is still found. Flagged
periods leave the baseline (replaced by what it predicted), and flagged periods close together merge into one
episode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy.stats import nbinom

from dashboard.read import trends

EPISODE_COLUMNS = [
    "kind",
    "series",
    "company",
    "topic",
    "start",
    "peak",
    "end",
    "articles",
    "expected",
    "usual_low",
    "usual_high",
    "times",
    "p",
    "tone",
    "tone_low",
    "tone_high",
]


@dataclass(frozen=True)
class Detector:
    """How a series is judged: its history, the windows tried, the evidence and size asked for."""

    history: int = 28  # periods of trailing baseline
    min_history: int = 14  # periods needed before a period is judged
    windows: tuple[int, ...] = (1, 2, 3)  # lengths of the runs of periods tested, ending at each period
    alpha: float = 6e-4  # tail probability a run must be below (bench.episodes: under 1 false episode a year)
    min_size: int = 5  # at least this many stories in a flagged run
    floor: float = 0.5  # an expected count never below this: a silent history is not certainty of silence
    gap: int = 1  # flagged periods at most this many quiet periods apart are one episode
    shrink: float = 1.0  # weekday factors lean toward 1 by this many days' weight
    trim: float = 0.05  # an episode's first and last periods are at least this unlikely on their own
    passes: int = 3  # rounds of taking flagged periods out of the baseline
    spread: int = 91  # periods of past prediction errors the over-dispersion is measured on
    prior: float = 2.0  # periods of Poisson behaviour the over-dispersion starts from


@dataclass(frozen=True)
class Burst:
    """One episode of a series, by position: first, busiest and last period, what was seen and expected."""

    start: int
    peak: int
    end: int
    observed: int
    expected: float
    low: int  # 90% of quiet runs this long fall in [low, high]
    high: int
    p: float  # the smallest tail probability of a run inside the episode


@dataclass(frozen=True)
class Baseline:
    """Per period: the expected count, the over-dispersion, and the variance of the expected count itself."""

    mean: np.ndarray
    dispersion: np.ndarray
    mean_var: np.ndarray
    judged: np.ndarray


def baseline(
    counts: np.ndarray, weekday: np.ndarray | None, detector: Detector, excluded: np.ndarray | None = None
) -> Baseline:
    """What each period's trailing history predicts for it; ``excluded`` periods (already found to be part of
    an episode) carry their prediction in ``counts`` and say nothing about the over-dispersion."""
    n, h = len(counts), detector.history
    padded = np.concatenate([np.full(h, np.nan), counts.astype(float)])
    hist = sliding_window_view(padded, h)[:n]  # row t: the h periods before t
    seen = ~np.isnan(hist)
    size = seen.sum(axis=1)
    total = np.nansum(hist, axis=1)
    overall = total / np.maximum(size, 1)
    if weekday is None:
        mean, weight = overall, size.astype(float)
    else:
        factor, days_seen = _weekday_factors(counts, weekday, detector)
        mean = overall * factor
        # The level comes from ``size`` periods, the weekday's factor from ``days_seen`` of that weekday.
        weight = 1 / (1 / np.maximum(size, 1) + 1 / days_seen)
    mean = np.maximum(mean, detector.floor)
    judged = size >= detector.min_history
    # Over-dispersion from the baseline's own one-period-ahead errors over the ``spread`` periods before each
    # (not the excluded ones): whatever the weekday means and the level miss is in them.
    unit_var = mean * (1 + 1 / np.maximum(weight, 1))
    quiet = judged if excluded is None else judged & ~excluded
    error = np.where(quiet, (counts - mean) ** 2 / unit_var, np.nan)
    s = detector.spread
    past = sliding_window_view(np.concatenate([np.full(s, np.nan), error]), s)[:n]
    known = (~np.isnan(past)).sum(axis=1)
    # Shrunk toward 1 by ``prior`` periods of Poisson behaviour, so a few errors cannot make it tiny or huge.
    dispersion = np.maximum(1.0, (np.nansum(past, axis=1) + detector.prior) / (known + detector.prior))
    # The mean comes from ``weight`` periods' worth of counts: its variance is dispersion * mean / weight.
    mean_var = dispersion * mean / np.maximum(weight, 1)
    return Baseline(mean=mean, dispersion=dispersion, mean_var=mean_var, judged=judged)


def _weekday_factors(counts: np.ndarray, weekday: np.ndarray, detector: Detector) -> tuple[np.ndarray, np.ndarray]:
    """Each period's weekday as a multiple of the mean day, over the ``2 * history`` periods before it (a
    weekday seen 8 times, not 4), leaning toward 1 by ``shrink`` days; and how many of that weekday it saw."""
    n, h = len(counts), 2 * detector.history
    hist = sliding_window_view(np.concatenate([np.full(h, np.nan), counts.astype(float)]), h)[:n]
    past_days = sliding_window_view(np.concatenate([np.full(h, -1), weekday]), h)[:n]
    overall = np.nansum(hist, axis=1) / np.maximum((~np.isnan(hist)).sum(axis=1), 1)
    on = past_days == weekday[:, None]
    same = np.where(on, np.nan_to_num(hist), 0).sum(axis=1)
    seen = on.sum(axis=1) + detector.shrink
    factor = np.where(overall > 0, (same + detector.shrink * overall) / (seen * np.maximum(overall, 1e-9)), 1.0)
    return factor, seen


def _tail(observed: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """P(X >= observed) for a negative binomial with this mean and variance (variance > mean)."""
    r = mean**2 / np.maximum(variance - mean, 1e-9)
    return nbinom.sf(observed - 1, r, r / (r + mean))


def _interval(mean: float, variance: float) -> tuple[int, int]:
    r = mean**2 / max(variance - mean, 1e-9)
    low, high = nbinom.ppf([0.05, 0.95], r, r / (r + mean))
    return int(low), int(high)


def _run_moments(base: Baseline, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the sum over the ``length`` periods ending at each period (NaN-padded)."""
    mean = np.concatenate([np.full(length - 1, np.nan), base.mean])
    m = sliding_window_view(mean, length).sum(axis=1)
    noise = sliding_window_view(np.concatenate([np.full(length - 1, np.nan), base.dispersion * base.mean]), length)
    sd = sliding_window_view(np.concatenate([np.full(length - 1, np.nan), np.sqrt(base.mean_var)]), length)
    # Each period's own noise adds up; the baseline's error is shared by the run (one history), so its sd adds.
    return m, noise.sum(axis=1) + sd.sum(axis=1) ** 2


def _flag(counts: np.ndarray, base: Baseline, detector: Detector) -> tuple[np.ndarray, np.ndarray]:
    """Which periods are part of a significant run, and the smallest tail probability of a run at each."""
    n = len(counts)
    flagged = np.zeros(n, dtype=bool)
    best = np.ones(n)
    above = counts > base.mean
    for length in detector.windows:
        if length > n:
            continue
        m, v = _run_moments(base, length)
        seen = sliding_window_view(np.concatenate([np.zeros(length - 1, dtype=int), counts]), length).sum(axis=1)
        judged = sliding_window_view(np.concatenate([np.zeros(length - 1, dtype=bool), base.judged]), length).all(
            axis=1
        )
        ok = judged & (seen >= detector.min_size) & above
        p = np.ones(n)
        p[ok] = _tail(seen[ok], m[ok], v[ok])
        for end in np.flatnonzero(p < detector.alpha):
            run = slice(end - length + 1, end + 1)
            flagged[run] |= above[run]
            best[run] = np.minimum(best[run], p[end])
    return flagged, best


def detect(counts: np.ndarray, weekday: np.ndarray | None = None, detector: Detector | None = None) -> list[Burst]:
    """The episodes of one count series (``weekday``, 0-6 per period, for daily series with a weekly rhythm)."""
    detector = detector or Detector()
    counts = np.asarray(counts, dtype=np.int64)
    widest = max(detector.windows)
    if len(counts) == 0 or np.convolve(counts, np.ones(widest, dtype=np.int64)).max() < detector.min_size:
        return []  # no run is large enough to be flagged: a thin series is not judged at all
    clean = counts.astype(float)
    flagged = np.zeros(len(counts), dtype=bool)
    for _ in range(detector.passes):
        base = baseline(clean, weekday, detector, flagged)
        now, best = _flag(counts, base, detector)
        if np.array_equal(now, flagged):
            break
        flagged = now
        clean = np.where(flagged, base.mean, counts.astype(float))
    return _episodes(counts, base, flagged, best, detector)


def _episodes(
    counts: np.ndarray, base: Baseline, flagged: np.ndarray, best: np.ndarray, detector: Detector
) -> list[Burst]:
    """Flagged periods at most ``gap`` apart, as episodes with what their baseline predicted."""
    found: list[Burst] = []
    positions = np.flatnonzero(flagged)
    if not len(positions):
        return found
    alone = _tail(counts, base.mean, base.dispersion * base.mean + base.mean_var)
    breaks = np.flatnonzero(np.diff(positions) > detector.gap + 1)
    for group in np.split(positions, breaks + 1):
        # A run's evidence can lend an ordinary neighbouring period a flag: such periods do not open or close it.
        notable = group[alone[group] < detector.trim]
        if not len(notable):
            continue
        start, end = int(notable[0]), int(notable[-1])
        span = slice(start, end + 1)
        expected = float(base.mean[span].sum())
        variance = float((base.dispersion[span] * base.mean[span]).sum() + np.sqrt(base.mean_var[span]).sum() ** 2)
        low, high = _interval(expected, variance)
        found.append(
            Burst(
                start=start,
                peak=start + int(np.argmax(counts[span])),
                end=end,
                observed=int(counts[span].sum()),
                expected=expected,
                low=low,
                high=high,
                p=float(best[span].min()),
            )
        )
    return found


def lead_in(start: date, step: str, first: date | None, detector: Detector | None = None) -> date:
    """Where a series must begin for its first shown period to be judged: the weekday factors' history before
    ``start``, but never before the first stored day (before it there is no history, not a history of zeros)."""
    detector = detector or Detector()
    periods = 2 * detector.history
    back = {
        "day": pd.DateOffset(days=periods),
        "week": pd.DateOffset(weeks=periods),
        "month": pd.DateOffset(months=periods),
    }
    wanted = (pd.Timestamp(start) - back[step]).date()
    return max(wanted, first) if first is not None else start


def series_counts(
    cube: pd.DataFrame, step: str, start: date, end: date, companies: list[str], topics: list[str]
) -> pd.DataFrame:
    """Per series and period, from a company cube (queries.company_cube with ``sq:`` columns): articles and
    their tone sums. A series is a company's volume (``kind`` "volume") or one topic at one company ("topic")."""
    frame = trends.with_periods(cube, step)
    index = pd.MultiIndex.from_product([trends.period_range(start, end, step), companies], names=["period", "company"])
    sources = {"": ("articles", "tone_sum", "tone_sq")} | {t: (f"n:{t}", f"tone:{t}", f"sq:{t}") for t in topics}
    wanted = [c for columns in sources.values() for c in columns]
    summed = frame.groupby(["period", "company"])[wanted].sum().reindex(index, fill_value=0)  # one pass for all
    keys = summed.index.to_frame(index=False)
    parts = []
    for topic, columns in sources.items():
        values = summed[list(columns)].to_numpy()
        part = keys.assign(n=values[:, 0], tone_sum=values[:, 1], tone_sq=values[:, 2])
        parts.append(part.assign(kind="topic" if topic else "volume", topic=topic))
    out = pd.concat(parts, ignore_index=True)
    out["n"] = out["n"].astype(int)
    out["series"] = np.where(out["kind"] == "topic", out["topic"] + " · " + out["company"], out["company"])
    return out[["kind", "series", "company", "topic", "period", "n", "tone_sum", "tone_sq"]]


def find(counts: pd.DataFrame, step: str, since: date, detector: Detector | None = None) -> pd.DataFrame:
    """Every episode of every series in ``counts`` (series_counts) that ends on or after ``since``, newest
    first, one row per event: a company's volume episode that a topic episode of the company overlaps is that
    topic episode, not a second row."""
    rows = []
    shown_from = trends.period_range(since, since, step)[0]
    for (kind, series), group in counts.sort_values("period", kind="stable").groupby(["kind", "series"], sort=False):
        periods = pd.DatetimeIndex(group["period"])
        weekday = periods.day_of_week.to_numpy() if step == "day" else None
        n = group["n"].to_numpy()
        for burst in detect(n, weekday, detector):
            if periods[burst.end] < shown_from:
                continue
            span = slice(burst.start, burst.end + 1)
            mean, low, high = _tone(
                n[span].sum(), group["tone_sum"].to_numpy()[span].sum(), group["tone_sq"].to_numpy()[span].sum()
            )
            rows.append(
                {
                    "kind": kind,
                    "series": series,
                    "company": group["company"].iloc[0],
                    "topic": group["topic"].iloc[0],
                    "start": periods[burst.start],
                    "peak": periods[burst.peak],
                    "end": periods[burst.end],
                    "articles": burst.observed,
                    "expected": round(burst.expected, 1),
                    "usual_low": burst.low,
                    "usual_high": burst.high,
                    "times": round(burst.observed / burst.expected, 1),
                    "p": float(f"{burst.p:.2g}"),
                    "tone": mean,
                    "tone_low": low,
                    "tone_high": high,
                }
            )
    table = pd.DataFrame(rows, columns=EPISODE_COLUMNS)
    return _one_row_per_event(table).sort_values(["start", "p"], ascending=[False, True]).reset_index(drop=True)


def _tone(n: int, total: float, squares: float) -> tuple[float | None, float | None, float | None]:
    """Mean tone with its 95% interval (None where two articles are too few for one)."""
    if n < 2:
        return (round(total / n, 3) if n else None), None, None
    mean = total / n
    half = trends.Z_95 * (max(squares - n * mean * mean, 0.0) / (n - 1)) ** 0.5 / n**0.5
    return round(mean, 3), round(mean - half, 3), round(mean + half, 3)


def _one_row_per_event(table: pd.DataFrame) -> pd.DataFrame:
    """Drop a company's volume episodes that overlap one of its topic episodes: the topic says what it was."""
    topical = table[table["kind"] == "topic"]
    overlapped = [
        kind == "volume"
        and bool(((topical["company"] == company) & (topical["start"] <= end) & (topical["end"] >= start)).any())
        for kind, company, start, end in zip(table["kind"], table["company"], table["start"], table["end"], strict=True)
    ]
    return table[~np.array(overlapped, dtype=bool)]
