"""The tutorial notebooks run from top to bottom against the public API.

They are stored without outputs (the docs show them as they are); each test
executes one in a fresh kernel with nbclient, so an API change that breaks
a tutorial fails here. Each notebook checks its own results with asserts
(miss distance, shapes' apogees, windows, probabilities). Draws and grids
are small so that the three take well under 90 s once the kernels are
compiled.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import securityroof

nbformat = pytest.importorskip("nbformat", reason="the docs extras (nbformat) are not installed")
nbclient = pytest.importorskip("nbclient", reason="the docs extras (nbclient) are not installed")
pytest.importorskip("ipykernel", reason="the docs extras (ipykernel) are not installed")

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"
NOTEBOOKS = ["trajectory", "epaa-engagements", "strategic-verdict"]
# The package the tests import, first on the kernel's path too (a worktree's sources).
SOURCES = str(Path(securityroof.__file__).resolve().parents[1])


def test_the_tutorials_are_all_tested_and_stored_without_outputs() -> None:
    assert sorted(p.stem for p in TUTORIALS.glob("*.ipynb")) == sorted(NOTEBOOKS)
    for name in NOTEBOOKS:
        notebook = nbformat.read(TUTORIALS / f"{name}.ipynb", as_version=4)
        nbformat.validate(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, name


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str) -> None:
    notebook = nbformat.read(TUTORIALS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(TUTORIALS)}},
    )
    path = os.pathsep.join(p for p in (SOURCES, os.environ.get("PYTHONPATH")) if p)
    client.execute(env={**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg"})
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors == []
