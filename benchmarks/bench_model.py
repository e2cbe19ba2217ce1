"""Benchmark: full-scale seed county, policy plan, default timeline — and vectorised vs per-agent.

Usage::

    .venv/bin/python benchmarks/bench_model.py [--scale F] [--weeks N] [--sample N]
                                               [--naive-weeks N]

Prints the set-up time (county, plan, villagers, service points), the run time, the peak
memory (``resource.getrusage`` maximum resident set size of this process), then times a
straightforward per-agent Mesa implementation of the *same* weekly villager step (needs,
routing, long-trip willingness, capacity, trips) — one ``NaiveVillager.step()`` per villager,
driven by ``model.agents_by_type[NaiveVillager].shuffle_do("step")`` on a sample of villagers —
against the vectorised step (the ``population``, ``needs`` and ``services`` mechanisms, timed
inside the full run). Rates are villager-weeks per second of *CPU time* of this process
(``time.process_time``), so that other programs sharing the machine do not skew the ratio; wall
times are printed too. The last line is ``ratio=<number>``.

Differences of the per-agent version, none of which makes it do less work: needs are one
Bernoulli draw per kind (the rates are small, so this is the Poisson count to within O(λ²));
queue order at a full point is the shuffle order rather than oldest-first; capacities are those
of the real model scaled to the sample.

Targets (issue 3): set-up + run < 30 s and peak memory < 3 GB at full scale on one core;
ratio >= 30. The script therefore pins itself to one CPU and re-executes itself with the BLAS
and OpenMP thread pools limited to one thread (set ``MERGESIM_BENCH_ANY_CORES=1`` to skip).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import sys
import time

import mesa
import numpy as np

from mergesim.config.schema import Scenario
from mergesim.mechanisms.needs import URGENT, NeedKind
from mergesim.mechanisms.routing import N_TIERS
from mergesim.model import MergerModel

ADMIN = int(NeedKind.ADMIN)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB; Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class NaiveVillager(mesa.Agent):
    """One villager with its own Python ``step()`` and its own list of pending needs."""

    def __init__(self, model: NaiveModel, village: int, age: int, vehicle: bool):
        super().__init__(model)
        self.village = village
        self.age = age
        self.factor = 1.0 if vehicle else model.no_vehicle_factor
        self.defer_p = model.defer_vehicle if vehicle else model.defer_no_vehicle
        self.pending: list[list] = []  # [kind, utype, created, trips, travel]

    def step(self) -> None:
        m = self.model
        rnd = m.random.random
        rates = m.rates_by_age[self.age]
        for k in range(len(rates)):
            if rnd() < rates[k]:
                self.pending.append([k, rnd(), m.week, 0, 0.0])
        keep = []
        v = self.village
        for need in self.pending:
            k, u = need[0], need[1]
            if k == ADMIN:
                upper = m.seg_upper[v]
                j = 0
                while j < N_TIERS and upper[j] <= u:
                    j += 1
                if j == N_TIERS:
                    m.given_up += 1
                    continue
                point, minutes = m.seg_point[v][j], m.seg_minutes[v][j]
            else:
                point, minutes = m.kind_point[k][v], m.kind_minutes[k][v]
            if point < 0:
                m.given_up += 1
                continue
            minutes *= self.factor
            if minutes > m.long_trip and k not in m.urgent and rnd() < self.defer_p:
                keep.append(need)
                continue
            need[3] += 1
            need[4] += 2.0 * minutes
            if m.remaining[point] >= 1:
                m.remaining[point] -= 1
                m.done.append((v, k, need[3], need[4], m.week - need[2]))
            elif need[3] >= m.max_trips:
                m.given_up += 1
            else:
                keep.append(need)
        self.pending = keep


class NaiveModel(mesa.Model):
    """The per-agent model: the real model's routing tables and capacities, Python loops."""

    def __init__(self, real: MergerModel, rows: np.ndarray, seed: int = 1):
        super().__init__(rng=seed)
        r, cfg = real.services.routing, real.config
        self.week = 0
        self.rates_by_age = real.needs.rates.T.tolist()
        self.seg_upper = r.seg_upper.T.tolist()
        self.seg_point = r.seg_point.T.tolist()
        self.seg_minutes = r.seg_minutes.T.tolist()
        self.kind_point = r.kind_point.tolist()
        self.kind_minutes = r.kind_minutes.tolist()
        self.no_vehicle_factor = cfg.villagers.no_vehicle_factor
        self.defer_vehicle = cfg.needs.defer_vehicle
        self.defer_no_vehicle = cfg.needs.defer_no_vehicle
        self.long_trip = cfg.needs.long_trip_minutes
        self.max_trips = cfg.needs.max_trips
        self.urgent = {int(k) for k in URGENT}
        self.capacity = real.services.capacity() * len(rows) / real.villagers.n
        self.done: list[tuple] = []
        self.given_up = 0
        vill = real.villagers
        for i in rows:
            NaiveVillager(self, int(vill.village[i]), int(vill.age[i]), bool(vill.vehicle[i]))

    def step(self) -> None:
        self.remaining = np.floor(self.capacity).tolist()
        self.done = []
        self.agents_by_type[NaiveVillager].shuffle_do("step")
        self.week += 1


