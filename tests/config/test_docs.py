"""The generated scenario reference covers every key and is current."""

from __future__ import annotations

from pathlib import Path

from mergesim.config import Scenario, iter_params
from mergesim.config.docs import REGENERATE, render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def test_reference_lists_every_key_with_its_default_unit_and_source():
    text = render_reference()
    for key, _tp, _default, spec in iter_params(Scenario):
        row = next((line for line in text.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row is not None, key
        assert spec.unit.replace("|", "\\|") in row, key
    assert "base_dir" not in text
    assert "## `[plan]` — Which merger plan generator" in text


def test_docs_file_is_current():
    assert DOC.exists(), f"docs/scenarios.md is missing; run `{REGENERATE}`"
    assert DOC.read_text(encoding="utf-8") == render_reference(), (
        f"docs/scenarios.md is out of date with the schema; run `{REGENERATE}`"
    )
