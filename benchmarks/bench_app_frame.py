"""Benchmark: the app's frame time — one week simulated and the page's figures redrawn.

Usage::

    .venv/bin/python benchmarks/bench_app_frame.py [--scale F] [--frames N] [--pair]

Builds the seed county at ``--scale`` (default 0.1) as ``mergesim app`` does
(:class:`mergesim.app.live.Explorer`, the controls' starting choice), then times ``--frames``
frames of one week each: :meth:`~mergesim.app.live.Explorer.advance` (the model's step and the
app's per-village sums) and :meth:`~mergesim.app.live.Explorer.redraw` (the map and the series
as PNG, the readouts). The first frame, which also builds the figures, is reported apart. With
``--pair`` run B is the same scenario (side-by-side mode: two models, three maps).

CPU time (``time.process_time``) is printed beside wall time, so that other programs sharing
the machine skew it less. The browser's own work (receiving and painting a PNG of about
150 kB) is not included. The last line is ``frame_ms=<median wall ms per frame>``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from mergesim.app.controls import choice_of
from mergesim.app.live import Explorer, View
from mergesim.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--pair", action="store_true", help="side-by-side mode (two runs)")
    args = ap.parse_args()

    path = ROOT / "scenarios" / "seed_county.toml"
    base = load_scenario(path)
    explorer = Explorer(base, {"B": path} if args.pair else {})
    choice = choice_of(base)
    choice = type(choice)(
        choice.method, choice.target_factor, choice.switches, args.scale, choice.seed
    )
    t0 = time.perf_counter()
    explorer.reset(choice, "B" if args.pair else None)
    view = View()
    first = time.perf_counter()
    explorer.redraw(view)
    print(
        f"build {first - t0:.2f} s, first redraw (figures built) "
        f"{time.perf_counter() - first:.2f} s; villagers {explorer.runs[0].model.villagers.n}"
    )
    wall, cpu, step, draw = [], [], [], []
    for _ in range(args.frames):
        if explorer.finished:
            break
        w0, c0 = time.perf_counter(), time.process_time()
        explorer.advance(1)
        w1 = time.perf_counter()
        explorer.redraw(view)
        w2 = time.perf_counter()
        wall.append((w2 - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        step.append((w1 - w0) * 1000)
        draw.append((w2 - w1) * 1000)

    def q(x):
        return f"median {statistics.median(x):.0f}, p90 {sorted(x)[int(0.9 * len(x))]:.0f}"

    print(
        f"{len(wall)} frames of one week at scale {args.scale}{' (pair)' if args.pair else ''}, ms:"
    )
    print(f"  frame (wall) {q(wall)}; CPU {q(cpu)}")
    print(f"  step {q(step)}; redraw {q(draw)}")
    print(f"frame_ms={statistics.median(wall):.0f}")


if __name__ == "__main__":
    main()
