"""Before and after an event: a rate and a mean tone in two windows, their change, and the change against
peers (difference in differences), each with its 95% interval; numpy and scipy, no I/O.

Days are the units. Stories of one day share their news (a scoop retold, a memo quoted), so they are not
independent draws and a test that counts them as such is too sure of itself. Each window's rate (topic
stories per 100 stories) and mean tone (tone summed over stories, per story) is a ratio of two sums over its
days; its standard error comes from the days' own spread around that ratio (the linearised, day-clustered
variance of a ratio estimator). The change between windows is tested with Welch's t on those standard errors
(Satterthwaite's degrees of freedom), which fits both a rate of counts and a mean of tones without assuming
either is normal or Poisson story by story. The change against peers resamples the windows' days (the same
days for the company and its peers, so news that moves both moves both in every resample, 4,000 times): its
standard error comes from the resampled spread, its interval and p-value from t.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.read import trends

MIN_STORIES = 20  # fewer stories in a window than this: too thin to say anything
MIN_DAYS = 5  # fewer days with stories in a window than this: too thin for a day-clustered error
MIN_HITS = 5  # fewer topic stories in both windows together than this: too thin for a rate
RESAMPLES = 4000
SEED = 20261129  # resampling is seeded, so a link shows the same interval every time


@dataclass(frozen=True)
class Estimate:
    """A ratio over a window's days (a rate per 100 or a mean tone), with its 95% interval."""

    value: float
    low: float
    high: float
    se: float
    df: int  # degrees of freedom: days with stories, less one
    stories: int  # the denominator's total (stories in the window)


@dataclass(frozen=True)
class Change:
    """After minus before, with its 95% interval and two-sided p-value (None when ``thin`` says why not)."""

    before: Estimate | None
    after: Estimate | None
    value: float | None
    low: float | None
    high: float | None
    p: float | None
    thin: str | None  # why nothing is said, in words; None when something is


def ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float = 1.0) -> Estimate:
    """Sum of ``numerator`` over sum of ``denominator`` across days (times ``scale``), with the day-clustered
    standard error and a t interval on the days with any stories."""
    x, n = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    busy = n > 0
    days, total = int(busy.sum()), float(n.sum())
    value = float(x.sum() / total) if total else float("nan")
    if days < 2:
        return Estimate(value * scale, float("nan"), float("nan"), float("nan"), max(days - 1, 0), int(total))
    residual = (x[busy] - value * n[busy]) / total
    se = float(np.sqrt(days / (days - 1) * np.sum(residual**2)))
    half = float(stats.t.ppf(0.975, days - 1)) * se
    return Estimate(value * scale, (value - half) * scale, (value + half) * scale, se * scale, days - 1, int(total))


def rate(hits: np.ndarray, stories: np.ndarray, scale: float = 100.0) -> Estimate:
    """Hits per ``scale`` stories over a window's days. Its standard error is the day-clustered one, but never
    below the binomial one with a success and a failure added (Agresti and Caffo's), so a window with no
    hits, or hits on one day, still carries its uncertainty. The window's own interval is Wilson's, on the
    stories divided by the design effect (how much the days' clustering widens the binomial variance)."""
    clustered = ratio(hits, stories, scale=1.0)
    total, found = float(np.sum(stories)), float(np.sum(hits))
    if total <= 0:
        return clustered
    value = found / total
    adjusted = (found + 1) / (total + 2)
    floor = adjusted * (1 - adjusted) / (total + 2)
    cluster_var = clustered.se**2 if np.isfinite(clustered.se) else 0.0
    se = float(np.sqrt(max(cluster_var, floor)))
    df = clustered.df if cluster_var > floor else int(total) - 1
    binomial = value * (1 - value) / total
    effective = total / max(1.0, cluster_var / binomial) if binomial > 0 else total
    low, high = trends.wilson(np.array([value * effective]), np.array([effective]))
    return Estimate(value * scale, float(low[0]) * scale, float(high[0]) * scale, se * scale, max(df, 1), int(total))


