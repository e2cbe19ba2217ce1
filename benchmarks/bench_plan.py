"""Benchmark: seed county generation, its policy plan and the village→township-seat table.

Usage: ``python benchmarks/bench_plan.py [SCENARIO] [--repeat N]``

Prints the wall time of each phase (best of ``--repeat`` runs, one core) and the total; the
target is a total under 5 s for ``scenarios/seed_county.toml``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

# One core, as the target is stated for one core (set before NumPy/SciPy load their BLAS).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

from mergesim.config import load_scenario  # noqa: E402
from mergesim.county import build_county  # noqa: E402
from mergesim.county.travel import travel_table  # noqa: E402
from mergesim.plans import make_plan  # noqa: E402
from mergesim.rng import Streams  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run_once(path: Path) -> dict[str, float]:
    """Time each phase once (seconds)."""
    t = {}
    t0 = time.perf_counter()
    scenario = load_scenario(path)
    streams = Streams(scenario.seed)
    t["load scenario"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    county = build_county(scenario, streams)
    t["generate county"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = make_plan(county, scenario, streams)
    t["policy plan"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    roads = county.road_matrix()
    before = travel_table(roads, county.township_seat)
    after = travel_table(roads, plan.new_township_seat)
    t["travel table (all villages x all seats, before+after)"] = time.perf_counter() - t0
    assert before.shape == (county.n_townships, county.n_villages)
    assert after.shape == (plan.n_new_townships, county.n_villages)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/seed_county.toml"))
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best time is reported")
    args = ap.parse_args()
    runs = [run_once(Path(args.scenario)) for _ in range(args.repeat)]
    print(f"scenario: {args.scenario}  (best of {args.repeat}, one thread)")
    total = 0.0
    for phase in runs[0]:
        best = min(r[phase] for r in runs)
        total += best
        print(f"  {phase:<58} {best:8.3f} s")
    print(f"  {'total':<58} {total:8.3f} s   (target < 5 s)")


if __name__ == "__main__":
    main()
