"""``python -m dashboard view`` prints what the same link shows in the browser: a real process beside AppTest."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import Event
from dashboard.pipeline.demo import DemoSpec, write_demo
from dashboard.read.filters import Filters
from dashboard.read.reader import Reader
from dashboard.read.views import events_in
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


@pytest.mark.parametrize("narrowing", ["topic=burnout", "q=burnout"])
def test_a_topic_rate_is_per_100_of_every_story_about_the_company(demo_url: str, narrowing: str) -> None:
    span = "company=Meta&view=trends&step=week&norm=per100&from=2026-09-28&to=2026-11-22"
    narrowed = command_view(demo_url, f"{span}&{narrowing}")["tables"]["topics"]
    every = command_view(demo_url, span)["tables"]["volume"]
    burnout = [row for row in narrowed if row["topic"] == "burnout"]
    # The denominators are Meta's stories with the topic or keyword lifted, week by week.
    assert [row["stories"] for row in burnout] == [row["n"] for row in every]
    assert [round(row["per100"], 6) for row in burnout] == [
        round(100 * row["n"] / row["stories"], 6) for row in burnout
    ]
    assert [row["per100"] for row in burnout if 0 < row["per100"] < 100]  # no longer only 0 or 100


def test_a_view_marks_the_events_of_its_companies_and_its_link(demo_url: str) -> None:
    link = "company=Meta&company=Google&view=trends&from=2026-09-01&to=2026-11-28&event=2026-10-20:Reorg memo"
    events = command_view(demo_url, link)["tables"]["events"]
    assert [(e["date"][:10], e["company"], e["label"], e["source"]) for e in events] == [
        ("2026-10-18", "Meta", "Demo: burnout stories begin (planted)", "demo"),
        ("2026-10-20", "all", "Reorg memo", "link"),
    ]


def test_the_demo_events_are_marked_only_beside_the_demo_corpus(sqlite_url: str) -> None:
    config = load_config(DEFAULT_CONFIG)
    engine = open_engine(sqlite_url)
    filters = Filters(date_from=date(2026, 9, 1), date_to=date(2026, 11, 28), events=(Event(date(2026, 10, 20), "x"),))
    assert list(events_in(Reader(engine), config, filters)["label"]) == ["x"]
    engine.dispose()


def test_a_keyword_finds_its_plural_as_people_type_it(demo_url: str) -> None:
    # The demo's headlines say "GPUs": q=GPU finds exactly what GPU or GPUs finds, and a quoted "GPU" only GPU.
    span = "view=articles&count=articles&from=2026-06-01&to=2026-11-28"
    typed, both = (command_view(demo_url, f"{span}&q={q}")["total"] for q in ("GPU", "GPU|GPUs"))
    exact = command_view(demo_url, f'{span}&q="GPU"')["total"]
    assert typed == both > 0 and exact < typed


def test_the_impact_view_answers_in_a_sentence_with_its_numbers(demo_url: str, browser_view) -> None:
    link = "view=impact&company=Meta&company=OpenAI&company=Google&topic=burnout&window=40"
    printed, page = command_view(demo_url, link), browser_view(link)
    assert printed["event"] == "2026-10-18: Demo: burnout stories begin (planted)"
    rate = next(r for r in printed["tables"]["measures"] if r["measure"] == "rate per 100" and r["who"] == "company")
    assert printed["finding"].startswith(
        f"Burnout stories about Meta: {rate['before']:.1f} per 100 in the 40 days before 2026-10-18, "
        f"{rate['after']:.1f} after ({rate['change']:+.1f}, 95% CI {rate['change_low']:+.1f} to "
        f"{rate['change_high']:+.1f}"
    )
    assert rate["change_low"] > 0  # the planted burnout episode is a rise the data can carry
    # This small demo has 3 burnout stories about Meta in the 40 days before: too few for a mean tone.
    assert printed["finding"].endswith(
        "Tone toward Meta in them: too thin to say, with only 3 stories in the window before the event "
        "(at least 20 needed)."
    )
    # Twenty days each side hold 14 Meta stories before the event: too thin for a rate as well.
    thin = command_view(demo_url, link.replace("window=40", "window=20"))["finding"]
    assert thin.startswith("Burnout stories about Meta: too thin to say, with only 14 stories in the window before")
    assert printed["finding"] in [t.value for t in page.text]
    shown = page.dataframe[0].value
    assert [round(v, 6) for v in shown["change"].dropna()] == [
        round(r["change"], 6) for r in printed["tables"]["measures"] if r["change"] is not None
    ]


def test_an_episode_says_what_it_was_about_in_the_terms_that_rose(demo_url: str, browser_view) -> None:
    link = "company=Meta&topic=burnout&view=spikes&from=2026-09-01&to=2026-11-28&terms=1"
    printed, page = command_view(demo_url, link), browser_view(link)
    assert printed["picked"] == "burnout · Meta, 2026-10-18 to 2026-10-28"
    terms = [row["term"] for row in printed["tables"]["rising"]]
    # The planted headlines: "Meta AI staff describe burnout and exhaustion after N days of crunch", reworded
    assert {"crunch", "exhaustion", "burnout", "describe burnout", "burnout exhaustion"} <= set(terms)
    assert sorted(b.label for b in page.button if b.label in terms) == sorted(terms[:10])  # five a row
    assert list(page.dataframe[-1].value["term"]) == terms


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
    # Every planted story runs in two of the eight demo outlets (a background one in one to four).
    assert (burnout["series"], burnout["stories"], burnout["articles"], burnout["outlets"]) == (
        "burnout · Meta",
        62,
        126,
        8,
    )
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