def change(before: Estimate, after: Estimate) -> tuple[float, float, float, float]:
    """After minus before: the difference, its 95% interval and p-value (Welch's t, Satterthwaite's df)."""
    diff = after.value - before.value
    var_b, var_a = before.se**2, after.se**2
    se = np.sqrt(var_b + var_a)
    if not se > 0:
        return diff, float("nan"), float("nan"), float("nan")
    df = (var_b + var_a) ** 2 / (var_b**2 / max(before.df, 1) + var_a**2 / max(after.df, 1))
    half = float(stats.t.ppf(0.975, df)) * se
    p = float(2 * stats.t.sf(abs(diff) / se, df))
    return float(diff), float(diff - half), float(diff + half), p


SINGULAR = {"stories": "story", "articles": "article"}


def _counted(number: float, unit: str) -> str:
    return f"{number:.0f} {SINGULAR.get(unit, unit) if number == 1 else unit}"


def thin_reason(
    before_n: np.ndarray, after_n: np.ndarray, hits: float | None = None, unit: str = "stories"
) -> str | None:
    """Why two windows are too thin to compare, in words, or None when they are not."""
    for name, n in (("before", before_n), ("after", after_n)):
        total, days = float(np.sum(n)), int(np.count_nonzero(n))
        if total < MIN_STORIES:
            return f"only {_counted(total, unit)} in the window {name} the event (at least {MIN_STORIES} needed)"
        if days < MIN_DAYS:
            return (
                f"{unit} on only {_counted(days, 'days')} in the window {name} the event (at least {MIN_DAYS} needed)"
            )
    if hits is not None and hits < MIN_HITS:
        return f"only {hits:.0f} matching {unit} in both windows together (at least {MIN_HITS} needed)"
    return None


def compare_windows(
    before: tuple[np.ndarray, np.ndarray],
    after: tuple[np.ndarray, np.ndarray],
    scale: float,
    rate_measure: bool,
    unit: str = "stories",
) -> Change:
    """One measure before and after: each window's (numerator, denominator) per day. For a rate the
    numerator counts hits among the denominator's stories; for a tone it sums their tone."""
    hits = float(np.sum(before[0]) + np.sum(after[0])) if rate_measure else None
    reason = thin_reason(before[1], after[1], hits, unit)
    if reason:
        return Change(None, None, None, None, None, None, reason)
    estimate = rate if rate_measure else ratio
    b, a = estimate(*before, scale=scale), estimate(*after, scale=scale)
    value, low, high, p = change(b, a)
    return Change(b, a, value, low, high, p, None)


def difference_in_differences(
    focal: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    peers: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    scale: float,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[float, float, float, float]:
    """(change at the company) - (change at the peers), each argument (x before, n before, x after, n after)
    per day, with days resampled within each window (the same days for both). The resampled spread, scaled
    by days / (days - 1) (a resample of d days varies less than d new days would), gives the standard error;
    the interval and two-sided p-value use t with Satterthwaite's degrees of freedom over the two windows."""
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(v, dtype=float) for v in (*focal, *peers)]
    f_xb, f_nb, f_xa, f_na, p_xb, p_nb, p_xa, p_na = arrays

    def window_spread(x: tuple[np.ndarray, np.ndarray], y: tuple[np.ndarray, np.ndarray]) -> tuple[float, int]:
        """Variance of (company ratio - peers ratio) in one window, over resampled days, and its days."""
        days = len(x[0])
        pick = rng.integers(0, days, size=(resamples, days))
        with np.errstate(invalid="ignore", divide="ignore"):
            drawn = x[0][pick].sum(1) / x[1][pick].sum(1) - y[0][pick].sum(1) / y[1][pick].sum(1)
        drawn = drawn[np.isfinite(drawn)]
        return float(np.var(drawn, ddof=1)) * days / max(days - 1, 1), days

    var_b, days_b = window_spread((f_xb, f_nb), (p_xb, p_nb))
    var_a, days_a = window_spread((f_xa, f_na), (p_xa, p_na))
    point = (f_xa.sum() / f_na.sum() - f_xb.sum() / f_nb.sum()) - (p_xa.sum() / p_na.sum() - p_xb.sum() / p_nb.sum())
    se = float(np.sqrt(var_b + var_a))
    if not se > 0:  # the company and its peers moved exactly alike on every day
        return float(point * scale), float(point * scale), float(point * scale), 1.0 if point == 0 else 0.0
    df = (var_b + var_a) ** 2 / (var_b**2 / max(days_b - 1, 1) + var_a**2 / max(days_a - 1, 1))
    half = float(stats.t.ppf(0.975, df)) * se
    p = float(2 * stats.t.sf(abs(point) / se, df))
    return float(point * scale), float((point - half) * scale), float((point + half) * scale), p


