"""Cleaning feed text and links: exact outcomes on real-world shapes."""

from __future__ import annotations

import pytest

from dashboard.collect.normalize import (
    canonical_link,
    host_of,
    html_to_text,
    link_key,
    normalize_title,
    split_publisher_suffix,
    truncate,
)


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        (
            "<p>The round values it at <b>$300 billion</b>&nbsp;&mdash; a record.</p>",
            "The round values it at $300 billion — a record.",
        ),
        ("<p>one</p><p>two</p>", "one two"),
        ("safe<script>alert(1)</script> text<style>p{}</style>", "safe text"),
        ("AI Act fines &colon; what to know", "AI Act fines : what to know"),
        ("AT&amp;amp;T and Tom &amp; Jerry", "AT&T and Tom & Jerry"),  # double-escaped, as feeds often are
        ("  plain\n\ttext  ", "plain text"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text_strips_tags_and_decodes_entities(fragment: str | None, text: str) -> None:
    assert html_to_text(fragment) == text


@pytest.mark.parametrize(
    ("title", "publisher", "clean"),
    [
        ("Meta cuts jobs - Reuters", "Reuters", "Meta cuts jobs"),
        ("U.S. - China trade talks stall - MarketWatch", "MarketWatch", "U.S. - China trade talks stall"),
        ("Zuckerberg speaks - Yahoo Finance - Yahoo Finance", "Yahoo Finance", "Zuckerberg speaks"),
        (
            "Oil slips - Crude Oil Prices Today | OilPrice.com",
            "Crude Oil Prices Today | OilPrice.com",
            "Oil slips",
        ),
        ("Markets wrap - Bloomberg", "Reuters", "Markets wrap - Bloomberg"),
        ("Headline without suffix", "", "Headline without suffix"),
        (" - Reuters", "Reuters", " - Reuters"),
    ],
)
def test_publisher_suffix_is_split_only_when_it_equals_the_source(title: str, publisher: str, clean: str) -> None:
    assert split_publisher_suffix(title, publisher) == clean


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://techcrunch.com/2026/11/10/x/?utm_source=rss&utm_medium=rss&id=7#comments",
            "https://techcrunch.com/2026/11/10/x/?id=7",
        ),
        ("HTTPS://Example.COM:443/a?fbclid=1&gclid=2", "https://example.com/a"),
        ("http://example.com:8080", "http://example.com:8080/"),
        ("javascript:alert(document.cookie)", None),
        ("data:text/html,<b>x</b>", None),
        ("/relative/path", None),
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://publisher.example/story%3Fa%3D1&ct=ga",
            "https://publisher.example/story?a=1",
        ),
        ("https://news.google.com/rss/articles/CBMiTOKEN?oc=5", "https://news.google.com/rss/articles/CBMiTOKEN?oc=5"),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_canonical_link_keeps_only_http_links_without_tracking(url: str | None, canonical: str | None) -> None:
    assert canonical_link(url) == canonical


@pytest.mark.parametrize(
    ("title", "normal"),
    [
        ("Meta\u2019s AI researchers describe burnout", "meta s ai researchers describe burnout"),
        ("Meta's AI researchers describe burnout", "meta s ai researchers describe burnout"),
        ("  OpenAI  raises $40B!  ", "openai raises 40b"),
        ("\uff2f\uff50\uff45\uff4e\uff21\uff29", "openai"),  # full-width letters
    ],
)
def test_normalized_titles_compare_equal_across_punctuation_and_case(title: str, normal: str) -> None:
    assert normalize_title(title) == normal


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.theverge.com/x", "theverge.com"),
        ("https://finance.yahoo.com", "finance.yahoo.com"),
        ("", ""),
        ("nonsense", ""),
    ],
)
def test_host_of_drops_www(url: str, host: str) -> None:
    assert host_of(url) == host


def test_a_bare_site_root_is_not_a_dedupe_key_because_some_feeds_give_it_to_every_item() -> None:
    assert link_key("https://example.com/") is None
    assert link_key("https://www.example.com/a/b?id=1") == "example.com/a/b?id=1"


def test_truncate_cuts_at_a_word_boundary() -> None:
    assert truncate("one two three four", 12) == "one two…"
    assert truncate("short", 12) == "short"
