"""The petition loop (信访): the six-step closed loop as a vectorised network of stage queues.

DOMAIN.md §4. Every petition passes six stages in order (the report's 六步闭合机制)::

    accept and register → classify and transfer → quick verification → research and handle
    → track and supervise → close and cancel

**Records.** Petitions are rows of :class:`PetitionRecords`, a struct of NumPy arrays that grows
by doubling (no Python object per petition): kind (individual / collective), level (township /
county), village, handling unit, filer (villager row or -1), parent and child (for repeats and
escalations), size (persons), filing time, current stage, outcome, the acceptance and
conclusion flags, and per stage the timestamps ``entry``, ``start`` (service begins), ``done``
(service ends, the server is free) and ``exit`` (after the stage's pure delay). Times are in
days from the start of the run (week ``w`` is ``[7w, 7w + 7)``).

**Stage queues.** Each stage of each unit (a township, or the county petition bureau) is a
first-come-first-served queue with ``c`` identical servers (cadres; a parameter, or supplied by
the cadres mechanism) and exponential service of mean ``service_days / speed`` (speed = the
servers' mean competence), followed by an exponential *pure delay* of mean ``delay_days``
(waiting for replies, site visits, notifications: time passes but no cadre is busy, an M/M/∞
node). With Poisson arrivals and no feedback a stage is exactly an M/M/c queue and the six
stages a tandem Jackson network (see :mod:`mergesim.validation.queueing`).

**Continuous time, vectorised** (:meth:`PetitionLoop.advance`). Time runs continuously; a week
is processed stage by stage (a petition leaving stage ``s`` at time ``t`` enters ``s + 1`` at
``t``, in the same week). Inside a stage the exact FCFS multi-server recursion (Kiefer &
Wolfowitz 1955: the next customer in arrival order starts at ``max(arrival, earliest free
server)``) is evaluated in *rounds*, each vectorised over all queues: in a round, the ``k``-th
waiting petition of a queue (``k < c``) is paired with the ``k``-th earliest server free time,
its service drawn, and the pairing kept for the longest prefix that the sequential recursion
would also produce — the ``k``-th pairing is exact unless a service started earlier in the same
round ends before the ``k``-th server frees up (and the petition is not already late enough to
start on arrival). The first pairing of every queue is always exact, so each round starts at
least one service per busy queue, and rounds continue until no queue can start a service before
the week ends. A petition's acceptance never depends on its own service draw, so the draws are
unbiased. The number of rounds per week is about the largest number of services one queue
starts in a week divided by its servers; it does not grow with the number of queues.

Server free times are rebuilt at the start of each week from the petitions in service, so the
number of servers and their speed can change from week to week (the cadres mechanism's hook):
an idle server is free from the start of the week; if a stage has fewer servers than
petitions in service, those services finish and only the last ``c`` to finish free a server.

**The statutory clock** (Regulations on Petition Work, 2022). Acceptance is decided at the end of
*classify and transfer*, deadline ``accept_days`` (15) from filing; the petition is *concluded*
at the end of *research and handle*, deadline ``conclude_days`` (60) from acceptance, plus
``extension_days`` (30) for the ``extension_prob`` of petitions approved as complex (drawn at
acceptance). Overdue shares are tracked, not acted on (service stays FCFS).

**Outcomes.** At the end of *research and handle* a petition is resolved with probability
``resolve_base × speed^resolve_elasticity`` (``resolve_county`` at the county bureau; times
``collective_resolve_factor`` for a collective petition; clipped to [0, 1]). At *close and
cancel* its outcome becomes final: ``RESOLVED``; or, if unresolved, ``REPEATED`` (probability
``repeat_prob``: a child petition is filed again at the same level), ``ESCALATED``
(``escalate_prob``: a child at the county bureau; from the county it leaves the model) or
``UNRESOLVED``. A child is filed ``Exp(refile_days)`` after its parent closed; one filed within
the week its parent closed joins its first queue from the next week on (stage 1 has already
been processed for the week).

**Conservation.** ``filed = closed + open`` after every week (:meth:`PetitionLoop.check`,
asserted in :meth:`PetitionLoop.advance`); children scheduled for a later week count as neither.

**Scale.** At ``villagers.scale = s`` arrivals are ``s`` times the full county's; the mechanism
gives each queue ``c' = max(1, ⌈c s⌉)`` servers at unchanged speed (:func:`scale_staffing`), so
service times are the county's but utilisation is at most the full county's: waits in queue and
backlogs are underestimated at small scale (run at scale 1 for queue metrics; rates per 10,000
are unbiased).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.base import Mechanism

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

#: The six steps of the closed loop, in order (same order as the cadres' stage hooks).
STAGES = ("accept", "classify", "verify", "handle", "supervise", "close")
STAGE_LABELS = ("accept and register", "classify and transfer", "quick verification",
                "research and handle", "track and supervise", "close and cancel")
N_STAGES = len(STAGES)
#: Acceptance is decided when this stage ends (classify and transfer).
ACCEPT_STAGE = 1
#: The petition is concluded (办结) when this stage ends (research and handle).
CONCLUDE_STAGE = 3
#: ``stage`` value of a closed petition.
CLOSED = N_STAGES
DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.25


class Kind(IntEnum):
    """Who files: one villager or a village's group."""

    INDIVIDUAL = 0
    COLLECTIVE = 1


class Level(IntEnum):
    """Where the petition is handled."""

    TOWNSHIP = 0
    COUNTY = 1


class Outcome(IntEnum):
    """Outcome of a petition (OPEN until it closes)."""

    OPEN = 0
    RESOLVED = 1
    UNRESOLVED = 2
    REPEATED = 3
    ESCALATED = 4


