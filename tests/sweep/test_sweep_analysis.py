"""Analysis of a sweep: paired replicates, Sobol/Morris indices on known functions (complete
design required), the plot data functions, figures, report.md and compare."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import sweep_standin as st
from matplotlib.figure import Figure
from sweep_standin import TWO_SCENARIOS, write_experiment

from mergesim.api import compare_results, plot_results
from mergesim.plotting import compare as pc
from mergesim.plotting.forest import plot_final
from mergesim.results import read_runs, read_timeseries
from mergesim.sweep import load_experiment, run_seed, run_sweep
from mergesim.sweep.sensitivity import IncompleteDesignError, analyze

BODY = """
replications = 4
metrics = ["post.travel_min_mean", "pre.travel_min_mean"]
[[factors]]
key = "plan.target_factor"
values = [1.5, 3.0]
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("swept")
    exp_path = write_experiment(tmp, BODY, scenarios=TWO_SCENARIOS)
    out = tmp / "out"
    res = run_sweep(
        load_experiment(exp_path),
        out,
        executor=ThreadPoolExecutor(2),
        run_fn=st.toy_run,
        progress=False,
    )
    plot_results(out)
    return out, res


FACTORS = [("plan.target_factor", "plan.target_factor")]


def labelled(runs):
    return pc.label_groups(runs, FACTORS, "seed_county")


@pytest.mark.slow
def test_paired_replicates_share_seeds_and_cancel_noise(swept):
    out, _ = swept
    runs = read_runs(out)
    # Replicate k has one seed in every scenario and point, and it is run_seed(root, k).
    seeds = runs.groupby("replicate")["seed"].unique()
    assert all(len(s) == 1 for s in seeds)
    assert [int(s[0]) for s in seeds] == [run_seed(20191201, k) for k in range(4)]
    assert runs.groupby("replicate")["seed"].first().nunique() == 4
    runs = labelled(runs)
    # One group per design point: two scenarios × two levels, never pooled.
    assert pc.groups(runs) == [
        "seed_county · plan.target_factor = 1.5",
        "seed_county · plan.target_factor = 3",
        "no_agency · plan.target_factor = 1.5",
        "no_agency · plan.target_factor = 3",
    ]
    # The agency switch acts only after the reform: before it, paired differences are exactly
    # zero (common random numbers), although single runs vary from replicate to replicate.
    paired = pc.paired_data(runs, "pre.travel_min_mean").set_index("group")
    assert list(paired["baseline"]) == [
        "seed_county · plan.target_factor = 1.5",
        "seed_county · plan.target_factor = 3",
    ]
    assert (paired["n_pairs"] == 4).all()
    assert (paired["mean_diff"] == 0.0).all() and (paired["ci_hi"] == 0.0).all()
    final = pc.final_data(runs, "pre.travel_min_mean")
    assert (final["n"] == 4).all()
    assert (final["ci_hi"] - final["ci_lo"] > 0.1).all()
    # After the reform, no agency adds (target − 1) × 10 minutes per affair in the toy model:
    # 5 at target 1.5 and 20 at target 3, per point (pooling the levels would give 12.5).
    post = pc.paired_data(runs, "post.travel_min_mean").set_index("group")
    assert post.loc["no_agency · plan.target_factor = 1.5", "mean_diff"] == pytest.approx(
        5.0, abs=1e-9
    )
    assert post.loc["no_agency · plan.target_factor = 3", "mean_diff"] == pytest.approx(
        20.0, abs=1e-9
    )


def test_paired_data_matches_a_hand_computation():
    runs = pd.DataFrame(
        {
            "scenario": ["a"] * 3 + ["b"] * 3,
            "point": [0] * 6,
            "replicate": [0, 1, 2] * 2,
            "status": ["ok"] * 5 + ["failed"],
            "m": [1.0, 2.0, 4.0, 2.0, 2.5, 99.0],
        }
    )
    runs = pc.label_groups(runs)
    d = pc.paired_data(runs, "m")
    assert d.loc[0, "group"] == "b" and d.loc[0, "baseline"] == "a"
    assert d.loc[0, "n_pairs"] == 2  # the failed run of b drops its pair
    assert d.loc[0, "mean_diff"] == pytest.approx(((2 - 1) + (2.5 - 2)) / 2)
    f = pc.final_data(runs, "m")
    assert f.loc[0, "mean"] == pytest.approx(7 / 3) and f.loc[1, "n"] == 2
    assert f.loc[0, "ci_lo"] < 7 / 3 < f.loc[0, "ci_hi"]
    assert list(f.loc[0, "values"]) == [1.0, 2.0, 4.0]


def test_band_data_quantiles(swept):
    out, _ = swept
    runs = labelled(read_runs(out))
    ts = pc.tag_groups(read_timeseries(out, columns=["travel_min_mean"]), runs)
    bands = pc.band_data(ts, "travel_min_mean")
    assert list(dict.fromkeys(bands["group"])) == pc.groups(runs)
    grp = "no_agency · plan.target_factor = 3"
    one = ts[(ts["group"] == grp) & (ts["week"] == 10)]["travel_min_mean"]
    row = bands[(bands["group"] == grp) & (bands["week"] == 10)].iloc[0]
    assert row["lo"] == pytest.approx(np.quantile(one, 0.1))
    assert row["hi"] == pytest.approx(np.quantile(one, 0.9))
    assert row["n"] == 4


