"""``python -m bench.stories``: how well headline likeness tells copies of one piece of news from other news.

The labelled set, ``bench/data/story_pairs.jsonl``, holds headline pairs, each marked
- ``dup``: the same news, syndicated or lightly edited (the copies story counting must fold together);
- ``same``: the same news, reworded (what Google's looser clusters hold: reported separately);
- ``diff``: different news, however alike the words.
300 pairs come from real financial-news headlines (Twitter Financial News Sentiment, MIT; the pairs were
drawn among those sharing a rare word and a token-set similarity of 50 or more, so nearly all are hard) and
were labelled by hand; 45 are hand-written AI-industry hard cases (copies with edited headlines, and
same-company, same-day different news). Precision and recall are over ``dup`` against ``diff`` pairs.

The shipped test (dashboard.analyse.likeness.same_news) is shown beside the alternatives it was chosen over,
and its threshold is checked by two-fold cross-validation (chosen on one half, scored on the other). The
share of ``dup`` pairs that share a MinHash band (the candidate search) bounds what the store can find.
Google News clusters in the feed corpus (``../shared/eval/feeds``), when there are any, give a recall of
their own: each pair of headlines in one ``<ol>`` cluster is news Google put together.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path

from scipy.stats import binomtest

from bench.evalsets import SHARED_EVAL_DIR
from dashboard.analyse import likeness
from dashboard.collect.normalize import html_to_text

PAIRS = Path(__file__).resolve().parent / "data" / "story_pairs.jsonl"
FEED_CORPUS = SHARED_EVAL_DIR / "feeds"
THRESHOLDS = (0.4, 0.45, 0.5, 0.56, 0.6, 0.65)  # the table's rows
TUNING = tuple(round(0.4 + 0.01 * i, 2) for i in range(26))  # what cross-validation chooses among
TARGET_PRECISION, TARGET_RECALL = 0.95, 0.80
_CLUSTER_ITEM = re.compile(r"<li>\s*<a [^>]*>(.*?)</a>", re.S | re.I)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    label: str  # dup, same or diff
    source: str  # tfns or hand


@dataclass(frozen=True)
class Score:
    """One method at one threshold: pairwise precision and recall of ``dup`` with 95% intervals."""

    method: str
    threshold: float
    precision: float
    precision_low: float
    precision_high: float
    recall: float
    recall_low: float
    recall_high: float
    reworded_recall: float  # share of ``same`` pairs it joins
    false_pairs: int


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    return [Pair(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _share(hits: int, total: int) -> tuple[float, float, float]:
    """A proportion with its Wilson 95% interval (NaN when there is nothing to count)."""
    if total == 0:
        return float("nan"), float("nan"), float("nan")
    interval = binomtest(hits, total).proportion_ci(method="wilson")
    return hits / total, interval.low, interval.high


def score(method: str, threshold: float, pairs: Sequence[Pair], joined: Sequence[bool]) -> Score:
    """Precision and recall of one method's decisions on the pairs."""
    tp = sum(j and p.label == "dup" for p, j in zip(pairs, joined, strict=True))
    fp = sum(j and p.label == "diff" for p, j in zip(pairs, joined, strict=True))
    dups = sum(p.label == "dup" for p in pairs)
    reworded = [j for p, j in zip(pairs, joined, strict=True) if p.label == "same"]
    precision, recall = _share(tp, tp + fp), _share(tp, dups)
    return Score(method, threshold, *precision, *recall, sum(reworded) / max(len(reworded), 1), fp)


def _jaccard(a: likeness.Words, b: likeness.Words) -> float:
    if len(a.words) < likeness.MIN_WORDS or len(b.words) < likeness.MIN_WORDS:
        return 0.0
    return len(a.words & b.words) / len(a.words | b.words)


def methods() -> dict[str, Callable[[Pair, float], bool]]:
    """The shipped test and the alternatives it was measured against."""
    words = likeness.headline_words
    found: dict[str, Callable[[Pair, float], bool]] = {
        "shipped: weighted words, figures agree": lambda p, t: likeness.same_news(words(p.a), words(p.b), t),
        "weighted words only": lambda p, t: likeness.similarity(words(p.a), words(p.b)) >= t,
        "plain word Jaccard": lambda p, t: _jaccard(words(p.a), words(p.b)) >= t,
    }
    try:
        from rapidfuzz import fuzz
    except ImportError:  # a bench extra: requirements-dev.txt installs it
        return found
    found["rapidfuzz token-set ratio"] = lambda p, t: fuzz.token_set_ratio(p.a, p.b) >= 100 * (t + 0.3)
    return found


def _best_threshold(pairs: Sequence[Pair]) -> float:
    """The threshold that reaches the precision target with the most recall (else the most precise)."""
    decide = methods()["shipped: weighted words, figures agree"]
    scored = [score("", t, pairs, [decide(p, t) for p in pairs]) for t in TUNING]
    good = [s for s in scored if s.precision >= TARGET_PRECISION]
    return (
        max(good, key=lambda s: (s.recall, s.threshold)).threshold
        if good
        else max(scored, key=lambda s: s.precision).threshold
    )