OUTCOME_NAMES = tuple(o.name.lower() for o in Outcome)

# name: (dtype, fill value)
_FIELDS: dict[str, tuple[Any, Any]] = {
    "kind": (np.int8, 0),
    "level": (np.int8, 0),
    "village": (np.int32, -1),
    "unit": (np.int32, -1),
    "filer": (np.int64, -1),
    "parent": (np.int64, -1),
    "child": (np.int64, -1),
    "size": (np.int32, 1),
    "filed": (np.float64, np.nan),
    "stage": (np.int8, 0),
    "outcome": (np.int8, Outcome.OPEN),
    "resolved": (bool, False),
    "extended": (bool, False),
    "closed": (np.float64, np.nan),
}
_STAGE_FIELDS = ("entry", "start", "done", "exit")


class PetitionRecords:
    """Petitions as a struct of arrays (row ``i`` = petition ``i``), grown by doubling.

    Attribute access returns a *view* of the first :attr:`n` rows, so ``rec.stage[idx] = 3``
    writes through.

    Attributes:
        kind: :class:`Kind` (int8).
        level: :class:`Level` (int8).
        village: Village of the filer(s) (old village index, int32).
        unit: Handling unit: township index now, or the county bureau (int32).
        filer: Villager row of an individual petition, -1 for a collective one (int64).
        parent: The petition this one repeats or escalates, -1 for a first filing (int64).
        child: The repeat or escalation filed after this one closed, -1 if none (int64).
        size: Persons behind the petition (simulated villagers; int32).
        filed: Filing time (days).
        stage: Current stage 0–5, or :data:`CLOSED` (int8).
        outcome: :class:`Outcome` (int8).
        resolved: Resolved at the end of research and handle (bool).
        extended: Approved as complex: the conclusion deadline is extended (bool).
        closed: Closing time (days; NaN while open).
        entry, start, done, exit: Per-stage times, shape ``(n, 6)`` (days; NaN until reached):
            entering the stage's queue, service start, service end, leaving the stage.
    """

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._a: dict[str, np.ndarray] = {}
        self._alloc(max(int(capacity), 16))

    def _alloc(self, cap: int) -> None:
        old, n = self._a, self.n
        new: dict[str, np.ndarray] = {}
        for name, (dt, fill) in _FIELDS.items():
            a = np.full(cap, fill, dtype=dt)
            if name in old:
                a[:n] = old[name][:n]
            new[name] = a
        for name in _STAGE_FIELDS:
            a = np.full((cap, N_STAGES), np.nan)
            if name in old:
                a[:n] = old[name][:n]
            new[name] = a
        self._a = new
        self.capacity = cap

    def __getattr__(self, name: str) -> np.ndarray:
        a = self.__dict__.get("_a")
        if a is None or name not in a:
            raise AttributeError(name)
        return a[name][: self.n]

    def add(self, k: int, **cols: Any) -> np.ndarray:
        """Append ``k`` rows with the given column values (scalars or arrays); return indices."""
        if self.n + k > self.capacity:
            cap = self.capacity
            while cap < self.n + k:
                cap *= 2
            self._alloc(cap)
        idx = np.arange(self.n, self.n + k, dtype=np.int64)
        for name, value in cols.items():
            self._a[name][idx] = value
        self.n += k
        return idx

    def copy(self) -> PetitionRecords:
        """A deep copy (for tests and snapshots)."""
        out = PetitionRecords(self.capacity)
        out.n = self.n
        out._a = {k: v.copy() for k, v in self._a.items()}
        return out


@dataclass(frozen=True)
class LoopConfig:
    """The loop's parameters in array form (see :class:`~mergesim.config.schema.PetitionParams`).

    Attributes:
        service_days: Mean cadre work per case per stage, shape (6,) (days).
        delay_days: Mean pure delay per stage, shape (6,) (days).
        accept_days, conclude_days, extension_days: The statutory clock (days).
        extension_prob: Share approved as complex at acceptance.
        resolve_base: Resolution probability at competence 1, per :class:`Level` (2,).
        resolve_elasticity: Elasticity to the handlers' competence.
        collective_factor: Factor on the resolution probability of collective petitions.
        repeat_prob, escalate_prob: Fates of an unresolved petition.
        refile_days: Mean delay of a repeat or escalation after its parent closed (days).
    """

    service_days: np.ndarray
    delay_days: np.ndarray
    accept_days: float = 15.0
    conclude_days: float = 60.0
    extension_days: float = 30.0
    extension_prob: float = 0.0
    resolve_base: tuple[float, float] = (1.0, 1.0)
    resolve_elasticity: float = 0.0
    collective_factor: float = 1.0
    repeat_prob: float = 0.0
    escalate_prob: float = 0.0
    refile_days: float = 0.0

    @classmethod
    def from_params(cls, p: PetitionParams) -> LoopConfig:
        """The configuration of a scenario's ``petitions`` section."""
        return cls(
            service_days=np.asarray(p.service_days, dtype=float),
            delay_days=np.asarray(p.delay_days, dtype=float),
            accept_days=p.accept_days, conclude_days=p.conclude_days,
            extension_days=p.extension_days, extension_prob=p.extension_prob,
            resolve_base=(p.resolve_base, p.resolve_county),
            resolve_elasticity=p.resolve_elasticity,
            collective_factor=p.collective_resolve_factor,
            repeat_prob=p.repeat_prob, escalate_prob=p.escalate_prob,
            refile_days=p.refile_days,
        )

    @classmethod
    def queues_only(cls, service_days, delay_days=None) -> LoopConfig:
        """Pure queues: every petition resolved, no repeats, no escalations (for validation)."""
        sd = np.asarray(service_days, dtype=float)
        dd = np.zeros(N_STAGES) if delay_days is None else np.asarray(delay_days, dtype=float)
        return cls(service_days=sd, delay_days=dd)


