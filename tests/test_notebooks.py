"""Every planners' notebook in notebooks/ runs end to end from a clean kernel, draws its figures with a
CJK font, and fails the test on any error: against its own embedded store, and against the suite's
Neo4j (the notebook's ``LIANJIAN_NOTEBOOK_STORE=env`` path, as a planner on Neo4j would run it)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from conftest import BACKENDS, make_store, neo4j_uri, release_store
from nbclient import NotebookClient

from engine.store.embedded import EmbeddedFalkorDB

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_planners_notebooks() -> None:
    assert {p.name for p in NOTEBOOKS} >= {
        "relationship_explorer.ipynb",
        "coverage_gaps.ipynb",
        "matching_walkthrough.ipynb",
    }


def kernel_env(backend: str) -> dict[str, str]:
    """The kernel's environment: the notebook's own embedded store, or the suite's Neo4j."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANJIAN_", "NEO4J_"))}
    if backend == "neo4j":
        env.update(LIANJIAN_NOTEBOOK_STORE="env", LIANJIAN_BACKEND="neo4j", NEO4J_URI=neo4j_uri())
    return env


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path: Path, backend: str, falkordb_server: EmbeddedFalkorDB) -> None:
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks without outputs"
    )
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    # On Neo4j the test holds the (emptied) database while the notebook loads the demo into it.
    held = make_store("neo4j", falkordb_server) if backend == "neo4j" else None
    try:
        client.execute(env=kernel_env(backend))  # raises CellExecutionError on the first failing cell
        if held is not None:
            assert held.run("meta.count_by_label"), "the notebook did not use the suite's Neo4j"
    finally:
        if held is not None:
            release_store(held)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook drew no figure"
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "missing from font" not in text, "a Chinese label was drawn without a CJK font"
    assert "Traceback" not in text
