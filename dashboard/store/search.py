r"""Free keywords through the full-text index, with exactly the topic matcher's word-boundary meaning.

A keyword in the pattern language of dashboard.analyse.terms becomes an index query that finds every article the
pattern matches (and maybe a few more, such as words joined by other punctuation); the pattern itself then
decides, in the database, unless the index query alone is already exact. The indexes (dashboard.store.schema):
SQLite's FTS5 indexes runs of word characters (letters, digits and "_", as the pattern's ``\w``), so a plain
word or prefix is exact there; PostgreSQL's ``tsvector`` indexes runs of ASCII letters and digits, whatever
the server's locale, so its queries are always checked by the pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, literal_column, or_, select, text

from dashboard.analyse.terms import keyword_regex, quoted, term_words
from dashboard.store.schema import articles

TOKENS = {"sqlite": re.compile(r"\w+"), "postgresql": re.compile(r"[A-Za-z0-9]+")}
_PLAIN_WORD = re.compile(r"\w+\*?")


@dataclass(frozen=True)
class Part:
    """One word of a keyword: its alternatives, each a run of index tokens, the last maybe a prefix."""

    alternatives: tuple[tuple[tuple[str, ...], bool], ...]  # (tokens, last token is a prefix)


def index_parts(keyword: str, dialect: str = "sqlite") -> list[Part]:
    """The words of a keyword that the index can look for (a word with a ``#`` number cannot be)."""
    token = TOKENS.get(dialect, TOKENS["sqlite"])
    parts: list[Part | None] = []
    for word in term_words(keyword.lower(), inflect=True):  # a plural is one more alternative
        alternatives = []
        for alternative in word:
            tokens = tuple(token.findall(alternative.replace("#", " ")))
            if "#" in alternative or not tokens:
                alternatives = []
                break
            alternatives.append((tokens, alternative.endswith("*")))
        if not alternatives:
            parts.append(None)  # a gap: the words either side are not adjacent in the index query
            continue
        before = parts[-1] if parts else None
        if before and len(before.alternatives) == 1 and not before.alternatives[0][1]:
            # Words next to each other in the keyword are next to each other in the text: one phrase per
            # alternative of the later word ("data center" is "data center" or "data centers").
            lead = before.alternatives[0][0]
            parts[-1] = Part(tuple((lead + tokens, prefix) for tokens, prefix in alternatives))
        else:
            parts.append(Part(tuple(alternatives)))
    return [p for p in parts if p is not None]


def is_exact(keyword: str, dialect: str) -> bool:
    """True when SQLite's index alone decides: one word of word characters (quoted or not: its plural is one
    more index word), maybe ending in ``*``."""
    inside = quoted(keyword)
    words = (inside if inside is not None else keyword).split()
    return dialect == "sqlite" and len(words) == 1 and _PLAIN_WORD.fullmatch(words[0]) is not None


def fts5_query(parts: list[Part]) -> str:
    """An FTS5 MATCH expression: every word, any of its alternatives, each a phrase."""

    def phrase(tokens: tuple[str, ...], prefix: bool) -> str:
        return f'"{" ".join(tokens)}"' + (" *" if prefix else "")

    return " AND ".join("(" + " OR ".join(phrase(t, p) for t, p in part.alternatives) + ")" for part in parts)


def tsquery(parts: list[Part]) -> str:
    """The same as a PostgreSQL ``to_tsquery`` expression."""

    def phrase(tokens: tuple[str, ...], prefix: bool) -> str:
        words = [f"{t}:*" if prefix and i == len(tokens) - 1 else t for i, t in enumerate(tokens)]
        return "(" + " <-> ".join(words) + ")"

    return " & ".join("(" + " | ".join(phrase(t, p) for t, p in part.alternatives) + ")" for part in parts)


def index_only_ids(keyword: str, dialect: str) -> Select | None:
    """A select of the matching article ids straight from SQLite's index, when the index alone decides
    (no lookup in the articles table: most of the time for a common word), else None."""
    if not is_exact(keyword, dialect):
        return None
    query = fts5_query(index_parts(keyword, dialect))
    return (
        select(literal_column("rowid"))
        .select_from(text("articles_fts"))
        .where(text("articles_fts MATCH :fts").bindparams(fts=query))
    )


def keyword_condition(keyword: str, dialect: str) -> ColumnElement[bool]:
    """A condition on ``articles`` true exactly when the title or summary matches the keyword."""
    pattern = "(?i)" + keyword_regex(keyword).pattern
    by_pattern = or_(articles.c.title.regexp_match(pattern), articles.c.summary.regexp_match(pattern))
    parts = index_parts(keyword, dialect)
    if not parts:
        return by_pattern
    if dialect == "postgresql":
        found = literal_column("articles.search").op("@@")(
            text("to_tsquery('simple', :tsq)").bindparams(tsq=tsquery(parts))
        )
    else:
        matching = (
            select(literal_column("rowid"))
            .select_from(text("articles_fts"))
            .where(text("articles_fts MATCH :fts").bindparams(fts=fts5_query(parts)))
        )
        found = articles.c.id.in_(matching)
    if is_exact(keyword, dialect):
        return found
    return and_(found, by_pattern)
