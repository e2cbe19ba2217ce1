"""The runner: failing runs recorded, resume after Ctrl-C and after SIGKILL, a worker dying,
bounded in-flight work, identical results on every executor, atomic writes and locking."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import sweep_standin as st
from sweep_standin import ROOT, TWO_SCENARIOS, write_experiment

from mergesim.api import plot_results
from mergesim.errors import UserError
from mergesim.results import read_runs, read_timeseries
from mergesim.sweep import load_experiment, plan_runs, run_sweep
from mergesim.sweep.costs import cached_share
from mergesim.sweep.geocache import geography_key
from mergesim.sweep.store import ResultStore

BODY = """
replications = 2
metrics = ["post.travel_min_mean", "pre.travel_min_mean"]
[[factors]]
key = "plan.target_factor"
values = [1.5, 2.0, 3.0]
"""


def numbers(out: Path) -> pd.DataFrame:
    """The runs table without what may differ between identical sweeps (timings, hosts)."""
    df = read_runs(out).drop(columns=["seconds"]).sort_values("run_id").reset_index(drop=True)
    return df


@pytest.fixture
def exp_path(tmp_path):
    return write_experiment(tmp_path, BODY, scenarios=TWO_SCENARIOS)


@pytest.fixture
def reference(exp_path, tmp_path):
    """An uninterrupted sweep (threads, no figures) to compare against."""
    out = tmp_path / "reference"
    run_sweep(
        load_experiment(exp_path),
        out,
        executor=ThreadPoolExecutor(2),
        run_fn=st.toy_run,
        finalize=False,
    )
    ResultStore(out).write_tables(plan_runs(load_experiment(exp_path)), ["plan.target_factor"])
    return numbers(out)


def sweep(exp_path, out, run_fn, executor=None, finalize=False, **kw):
    exp = load_experiment(exp_path)
    res = run_sweep(
        exp, out, executor=executor or ThreadPoolExecutor(2), run_fn=run_fn, finalize=finalize, **kw
    )
    if finalize:  # the figures and report, as `mergesim sweep` draws them after the runs
        plot_results(out, experiment=exp, sensitivity=res.sensitivity)
    else:
        ResultStore(out).write_tables(plan_runs(exp), [f.key for f in exp.factors])
    return res


@pytest.mark.slow
def test_failing_run_is_recorded_and_the_sweep_goes_on(exp_path, tmp_path, reference):
    out = tmp_path / "out"
    res = sweep(exp_path, out, st.failing_run, finalize=True)
    assert (res.total, res.ok, res.failed) == (12, 8, 4)
    df = read_runs(out)
    failed = df[df["status"] == "failed"]
    assert len(failed) == 4 and set(failed["plan.target_factor"]) == {3.0}
    assert failed["error"].str.startswith("RuntimeError: toy failure").all()
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"] == {"ok": 8, "failed": 4} and man["state"] == "incomplete"
    assert sum(r["error"] is not None for r in man["runs"].values()) == 4
    assert "Runs not finished" in (out / "report.md").read_text()
    # Re-running retries only the failed runs.
    res = sweep(exp_path, out, st.toy_run)
    assert (res.skipped, res.ok, res.failed) == (8, 4, 0)
    pd.testing.assert_frame_equal(numbers(out), reference)


def test_resume_after_ctrl_c(exp_path, tmp_path, reference):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        sweep(exp_path, out, st.interrupting_run, executor=ThreadPoolExecutor(1))
    man = json.loads((out / "manifest.json").read_text())
    assert man["state"] == "interrupted"
    finished = len(list(out.glob("runs/*/result.json")))
    assert 0 < finished < 12
    res = sweep(exp_path, out, st.toy_run)
    assert res.skipped == finished and res.ok == 12 - finished
    got = numbers(out)
    assert len(got) == 12 and got["run_id"].is_unique
    pd.testing.assert_frame_equal(got, reference)


DRIVER = """
import sys
sys.path.insert(0, {standin_dir!r})
import sweep_standin as st
from mergesim.sweep import load_experiment, run_sweep
run_sweep(load_experiment({exp!r}), {out!r}, workers=2, run_fn=st.slow_run, finalize=False,
          progress=False)
