"""Project conventions that keep the code navigable: checked, not just written down."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from dashboard.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_ui_layer_imports_streamlit() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "dashboard").rglob("*.py")
        if "streamlit" in imported_modules(p) and "ui" not in p.relative_to(ROOT / "dashboard").parts
    ]
    assert offenders == []


@pytest.mark.parametrize("command", sorted(build_parser()._subparsers._group_actions[0].choices))  # type: ignore[union-attr]
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    assert f"python -m dashboard {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_runtime_database_is_ignored_by_git() -> None:
    result = subprocess.run(["git", "check-ignore", "-q", "data/news.db"], cwd=ROOT)
    assert result.returncode == 0


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run-tests.sh" in readme
    assert "exec bash scripts/run-tests.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_code_passes_the_linter() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_layout_names_every_module() -> None:
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("## ", 1)[0]
    modules = {p.name for p in (ROOT / "dashboard").rglob("*.py") if not p.name.startswith("__")}
    assert modules - set(re.findall(r"\b(\w+\.py)\b", layout)) == set()


def test_viewers_never_see_an_exceptions_details() -> None:
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["showErrorDetails"] == "none"


def test_the_tests_need_nothing_outside_the_repository() -> None:
    # A clone of this project alone has no ../shared: tests read their data from tests/data.
    reaches_out = re.compile(r"""["']shared["']|SHARED_EVAL_DIR|DEFAULT_EVAL_DIR|DEFAULT_CORPUS""")
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").rglob("*.py")
        if p.name != "test_project.py" and reaches_out.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# The layers, lowest first: a module imports only from its own layer or lower ones, and never from a sibling
# of the same rank (pipeline writes, read reads: neither needs the other).
LAYERS = {
    "models": 0,
    "paths": 0,
    "collect": 1,
    "analyse": 2,
    "config": 3,
    "store": 4,
    "pipeline": 5,
    "read": 5,
    "notify": 6,
    "ui": 7,
    "cli": 7,
    "__main__": 8,
}


def layer_of(module: str) -> str:
    """The layer of a module named ``dashboard.x.y`` (its first part below the package)."""
    return module.split(".")[1]


def dashboard_imports(path: Path) -> set[str]:
    """The dashboard modules a file imports, as dotted names (``from dashboard import x`` names x)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("dashboard."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "dashboard":
            if node.module == "dashboard":
                names.update(f"dashboard.{alias.name}" for alias in node.names if alias.name != "__version__")
            else:
                names.add(node.module)
    return names


def package_modules() -> dict[str, Path]:
    return {
        ".".join(p.relative_to(ROOT).with_suffix("").parts): p
        for p in (ROOT / "dashboard").rglob("*.py")
        if p.name != "__init__.py"
    }


def test_every_module_belongs_to_a_layer() -> None:
    assert sorted({layer_of(m) for m in package_modules()} - set(LAYERS)) == []


def test_no_layer_imports_one_above_it_or_its_sibling() -> None:
    breaches = [
        f"{module} imports {imported}"
        for module, path in package_modules().items()
        for imported in dashboard_imports(path)
        if layer_of(imported) != layer_of(module) and LAYERS[layer_of(imported)] >= LAYERS[layer_of(module)]
    ]
    assert breaches == []


@pytest.mark.parametrize("layer", ["store", "read"])
def test_storing_and_reading_never_load_vader(layer: str) -> None:
    modules = sorted(m for m in package_modules() if layer_of(m) == layer)
    script = f"import sys; import {', '.join(modules)}; print('vaderSentiment' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_commands_that_write_do_not_load_the_read_side() -> None:
    # pandas and pyarrow add about 85 MB to every ingest, demo and rescore process (and their workers).
    script = "import sys, dashboard.cli; print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_view_command_offers_the_pages_sort_orders() -> None:
    from dashboard.cli import SORTS
    from dashboard.read.views import SORTS as PAGE_SORTS

    assert SORTS == PAGE_SORTS
