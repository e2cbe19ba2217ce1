"""The real model under the sweep machinery: every shipped experiment validates and runs its
smoke version; the CLI sweeps, resumes and redraws a real experiment."""

from __future__ import annotations

import math
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from sweep_standin import ROOT

from mergesim.api import plot_results
from mergesim.cli import main
from mergesim.plotting.compare import label_groups
from mergesim.report import change_map_groups
from mergesim.results import read_runs, read_villages
from mergesim.sweep import load_experiment, plan_runs, run_sweep, validate_file
from mergesim.sweep.costs import estimate
from mergesim.sweep.store import ResultStore

# Whole runs of the model or of sweeps: the contributor loop (pytest -m "not slow") skips them.
pytestmark = pytest.mark.slow

EXPERIMENTS = sorted((ROOT / "experiments").glob("*.toml"))


def test_experiments_are_shipped():
    names = {p.stem for p in EXPERIMENTS}
    assert {
        "policy_packages",
        "target_factor",
        "service_retention",
        "sobol_behaviour",
        "plan_ensemble",
        "levers",
    } <= names


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_shipped_experiment_validates_in_full_and_smoke(path, tmp_path):
    assert validate_file(path).startswith("ok: experiment")
    exp = load_experiment(path, smoke=True)
    full, smoke = plan_runs(load_experiment(path)), plan_runs(exp)
    assert 0 < len(smoke) < len(full)
    # The smoke version runs in CI: under 2 minutes on 2 idle cores by the dry run's estimate
    # (a count of runs would not do: levers compares 52 scenarios, each a pair of runs).
    assert estimate(smoke, tmp_path / "out", workers=2, exp=exp).wall_seconds < 120


def test_shipped_experiments_run_at_smoke_scale(tmp_path):
    pytest.importorskip("SALib")  # sobol_behaviour's design
    ctx = mp.get_context("forkserver")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        for path in EXPERIMENTS:
            if path.stem == "target_factor":
                continue  # run through the CLI below
            exp = load_experiment(path, smoke=True)
            out = tmp_path / path.stem
            res = run_sweep(exp, out, executor=pool, progress=False)
            plot_results(out, experiment=exp, sensitivity=res.sensitivity)
            assert res.failed == 0, (path.stem, (out / "manifest.json").read_text()[:2000])
            runs = read_runs(out)
            assert (runs["status"] == "ok").all() and len(runs) == res.total
            for metric in exp.params.metrics:
                assert metric in runs.columns, (path.stem, metric)
            assert all(math.isfinite(v) for v in runs["post.travel_min_mean"])
            assert (out / "report.md").is_file()
    assert (tmp_path / "sobol_behaviour" / "sensitivity_sobol.csv").is_file()
    # The levers report: one effect with an interval per measure and context, and the
    # decomposition that adds up.
    lev = pd.read_csv(tmp_path / "levers" / "tables" / "levers.csv")
    travel = lev[lev["metric"] == "post.travel_min_mean"]
    assert len(travel) == 48 and travel[["effect", "ci_lo", "ci_hi"]].notna().all().all()
    assert (travel["ci_lo"] <= travel["effect"]).all() and (
        travel["effect"] <= travel["ci_hi"]
    ).all()
    dec = pd.read_csv(tmp_path / "levers" / "tables" / "decomposition.csv")
    e = dec[dec["metric"] == "post.travel_min_mean"].set_index("term")["effect"]
    assert e["reform"] == pytest.approx(e["merger"] + e["measures"] + e["interaction"])
    assert "## Levers" in (tmp_path / "levers" / "report.md").read_text()


def test_cli_sweep_resume_and_plot(tmp_path, capsys):
    exp = str(ROOT / "experiments" / "target_factor.toml")
    out = tmp_path / "tf"
    assert main(["sweep", exp, "--smoke", "--out", str(out), "--workers", "2"]) == 0
    assert "4 runs: 0 already done, 4 ok" in capsys.readouterr().out
    first = read_runs(out).drop(columns=["seconds"])
    # Re-running the same command does nothing new; numbers are unchanged.
    assert main(["sweep", exp, "--smoke", "--out", str(out), "--resume"]) == 0
    assert "4 already done, 0 ok" in capsys.readouterr().out
    assert read_runs(out).drop(columns=["seconds"]).equals(first)
    # The real summaries have per-window metrics and the reform week for the plots.
    assert {"post.travel_min_mean", "change.travel_min_mean", "timeline.reform_week"} <= set(
        first.columns
    )
    (out / "report.md").unlink()
    assert main(["plot", str(out)]) == 0
    text = (out / "report.md").read_text()
    assert "target factor" in text and "figures/bands_travel_min_mean.png" in text
    # Each run stored its villages, and the folder its one county (replicates and the plan
    # factor share the geography); the report maps the mean change of each point.
    assert len(list(out.glob("runs/*/villages.csv.gz"))) == 4
    assert len(list(out.glob("geometry/*/villages.geojson"))) == 1
    assert read_runs(out)["county"].nunique() == 1
    assert "figures/travel_change_maps.png" in text
    assert (out / "figures" / "travel_change_maps.png").is_file()