def test_figures_and_report(swept):
    out, res = swept
    names = {p.name for p in (out / "figures").iterdir()}
    assert {
        "bands_travel_min_mean.png",
        "final_post_travel_min_mean.png",
        "response_plan_target_factor_post_travel_min_mean.png",
    } <= names
    report = (out / "report.md").read_text()
    assert "## Metrics by design point" in report
    assert "| no_agency · plan.target_factor = 3 | 4 (few) |" in report
    for line in report.splitlines():
        if line.startswith("!["):
            assert (out / line.split("(")[1].rstrip(")")).is_file()
    assert "## Reproduce" in report and "mergesim sweep" in report
    fig = plot_final(
        pc.final_data(labelled(read_runs(out)), "post.travel_min_mean"), "post.travel_min_mean"
    )
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_xlabel() == "Travel per affair, after the reform (min)"


def test_compare_two_results_folders(swept, tmp_path):
    out, _ = swept
    other = tmp_path / "other"
    exp_path = write_experiment(
        tmp_path, BODY.replace("[1.5, 3.0]", "[1.5, 2.0]"), scenarios=TWO_SCENARIOS
    )
    run_sweep(
        load_experiment(exp_path),
        other,
        executor=ThreadPoolExecutor(2),
        run_fn=st.toy_run,
        progress=False,
    )
    dest, table = compare_results([out, other], tmp_path / "cmp", ["post.travel_min_mean"])
    assert (dest / "compare.md").is_file()
    # Groups are design points of each folder; the other folder's target 1.5 pairs with the
    # first folder's target 1.5 (same scenario and level), its target 2 with the first group.
    assert "| other: seed_county · plan.target_factor = 1.5 | 4 (few) | " in table
    tab = pd.read_csv(dest / "tables" / "metrics.csv").set_index("group")
    assert tab.loc["other: no_agency · plan.target_factor = 1.5", "baseline"] == (
        "out: no_agency · plan.target_factor = 1.5"
    )
    assert tab.loc["other: no_agency · plan.target_factor = 1.5", "diff"] == pytest.approx(
        0.0, abs=1e-9
    )
    assert tab.loc["other: seed_county · plan.target_factor = 2", "baseline"] == (
        "out: seed_county · plan.target_factor = 1.5"
    )


SOBOL = """
metrics = ["post.travel_min_mean"]
replications = 1
[design]
method = "{method}"
n = {n}
[[factors]]
key = "villagers.trust_mean"
range = [0.4, 0.8]
[[factors]]
key = "villagers.threshold_mean"
range = [0.3, 0.7]
"""


def sens_sweep(tmp_path, method, n):
    pytest.importorskip("SALib")
    exp_path = write_experiment(tmp_path, SOBOL.format(method=method, n=n), name=method)
    exp = load_experiment(exp_path)
    out = tmp_path / method
    res = run_sweep(exp, out, executor=ThreadPoolExecutor(2), run_fn=st.sobol_run, progress=False)
    plot_results(out, experiment=exp, sensitivity=res.sensitivity)
    return exp, out


@pytest.mark.slow
def test_sobol_indices_of_a_known_function(tmp_path):
    # y = 10 a + b with a ~ U(0.4, 0.8), b ~ U(0.3, 0.7): S_a = 100 / 101, S_b = 1 / 101.
    exp, out = sens_sweep(tmp_path, "sobol", 256)
    idx = analyze(exp, read_runs(out), "post.travel_min_mean")
    s1 = dict(zip(idx["factor"], idx["S1"], strict=True))
    assert s1["villagers.trust_mean"] == pytest.approx(100 / 101, abs=0.05)
    assert s1["villagers.threshold_mean"] == pytest.approx(1 / 101, abs=0.03)
    assert (out / "sensitivity_sobol.csv").is_file()
    assert (out / "figures" / "sobol_post_travel_min_mean.png").is_file()


def test_morris_effects_of_a_known_function(tmp_path):
    # Elementary effects per full range: 10 × 0.4 = 4 for trust, 1 × 0.4 = 0.4 for threshold.
    exp, out = sens_sweep(tmp_path, "morris", 6)
    idx = analyze(exp, read_runs(out), "post.travel_min_mean").set_index("factor")
    assert idx.loc["villagers.trust_mean", "mu_star"] == pytest.approx(4.0, rel=1e-6)
    assert idx.loc["villagers.threshold_mean", "mu_star"] == pytest.approx(0.4, rel=1e-6)
    assert idx["sigma"].max() == pytest.approx(0.0, abs=1e-6)  # additive: no interactions


def test_sobol_needs_the_complete_design(tmp_path):
    exp, out = sens_sweep(tmp_path, "sobol", 8)
    runs = read_runs(out)
    runs.loc[runs["point"].isin([3, 17]), "status"] = "failed"
    with pytest.raises(IncompleteDesignError, match="2 of 32 points"):
        analyze(exp, runs, "post.travel_min_mean")


def test_sobol_of_a_constant_metric_is_undefined_without_warnings(tmp_path):
    import warnings

    from mergesim.sweep.sensitivity import analyze_all

    exp, out = sens_sweep(tmp_path, "sobol", 8)
    runs = read_runs(out)
    runs["post.travel_min_mean"] = 3.0  # does not vary over the design
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        idx, notes, _ = analyze_all(exp, runs, ["post.travel_min_mean"])
    assert idx[["S1", "ST"]].isna().all().all()
    assert notes == [
        "'post.travel_min_mean': indices undefined (the metric does not vary over the design)"
    ]
