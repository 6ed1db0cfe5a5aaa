"""Accuracy harness: VADER fidelity, plain VADER vs ours on news tone, and company/topic matching.

Run from the project root:  python -m bench.accuracy [--eval-dir ../shared/eval] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.evalsets import (
    DEFAULT_EVAL_DIR,
    PAPER_TABLE_4,
    VADER_SETS,
    ChallengeHeadline,
    LabelledText,
    in_test_half,
    read_challenge,
    read_foreign_headlines,
    read_newsmtsc,
    read_newsmtsc_targets,
    read_twitter_financial,
    read_vader_set,
)
from bench.metrics import accuracy, bootstrap_interval, macro_f1, pearson, precision_recall, weighted_f1
from dashboard.analyse.analysis import Analyzer
from dashboard.analyse.sentiment import label_for
from dashboard.config import DEFAULT_CONFIG, load_config

MATCHING_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "matching_headlines.jsonl"
PLAIN_BAND = 0.05  # VADER's customary neutral band


def paper_binary_f1(ratings: list[float], compounds: list[float]) -> float:
    """Table 4's classification F1: truth is the sign of the human mean; VADER's label uses the +-0.05 band,
    a neutral prediction counting as a miss; F1 weighted over the positive and negative classes."""
    truth = ["pos" if r > 0 else "neg" for r in ratings]
    predicted = [label_for(c, PLAIN_BAND) for c in compounds]
    return weighted_f1(truth, predicted, ["pos", "neg"])


def fidelity(eval_dir: Path, plain: SentimentIntensityAnalyzer, analyzer: Analyzer) -> list[dict[str, object]]:
    """Plain VADER on the paper's four ground-truth sets, beside the paper's figures (and ours on tweets)."""
    rows = []
    for name in VADER_SETS:
        data = read_vader_set(eval_dir, name)
        ratings = [d.rating for d in data]
        compounds = [plain.polarity_scores(d.text)["compound"] for d in data]
        paper_r, paper_f1 = PAPER_TABLE_4[name]
        row: dict[str, object] = {
            "set": name,
            "n": len(data),
            "r": pearson(ratings, compounds),
            "paper_r": paper_r,
            "f1": paper_binary_f1(ratings, compounds),
            "paper_f1": paper_f1,
        }
        if name == "tweets":
            row["ours_r"] = pearson(ratings, [analyzer.scorer.compound(d.text) for d in data])
        rows.append(row)
    return rows


def toward_label(analyzer: Analyzer, item: LabelledText) -> str:
    """Our label toward a targeted item's mention, by the store's own function ("none" if it is not found)."""
    assert item.target is not None
    name = item.text[item.target[0] : item.target[1]]
    tone = analyzer.toward_targets([name], text=item.text)[name]
    return tone.label if tone else "none"


def challenge(analyzer: Analyzer, plain: SentimentIntensityAnalyzer) -> list[dict[str, object]]:
    """The tone challenge set, per (headline, company): plain VADER's headline label against our tone toward
    each company, on each half, and on the headlines naming companies of different fortunes."""
    rows = []
    for half in ("test", "tune"):
        part = [h for h in read_challenge() if in_test_half(h.text) == (half == "test")]
        for subset, items in (("all", part), ("mixed", [h for h in part if h.mixed])):
            truth, plain_labels, ours_labels = _challenge_labels(analyzer, plain, items)
            groups, at = [], 0
            for item in items:
                groups.append(
                    list(zip(truth[at : at + len(item.labels)], ours_labels[at : at + len(item.labels)], strict=True))
                )
                at += len(item.labels)
            rows.append(
                {
                    "set": "Tone challenge (toward each company)",
                    "half": half if subset == "all" else f"{half}, companies of different fortunes",
                    "n": len(truth),
                    "plain_acc": accuracy(truth, plain_labels),
                    "plain_f1": macro_f1(truth, plain_labels),
                    "ours_acc": accuracy(truth, ours_labels),
                    "ours_f1": macro_f1(truth, ours_labels),
                    "ours_f1_interval": bootstrap_interval(groups, macro_f1),
                }
            )
    return rows


def _challenge_labels(
    analyzer: Analyzer, plain: SentimentIntensityAnalyzer, items: list[ChallengeHeadline]
) -> tuple[list[str], list[str], list[str]]:
    """Truth, plain VADER's and our label for every (headline, company) pair of these headlines."""
    truth, plain_labels, ours_labels = [], [], []
    for item in items:
        headline = label_for(plain.polarity_scores(item.text)["compound"], PLAIN_BAND)
        toward = analyzer.toward_targets([name for name, _ in item.labels], title=item.text)
        for name, label in item.labels:
            truth.append(label)
            plain_labels.append(headline)
            ours_labels.append(toward[name].label if toward[name] else "none")  # type: ignore[union-attr]
    return truth, plain_labels, ours_labels


