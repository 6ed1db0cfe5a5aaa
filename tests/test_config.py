"""The configuration file: the committed defaults load, and every kind of mistake is named precisely."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.config import DEFAULT_CONFIG, ConfigError, load_config
from dashboard.models import Event
from dashboard.pipeline.demo import DemoSpec, planted_days

DEFAULT_COMPANIES = [
    "Meta",
    "OpenAI",
    "Google",
    "Microsoft",
    "Anthropic",
    "Nvidia",
    "Amazon",
    "Apple",
    "xAI",
    "Mistral",
]


def test_committed_config_has_the_ten_default_companies_each_with_a_google_news_feed() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert [c.name for c in config.companies] == DEFAULT_COMPANIES
    google = [s for s in config.feed_specs() if s.company]
    assert [s.company for s in google] == DEFAULT_COMPANIES
    assert all(s.url.startswith("https://news.google.com/rss/search?q=") for s in google)
    assert all(s.url.endswith("&hl=en-US&gl=US&ceid=US:en") for s in google)


def test_committed_config_has_outlet_feeds_with_unique_names() -> None:
    outlets = [s for s in load_config(DEFAULT_CONFIG).feed_specs() if not s.company]
    assert len(outlets) >= 8
    assert len({s.name for s in outlets}) == len(outlets)


def test_company_query_is_url_encoded_into_the_template() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert config.google_news_url('"Meta" AI') == (
        "https://news.google.com/rss/search?q=%22Meta%22+AI&hl=en-US&gl=US&ceid=US:en"
    )


def test_a_feed_needs_only_a_url_and_is_named_after_its_host(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[feeds]]\nurl = "https://www.example.com/feed.xml"\n')
    assert [(s.name, s.url) for s in load_config(path).feed_specs()] == [
        ("www.example.com", "https://www.example.com/feed.xml")
    ]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[feeds]]\nname = "Verge"\nurl = "https://a.example/rss"\ncolour = "red"\n',
            'feeds[0] ("Verge").colour: unknown key',
        ),
        ('[[companies]]\nname = "Meta"\n', 'companies[0] ("Meta").query: missing required field'),
        (
            '[[feeds]]\nname = "Bad"\nurl = "ftp://a.example/rss"\n',
            "feeds[0] (\"Bad\").url: Value error, not an http(s) URL: 'ftp://a.example/rss'",
        ),
        (
            '[[feeds]]\nname = "Bad"\nurl = "javascript:alert(1)"\n',
            'feeds[0] ("Bad").url: Value error, not an http(s) URL',
        ),
        (
            '[[feeds]]\nname = "A"\nurl = "https://a.example/1"\n[[feeds]]\nname = "a"\nurl = "https://a.example/2"\n',
            'feeds[1] ("a").name: duplicate name',
        ),
        (
            '[[companies]]\nname = "Meta"\nquery = "x"\n[[companies]]\nname = "Meta"\nquery = "y"\n',
            'companies[1] ("Meta").name: duplicate name',
        ),
        ("[fetch]\nretries = -1\n", "fetch.retries: Input should be greater than or equal to 0"),
        (
            '[google_news]\ntemplate = "https://news.example/rss"\n',
            "google_news.template: Value error, must contain {query}",
        ),
        ("surprise = 1\n", "surprise: unknown key"),
        ("[[feeds]\nurl = 1\n", "not valid TOML"),
    ],
)
def test_a_wrong_config_names_the_file_the_entry_and_the_field(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[fetch]\nbogus = 1\n", "fetch.bogus: unknown key"),
        (
            '[fetch]\nallowed_networks = ["intranet"]\n',
            "fetch.allowed_networks: Value error, 'intranet' does not appear to be an IPv4 or IPv6 network",
        ),
    ],
)
def test_fetch_settings_are_checked_where_fetch_reads_them(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {message}"


def test_the_shipped_events_are_the_demos_planted_events_marked_as_demo() -> None:
    events = load_config(DEFAULT_CONFIG).events
    assert all(e.demo and e.label.startswith("Demo: ") for e in events)
    assert [(e.day, e.company) for e in events] == [(day, company) for day, company, _ in planted_days(DemoSpec())]


def test_an_events_file_beside_the_config_is_read(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('events_file = "dates.toml"\n[[companies]]\nname = "Meta"\nquery = "m"\n')
    (tmp_path / "dates.toml").write_text(
        '[[event]]\ndate = 2026-10-20\ncompany = "Meta"\nlabel = "Reorg memo"\nlink = "https://a.example/memo"\n'
        '[[event]]\ndate = 2026-09-01\nlabel = "Chip export rule"\n'
    )
    assert load_config(tmp_path / "config.toml").events == [
        Event(date(2026, 9, 1), "Chip export rule"),
        Event(date(2026, 10, 20), "Reorg memo", "Meta", "https://a.example/memo"),
    ]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[event]]\ndate = 2026-10-20\ncompany = "Nokia"\nlabel = "x"\n', 'event[0].company: "Nokia" is not a'),
        ('[[event]]\ndate = 2026-10-20\nlabel = "x"\nlink = "javascript:alert(1)"\n', "event[0].link: Value error"),
        ("[[event]]\ndate = 2026-10-20\n", "event[0].label: missing required field"),
        ('[[event]]\ndate = "last week"\nlabel = "x"\n', "event[0].date: Input should be a valid date"),
        ('[[event]]\ndate = 2026-10-20\nlabel = "x"\ncolour = "red"\n', "event[0].colour: unknown key"),
    ],
)
def test_a_wrong_events_file_names_the_file_the_entry_and_the_field(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "config.toml").write_text('events_file = "events.toml"\n[[companies]]\nname = "Meta"\nquery = "m"\n')
    (tmp_path / "events.toml").write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.toml")
    assert str(tmp_path / "events.toml") in str(caught.value)
    assert message in str(caught.value)


def test_a_config_naming_a_missing_events_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('events_file = "gone.toml"\n')
    with pytest.raises(ConfigError, match=r"gone\.toml: file not found"):
        load_config(tmp_path / "config.toml")