"""


@pytest.mark.slow
def test_resume_after_sigkill_of_driver_and_workers(exp_path, tmp_path, reference):
    out = tmp_path / "out"
    script = DRIVER.format(
        standin_dir=str(Path(st.__file__).parent), exp=str(exp_path), out=str(out)
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while len(list(out.glob("runs/*/result.json"))) < 4:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the sweep made no progress"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker processes
        proc.wait()
    finished = len(list(out.glob("runs/*/result.json")))
    assert finished < 12, "killed too late to test anything"
    res = sweep(exp_path, out, st.toy_run)
    assert res.skipped == finished
    got = numbers(out)
    assert len(got) == 12 and got["run_id"].is_unique
    pd.testing.assert_frame_equal(got, reference)
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
def test_worker_killed_mid_sweep_is_retried(exp_path, tmp_path, reference):
    out = tmp_path / "out"
    marker = tmp_path / "killed"
    exp = load_experiment(exp_path)
    res = run_sweep(
        exp,
        out,
        workers=2,
        finalize=False,
        progress=False,
        run_fn=functools.partial(st.kill_once_run, marker=str(marker)),
    )
    assert marker.read_text() == "killed"
    assert (res.ok, res.failed) == (12, 0)
    ResultStore(out).write_tables(plan_runs(exp), ["plan.target_factor"])
    pd.testing.assert_frame_equal(numbers(out), reference)


class CountingExecutor(Executor):
    """Runs tasks in threads and records the most futures outstanding at once."""

    def __init__(self, workers: int):
        self._pool = ThreadPoolExecutor(workers)
        self._max_workers = workers
        self.outstanding = self.peak = 0

    def submit(self, fn, /, *args, **kwargs):
        self.outstanding += 1
        self.peak = max(self.peak, self.outstanding)
        fut = self._pool.submit(fn, *args, **kwargs)
        fut.add_done_callback(lambda _: setattr(self, "outstanding", self.outstanding - 1))
        return fut

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def test_in_flight_runs_are_bounded(exp_path, tmp_path):
    ex = CountingExecutor(2)
    sweep(exp_path, tmp_path / "out", st.toy_run, executor=ex)
    assert 1 <= ex.peak <= 4  # 2 × workers


def run_everywhere(exp_path, tmp_path):
    outs = {}
    for name, kw in (
        ("threads1", {"executor": ThreadPoolExecutor(1)}),
        ("threads3", {"executor": ThreadPoolExecutor(3)}),
        ("processes", {"workers": 2}),
    ):
        outs[name] = tmp_path / name
        exp = load_experiment(exp_path)
        run_sweep(exp, outs[name], run_fn=st.toy_run, finalize=False, progress=False, **kw)
        ResultStore(outs[name]).write_tables(plan_runs(exp), ["plan.target_factor"])
    return outs


@pytest.mark.slow
def test_same_results_on_every_executor(exp_path, tmp_path, reference):
    outs = run_everywhere(exp_path, tmp_path)
    for out in outs.values():
        pd.testing.assert_frame_equal(numbers(out), reference)
    a = read_timeseries(outs["threads1"])
    b = read_timeseries(outs["processes"])
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 12 * 24  # every run's 24 weeks


@pytest.mark.slow
def test_same_results_on_a_local_dask_cluster(exp_path, tmp_path, reference):
    distributed = pytest.importorskip(
        "distributed", reason="Dask distributed not installed (pip install 'mergesim[dask]')"
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        sweep(exp_path, tmp_path / "dask", st.toy_run, executor=client.get_executor())
    pd.testing.assert_frame_equal(numbers(tmp_path / "dask"), reference)


def test_writes_are_atomic(exp_path, tmp_path, monkeypatch):
    out = tmp_path / "out"
    sweep(exp_path, out, st.toy_run)
    before = (out / "runs.csv").read_bytes()
    import mergesim.io as mio

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mio.os, "replace", broken_replace)
    exp = load_experiment(exp_path)
    with pytest.raises(OSError, match="No space"):
        ResultStore(out).write_tables(plan_runs(exp), ["plan.target_factor"])
    assert (out / "runs.csv").read_bytes() == before  # the earlier table is intact
    assert not list(out.rglob("*.tmp"))  # and no temporary file is left behind


def test_a_locked_folder_is_refused(exp_path, tmp_path):
    out = tmp_path / "out"
    with ResultStore(out).lock(), pytest.raises(UserError, match="another sweep"):
        sweep(exp_path, out, st.toy_run)


def test_stale_temporary_files_are_removed(exp_path, tmp_path):
    out = tmp_path / "out"
    (out / "runs" / "x").mkdir(parents=True)
    (out / "runs" / "x" / ".result.json.abc.tmp").write_text("{half")
    sweep(exp_path, out, st.toy_run)
    assert not list(out.rglob("*.tmp"))


def test_tables_without_pyarrow(exp_path, tmp_path, monkeypatch, reference):
    import mergesim.results as results

    monkeypatch.setattr(results, "has_pyarrow", lambda: False)
    out = tmp_path / "csv"
    sweep(exp_path, out, st.toy_run)
    assert (out / "runs.csv").is_file() and not (out / "runs.parquet").exists()
    assert (out / "timeseries.csv.gz").is_file() and not (out / "timeseries.parquet").exists()
    pd.testing.assert_frame_equal(numbers(out), reference.astype(numbers(out).dtypes))
    ts = read_timeseries(out, columns=["travel_min_mean"])
    assert len(ts) == 12 * 24 and set(ts.columns) >= {
        "run_id",
        "scenario",
        "week",
        "travel_min_mean",
    }


def test_dry_run_uses_timings_of_finished_runs(exp_path, tmp_path):
    from mergesim.sweep import estimate
    from mergesim.sweep.costs import SECONDS_POOL_START

    out = tmp_path / "out"
    exp = load_experiment(exp_path)
    runs = plan_runs(exp)
    first = estimate(runs, out, workers=3)
    assert (first.total, first.done, first.todo) == (12, 0, 12)
    assert "cost model" in first.basis and first.seconds_per_run > 0
    run_sweep(
        exp, out, executor=ThreadPoolExecutor(2), run_fn=st.slow_run, finalize=False, runs=runs[:6]
    )
    later = estimate(runs, out, workers=3)
    assert (later.done, later.todo) == (6, 6)
    assert "median of 6 finished runs" in later.basis
    assert 0.1 < later.seconds_per_run < 2.0  # slow_run sleeps 0.15 s
    # The runs left, three at a time, plus starting the pool; no report without the experiment.
    assert later.wall_seconds == pytest.approx(6 * later.seconds_per_run / 3 + SECONDS_POOL_START)
    assert "6 to run on 3 workers" in later.report()
    # With the experiment, the report's figures count too (1 weekly band, 2 forest plots,
    # 2 responses and the 3 per-point panels, in PNG).
    with_report = estimate(runs, out, workers=3, exp=exp)
    assert with_report.figures == 8 and with_report.report_seconds > 0
    assert with_report.wall_seconds > later.wall_seconds


def test_the_cost_model_grows_with_villagers_and_weeks_and_the_load(monkeypatch):
    import dataclasses

    from mergesim.config import load_scenario
    from mergesim.sweep import costs as est

    s = load_scenario(st.SEED)
    small = dataclasses.replace(s, villagers=dataclasses.replace(s.villagers, scale=0.01))
    assert est.run_cost(small) < est.run_cost(s)
    monkeypatch.setattr(est.os, "getloadavg", lambda: (4.0, 4.0, 4.0))
    monkeypatch.setattr(est.os, "cpu_count", lambda: 2)
    assert est.contention(2) == pytest.approx(3.0)  # (4 others + 2 workers) / 2 cores
    monkeypatch.setattr(est.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert est.contention(1) == 1.0


def test_progress_bar_only_when_enabled():
    import io

    from mergesim.progress import Progress

    quiet = io.StringIO()
    bar = Progress(4, enabled=False, stream=quiet)
    bar.update()
    bar.close()
    assert quiet.getvalue() == ""
    loud = io.StringIO()
    bar = Progress(4, enabled=True, stream=loud)
    for k in range(4):
        bar.update(failed=k == 0)
    bar.close()
    assert "4/4" in loud.getvalue() and "1 failed" in loud.getvalue()


def test_progress_lines_off_a_terminal_per_5_percent_or_minute(caplog):
    """Off a terminal: one log line per 5 % of the runs or per minute, whichever comes first,
    with the ETA from the measured pace."""
    import io
    import logging

    from mergesim.progress import Progress

    now = [0.0]
    with caplog.at_level(logging.INFO, logger="mergesim.progress"):
        bar = Progress(100, stream=io.StringIO(), clock=lambda: now[0])  # not a terminal
        assert bar.mode == "log"
        for _ in range(10):  # 10 runs of 2 s: a line at 5 and at 10 (5 % each)
            now[0] += 2.0
            bar.update()
        lines = [r.getMessage() for r in caplog.records]
        assert lines == [
            "5/100 runs (5 %), 0:10 elapsed, ETA 3:10",
            "10/100 runs (10 %), 0:20 elapsed, ETA 3:00",
        ]
        caplog.clear()
        now[0] += 61.0  # one slow run: a minute has passed, a line although < 5 %
        bar.update(failed=True)
        assert [r.getMessage() for r in caplog.records] == [
            "11/100 runs (11 %), 1 failed, 1:21 elapsed, ETA 10:55"
        ]


def test_the_cost_model_spares_the_build_of_cached_geographies():
    """Runs of one geography pay the county and plan once per worker (geocache): the share
    charged without the build grows with the runs per geography and shrinks with workers."""
    exp = load_experiment(ROOT / "experiments" / "levers.toml", smoke=True)
    runs = plan_runs(exp)
    geos = len({geography_key(r.scenario) for r in runs})
    assert 1 < geos < len(runs)  # the plan measures change the plan; the rest share it
    assert cached_share(runs, len(runs), 2) == pytest.approx(1 - 2 * geos / len(runs))
    assert cached_share(runs, len(runs), len(runs)) == 0.0
    assert cached_share(runs[:1], 1, 1) == 0.0
    assert cached_share([], 0, 2) == 0.0
