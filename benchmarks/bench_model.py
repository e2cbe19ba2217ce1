"""Benchmark: full-scale seed county, policy plan, default timeline — and vectorised vs per-agent.

Usage::

    .venv/bin/python benchmarks/bench_model.py [--scale F] [--weeks N] [--sample N]
                                               [--naive-weeks N] [--kernel numpy|numba]

Prints the set-up time (county, plan, villagers, service points, cadres), the run time with
each mechanism's share, the peak memory (``resource.getrusage`` maximum resident set size of
this process), then times a straightforward per-agent Mesa implementation of the *same* weekly
villager step — needs (with their affair type, level and knowledge), the logit choice among the
points able to take each need, long-trip willingness, absent officials, hand-overs to village
carriers, capacity, referrals and missing documents, trips, and grievance
(Epstein's smoothed grievance, broadcasts and courtyard meetings, contagion toward the village
mean, threshold filing) — one ``NaiveVillager.step()`` per villager, driven by
``model.agents_by_type[NaiveVillager].shuffle_do("step")`` on the same villagers (by default all
of them; ``--sample N`` takes a random N), against the
vectorised step (the ``population``, ``needs``, ``services`` and ``grievance`` mechanisms,
timed inside the full run). The cadres and petitions mechanisms work per cadre and per
petition, not per villager, and are timed but not compared. Rates are villager-weeks per
second of *CPU time* of this process (``time.process_time``), so that other programs sharing
the machine skew the ratio less; wall times are printed too. The services half alone is
compared as well. The last line is ``ratio=<number>`` (whole villager step).

Differences of the per-agent version, none of which makes it do more work: needs are one
Bernoulli draw per kind (the rates are small, so this is the Poisson count to within O(λ²));
queue order at a full point is the shuffle order rather than oldest-first; the choice sees no
queues (the per-agent version is spared the queue bookkeeping) and carried papers need no
turnaround draw; capacities are those of the real model scaled to the sample; its villagers
start from the full run's end state (grievance, hardship) and it has no one-to-one talks, risk
watch or collective petitions (targeting is model-level work the vectorised version does and
the per-agent one is spared).

Measured the way users run: ``mergesim run`` and the sweep workers limit the BLAS and OpenMP
pools to one thread each (``threadpoolctl``), and so does this script — it does not pin itself to
a core, so a spinning BLAS thread or a second busy core would show in its CPU time. Both arms
of the ratio do the same work per villager-week (the four villager mechanisms' rules), and the
script prints the work of each (villager-weeks), each phase's time, the peak memory, the machine
load (other programs skew seconds, less so CPU-time ratios) and, last, ``ratio=<number>``.
By default both arms also hold the same villagers (all of the run's): a per-agent sample small
enough to stay in the processor's cache steps faster per villager than the same code on the
whole county (measured on the seed county: 195,000 villager-weeks/s at 20,000 villagers,
111,000-128,000 at 800,000), so a small sample flatters the per-agent arm;
``--sample 20000 --naive-weeks 8`` gives that cache-resident comparison.

``--kernel numpy|numba`` chooses the path of the compiled stretches — the grievance week's
villager-length passes and the services' choice of a point (``MERGESIM_KERNEL``;
:mod:`mergesim.mechanisms.kernels`; both paths give the same numbers): report both ratios.
Loading the compiled functions from Numba's cache (or compiling them on the very first run)
happens in the model's set-up and shows in ``setup_s``, not in the step.

Targets: set-up + run < 30 s and peak memory < 3 GB at full scale; ratio >= 150 (whole
villager step, full scale).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import resource
import sys
import time

import mesa
import numpy as np

from mergesim.config.schema import Scenario
from mergesim.mechanisms.kernels import ENV, KERNELS
from mergesim.mechanisms.needs import URGENT, NeedKind, affair_shares
from mergesim.mechanisms.services import ADVISERS, N_TIERS, ROLE, PointKind, Role, absence
from mergesim.mechanisms.services.points import absent_base
from mergesim.mechanisms.services.routing import MAIN_CLASS, SUB_CLASS
from mergesim.model import MergerModel

ADMIN = int(NeedKind.ADMIN)
NONE, FINISH, CARRY, REFER = (int(r) for r in (Role.NONE, Role.FINISH, Role.CARRY, Role.REFER))
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
                affair = -1
                if k == ADMIN:
                    cum, u = 0.0, rnd()
                    for a, share in enumerate(m.affair_share[self.age]):
                        cum += share
                        if u < cum:
                            affair = a
                            break
                    affair = affair if affair >= 0 else len(m.affair_share[self.age]) - 1
                # [kind, affair, utype, uscope, known, created, trips, docs, advised, carrier]
                self.pending.append(
                    [k, affair, rnd(), rnd(), rnd() < m.know_level, m.week, 0, 0, False, -1]
                )
        keep = []
        for need in self.pending:
            if self.visit(need):
                keep.append(need)
        self.pending = keep

    def options(self, need) -> list[tuple[int, float, int]]:
        """``(point, minutes, role)`` of the points this need may go to (see the model)."""
        m = self.model
        k, affair, u = need[0], need[1], need[2]
        v = self.village
        if k != ADMIN:
            cls = m.main_class[k]
            sub = m.sub_class.get(k)
            if sub is not None and u < sub[1]:
                cls = sub[0]
            return [
                (p, t, FINISH)
                for p, t in zip(m.cand_point[cls][v], m.cand_minutes[cls][v], strict=True)
                if p >= 0
            ]
        upper = m.level_upper[affair]
        level = 0 if u < upper[0] else (1 if u < upper[1] else 2)
        if level == 2 and m.devolved and u >= m.devolvable_from[affair]:
            level = 1
        carry, covered = m.carry[affair], int(need[3] < m.station_share)
        sure, guess = [], []
        for t in range(N_TIERS):
            p = m.tier_point[v][t]
            if p < 0:
                continue
            kind = m.kind[p]
            role = m.role[kind][level][carry][covered]
            if role == NONE:
                continue
            if role != REFER:
                sure.append((p, m.tier_minutes[v][t], role))
            if kind != m.county_kind:
                guess.append((p, m.tier_minutes[v][t], role))
        need.append(level)  # the matter's level, for the days it is expected to take
        return sure if need[4] or not guess else guess

    def visit(self, need) -> bool:
        """One week of one need; True if it keeps waiting."""
        m = self.model
        rnd = m.random.random
        k = need[0]
        if need[9] >= 0:  # papers with a carrier
            if m.remaining[need[9]] >= 1:
                m.remaining[need[9]] -= 1
                m.done.append((self.village, k, need[6], m.week - need[5]))
                return False
            return True
        opts = self.options(need)
        level = need.pop() if k == ADMIN else 0
        if not opts:
            m.given_up += 1
            return False
        weights = []
        for p, t, role in opts:
            days = m.queue_days[p] + (
                m.process_days[need[1]][level] + m.open_wait[m.kind[p]] if k == ADMIN else 0.0
            )
            if role == CARRY:
                days += m.carry_interval
            weights.append(math.exp(-m.beta_minutes * t * self.factor - m.beta_days * days))
        u, j = rnd() * sum(weights), 0
        while j < len(weights) - 1 and u > weights[j]:
            u -= weights[j]
            j += 1
        point, minutes, role = opts[j]
        minutes *= self.factor
        if minutes > m.long_trip and k not in m.urgent and rnd() < self.defer_p:
            return True
        need[6] += 1
        if k == ADMIN and rnd() < m.absent[point]:
            return self.failed(need)
        if role == CARRY:
            need[9] = point
            return self.visit(need)
        if m.remaining[point] < 1:
            return self.failed(need)
        m.remaining[point] -= 1
        if role == REFER:
            need[4] = True
            need[8] = need[8] or m.kind[point] in m.advisers
            return self.failed(need)
        if k == ADMIN:
            b = m.docs_fail[need[1]] * m.retry ** need[7] * (m.advice if need[8] else 1.0)
            if rnd() < b:
                need[7] += 1
                return self.failed(need)
        m.done.append((self.village, k, need[6], m.week - need[5]))
        return False

    def failed(self, need) -> bool:
        """A trip that ended without the affair done: give up after ``max_trips``."""
        if need[6] >= self.model.max_trips:
            self.model.given_up += 1
            return False
        return True


class NaiveModel(mesa.Model):
    """The per-agent model: the real model's routing tables and capacities, Python loops."""

    def __init__(self, real: MergerModel, rows: np.ndarray, seed: int = 1):
        super().__init__(rng=seed)
        sv, cfg = real.services, real.config
        r, p, cat = sv.routing, cfg.services, sv.catalogue
        self.week = 0
        self.rates_by_age = real.needs.rates.T.tolist()
        self.affair_share = affair_shares(cfg.needs).T.tolist()
        self.tier_point = r.tier_point.T.tolist()
        self.tier_minutes = r.tier_minutes.T.tolist()
        self.cand_point = [x.T.tolist() for x in r.cand_point]
        self.cand_minutes = [x.T.tolist() for x in r.cand_minutes]
        self.main_class = {int(k): int(c) for k, c in MAIN_CLASS.items()}
        self.sub_class = {
            int(k): (int(c), getattr(cfg.needs, name)) for k, (c, name) in SUB_CLASS.items()
        }
        self.kind = sv.points.kind.tolist()
        self.role = ROLE.tolist()
        self.county_kind = int(PointKind.COUNTY_CENTRE)
        self.advisers = {int(k) for k in ADVISERS}
        self.level_upper = cat.level_upper.tolist()
        self.devolvable_from = cat.devolvable_from.tolist()
        self.devolved = r.devolved
        self.carry = cat.carry.astype(int).tolist()
        self.process_days = cat.process_days.tolist()
        self.docs_fail = cat.docs_fail.tolist()
        self.open_wait = sv._open_wait.tolist()
        self.station_share, self.know_level = p.station_share, p.know_level
        self.carry_interval = p.carry_interval_days
        self.beta_minutes, self.beta_days = p.choice_beta_minutes, p.choice_beta_days
        self.retry, self.advice = p.docs_retry_factor, p.advice_factor
        pts = sv.points
        self.absent = absence(absent_base(pts.kind, p), pts.staff, pts.ref_staff).tolist()
        self.queue_days = np.zeros(pts.n).tolist()
        self.no_vehicle_factor = cfg.villagers.no_vehicle_factor
        self.defer_vehicle = cfg.needs.defer_vehicle
        self.defer_no_vehicle = cfg.needs.defer_no_vehicle
        self.long_trip = cfg.needs.long_trip_minutes
        self.max_trips = cfg.needs.max_trips
        self.urgent = {int(k) for k in URGENT}
        self.capacity = sv.capacity() * len(rows) / real.villagers.n
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


