"""Which language an article is written in, so that only the languages the tone lexicon covers get a tone."""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier
from wordfreq import top_n_list

# The news languages told apart (py3langid knows 97; fewer candidates mean fewer wrong guesses on headlines).
LANGUAGES = (
    "en de fr es it pt nl sv da no fi pl cs hu ro el tr ru uk ar he hi id vi th zh ja ko".split()
)  # fmt: skip
TONED = frozenset({"en"})  # the languages VADER's lexicon and ours are written in
# A headline is short: below this confidence it is taken to be English, because losing the tone of an English
# story costs more than scoring an unsure foreign one (measured in bench/README.md).
CONFIDENT = 0.7
SAMPLE = 300  # characters read: a headline and the start of its summary say the language as well as more
# Plainly English: ASCII, at least 3 lower-case words, 70% of them among the 5,000 commonest English words
# (names are left out: "Nvidia" is no language). Two thirds of English headlines pass, no foreign one of the
# test set does, and the check costs 3 us where the model costs 50-150 (bench/README.md).
COMMON_ENGLISH = 5000
PLAIN_SHARE = 0.7
_WORDS = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1)
def _common_english() -> frozenset[str]:
    return frozenset(top_n_list("en", COMMON_ENGLISH))


def plainly_english(text: str) -> bool:
    """Whether a text is English beyond doubt by its common words alone (then the model is not asked)."""
    if not text.isascii():
        return False
    words = [w for w in _WORDS.findall(text) if len(w) > 1 and w[0].islower()]
    common = _common_english()
    return len(words) >= 3 and sum(w in common for w in words) >= PLAIN_SHARE * len(words)


class LanguageDetector:
    """py3langid's model (shipped inside the package), restricted to ``LANGUAGES``; loaded on first use, and
    not pickled, so analysis workers load their own copy instead of receiving 70 MB each."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES, confident: float = CONFIDENT) -> None:
        self.languages = languages
        self.confident = confident
        self._identifier: LanguageIdentifier | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"languages": self.languages, "confident": self.confident, "_identifier": None}

    def load(self) -> LanguageIdentifier:
        """The model, loaded now if it is not yet (half a second): before forking workers, so they share it."""
        if self._identifier is None:
            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            self._identifier.set_languages(list(self.languages))
        return self._identifier

    def detect(self, text: str) -> str:
        """The language of a text (ISO 639-1): its most likely one when sure enough, else English."""
        text = text[:SAMPLE]
        if not any(char.isalpha() for char in text) or plainly_english(text):
            return "en"
        language, probability = self.load().classify(text)
        return str(language) if language == "en" or probability >= self.confident else "en"