PARTIES = ("company", "peers")
DAY_COLUMNS = ["day", *(f"{who}_{part}" for who in PARTIES for part in ("hits", "stories", "toned", "tone"))]


def daily(
    hits: pd.DataFrame, every: pd.DataFrame, company: str, peers: list[str], first: date, last: date
) -> pd.DataFrame:
    """Per day from ``first`` to ``last``: the company's and its peers' (summed) stories (``every``: the cube
    with the topic and keyword filters lifted), those the filters keep (``hits``), and the tone toward each
    summed over the kept ones that have one (``toned``: not those in a language without a lexicon)."""
    days = pd.date_range(first, last, freq="D")
    out = pd.DataFrame(index=days)
    for who, names in (("company", [company]), ("peers", peers)):
        kept = hits[hits["company"].isin(names)].groupby("day")[["articles", "toned", "tone_sum"]].sum()
        seen = every[every["company"].isin(names)].groupby("day")["articles"].sum()
        kept.index, seen.index = pd.DatetimeIndex(kept.index), pd.DatetimeIndex(seen.index)
        out[f"{who}_hits"] = kept["articles"].reindex(days, fill_value=0).to_numpy()
        out[f"{who}_stories"] = seen.reindex(days, fill_value=0).to_numpy()
        out[f"{who}_toned"] = kept["toned"].reindex(days, fill_value=0).to_numpy()
        out[f"{who}_tone"] = kept["tone_sum"].reindex(days, fill_value=0.0).to_numpy()
    return out.rename_axis("day").reset_index()[DAY_COLUMNS]


# measure -> (numerator, denominator, scale): topic stories per 100 stories; tone per topic story with a tone.
MEASURES = {"rate per 100": ("hits", "stories", 100.0), "mean tone": ("tone", "toned", 1.0)}
MEASURE_COLUMNS = [
    *("measure", "who", "stories_before", "stories_after"),
    *("before", "before_low", "before_high", "after", "after_low", "after_high"),
    *("change", "change_low", "change_high", "p", "too_thin"),
]
VERSUS_COLUMNS = ["measure", "change_company", "change_peers", "difference", "low", "high", "p", "too_thin"]


def _columns(days: pd.DataFrame, who: str, measure: str) -> tuple[np.ndarray, np.ndarray]:
    numerator, denominator, _ = MEASURES[measure]
    return days[f"{who}_{numerator}"].to_numpy(dtype=float), days[f"{who}_{denominator}"].to_numpy(dtype=float)


