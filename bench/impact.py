"""``python -m bench.impact``: the Impact view's intervals and p-values, by simulation.

Each dataset is two windows of days around an event, for a company and its peers. Per day, the stories
about each are negative-binomial (a gamma-distributed daily level, so busy and quiet days), a shared news
factor moves the company and its peers together, the share of stories on the topic varies from day to day
(a beta-distributed daily share: a topic comes in bursts), and each topic story's tone toward the company is
a day's mean plus the story's own noise. With no effect, both windows are drawn alike: the 95% intervals of
the change (rate and tone) and of the change against peers should hold the truth, zero, 93-97% of the time,
and p < 0.05 should come up 3-7% of the time. With an effect planted at the company after the event (its
topic share times ``--times``, its tone lower by ``--shift``), the share of datasets with p < 0.05 is the
power. The windows' statistics come from dashboard.read.impact, the code the view runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import binomtest

from dashboard.read import impact

SETTINGS = (  # (window days, company stories a day, topic share): about 25 to 45 topic stories a window
    (14, 20.0, 0.10),
    (30, 10.0, 0.08),
    (30, 30.0, 0.05),
    (90, 10.0, 0.03),
)
LEVEL_SHAPE = 4.0  # gamma shape of each day's level (negative-binomial counts)
SHARE_SPREAD = 30.0  # beta concentration of each day's topic share (smaller: burstier)
TONE_MEAN, TONE_DAY_SD, TONE_SD = -0.15, 0.08, 0.35


@dataclass(frozen=True)
class Row:
    """One setting and measure: coverage of the 95% interval and the share of p < 0.05, with 95% bounds."""

    measure: str
    window: int
    per_day: float
    share: float
    datasets: int
    said: int  # datasets not too thin to say anything
    coverage: float
    coverage_low: float
    coverage_high: float
    rejected: float
    rejected_low: float
    rejected_high: float
    power: float  # p < 0.05 with the effect planted


def _window(
    rng: np.random.Generator, days: int, per_day: float, share: float, times: float, shift: float
) -> dict[str, np.ndarray]:
    """Per day: company and peer stories, their topic stories, and the topic stories' tone sums."""
    news = rng.gamma(LEVEL_SHAPE, 1 / LEVEL_SHAPE, days)  # shared by the company and its peers
    out = {}
    for who, effect in (("focal", (times, shift)), ("peers", (1.0, 0.0))):
        n = rng.poisson(per_day * news * rng.gamma(LEVEL_SHAPE, 1 / LEVEL_SHAPE, days))
        daily_share = np.clip(rng.beta(share * SHARE_SPREAD, (1 - share) * SHARE_SPREAD, days) * effect[0], 0, 1)
        x = rng.binomial(n, daily_share)
        day_tone = TONE_MEAN + effect[1] + rng.normal(0, TONE_DAY_SD, days)
        tone = rng.normal(day_tone * x, TONE_SD * np.sqrt(x))  # the sum of x stories' tones
        out |= {f"{who}_n": n, f"{who}_x": x, f"{who}_tone": np.where(x > 0, tone, 0.0)}
    return out


def _tests(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> dict[str, tuple[float, float, float]]:
    """(low, high, p) of each measure, or NaNs where the view would say the data is too thin."""
    out = {}
    rate = impact.compare_windows(
        (before["focal_x"], before["focal_n"]), (after["focal_x"], after["focal_n"]), 100, rate_measure=True
    )
    out["rate change"] = (rate.low, rate.high, rate.p) if rate.thin is None else (np.nan,) * 3
    tone = impact.compare_windows(
        (before["focal_tone"], before["focal_x"]), (after["focal_tone"], after["focal_x"]), 1, rate_measure=False
    )
    out["tone change"] = (tone.low, tone.high, tone.p) if tone.thin is None else (np.nan,) * 3
    if rate.thin is None:
        _, low, high, p = impact.difference_in_differences(
            (before["focal_x"], before["focal_n"], after["focal_x"], after["focal_n"]),
            (before["peers_x"], before["peers_n"], after["peers_x"], after["peers_n"]),
            100,
            resamples=1000,
        )
        out["rate change against peers"] = (low, high, p)
    else:
        out["rate change against peers"] = (np.nan,) * 3
    return out


def measure(datasets: int, seed: int, times: float, shift: float) -> list[Row]:
    rng = np.random.default_rng(seed)
    rows = []
    for window, per_day, share in SETTINGS:
        null: dict[str, list[tuple[float, float, float]]] = {}
        planted: dict[str, list[float]] = {}
        for _ in range(datasets):
            before = _window(rng, window, per_day, share, 1.0, 0.0)
            for name, found in _tests(before, _window(rng, window, per_day, share, 1.0, 0.0)).items():
                null.setdefault(name, []).append(found)
            for name, found in _tests(before, _window(rng, window, per_day, share, times, shift)).items():
                planted.setdefault(name, []).append(found[2])
        for name, found in null.items():
            said = [f for f in found if not np.isnan(f[2])]
            if not said:
                continue
            covered = sum(low <= 0 <= high for low, high, _ in said)
            rejected = sum(p < 0.05 for _, _, p in said)
            c_ci = binomtest(covered, len(said)).proportion_ci(method="wilson")
            r_ci = binomtest(rejected, len(said)).proportion_ci(method="wilson")
            powered = [p for p in planted[name] if not np.isnan(p)]
            rows.append(
                Row(
                    measure=name,
                    window=window,
                    per_day=per_day,
                    share=share,
                    datasets=datasets,
                    said=len(said),
                    coverage=covered / len(said),
                    coverage_low=float(c_ci.low),
                    coverage_high=float(c_ci.high),
                    rejected=rejected / len(said),
                    rejected_low=float(r_ci.low),
                    rejected_high=float(r_ci.high),
                    power=sum(p < 0.05 for p in powered) / max(len(powered), 1),
                )
            )
    return rows


def table(rows: list[Row], times: float, shift: float) -> str:
    lines = [
        "| measure | window | stories/day | topic share | said (of datasets) | 95% interval holds 0 | p < 0.05 | "
        f"power (x{times:g} share, tone {-shift:+g}) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.measure} | {r.window} days | {r.per_day:g} | {r.share:.0%} | {r.said} ({r.datasets}) | "
            f"{r.coverage:.1%} ({r.coverage_low:.1%}-{r.coverage_high:.1%}) | "
            f"{r.rejected:.1%} ({r.rejected_low:.1%}-{r.rejected_high:.1%}) | {r.power:.0%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.impact", description=__doc__)
    parser.add_argument("--datasets", type=int, default=1000, help="simulated datasets per setting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--times", type=float, default=2.0, help="the planted effect on the topic share")
    parser.add_argument("--shift", type=float, default=0.1, help="the planted drop in tone")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args(argv)
    rows = measure(args.datasets, args.seed, args.times, args.shift)
    print(table(rows, args.times, args.shift))
    held = all(0.93 <= r.coverage <= 0.97 and 0.03 <= r.rejected <= 0.07 for r in rows)
    print(f"\ncoverage within 93-97% and p < 0.05 within 3-7% in every setting: {'yes' if held else 'NO'}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump([asdict(r) for r in rows], out, indent=1)
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
