"""Readers for the public evaluation sets, and the tune/test split used on them.

The sets the accuracy figures use (VADER's ground truth, Twitter Financial News validation, NewsMTSC's
real-world dev/test) are MIT-licensed and copied into tests/data/eval, so the tests run on a bare clone;
../shared/eval, beside the project when it is there, holds them and larger ones."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

BUNDLED_EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval"
CHALLENGE_SET = BUNDLED_EVAL_DIR.parent / "tone_challenge.txt"
LANGUAGE_SET = BUNDLED_EVAL_DIR.parent / "language_headlines.txt"
TONE_LABELS = ("neg", "neu", "pos")
SHARED_EVAL_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
DEFAULT_EVAL_DIR = SHARED_EVAL_DIR if SHARED_EVAL_DIR.is_dir() else BUNDLED_EVAL_DIR
VADER_SETS = {
    "tweets": "tweets_GroundTruth.txt",
    "movie reviews": "movieReviewSnippets_GroundTruth.txt",
    "Amazon reviews": "amazonReviewSnippets_GroundTruth.txt",
    "NYT editorials": "nytEditorialSnippets_GroundTruth.txt",
}
# Hutto & Gilbert (2014), Table 4: VADER's correlation with the human mean and its classification F1.
PAPER_TABLE_4 = {
    "tweets": (0.881, 0.96),
    "movie reviews": (0.451, 0.61),
    "Amazon reviews": (0.565, 0.63),
    "NYT editorials": (0.492, 0.55),
}


@dataclass(frozen=True)
class RatedText:
    """A text with the mean of its human ratings (-4..4)."""

    text: str
    rating: float


@dataclass(frozen=True)
class LabelledText:
    """A text with a tone label (neg/neu/pos) and, for targeted sets, where the target is mentioned."""

    text: str
    label: str
    target: tuple[int, int] | None = None


@dataclass(frozen=True)
class ChallengeHeadline:
    """A challenge-set headline: its shape and its tone label toward each company it names."""

    text: str
    shape: str
    labels: tuple[tuple[str, str], ...]

    @property
    def mixed(self) -> bool:
        """It names two or more companies with different labels (the issue's harder subset)."""
        return len({label for _, label in self.labels}) > 1


class ChallengeError(ValueError):
    """A challenge-set line that cannot be read, with the file and line number."""


def in_test_half(text: str) -> bool:
    """The fixed split: a text belongs to the test half when its hash is odd, else to the tuning half."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()[0] % 2 == 1


def read_vader_set(eval_dir: Path, name: str) -> list[RatedText]:
    """One of the VADER paper's ground-truth files: ID, mean rating, text (tab-separated)."""
    path = eval_dir / "vader_groundtruth" / VADER_SETS[name]
    rows = []
    for line in path.read_text(encoding="utf-8-sig", errors="replace").splitlines():
        if line.strip():
            _, rating, text = line.split("\t", 2)
            rows.append(RatedText(text, float(rating)))
    return rows


def read_challenge(path: Path = CHALLENGE_SET) -> list[ChallengeHeadline]:
    """The tone challenge set: ``SHAPE | Company=label; ... | headline`` lines, ``#`` comments."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split(" | ", 2)]
        if len(parts) != 3:
            raise ChallengeError(f"{path}:{number}: expected SHAPE | Company=label; ... | headline")
        shape, spec, text = parts
        labels = tuple(tuple(part.strip().rsplit("=", 1)) for part in spec.split(";"))
        if any(len(pair) != 2 or pair[1] not in TONE_LABELS or not pair[0] for pair in labels):
            raise ChallengeError(f"{path}:{number}: labels must read Company=neg|neu|pos, got {spec!r}")
        if len({name for name, _ in labels}) != len(labels):
            raise ChallengeError(f"{path}:{number}: a company is labelled twice in {spec!r}")
        rows.append(ChallengeHeadline(text, shape, labels))  # type: ignore[arg-type]  # pairs, checked above
    return rows


def read_foreign_headlines(path: Path = LANGUAGE_SET) -> list[tuple[str, str]]:
    """The non-English headlines: (language, headline) from ``language | headline`` lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        (code, text)
        for code, text in (line.split(" | ", 1) for line in lines if line.strip() and not line.startswith("#"))
    ]


def read_twitter_financial(eval_dir: Path, split: str = "valid") -> list[LabelledText]:
    """Twitter Financial News Sentiment (``valid`` or ``train``): 0 bearish -> neg, 1 bullish -> pos, 2 neutral."""
    path = eval_dir / "twitter_financial_news_sentiment" / f"sent_{split}.csv"
    labels = {"0": "neg", "1": "pos", "2": "neu"}
    with path.open(encoding="utf-8", newline="") as handle:
        return [LabelledText(row["text"], labels[row["label"]]) for row in csv.DictReader(handle)]


def read_newsmtsc(eval_dir: Path) -> list[LabelledText]:
    """NewsMTSC real-world dev/test: sentences whose targets share one polarity, with the primary target."""
    rows = []
    for line in (eval_dir / "newsmtsc" / "devtest_rw.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        polarities = {t["polarity"] for t in item["targets"]}
        if len(polarities) != 1:
            continue
        primary = next(t for t in item["targets"] if t["Input.gid"] == item["primary_gid"])
        rows.append(
            LabelledText(item["sentence_normalized"], _NEWSMTSC[polarities.pop()], (primary["from"], primary["to"]))
        )
    return rows


def read_newsmtsc_targets(eval_dir: Path, split: str = "devtest_mt") -> list[LabelledText]:
    """A NewsMTSC split with every target of every sentence, each its own item (the multi-target set
    ``devtest_mt`` holds sentences whose targets differ in polarity)."""
    rows = []
    for line in (eval_dir / "newsmtsc" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        for target in item["targets"]:
            rows.append(
                LabelledText(item["sentence_normalized"], _NEWSMTSC[target["polarity"]], (target["from"], target["to"]))
            )
    return rows


_NEWSMTSC = {2.0: "neg", 4.0: "neu", 6.0: "pos"}