def one_blas_thread() -> object:
    """Limit the BLAS and OpenMP pools to one thread, as ``mergesim run`` does; returns the
    limiter (keep it alive). Without threadpoolctl: re-exec with the thread variables set."""
    try:
        # Optional at import: the benchmark also runs where threadpoolctl is not installed.
        from threadpoolctl import threadpool_limits
    except ImportError:
        if any(os.environ.get(v) != "1" for v in _THREAD_VARS):
            env = {**os.environ, **dict.fromkeys(_THREAD_VARS, "1")}
            os.execve(sys.executable, [sys.executable, *sys.argv], env)
        return None
    return threadpool_limits(limits=1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="villagers.scale (default 1)")
    ap.add_argument(
        "--weeks",
        type=int,
        default=None,
        help="weeks to run (default: the whole timeline, 26 + 156)",
    )
    ap.add_argument(
        "--sample",
        type=int,
        default=0,
        help="villagers in the per-agent run (default 0: all of the vectorised run's villagers)",
    )
    ap.add_argument("--naive-weeks", type=int, default=2, help="weeks of the per-agent run")
    ap.add_argument(
        "--kernel",
        choices=KERNELS,
        default=None,
        help=f"path of the compiled stretches (sets {ENV}; default numba when installed)",
    )
    args = ap.parse_args(argv)
    if args.kernel:
        os.environ[ENV] = args.kernel
    _limits = one_blas_thread()  # noqa: F841 (kept alive for the whole run)

    base = Scenario()
    scenario = dataclasses.replace(
        base, villagers=dataclasses.replace(base.villagers, scale=args.scale)
    )
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"mergesim benchmark: seed county, plan '{scenario.plan.method}', "
        f"scale {args.scale:g}, cpus={cpus}, load average {os.getloadavg()[0]:.2f} (1 min)",
        flush=True,
    )
    t0, c0 = time.perf_counter(), time.process_time()
    model = MergerModel(scenario)
    t_setup, c_setup = time.perf_counter() - t0, time.process_time() - c0
    weeks = (
        model.timeline.n_weeks if args.weeks is None else min(args.weeks, model.timeline.n_weeks)
    )
    print(
        f"kernel={model.grievance.kernel}  "
        f"villagers={model.villagers.n}  villages={model.county.n_villages}  "
        f"service_points={model.services.points.n}  weeks={weeks}"
    )
    print(f"work: villager_weeks={model.villagers.n * weeks:,}")
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

    size = n if args.sample <= 0 else min(args.sample, n)
    rows = np.sort(np.random.default_rng(0).choice(n, size=size, replace=False))
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
        f"per_agent: {len(rows)} villagers x {args.naive_weeks} weeks = "
        f"villager_weeks={len(rows) * args.naive_weeks:,} in {t_naive:.2f} s "
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
    print(f"peak_rss_mb={peak_rss_mb():.0f}  load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"ratio={vec_rate / naive_rate:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
