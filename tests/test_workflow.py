"""The scheduled ingest workflow: valid against GitHub's workflow schema, never two runs at once, and running
commands this CLI accepts."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dashboard.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ingest.yml"


def schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_ingest_workflow_passes_githubs_workflow_schema() -> None:
    result = schema_check(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"),
        ("cancel-in-progress: false", "cancel-in-progress: sometimes"),
        ("    - cron:", "    - crontab:"),
    ],
)
def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path, broken: str, fixed: str) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert broken in text
    copy = tmp_path / "ingest.yml"
    copy.write_text(text.replace(broken, fixed), encoding="utf-8")
    assert schema_check(copy).returncode == 1


def test_two_scheduled_runs_never_overlap_and_read_the_database_from_secrets() -> None:
    spec = workflow()
    assert spec["concurrency"] == {"group": "ingest", "cancel-in-progress": False}
    assert spec["jobs"]["ingest"]["env"]["DATABASE_URL"] == "${{ secrets.DATABASE_URL }}"
    assert [c["cron"] for c in spec["on"]["schedule"]] == ["17,47 * * * *"]
    assert "backfill_days" in spec["on"]["workflow_dispatch"]["inputs"]


def test_every_command_the_workflow_runs_is_one_this_cli_accepts() -> None:
    commands = [
        shlex.split(step["run"].replace('"$BACKFILL_DAYS"', "30"))
        for step in workflow()["jobs"]["ingest"]["steps"]
        if "python -m dashboard" in step.get("run", "")
    ]
    assert [c[3] for c in commands] == ["ingest", "backfill"]
    for command in commands:
        build_parser().parse_args(command[3:])  # exits (fails the test) on an unknown option
