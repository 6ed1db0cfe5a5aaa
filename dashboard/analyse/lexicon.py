"""The domain lexicon file: terms with a valence and the reason they are there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.paths import DATA_DIR

DEFAULT_LEXICON = DATA_DIR / "lexicon.txt"


class LexiconError(ValueError):
    """A lexicon line that cannot be read, with the file and line number."""


@dataclass(frozen=True)
class LexiconEntry:
    """One domain term: a word or phrase, its valence (-4..4, 0 = neutral) and why."""

    term: str
    valence: float
    reason: str


def parse_lexicon(text: str, source: str = "lexicon") -> list[LexiconEntry]:
    """Read ``TERM<TAB>VALENCE<TAB>REASON`` lines; ``#`` starts a comment line."""
    entries: list[LexiconEntry] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise LexiconError(f"{source}:{number}: expected TERM<TAB>VALENCE<TAB>REASON, got {line!r}")
        term, valence_text, reason = (p.strip() for p in parts)
        term = " ".join(term.lower().split())
        try:
            valence = float(valence_text)
        except ValueError:
            raise LexiconError(f"{source}:{number}: valence {valence_text!r} is not a number") from None
        if not -4 <= valence <= 4:
            raise LexiconError(f"{source}:{number}: valence {valence} is outside -4..4")
        if not term or not reason:
            raise LexiconError(f"{source}:{number}: the term and its reason must not be empty")
        if term in seen:
            raise LexiconError(f"{source}:{number}: {term!r} is already defined on line {seen[term]}")
        seen[term] = number
        entries.append(LexiconEntry(term, valence, reason))
    return entries


def load_lexicon(path: Path | str = DEFAULT_LEXICON) -> list[LexiconEntry]:
    """Read the lexicon file; a missing or malformed file is a LexiconError naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"{path}: {exc.strerror or exc}") from None
    return parse_lexicon(text, str(path))
