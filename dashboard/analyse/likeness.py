"""Whether two headlines report the same news: the words that carry a headline, their MinHash bands for finding
candidates, and the similarity test the candidates must pass (thresholds measured by ``python -m bench.stories``)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, lru_cache
from itertools import pairwise

import numpy as np
from snowballstemmer import stemmer
from wordfreq import zipf_frequency

WINDOW = timedelta(days=3)  # copies of one piece of news appear within days of each other, never further apart
NUM_PERM = 20  # MinHash permutations: BANDS bands of ROWS rows each
BANDS = 10
ROWS = 2
SEED = 1
THRESHOLD = 0.56  # the least weighted word overlap of two headlines reporting the same news
MIN_WORDS = 3  # shorter headlines ("Q3 results") say too little to be matched by their words

# Words every headline uses: they say nothing about which news it reports.
_STOP = frozenset(
    """a an the of to in on for and or as at by with from into onto about over after before amid than then
    is are was were be been being has have had it its it's this that these those who what which why how
    says said say report reports reportedly via new just update updated breaking exclusive watch live
    here there will would can could may might should not no""".split()
)
_SCALE = {"bn": "billion", "b": "billion", "tn": "trillion", "m": "million", "mn": "million", "mln": "million"}
_PREFIX = re.compile(r"^\s*(?:update\s*\d*\s*[-:]|breaking\s*[-:]|exclusive\s*[-:]|just in\s*[-:])\s*", re.I)
# Links, tickers, hashtags and handles label the news rather than word it.
_DROP = re.compile(r"https?://\S+|\$[^\W\d][\w.]*|[#@]\w+")
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:st|nd|rd|th)?|[^\W_]+")


@dataclass(frozen=True)
class Words:
    """A headline reduced to what it says: stemmed content words with their weights, and the numbers."""

    weights: dict[str, float]
    numbers: frozenset[str]

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.weights)

    @cached_property
    def total(self) -> float:
        """The sum of the weights (once per headline: every comparison needs it)."""
        return sum(self.weights.values())


_ENGLISH = stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _ENGLISH.stemWord(word)  # type: ignore[no-any-return]


@lru_cache(maxsize=16384)
def headline_words(title: str) -> Words:
    """The stemmed content words of a headline (stop words, tickers, links and wire prefixes dropped;
    "$40bn" and "40 billion" read alike)."""
    text = unicodedata.normalize("NFKC", title).casefold().replace("\u2019", "'")
    text = _THOUSANDS.sub("", _DROP.sub(" ", _PREFIX.sub("", text)))
    tokens = [_SCALE.get(t, t) for t in _TOKEN.findall(text.replace("'s ", " ").replace("'s", ""))]
    kept = [t for t in tokens if t not in _STOP and (len(t) > 1 or t.isdigit())]
    weights: dict[str, float] = {}
    for word in kept:
        stem = _stem(word)
        weights[stem] = max(weights.get(stem, 0.0), _weight(word))
    return Words(weights, frozenset(s for s in weights if any(c.isdigit() for c in s)))


@lru_cache(maxsize=65536)
def _weight(word: str) -> float:
    """How much a word tells one piece of news from another: the rarer in English, the more (a company's
    name outweighs "reports" and "results")."""
    return max(8.0 - zipf_frequency(word, "en"), 1.0)


def similarity(a: Words, b: Words) -> float:
    """Weighted Jaccard overlap of the two word sets (0 when either is too short to judge)."""
    if len(a.weights) < MIN_WORDS or len(b.weights) < MIN_WORDS:
        return 0.0
    mine, theirs = a.weights, b.weights
    least = sum(min(weight, theirs[w]) for w, weight in mine.items() if w in theirs)
    return least / (a.total + b.total - least)  # the sum of the larger weights, word by word


def same_news(a: Words, b: Words, threshold: float = THRESHOLD) -> bool:
    """True when two headlines overlap enough and do not quote different figures ("raised to $40" is not
    "raised to $76", Q3 is not Q4; a copy may add a figure the other leaves out)."""
    if a.numbers and b.numbers and not (a.numbers <= b.numbers or b.numbers <= a.numbers):
        return False
    return similarity(a, b) >= threshold


def _signed(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True)
class BandKeys:
    """A headline's MinHash band keys: those a story stores for it, and those it looks up to find stories.

    Each band is keyed once per figure the headline quotes, so "Meta shares jump 5%" and "Meta shares jump
    12%" share no key and are never compared: two headlines that both quote figures report the same news
    only when one's figures are among the other's (``same_news``), so they share a figure. A headline that
    quotes none is keyed "none" and seeks both "none" and the "any" every headline with figures is keyed by."""

    stored: tuple[int, ...]
    sought: tuple[int, ...]

    def finds(self, other: BandKeys) -> bool:
        """True when looking this headline up finds the other (they are compared at all)."""
        return not set(self.sought).isdisjoint(other.stored)


_NO_KEYS = BandKeys((), ())


def bands(items: Sequence[Words]) -> list[BandKeys]:
    """Each headline's band keys (64-bit integers; none for a headline too short to match): two headlines
    whose words overlap by THRESHOLD, and whose figures agree, share at least one band with probability
    1 - (1 - 0.5**ROWS)**BANDS = 0.94, and ever likelier above it."""
    sets = [tuple(sorted(w.weights)) if len(w.weights) >= MIN_WORDS else None for w in items]
    distinct = list(dict.fromkeys(s for s in sets if s is not None))  # syndicated copies repeat their headline
    plain = _band_keys(_signatures(distinct))
    tags: tuple[list[list[int]], list[list[int]]] = ([], [])
    for words in distinct:
        figures = [_tag(word) for word in words if any(c.isdigit() for c in word)]
        stored, sought = ([*figures, _ANY], [*figures, _NONE]) if figures else ([_NONE], [_NONE, _ANY])
        tags[0].append(stored)
        tags[1].append(sought)
    stored_keys, sought_keys = (_tagged(plain, each) for each in tags)
    keys = {words: BandKeys(a, b) for words, a, b in zip(distinct, stored_keys, sought_keys, strict=True)}
    return [keys[s] if s is not None else _NO_KEYS for s in sets]


def _tagged(plain: np.ndarray, tags: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
    """Each headline's band keys (a row of ``plain``) combined with each of its tags, as signed integers."""
    counts = np.fromiter((len(t) for t in tags), dtype=np.int64, count=len(tags))
    flat = np.fromiter((t for each in tags for t in each), dtype=np.uint64, count=int(counts.sum()))
    keys = _mix(plain[np.repeat(np.arange(len(tags)), counts)] ^ flat[:, None]).view(np.int64)
    ends = np.cumsum(counts * BANDS).tolist()
    values = keys.ravel().tolist()
    return [tuple(values[start:end]) for start, end in pairwise([0, *ends])]


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer, element-wise: 64 well-mixed bits from any 64."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@lru_cache(maxsize=65536)
def _tag(figure: str) -> int:
    """A figure ("5", "q3", "2.5") as the 64-bit tag its band keys are combined with."""
    return int.from_bytes(hashlib.blake2b(figure.encode("utf-8"), digest_size=8, person=b"figure").digest(), "big")


