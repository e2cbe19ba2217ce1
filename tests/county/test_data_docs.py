"""The generated data reference lists every column the loaders read and is current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mergesim.county.columns import EDGE_COLUMNS, VILLAGE_COLUMNS
from mergesim.county.data_docs import REGENERATE

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "data.md"


def _render() -> str:
    spec = importlib.util.spec_from_file_location(
        "gen_data_docs", ROOT / "scripts" / "gen_data_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render()


def test_reference_lists_every_column_with_its_aliases_and_limits():
    text = _render()
    for c in (*VILLAGE_COLUMNS, *EDGE_COLUMNS):
        row = next((ln for ln in text.splitlines() if ln.startswith(f"| `{c.name}` |")), None)
        assert row is not None, c.name
        assert all(f"`{a}`" in row for a in c.aliases), c.name
        if c.lo is not None or c.hi is not None:
            assert c.allowed() in row, c.name
    assert "## Townships when the file has none" in text
    assert "new_village_index" in text and "`village_id`" in text


def test_docs_file_is_current():
    assert DOC.exists(), f"docs/data.md is missing; run `{REGENERATE}`"
    assert DOC.read_text(encoding="utf-8") == _render(), (
        f"docs/data.md is out of date with the column table; run `{REGENERATE}`"
    )