def _group_rank(keys: np.ndarray) -> np.ndarray:
    """Rank of each element within its run of equal ``keys`` (keys sorted), from 0."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n, dtype=np.int64) - first


class PetitionLoop:
    """The six-stage queueing network of a county's petition work (see the module docstring).

    A pure engine: no model, only records, staffing and a random generator; the mechanism
    (:class:`PetitionMechanism`) feeds it filings and staffing each week.

    Args:
        config: Service, clock and outcome parameters.
        n_units: Handling units (townships, plus the county bureau if any).
        rng: The loop's random stream.
        county_unit: Unit index of the county bureau (escalations go there), or None
            (escalated petitions leave the model).
        t0: Start time (days).

    Attributes:
        rec: The :class:`PetitionRecords`.
        servers: Servers per stage and unit, shape ``(6, n_units)`` (int).
        speed: Service-rate multiplier per server, per stage and unit, ``(6, n_units)``.
        competence: Handlers' competence (for the resolution probability), ``(6, n_units)``.
        clock: End of the last processed period (days).
        n_filed, n_closed: Cumulative counts (petitions filed before ``clock``; closed).
        closed_last: Petitions closed in the last :meth:`advance` (indices).
        concluded_last: Petitions concluded (research and handle ended) in the last advance.
    """

    def __init__(self, config: LoopConfig, n_units: int, rng: np.random.Generator, *,
                 county_unit: int | None = None, t0: float = 0.0):
        self.cfg = config
        self.rng = rng
        self.rec = PetitionRecords()
        self.n_units = int(n_units)
        self.county_unit = county_unit
        self.servers = np.ones((N_STAGES, self.n_units), dtype=np.int64)
        self.speed = np.ones((N_STAGES, self.n_units))
        self.competence = self.speed
        self.clock = float(t0)
        self.n_filed = 0
        self.n_closed = 0
        self.closed_last = np.zeros(0, dtype=np.int64)
        self.concluded_last = np.zeros(0, dtype=np.int64)
        self.rounds_last = 0

    # -- inputs -----------------------------------------------------------------------------

    def set_staffing(self, servers: np.ndarray, speed: np.ndarray | None = None,
                     competence: np.ndarray | None = None) -> None:
        """Servers (cadres), their service speed and competence per stage and unit.

        Args:
            servers: Servers, shape ``(6, n_units)`` (int, >= 0).
            speed: Service-rate multiplier per server (default 1).
            competence: Handlers' competence for the resolution probability (default
                ``speed``; differs when the speed is rescaled for a sampled population).
        """
        servers = np.asarray(servers)
        if servers.shape != (N_STAGES, self.n_units):
            raise ValueError(f"servers must have shape {(N_STAGES, self.n_units)}, "
                             f"got {servers.shape}")
        if np.any(servers < 0):
            raise ValueError("servers must be >= 0")
        self.servers = servers.astype(np.int64)
        if speed is None:
            speed = np.ones((N_STAGES, self.n_units))
        speed = np.asarray(speed, dtype=float)
        if speed.shape != (N_STAGES, self.n_units) or np.any(~(speed > 0)):
            raise ValueError("speed must be positive with shape (6, n_units)")
        self.speed = speed
        self.competence = speed if competence is None else np.asarray(competence, dtype=float)

    def file(self, times: np.ndarray, unit: np.ndarray | int, *, village: Any = -1,
             filer: Any = -1, kind: Any = Kind.INDIVIDUAL, size: Any = 1,
             level: Any = Level.TOWNSHIP, parent: Any = -1) -> np.ndarray:
        """File petitions at ``times`` (days, not before :attr:`clock`); return their indices.

        Scalars broadcast. Filed petitions enter the first stage's queue of ``unit`` at their
        filing time and are counted as filed once :meth:`advance` passes that time.
        """
        times = np.atleast_1d(np.asarray(times, dtype=float))
        k = len(times)
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        if np.any(times < self.clock - 1e-9) or not np.all(np.isfinite(times)):
            raise ValueError(f"filing times must be finite and >= the clock ({self.clock})")
        unit = np.broadcast_to(np.asarray(unit, dtype=np.int64), (k,))
        if np.any((unit < 0) | (unit >= self.n_units)):
            raise ValueError(f"units must be in 0..{self.n_units - 1}")
        idx = self.rec.add(k, filed=times, unit=unit, village=village, filer=filer, kind=kind,
                           size=size, level=level, parent=parent, stage=0,
                           outcome=Outcome.OPEN)
        self.rec._a["entry"][idx, 0] = times
        return idx

    def remap_units(self, mapping: np.ndarray, n_units: int,
                    county_unit: int | None = None) -> None:
        """Move every open (or scheduled) petition to unit ``mapping[unit]`` (e.g. the reform
        merging townships); the queues' order (by entry time) is kept. Staffing is reset to one
        server per stage and unit until :meth:`set_staffing` is called."""
        mapping = np.asarray(mapping, dtype=np.int64)
        r = self.rec
        open_ = r.stage < CLOSED
        r.unit[open_] = mapping[r.unit[open_]]
        self.n_units = int(n_units)
        self.county_unit = county_unit
        self.servers = np.ones((N_STAGES, self.n_units), dtype=np.int64)
        self.speed = np.ones((N_STAGES, self.n_units))
        self.competence = self.speed

    # -- the week ---------------------------------------------------------------------------

    def advance(self, t1: float) -> np.ndarray:
        """Process ``[clock, t1)``: every stage in order, then the closures (see module doc).

        Returns:
            Indices of the petitions closed in the period (also :attr:`closed_last`).
        """
        t0 = self.clock
        if t1 < t0:
            raise ValueError(f"t1 ({t1}) is before the clock ({t0})")
        closed: list[np.ndarray] = []
        self.rounds_last = 0
        self.concluded_last = np.zeros(0, dtype=np.int64)
        for s in range(N_STAGES):
            self._serve(s, t0, t1)
            closed.append(self._leave(s, t1))
        self.closed_last = np.concatenate(closed)
        r = self.rec
        self.n_filed += int(np.count_nonzero((r.filed >= t0) & (r.filed < t1)))
        self.n_closed += len(self.closed_last)
        self.clock = float(t1)
        self.check()
        return self.closed_last

    def _serve(self, s: int, t0: float, t1: float) -> None:
        """Start every service of stage ``s`` that begins before ``t1`` (exact FCFS M/M/c)."""
        r = self.rec
        idx = np.flatnonzero(r.stage == s)
        if len(idx) == 0:
            return
        a = r._a
        q_all = a["unit"][idx].astype(np.int64)
        start = a["start"][idx, s]
        c = self.servers[s]
        n_q = self.n_units
        cmax = max(int(c.max()), 1)
        col = np.arange(cmax)
        # Server free times: idle servers from t0; +inf marks a server the unit does not have.
        free = np.where(col[None, :] < c[:, None], t0, np.inf)
        busy = ~np.isnan(start) & (a["done"][idx, s] > t0)
        if busy.any():
            bq, bd = q_all[busy], a["done"][idx[busy], s]
            o = np.lexsort((-bd, bq))
            bq, bd = bq[o], bd[o]
            rk = _group_rank(bq)
            keep = rk < c[bq]  # only the last c services to finish free a server
            free[bq[keep], rk[keep]] = bd[keep]
        wait = np.isnan(start) & (c[q_all] > 0)
        w = idx[wait]
        if len(w) == 0:
            return
        e_w = a["entry"][w, s]
        o = np.lexsort((w, e_w, q_all[wait]))
        w, wq, we = w[o], q_all[wait][o], e_w[o]
        scale = self.cfg.service_days[s] / self.speed[s]
        delay = float(self.cfg.delay_days[s])
        rng = self.rng
        while len(w):
            self.rounds_last += 1
            fs = np.sort(free, axis=1)
            rk = _group_rank(wq)
            ci = np.flatnonzero(rk < c[wq])
            cq, cr, ce = wq[ci], rk[ci], we[ci]
            f = fs[cq, cr]
            st = np.maximum(ce, f)
            ok = st < t1
            comp = np.full(len(ci), np.inf)
            n_ok = int(ok.sum())
            comp[ok] = st[ok] + rng.exponential(size=n_ok) * scale[cq[ok]]
            # m = earliest end among the services paired earlier in the same queue this round.
            cm = np.full((n_q, cmax), np.inf)
            cm[cq, cr] = comp
            m = np.full((n_q, cmax), np.inf)
            if cmax > 1:
                m[:, 1:] = np.minimum.accumulate(cm, axis=1)[:, :-1]
            valid = ok & ((f <= m[cq, cr]) | (ce >= f))
            vm = np.zeros((n_q, cmax), dtype=bool)
            vm[cq, cr] = valid
            acc = np.logical_and.accumulate(vm, axis=1)[cq, cr]
            if not acc.any():
                break
            rows = w[ci[acc]]
            a["start"][rows, s] = st[acc]
            a["done"][rows, s] = comp[acc]
            ex = comp[acc]
            if delay > 0:
                ex = ex + rng.exponential(delay, size=len(rows))
            a["exit"][rows, s] = ex
            fs[cq[acc], cr[acc]] = comp[acc]
            free = fs
            # Queues whose head cannot start before t1 are done for the period.
            stuck = np.zeros(n_q, dtype=bool)
            stuck[cq[(cr == 0) & ~ok]] = True
            keep = np.ones(len(w), dtype=bool)
            keep[ci[acc]] = False
            keep &= ~stuck[wq]
            w, wq, we = w[keep], wq[keep], we[keep]

    def _leave(self, s: int, t1: float) -> np.ndarray:
        """Move petitions whose stage ``s`` ends before ``t1`` on; return those that closed."""
        a, r, cfg, rng = self.rec._a, self.rec, self.cfg, self.rng
        n = r.n
        ex = a["exit"][:n, s]
        out = np.flatnonzero((r.stage == s) & (ex < t1))
        if len(out) == 0:
            return np.zeros(0, dtype=np.int64)
        t_out = ex[out]
        if s == ACCEPT_STAGE and cfg.extension_prob > 0:
            a["extended"][out] = rng.random(len(out)) < cfg.extension_prob
        if s == CONCLUDE_STAGE:
            base = np.asarray(cfg.resolve_base, dtype=float)[a["level"][out]]
            sp = self.competence[s][a["unit"][out]]
            p = base * sp ** cfg.resolve_elasticity
            p = np.where(a["kind"][out] == Kind.COLLECTIVE, p * cfg.collective_factor, p)
            a["resolved"][out] = rng.random(len(out)) < np.clip(p, 0.0, 1.0)
            self.concluded_last = out
        if s < N_STAGES - 1:
            a["stage"][out] = s + 1
            a["entry"][out, s + 1] = t_out
            return np.zeros(0, dtype=np.int64)
        return self._close(out, t_out)

    def _close(self, out: np.ndarray, t_out: np.ndarray) -> np.ndarray:
        a, cfg, rng = self.rec._a, self.cfg, self.rng
        a["stage"][out] = CLOSED
        a["closed"][out] = t_out
        res = a["resolved"][out]
        u = rng.random(len(out))
        outcome = np.full(len(out), Outcome.UNRESOLVED, dtype=np.int8)
        outcome[res] = Outcome.RESOLVED
        rep = ~res & (u < cfg.repeat_prob)
        esc = ~res & ~rep & (u < cfg.repeat_prob + cfg.escalate_prob)
        outcome[rep] = Outcome.REPEATED
        outcome[esc] = Outcome.ESCALATED
        a["outcome"][out] = outcome
        # Children: repeats at the same unit; escalations from a township go to the county.
        to_county = esc & (a["level"][out] == Level.TOWNSHIP) & (self.county_unit is not None)
        kid = rep | to_county
        if kid.any():
            par = out[kid]
            k = len(par)
            delay = rng.exponential(cfg.refile_days, size=k) if cfg.refile_days > 0 else 0.0
            lvl = np.where(to_county[kid], Level.COUNTY, a["level"][par]).astype(np.int8)
            unit = np.where(to_county[kid], -1 if self.county_unit is None else self.county_unit,
                            a["unit"][par])
            times = t_out[kid] + delay
            idx = self.rec.add(k, filed=times, unit=unit, village=a["village"][par],
                               filer=a["filer"][par], kind=a["kind"][par], size=a["size"][par],
                               level=lvl, parent=par, stage=0, outcome=Outcome.OPEN)
            a = self.rec._a  # add() may have reallocated
            a["entry"][idx, 0] = times
            a["child"][par] = idx
        return out

    # -- accounting -------------------------------------------------------------------------

    @property
    def n_open(self) -> int:
        """Petitions filed before the clock and not closed."""
        r = self.rec
        return int(np.count_nonzero((r.filed < self.clock) & (r.stage < CLOSED)))

    @property
    def n_scheduled(self) -> int:
        """Repeats and escalations due to be filed after the clock."""
        return int(np.count_nonzero(self.rec.filed >= self.clock))

    def check(self) -> None:
        """Assert conservation: ``filed = closed + open``, consistent with the records.

        Raises:
            AssertionError: A petition was lost or double-counted.
        """
        r = self.rec
        n_open, n_sched = self.n_open, self.n_scheduled
        closed_rec = int(np.count_nonzero(r.stage == CLOSED))
        assert self.n_filed == self.n_closed + n_open, (
            f"petitions not conserved: filed {self.n_filed} != closed {self.n_closed} + "
            f"open {n_open}")
        assert closed_rec == self.n_closed == int(np.count_nonzero(r.outcome != Outcome.OPEN)), (
            "closed count and outcomes disagree")
        assert self.n_filed + n_sched == r.n, "records neither filed nor scheduled"

    def open_overdue(self, idx: np.ndarray, t: float | None = None) -> np.ndarray:
        """Whether open petitions ``idx`` are past a statutory deadline at ``t`` (bool)."""
        return overdue_at(self.rec, np.asarray(idx, dtype=np.int64),
                          self.clock if t is None else t, self.cfg)


# ---------------------------------------------------------------------------------------------
# Staffing
# ---------------------------------------------------------------------------------------------


def scale_staffing(servers: np.ndarray, scale: float) -> np.ndarray:
    """Servers of a queue for a simulated population ``scale`` times the county's.

    ``c' = max(1, ⌈c × scale⌉)`` (0 stays 0) at unchanged speed: service times stay those of
    the full county and utilisation is at most the full county's (equal when ``c × scale`` is
    a whole number). Scaling the speed down instead would keep utilisation but stretch every
    service by ``1 / scale``. Identity at scale 1.
    """
    servers = np.asarray(servers, dtype=np.int64)
    if scale >= 1.0:
        return servers.copy()
    return np.where(servers > 0, np.maximum(1, np.ceil(servers * scale - 1e-9)),
                    0).astype(np.int64)


def fixed_staffing(p: PetitionParams, n_townships: int) -> tuple[np.ndarray, np.ndarray]:
    """``(servers, speed)`` of shape ``(6, n_townships + 1)`` from the parameters alone
    (townships: ``servers_township``; the last unit is the county bureau)."""
    servers = np.empty((N_STAGES, n_townships + 1), dtype=np.int64)
    servers[:, :n_townships] = np.asarray(p.servers_township, dtype=np.int64)[:, None]
    servers[:, n_townships] = p.servers_county
    speed = np.ones(servers.shape)
    speed[:, n_townships] = p.county_speed
    return servers, speed


def cadre_staffing(n: np.ndarray, competence: np.ndarray,
                   p: PetitionParams) -> tuple[np.ndarray, np.ndarray]:
    """``(servers, speed)`` of shape ``(6, T + 1)`` from the cadres' petition staff.

    Args:
        n: Petition cadres per township and stage, shape ``(T, 6)``
            (:func:`mergesim.mechanisms.cadres.selection.petition_staff_by_township`).
        competence: Their mean competence, ``(T, 6)`` (NaN where none: speed 1).
        p: The ``petitions`` section (``min_servers``, county bureau).
    """
    n = np.asarray(n)
    t = n.shape[0]
    servers = np.empty((N_STAGES, t + 1), dtype=np.int64)
    servers[:, :t] = np.maximum(np.rint(n).astype(np.int64), p.min_servers).T
    servers[:, t] = p.servers_county
    speed = np.ones(servers.shape)
    comp = np.nan_to_num(np.asarray(competence, dtype=float).T, nan=1.0)
    speed[:, :t] = np.where(comp > 0, comp, 1.0)
    speed[:, t] = p.county_speed
    return servers, speed


# ---------------------------------------------------------------------------------------------
# Metrics (pure functions of the records; times in days)
# ---------------------------------------------------------------------------------------------


def _in(x: np.ndarray, t0: float, t1: float) -> np.ndarray:
    return (x >= t0) & (x < t1)


def _nan_stat(x: np.ndarray, fn: Callable[[np.ndarray], float]) -> float:
    return float(fn(x)) if len(x) else math.nan


def overdue_at(rec: PetitionRecords, idx: np.ndarray, t: float, cfg: LoopConfig) -> np.ndarray:
    """Whether petitions ``idx``, open at ``t``, are past a deadline at ``t`` (bool array).

    Not yet accepted: ``t − filed > accept_days``; accepted, not concluded:
    ``t − accepted > conclude_days (+ extension_days if extended)``.
    """
    filed = rec.filed[idx]
    acc = rec.exit[idx, ACCEPT_STAGE]
    con = rec.exit[idx, CONCLUDE_STAGE]
    accepted = acc <= t
    concluded = con <= t
    limit = cfg.conclude_days + cfg.extension_days * rec.extended[idx]
    late_accept = ~accepted & (t - filed > cfg.accept_days)
    late_conclude = accepted & ~concluded & (t - np.where(accepted, acc, t) > limit)
    return late_accept | late_conclude


def petition_rates(rec: PetitionRecords, t0: float, t1: float,
                   n_villagers: int) -> dict[str, float]:
    """Petitions filed in ``[t0, t1)`` per 10,000 villagers per year.

    Keys: ``individual``, ``collective``, ``all`` (every filing, repeats and escalations
    included), ``first`` (first filings only: no parent).
    """
    per = 10_000.0 / max(n_villagers, 1) * DAYS_PER_YEAR / max(t1 - t0, 1e-12)
    f = _in(rec.filed, t0, t1)
    return {
        "individual": per * np.count_nonzero(f & (rec.kind == Kind.INDIVIDUAL)),
        "collective": per * np.count_nonzero(f & (rec.kind == Kind.COLLECTIVE)),
        "all": per * np.count_nonzero(f),
        "first": per * np.count_nonzero(f & (rec.parent < 0)),
    }


def backlog_by_stage(rec: PetitionRecords, t: float) -> dict[str, np.ndarray]:
    """Open petitions in each stage at time ``t``, from the timestamps (any past ``t``).

    Returns:
        ``{"in_stage": (6,), "waiting": (6,)}``: petitions that entered the stage and have not
        left it at ``t``, and those of them whose service has not started.
    """
    entry, start, exit_ = rec.entry, rec.start, rec.exit
    with np.errstate(invalid="ignore"):
        inside = (entry <= t) & ~(exit_ <= t)
        waiting = (entry <= t) & ~(start <= t)
    return {"in_stage": inside.sum(axis=0), "waiting": waiting.sum(axis=0)}


def closing_metrics(rec: PetitionRecords, t0: float, t1: float,
                    cfg: LoopConfig | None = None) -> dict[str, float]:
    """Days to close and the clock, for petitions closed (or accepted / concluded) in
    ``[t0, t1)``.

    Keys: ``closed`` (count), ``days_to_close_mean``, ``days_to_close_p90``,
    ``closed_within_60_share`` (closed − filed ≤ ``conclude_days``), outcome shares
    ``resolved_share``, ``unresolved_share``, ``repeat_share``, ``escalation_share`` (of the
    closed), ``accept_overdue_share`` (of those accepted in the window: took more than
    ``accept_days``), ``conclude_overdue_share`` (of those concluded in the window: more than
    ``conclude_days`` from acceptance, ``+ extension_days`` if extended), ``extension_used_share``
    (of those concluded: extended and past ``conclude_days``). NaN where nothing qualifies.
    """
    cfg = cfg or LoopConfig.queues_only(np.zeros(N_STAGES))
    c = np.flatnonzero(_in(rec.closed, t0, t1))
    d = rec.closed[c] - rec.filed[c]
    out: dict[str, float] = {
        "closed": float(len(c)),
        "days_to_close_mean": _nan_stat(d, np.mean),
        "days_to_close_p90": _nan_stat(d, lambda x: np.percentile(x, 90)),
        "closed_within_60_share": _nan_stat(d <= cfg.conclude_days, np.mean),
    }
    oc = rec.outcome[c]
    for name, o in (("resolved", Outcome.RESOLVED), ("unresolved", Outcome.UNRESOLVED),
                    ("repeat", Outcome.REPEATED), ("escalation", Outcome.ESCALATED)):
        out[f"{name}_share"] = _nan_stat(oc == o, np.mean)
    acc_t = rec.exit[:, ACCEPT_STAGE]
    a = np.flatnonzero(_in(acc_t, t0, t1))
    out["accept_overdue_share"] = _nan_stat(acc_t[a] - rec.filed[a] > cfg.accept_days, np.mean)
    con_t = rec.exit[:, CONCLUDE_STAGE]
    k = np.flatnonzero(_in(con_t, t0, t1))
    took = con_t[k] - acc_t[k]
    ext = rec.extended[k]
    out["conclude_overdue_share"] = _nan_stat(
        took > cfg.conclude_days + cfg.extension_days * ext, np.mean)
    out["extension_used_share"] = _nan_stat(ext & (took > cfg.conclude_days), np.mean)
    return out


def hot_spots(rec: PetitionRecords, t0: float, t1: float, n_villages: int, k: int = 34,
              township_of_village: np.ndarray | None = None,
              k_towns: int = 5) -> dict[str, list[tuple[int, int]]]:
    """Villages (and townships) with the most petitions filed in ``[t0, t1)``.

    Every filing counts once (a collective petition once, repeats again). Ties break by the
    lower index. Compare with the report's risk watch: 34 key villages, 5 key towns.

    Returns:
        ``{"villages": [(village, count), ...]}`` (top ``k`` with count > 0) and, when
        ``township_of_village`` is given, ``"townships"`` (top ``k_towns``).
    """
    f = _in(rec.filed, t0, t1) & (rec.village >= 0)
    counts = np.bincount(rec.village[f], minlength=n_villages)

    def top(cnt: np.ndarray, kk: int) -> list[tuple[int, int]]:
        o = np.lexsort((np.arange(len(cnt)), -cnt))[:kk]
        return [(int(i), int(cnt[i])) for i in o if cnt[i] > 0]

    out = {"villages": top(counts, k)}
    if township_of_village is not None:
        tv = np.asarray(township_of_village, dtype=np.int64)
        out["townships"] = top(np.bincount(tv, weights=counts,
                                           minlength=int(tv.max()) + 1).astype(np.int64),
                               k_towns)
    return out


#: Default weights and reference levels of :func:`stability_index`.
STABILITY_DEFAULTS = {
    "weights": (0.25, 0.15, 0.25, 0.2, 0.15),
    "rate_ref": 100.0,  # petitions / 10,000 / year at which the rate term saturates
    "collective_ref": 5.0,  # collective petitions / 10,000 / year at saturation
    "aggrieved_ref": 0.1,  # share of villagers above threshold at saturation
}


def stability_index(rate_all: float, rate_collective: float, aggrieved_share: float,
                    closed_within_60_share: float, escalation_share: float, *,
                    weights: tuple[float, ...] = STABILITY_DEFAULTS["weights"],
                    rate_ref: float = STABILITY_DEFAULTS["rate_ref"],
                    collective_ref: float = STABILITY_DEFAULTS["collective_ref"],
                    aggrieved_ref: float = STABILITY_DEFAULTS["aggrieved_ref"]) -> float:
    """Composite stability index in [0, 1] (1 = no petitions, nobody aggrieved, all closed in
    time, nothing escalated).

    ``S = 1 − Σ_j w_j x_j / Σ_j w_j`` over the available terms, with pressures ``x_j ∈ [0, 1]``:

    1. ``min(1, rate_all / rate_ref)`` — petitions per 10,000 villagers per year;
    2. ``min(1, rate_collective / collective_ref)`` — collective petitions (mass incidents are
       what the risk watch fears most);
    3. ``min(1, aggrieved_share / aggrieved_ref)`` — villagers above their threshold;
    4. ``1 − closed_within_60_share`` — the loop's failure to close in time;
    5. ``escalation_share`` — petitions pushed up to the county or beyond.

    A NaN term (e.g. nothing closed in the window) is left out of both sums. Default weights
    (0.25, 0.15, 0.25, 0.2, 0.15) and references (100, 5 per 10,000 a year; 10 % aggrieved)
    are assumptions; they make a county at the background rate (~20 per 10,000) with prompt
    closing score about 0.9.
    """
    x = np.array([
        min(1.0, rate_all / rate_ref) if np.isfinite(rate_all) else np.nan,
        min(1.0, rate_collective / collective_ref) if np.isfinite(rate_collective) else np.nan,
        min(1.0, aggrieved_share / aggrieved_ref) if np.isfinite(aggrieved_share) else np.nan,
        1.0 - closed_within_60_share if np.isfinite(closed_within_60_share) else np.nan,
        escalation_share if np.isfinite(escalation_share) else np.nan,
    ])
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(x)
    if not ok.any() or w[ok].sum() <= 0:
        return math.nan
    return float(1.0 - np.sum(w[ok] * np.clip(x[ok], 0, 1)) / w[ok].sum())


def petition_summary(loop: PetitionLoop, t0: float, t1: float,
                     n_villagers: int) -> dict[str, Any]:
    """Every petition metric of the window ``[t0, t1)`` (days) in one flat dict.

    Rates (per 10,000 per year), closing and clock metrics, and the backlog per stage at
    ``t1`` (``backlog_<stage>``; ``backlog`` in total) and open overdue petitions at ``t1``.
    """
    rec = loop.rec
    out: dict[str, Any] = {}
    for k, v in petition_rates(rec, t0, t1, n_villagers).items():
        out[f"petitions_{k}_per10k"] = v
    out.update(closing_metrics(rec, t0, t1, loop.cfg))
    t = min(t1, loop.clock)
    bl = backlog_by_stage(rec, t)
    for s, name in enumerate(STAGES):
        out[f"backlog_{name}"] = int(bl["in_stage"][s])
    out["backlog"] = int(bl["in_stage"].sum())
    open_ = np.flatnonzero((rec.filed < t) & ~(rec.closed <= t))
    out["open_overdue"] = int(overdue_at(rec, open_, t, loop.cfg).sum())
    return out


# ---------------------------------------------------------------------------------------------
# The mechanism
# ---------------------------------------------------------------------------------------------

#: A staffing hook: model → (servers, speed), each of shape (6, n_townships_now + 1).
StaffingHook = Callable[["MergerModel"], tuple[np.ndarray, np.ndarray]]


class PetitionMechanism(Mechanism):
    """The petition loop of a run: townships (current) plus the county bureau as units.

    Units ``0 .. T-1`` are the townships in force (old before the reform, new after; open
    petitions move with their township at the reform week), unit ``T`` the county bureau.

    Inputs the model provides: ``model.timeline`` (reform week), ``model.plan``
    (``township_to_new``), ``model.administrative_township()``, ``model.villagers.n`` and,
    with ``petitions.staffing = "cadres"``, the cadre mechanism as ``model.cadres`` (its
    ``pool`` feeds :func:`~mergesim.mechanisms.cadres.selection.petition_staff_by_township`). A custom
    :attr:`staffing_hook` overrides both.

    Filings come from the grievance mechanism through :meth:`file_petitions` (before this
    mechanism's ``step`` in the same week).

    Attributes:
        loop: The :class:`PetitionLoop`.
        staffing_hook: Optional callable ``model → (servers, speed)``, shapes ``(6, T + 1)``.
        weekly: This week's counts (filed, closed, backlog per stage, open overdue, rounds).
    """

    name = "petitions"

    def __init__(self, staffing_hook: StaffingHook | None = None):
        self.staffing_hook = staffing_hook

    def setup(self, model: MergerModel) -> None:
        self.p = model.config.petitions
        self._rng = model.streams.generator(self.name)
        t = model.county.n_townships
        self.loop = PetitionLoop(LoopConfig.from_params(self.p), t + 1, self._rng,
                                 county_unit=t, t0=0.0)
        self.scale = model.villagers.n / max(int(model.county.population.sum()), 1)
        self.reformed = False
        self.weekly: dict[str, Any] = {}

    def on_phase(self, model: MergerModel, week: int) -> None:
        if self.reformed or week < model.timeline.reform_week:
            return
        t2n = np.asarray(model.plan.township_to_new, dtype=np.int64)
        n_new = model.plan.n_new_townships
        self.loop.remap_units(np.r_[t2n, n_new], n_new + 1, county_unit=n_new)
        self.reformed = True

    def staffing(self, model: MergerModel) -> tuple[np.ndarray, np.ndarray]:
        """Full-scale ``(servers, speed)`` for the units in force (before scaling)."""
        if self.staffing_hook is not None:
            return self.staffing_hook(model)
        n_t = self.loop.n_units - 1
        if self.p.staffing == "fixed":
            return fixed_staffing(self.p, n_t)
        cadres = getattr(model, "cadres", None)
        pool = getattr(cadres, "pool", None)
        if pool is None:
            raise RuntimeError("petitions.staffing = 'cadres' needs the cadres mechanism "
                               "(model.cadres with a pool); set petitions.staffing = 'fixed'")
        from mergesim.mechanisms.cadres.selection import petition_staff_by_township

        n, comp = petition_staff_by_township(pool)
        if n.shape[0] != n_t:
            raise RuntimeError(f"cadre pool has {n.shape[0]} townships, the petition loop "
                               f"{n_t}: the reform must reach both in the same week")
        return cadre_staffing(n, comp, self.p)

    def unit_of_village(self, model: MergerModel, village: np.ndarray) -> np.ndarray:
        """Township unit now handling petitions from ``village`` (old village indices)."""
        return np.asarray(model.administrative_township(), dtype=np.int64)[village]

    def file_petitions(self, model: MergerModel, times: np.ndarray, village: np.ndarray, *,
                       filer: Any = -1, kind: Any = Kind.INDIVIDUAL,
                       size: Any = 1) -> np.ndarray:
        """File petitions from ``village`` at ``times`` (days) with their township; indices."""
        village = np.asarray(village, dtype=np.int64)
        return self.loop.file(times, self.unit_of_village(model, village), village=village,
                              filer=filer, kind=kind, size=size, level=Level.TOWNSHIP)

    def step(self, model: MergerModel) -> None:
        servers, speed = self.staffing(model)
        self.loop.set_staffing(scale_staffing(servers, self.scale), speed)
        t0 = model.week * DAYS_PER_WEEK
        if self.loop.clock < t0:  # weeks before the mechanism was attached
            self.loop.clock = t0
        t1 = t0 + DAYS_PER_WEEK
        n_before = self.loop.n_filed
        closed = self.loop.advance(t1)
        rec = self.loop.rec
        bl = np.bincount(rec.stage[(rec.stage < CLOSED) & (rec.filed < t1)],
                         minlength=N_STAGES)
        open_ = np.flatnonzero((rec.stage < CLOSED) & (rec.filed < t1))
        self.weekly = {
            "filed": self.loop.n_filed - n_before,
            "closed": len(closed),
            "open": self.loop.n_open,
            "backlog": bl[:N_STAGES],
            "open_overdue": int(self.loop.open_overdue(open_).sum()),
            "rounds": self.loop.rounds_last,
        }

    def summary(self, t0: float, t1: float, n_villagers: int) -> dict[str, Any]:
        """:func:`petition_summary` of ``[t0, t1)`` (days)."""
        return petition_summary(self.loop, t0, t1, n_villagers)


__all__ = [
    "ACCEPT_STAGE", "CLOSED", "CONCLUDE_STAGE", "N_STAGES", "OUTCOME_NAMES", "STAGES",
    "STAGE_LABELS", "STABILITY_DEFAULTS", "Kind", "Level", "LoopConfig", "Outcome",
    "PetitionLoop", "PetitionMechanism", "PetitionRecords", "backlog_by_stage",
    "cadre_staffing", "closing_metrics", "fixed_staffing", "hot_spots", "overdue_at",
    "petition_rates", "petition_summary", "scale_staffing", "stability_index",
]
