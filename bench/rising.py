"""``python -m bench.rising``: the rising-terms score under no change, and the Trends rates' Wilson intervals,
by simulation.

Rising terms: two periods of headlines drawn from one vocabulary (Zipf-distributed word frequencies, 8 words
a headline) at the sizes a selection has, so no term truly rose; the share of listed terms with z above
1.96 is the score's false-positive rate per term (a z-score that meant what it says would give 2.5% for a
one-sided rise). Then one word's frequency is doubled in the second period, and the share of datasets in
which it is listed first is the power.

Rates: topic stories drawn binomially from n stories about a company at a true rate p; the share of
Wilson 95% intervals (dashboard.read.trends.wilson, what the Trends and Compare rates carry) that hold p.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from scipy.stats import binomtest

from dashboard.read import rising, trends

VOCABULARY = 3000
WORDS_PER_HEADLINE = 8
SIZES = (100, 400, 1600)  # headlines a period
RATES = ((10, 0.05), (30, 0.05), (60, 0.05), (200, 0.02), (20, 0.3))  # (stories, true rate)


def _headlines(rng: np.random.Generator, count: int, weights: np.ndarray) -> list[str]:
    words = rng.choice(VOCABULARY, size=(count, WORDS_PER_HEADLINE), p=weights)
    return [" ".join(f"w{w}x" for w in row) for row in words]


def rising_null(datasets: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, VOCABULARY + 1)
    weights /= weights.sum()
    lines = []
    for size in SIZES:
        listed = above = first = 0
        for _ in range(datasets):
            now = rising.term_counts(_headlines(rng, size, weights))
            before = rising.term_counts(_headlines(rng, size, weights))
            table = rising.rising(now, before, top=10_000)
            listed += len(table)
            above += int((table["z"] > 1.96).sum())
            doubled = weights.copy()
            doubled[50] *= 2  # a mid-frequency word, about 1 in 400 words
            doubled /= doubled.sum()
            found = rising.rising(
                rising.term_counts(_headlines(rng, size, doubled)), rising.term_counts(_headlines(rng, size, weights))
            )
            first += bool(len(found)) and found["term"].iloc[0] == "w50x"
        share = above / max(listed, 1)
        ci = binomtest(above, max(listed, 1)).proportion_ci(method="wilson")
        lines.append(
            f"| {size} headlines a period | {listed / datasets:.1f} | {share:.2%} ({ci.low:.2%}-{ci.high:.2%}) | "
            f"{first / datasets:.0%} |"
        )
    return lines


def wilson_coverage(datasets: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    lines = []
    for n, p in RATES:
        hits = rng.binomial(n, p, datasets)
        low, high = trends.wilson(hits, np.full(datasets, n))
        covered = int(((low <= p) & (p <= high)).sum())
        ci = binomtest(covered, datasets).proportion_ci(method="wilson")
        lines.append(f"| {n} | {p:.0%} | {covered / datasets:.1%} ({ci.low:.1%}-{ci.high:.1%}) |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rising", description=__doc__)
    parser.add_argument("--datasets", type=int, default=200, help="simulated pairs of periods per size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(
        "| headlines | terms listed per dataset (no change) | z > 1.96 among them (95%) | doubled word listed first |"
    )
    print("|---|---|---|---|")
    print("\n".join(rising_null(args.datasets, args.seed)))
    print("\n| stories | true rate | Wilson 95% interval holds it (95%) |")
    print("|---|---|---|")
    print("\n".join(wilson_coverage(10 * args.datasets, args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
