"""``python -m dashboard view`` prints what the same link shows in the browser: a real process beside AppTest."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.pipeline.demo import DemoSpec, write_demo
from dashboard.store.engine import open_engine

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('view') / 'demo.db'}"
    engine = open_engine(url)
    analyzer = Analyzer.from_config(load_config(DEFAULT_CONFIG))
    write_demo(engine, analyzer, DemoSpec(articles=1500, days=120, seed=3, end=datetime(2026, 11, 28, 12, tzinfo=UTC)))
    engine.dispose()
    return url


@pytest.fixture
def browser_view(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The page a link opens, through Streamlit's own test runner."""
    monkeypatch.setenv("DATABASE_URL", demo_url)

    def open_link(link: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        for key, values in parse_qs(link, keep_blank_values=True).items():
            at.query_params[key] = values
        return at.run()

    yield open_link


def command_view(demo_url: str, link: str, *options: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "view", link, "--db", demo_url, *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(("count", "label"), [("", "Stories"), ("&count=articles", "Articles")])
def test_the_overview_figures_are_the_pages(demo_url: str, browser_view, count: str, label: str) -> None:
    link = "company=Meta&company=OpenAI&from=2026-10-01&to=2026-11-28" + count
    printed, page = command_view(demo_url, link), browser_view(link)
    figures = {row["label"]: row["value"] for row in printed["tables"]["figures"]}
    assert [m.label for m in page.metric] == list(figures)
    assert page.metric[0].value == f"{figures[label]:,.0f}"
    assert page.metric[1].value == f"{figures['Mean tone']:+.3f}"
    assert page.metric[2].value == f"{figures['Share negative (%)']:.1f}"


def test_the_compare_tables_are_the_pages(demo_url: str, browser_view) -> None:
    link = "company=Meta&company=OpenAI&company=Google&topic=burnout&view=compare"
    printed, page = command_view(demo_url, link), browser_view(link)
    shown = page.dataframe[0].value.to_dict("records")
    assert [
        {k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}
        for row in printed["tables"]["companies"]
    ] == shown


@pytest.mark.parametrize(
    ("link", "table", "options"),
    [
        ("company=Meta&view=articles&from=2026-08-01&to=2026-11-28", "articles", ()),
        ("company=Meta&view=articles&from=2026-08-01&to=2026-11-28&count=articles", "articles", ()),
        ("company=Meta&topic=burnout&view=spikes&from=2026-09-01&to=2026-11-28", "articles", ()),
        ("company=Meta&topic=burnout&view=spikes&from=2026-09-01&to=2026-11-28&count=articles", "articles", ()),
        ("q=lays off&view=trends&step=week", "articles", ()),
    ],
)
def test_the_listed_articles_are_the_pages(demo_url: str, browser_view, link: str, table: str, options: tuple) -> None:
    printed, page = command_view(demo_url, link, *options), browser_view(link)
    shown = page.dataframe[-1].value if table == "articles" and "spikes" in link else page.dataframe[0].value
    assert [row["title"] for row in printed["tables"][table]] == list(shown["title"])


def test_a_story_row_lists_its_copies(demo_url: str) -> None:
    link = "company=Meta&topic=burnout&view=articles&from=2026-10-20&to=2026-10-20"
    printed = command_view(demo_url, link, "--row", "0")
    story = printed["tables"]["articles"][0]
    copies = printed["tables"]["copies"]
    assert len(copies) == story["articles"] == 2  # every planted story runs in two outlets
    assert len({c["publisher"] for c in copies}) == story["outlets"]
    assert (copies[0]["published_at"], copies[0]["title"]) == (story["published_at"], story["title"])
    assert command_view(demo_url, link + "&count=articles", "--row", "0")["tables"]["copies"] == []


def test_the_episode_table_and_the_sources_are_the_pages(demo_url: str, browser_view) -> None:
    link = "view=spikes&from=2026-08-01&to=2026-11-28"
    printed, page = command_view(demo_url, link), browser_view(link)
    shown = page.dataframe[0].value
    assert len(printed["tables"]["episodes"]) >= 3  # the demo's three planted events, at least
    columns = ["series", "start", "end", "stories", "articles", "outlets", "top_stories"]
    assert [
        (r["series"], r["start"][:10], r["end"][:10], r["stories"], r["articles"], r["outlets"], r["top_stories"])
        for r in printed["tables"]["episodes"]
    ] == list(zip(*(shown[c] for c in columns), strict=True))
    printed, page = command_view(demo_url, "view=sources"), browser_view("view=sources")
    assert [r["publisher"] for r in printed["tables"]["publishers"]] == list(page.dataframe[0].value["publisher"])


def test_the_episodes_command_prints_the_spikes_table(demo_url: str) -> None:
    args = ["--company", "Meta", "--topic", "burnout", "--since", "2026-09-01"]
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "episodes", *args, "--db", demo_url, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["link"] == "company=Meta&topic=burnout&from=2026-09-01&to=2026-11-28&view=spikes"
    assert printed["episodes"] == command_view(demo_url, printed["link"])["tables"]["episodes"]
    [burnout] = printed["episodes"]
    # Every planted story runs in two of the four demo outlets.
    assert (burnout["series"], burnout["articles"], burnout["outlets"]) == ("burnout · Meta", 2 * burnout["stories"], 4)
    table = subprocess.run(
        [sys.executable, "-m", "dashboard", "episodes", *args, "--db", demo_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "stories" in table.stdout and "outlets" in table.stdout and "largest stories:" in table.stdout


def test_a_links_notes_are_the_pages(demo_url: str, browser_view) -> None:
    link = "company=Nokia&q=|&from=0001-01-01&view=trends"
    printed, page = command_view(demo_url, link), browser_view(link)
    assert ["Link note: " + note for note in printed["notes"]] == [
        t.value for t in page.text if t.value.startswith("Link note:")
    ]
    assert printed["link"] == "from=2026-07-31&to=2026-11-28&view=trends"


def test_csv_output_has_every_table_formula_safe(demo_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard", "view", "view=sources", "--db", demo_url, "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("# ")] == [
        "# publishers",
        "# feeds",
        "# health",
    ]
