"""The shipped docs/findings.md against the tables of the run it was generated from
(docs/findings_run/, written with it by scripts/gen_findings.py): what ran, every estimate,
the top rows, the decomposition, the robustness labels and the PRIM boxes."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from findings_checks import (
    check_lever_numbers,
    check_prim_sentences,
    check_robustness_labels,
    check_search_sentences,
)

from mergesim.report.findings import listed_robustness

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "findings.md"
RUN = ROOT / "docs" / "findings_run"


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


def _table(name: str) -> pd.DataFrame | None:
    path = RUN / f"{name}.csv"
    return pd.read_csv(path) if path.is_file() else None


def test_the_document_says_what_ran(text):
    facts = json.loads((RUN / "facts.json").read_text(encoding="utf-8"))
    assert (
        f"`villagers.scale` = {facts['scale']:g} with {facts['replications']} replications "
        f"(root seed {facts['root_seed']})" in text
    )
    assert f"git commit `{facts['commit']}`" in text
    assert ", ".join(str(s) for s in facts["seeds"]) in text
    assert ("**smoke version**" in text) == facts["smoke"]
    assert f"{facts['runs']} runs, {facts['ok']} finished ok" in text


def test_the_shipped_run_is_the_full_study():
    """The shipped findings come from the full levers run, not its CI-sized smoke version, at
    the scale and replications experiments/levers.toml states, with every run finished."""
    facts = json.loads((RUN / "facts.json").read_text(encoding="utf-8"))
    experiment = tomllib.loads((ROOT / "experiments" / "levers.toml").read_text(encoding="utf-8"))
    assert not facts["smoke"]
    assert facts["scale"] == experiment["overrides"]["villagers.scale"]
    assert facts["replications"] == experiment["replications"]
    assert facts["ok"] == facts["runs"] == facts["scenarios"] * facts["replications"]


def test_every_estimate_top_row_count_and_decomposition_matches(text):
    check_lever_numbers(text, _table("levers"), _table("decomposition"))


def test_robustness_labels_match(text):
    rob = _table("robustness")
    assert ("## Robustness labels" in text) == (rob is not None and len(rob) > 0)
    if rob is not None and len(rob):
        assert check_robustness_labels(text, rob) == len(listed_robustness(rob))


def test_prim_boxes_match(text):
    prim = _table("prim_boxes")
    if prim is None or not len(prim):
        assert "PRIM boxes)" not in text
        return
    boxes = prim.drop_duplicates(["outcome", "threshold", "box"])
    # Each box is told twice: in the summary and in the document's own PRIM section.
    assert check_prim_sentences(text, prim) == 2 * len(boxes)


def test_every_search_without_box_is_told():
    searches = _table("prim_searches")
    text = DOC.read_text(encoding="utf-8")
    assert searches is not None, "docs/findings_run/prim_searches.csv: regenerate the findings"
    without = searches[searches["status"] != "boxes"]
    # Each search without a box is told in the summary and in the PRIM section.
    assert check_search_sentences(text, searches) == 2 * len(without)
