"""docs/findings.md's generator on a real levers run (the experiment's smoke version): every
number the document prints is parsed back and checked against the run's own tables and files
(levers.csv, decomposition.csv, the runs table, manifest.json), with the document's robustness
and PRIM parts present only when their tables are; and bad input is one line, exit code 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from findings_checks import check_lever_numbers, check_robustness_labels

from mergesim.cli import main
from mergesim.report.findings import listed_robustness
from mergesim.results import read_runs

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_findings.py"


def gen(folder: Path, dest: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(folder), "--out", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dest.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("levers") / "smoke"
    args = ["sweep", str(ROOT / "experiments" / "levers.toml"), "--smoke", "--out", str(out)]
    assert main([*args, "--workers", "2", "--no-progress", "-q"]) == 0
    return out


@pytest.mark.slow
def test_every_number_matches_the_runs_tables(run, tmp_path):
    text = gen(run, tmp_path / "findings.md")
    levers = pd.read_csv(run / "tables" / "levers.csv")
    decomp = pd.read_csv(run / "tables" / "decomposition.csv")
    runs = read_runs(run)
    manifest = json.loads((run / "manifest.json").read_text())

    # What ran: scale, replications, seeds and commit from the folder's own files.
    scale = float(runs["scale"].min())
    assert f"`villagers.scale` = {scale:g} with {runs['replicate'].nunique()} replications" in text
    assert f"root seed {manifest['root_seed']}" in text
    assert f"git commit `{manifest['git_commit']}`" in text
    seed_runs = runs[runs["scenario"] == "seed"].sort_values("replicate")
    assert ", ".join(str(int(s)) for s in seed_runs["seed"]) in text
    assert "**smoke version**" in text

    check_lever_numbers(text, levers, decomp)

    # The smoke run has a robustness stage (levers.toml's [robustness]) but no PRIM or Morris
    # table: the document gives the labels, says nothing of PRIM, and says how its list of
    # assumptions was chosen.
    has_rob = (run / "tables" / "robustness.csv").exists()
    has_prim = (run / "tables" / "prim_boxes.csv").exists()  # a smoke discovery run, if made
    assert ("## Robustness labels" in text) == has_rob and ("PRIM" in text) == has_prim
    if has_rob:
        rob = pd.read_csv(run / "tables" / "robustness.csv")
        assert check_robustness_labels(text, rob) == len(listed_robustness(rob))
    if "Chosen from the robustness and Morris tables" in text:
        # Every key listed is one the robustness table says a lever's sign depends on.
        rob = pd.read_csv(run / "tables" / "robustness.csv")
        named = {k.strip() for v in rob["depends_on"].dropna().astype(str) for k in v.split(";")}
        part = text.split("Chosen from the robustness and Morris tables", 1)[1].split("\n## ")[0]
        listed = re.findall(r"^- `([^`]+)`", part, flags=re.M)
        assert listed and set(listed) <= named
        return
    switched = next(x for x in text.splitlines() if x.startswith("(1) Switched by the scenarios"))
    # Assumption-sourced keys the levers.toml scenarios set (communication's routine effort).
    assert "`communication.routine_share`" in switched and "`plan.method`" in switched
    assert "`services.agency_service`" not in switched  # sourced from the report


@pytest.mark.slow
def test_robustness_prim_and_morris_when_present(run, tmp_path):
    folder = tmp_path / "with"
    shutil.copytree(run, folder)
    levers = pd.read_csv(folder / "tables" / "levers.csv")
    first = levers.iloc[0]
    rob = pd.DataFrame(
        [
            {
                "measure": first["measure"],
                "context": first["context"],
                "metric": first["metric"],
                "outcome_group": first["outcome_group"],
                "effect": first["effect"],
                "ci_lo": first["ci_lo"],
                "ci_hi": first["ci_hi"],
                "label": "depends on grievance.background_rate",
                "depends_on": "grievance.background_rate",
            }
        ]
    )
    rob.to_csv(folder / "tables" / "robustness.csv", index=False)
    pd.DataFrame(
        [{"key": "villagers.threshold_mean", "metric": first["metric"], "mu_star": 2.0}]
    ).assign(mu_star_norm=0.5, sigma=1.0).to_csv(folder / "tables" / "morris.csv", index=False)
    pd.DataFrame(
        [
            {
                "outcome": "post.petitions_per10k",
                "threshold": 12.5,
                "box": 1,
                "coverage": 0.75,
                "density": 0.6,
                "mass": 0.2,
                "n_cases": 30,
                "n_points": 200,
                "param": "villagers.threshold_mean",
                "lo": 0.1,
                "hi": 0.3,
            }
        ]
    ).to_csv(folder / "tables" / "prim_boxes.csv", index=False)
    text = gen(folder, tmp_path / "findings.md")
    assert "## Robustness labels" in text and "depends on grievance.background_rate" in text
    assert "`villagers.threshold_mean` in [0.100, 0.300]" in text
    assert "coverage 0.750, density 0.600, mass 0.200 (30 cases among 200 points)" in text
    rest = text.split("## What these findings rest on")[1]
    assert "Chosen from the robustness and Morris tables" in rest
    # Both keys are assumptions in the schema: the robustness dependence first.
    assert rest.index("`grievance.background_rate`") < rest.index("`villagers.threshold_mean`")


def test_bad_folder_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "nowhere"), "--out", str(tmp_path / "f.md")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "tables/levers.csv" in done.stderr
    assert not (tmp_path / "f.md").exists()