_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_core() -> None:
    """Run on one core: pin to the first allowed CPU; re-exec with single-thread BLAS pools."""
    if os.environ.get("MERGESIM_BENCH_ANY_CORES") == "1":
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if any(os.environ.get(v) != "1" for v in _THREAD_VARS):
        env = {**os.environ, **dict.fromkeys(_THREAD_VARS, "1")}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


def main(argv: list[str] | None = None) -> int:
    one_core()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="villagers.scale (default 1)")
    ap.add_argument("--weeks", type=int, default=None,
                    help="weeks to run (default: the whole timeline, 26 + 156)")
    ap.add_argument("--sample", type=int, default=20_000, help="villagers in the per-agent run")
    ap.add_argument("--naive-weeks", type=int, default=8, help="weeks of the per-agent run")
    args = ap.parse_args(argv)

    base = Scenario()
    scenario = dataclasses.replace(base, villagers=dataclasses.replace(
        base.villagers, scale=args.scale))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"mergesim benchmark: seed county, plan '{scenario.plan.method}', "
          f"scale {args.scale:g}, cpus={cpus}", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    model = MergerModel(scenario)
    t_setup, c_setup = time.perf_counter() - t0, time.process_time() - c0
    weeks = model.timeline.n_weeks if args.weeks is None else min(args.weeks,
                                                                  model.timeline.n_weeks)
    print(f"villagers={model.villagers.n}  villages={model.county.n_villages}  "
          f"service_points={model.services.points.n}  weeks={weeks}")
    print(f"setup_s={t_setup:.2f}  (CPU {c_setup:.2f} s)", flush=True)

    # time the villager mechanisms inside the full run (the metrics are timed separately)
    spent = {"villager_step": 0.0}
    for mech in model.mechanisms:
        orig = mech.step

        def timed(m, _orig=orig):
            t = time.process_time()
            _orig(m)
            spent["villager_step"] += time.process_time() - t

        mech.step = timed
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(weeks):
        model.step()
    t_run, c_run = time.perf_counter() - t0, time.process_time() - c0
    n = model.villagers.n
    print(f"run_s={t_run:.2f}  (CPU {c_run:.2f} s: villager step {spent['villager_step']:.2f} s; "
          f"phase changes, metrics and data collection {c_run - spent['villager_step']:.2f} s)")
    print(f"setup_plus_run_s={t_setup + t_run:.2f}")
    print(f"peak_rss_mb={peak_rss_mb():.0f}")
    lost = model.services.balance(model.needs.created)
    print(f"needs_created={model.needs.created}  lost={lost}", flush=True)
    vec_rate = n * weeks / spent["villager_step"]

    rows = np.sort(np.random.default_rng(0).choice(n, size=min(args.sample, n), replace=False))
    t0 = time.perf_counter()
    naive = NaiveModel(model, rows)
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.naive_weeks):
        naive.step()
    t_naive, c_naive = time.perf_counter() - t0, time.process_time() - c0
    naive_rate = len(rows) * args.naive_weeks / c_naive
    print(f"per_agent: {len(rows)} villagers x {args.naive_weeks} weeks in {t_naive:.2f} s "
          f"(CPU {c_naive:.2f} s; agent creation {t_build:.2f} s)")
    print(f"vectorised_villager_weeks_per_s={vec_rate:,.0f}")
    print(f"per_agent_villager_weeks_per_s={naive_rate:,.0f}")
    print(f"ratio={vec_rate / naive_rate:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
