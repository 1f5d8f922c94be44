"""Every planners' notebook in notebooks/ runs end to end from a clean kernel against its own
embedded store, draws its figures with a CJK font, and fails the test on any error."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_planners_notebooks() -> None:
    assert {p.name for p in NOTEBOOKS} >= {
        "relationship_explorer.ipynb",
        "coverage_gaps.ipynb",
        "matching_walkthrough.ipynb",
    }


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks without outputs"
    )
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook drew no figure"
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "missing from font" not in text, "a Chinese label was drawn without a CJK font"
    assert "Traceback" not in text
