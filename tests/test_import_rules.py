"""The layering rule, run as part of the suite: ``engine.matching`` and ``engine.analytics`` stay pure.

``lint-imports`` checks the ``[tool.importlinter]`` contract of pyproject.toml (neither imports
``engine.store``, ``engine.services``, ``api``, ``neo4j`` nor ``falkordb``, directly or through another
module); the second test breaks a copy of the tree to show the contract catches a forbidden import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("engine", "api", "graph_schema")
CONTRACT = "Pure engine modules (matching, analytics)"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` (no cache) on the tree at ``cwd``, its packages first on the path."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_pure_engine_modules_import_neither_the_store_nor_the_api() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{CONTRACT}" in run.stdout and "KEPT" in run.stdout
    assert "1 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("engine/analytics/geo.py", "engine.store.base"),
        ("engine/matching/scoring.py", "engine.services.scope"),
        ("engine/analytics/coverage.py", "neo4j"),
    ],
)
def test_a_forbidden_import_in_a_copy_of_the_tree_breaks_the_contract(
    tmp_path: Path, module: str, forbidden: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    broken = target.read_text(encoding="utf-8") + f"\nimport {forbidden}  # noqa\n"
    target.write_text(broken, encoding="utf-8")
    run = lint_imports(tmp_path)
    assert run.returncode != 0, run.stdout + run.stderr
    assert "BROKEN" in run.stdout and "0 kept, 1 broken" in run.stdout
    assert module.removesuffix(".py").replace("/", ".") in run.stdout
    assert forbidden in run.stdout
