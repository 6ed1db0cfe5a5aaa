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
from scipy.stats import t as student_t

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
    "usual_tone",
    "shift_low",
    "shift_high",
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
    """Per series and period: the expected count, the over-dispersion, and the variance of the expected count
    itself; and whether the period has history enough to be judged."""

    mean: np.ndarray
    dispersion: np.ndarray
    mean_var: np.ndarray
    judged: np.ndarray

    def row(self, at: int) -> Baseline:
        return Baseline(self.mean[at], self.dispersion[at], self.mean_var[at], self.judged[at])


def _trailing(values: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per series and period: the sum of the known (not NaN) values over the ``width`` periods before it, and
    how many there were (running sums, so the cost does not grow with the width)."""
    known = ~np.isnan(values)
    start = np.zeros((len(values), 1))
    sums = np.concatenate([start, np.cumsum(np.where(known, values, 0.0), axis=1)], axis=1)
    seen = np.concatenate([start, np.cumsum(known, axis=1)], axis=1)
    now = np.arange(values.shape[1])
    since = np.maximum(now - width, 0)
    return sums[:, now] - sums[:, since], seen[:, now] - seen[:, since]


def baseline(
    counts: np.ndarray, weekday: np.ndarray | None, detector: Detector, excluded: np.ndarray | None = None
) -> Baseline:
    """What each period's trailing history predicts for it, for each series (a row of ``counts``); ``excluded``
    periods (already found to be part of an episode) carry their prediction in ``counts`` and say nothing
    about the over-dispersion."""
    counts = counts.astype(float)
    total, size = _trailing(counts, detector.history)
    overall = total / np.maximum(size, 1)
    if weekday is None:
        mean, weight = overall, size
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
    error, known = _trailing(np.where(quiet, (counts - mean) ** 2 / unit_var, np.nan), detector.spread)
    # Shrunk toward 1 by ``prior`` periods of Poisson behaviour, so a few errors cannot make it tiny or huge.
    dispersion = np.maximum(1.0, (error + detector.prior) / (known + detector.prior))
    # The mean comes from ``weight`` periods' worth of counts: its variance is dispersion * mean / weight.
    mean_var = dispersion * mean / np.maximum(weight, 1)
    return Baseline(mean=mean, dispersion=dispersion, mean_var=mean_var, judged=judged)


def _weekday_factors(counts: np.ndarray, weekday: np.ndarray, detector: Detector) -> tuple[np.ndarray, np.ndarray]:
    """Each period's weekday as a multiple of the mean day, over the ``2 * history`` periods before it (a
    weekday seen 8 times, not 4), leaning toward 1 by ``shrink`` days; and how many of that weekday it saw."""
    width = 2 * detector.history
    total, size = _trailing(counts, width)
    overall = total / np.maximum(size, 1)
    same = np.zeros_like(counts)
    seen = np.zeros(counts.shape[1])
    for day in np.unique(weekday):
        on = weekday == day
        day_total, day_seen = _trailing(np.where(on, counts, np.nan), width)
        same[:, on], seen[on] = day_total[:, on], day_seen[0, on]
    seen = seen + detector.shrink
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


def _window_sums(values: np.ndarray, length: int) -> np.ndarray:
    """Per series, the sum over the ``length`` periods ending at each period (NaN before a full run)."""
    padded = np.concatenate([np.full((len(values), length - 1), np.nan), values.astype(float)], axis=1)
    return sliding_window_view(padded, length, axis=1).sum(axis=2)


def _run_moments(base: Baseline, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the sum over the ``length`` periods ending at each period (NaN before a full run)."""
    m = _window_sums(base.mean, length)
    # Each period's own noise adds up; the baseline's error is shared by the run (one history), so its sd adds.
    noise = _window_sums(base.dispersion * base.mean, length)
    return m, noise + _window_sums(np.sqrt(base.mean_var), length) ** 2


