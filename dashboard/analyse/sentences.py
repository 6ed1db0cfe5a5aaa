"""Split news text into sentences, keeping character offsets so mentions can be placed in them."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets) before whitespace and an
# upper-case letter, digit or opening quote; common abbreviations and initials do not end one.
_END = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")
_CLAUSE = re.compile(r";\s+")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen st jr sr inc corp co ltd vs etc no jan feb mar apr jun jul aug sep sept "
    "oct nov dec u.s u.k e.g i.e a.m p.m approx est dept univ".split()
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence (or semicolon clause) in ``text``, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        before = text[start : match.start()].rstrip("\"'”’)]")
        last_word = before.rsplit(None, 1)[-1] if before.split() else ""
        stem = last_word.rstrip(".!?").lower()
        if last_word.endswith(".") and (stem in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", stem)):
            continue
        spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    # A semicolon joins two independent clauses; each says its own thing about its own subject.
    clauses: list[tuple[int, int]] = []
    for s_start, s_end in spans:
        cursor = s_start
        for match in _CLAUSE.finditer(text, s_start, s_end):
            clauses.append((cursor, match.start() + 1))
            cursor = match.end()
        clauses.append((cursor, s_end))
    return [(s, e) for s, e in clauses if text[s:e].strip()]
