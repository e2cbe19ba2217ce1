"""docs/findings.md's generator on a real levers run (the experiment's smoke version): every
number the document prints is parsed back and checked against the run's own tables and files
(levers.csv, decomposition.csv, the runs table, manifest.json), with the document's robustness
and PRIM parts present only when their tables are; and bad input is one line, exit code 2."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mergesim.cli import main
from mergesim.plotting.labels import metric_label
from mergesim.results import read_runs

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_findings.py"
NUM = r"−?\d+(?:\.\d+)?(?:e[+-]\d+)?"
#: "1.23 [0.456, 2.01]", possibly with a shared power of ten (" × 10⁻⁵").
ESTIMATE = re.compile(rf"({NUM}) \[({NUM}), ({NUM})\](?: × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?")
_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def estimates(text: str) -> list[tuple[float, float, float]]:
    """Every printed estimate with its interval, as numbers."""
    out = []
    for m in ESTIMATE.finditer(text):
        scale = 10.0 ** int(m.group(4).translate(_SUP)) if m.group(4) else 1.0
        out.append(tuple(_num(m.group(i)) * scale for i in (1, 2, 3)))
    return out


def same(printed: float, value: float) -> bool:
    """Whether ``printed`` is ``value`` to the 3 significant figures it was printed with."""
    return math.isclose(printed, value, rel_tol=6e-3, abs_tol=1e-12)


def matches(est, row) -> bool:
    return all(
        same(p, float(row[c])) for p, c in zip(est, ("effect", "ci_lo", "ci_hi"), strict=True)
    )


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

    # Every estimate printed anywhere is a row of the lever table or the decomposition.
    rows = [r for _, r in levers.iterrows()] + [r for _, r in decomp.iterrows()]
    printed = estimates(text)
    assert len(printed) > 50
    for est in printed:
        assert any(matches(est, r) for r in rows), est

    # The top rows per headline outcome: each row is its (metric, measure, context) row, and
    # they are the largest absolute effects of their metric.
    section = text.split("## The lever table's top rows")[1].split("\n## ")[0]
    metric, shown = None, {}
    for line in section.splitlines():
        if line.startswith("### "):
            metric = re.search(r"\(`([^`]+)`\)$", line).group(1)
            shown[metric] = []
        elif line.startswith("| ") and "`" in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            measure = re.search(r"`([^`]+)`", cells[0]).group(1)
            row = levers[
                (levers["metric"] == metric)
                & (levers["measure"] == measure)
                & (levers["context"] == cells[1])
            ].iloc[0]
            assert int(cells[2].split()[0]) == row["n_pairs"]
            (est,) = estimates(cells[3])
            assert matches(est, row)
            excludes = row["ci_lo"] > 0 or row["ci_hi"] < 0
            assert cells[4] == ("yes" if excludes else "no")
            shown[metric].append(abs(row["effect"]))
    assert set(shown) == set(
        levers.loc[levers["outcome_group"].isin(["all", "worst_decile"]), "metric"]
    )
    for m, sizes in shown.items():
        others = levers.loc[levers["metric"] == m, "effect"].abs().sort_values(ascending=False)
        assert sorted(sizes, reverse=True) == pytest.approx(list(others[: len(sizes)]))

    # The summary's counts of clear effects per headline outcome and context.
    summary = text.split("## Summary")[1].split("\n## ")[0]
    for m in shown:
        block = summary.split(f"**{metric_label(m)}**")[1].split("\n**")[0]
        for ctx, start in (("seed", "- In the seed county"), ("merger alone", "- With the merger")):
            part = levers[(levers["metric"] == m) & (levers["context"] == ctx)]
            k = int(((part["ci_lo"] > 0) | (part["ci_hi"] < 0)).sum())
            line = next(x for x in block.splitlines() if x.startswith(start))
            if k:
                assert f", {k} of {len(part)} measures ha" in line
            else:
                assert f"none of the {len(part)} measures'" in line

    # The decomposition table: each cell is its (metric, term) row.
    section = text.split("## Decomposition")[1].split("\n## ")[0]
    terms = ["reform", "merger", "measures", "interaction"]
    n_rows = 0
    for line in section.splitlines():
        key = re.search(r"\(`([^`]+)`\) \|", line)
        if not key:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")][1:]
        for term, cell in zip(terms, cells, strict=True):
            row = decomp[(decomp["metric"] == key.group(1)) & (decomp["term"] == term)].iloc[0]
            if cell == "–":  # no finite value in the table
                assert not math.isfinite(row["effect"])
                continue
            (est,) = estimates(cell)
            assert matches(est, row)
        n_rows += 1
    assert n_rows == decomp["metric"].nunique()

    # The smoke run has a robustness stage (levers.toml's [robustness]) but no PRIM or Morris
    # table: the document gives the labels, says nothing of PRIM, and says how its list of
    # assumptions was chosen.
    has_rob = (run / "tables" / "robustness.csv").exists()
    assert ("## Robustness labels" in text) == has_rob and "PRIM" not in text
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
