"""The whole awkward-feed corpus (feedparser's ~2,100 test files in ../shared/eval/feeds): every file ends in
articles or a clear error, and every file the fast RSS reader accepts reads exactly as feedparser reads it.

Run from the project root:  python -m bench.corpus [--corpus DIR]
The tests check the same on a curated 178-file part of the corpus kept in tests/data/feedparser.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from dashboard.collect.parse import parse_feed, parse_with_feedparser
from dashboard.collect.plainrss import NotPlain, plain_rss_entries
from dashboard.models import FeedSpec

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "feeds" / "feedparser"
FETCHED_AT = datetime(2026, 11, 11, tzinfo=UTC)
SUFFIXES = (".xml", ".json", ".rdf", ".atom", ".rss")
CONTENT_TYPES = ("application/rss+xml", "text/xml; charset=utf-8")


def corpus_files(corpus: Path) -> list[Path]:
    """Every feed file of the corpus, in a stable order."""
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def outcomes(files: list[Path]) -> tuple[Counter[str], list[str]]:
    """How each file ends (articles, nothing to store, a clear error) and every file that broke a rule."""
    seen: Counter[str] = Counter()
    broken = []
    for path in files:
        spec = FeedSpec(name=path.name, url=f"https://corpus.example/{path.name}")
        try:
            parsed = parse_feed(path.read_bytes(), spec, FETCHED_AT)
        except Exception as exc:
            broken.append(f"{path}: raised {type(exc).__name__}: {exc}")
            continue
        if parsed.error:
            seen["error"] += 1
            if parsed.articles or len(parsed.error) <= 10:
                broken.append(f"{path}: unclear error {parsed.error!r}")
            continue
        seen["articles" if parsed.articles else "nothing to store"] += 1
        for article in parsed.articles:
            if not (article.title or article.link) or article.published_at.tzinfo is not UTC:
                broken.append(f"{path}: an article without title and link, or not in UTC")
            if article.link is not None and not article.link.startswith(("http://", "https://")):
                broken.append(f"{path}: a non-http(s) link {article.link!r}")
    return seen, broken


def fast_reader_agreement(files: list[Path]) -> tuple[int, list[str]]:
    """How many (file, content type) pairs the fast reader accepts, and those it reads unlike feedparser."""
    accepted = 0
    differ = []
    for path in files:
        body = path.read_bytes()
        spec = FeedSpec(path.name, f"https://corpus.example/{path.name}")
        for content_type in CONTENT_TYPES:
            try:
                plain_rss_entries(body, content_type)
            except NotPlain:
                continue
            accepted += 1
            if parse_feed(body, spec, FETCHED_AT, content_type, spec.url) != parse_with_feedparser(
                body, spec, FETCHED_AT, content_type, spec.url
            ):
                differ.append(f"{path} ({content_type})")
    return accepted, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="feedparser's corpus folder")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"{args.corpus}: the feed corpus is not there, so nothing was measured.", file=sys.stderr)
        print("It is public data kept beside the project (../shared/eval/feeds), not shipped with it.", file=sys.stderr)
        return 2
    files = corpus_files(args.corpus)
    seen, broken = outcomes(files)
    accepted, differ = fast_reader_agreement(files)
    print(f"{len(files)} files: {seen['articles']} with articles, {seen['nothing to store']} with nothing to store")
    print(f"(entries without title or link), {seen['error']} a clear error; {len(broken)} broke a rule")
    print(f"fast RSS reader: accepted {accepted} file x content-type pairs, {len(differ)} read unlike feedparser")
    for line in broken + differ:
        print(f"  {line}")
    return 1 if broken or differ else 0


if __name__ == "__main__":
    sys.exit(main())
