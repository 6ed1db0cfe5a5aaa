"""The fast RSS reader gives exactly what feedparser gives, or steps aside for it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.collect.parse import parse_feed, parse_with_feedparser
from dashboard.collect.plainrss import NotPlain, plain_rss_entries
from dashboard.models import FeedSpec
from tests.test_real_world_feeds import curated_files

FEEDS = Path(__file__).parent / "feeds"
FETCHED_AT = datetime(2026, 11, 11, tzinfo=UTC)
SPEC = FeedSpec("f", "https://feed.example/rss")
RSS_TYPE = "application/rss+xml; charset=UTF-8"


def dated(value: str) -> str:
    return f"<title>t</title><link>https://a.example/dated</link><pubDate>{value}</pubDate>"


# Items as real feeds write them; each must be read by the fast reader and come out as feedparser's.
PLAIN_ITEMS = {
    "google news item": (
        "<title>Meta cuts 600 AI jobs - Reuters</title><link>https://news.google.com/rss/articles/CBMi?oc=5</link>"
        '<guid isPermaLink="false">CBMi</guid><pubDate>Tue, 10 Nov 2026 08:00:00 GMT</pubDate>'
        "<description>&lt;a href=&quot;https://news.google.com/rss/articles/CBMi?oc=5&quot;&gt;Meta cuts 600 AI "
        "jobs&lt;/a&gt;&amp;nbsp;&amp;nbsp;&lt;font color=&quot;#6f6f6f&quot;&gt;Reuters&lt;/font&gt;</description>"
        '<source url="https://www.reuters.com">Reuters</source>'
    ),
    "entities, escaped tags, html5 entity": (
        "<title>AT&amp;T &amp;amp; Meta&#8217;s &quot;AI&quot; &lt;b&gt;bold&lt;/b&gt; &amp;colon; caf&#233;</title>"
        "<link>https://a.example/x</link>"
    ),
    "cdata html": (
        "<title><![CDATA[OpenAI <em>raises</em> $40B &amp; more]]></title><link>https://a.example/y</link>"
        "<description><![CDATA[<p>One &nbsp; two</p><script>x()</script><p>three</p>]]></description>"
    ),
    "numeric offset": dated("Tue, 10 Nov 2026 23:30:00 +0530"),
    "minus zero zone": dated("Tue, 10 Nov 2026 08:00:00 -0000"),
    "one-digit day, no seconds": dated("Tue, 3 Nov 2026 08:00 -0800"),
    "no weekday, Z": dated("03 Nov 2026 08:00:00 Z"),
    "wrong weekday": dated("Mon, 10 Nov 2026 08:00:00 GMT"),
    "date in the future": dated("Tue, 10 Nov 2099 08:00:00 GMT"),
    "date with spaces": dated("  Tue, 10 Nov 2026 08:00:00 UT "),
    "no title": "<link>https://a.example/9</link><description>Only a summary</description>",
    "no link, guid not a permalink": '<title>Headline only</title><guid isPermaLink="false">tag:x,2026:1</guid>',
    "neither title nor link": "<description>nothing to keep</description>",
    "unicode": "<title>Mistral AI lève 600 M€ — 日本語 😀</title><link>https://a.example/é?q=ü</link>",
    "repeated publisher suffix": (
        "<title>Story - Yahoo!ニュース - Yahoo!ニュース</title><link>https://news.google.com/rss/articles/Z</link>"
        '<source url="https://news.yahoo.co.jp">Yahoo!ニュース</source>'
    ),
    "empty elements": "<title></title><link>https://a.example/10</link><description/><guid/>",
    "content:encoded only": (
        "<title>t</title><link>https://a.example/11</link>"
        "<content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded>"
    ),
    "description and content:encoded": (
        "<title>t</title><link>https://a.example/12</link><description>short</description>"
        "<content:encoded>long</content:encoded>"
    ),
    "ignored elements": (
        "<title>t</title><link>https://a.example/13</link><dc:creator>Jane</dc:creator><category>AI</category>"
        '<enclosure url="https://a.example/a.mp3" length="1" type="audio/mpeg"/>'
        '<media:thumbnail url="https://a.example/t.jpg"/>'
    ),
    "tracking, port and fragment": "<title>t</title><link>https://a.example:443/p?utm_source=x&amp;id=1#frag</link>",
    "google redirect link": (
        "<title>t</title><link>https://www.google.com/url?rct=j&amp;url=https://pub.example/story&amp;ct=ga</link>"
    ),
    "absolute permalink guid": (
        "<title>t</title><link>https://a.example/16</link><guid>https://a.example/16?x=1&amp;y=é z</guid>"
    ),
    "long summary": "<title>t</title><link>https://a.example/15</link><description>" + "word " * 600 + "</description>",
}

# Items only feedparser reads the way the pipeline expects: the fast reader must step aside.
FEEDPARSER_ITEMS = {
    "relative permalink guid": ("<title>t</title><link>https://a.example/1</link><guid>g1</guid>", "permalink guid"),
    "guid standing in for the link": ("<title>t</title><guid>https://a.example/2</guid>", "permalink guid"),
    "zone name feedparser knows": (
        dated("Tue, 10 Nov 2026 08:00:00 EST"),
        "date",
    ),
    "impossible day": (
        dated("Mon, 30 Feb 2026 08:00:00 GMT"),
        "date",
    ),
    "javascript link": ("<title>t</title><link>javascript:alert(1)</link>", "not absolute"),
    "relative link": ("<title>t</title><link>/story/5</link>", "not absolute"),
    "feedburner original link": (
        "<title>t</title><link>https://feedproxy.google.com/x</link><feedburner:origLink xmlns:feedburner="
        '"http://rssnamespace.org/feedburner/ext/1.0">https://a.example/6</feedburner:origLink>',
        "item element",
    ),
    "dublin core date": (
        "<title>t</title><link>https://a.example/7</link><dc:date>2026-11-10T08:00:00Z</dc:date>",
        "item element",
    ),
    "markup in a title": ("<title>A <b>bold</b> move</title><link>https://a.example/8</link>", "holding elements"),
    "two links": ("<title>t</title><link>https://a.example/9</link><link>https://a.example/10</link>", "two <link>"),
}


def rss(item: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    namespaces = (
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:media="http://search.yahoo.com/mrss/"'
    )
    return (
        f'{prolog}<rss version="2.0" {namespaces}><channel><title>Feed &amp; co</title>'
        f"<link>https://feed.example/</link><item>{item}</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize("item", PLAIN_ITEMS.values(), ids=PLAIN_ITEMS.keys())
def test_a_plain_item_is_read_fast_and_exactly_as_feedparser_reads_it(item: str) -> None:
    body = rss(item)
    plain_rss_entries(body, RSS_TYPE)  # must not step aside
    assert parse_feed(body, SPEC, FETCHED_AT, RSS_TYPE) == parse_with_feedparser(body, SPEC, FETCHED_AT, RSS_TYPE)


@pytest.mark.parametrize(("item", "reason"), FEEDPARSER_ITEMS.values(), ids=FEEDPARSER_ITEMS.keys())
def test_anything_less_plain_goes_to_feedparser(item: str, reason: str) -> None:
    body = rss(item)
    with pytest.raises(NotPlain, match=reason):
        plain_rss_entries(body, RSS_TYPE)
    assert parse_feed(body, SPEC, FETCHED_AT, RSS_TYPE) == parse_with_feedparser(body, SPEC, FETCHED_AT, RSS_TYPE)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (rss("<title>t</title>"), "", "no Content-Type"),
        (rss("<title>t</title>"), "text/html", "text/html"),
        (rss("<title>café</title>"), "text/xml", "text/\\* without a charset"),
        (rss("<title>café</title>"), "application/xml; charset=iso-8859-1", "charset iso-8859-1"),
        (rss("<title>t</title>", '<?xml version="1.0" encoding="ISO-8859-1"?>'), RSS_TYPE, "declared encoding"),
        (b"  " + rss("<title>t</title>"), RSS_TYPE, "does not start"),
        (rss("<title>t</title>").replace(b"<?xml", b'<!DOCTYPE rss [<!ENTITY x "y">]><?xml'), RSS_TYPE, "DOCTYPE"),
        (rss("<title>a & b</title>"), RSS_TYPE, "not well-formed"),
        (
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
            RSS_TYPE,
            "not an RSS 2.0",
        ),
    ],
    ids=[
        "no type",
        "html type",
        "text/xml, us-ascii",
        "latin-1 charset",
        "latin-1 prolog",
        "leading space",
        "doctype",
        "raw ampersand",
        "atom",
    ],
)
def test_documents_feedparser_might_decode_differently_go_to_feedparser(
    body: bytes, content_type: str, reason: str
) -> None:
    with pytest.raises(NotPlain, match=reason):
        plain_rss_entries(body, content_type)
    assert parse_feed(body, SPEC, FETCHED_AT, content_type) == parse_with_feedparser(
        body, SPEC, FETCHED_AT, content_type
    )


def test_the_google_news_fixtures_take_the_fast_path() -> None:
    for name in ("google_news_meta.xml", "google_news_openai.xml"):
        title, entries = plain_rss_entries((FEEDS / name).read_bytes(), RSS_TYPE)
        assert title.endswith("- Google News") and len(entries) > 0


def test_every_curated_feed_the_fast_reader_accepts_parses_as_feedparser_parses_it() -> None:
    # The whole corpus, when it is beside the project: python -m bench.corpus
    files = curated_files() + sorted(FEEDS.glob("*.xml"))
    accepted = 0
    for path in files:
        body = path.read_bytes()
        spec = FeedSpec(path.name, f"https://corpus.example/{path.name}")
        for content_type in ("application/rss+xml", "text/xml; charset=utf-8"):
            try:
                plain_rss_entries(body, content_type)
            except NotPlain:
                continue
            accepted += 1
            fast = parse_feed(body, spec, FETCHED_AT, content_type, spec.url)
            assert fast == parse_with_feedparser(body, spec, FETCHED_AT, content_type, spec.url), path
    assert accepted == 78  # 2 content types x 39 files: the curated plain RSS 2.0 and the fixtures
