"""experiments/levers_discovery.toml and the [discovery] section: it validates, pairs the
reform and no merger on the same seeds at every point, rejects bad settings in one line, and
its smoke version runs end to end to a PRIM table and a report section."""

from __future__ import annotations

import multiprocessing as mp
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import pytest
from sweep_standin import ROOT

from mergesim.api import plot_results
from mergesim.errors import ScenarioError
from mergesim.report.discovery import BOX_COLUMNS
from mergesim.sweep import load_experiment, plan_runs, run_sweep, study
from mergesim.sweep.costs import estimate

PATH = ROOT / "experiments" / "levers_discovery.toml"


@pytest.fixture(scope="module")
def experiment():
    return load_experiment(PATH)


def test_design_and_settings(experiment):
    assert experiment.params.design.method == "lhs"
    assert 8 <= len(experiment.factors) <= 15
    assert all(f.range is not None for f in experiment.factors)
    assert [s.label for s in experiment.scenarios] == ["seed", "none"]
    d = study(experiment).discovery
    assert d["reform"] == "seed" and d["counterfactual"] == "none"
    assert d["outcomes"] == ["post.petitions_per10k", "post.travel_worst_decile_min"]
    assert len(d["thresholds"]) == 2


def test_reform_and_counterfactual_share_seeds_at_every_point(experiment):
    """Common random numbers: point p, replicate k runs with one seed in both scenarios, and
    the two scenarios share the county too (county.seed pinned to the scenario seed)."""
    runs = plan_runs(load_experiment(PATH, smoke=True))
    by = defaultdict(dict)
    for r in runs:
        by[(r.point, r.replicate)][r.label] = r
    assert by and all(set(v) == {"seed", "none"} for v in by.values())
    for pair in by.values():
        assert pair["seed"].seed == pair["none"].seed == pair["seed"].scenario.seed
        assert pair["seed"].values == pair["none"].values
        assert pair["seed"].scenario.county.seed == pair["none"].scenario.county.seed
    seeds = {k: v["seed"].seed for k, v in by.items()}
    assert len(set(seeds.values())) == load_experiment(PATH, smoke=True).params.replications


def test_dry_run_budgets(experiment, tmp_path):
    full = estimate(plan_runs(experiment), tmp_path / "a", workers=2, exp=experiment)
    assert full.wall_seconds <= 20 * 60
    smoke_exp = load_experiment(PATH, smoke=True)
    smoke = estimate(plan_runs(smoke_exp), tmp_path / "b", workers=2, exp=smoke_exp)
    assert smoke.wall_seconds < 60


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ('reform = "nope"', "discovery.reform"),
        ('counterfactual = "seed"', "discovery.counterfactual"),
        ("thresholds = [1.0]", "discovery.thresholds"),
        ('outcomes = ["post.nope", "post.travel_min_mean"]', "discovery.outcomes"),
        ("min_density = 1.5", "discovery.min_density"),
        ("peel_alpha = 0.9", "discovery.peel_alpha"),
        ("boxes = 0", "discovery.boxes"),
        ("colour = 1", "discovery.colour"),
        ('include = "../results/elsewhere"', "discovery.include"),
    ],
)
def test_bad_discovery_settings_name_the_key(tmp_path, section, key):
    text = PATH.read_text(encoding="utf-8").replace(
        "../scenarios/", f"{(ROOT / 'scenarios').as_posix()}/"
    )
    name = section.split("=")[0].strip()
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"{name} =")]
    text = "\n".join(f"{ln}\n{section}" if ln == "[discovery]" else ln for ln in lines)
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_experiment(bad)
    assert err.value.key == key, str(err.value)


@pytest.mark.slow
def test_smoke_runs_to_prim_boxes_and_a_report_section(tmp_path):
    pytest.importorskip("prim", reason="PRIM is the optional extra mergesim[discovery]")
    exp = load_experiment(PATH, smoke=True)
    out = tmp_path / "disc"
    with ProcessPoolExecutor(2, mp_context=mp.get_context("forkserver")) as pool:
        res = run_sweep(exp, out, executor=pool, progress=False)
    plot_results(out, experiment=exp, sensitivity=res.sensitivity)
    assert res.failed == 0
    boxes = pd.read_csv(out / "tables" / "prim_boxes.csv")
    assert list(boxes.columns) == BOX_COLUMNS
    assert set(boxes["outcome"]) <= set(exp.params.discovery.outcomes)
    assert boxes[["coverage", "density", "mass", "lo", "hi"]].notna().all().all()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Scenario discovery" in report
    for outcome in exp.params.discovery.outcomes:
        assert f"(`{outcome}`): effect >" in report


def test_discovery_needs_a_factor_with_a_range(tmp_path):
    scen = (ROOT / "scenarios").as_posix()
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f"""scenarios = [
    {{ label = "seed", path = "{scen}/seed_county.toml" }},
    {{ label = "none", path = "{scen}/seed_county_none.toml" }},
]
[[factors]]
key = "grievance.contagion"
values = [0.1, 0.2]
[discovery]
reform = "seed"
counterfactual = "none"
outcomes = ["post.petitions_per10k"]
thresholds = [5.0]
""",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        load_experiment(bad)
    assert err.value.key == "discovery" and "numeric range" in err.value.message
