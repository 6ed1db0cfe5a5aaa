"""Classification and correlation metrics for the evaluation harness (small, exact, dependency-free)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

LABELS = ("neg", "neu", "pos")


def f1_per_label(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """F1 of each label (0 when a label is never predicted or never true)."""
    scores = {}
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = LABELS) -> float:
    """Unweighted mean of the per-label F1 scores."""
    scores = f1_per_label(truth, predicted, labels)
    return sum(scores.values()) / len(scores)


def weighted_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """Per-label F1 weighted by how often each label is true."""
    scores = f1_per_label(truth, predicted, labels)
    return sum(scores[label] * truth.count(label) for label in labels) / len(truth)


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of exact matches."""
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson correlation coefficient."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    return cov / math.sqrt(var_x * var_y)


def precision_recall(truth: Sequence[set[str]], found: Sequence[set[str]], label: str) -> tuple[float, float, int]:
    """Precision and recall of one label over multi-label items, and how many items truly carry it."""
    tp = sum(label in t and label in f for t, f in zip(truth, found, strict=True))
    fp = sum(label not in t and label in f for t, f in zip(truth, found, strict=True))
    fn = sum(label in t and label not in f for t, f in zip(truth, found, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0, tp + fn)


def bootstrap_interval(
    groups: Sequence[Sequence[tuple[str, str]]],
    statistic: Callable[[list[str], list[str]], float],
    resamples: int = 1000,
    seed: int = 14,
) -> tuple[float, float]:
    """95% percentile interval of a statistic of (truth, predicted) pairs, resampling whole groups (the pairs
    of one headline move together, since they share its words); seeded, so the same data give the same bounds."""
    rng = random.Random(seed)
    values = []
    for _ in range(resamples):
        picked = [pair for _ in groups for pair in groups[rng.randrange(len(groups))]]
        values.append(statistic([t for t, _ in picked], [p for _, p in picked]))
    values.sort()
    return values[int(0.025 * resamples)], values[int(0.975 * resamples) - 1]