def _flag(counts: np.ndarray, base: Baseline, detector: Detector) -> tuple[np.ndarray, np.ndarray]:
    """Which periods are part of a significant run, and the smallest tail probability of a run at each."""
    n = counts.shape[1]
    flagged = np.zeros(counts.shape, dtype=bool)
    best = np.ones(counts.shape)
    above = counts > base.mean
    for length in detector.windows:
        if length > n:
            continue
        m, v = _run_moments(base, length)
        seen = _window_sums(counts, length)
        judged = _window_sums(~base.judged, length) == 0
        ok = judged & (seen >= detector.min_size) & above
        p = np.ones(counts.shape)
        p[ok] = _tail(seen[ok], m[ok], v[ok])
        hit = p < detector.alpha
        # A significant run ending at a period lends its evidence to each period of the run.
        for back in range(length):
            ends = np.zeros(counts.shape, dtype=bool)
            ends[:, : n - back] = hit[:, back:]
            flagged |= ends & above
            run_p = np.ones(counts.shape)
            run_p[:, : n - back] = p[:, back:]
            best = np.where(ends, np.minimum(best, run_p), best)
    return flagged, best


def detect(counts: np.ndarray, weekday: np.ndarray | None = None, detector: Detector | None = None) -> list[Burst]:
    """The episodes of one count series (``weekday``, 0-6 per period, for daily series with a weekly rhythm)."""
    return detect_many(np.asarray(counts, dtype=np.int64).reshape(1, -1), weekday, detector)[0]


def detect_many(
    counts: np.ndarray, weekday: np.ndarray | None = None, detector: Detector | None = None
) -> list[list[Burst]]:
    """The episodes of each row of ``counts``, series over the same periods, judged together as arrays."""
    detector = detector or Detector()
    counts = np.asarray(counts, dtype=np.int64)
    found: list[list[Burst]] = [[] for _ in range(len(counts))]
    if counts.shape[1] == 0:
        return found
    # A series with no run large enough to be flagged is not judged at all.
    totals = np.concatenate([np.zeros((len(counts), 1), dtype=np.int64), counts.cumsum(axis=1)], axis=1)
    ends = np.arange(1, counts.shape[1] + 1)
    largest = (totals[:, ends] - totals[:, np.maximum(ends - max(detector.windows), 0)]).max(axis=1)
    rows = np.flatnonzero(largest >= detector.min_size)
    if not len(rows):
        return found
    counts = counts[rows]
    clean = counts.astype(float)
    flagged = np.zeros(counts.shape, dtype=bool)
    for _ in range(detector.passes):
        base = baseline(clean, weekday, detector, flagged)
        now, best = _flag(counts, base, detector)
        # A row whose flags stopped changing is left as it is, so its next pass gives the same again.
        changing = (now != flagged).any(axis=1)
        if not changing.any():
            break
        flagged[changing] = now[changing]
        clean[changing] = np.where(flagged[changing], base.mean[changing], counts[changing])
    for at, row in enumerate(rows):
        found[row] = _episodes(counts[at], base.row(at), flagged[at], best[at], detector)
    return found


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


@dataclass(frozen=True)
class SeriesGrid:
    """Count series over the same periods: one row per series, one column per period."""

    labels: pd.DataFrame  # kind ("volume" or "topic"), series, company, topic, per row
    periods: pd.DatetimeIndex
    n: np.ndarray  # articles (or stories) per series and period
    toned: np.ndarray  # those of them with a tone toward the company
    tone_sum: np.ndarray  # and the sum and sum of squares of that tone
    tone_sq: np.ndarray


def series_counts(
    cube: pd.DataFrame, step: str, start: date, end: date, companies: list[str], topics: list[str]
) -> SeriesGrid:
    """Per series and period, from a company cube (queries.company_cube with ``sq:`` columns): articles and
    their tone sums. A series is a company's volume (``kind`` "volume") or one topic at one company ("topic")."""
    frame = trends.with_periods(cube, step)
    periods = pd.DatetimeIndex(trends.period_range(start, end, step))
    index = pd.MultiIndex.from_product([periods, companies], names=["period", "company"])
    sources = {"": ("articles", "toned", "tone_sum", "tone_sq")} | {
        t: (f"n:{t}", f"t:{t}", f"tone:{t}", f"sq:{t}") for t in topics
    }
    wanted = [c for columns in sources.values() for c in columns]
    summed = frame.groupby(["period", "company"])[wanted].sum().reindex(index, fill_value=0)  # one pass for all
    # (period, company) rows -> one (company, period) block per source, stacked source by source.
    blocks = summed.to_numpy(dtype=float).reshape(len(periods), len(companies), len(sources), 4).transpose(2, 1, 0, 3)
    stacked = blocks.reshape(len(sources) * len(companies), len(periods), 4)
    labels = pd.DataFrame(
        [
            {
                "kind": "topic" if topic else "volume",
                "series": f"{topic} · {company}" if topic else company,
                "company": company,
                "topic": topic,
            }
            for topic in sources
            for company in companies
        ],
        columns=["kind", "series", "company", "topic"],
    )
    return SeriesGrid(
        labels=labels,
        periods=periods,
        n=stacked[:, :, 0].round().astype(np.int64),
        toned=stacked[:, :, 1].round().astype(np.int64),
        tone_sum=stacked[:, :, 2],
        tone_sq=stacked[:, :, 3],
    )


