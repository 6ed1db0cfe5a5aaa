"""Rising terms: the words and two-word phrases whose share of the headlines rose most against the previous
period, scored by weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008,
"Fightin' Words", section 3.5); pure Python and pandas, no I/O.

The prior is the two periods' own counts together (the background corpus is both periods, as strong as the
data itself unless ``prior`` says otherwise): a term's expected share is its share of both periods, so a
rare term needs much evidence to rise, and the z-score (the log-odds difference over its standard error)
ranks terms by how sure the rise is, not by how big it looks on a count of two. Stop words (the most
frequent English words, from wordfreq), the selection's company names and feed boilerplate are left out,
and a term needs ``MIN_COUNT`` mentions in the current period.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise

import pandas as pd

MIN_COUNT = 5  # mentions a term needs in the current period to be listed
TOP = 15
COMMON = 120  # the most frequent English words (wordfreq) are stop words
BOILERPLATE = frozenset(
    """news report reports reported says said say update updates live watch video exclusive breaking via read
    more today week year analysis opinion new latest here why how what says ap reuters bloomberg cnbc""".split()
)
RISING_COLUMNS = ["term", "now", "before", "log_odds", "z"]
_WORD = re.compile(r"[a-z][a-z0-9]*(?:[-'][a-z0-9]+)*")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The most frequent English words and feed boilerplate."""
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", COMMON)) | BOILERPLATE


def _words(text: str, excluded: frozenset[str]) -> list[str | None]:
    """A headline's words, lower-cased, possessives dropped; a stop word or excluded name as None (a gap no
    phrase crosses)."""
    out: list[str | None] = []
    for word in _WORD.findall(text.lower()):
        if word.endswith("'s"):
            word = word[:-2]
        out.append(None if word in excluded or len(word) < 2 or word.isdigit() else word)
    return out


def term_counts(texts: Iterable[str], excluded: Iterable[str] = ()) -> Counter[str]:
    """Each word and two-word phrase, counted once per text that has it (a headline repeated by many copies
    is read once and counted as often as it appears)."""
    skip = stop_words() | {w.lower() for name in excluded for w in _WORD.findall(name.lower())}
    counts: Counter[str] = Counter()
    for text, times in Counter(texts).items():
        words = _words(text, skip)
        found = {w for w in words if w}
        found.update(f"{a} {b}" for a, b in pairwise(words) if a and b)
        for term in found:
            counts[term] += times
    return counts


def rising(
    now: Counter[str], before: Counter[str], top: int = TOP, min_count: int = MIN_COUNT, prior: float | None = None
) -> pd.DataFrame:
    """The ``top`` terms whose share rose most surely from ``before`` to ``now``: each with its counts, the
    log-odds difference (the size of the rise) and its z-score (how sure it is), highest z first."""
    n_now, n_before = sum(now.values()), sum(before.values())
    total = n_now + n_before
    if not n_now or not n_before:
        return pd.DataFrame(columns=RISING_COLUMNS)
    prior = float(total) if prior is None else prior  # pseudo-counts in the prior, spread as both periods' counts
    rows = []
    for term, y_now in now.items():
        if y_now < min_count:
            continue
        y_before = before.get(term, 0)
        alpha = prior * (y_now + y_before) / total
        delta = math.log((y_now + alpha) / (n_now + prior - y_now - alpha)) - math.log(
            (y_before + alpha) / (n_before + prior - y_before - alpha)
        )
        z = delta / math.sqrt(1 / (y_now + alpha) + 1 / (y_before + alpha))
        if delta > 0:
            rows.append((term, y_now, y_before, round(delta, 3), round(z, 2)))
    rows.sort(key=lambda r: (-r[4], r[0]))
    return pd.DataFrame(rows[:top], columns=RISING_COLUMNS)


def excluded_names(companies: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Every name and alias of the given (company, aliases): the selection's own names rise with it."""
    return [name for company, aliases in companies for name in (company, *aliases)]
