"""Benchmark: full-scale seed county, policy plan, default timeline — and vectorised vs per-agent.

Usage::

    .venv/bin/python benchmarks/bench_model.py [--scale F] [--weeks N] [--sample N]
                                               [--naive-weeks N]

Prints the set-up time (county, plan, villagers, service points, cadres), the run time with
each mechanism's share, the peak memory (``resource.getrusage`` maximum resident set size of
this process), then times a straightforward per-agent Mesa implementation of the *same* weekly
villager step — needs, routing, long-trip willingness, capacity, trips, and grievance
(Epstein's smoothed grievance, broadcasts and courtyard meetings, contagion toward the village
mean, threshold filing) — one ``NaiveVillager.step()`` per villager, driven by
``model.agents_by_type[NaiveVillager].shuffle_do("step")`` on a sample of villagers, against the
vectorised step (the ``population``, ``needs``, ``services`` and ``grievance`` mechanisms,
timed inside the full run). The cadres and petitions mechanisms work per cadre and per
petition, not per villager, and are timed but not compared. Rates are villager-weeks per
second of *CPU time* of this process (``time.process_time``), so that other programs sharing
the machine skew the ratio less; wall times are printed too. The services half alone is
compared as well. The last line is ``ratio=<number>`` (whole villager step).

Differences of the per-agent version, none of which makes it do more work: needs are one
Bernoulli draw per kind (the rates are small, so this is the Poisson count to within O(λ²));
queue order at a full point is the shuffle order rather than oldest-first; capacities are those
of the real model scaled to the sample; its villagers start from the full run's end state
(grievance, hardship) and it has no one-to-one talks, risk watch or collective petitions
(targeting is model-level work the vectorised version does and the per-agent one is spared).

Targets (issues 3, 4): set-up + run < 30 s and peak memory < 3 GB at full scale on one core;
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
from mergesim.mechanisms.services import N_TIERS
from mergesim.model import MergerModel

ADMIN = int(NeedKind.ADMIN)
#: Mechanisms that step every villager (the per-agent version reproduces these four).
VILLAGER_MECHANISMS = ("population", "needs", "services", "grievance")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB; Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class NaiveVillager(mesa.Agent):
    """One villager with its own Python ``step()`` and its own list of pending needs."""

    def __init__(
        self,
        model: NaiveModel,
        village: int,
        age: int,
        vehicle: bool,
        grievance: float,
        trust: float,
        threshold: float,
        hardship: float,
        weight: float,
    ):
        super().__init__(model)
        self.village = village
        self.age = age
        self.factor = 1.0 if vehicle else model.no_vehicle_factor
        self.defer_p = model.defer_vehicle if vehicle else model.defer_no_vehicle
        self.pending: list[list] = []  # [kind, utype, created, trips, travel]
        self.grievance, self.trust, self.threshold = grievance, trust, threshold
        self.hardship = hardship  # valued access loss + lost rights, as in the real model
        self.weight = weight  # influence in the village mean (key persons weigh more)
        self.open_petition = False

    def step(self) -> None:
        self.services_step()
        self.grievance_step()

    def grievance_step(self) -> None:
        """The grievance mechanism's rules for one villager: Epstein's smoothed grievance,
        broadcasts and courtyard meetings, contagion toward the village mean, filing."""
        m = self.model
        rnd = m.random.random
        h = self.hardship + (m.wait_hardship if self.open_petition else 0.0)
        h = min(1.0, max(-1.0, h))
        g = (1.0 - m.delta) * self.grievance + m.delta * (1.0 - self.trust) * h
        g = min(1.0, max(0.0, g))
        if rnd() < m.broadcast_p:
            g *= m.broadcast_keep
        if self.village in m.meeting_villages and rnd() < m.meeting_turnout:
            g *= m.meeting_keep
        g += m.contagion * (m.village_mean[self.village] - g)
        self.grievance = min(1.0, max(0.0, g))
        if not self.open_petition and g > self.threshold and rnd() < m.file_prob:
            self.open_petition = True
            m.filed += 1

    def services_step(self) -> None:
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
        # Grievance: the real model's parameters and end-of-run hardship of each villager.
        gp, cp = cfg.grievance, cfg.communication
        self.delta = 1.0 / gp.memory_weeks
        self.wait_hardship = gp.wait_hardship
        self.contagion = gp.contagion
        self.file_prob = gp.file_prob
        self.broadcast_p = cp.broadcast_reach * cp.routine_share
        self.broadcast_keep = 1.0 - cp.broadcast_effect
        self.meeting_turnout = cp.meeting_turnout
        self.meeting_keep = 1.0 - cp.meeting_effect
        self.n_meetings = cp.meetings_per_week * cp.routine_share
        self.n_villages = real.county.n_villages
        self.filed = 0
        gm = real.grievance
        hard = np.clip(gm.access + gm.standing, -1.0, 1.0)  # the standing hardship at the end
        vill = real.villagers
        for i in rows:
            NaiveVillager(
                self,
                int(vill.village[i]),
                int(vill.age[i]),
                bool(vill.vehicle[i]),
                float(vill.grievance[i]),
                float(vill.trust[i]),
                float(vill.threshold[i]),
                float(hard[i]),
                float(gm._influence[i]),
            )

    def step(self) -> None:
        self.remaining = np.floor(self.capacity).tolist()
        self.done = []
        agents = self.agents_by_type[NaiveVillager]
        # Village means for contagion, accumulated agent by agent (weighted by influence).
        num = [0.0] * self.n_villages
        den = [0.0] * self.n_villages
        for a in agents:
            num[a.village] += a.weight * a.grievance
            den[a.village] += a.weight
        self.village_mean = [x / d if d else 0.0 for x, d in zip(num, den, strict=True)]
        k = int(self.n_meetings) + (self.random.random() < self.n_meetings % 1)
        self.meeting_villages = set(self.random.sample(range(self.n_villages), k))
        agents.shuffle_do("step")
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
    ap.add_argument(
        "--weeks",
        type=int,
        default=None,
        help="weeks to run (default: the whole timeline, 26 + 156)",
    )
    ap.add_argument("--sample", type=int, default=20_000, help="villagers in the per-agent run")
    ap.add_argument("--naive-weeks", type=int, default=8, help="weeks of the per-agent run")
    args = ap.parse_args(argv)

    base = Scenario()
    scenario = dataclasses.replace(
        base, villagers=dataclasses.replace(base.villagers, scale=args.scale)
    )
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"mergesim benchmark: seed county, plan '{scenario.plan.method}', "
        f"scale {args.scale:g}, cpus={cpus}",
        flush=True,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    model = MergerModel(scenario)
    t_setup, c_setup = time.perf_counter() - t0, time.process_time() - c0
    weeks = (
        model.timeline.n_weeks if args.weeks is None else min(args.weeks, model.timeline.n_weeks)
    )
    print(
        f"villagers={model.villagers.n}  villages={model.county.n_villages}  "
        f"service_points={model.services.points.n}  weeks={weeks}"
    )
    print(f"setup_s={t_setup:.2f}  (CPU {c_setup:.2f} s)", flush=True)

    # time each mechanism inside the full run (the metrics are timed separately)
    spent = {m.name: 0.0 for m in model.mechanisms}
    for mech in model.mechanisms:
        orig = mech.step

        def timed(m, _orig=orig, _name=mech.name):
            t = time.process_time()
            _orig(m)
            spent[_name] += time.process_time() - t

        mech.step = timed
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(weeks):
        model.step()
    t_run, c_run = time.perf_counter() - t0, time.process_time() - c0
    n = model.villagers.n
    villager_s = sum(spent[k] for k in VILLAGER_MECHANISMS)
    print(f"run_s={t_run:.2f}  (CPU {c_run:.2f} s)")
    for name, sec in spent.items():
        tag = "villager step" if name in VILLAGER_MECHANISMS else "per petition / cadre"
        print(f"  {name:<12s} {sec:6.2f} s  {1000 * sec / weeks:6.1f} ms/week  ({tag})")
    print(
        f"  {'other':<12s} {c_run - sum(spent.values()):6.2f} s  (phase changes, metrics, "
        "data collection)"
    )
    print(f"setup_plus_run_s={t_setup + t_run:.2f}")
    print(f"peak_rss_mb={peak_rss_mb():.0f}")
    lost = model.services.balance(model.needs.created)
    print(f"needs_created={model.needs.created}  lost={lost}", flush=True)
    vec_rate = n * weeks / villager_s
    vec_rate_services = n * weeks / sum(spent[k] for k in VILLAGER_MECHANISMS[:3])

    rows = np.sort(np.random.default_rng(0).choice(n, size=min(args.sample, n), replace=False))
    t0 = time.perf_counter()
    naive = NaiveModel(model, rows)
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.naive_weeks):
        naive.step()
    t_naive, c_naive = time.perf_counter() - t0, time.process_time() - c0
    naive_rate = len(rows) * args.naive_weeks / c_naive
    # The services half alone, for comparison with the issue-3 figure.
    for ag in naive.agents_by_type[NaiveVillager]:
        ag.step = ag.services_step
    c0 = time.process_time()
    for _ in range(args.naive_weeks):
        naive.step()
    naive_rate_services = len(rows) * args.naive_weeks / (time.process_time() - c0)
    print(
        f"per_agent: {len(rows)} villagers x {args.naive_weeks} weeks in {t_naive:.2f} s "
        f"(CPU {c_naive:.2f} s; agent creation {t_build:.2f} s)"
    )
    print(
        f"services only (population, needs, services): vectorised "
        f"{vec_rate_services:,.0f} vs per-agent {naive_rate_services:,.0f} villager-weeks/s, "
        f"ratio {vec_rate_services / naive_rate_services:.1f}"
    )
    print("whole villager step (population, needs, services, grievance):")
    print(f"vectorised_villager_weeks_per_s={vec_rate:,.0f}")
    print(f"per_agent_villager_weeks_per_s={naive_rate:,.0f}")
    print(f"ratio={vec_rate / naive_rate:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
