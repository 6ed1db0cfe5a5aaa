"""Which language an article is written in, so that only the languages the tone lexicon covers get a tone."""

from __future__ import annotations

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# The news languages told apart (py3langid knows 97; fewer candidates mean fewer wrong guesses on headlines).
LANGUAGES = (
    "en de fr es it pt nl sv da no fi pl cs hu ro el tr ru uk ar he hi id vi th zh ja ko".split()
)  # fmt: skip
TONED = frozenset({"en"})  # the languages VADER's lexicon and ours are written in
# A headline is short: below this confidence it is taken to be English, because losing the tone of an English
# story costs more than scoring an unsure foreign one (measured in bench/README.md).
CONFIDENT = 0.7


class LanguageDetector:
    """py3langid's model (shipped inside the package), restricted to ``LANGUAGES``; loaded on first use, and
    not pickled, so analysis workers load their own copy instead of receiving 70 MB each."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES, confident: float = CONFIDENT) -> None:
        self.languages = languages
        self.confident = confident
        self._identifier: LanguageIdentifier | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"languages": self.languages, "confident": self.confident, "_identifier": None}

    def detect(self, text: str) -> str:
        """The language of a text (ISO 639-1): its most likely one when sure enough, else English."""
        if not any(char.isalpha() for char in text):
            return "en"
        if self._identifier is None:
            self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            self._identifier.set_languages(list(self.languages))
        language, probability = self._identifier.classify(text)
        return str(language) if language == "en" or probability >= self.confident else "en"
