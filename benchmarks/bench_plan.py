"""Benchmark: seed county generation, its policy plan, the village→township-seat table and a plan
ensemble.

Usage: ``python benchmarks/bench_plan.py [SCENARIO] [--repeat N] [--ensemble N]``

Prints the wall time of each phase (best of ``--repeat`` runs, one core) and the total; the
target is a total under 5 s for ``scenarios/seed_county.toml``. ``--ensemble N`` (default
1000; 0 skips it) then draws, summarises and checks ``N`` members of the
``scenarios/seed_county_ensemble.toml`` ensemble on the same county, as ``mergesim plan`` does
(:func:`~mergesim.plans.assess.assess_ensemble`), and prints ``plans/s`` (target: 1,000 plans
in at most 10 s on one core) and the CPU time beside the wall time. The agglomeration runs
compiled when Numba (extra ``fast``) is installed and ``N`` is at least
``mergesim.plans.ensemble.COMPILED_FROM``; ``--python-loop`` times the pure-Python reference
loop instead (same plans). The ensemble's time includes loading the compiled kernel
(compiling it on the first run after a change).
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
from mergesim.model.model import apply_dotted  # noqa: E402
from mergesim.plans import make_plan, merge_kernel  # noqa: E402
from mergesim.plans.assess import assess_ensemble  # noqa: E402
from mergesim.plans.ensemble import COMPILED_FROM  # noqa: E402
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


def time_ensemble(members: int) -> tuple[float, float, int]:
    """``(wall_s, cpu_s, failed)`` of drawing, summarising and checking ``members`` plans."""
    scenario = apply_dotted(
        load_scenario(ROOT / "scenarios" / "seed_county_ensemble.toml"),
        {"plan.ensemble_size": members},
    )
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    c0, w0 = time.process_time(), time.perf_counter()
    rows, _, failed = assess_ensemble(county, scenario, streams)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    assert len(rows) == members
    return wall, cpu, len(failed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/seed_county.toml"))
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best time is reported")
    ap.add_argument("--ensemble", type=int, default=1000, metavar="N", help="members (0: skip)")
    ap.add_argument(
        "--python-loop",
        action="store_true",
        help="time the pure-Python agglomeration (the reference) even if Numba is installed",
    )
    args = ap.parse_args()
    if args.python_loop:
        merge_kernel.available = lambda: False  # the dispatch in policy.agglomerate asks this
    compiled = args.ensemble >= COMPILED_FROM and merge_kernel.available()
    engine = "compiled (Numba)" if compiled else "pure Python"
    runs = [run_once(Path(args.scenario)) for _ in range(args.repeat)]
    print(f"scenario: {args.scenario}  (best of {args.repeat}, one thread)")
    total = 0.0
    for phase in runs[0]:
        best = min(r[phase] for r in runs)
        total += best
        print(f"  {phase:<58} {best:8.3f} s")
    print(f"  {'total':<58} {total:8.3f} s   (target < 5 s)")
    if args.ensemble > 0:
        wall, cpu, failed = time_ensemble(args.ensemble)
        print(
            f"ensemble: {args.ensemble} plans (draw, summarise, check) in {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU; {failed} failing a check  (target <= 10 s for 1,000); "
            f"agglomeration: {engine}"
        )
        print(f"plans/s={args.ensemble / wall:.1f}  (CPU-based: {args.ensemble / cpu:.1f})")


if __name__ == "__main__":
    main()
