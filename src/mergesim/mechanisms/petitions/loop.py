"""The petition loop (信访): the six-step closed loop as a vectorised network of stage queues.

A pure engine (:class:`PetitionLoop`): records (:mod:`~mergesim.mechanisms.petitions.records`),
staffing per stage and unit, one random generator and the week's context (access gaps,
guarantees, caseloads); no model.

**Stage queues.** Each stage of each unit (a township, or the county petition bureau) is a
queue with ``c`` identical servers (cadres; a parameter, or supplied by the cadres mechanism)
and exponential service of mean ``service_days / speed`` (speed = the servers' mean
competence), followed by an exponential *pure delay* of mean ``delay_days`` (waiting for
replies, site visits, notifications: time passes but no cadre is busy, an M/M/∞ node).
Waiting petitions are taken by their statutory deadline (``priority = "deadline"``: the
acceptance deadline ``filed + accept_days`` until accepted, the conclusion deadline after) or
first come, first served (``"fcfs"``); :mod:`~mergesim.mechanisms.petitions.queue` evaluates
either exactly, vectorised over queues. With Poisson arrivals, FCFS and no feedback a stage is
exactly an M/M/c queue and the six stages a tandem Jackson network (see
:mod:`mergesim.validation.queueing`; :meth:`LoopConfig.queues_only` is that configuration).

**Continuous time.** A week is processed stage by stage (a petition leaving stage ``s`` at
time ``t`` enters ``s + 1`` at ``t``, in the same week), so every arrival at a stage before the
week's end is known when its queue is served. Servers and speed may change from week to week.

**The statutory clock** (Regulations on Petition Work, 2022). Acceptance is decided at the end of
*classify and transfer*, deadline ``accept_days`` (15) from filing; the petition is *concluded*
at the end of *research and handle*, deadline ``conclude_days`` (60) from acceptance, plus
``extension_days`` (30) for the ``extension_prob`` of petitions approved as complex (drawn at
acceptance). The deadlines order the queues (above) and call collective incidents (below).

**Outcomes.** Every petition concluded gets a reply (formal closure); it is *resolved* with the
probability of :func:`~mergesim.mechanisms.petitions.resolution.resolve_probability` (cause,
handlers' competence and caseload, the access gap or the broken guarantee). At *close and
cancel* its outcome becomes final: ``RESOLVED``; or, if unresolved, ``REPEATED`` (probability
``repeat_prob``: a child petition is filed again at the same level), ``ESCALATED``
(``escalate_prob``: a child at the county bureau; ``skip_level_share`` of the escalations from a
township, and every escalation from the county, go beyond the county — to the city or province,
越级访 — and are counted there, flag ``beyond``) or ``UNRESOLVED``. A child is filed
``Exp(refile_days)`` after its parent closed; one filed within the week its parent closed joins
its first queue from the next week on (stage 1 has already been processed for the week).

**Collective incidents** (群体性事件). A collective petition becomes an incident with
probability ``incident_prob`` when it closes unresolved, and — one draw — when it is still open
``incident_overdue_days`` past its deadline (flags ``incident``, ``incident_t``).

**Conservation.** ``filed = closed + open`` after every week (:meth:`PetitionLoop.check`,
asserted in :meth:`PetitionLoop.advance`); children scheduled for a later week count as neither.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mergesim.mechanisms.petitions.clock import (
    LoopConfig,
    deadline_at,
    overdue_at,
    stage_deadline,
)
from mergesim.mechanisms.petitions.queue import StageQueues, serve_fcfs, serve_priority
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
from mergesim.mechanisms.petitions.resolution import resolve_probability

__all__ = ["LoopConfig", "PetitionLoop", "deadline_at", "overdue_at"]


class PetitionLoop:
    """The six-stage queueing network of a county's petition work (see the module docstring).

    A pure engine: no model, only records, staffing, the week's context and a random
    generator; the mechanism
    (:class:`~mergesim.mechanisms.petitions.mechanism.PetitionMechanism`) feeds it filings,
    staffing and context each week.

    Args:
        config: Service, clock and outcome parameters.
        n_units: Handling units (townships, plus the county bureau if any).
        rng: The loop's random stream.
        county_unit: Unit index of the county bureau (escalations go there), or None
            (every escalation goes beyond the county).
        t0: Start time (days).

    Attributes:
        rec: The :class:`PetitionRecords`.
        servers: Servers per stage and unit, shape ``(6, n_units)`` (int).
        speed: Service-rate multiplier per server, per stage and unit, ``(6, n_units)``.
        competence: Handlers' competence (for the resolution probability), ``(6, n_units)``.
        caseload: Open petitions per petition server of each unit, full scale (resolution's
            caseload penalty; zeros until :meth:`set_context`).
        access_gap: Remaining valued access loss per domain and village, or None (unknown).
        rights_broken: A guarantee is broken (rights petitions get only a remedy).
        clock: End of the last processed period (days).
        n_filed, n_closed: Cumulative counts (petitions filed before ``clock``; closed).
        closed_last: Petitions closed in the last :meth:`advance` (indices).
        concluded_last: Petitions concluded (research and handle ended) in the last advance.
        incidents_last: Petitions that became incidents in the last advance.
        arrivals: Arrivals per stage and unit in the last advance, ``(6, n_units)``.
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
        self.county_unit = county_unit
        self._units(int(n_units))
        self.access_gap: np.ndarray | None = None
        self.rights_broken = False
        self.clock = float(t0)
        self.n_filed = 0
        self.n_closed = 0
        self.closed_last = np.zeros(0, dtype=np.int64)
        self.concluded_last = np.zeros(0, dtype=np.int64)
        self.incidents_last = np.zeros(0, dtype=np.int64)
        self.rounds_last = 0

    def _units(self, n_units: int) -> None:
        self.n_units = n_units
        self.servers = np.ones((N_STAGES, n_units), dtype=np.int64)
        self.speed = np.ones((N_STAGES, n_units))
        self.competence = self.speed
        self.caseload = np.zeros(n_units)
        self.arrivals = np.zeros((N_STAGES, n_units), dtype=np.int64)

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

    def set_context(
        self,
        *,
        caseload: np.ndarray | None = None,
        access_gap: np.ndarray | None = None,
        rights_broken: bool = False,
    ) -> None:
        """The week's context of resolution: caseload per unit (full scale; None = 0), the
        access gap per domain and village (None = unknown) and whether a guarantee is broken."""
        self.caseload = (
            np.zeros(self.n_units) if caseload is None else np.asarray(caseload, dtype=float)
        )
        self.access_gap = access_gap
        self.rights_broken = bool(rights_broken)

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
        about (what can resolve it). Filed petitions enter the first stage's queue of ``unit``
        at their filing time and are counted as filed once :meth:`advance` passes that time.
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
        merging townships); the queues' order is kept. Staffing is reset to one server per
        stage and unit, and the caseload to 0, until set again."""
        mapping = np.asarray(mapping, dtype=np.int64)
        r = self.rec
        open_ = r.stage < CLOSED
        r.unit[open_] = mapping[r.unit[open_]]
        self.county_unit = county_unit
        self._units(int(n_units))
        self.incidents_last = np.zeros(0, dtype=np.int64)  # their units are the old ones

    # -- the week ---------------------------------------------------------------------------

    def advance(self, t1: float) -> np.ndarray:
        """Process ``[clock, t1)``: every stage in order, then the closures and the overdue
        collective petitions' incident draws (see the module docstring).

        Returns:
            Indices of the petitions closed in the period (also :attr:`closed_last`).
        """
        t0 = self.clock
        if t1 < t0:
            raise ValueError(f"t1 ({t1}) is before the clock ({t0})")
        closed: list[np.ndarray] = []
        self.rounds_last = 0
        self.concluded_last = np.zeros(0, dtype=np.int64)
        self._incidents: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        self.arrivals = np.zeros((N_STAGES, self.n_units), dtype=np.int64)
        for s in range(N_STAGES):
            self._serve(s, t0, t1)
            closed.append(self._leave(s, t1))
        self.closed_last = np.concatenate(closed)
        self._overdue_incidents(t1)
        self.incidents_last = np.concatenate(self._incidents)
        r = self.rec
        self.n_filed += int(np.count_nonzero((r.filed >= t0) & (r.filed < t1)))
        self.n_closed += len(self.closed_last)
        self.clock = float(t1)
        self.check()
        return self.closed_last

    def _serve(self, s: int, t0: float, t1: float) -> None:
        """Start every service of stage ``s`` that begins before ``t1``
        (:mod:`~mergesim.mechanisms.petitions.queue`) and count the stage's arrivals."""
        r = self.rec
        idx = np.flatnonzero(r.stage == s)
        if len(idx) == 0:
            return
        a = r._a
        unit = a["unit"][idx].astype(np.int64)
        ent = a["entry"][idx, s]
        came = (ent >= t0) & (ent < t1)  # not the repeats scheduled for a later week
        self.arrivals[s] = np.bincount(unit[came], minlength=self.n_units)
        sq = StageQueues(a, idx, unit, s, self.servers[s], t0, t1)
        scale = self.cfg.service_days[s] / self.speed[s]
        delay = float(self.cfg.delay_days[s])
        if self.cfg.priority == "fcfs":
            self.rounds_last += serve_fcfs(sq, scale, delay, self.rng)
        else:
            key = stage_deadline(self.rec, sq.rows, s, self.cfg)
            self.rounds_last += serve_priority(sq, key, scale, delay, self.rng)

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
            unit = a["unit"][out]
            p = resolve_probability(
                np.asarray(cfg.resolve_base, dtype=float)[a["level"][out]],
                cfg.cause_factor,
                kind=a["kind"][out],
                cause=a["cause"][out],
                domain=a["domain"][out],
                village=a["village"][out],
                competence=self.competence[s][unit],
                elasticity=cfg.resolve_elasticity,
                caseload=self.caseload[unit],
                load_ref=cfg.load_ref,
                load_elasticity=cfg.load_elasticity,
                collective_factor=cfg.collective_factor,
                access_gap=self.access_gap,
                access_gap_scale=cfg.access_gap_scale,
                rights_broken=self.rights_broken,
                rights_remedy_prob=cfg.rights_remedy_prob,
            )
            a["resolved"][out] = rng.random(len(out)) < p
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
        u, u_skip = rng.random((2, len(out)))
        outcome = np.full(len(out), Outcome.UNRESOLVED, dtype=np.int8)
        outcome[res] = Outcome.RESOLVED
        rep = ~res & (u < cfg.repeat_prob)
        esc = ~res & ~rep & (u < cfg.repeat_prob + cfg.escalate_prob)
        outcome[rep] = Outcome.REPEATED
        outcome[esc] = Outcome.ESCALATED
        a["outcome"][out] = outcome
        # Escalations: from a township to the county bureau, or beyond the county (skip-level,
        # or no bureau); from the county always beyond.
        town = a["level"][out] == Level.TOWNSHIP
        to_county = esc & town & (u_skip >= cfg.skip_level_share) & (self.county_unit is not None)
        a["beyond"][out] = esc & ~to_county
        # Collective petitions closed unresolved may become incidents.
        col = (a["kind"][out] == Kind.COLLECTIVE) & ~res & ~a["incident"][out]
        if cfg.incident_prob > 0 and col.any():
            hit = out[col][rng.random(int(col.sum())) < cfg.incident_prob]
            self._mark_incidents(hit, a["closed"][hit])
        kid = rep | to_county
        if kid.any():
            self._refile(out[kid], t_out[kid], to_county[kid])
        return out

    def _refile(self, par: np.ndarray, t_out: np.ndarray, to_county: np.ndarray) -> None:
        """File the repeats (same unit and level) and escalations to the county of ``par``."""
        a, cfg = self.rec._a, self.cfg
        k = len(par)
        delay = self.rng.exponential(cfg.refile_days, size=k) if cfg.refile_days > 0 else 0.0
        lvl = np.where(to_county, Level.COUNTY, a["level"][par]).astype(np.int8)
        unit = np.where(
            to_county, -1 if self.county_unit is None else self.county_unit, a["unit"][par]
        )
        times = t_out + delay
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

    def _mark_incidents(self, idx: np.ndarray, t: np.ndarray) -> None:
        a = self.rec._a
        a["incident"][idx] = True
        a["incident_t"][idx] = t
        self._incidents.append(idx)

    def _overdue_incidents(self, t1: float) -> None:
        """One incident draw for each open collective petition that passed its deadline by
        ``incident_overdue_days`` before ``t1`` (at the crossing time)."""
        cfg, r = self.cfg, self.rec
        if cfg.incident_prob <= 0:
            return
        idx = np.flatnonzero(
            (r.kind == Kind.COLLECTIVE) & (r.stage < CLOSED) & ~r.incident_drawn & (r.filed < t1)
        )
        if len(idx) == 0:
            return
        cross = deadline_at(r, idx, t1, cfg) + cfg.incident_overdue_days
        due = idx[cross < t1]
        if len(due) == 0:
            return
        r.incident_drawn[due] = True
        hit = self.rng.random(len(due)) < cfg.incident_prob
        self._mark_incidents(
            due[hit], (deadline_at(r, due, t1, cfg) + cfg.incident_overdue_days)[hit]
        )

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
