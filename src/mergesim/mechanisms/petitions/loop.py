"""The petition loop (信访): the six-step closed loop as a vectorised network of stage queues.

A pure engine (:class:`PetitionLoop`): records (:mod:`~mergesim.mechanisms.petitions.records`),
staffing per stage and unit, one random generator; no model.

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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.petitions.records import (
    ACCEPT_STAGE,
    CLOSED,
    CONCLUDE_STAGE,
    N_STAGES,
    Cause,
    Kind,
    Level,
    Outcome,
    PetitionRecords,
)


@dataclass(frozen=True)
class LoopConfig:
    """The loop's parameters in array form (see :class:`~mergesim.config.schema.PetitionParams`).

    Build it from a scenario's ``petitions`` section (:meth:`from_params`), or as pure queues
    with that section's clock (:meth:`queues_only`); every field is required, so no value of the
    schema is repeated here.

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
    accept_days: float
    conclude_days: float
    extension_days: float
    extension_prob: float
    resolve_base: tuple[float, float]
    resolve_elasticity: float
    collective_factor: float
    repeat_prob: float
    escalate_prob: float
    refile_days: float

    @classmethod
    def from_params(cls, p: PetitionParams) -> LoopConfig:
        """The configuration of a scenario's ``petitions`` section."""
        return cls(
            service_days=np.asarray(p.service_days, dtype=float),
            delay_days=np.asarray(p.delay_days, dtype=float),
            accept_days=p.accept_days,
            conclude_days=p.conclude_days,
            extension_days=p.extension_days,
            extension_prob=p.extension_prob,
            resolve_base=(p.resolve_base, p.resolve_county),
            resolve_elasticity=p.resolve_elasticity,
            collective_factor=p.collective_resolve_factor,
            repeat_prob=p.repeat_prob,
            escalate_prob=p.escalate_prob,
            refile_days=p.refile_days,
        )

    @classmethod
    def queues_only(
        cls, p: PetitionParams, service_days: Any, delay_days: Any = None
    ) -> LoopConfig:
        """Pure queues with the statutory clock of ``p`` (for validation).

        Every petition is resolved (whatever the handlers' competence), none is approved as
        complex, repeated or escalated, so the loop is a tandem of M/M/c stages (and M/M/∞
        delays).

        Args:
            p: The ``petitions`` section (its deadlines; its other values are not used).
            service_days: Mean service per stage (6 values, days).
            delay_days: Mean pure delay per stage (default none).
        """
        sd = np.asarray(service_days, dtype=float)
        dd = np.zeros(N_STAGES) if delay_days is None else np.asarray(delay_days, dtype=float)
        return dataclasses.replace(
            cls.from_params(p),
            service_days=sd,
            delay_days=dd,
            extension_prob=0.0,
            resolve_base=(1.0, 1.0),
            resolve_elasticity=0.0,
            collective_factor=1.0,
            repeat_prob=0.0,
            escalate_prob=0.0,
            refile_days=0.0,
        )


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
    (:class:`~mergesim.mechanisms.petitions.mechanism.PetitionMechanism`) feeds it
    filings and staffing each week.

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

    def __init__(
        self,
        config: LoopConfig,
        n_units: int,
        rng: np.random.Generator,
        *,
        county_unit: int | None = None,
        t0: float = 0.0,
    ):
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

    def set_staffing(
        self,
        servers: np.ndarray,
        speed: np.ndarray | None = None,
        competence: np.ndarray | None = None,
    ) -> None:
        """Servers (cadres), their service speed and competence per stage and unit.

        Args:
            servers: Servers, shape ``(6, n_units)`` (int, >= 0).
            speed: Service-rate multiplier per server (default 1).
            competence: Handlers' competence for the resolution probability (default
                ``speed``; differs when the speed is rescaled for a sampled population).
        """
        servers = np.asarray(servers)
        if servers.shape != (N_STAGES, self.n_units):
            raise ValueError(
                f"servers must have shape {(N_STAGES, self.n_units)}, got {servers.shape}"
            )
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

    def file(
        self,
        times: np.ndarray,
        unit: np.ndarray | int,
        *,
        village: Any = -1,
        filer: Any = -1,
        kind: Any = Kind.INDIVIDUAL,
        size: Any = 1,
        level: Any = Level.TOWNSHIP,
        parent: Any = -1,
        cause: Any = Cause.BACKGROUND,
        domain: Any = -1,
    ) -> np.ndarray:
        """File petitions at ``times`` (days, not before :attr:`clock`); return their indices.

        Scalars broadcast. ``cause`` (:class:`Cause`) and ``domain`` say what a petition is
        about (a queue alone does not care). Filed petitions enter the first stage's queue of
        ``unit`` at their filing time and are counted as filed once :meth:`advance` passes
        that time.
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
        idx = self.rec.add(
            k,
            filed=times,
            unit=unit,
            village=village,
            filer=filer,
            kind=kind,
            size=size,
            level=level,
            parent=parent,
            cause=cause,
            domain=domain,
            stage=0,
            outcome=Outcome.OPEN,
        )
        self.rec._a["entry"][idx, 0] = times
        return idx

    def remap_units(
        self, mapping: np.ndarray, n_units: int, county_unit: int | None = None
    ) -> None:
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
            p = base * sp**cfg.resolve_elasticity
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
            unit = np.where(
                to_county[kid], -1 if self.county_unit is None else self.county_unit, a["unit"][par]
            )
            times = t_out[kid] + delay
            idx = self.rec.add(
                k,
                filed=times,
                unit=unit,
                village=a["village"][par],
                filer=a["filer"][par],
                kind=a["kind"][par],
                size=a["size"][par],
                level=lvl,
                parent=par,
                cause=a["cause"][par],
                domain=a["domain"][par],
                stage=0,
                outcome=Outcome.OPEN,
            )
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
            f"open {n_open}"
        )
        assert closed_rec == self.n_closed == int(np.count_nonzero(r.outcome != Outcome.OPEN)), (
            "closed count and outcomes disagree"
        )
        assert self.n_filed + n_sched == r.n, "records neither filed nor scheduled"

    def open_overdue(self, idx: np.ndarray, t: float | None = None) -> np.ndarray:
        """Whether open petitions ``idx`` are past a statutory deadline at ``t`` (bool)."""
        return overdue_at(
            self.rec, np.asarray(idx, dtype=np.int64), self.clock if t is None else t, self.cfg
        )


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