_ANY, _NONE = _tag("\x00any"), _tag("\x00none")  # for headlines that quote figures, and for those that do not
_BAND_SALT = _mix(np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def _band_keys(signatures: np.ndarray) -> np.ndarray:
    """Each signature's band keys, one row each: a band's ROWS values and its number mixed into 64 bits."""
    rows = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    packed = np.zeros((len(signatures), BANDS), dtype=np.uint64)
    for row in range(ROWS):
        packed = (packed << np.uint64(32)) | rows[:, :, row]
    return _mix(packed ^ _BAND_SALT)


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's MinHash permutations for NUM_PERM and SEED (its default "affine32" scheme)."""
    from datasketch import MinHash  # imported here: it loads scipy.integrate, half a second no reader needs

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _signatures(sets: Sequence[Sequence[str]]) -> np.ndarray:
    """The MinHash signatures datasketch's MinHash gives these word sets (SHA-1's first 4 bytes, MurmurHash3's
    finalizer, then a * h + b in 32-bit arithmetic, the minimum per permutation), computed for every set in
    one array operation rather than one MinHash object each: a tenth of the time. Every set is non-empty."""
    if not sets:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    lengths = np.fromiter((len(words) for words in sets), dtype=np.int64, count=len(sets))
    hashed = np.fromiter(
        (int.from_bytes(hashlib.sha1(word.encode("utf-8")).digest()[:4], "little") for words in sets for word in words),
        dtype=np.uint32,
        count=int(lengths.sum()),
    )
    hashed ^= hashed >> np.uint32(16)  # MurmurHash3's 32-bit finalizer
    hashed *= np.uint32(0x85EBCA6B)
    hashed ^= hashed >> np.uint32(13)
    hashed *= np.uint32(0xC2B2AE35)
    hashed ^= hashed >> np.uint32(16)
    a, b = _permutations()
    permuted = hashed[:, None] * a[None, :] + b[None, :]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return np.minimum.reduceat(permuted, starts, axis=0)


def token_key(token: str) -> int:
    """A Google News article token as a 64-bit key (its namespace apart from the bands')."""
    return _signed(hashlib.blake2b(token.encode("utf-8"), digest_size=8, person=b"gnews").digest())
