"""Sweep workers and the command line run with one BLAS/OpenMP thread (mergesim.threads)."""

from __future__ import annotations

import json
import subprocess
import sys

import blas_standin
import pytest
from sweep_standin import write_experiment

from mergesim.sweep import load_experiment, run_sweep

BODY = """
replications = 2
metrics = ["post.travel_min_mean"]
"""


@pytest.mark.parametrize(
    "where",
    [{"workers": 2}, pytest.param({"scheduler": "local:2"}, marks=pytest.mark.slow, id="dask")],
    ids=lambda w: "pool" if "workers" in w else "dask",
)
def test_workers_run_with_one_blas_thread(tmp_path, where):
    if "scheduler" in where:
        pytest.importorskip("distributed")
    exp = load_experiment(write_experiment(tmp_path, BODY))
    out = tmp_path / "out"
    res = run_sweep(
        exp, out, run_fn=blas_standin.blas_threads_run, finalize=False, progress=False, **where
    )
    assert (res.ok, res.failed) == (2, 0)
    records = [json.loads(p.read_text()) for p in out.glob("runs/*/result.json")]
    assert len(records) == 2
    for rec in records:
        assert rec["summary"]["libraries"] >= 1  # OpenBLAS is loaded, so the check means something
        assert rec["summary"]["blas_threads"] == 1


def test_command_line_limits_blas_threads():
    code = (
        "import sys\n"
        "from mergesim import cli\n"
        "cli.main(['list'])\n"
        "import numpy, scipy.linalg\n"
        "from threadpoolctl import threadpool_info\n"
        "info = threadpool_info()\n"
        "print(len(info), max(i['num_threads'] for i in info))\n"
    )
    env_free = {"PATH": "/usr/bin:/bin"}  # no thread variables inherited from the test process
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env_free, check=True
    ).stdout.split()
    assert int(out[-2]) >= 1 and int(out[-1]) == 1