def test_change_maps_average_the_runs_of_each_group(tmp_path, monkeypatch):
    exp_path = ROOT / "experiments" / "target_factor.toml"
    out = tmp_path / "tf"
    assert (
        main(
            [
                "sweep",
                str(exp_path),
                "--smoke",
                "--out",
                str(out),
                "--workers",
                "1",
                "--no-progress",
            ]
        )
        == 0
    )
    runs = read_runs(out)
    assert runs.groupby("point").size().min() >= 2  # a mean over replicates

    # The report reads the stored geometry: it never builds a county.
    def no_county(*args, **kwargs):
        raise AssertionError("the report rebuilt a county")

    for module in [m for name, m in sys.modules.items() if name.startswith("mergesim")]:
        if hasattr(module, "build_county"):
            monkeypatch.setattr(module, "build_county", no_county)
    (out / "figures" / "travel_change_maps.png").unlink()
    plot_results(out)
    assert (out / "figures" / "travel_change_maps.png").is_file()
    exp = load_experiment(out / "experiment.toml")
    runs = label_groups(runs, [(f.key, f.label) for f in exp.factors], exp.baseline)
    maps = change_map_groups(out, runs)
    assert maps and len(maps) == runs["point"].nunique()
    for d in maps.values():  # the new townships' boundaries and seats are drawn
        assert len(d["boundaries"]) > 0 and len(d["seats"]) > 0
    for grp, part in runs.groupby("group"):  # one map per design point, its replicates pooled
        stack = np.vstack(
            [read_villages(out, rid)["access_change"].to_numpy(float) for rid in part["run_id"]]
        )
        expected = pd.DataFrame(stack).mean(axis=0, skipna=True).to_numpy()
        np.testing.assert_allclose(maps[grp]["change"], expected, rtol=1e-12, equal_nan=True)


def test_replicates_share_the_county_and_the_plan():
    """Replicates vary behaviour, not geography: county.seed is pinned to the scenario's."""
    exp = load_experiment(ROOT / "experiments" / "target_factor.toml", smoke=True)
    runs = plan_runs(exp)
    assert len({r.seed for r in runs}) > 1
    assert {r.scenario.county.seed for r in runs} == {runs[0].scenario.county.seed} != {None}


def test_real_runs_identical_on_threads_processes_and_dask(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    exp_path = ROOT / "experiments" / "target_factor.toml"

    def table(out):
        exp = load_experiment(exp_path, smoke=True)
        ResultStore(out).write_tables(plan_runs(exp), [f.key for f in exp.factors])
        return read_runs(out).drop(columns=["seconds"])

    outs = {}
    with ThreadPoolExecutor(2) as threads:
        outs["threads"] = tmp_path / "threads"
        run_sweep(
            load_experiment(exp_path, smoke=True),
            outs["threads"],
            executor=threads,
            progress=False,
            finalize=False,
        )
    outs["processes"] = tmp_path / "processes"
    run_sweep(
        load_experiment(exp_path, smoke=True),
        outs["processes"],
        workers=2,
        progress=False,
        finalize=False,
    )
    distributed = pytest.importorskip(
        "distributed", reason="Dask distributed not installed (pip install 'mergesim[dask]')"
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        outs["dask"] = tmp_path / "dask"
        run_sweep(
            load_experiment(exp_path, smoke=True),
            outs["dask"],
            executor=client.get_executor(),
            progress=False,
            finalize=False,
        )
    ref = table(outs["threads"])
    assert len(ref) == 4 and (ref["status"] == "ok").all()
    for name in ("processes", "dask"):
        assert table(outs[name]).equals(ref), name
