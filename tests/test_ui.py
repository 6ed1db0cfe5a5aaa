"""Every page through Streamlit's own test runner: empty store, demo data, filters from and to the URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from dashboard.analyse.analysis import Analyzer
from dashboard.config import DEFAULT_CONFIG, load_config
from dashboard.models import Article, FeedSpec, FetchResult, FetchStatus, ParsedFeed
from dashboard.pipeline.demo import DemoSpec, write_demo
from dashboard.store.engine import open_engine
from dashboard.store.write import record_fetch
from dashboard.ui.app import PAGE_FAILED
from tests.feedserver import FeedHTTPServer

APP = str(Path(__file__).resolve().parent.parent / "app.py")
VIEWS = ["overview", "trends", "spikes", "compare", "articles", "sources"]
DEMO_END = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding a small demo corpus and one hostile article."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ui') / 'demo.db'}"
    engine = open_engine(url)
    analyzer = Analyzer.from_config(load_config(DEFAULT_CONFIG))
    write_demo(engine, analyzer, DemoSpec(articles=1500, days=120, seed=3, end=DEMO_END))
    hostile = Article(
        title="<script>alert('x')</script> **Meta** [click](javascript:alert(1))",
        link="javascript:alert(document.cookie)",
        publisher="<b>Evil</b>",
        publisher_domain="evil.example",
        summary="<img src=x onerror=alert(1)>",
        published_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        published_from="published",
    )
    spec = FeedSpec("Hostile feed", "https://evil.example/rss")
    fetched = FetchResult(url=spec.url, status=FetchStatus.OK, http_status=200)
    record_fetch(engine, spec, fetched, ParsedFeed(articles=[hostile]), DEMO_END, analyse=analyzer.analyse_many)
    engine.dispose()
    return url


def assert_drawn(at: AppTest) -> None:
    """The page ran to its end: no exception, and no failure caught at the page boundary."""
    assert not at.exception, at.exception[0].value if at.exception else ""
    assert not [e.value for e in at.error if e.value == PAGE_FAILED]


def link_notes(at: AppTest) -> list[str]:
    return [t.value for t in at.text if t.value.startswith("Link note:")]


@pytest.fixture
def app(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("DATABASE_URL", demo_url)
    yield AppTest.from_file(APP, default_timeout=90)


def test_an_empty_store_offers_ingest_and_demo_data(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "No articles are stored yet" in at.info[0].value
    assert [b.label for b in at.button] == ["Ingest now", "Load demo data"]


def test_ingest_now_on_an_empty_store_fetches_the_feeds_and_then_their_history(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = FeedHTTPServer().start()
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[google_news]\ntemplate = "{server.url("/gnews/rss/search")}?q={{query}}"\n'
            '[[companies]]\nname = "Meta"\nquery = "Meta"\n[backfill]\ndays = 70\n'
            '[fetch]\nallowed_networks = ["127.0.0.0/8"]\n'
        )
        monkeypatch.setenv("DATABASE_URL", sqlite_url)
        monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
        at = AppTest.from_file(APP, default_timeout=180).run()
        at.button[0].click().run()
        assert not at.exception
        with open_engine(sqlite_url).connect() as conn:
            stored = conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one()
        assert stored == 30  # Meta's last two days from the live feed, its other eight from the history
        windows = [p for p in server.log.paths() if "after%3A" in p]
        assert len(windows) == 11  # 70 days and today, a week at a time
    finally:
        server.stop()


def test_the_demo_button_fills_the_store_and_shows_the_banner(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.button[1].click().run()
    assert not at.exception
    assert "Demo data" in at.warning[0].value


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize(
    "query",
    [
        {},
        {
            "company": ["Meta", "OpenAI", "Google"],
            "topic": ["burnout"],
            "step": "week",
            "smooth": "3",
            "norm": "per100",
        },
        {"q": "lays off", "step": "month", "from": "2026-08-01", "to": "2026-11-28"},
        {"company": ["Mistral"], "source": ["Demo Wire (demo)"], "from": "2026-11-20", "to": "2026-11-28"},
        {"q": "no such phrase anywhere"},
    ],
    ids=["defaults", "companies-topic-week", "keyword-month", "one-company-one-source", "empty-selection"],
)
def test_every_view_runs_with_every_filter_combination(app: AppTest, view: str, query: dict[str, object]) -> None:
    for key, value in {**query, "view": view}.items():
        app.query_params[key] = value
    app.run()
    assert_drawn(app)
    assert app.radio(key="f_view").value == view


def test_query_parameters_restore_the_filters(app: AppTest) -> None:
    app.query_params.update(
        {
            "company": ["Meta", "OpenAI"],
            "topic": ["burnout"],
            "q": "burnout",
            "from": "2026-09-01",
            "to": "2026-10-31",
            "step": "week",
            "smooth": "2",
            "norm": "per100",
            "view": "trends",
        }
    )
    app.run()
    assert app.multiselect(key="f_company").value == ["Meta", "OpenAI"]
    assert app.multiselect(key="f_topic").value == ["burnout"]
    assert app.text_input(key="f_q").value == "burnout"
    assert [d.isoformat() for d in app.date_input(key="f_range").value] == ["2026-09-01", "2026-10-31"]
    assert (app.selectbox(key="f_step").value, app.slider(key="f_smooth").value, app.radio(key="f_norm").value) == (
        "week",
        2,
        "per100",
    )
    assert len(app.get("plotly_chart")) == 3


def test_changing_a_filter_updates_the_url(app: AppTest) -> None:
    app.query_params["company"] = ["Meta"]
    app.run()
    app.multiselect(key="f_company").set_value(["Meta", "Nvidia"]).run()
    app.selectbox(key="f_step").set_value("month").run()
    app.radio(key="f_view").set_value("compare").run()
    assert app.query_params["company"] == ["Meta", "Nvidia"]
    assert (app.query_params["step"], app.query_params["view"]) == ("month", "compare")


def test_unknown_and_malformed_parameters_are_noted_not_fatal(app: AppTest) -> None:
    app.query_params.update(
        {"company": ["Nokia"], "from": "last week", "smooth": "999", "view": "admin", "utm_source": "x"}
    )
    app.run()
    assert_drawn(app)
    assert link_notes(app) == [
        "Link note: ignored unknown parameter 'utm_source'",
        "Link note: ignored company='Nokia': not one of the known values",
        "Link note: ignored from='last week': not a date (use YYYY-MM-DD)",
        "Link note: ignored smooth='999': use a whole number from 1 to 30",
        "Link note: ignored view='admin': use one of "
        "overview, trends, spikes, impact, compare, articles, sources, alerts",
    ]
    assert "company" not in app.query_params


@pytest.mark.parametrize(("count", "label"), [({}, "Stories"), ({"count": "articles"}, "Articles")])
def test_overview_shows_figures_against_the_previous_period(app: AppTest, count: dict, label: str) -> None:
    app.query_params.update({"from": "2026-10-30", "to": "2026-11-28", **count})
    app.run()
    labels = [m.label for m in app.metric]
    assert labels == [label, "Mean tone", "Share negative (%)"]
    assert int(app.metric[0].value.replace(",", "")) > 0
    assert app.metric[0].delta is not None


def test_untrusted_text_is_shown_as_text_and_never_linked_unless_http(app: AppTest) -> None:
    app.query_params.update({"view": "articles", "source": ["<b>Evil</b>"], "from": "2026-11-27", "to": "2026-11-27"})
    app.run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["title"]) == ["<script>alert('x')</script> **Meta** [click](javascript:alert(1))"]
    assert list(table["link"]) == [None]
    assert not any("<script>" in m.value for m in app.markdown)


def test_the_planted_burnout_event_at_meta_is_one_episode(app: AppTest) -> None:
    app.query_params.update(
        {"view": "spikes", "company": ["Meta"], "topic": ["burnout"], "from": "2026-09-01", "to": "2026-11-28"}
    )
    app.run()
    found = app.dataframe[0].value
    # The event runs from 41 to 30 days before the demo's end (noon, 2026-11-28): 18 October afternoon to
    # 29 October noon; the last half day is too few stories to stand out. One row, not one per day or per
    # kind of series.
    assert list(zip(found["series"], found["start"], found["end"], strict=True)) == [
        ("burnout · Meta", "2026-10-18", "2026-10-28")
    ]
    # Counted in stories: the planted ones each run by two outlets, so about twice as many articles (a
    # background burnout story about Meta in those days runs in one to four); all eight outlets ran some. Two
    # planted stories a day apart that both quote "158 days of crunch" read as one piece of news.
    assert found["stories"][0] > found["usual_high"][0]
    assert (found["stories"][0], found["articles"][0], found["outlets"][0]) == (62, 126, 8)
    assert app.subheader[-1].value == "Stories behind: burnout · Meta, 2026-10-18 to 2026-10-28"
    behind = app.dataframe[-1].value
    assert behind["outlets"].mode()[0] == 2 and found["top_stories"][0].startswith(behind["title"][0])


def test_the_article_list_is_paged_and_sortable(app: AppTest) -> None:
    app.query_params.update({"view": "articles", "from": "2026-08-01", "to": "2026-11-28"})
    app.run()
    first_page = list(app.dataframe[0].value["title"])
    assert len(first_page) == 50
    app.number_input(key="article_page").set_value(2).run()
    second_page = list(app.dataframe[0].value["title"])
    assert len(second_page) == 50 and second_page != first_page
    app.selectbox(key="article_sort").set_value("most negative").run()
    tones = list(app.dataframe[0].value["tone"])
    assert tones == sorted(tones)


@pytest.mark.parametrize(
    ("query", "notes"),
    [
        (
            {"from": "0001-01-01"},
            ["Link note: from=0001-01-01 is outside the stored articles: using the first day, 2026-07-31"],
        ),
        (
            {"to": "0001-01-01"},
            ["Link note: to=0001-01-01 is outside the stored articles: using the first day, 2026-07-31"],
        ),
        (
            {"from": "9999-12-31"},
            ["Link note: from=9999-12-31 is outside the stored articles: using the last day, 2026-11-28"],
        ),
        ({"q": "|"}, ["Link note: ignored q='|': empty alternative in '|'"]),
        ({"q": "Meta ||"}, ["Link note: ignored q='Meta ||': empty alternative in 'Meta ||'"]),
    ],
    ids=["from-year-1", "to-year-1", "from-year-9999", "q-bar", "q-trailing-bars"],
)
@pytest.mark.parametrize("view", VIEWS)
def test_crafted_dates_and_keywords_are_noted_and_every_view_still_draws(
    app: AppTest, view: str, query: dict[str, str], notes: list[str]
) -> None:
    app.query_params.update({**query, "view": view})
    app.run()
    assert_drawn(app)
    assert link_notes(app) == notes
    assert app.sidebar  # the filters are drawn


@pytest.mark.parametrize(
    "value",
    ["[Your session expired - log in here](http://evil.example/login)", "![x](http://attacker.example/pixel.png)"],
)
def test_rejected_values_are_quoted_as_plain_text_never_as_markdown(app: AppTest, value: str) -> None:
    app.query_params.update({"topic": value, "company": value})
    app.run()
    assert_drawn(app)
    assert link_notes(app) == [
        f"Link note: ignored company={value!r}: not one of the known values",
        f"Link note: ignored topic={value!r}: not one of the known values",
    ]
    rendered = [m.value for m in [*app.markdown, *app.caption, *app.info, *app.warning, *app.error]]
    assert not [m for m in rendered if "evil.example" in m or "attacker.example" in m]


def test_a_range_beyond_the_stored_articles_is_cut_to_them(app: AppTest) -> None:
    app.query_params.update({"view": "trends", "from": "1900-01-01", "to": "2999-12-31"})
    app.run()
    assert_drawn(app)
    assert link_notes(app) == [
        "Link note: from=1900-01-01 is outside the stored articles: using the first day, 2026-07-31",
        "Link note: to=2999-12-31 is outside the stored articles: using the last day, 2026-11-28",
    ]
    assert (app.query_params["from"], app.query_params["to"]) == ("2026-07-31", "2026-11-28")
    traces = [trace for chart in app.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    # One point a day from the first article to the last; a confidence band's outline goes there and back.
    assert max(len(trace.get("x") or ()) for trace in traces) == 2 * 121


def test_a_failure_below_the_page_shows_a_plain_message_and_no_details(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nothing")  # nothing listens on port 9
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [PAGE_FAILED]
    shown = [str(getattr(e, "value", "")) for e in at.main] + [str(getattr(e, "value", "")) for e in at.sidebar]
    assert not [s for s in shown if "Traceback" in s or "/dashboard/" in s or "OperationalError" in s]


def test_the_link_field_holds_the_current_views_query(app: AppTest) -> None:
    app.query_params.update({"company": "Meta", "view": "compare"})
    app.run()
    app.selectbox(key="f_step").set_value("week").run()
    [link] = [t.value for t in app.text_input if "view=compare" in (t.value or "")]
    assert link.endswith("?company=Meta&from=2026-08-31&to=2026-11-28&step=week&view=compare")


def test_the_overview_draws_every_company_in_one_figure(app: AppTest) -> None:
    app.query_params.update({"company": ["Meta", "OpenAI", "Google"]})
    app.run()
    [figure] = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    assert [trace["name"] for trace in figure["data"]] == ["Meta", "OpenAI", "Google"]


def event_labels(figure: dict) -> list[str]:
    return [a["text"] for a in figure["layout"].get("annotations", []) if a.get("textangle") == -90]


def test_events_are_marked_on_every_time_chart_and_kept_in_the_link(app: AppTest) -> None:
    app.query_params.update({"view": "trends", "company": "Meta", "event": "2026-10-20:Reorg <b>memo</b>"})
    app.run()
    assert_drawn(app)
    figures = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    marked = ["Demo: burnout stories begin (planted)", "Reorg &lt;b&gt;memo&lt;/b&gt;"]
    assert [event_labels(f) for f in figures] == [marked] * 3
    # Typed in the sidebar, an event joins the link.
    app.text_area(key="f_events").set_value("2026-10-20:Reorg <b>memo</b>\n2026-11-02:Town hall").run()
    assert list(app.query_params["event"]) == ["2026-10-20:Reorg <b>memo</b>", "2026-11-02:Town hall"]
    assert event_labels(json.loads(app.get("plotly_chart")[0].proto.spec))[-1] == "Town hall"


def test_a_rising_term_is_one_click_from_being_the_keyword(app: AppTest) -> None:
    app.query_params.update({"company": "Meta", "from": "2026-10-15", "to": "2026-11-13", "terms": "1"})
    app.run()
    assert_drawn(app)
    button = next(b for b in app.button if b.label == "exhaustion")
    button.click().run()
    assert_drawn(app)
    assert app.text_input(key="f_q").value == "exhaustion"
    assert app.query_params["q"] == "exhaustion"