def find(grid: SeriesGrid, step: str, since: date, detector: Detector | None = None) -> pd.DataFrame:
    """Every episode of every series in ``grid`` that ends on or after ``since``, newest first, one row per
    event: a company's volume episode that a topic episode of the company overlaps is that topic episode, not
    a second row."""
    shown_from = trends.period_range(since, since, step)[0]
    periods = grid.periods
    weekday = periods.day_of_week.to_numpy() if step == "day" else None
    rows = []
    for at, found in enumerate(detect_many(grid.n, weekday, detector)):
        label = grid.labels.iloc[at]
        for burst in found:
            if periods[burst.end] < shown_from:
                continue
            span = slice(burst.start, burst.end + 1)
            toned = int(grid.toned[at, span].sum())
            mean, low, high = _tone(toned, grid.tone_sum[at, span].sum(), grid.tone_sq[at, span].sum())
            usual, shift_low, shift_high = tone_shift(grid, at, burst, (detector or Detector()).history)
            rows.append(
                {
                    "kind": label["kind"],
                    "series": label["series"],
                    "company": label["company"],
                    "topic": label["topic"],
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
                    "usual_tone": usual,
                    "shift_low": shift_low,
                    "shift_high": shift_high,
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


def tone_shift(
    grid: SeriesGrid, at: int, burst: Burst, history: int
) -> tuple[float | None, float | None, float | None]:
    """The series' mean tone over the ``history`` periods before an episode, and the 95% interval of the
    episode's tone minus it (Welch: each side's own spread, Student's t with Welch-Satterthwaite degrees of
    freedom, which a normal quantile would make too narrow for a ten-story episode: bench.episodes); None
    where either side has under two toned."""
    before = slice(max(burst.start - history, 0), burst.start)
    span = slice(burst.start, burst.end + 1)
    sides = []
    for part in (before, span):
        n = int(grid.toned[at, part].sum())
        total, squares = float(grid.tone_sum[at, part].sum()), float(grid.tone_sq[at, part].sum())
        sides.append((n, total / n if n else None, max(squares - total * total / n, 0.0) / (n - 1) if n > 1 else None))
    (n0, mean0, var0), (n1, mean1, var1) = sides
    usual = round(mean0, 3) if mean0 is not None else None
    if var0 is None or var1 is None or mean0 is None or mean1 is None:
        return usual, None, None
    a, b = var0 / n0, var1 / n1
    if a + b == 0:
        return usual, round(mean1 - mean0, 3), round(mean1 - mean0, 3)
    freedom = (a + b) ** 2 / (a * a / (n0 - 1) + b * b / (n1 - 1))
    half = float(student_t.ppf(0.975, freedom)) * (a + b) ** 0.5
    return usual, round(mean1 - mean0 - half, 3), round(mean1 - mean0 + half, 3)


def _one_row_per_event(table: pd.DataFrame) -> pd.DataFrame:
    """Drop a company's volume episodes that overlap one of its topic episodes: the topic says what it was."""
    topical = table[table["kind"] == "topic"]
    overlapped = [
        kind == "volume"
        and bool(((topical["company"] == company) & (topical["start"] <= end) & (topical["end"] >= start)).any())
        for kind, company, start, end in zip(table["kind"], table["company"], table["start"], table["end"], strict=True)
    ]
    return table[~np.array(overlapped, dtype=bool)]
