"""Benchmark: calibrate the dry-run estimate of a sweep (``mergesim sweep --dry-run``).

Usage::

    .venv/bin/python benchmarks/bench_sweep_cost.py [--folder RESULTS] [--quick]

1. Runs :func:`mergesim.sweep.runner.model_run` on the seed county at several
   ``villagers.scale`` and timeline lengths (one process), and fits the cost model of
   :mod:`mergesim.sweep` by least squares: ``seconds = a + b · weeks + c · villager-weeks``
   (a: building the county, the plan, the routing tables and the cadre pool; b: the weekly
   work that does not grow with villagers: the petition loop, the metrics; c: the villagers).
2. Redraws the figures and report of a sweep's results folder (``--folder``, default: a smoke
   sweep of ``experiments/policy_packages.toml`` it runs first) and divides by the figures
   drawn: the seconds per figure of the report.

CPU time (``time.process_time``) is fitted, so other programs sharing the machine skew it
less; wall time is printed beside it. Paste the printed constants into ``mergesim/sweep``
(``SECONDS_BASE``, ``SECONDS_PER_WEEK``, ``SECONDS_PER_VILLAGER_WEEK``,
``SECONDS_PER_FIGURE``).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np

from mergesim.api import plot_results, sweep_experiment
from mergesim.config import load_scenario
from mergesim.model.model import apply_dotted
from mergesim.sweep.runner import model_run

ROOT = Path(__file__).resolve().parents[1]
#: (scale, warm-up weeks, horizon weeks) of the measured runs.
CASES = (
    (0.002, 6, 12),
    (0.002, 26, 156),
    (0.02, 26, 156),
    (0.1, 26, 156),
    (0.25, 26, 156),
)


def time_runs(cases) -> list[tuple[float, float, float, float]]:
    """``(weeks, villager_weeks, cpu_s, wall_s)`` of one run per case."""
    base = load_scenario(ROOT / "scenarios" / "seed_county.toml")
    rows = []
    for scale, warm, horizon in cases:
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
        c0, w0 = time.process_time(), time.perf_counter()
        model_run(s)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folder", type=Path, default=None, help="a sweep's results folder")
    ap.add_argument("--quick", action="store_true", help="only the three smallest runs")
    args = ap.parse_args()
    rows = time_runs(CASES[:3] if args.quick else CASES)
    a, b, c = fit(rows)
    for w, vw, cpu, _ in rows:
        print(f"  fit {a + b * w + c * vw:6.1f} s vs measured {cpu:6.1f} s")
    per_figure = time_figures(args.folder)
    print(f"SECONDS_BASE = {a:.2f}")
    print(f"SECONDS_PER_WEEK = {b:.4f}")
    print(f"SECONDS_PER_VILLAGER_WEEK = {c:.3e}")
    print(f"SECONDS_PER_FIGURE = {per_figure:.2f}")


if __name__ == "__main__":
    main()