def cross_validated(pairs: Sequence[Pair]) -> tuple[Score, list[float]]:
    """Two-fold: the threshold chosen on each half, the decisions on the other, pooled."""
    halves = [list(pairs[0::2]), list(pairs[1::2])]
    decide = methods()["shipped: weighted words, figures agree"]
    chosen, scored_pairs, decisions = [], [], []
    for tune, test in ((halves[0], halves[1]), (halves[1], halves[0])):
        threshold = _best_threshold(tune)
        chosen.append(threshold)
        scored_pairs += test
        decisions += [decide(p, threshold) for p in test]
    return score("shipped, threshold cross-validated", float("nan"), scored_pairs, decisions), chosen


def band_recall(pairs: Sequence[Pair]) -> float:
    """The share of ``dup`` pairs whose headlines share a MinHash band (found as candidates at all)."""
    dups = [p for p in pairs if p.label == "dup"]
    keys = likeness.bands([likeness.headline_words(t) for p in dups for t in (p.a, p.b)])
    return sum(keys[2 * i].finds(keys[2 * i + 1]) for i in range(len(dups))) / max(len(dups), 1)


def google_clusters(corpus: Path = FEED_CORPUS) -> list[list[str]]:
    """The headlines of every Google News ``<ol>`` cluster of two or more in the feed corpus."""
    clusters = []
    for path in sorted(corpus.rglob("*")) if corpus.is_dir() else []:
        if not path.is_file() or path.suffix.lower() not in (".xml", ".rss", ".atom", ""):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "news.google.com" not in text:
            continue
        for description in re.findall(r"<description>(.*?)</description>", text, re.S):
            html = description.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
            heads = [html_to_text(h) for h in _CLUSTER_ITEM.findall(html)]
            if len(heads) >= 2:
                clusters.append(heads)
    return clusters


def cluster_recall(clusters: Sequence[Sequence[str]]) -> tuple[int, float]:
    """Pairs within Google's clusters, and the share the shipped test joins."""
    pairs = [(a, b) for heads in clusters for a, b in combinations(heads, 2)]
    joined = sum(likeness.same_news(likeness.headline_words(a), likeness.headline_words(b)) for a, b in pairs)
    return len(pairs), joined / len(pairs) if pairs else float("nan")


def run() -> dict[str, object]:
    pairs = load_pairs()
    table = [
        score(name, t, pairs, [decide(p, t) for p in pairs]) for name, decide in methods().items() for t in THRESHOLDS
    ]
    shipped = [s for s in table if s.method.startswith("shipped") and s.threshold == likeness.THRESHOLD]
    validated, chosen = cross_validated(pairs)
    by_source = {
        source: score(
            "shipped",
            likeness.THRESHOLD,
            part,
            [methods()["shipped: weighted words, figures agree"](p, likeness.THRESHOLD) for p in part],
        )
        for source in ("tfns", "hand")
        for part in [[p for p in pairs if p.source == source]]
    }
    clusters = google_clusters()
    n_cluster_pairs, google = cluster_recall(clusters)
    return {
        "pairs": {label: sum(p.label == label for p in pairs) for label in ("dup", "same", "diff")},
        "table": [asdict(s) for s in table],
        "shipped": asdict(shipped[0]),
        "cross_validated": asdict(validated) | {"thresholds": chosen},
        "by_source": {k: asdict(v) for k, v in by_source.items()},
        "band_recall": band_recall(pairs),
        "google_clusters": {"clusters": len(clusters), "pairs": n_cluster_pairs, "recall": google},
    }


def _line(s: dict[str, object]) -> str:
    precision = f"{s['precision']:.3f} ({s['precision_low']:.2f}-{s['precision_high']:.2f})"
    recall = f"{s['recall']:.3f} ({s['recall_low']:.2f}-{s['recall_high']:.2f})"
    rest = f"{s['reworded_recall']:.3f} | {s['false_pairs']}"
    return f"| {s['method']} | {s['threshold']} | {precision} | {recall} | {rest} |"


def report(figures: dict[str, object]) -> str:
    lines = [
        f"labelled pairs: {figures['pairs']}",
        "",
        "| method | threshold | precision (95%) | recall (95%) | reworded joined | false pairs |",
        "| --- | --- | --- | --- | --- | --- |",
        *(_line(s) for s in figures["table"]),  # type: ignore[attr-defined]
        "",
        "shipped threshold:",
        _line(figures["shipped"]),  # type: ignore[arg-type]
        "two-fold cross-validated (thresholds chosen " + str(figures["cross_validated"]["thresholds"]) + "):",  # type: ignore[index]
        _line(figures["cross_validated"]),  # type: ignore[arg-type]
        *(f"{k}: " + _line(v) for k, v in figures["by_source"].items()),  # type: ignore[attr-defined]
        f"dup pairs sharing a MinHash band (found as candidates): {figures['band_recall']:.3f}",
    ]
    google = figures["google_clusters"]
    if google["clusters"]:  # type: ignore[index]
        lines.append(
            f"Google News clusters: {google['clusters']}, {google['pairs']} pairs, recall {google['recall']:.3f}"
        )  # type: ignore[index]
    else:
        lines.append(
            "Google News clusters: none in ../shared/eval/feeds (absent, or no Google News captures): not measured"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stories", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = run()
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
