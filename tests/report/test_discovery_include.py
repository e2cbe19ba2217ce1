"""A report that shows another experiment's PRIM boxes (``[discovery] include``): the table and
box figures are copied in, the source's section is quoted, and a missing source is said, not
an error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mergesim.report.discovery import BOX_COLUMNS, SEARCH_COLUMNS
from mergesim.report.discovery_files import include_discovery, report_section
from mergesim.sweep import load_experiment, study
from mergesim.sweep.store import experiment_toml

ROOT = Path(__file__).resolve().parents[2]
SECTION = [
    "## Scenario discovery",
    "",
    "Per design point, the paired effect of **seed** − **none**.",
    "",
    "### Petitions (`post.petitions_per10k`): effect > 5",
    "",
    "![box](figures/prim_box_post.petitions_per10k.png)",
    "",
]


def _source(tmp_path):
    src = tmp_path / "levers_discovery"
    (src / "tables").mkdir(parents=True)
    (src / "figures").mkdir()
    row = ["post.petitions_per10k", 5.0, 1, 0.8, 0.9, 0.3, 20, 96, "villagers.trust_mean", 0.2, 0.4]
    pd.DataFrame([row], columns=BOX_COLUMNS).to_csv(src / "tables" / "prim_boxes.csv", index=False)
    (src / "figures" / "prim_box_post.petitions_per10k.png").write_bytes(b"png")
    (src / "figures" / "other.png").write_bytes(b"png")
    text = ["# Report", "", "## Summary", "", "x", "", *SECTION, "## Next", "", "y"]
    (src / "report.md").write_text("\n".join(text), encoding="utf-8")
    return src


def test_table_and_box_figures_are_copied_and_the_section_quoted(tmp_path):
    src, root = _source(tmp_path), tmp_path / "levers"
    files, lines = include_discovery(root, src)
    names = sorted(p.name for p in files)
    assert names == ["prim_box_post.petitions_per10k.png", "prim_boxes.csv"]
    copied = pd.read_csv(root / "tables" / "prim_boxes.csv")
    assert copied["param"].tolist() == ["villagers.trust_mean"]
    assert not (root / "figures" / "other.png").exists()
    assert lines[0] == "## Scenario discovery" and str(src) in lines[2]
    assert lines[4:] == [*SECTION[2:], ""][: len(lines) - 4]
    assert "### Petitions (`post.petitions_per10k`): effect > 5" in lines
    assert not any(line.startswith("## Next") for line in lines)


def test_without_the_section_the_boxes_are_listed_from_the_table(tmp_path):
    src = _source(tmp_path)
    (src / "report.md").unlink()
    _, lines = include_discovery(tmp_path / "levers", src)
    assert any("`villagers.trust_mean` in [0.200, 0.400]" in line for line in lines)
    assert any(line.startswith("![PRIM box](figures/prim_box_") for line in lines)


def test_the_search_table_is_copied_and_a_search_without_box_is_told(tmp_path):
    src = _source(tmp_path)
    (src / "report.md").unlink()
    row = ["post.travel_worst_decile_min", 5.0, "no cases", 96, 0, float("nan"), 0.8]
    pd.DataFrame([row], columns=SEARCH_COLUMNS).to_csv(
        src / "tables" / "prim_searches.csv", index=False
    )
    root = tmp_path / "levers"
    files, lines = include_discovery(root, src)
    assert (root / "tables" / "prim_searches.csv") in files
    told = [line for line in lines if "0 of 96 design points are cases" in line]
    assert len(told) == 1 and "no box" in told[0]


def test_a_missing_source_is_said_in_the_report(tmp_path):
    files, lines = include_discovery(tmp_path / "levers", tmp_path / "nowhere")
    assert files == []
    assert "No PRIM boxes yet" in "\n".join(lines)
    assert "levers_discovery.toml" in "\n".join(lines)


def test_report_section_stops_at_the_next_heading(tmp_path):
    report = _source(tmp_path) / "report.md"
    assert report_section(report, "## Summary") == ["x", ""]
    assert report_section(report, "## Absent") == []
    assert report_section(tmp_path / "none.md", "## Summary") == []


def test_the_levers_experiment_includes_the_discovery_run():
    exp = load_experiment(ROOT / "experiments" / "levers.toml")
    assert study(exp).discovery == {"include": str(ROOT / "results" / "levers_discovery")}
    smoke = load_experiment(ROOT / "experiments" / "levers.toml", smoke=True)
    assert study(smoke).discovery == {"include": str(ROOT / "results" / "levers_discovery-smoke")}


def test_the_stored_experiment_keeps_the_included_folder(tmp_path):
    """`mergesim plot` reloads <out>/experiment.toml: the include must not move with it."""
    exp = load_experiment(ROOT / "experiments" / "levers.toml")
    stored = tmp_path / "experiment.toml"
    stored.write_text(experiment_toml(exp, tmp_path), encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    for ref in exp.scenarios:
        (tmp_path / "scenarios" / f"{ref.label}.toml").write_text(
            ref.path.read_text(encoding="utf-8"), encoding="utf-8"
        )
    again = load_experiment(stored)
    assert study(again).discovery == study(exp).discovery
