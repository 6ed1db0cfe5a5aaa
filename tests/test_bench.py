"""The benchmark command runs end to end at a small size (CI's smoke run of `python -m bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bench.pg_floor import strip_to_floor

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmarks_run_at_a_small_size_and_write_both_tables(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--articles",
            "1500",
            "--small",
            "500",
            "--ingest",
            "400",
            "--combos",
            "3",
            "--repeat",
            "1",
            "--postgres",
            "--rescore",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    for backend in ("sqlite", "postgresql"):
        large = results[backend]["1500"]
        assert large["bulk_load"]["seconds"] > 0
        assert set(large["filters"]) >= {"median_s", "overview_median_s", "trends_median_s", "articles_median_s"}
        assert large["keyword"]["median_s"] > 0 and large["baseline"]["load_all_s"] > 0
        assert {"headline", "headline+summary"} <= set(results[backend]["ingest"])
    assert results["sqlite"]["1500"]["served"]["rss_mb"] > 0
    assert results["sqlite"]["1500"]["rescore"]["seconds"] > 0
    table = (tmp_path / "latest.md").read_text()
    assert "| New filter combination, median | sqlite |" in table
    assert "| Ingest, headline | postgresql |" in table


def test_the_episode_simulation_runs_and_finds_each_planted_demo_event_once(tmp_path: Path) -> None:
    out = tmp_path / "episodes.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.episodes", "--series", "100", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert len(figures["series"]) == 21  # 3 kinds of counts x 7 volumes
    assert [len(event["episodes"]) for event in figures["demo"]] == [1, 1, 1]


def test_the_story_likeness_bench_scores_the_labelled_pairs(tmp_path: Path) -> None:
    out = tmp_path / "stories.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.stories", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["pairs"] == {"dup": 84, "same": 67, "diff": 194}
    shipped = figures["shipped"]
    assert (shipped["threshold"], shipped["false_pairs"]) == (0.56, 2)
    assert {row["method"] for row in figures["table"]} >= {
        "shipped: weighted words, figures agree",
        "plain word Jaccard",
    }


def test_the_postgresql_floor_bench_stores_every_article_in_each_store_and_times_its_cpu() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.pg_floor", "--articles", "400", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = [line.split("|")[1:-1] for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    stores = {cells[0].strip(): [float(c.replace(",", "")) for c in cells[1:]] for cells in rows[1:]}
    assert list(stores) == ["sqlite", "postgresql", "postgresql floor"]
    assert all(figures[0] == 400 and figures[1] > 0 for figures in stores.values())
    assert stores["sqlite"][5] == 0 and stores["postgresql"][5] > 0  # only PostgreSQL has a server's CPU


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_floor_leaves_postgresql_only_its_primary_keys_unlogged_and_without_foreign_keys(engine: Engine) -> None:
    with engine.begin() as conn:
        strip_to_floor(conn)
        foreign = conn.execute(text("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")).scalar_one()
        indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).scalars())
        keys = set(
            conn.execute(
                text(
                    "SELECT conname FROM pg_constraint "
                    "WHERE contype IN ('p', 'u') AND connamespace = 'public'::regnamespace"
                )
            ).scalars()
        )
        logged = conn.execute(
            text(
                "SELECT count(*) FROM pg_tables JOIN pg_class ON relname = tablename "
                "WHERE schemaname = 'public' AND relpersistence = 'p'"
            )
        ).scalar_one()
    assert foreign == 0 and indexes == keys and logged == 0
