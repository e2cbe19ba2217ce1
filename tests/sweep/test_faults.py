"""Faults, end to end through ``mergesim sweep`` with real (tiny) model runs.

A sweep is killed — Ctrl-C (SIGINT to its process group), SIGKILL of the driver, SIGKILL of one
pool worker — each at a random point after some runs have finished; re-running the same command
completes it with exactly one row per run and the numbers of an uninterrupted sweep. A full
disk and an unwritable results folder give one line (exit code 2) and leave the results
already written intact. (Determinism across worker counts and executors: test_sweep_real.py.)

The experiment is the real example county (55 villages) at a tiny scale and a short timeline:
a run takes about 0.3 s, so a sweep of 15 runs is mostly process start-up and figures.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sweep_standin import ROOT

from mergesim.cli import main
from mergesim.results import read_runs

# Whole runs of the model or of sweeps: the contributor loop (pytest -m "not slow") skips them.
pytestmark = pytest.mark.slow

RUNS = 15
EXPERIMENT = f"""
name = "faults"
seed = 7
replications = 5
scenarios = ["{ROOT / "scenarios" / "example_real.toml"}"]
metrics = ["post.travel_min_mean"]

[overrides]
"villagers.scale" = 0.02
"timeline.warmup_weeks" = 6
"timeline.burn_in_weeks" = 1
"timeline.transition_weeks" = 2
"timeline.horizon_weeks" = 12
"timeline.post_window_weeks" = 4

[[factors]]
key = "plan.target_factor"
values = [1.5, 2.0, 3.0]

[plots]
timeseries = ["travel_min_mean"]
response = false
"""


def numbers(out: Path) -> pd.DataFrame:
    """The runs table without what differs between identical sweeps (timings)."""
    df = read_runs(out)
    assert len(df) == RUNS and df["run_id"].is_unique, df["run_id"].tolist()
    assert (df["status"] == "ok").all(), df["error"].tolist()
    return df.drop(columns=["seconds"]).sort_values("run_id").reset_index(drop=True)


def finished(out: Path) -> int:
    return len(list(out.glob("runs/*/result.json")))


@pytest.fixture(scope="module")
def experiment(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "faults.toml"
    path.write_text(EXPERIMENT)
    return path


@pytest.fixture(scope="module")
def reference(experiment) -> pd.DataFrame:
    """An uninterrupted sweep, the same command."""
    out = experiment.parent / "reference"
    assert (
        main(["sweep", str(experiment), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    )
    return numbers(out)


def sweep_cmd(experiment: Path, out: Path) -> list[str]:
    return ["sweep", str(experiment), "--out", str(out), "--workers", "2", "--no-progress"]


def start(experiment: Path, out: Path) -> subprocess.Popen:
    """``mergesim sweep`` in its own session (so its whole process tree can be signalled)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mergesim", *sweep_cmd(experiment, out)],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_runs(proc: subprocess.Popen, out: Path, k: int) -> None:
    deadline = time.monotonic() + 60
    while finished(out) < k:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.01)


def session_pids(sid: int) -> list[int]:
    """Processes of the session ``sid`` (ours: started with start_new_session)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):  # fields[3] = session
            pids.append(int(stat.parent.name))
    return pids


def kill_session(proc: subprocess.Popen) -> None:
    """Clean-up: SIGKILL whatever is left of the sweep we started."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def resume_and_compare(
    experiment: Path, out: Path, reference: pd.DataFrame, done: int, capsys
) -> None:
    assert main(sweep_cmd(experiment, out)) == 0
    assert (
        f"{RUNS} runs: {done} already done, {RUNS - done} ok and 0 failed"
        in capsys.readouterr().out
    )
    pd.testing.assert_frame_equal(numbers(out), reference)
    assert not list(out.rglob("*.tmp"))
    man = json.loads((out / "manifest.json").read_text())
    assert man["state"] == "complete" and man["counts"] == {"ok": RUNS}