def challenge_misses(analyzer: Analyzer, half: str = "tune") -> list[str]:
    """The tuning half's (headline, company) pairs we label wrongly, for looking at while tuning."""
    lines = []
    for item in read_challenge():
        if in_test_half(item.text) != (half == "test"):
            continue
        toward = analyzer.toward_targets([name for name, _ in item.labels], title=item.text)
        for name, label in item.labels:
            got = toward[name]
            if got is None or got.label != label:
                shown = f"{got.label} {got.compound:+.3f}" if got else "not found"
                lines.append(f"{item.shape:9} {name}: want {label}, got {shown} | {item.text}")
    return lines


def news_tone(eval_dir: Path, plain: SentimentIntensityAnalyzer, analyzer: Analyzer) -> list[dict[str, object]]:
    """Plain VADER against ours on the test halves of the news sets (and the tuning halves, for reference);
    sets only beside the project (the training splits, NewsMTSC's multi-target set) are left out without them."""
    rows = []
    sets: dict[str, tuple[list[LabelledText], bool]] = {
        "Twitter Financial News, validation (headline tone)": (read_twitter_financial(eval_dir), False),
        "NewsMTSC devtest_rw (tone toward a named target)": (read_newsmtsc(eval_dir), True),
    }
    optional = {
        "Twitter Financial News, train (headline tone)": lambda: (read_twitter_financial(eval_dir, "train"), False),
        "NewsMTSC devtest_mt (targets of different tones)": lambda: (read_newsmtsc_targets(eval_dir), True),
    }
    for name, read in optional.items():
        try:
            sets[name] = read()
        except OSError:
            continue
    for name, (data, targeted) in sets.items():
        for half in ("test", "tune"):
            part = [d for d in data if in_test_half(d.text) == (half == "test")]
            truth = [d.label for d in part]
            plain_labels = [label_for(plain.polarity_scores(d.text)["compound"], PLAIN_BAND) for d in part]
            if targeted:
                ours_labels = [toward_label(analyzer, d) for d in part]
            else:
                tones = [analyzer.analyse(d.text).tone for d in part]
                ours_labels = [tone.label if tone else "none" for tone in tones]  # "none": not read as English
            rows.append(
                {
                    "set": name,
                    "half": half,
                    "n": len(part),
                    "plain_acc": accuracy(truth, plain_labels),
                    "plain_f1": macro_f1(truth, plain_labels),
                    "ours_acc": accuracy(truth, ours_labels),
                    "ours_f1": macro_f1(truth, ours_labels),
                }
            )
    return rows


def languages(analyzer: Analyzer, eval_dir: Path) -> list[dict[str, object]]:
    """Language detection as shipped: English texts kept English (their tone kept), foreign headlines told
    apart, and the cost per text."""
    foreign = read_foreign_headlines()
    sets = {"tone challenge set (English)": [h.text for h in read_challenge()]}
    for split in ("valid", "train"):
        try:
            sets[f"Twitter Financial News, {split} (mostly English)"] = [
                d.text for d in read_twitter_financial(eval_dir, split)
            ]
        except OSError:
            continue
    detect = analyzer.languages.detect
    rows: list[dict[str, object]] = []
    for name, texts in sets.items():
        started = time.perf_counter()
        found = [detect(t) for t in texts]
        micro = 1e6 * (time.perf_counter() - started) / len(texts)
        rows.append({"set": name, "n": len(texts), "as_english": sum(f == "en" for f in found), "us_per_text": micro})
    found = [detect(text) for _, text in foreign]
    rows.append(
        {
            "set": f"foreign headlines ({len({code for code, _ in foreign})} languages)",
            "n": len(foreign),
            "as_english": sum(f == "en" for f in found),
            "right": sum(f == code for f, (code, _) in zip(found, foreign, strict=True)),
        }
    )
    return rows


