"""Benchmark: calibrate the dry-run estimate of a sweep (``mergesim sweep --dry-run``).

Usage::

    .venv/bin/python benchmarks/bench_sweep_cost.py [--folder RESULTS] [--quick] [--no-figures]

1. Runs :func:`mergesim.sweep.runner.model_run` on the seed county at several
   ``villagers.scale`` (up to the whole county, a province study's unit) and timeline lengths
   (one process, after one untimed warm-up run), and fits the cost model of
   :mod:`mergesim.sweep` by least squares: ``seconds = a + b · weeks + c · villager-weeks``
   (a: building the county, the plan, the routing tables and the cadre pool; b: the weekly
   work that does not grow with villagers: the petition loop, the metrics; c: the villagers).
2. Redraws the figures and report of a sweep's results folder (``--folder``, default: a smoke
   sweep of ``experiments/policy_packages.toml`` it runs first) and divides by the figures
   drawn: the seconds per figure of the report.

CPU time (``time.process_time``) is fitted, so other programs sharing the machine skew it
less; wall time is printed beside it. Paste the printed constants into ``mergesim/sweep``
(``SECONDS_BASE``, ``SECONDS_PER_WEEK``, ``SECONDS_PER_VILLAGER_WEEK``,
``SECONDS_PER_FIGURE``; ``--no-figures`` skips the last).

Two more measurements, each on its own (``--quick`` and the fit are skipped):

- ``--breakdown``: where one run of a sweep spends its time — a worker's start and imports,
  county, plan, model set-up, simulation and the run's tables — at the smoke scale and at
  ``villagers.scale = 0.05``, with the county and plan built (first run of a geography on a
  worker) and cached (the worker's later runs, :mod:`mergesim.sweep.geocache`). Figures are
  not per run: the report draws them once per results folder.
- ``--speedup EXPERIMENT``: the experiment's smoke runs (``--replications N`` per point) on 1
  and 2 local workers, with and without the worker's geography cache; with ``--full N``, its
  full-size runs of its first N scenarios instead (cache on), the runs a study is made of;
  wall time and the CPU time of the runs in the workers (``SweepResult.cpu_seconds``). The
  machine may be shared,
  so the CPU-based efficiency (CPU of the runs on one worker / on two: 1 when a second worker
  adds no work per run) says more than the wall times.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from mergesim.api import plot_results, sweep_experiment
from mergesim.config import load_scenario
from mergesim.county import build_county
from mergesim.model.model import MergerModel, apply_dotted
from mergesim.plans import make_plan
from mergesim.rng import Streams
from mergesim.run import timeseries_csv, villages_csv
from mergesim.sweep import geocache
from mergesim.sweep.runner import model_run

ROOT = Path(__file__).resolve().parents[1]
#: (scale, warm-up weeks, horizon weeks) of the measured runs.
CASES = (
    (0.002, 6, 12),
    (0.002, 26, 156),
    (0.02, 26, 156),
    (0.1, 26, 156),
    (0.25, 26, 156),
    (1.0, 26, 156),  # the seed county itself: a province study's unit of work
)


def time_runs(cases) -> list[tuple[float, float, float, float]]:
    """``(weeks, villager_weeks, cpu_s, wall_s)`` of one run per case."""
    base = load_scenario(ROOT / "scenarios" / "seed_county.toml")
    rows = []
    # One untimed run first: a sweep worker pays its imports, caches and compiled kernels once
    # (SECONDS_POOL_START), not per run.
    for i, (scale, warm, horizon) in enumerate([cases[0], *cases]):
        s = apply_dotted(
            base,
            {
                "villagers.scale": scale,
                "timeline.warmup_weeks": warm,
                "timeline.horizon_weeks": horizon,
                "timeline.burn_in_weeks": min(base.timeline.burn_in_weeks, warm - 1),
                "timeline.transition_weeks": min(base.timeline.transition_weeks, horizon // 2),
                "timeline.post_window_weeks": min(base.timeline.post_window_weeks, horizon // 3),
            },
        )
        s = dataclasses.replace(s, seed=base.seed + 1)
        weeks = warm + horizon
        vw = float(s.county.population) * scale * weeks
        geocache.clear()  # every run builds its county and plan (a province's counties do)
        c0, w0 = time.process_time(), time.perf_counter()
        model_run(s)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        if i == 0:
            print(f"warm-up run (not fitted): cpu {cpu:.1f} s, wall {wall:.1f} s", flush=True)
            continue
        rows.append((weeks, vw, cpu, wall))
        print(f"scale {scale:<6g} weeks {weeks:>4d}  villager-weeks {vw:>12,.0f}  "
              f"cpu {cpu:6.1f} s  wall {wall:6.1f} s", flush=True)  # fmt: skip
    return rows


def fit(rows) -> tuple[float, float, float]:
    """Least-squares ``(a, b, c)`` of ``cpu = a + b · weeks + c · villager-weeks``."""
    x = np.array([[1.0, w, vw] for w, vw, _, _ in rows])
    y = np.array([cpu for *_, cpu, _ in rows])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return tuple(float(v) for v in coef)


def time_figures(folder: Path | None) -> float:
    """CPU seconds per figure of a report (redrawn from ``folder``)."""
    if folder is None:
        folder = Path(tempfile.mkdtemp()) / "pp"
        sweep_experiment(
            ROOT / "experiments" / "policy_packages.toml", out=folder, smoke=True, progress=False
        )
    c0, w0 = time.process_time(), time.perf_counter()
    files = plot_results(folder)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    n = sum(1 for f in files if f.suffix in (".png", ".svg", ".pdf"))
    print(f"report of {folder}: {n} figures, cpu {cpu:.1f} s, wall {wall:.1f} s")
    return cpu / max(n, 1)


#: Overrides of the breakdown's runs: the shipped experiments' smoke timeline.
SMOKE = {
    "timeline.warmup_weeks": 6,
    "timeline.burn_in_weeks": 1,
    "timeline.transition_weeks": 2,
    "timeline.horizon_weeks": 12,
    "timeline.post_window_weeks": 4,
}


def worker_start() -> tuple[float, float]:
    """``(wall_s, cpu_s)`` of a fresh Python process importing what a sweep worker imports."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import mergesim.sweep.runner"], check=True)
    wall = time.perf_counter() - w0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def phases(scenario) -> dict[str, float]:
    """CPU seconds of each phase of one run of ``scenario`` (as ``model_run`` does it)."""
    out: dict[str, float] = {}
    c = time.process_time()
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    out["county"] = time.process_time() - c
    c = time.process_time()
    plan = make_plan(county, scenario, streams)
    out["plan"] = time.process_time() - c
    c = time.process_time()
    model = MergerModel(scenario, county=county, plan=plan)
    out["model set-up"] = time.process_time() - c
    c = time.process_time()
    model.run()
    out["simulation"] = time.process_time() - c
    c = time.process_time()
    model.summary(), timeseries_csv(model), villages_csv(model)
    out["summary and tables"] = time.process_time() - c
    return out