def test_ctrl_c_then_sigkill_of_driver_then_sigkill_of_worker(
    experiment, reference, tmp_path, capsys
):
    """One sweep interrupted three ways, each re-run being the same command:

    1. Ctrl-C (SIGINT to the process group) after some runs: exit 130, a resume hint, no
       traceback, manifest "interrupted";
    2. the re-run is SIGKILLed (the driver only) after some more: its orphaned workers exit by
       themselves (they would otherwise wait for work forever beside the re-run's workers);
    3. during the next re-run one pool worker is SIGKILLed: the runs it held are retried on a
       fresh pool and the sweep completes.

    Then: exactly one row per run, identical to the uninterrupted sweep, no temporary file.
    """
    out = tmp_path / "out"
    rng = random.Random()  # random points; the thresholds are in the failure messages
    k = rng.randint(2, 4)
    proc = start(experiment, out)
    try:
        wait_for_runs(proc, out, k)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the driver and its workers
        _, err = proc.communicate(timeout=60)
    finally:
        kill_session(proc)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "mergesim: interrupted"
    assert "re-run the same command to resume" in err
    after_int = finished(out)
    assert k <= after_int < RUNS, f"interrupted after {after_int} runs (threshold {k})"
    assert json.loads((out / "manifest.json").read_text())["state"] == "interrupted"

    k = after_int + rng.randint(2, 4)
    proc = start(experiment, out)
    try:
        wait_for_runs(proc, out, k)
        os.kill(proc.pid, signal.SIGKILL)  # the driver only: its workers are orphaned
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while session_pids(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = session_pids(proc.pid)
    finally:
        kill_session(proc)
    assert not left, f"processes left after the driver was killed: {left}"
    after_kill = finished(out)
    assert k <= after_kill < RUNS, f"killed after {after_kill} runs (threshold {k})"

    k = after_kill + rng.randint(1, 2)
    proc = start(experiment, out)
    try:
        wait_for_runs(proc, out, k)
        # Pool workers are the forkserver's children; the driver's own children are the
        # forkserver and the resource tracker.
        parent = {
            p: int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1])
            for p in session_pids(proc.pid)
            if p != proc.pid
        }
        workers = [p for p, pp in parent.items() if pp != proc.pid]
        assert workers, parent
        os.kill(rng.choice(workers), signal.SIGKILL)
        stdout, err = proc.communicate(timeout=120)
    finally:
        kill_session(proc)
    assert proc.returncode == 0, err
    assert (
        f"{RUNS} runs: {after_kill} already done, {RUNS - after_kill} ok and 0 failed" in stdout
    ), (stdout, err)
    pd.testing.assert_frame_equal(numbers(out), reference)
    assert not list(out.rglob("*.tmp"))
    man = json.loads((out / "manifest.json").read_text())
    assert man["state"] == "complete" and man["counts"] == {"ok": RUNS}


def test_full_disk_is_one_line_and_keeps_earlier_results(
    experiment, reference, tmp_path, monkeypatch, capsys
):
    """The disk fills after a few runs: exit 2 with one line; the runs written before are
    complete and correct, no temporary file is left, and the re-run finishes the sweep."""
    import mergesim.io as mio
    import mergesim.sweep.store as store

    out = tmp_path / "out"
    k = random.randint(2, 5)
    real_record, real_atomic_path = store.ResultStore.write_record, mio.atomic_path
    state = {"records": 0}

    def record(self, spec, outcome):
        if state["records"] >= k:  # from now on every write hits a full disk
            monkeypatch.setattr(mio, "atomic_path", full_atomic_path)
        state["records"] += 1
        return real_record(self, spec, outcome)

    @contextlib.contextmanager
    def full_atomic_path(path):
        # The bytes went to the temporary file, then the disk filled before it was complete.
        with real_atomic_path(path) as tmp:
            yield tmp
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.ResultStore, "write_record", record)
    assert main(sweep_cmd(experiment, out)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "cannot write results: No space left on device" in err
    assert "finished runs are kept" in err
    monkeypatch.undo()
    assert finished(out) == k
    assert not list(out.rglob("*.tmp"))
    ref = reference.set_index("run_id")
    for path in out.glob("runs/*/result.json"):
        rec = json.loads(path.read_text())  # complete JSON, not a torn write
        assert rec["status"] == "ok"
        assert rec["summary"]["post"]["travel_min_mean"] == pytest.approx(
            ref.loc[rec["run_id"], "post.travel_min_mean"], rel=1e-12
        )
    json.loads((out / "manifest.json").read_text())  # the last good manifest, intact
    resume_and_compare(experiment, out, reference, k, capsys)


def test_results_folder_under_a_file_is_one_line(experiment, tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    assert main(sweep_cmd(experiment, tmp_path / "afile" / "out")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write results: Not a directory" in err[0]
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_unwritable_results_folder_is_one_line_and_keeps_earlier_results(
    experiment, reference, tmp_path, capsys
):
    if os.geteuid() == 0:
        pytest.skip(
            "running as root: chmod does not stop root from writing (the path-under-a-"
            "file test covers the unwritable case)"
        )
    out = tmp_path / "out"
    src = experiment.parent / "reference"
    subprocess.run(["cp", "-r", str(src), str(out)], check=True)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for p in [out, *[d for d in out.rglob("*") if d.is_dir()]]:
        p.chmod(0o555)
    try:
        assert main(sweep_cmd(experiment, out)) == 2
    finally:
        for p in [out, *[d for d in out.rglob("*") if d.is_dir()]]:
            p.chmod(0o755)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Permission denied" in err[0], err
    assert {p: p.read_bytes() for p in before} == before  # nothing changed or removed
