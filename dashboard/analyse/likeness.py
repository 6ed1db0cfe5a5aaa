"""Whether two headlines report the same news: the words that carry a headline, their MinHash bands for finding
candidates, and the similarity test the candidates must pass (thresholds measured by ``python -m bench.stories``)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

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
    shared = a.weights.keys() & b.weights.keys()
    least = sum(min(a.weights[w], b.weights[w]) for w in shared)
    most = sum(max(a.weights.get(w, 0.0), b.weights.get(w, 0.0)) for w in a.weights.keys() | b.weights.keys())
    return least / most


def same_news(a: Words, b: Words, threshold: float = THRESHOLD) -> bool:
    """True when two headlines overlap enough and do not quote different figures ("raised to $40" is not
    "raised to $76", Q3 is not Q4; a copy may add a figure the other leaves out)."""
    if a.numbers and b.numbers and not (a.numbers <= b.numbers or b.numbers <= a.numbers):
        return False
    return similarity(a, b) >= threshold


def _signed(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big", signed=True)


def bands(items: Sequence[Words]) -> list[list[int]]:
    """Each headline's MinHash band keys (64-bit integers; none for a headline too short to match): two
    headlines whose words overlap by THRESHOLD share at least one band with probability
    1 - (1 - 0.5**ROWS)**BANDS = 0.94, and ever likelier above it."""
    sets = [tuple(sorted(w.weights)) if len(w.weights) >= MIN_WORDS else None for w in items]
    distinct = list(dict.fromkeys(s for s in sets if s is not None))  # syndicated copies repeat their headline
    keys = {words: _band_keys(values) for words, values in zip(distinct, _signatures(distinct), strict=True)}
    return [keys[s] if s is not None else [] for s in sets]


def _band_keys(values: np.ndarray) -> list[int]:
    """One signature's band keys: each band's rows hashed to 64 bits, the band's number in the hash."""
    return [
        _signed(
            hashlib.blake2b(values[b * ROWS : (b + 1) * ROWS].tobytes(), digest_size=8, person=b"band%d" % b).digest()
        )
        for b in range(BANDS)
    ]


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