def assess(
    days: pd.DataFrame, event: date, peers: bool, rate: bool, unit: str = "stories"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each measure for the company (and its peers) before and after ``event`` (the event's day is the first
    after), and the change at the company against the change at the peers. Without a topic or keyword
    (``rate`` False) there is no rate: every story would be a hit."""
    stamp = pd.Timestamp(event)
    before, after = days[days["day"] < stamp], days[days["day"] >= stamp]
    measures = [m for m in MEASURES if rate or m != "rate per 100"]
    parties = [p for p in PARTIES if peers or p == "company"]
    rows, versus = [], []
    for measure in measures:
        scale = MEASURES[measure][2]
        found = {}
        for who in parties:
            b, a = _columns(before, who, measure), _columns(after, who, measure)
            found[who] = result = compare_windows(b, a, scale, rate_measure=measure == "rate per 100", unit=unit)
            rows.append(
                {
                    "measure": measure,
                    "who": who,
                    "stories_before": int(b[1].sum()),
                    "stories_after": int(a[1].sum()),
                    **_estimate("before", result.before),
                    **_estimate("after", result.after),
                    "change": result.value,
                    "change_low": result.low,
                    "change_high": result.high,
                    "p": result.p,
                    "too_thin": result.thin,
                }
            )
        if peers:
            thin = found["company"].thin or found["peers"].thin
            point = low = high = p = None
            if thin is None:
                args = [(*_columns(before, who, measure), *_columns(after, who, measure)) for who in PARTIES]
                point, low, high, p = difference_in_differences(args[0], args[1], scale)
            versus.append(
                {
                    "measure": measure,
                    "change_company": found["company"].value,
                    "change_peers": found["peers"].value,
                    "difference": point,
                    "low": low,
                    "high": high,
                    "p": p,
                    "too_thin": thin,
                }
            )
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS), pd.DataFrame(versus, columns=VERSUS_COLUMNS)


def _estimate(name: str, estimate: Estimate | None) -> dict[str, float | None]:
    if estimate is None:
        return {name: None, f"{name}_low": None, f"{name}_high": None}
    return {name: estimate.value, f"{name}_low": estimate.low, f"{name}_high": estimate.high}


def sentence(
    measures: pd.DataFrame,
    versus: pd.DataFrame,
    subject: str,
    company: str,
    peers: list[str],
    window: int,
    event: date,
    unit: str,
) -> str:
    """The finding in plain words, as the view's first line: a number only where the data can carry one."""
    parts = []
    rows = {(r.measure, r.who): r for r in measures.itertuples()}
    against = {r.measure: r for r in versus.itertuples()}
    peer_names = " and ".join([", ".join(peers[:-1]), peers[-1]] if len(peers) > 1 else peers)
    for measure, fmt, signed, lead in (
        ("rate per 100", "{:.1f}", "{:+.1f}", f"{subject} {unit} about {company}"),
        ("mean tone", "{:+.2f}", "{:+.2f}", f"Tone toward {company} in {'them' if subject else unit}"),
    ):
        mine = rows.get((measure, "company"))
        if mine is None:
            continue
        if _thin(mine):
            parts.append(f"{lead}: too thin to say, with {mine.too_thin}.")
            continue
        per = " per 100" if measure == "rate per 100" else ""
        text = (
            f"{lead}: {fmt.format(mine.before)}{per} in the {window} days before {event.isoformat()}, "
            f"{fmt.format(mine.after)} after ({signed.format(mine.change)}, 95% CI {signed.format(mine.change_low)} "
            f"to {signed.format(mine.change_high)}, p = {mine.p:.2g})."
        )
        theirs, versus_row = rows.get((measure, "peers")), against.get(measure)
        if theirs is not None and not _thin(theirs):
            text += f" At {peer_names}: {signed.format(theirs.change)}."
        if versus_row is not None and not _thin(versus_row):
            text += (
                f" Difference: {signed.format(versus_row.difference)} ({signed.format(versus_row.low)} to "
                f"{signed.format(versus_row.high)})."
            )
        elif versus_row is not None:
            text += f" Against {peer_names}: too thin to say, with {versus_row.too_thin}."
        parts.append(text)
    return " ".join(parts)


def _thin(row: object) -> bool:
    """Whether a table row says its data is too thin (its ``too_thin`` holds the reason)."""
    return isinstance(getattr(row, "too_thin", None), str)