def breakdown() -> None:
    """Print where one run of a sweep spends its CPU time (see the module docstring)."""
    wall, cpu = worker_start()
    print(f"worker start and imports (once per worker): {cpu:.2f} s CPU, {wall:.2f} s wall")
    base = load_scenario(ROOT / "scenarios" / "seed_county.toml")
    base = apply_dotted(base, {"county.seed": base.seed})
    for label, sets in (
        ("smoke (scale 0.002, 18 weeks)", {"villagers.scale": 0.002, **SMOKE}),
        ("scale 0.05, full timeline", {"villagers.scale": 0.05}),
    ):
        s = apply_dotted(base, sets)
        phases(dataclasses.replace(s, seed=base.seed + 7))  # warm: imports, first-call costs
        t = phases(dataclasses.replace(s, seed=base.seed + 1))
        total = sum(t.values())
        built = t["county"] + t["plan"]
        print(f"{label}: {total:.2f} s CPU per run with county and plan built")
        for k, v in t.items():
            print(f"  {k:<20} {v:6.2f} s  {100 * v / total:5.1f} %")
        geocache.clear()
        geocache.cached_geography(s)
        c = time.process_time()
        model_run(dataclasses.replace(s, seed=base.seed + 2))
        cached = time.process_time() - c
        print(
            f"  per-run overhead (county, plan, set-up) {built + t['model set-up']:.2f} s; "
            f"a run whose county and plan are in the worker's cache: {cached:.2f} s CPU "
            f"vs {total:.2f} s"
        )
    print("figures: none per run; the report draws them once per results folder")


SPEEDUP_SCRIPT = """
import functools, json, resource, sys, time
from mergesim.sweep import load_experiment, run_sweep
from mergesim.sweep.experiment import resize
from mergesim.sweep.runner import model_run
path, out, workers, reps, cache, first = sys.argv[1:7]
exp = load_experiment(path, smoke=first == "0")
if first != "0":  # the full runs of the experiment's first scenarios
    exp.scenarios = exp.scenarios[: int(first)]
resize(exp, replications=int(reps))
fn = model_run if cache == "1" else functools.partial(model_run, cache=False)
t0 = time.perf_counter()
res = run_sweep(exp, out, workers=int(workers), run_fn=fn, finalize=False, progress=False)
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": time.perf_counter() - t0, "ok": res.ok, "failed": res.failed,
                  "cpu": res.cpu_seconds, "driver_cpu": me.ru_utime + me.ru_stime}))
"""


def speedup(path: Path, replications: int, first: int = 0, caches: tuple = ("0", "1")) -> None:
    """Print the wall and CPU time of the sweep on 1 and 2 workers, cached or not: the
    experiment's smoke runs, or with ``first`` > 0 its full-size runs of its first ``first``
    scenarios."""
    rows = {}
    what = "smoke runs" if not first else f"full runs of the first {first} scenarios"
    print(f"{path}: {what}, {replications} replications per point", flush=True)
    for cache in caches:
        for workers in ("1", "2"):
            out = Path(tempfile.mkdtemp()) / "out"
            w0 = time.perf_counter()
            res = subprocess.run(
                [sys.executable, "-c", SPEEDUP_SCRIPT, str(path), str(out), workers,
                 str(replications), cache, str(first)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            wall = time.perf_counter() - w0
            got = json.loads(res.stdout.strip().splitlines()[-1])
            cpu = got["cpu"]
            rows[cache, workers] = (got["wall"], wall, cpu)
            print(
                f"cache={'on ' if cache == '1' else 'off'} workers={workers}: {got['ok']} ok, "
                f"{got['failed']} failed; sweep {got['wall']:.1f} s wall (process "
                f"{wall:.1f} s), runs {cpu:.1f} s CPU, driver process "
                f"{got['driver_cpu']:.1f} s CPU",
                flush=True,
            )
    for cache in caches:
        one, two = rows[cache, "1"], rows[cache, "2"]
        print(
            f"cache={'on ' if cache == '1' else 'off'}: speed-up 2 vs 1 worker "
            f"{one[0] / two[0]:.2f}x (wall {one[0]:.1f} s -> {two[0]:.1f} s); CPU-based "
            f"efficiency {one[2] / two[2]:.2f} (runs' CPU {one[2]:.1f} s vs {two[2]:.1f} s)"
        )
    if len(caches) == 2:
        off_one, on_two = rows["0", "1"][0], rows["1", "2"][0]
        print(f"cache on, 2 workers vs cache off, 1 worker: {off_one / on_two:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folder", type=Path, default=None, help="a sweep's results folder")
    ap.add_argument("--quick", action="store_true", help="only the three smallest runs")
    ap.add_argument("--no-figures", action="store_true", help="fit the runs only")
    ap.add_argument("--breakdown", action="store_true", help="per-run phases only")
    ap.add_argument("--speedup", type=Path, default=None, metavar="EXPERIMENT",
                    help="1 vs 2 workers on the experiment's smoke runs only")  # fmt: skip
    ap.add_argument("--replications", type=int, default=4, help="per point, with --speedup")
    ap.add_argument("--full", type=int, default=0, metavar="N",
                    help="with --speedup: the full-size runs of the first N scenarios, cache on "
                    "(default 0: the smoke runs, cache off and on)")  # fmt: skip
    args = ap.parse_args()
    if args.breakdown or args.speedup:
        if args.breakdown:
            breakdown()
        if args.speedup:
            caches = ("1",) if args.full else ("0", "1")
            speedup(args.speedup, args.replications, args.full, caches)
        return
    rows = time_runs(CASES[:3] if args.quick else CASES)
    a, b, c = fit(rows)
    for w, vw, cpu, _ in rows:
        print(f"  fit {a + b * w + c * vw:6.1f} s vs measured {cpu:6.1f} s")
    print(f"SECONDS_BASE = {a:.2f}")
    print(f"SECONDS_PER_WEEK = {b:.4f}")
    print(f"SECONDS_PER_VILLAGER_WEEK = {c:.3e}")
    if not args.no_figures:
        print(f"SECONDS_PER_FIGURE = {time_figures(args.folder):.2f}")


if __name__ == "__main__":
    main()
