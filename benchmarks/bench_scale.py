"""Benchmark: the seed county against the same county with ~10 million villagers.

Usage::

    .venv/bin/python benchmarks/bench_scale.py [--factor K] [--weeks N] [--grow WHAT]

Runs two arms, each in its own fresh process (so each peak memory is its own): the seed
county at full scale (800,000 villagers) and the same scenario with ``K`` times the villagers
(default 12.5, i.e. 10 M). ``--grow population`` (default) multiplies ``county.population``
only: the same 1,050 villages, each ``K`` times larger, so the per-village and per-point work is
that of the seed county and any growth of the time per villager-week beyond it is a step that is
superlinear in villagers. ``--grow county`` multiplies the population, the villages, the
townships (central ones too) and the area: a bigger county of the same density (routing tables
then grow with villages × points, so set-up is superlinear there by construction).

Each arm prints its set-up time, the CPU time of its ``N`` weeks (default the whole timeline),
the time per villager-week, its peak resident memory (``getrusage`` maximum RSS) and the bytes
per villager (peak RSS / villagers, and the marginal bytes per added villager between the arms).
Both arms limit BLAS to one thread, as ``mergesim run`` does. The last line is
``time_ratio=<per villager-week, big / seed>`` (target <= 1.3; peak memory target 4 GB).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time

from mergesim.config.schema import Scenario
from mergesim.model import MergerModel


def scenario_for(factor: float, grow: str) -> Scenario:
    """The seed county with ``factor`` times the villagers (see the module docstring)."""
    base = Scenario()
    cp = base.county
    changes: dict = {"population": int(round(cp.population * factor))}
    if grow == "county":
        changes |= {
            "villages": int(round(cp.villages * factor)),
            "townships": int(round(cp.townships * factor)),
            "central_townships": int(round(cp.central_townships * factor)),
            "area_km2": cp.area_km2 * factor,
        }
    return dataclasses.replace(base, county=dataclasses.replace(cp, **changes))


def run_arm(factor: float, weeks: int | None, grow: str) -> dict:
    """Build and run one arm in this process; its facts as a dict."""
    try:
        # Optional at import: the benchmark also runs where threadpoolctl is not installed.
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(limits=1)
    except ImportError:
        limits = None
    t0, c0 = time.perf_counter(), time.process_time()
    model = MergerModel(scenario_for(factor, grow))
    setup_wall, setup_cpu = time.perf_counter() - t0, time.process_time() - c0
    setup_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    n_weeks = model.timeline.n_weeks if weeks is None else min(weeks, model.timeline.n_weeks)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n_weeks):
        model.step()
    run_wall, run_cpu = time.perf_counter() - t0, time.process_time() - c0
    del limits
    n = model.villagers.n
    return {
        "factor": factor,
        "villagers": n,
        "villages": model.county.n_villages,
        "weeks": n_weeks,
        "setup_wall_s": setup_wall,
        "setup_cpu_s": setup_cpu,
        "run_wall_s": run_wall,
        "run_cpu_s": run_cpu,
        "s_per_villager_week": run_cpu / (n * n_weeks),
        "setup_peak_rss": setup_rss,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def arm_in_child(factor: float, weeks: int | None, grow: str) -> dict:
    """:func:`run_arm` in a fresh interpreter (its own peak memory)."""
    cmd = [sys.executable, __file__, "--arm", str(factor), "--grow", grow]
    if weeks is not None:
        cmd += ["--weeks", str(weeks)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def show(r: dict) -> None:
    print(
        f"x{r['factor']:g}: villagers={r['villagers']:,}  villages={r['villages']:,}  "
        f"weeks={r['weeks']}  villager_weeks={r['villagers'] * r['weeks']:,}\n"
        f"  setup {r['setup_wall_s']:.1f} s (CPU {r['setup_cpu_s']:.1f} s)  "
        f"run {r['run_wall_s']:.1f} s (CPU {r['run_cpu_s']:.1f} s)  "
        f"{1e9 * r['s_per_villager_week']:.1f} ns CPU per villager-week\n"
        f"  peak_rss_mb={r['peak_rss'] / 2**20:.0f} (after set-up "
        f"{r['setup_peak_rss'] / 2**20:.0f})  "
        f"bytes_per_villager={r['peak_rss'] / r['villagers']:.0f}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factor", type=float, default=12.5, help="villagers × (default 12.5)")
    ap.add_argument("--weeks", type=int, default=None, help="weeks (default: whole timeline)")
    ap.add_argument("--grow", choices=("population", "county"), default="population")
    ap.add_argument("--arm", type=float, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.arm is not None:  # a child: one arm, its facts as the last line (JSON)
        print(json.dumps(run_arm(args.arm, args.weeks, args.grow)))
        return 0
    print(
        f"mergesim scale benchmark: grow {args.grow} x{args.factor:g}, "
        f"load average {os.getloadavg()[0]:.2f} (1 min)",
        flush=True,
    )
    seed = arm_in_child(1.0, args.weeks, args.grow)
    show(seed)
    big = arm_in_child(args.factor, args.weeks, args.grow)
    show(big)
    added = (big["peak_rss"] - seed["peak_rss"]) / max(big["villagers"] - seed["villagers"], 1)
    ratio = big["s_per_villager_week"] / seed["s_per_villager_week"]
    print(f"marginal_bytes_per_villager={added:.0f}")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"time_ratio={ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