def matching(analyzer: Analyzer, path: Path = MATCHING_SET) -> dict[str, list[dict[str, object]]]:
    """Precision and recall per company and per topic on the labelled headlines in tests/data."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    analyses = [analyzer.analyse_text(item["text"]) for item in items]
    result: dict[str, list[dict[str, object]]] = {}
    for kind, names in (("companies", [r.name for r in analyzer.companies.rules]), ("topics", analyzer.topics.names)):
        truth = [set(item[kind]) for item in items]
        found = [set(getattr(a, kind)) for a in analyses]
        rows = []
        for name in names:
            precision, recall, support = precision_recall(truth, found, name)
            rows.append({"name": name, "precision": precision, "recall": recall, "support": support})
        result[kind] = rows
    result["items"] = [{"n": len(items)}]
    return result


def render(
    fid: list[dict[str, object]],
    tone: list[dict[str, object]],
    match: dict[str, list[dict[str, object]]],
    langs: Sequence[dict[str, object]] = (),
) -> str:
    """The Markdown tables printed by the harness and kept in bench/README.md."""
    lines = [
        "### VADER fidelity (plain VADER, whole sets, vs Hutto & Gilbert 2014, Table 4)",
        "",
        "| set | n | r | paper r | F1 | paper F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in fid:
        lines.append(
            f"| {r['set']} | {r['n']:,} | {r['r']:.3f} | {r['paper_r']:.3f} | {r['f1']:.3f} | {r['paper_f1']:.2f} |"
        )
    tweets = next(r for r in fid if r["set"] == "tweets")
    lines += ["", f"Ours on the tweets set: r = {tweets['ours_r']:.3f} (must stay >= 0.85).", ""]
    lines += [
        '### News tone: plain VADER vs ours (3 classes; macro-F1 is the target; "none": a company not found)',
        "",
        "| set | half | n | plain acc | plain macro-F1 | ours acc | ours macro-F1 | gain |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in tone:
        gain = float(r["ours_f1"]) - float(r["plain_f1"])  # type: ignore[arg-type]
        low, high = r.get("ours_f1_interval", (None, None))  # type: ignore[misc]
        interval = f" ({low:.3f}-{high:.3f})" if low is not None else ""
        lines.append(
            f"| {r['set']} | {r['half']} | {r['n']:,} | {r['plain_acc']:.3f} | {r['plain_f1']:.3f} | "
            f"{r['ours_acc']:.3f} | {r['ours_f1']:.3f}{interval} | {gain:+.3f} |"
        )
    if langs:
        lines += [
            "",
            "### Language: which articles get an English tone",
            "",
            "| set | n | read as English | told apart right | us per text |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for r in langs:
            right = f"{r['right']}" if "right" in r else ""
            cost = f"{r['us_per_text']:.0f}" if "us_per_text" in r else ""
            lines.append(f"| {r['set']} | {r['n']:,} | {r['as_english']:,} | {right} | {cost} |")
    lines += ["", f"### Company and topic matching ({match['items'][0]['n']} labelled headlines in tests/data)", ""]
    for kind in ("companies", "topics"):
        lines += [
            f"| {kind[:-1] if kind == 'topics' else 'company'} | precision | recall | support |",
            "| --- | ---: | ---: | ---: |",
        ]
        for r in match[kind]:
            lines.append(f"| {r['name']} | {r['precision']:.2f} | {r['recall']:.2f} | {r['support']} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--eval-dir",
        type=Path,
        default=DEFAULT_EVAL_DIR,
        help="evaluation data (default: ../shared/eval beside the project, else the copies in tests/data/eval)",
    )
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument(
        "--misses", action="store_true", help="list the challenge set's tuning-half misses instead (for tuning)"
    )
    args = parser.parse_args(argv)
    if not (args.eval_dir / "vader_groundtruth").is_dir():
        print(
            f"{args.eval_dir}: evaluation data not found (expected vader_groundtruth/ and the news sets)",
            file=sys.stderr,
        )
        return 2
    analyzer = Analyzer.from_config(load_config(args.config))
    if args.misses:
        print("\n".join(challenge_misses(analyzer)))
        return 0
    plain = SentimentIntensityAnalyzer()
    fid, tone, match, langs = (
        fidelity(args.eval_dir, plain, analyzer),
        challenge(analyzer, plain) + news_tone(args.eval_dir, plain, analyzer),
        matching(analyzer),
        languages(analyzer, args.eval_dir),
    )
    print(render(fid, tone, match, langs))
    if args.json:
        figures = {"fidelity": fid, "news_tone": tone, "matching": match, "languages": langs}
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
