"""The tutorial (``docs/tutorial/tutorial.py``, jupytext percent format) runs from start to end
as a notebook: jupytext reads it, nbclient executes it in a Python kernel.

Its results go to a temporary folder; the executed notebook is kept as
``results/test_artifacts/tutorial/tutorial.ipynb`` (or under ``$MERGESIM_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial" / "tutorial.py"
ARTIFACTS = (
    Path(os.environ.get("MERGESIM_TEST_ARTIFACTS", ROOT / "results" / "test_artifacts"))
    / "tutorial"
)


@pytest.mark.slow
def test_tutorial_runs_as_a_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("MERGESIM_TUTORIAL_OUT", str(tmp_path / "out"))
    nb = jupytext.read(TUTORIAL)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    try:
        client.execute()
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, ARTIFACTS / "tutorial.ipynb")
    out = tmp_path / "out"
    for name in (
        "plan_before_after.png",
        "admin_travel.png",
        "reform/timeseries.csv",
        "no_agency/summary.json",
        "sweep/runs.csv",
        "sweep/report.md",
    ):
        assert (out / name).is_file(), name
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors
