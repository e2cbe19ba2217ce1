"""The petitions mechanism: the county's petition loop inside the weekly model step.

:class:`PetitionMechanism` owns the :class:`~mergesim.mechanisms.petitions.loop.PetitionLoop`
(its records are every petition of the run), staffs its stages each week
(:mod:`~mergesim.mechanisms.petitions.staffing`) and adds the enforcement teams and task forces
(:mod:`~mergesim.mechanisms.petitions.capacity`), gives the loop the week's context of
resolution (caseloads, the access gaps the grievance mechanism keeps, whether a guarantee is
broken), moves open petitions to the new townships at the reform week, advances the loop one
week and watches for saturation. Filings come from the grievance mechanism
(:meth:`PetitionMechanism.file_petitions`), which also reads the petitions closed each week.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.petitions.capacity import (
    Saturation,
    TaskForces,
    add_servers,
    caseload,
    enforcement_units,
    team_servers,
    weekly_capacity,
)
from mergesim.mechanisms.petitions.clock import LoopConfig
from mergesim.mechanisms.petitions.loop import PetitionLoop
from mergesim.mechanisms.petitions.metrics import petition_summary
from mergesim.mechanisms.petitions.records import CLOSED, N_STAGES, Cause, Kind, Level
from mergesim.mechanisms.petitions.staffing import (
    cadre_staffing,
    fixed_staffing,
    petition_staff_by_township,
    scale_staffing,
)
from mergesim.mechanisms.timeline import DAYS_PER_WEEK

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

#: A staffing hook: model → (servers, speed), each of shape (6, n_townships_now + 1).
StaffingHook = Callable[["MergerModel"], tuple[np.ndarray, np.ndarray]]


class PetitionMechanism(Mechanism):
    """The petition loop of a run: townships (current) plus the county bureau as units.

    Units ``0 .. T-1`` are the townships in force (old before the reform, new after; open
    petitions move with their township at the reform week), unit ``T`` the county bureau.

    Inputs the model provides: ``model.timeline`` (reform week), ``model.plan``
    (``township_to_new``, names), ``model.county`` (populations, names),
    ``model.administrative_township()``, ``model.villagers.n``, ``model.config.guarantees``
    and, with ``petitions.staffing = "cadres"``, the cadre mechanism as ``model.cadres`` (its
    ``pool`` feeds :func:`~mergesim.mechanisms.petitions.staffing.petition_staff_by_township`).
    Optional: ``model.grievance.access_gap`` (the access condition of resolution; missing →
    unknown) and ``model.services.not_lowered`` (``{"held": bool, ...}``; broken → rights
    petitions get only a remedy). A custom :attr:`staffing_hook` overrides the staffing.

    Filings come from the grievance mechanism through :meth:`file_petitions` (before this
    mechanism's ``step`` in the same week).

    Attributes:
        loop: The :class:`PetitionLoop`.
        staffing_hook: Optional callable ``model → (servers, speed)``, shapes ``(6, T + 1)``.
        servers_full: This week's servers per stage and unit at full scale, ``(6, T + 1)``:
            the staffing in force (cadres, enforcement teams, task forces) before
            :func:`scale_staffing` (the caseload metric's denominator).
        enforcement: Units with an enforcement team (bool, ``T + 1``; none before the reform).
        taskforces: The :class:`~mergesim.mechanisms.petitions.capacity.TaskForces`.
        saturation: The :class:`~mergesim.mechanisms.petitions.capacity.Saturation` watch.
        weekly: This week's counts (filed, closed, backlog per stage, open overdue, rounds,
            task forces at work, incidents).
    """

    name = "petitions"

    def __init__(self, staffing_hook: StaffingHook | None = None):
        self.staffing_hook = staffing_hook

    def setup(self, model: MergerModel) -> None:
        self.p = model.config.petitions
        self._rng = model.streams.generator(self.name)
        t = model.county.n_townships
        self.loop = PetitionLoop(
            LoopConfig.from_params(self.p), t + 1, self._rng, county_unit=t, t0=0.0
        )
        self.scale = model.villagers.n / max(int(model.county.population.sum()), 1)
        self.reformed = False
        self.servers_full = np.zeros((N_STAGES, t + 1), dtype=np.int64)
        self.enforcement = np.zeros(t + 1, dtype=bool)
        self.taskforces = TaskForces.start(t + 1, self.p)
        self.saturation = Saturation.start(t + 1, self.p.saturation_weeks)
        self.names = [*map(str, model.county.township_name), "county petition bureau"]
        self.weekly: dict[str, Any] = {}

    def on_phase(self, model: MergerModel, week: int) -> None:
        if self.reformed or week < model.timeline.reform_week:
            return
        plan = model.plan
        t2n = np.asarray(plan.township_to_new, dtype=np.int64)
        n_new = plan.n_new_townships
        self.loop.remap_units(np.r_[t2n, n_new], n_new + 1, county_unit=n_new)
        pop = np.bincount(t2n, weights=model.county.township_population(), minlength=n_new)
        self.enforcement = np.r_[enforcement_units(pop, self.p.enforcement_towns), False]
        self.taskforces.reset(n_new + 1)
        self.saturation.reset(n_new + 1)
        self.names = [*map(str, plan.new_township_name), "county petition bureau"]
        self.reformed = True

    def staffing(self, model: MergerModel) -> tuple[np.ndarray, np.ndarray]:
        """Full-scale ``(servers, speed)`` of the cadres (or the parameters) for the units in
        force, before enforcement teams, task forces and scaling."""
        if self.staffing_hook is not None:
            return self.staffing_hook(model)
        n_t = self.loop.n_units - 1
        if self.p.staffing == "fixed":
            return fixed_staffing(self.p, n_t)
        cadres = getattr(model, "cadres", None)
        pool = getattr(cadres, "pool", None)
        if pool is None:
            raise RuntimeError(
                "petitions.staffing = 'cadres' needs the cadres mechanism "
                "(model.cadres with a pool); set petitions.staffing = 'fixed'"
            )
        n, comp = petition_staff_by_township(pool, cadres.working_competence())
        if n.shape[0] != n_t:
            raise RuntimeError(
                f"cadre pool has {n.shape[0]} townships, the petition loop "
                f"{n_t}: the reform must reach both in the same week"
            )
        return cadre_staffing(n, comp, self.p)

    def unit_of_village(self, model: MergerModel, village: np.ndarray) -> np.ndarray:
        """Township unit now handling petitions from ``village`` (old village indices)."""
        return np.asarray(model.administrative_township(), dtype=np.int64)[village]

    def file_petitions(
        self,
        model: MergerModel,
        times: np.ndarray,
        village: np.ndarray,
        *,
        filer: Any = -1,
        kind: Any = Kind.INDIVIDUAL,
        size: Any = 1,
        cause: Any = Cause.BACKGROUND,
        domain: Any = -1,
    ) -> np.ndarray:
        """File petitions from ``village`` at ``times`` (days) with their township; indices.

        ``cause`` (:class:`~mergesim.mechanisms.petitions.records.Cause`) and ``domain`` say
        what each petition is about (see :meth:`PetitionLoop.file`)."""
        village = np.asarray(village, dtype=np.int64)
        return self.loop.file(
            times,
            self.unit_of_village(model, village),
            village=village,
            filer=filer,
            kind=kind,
            size=size,
            level=Level.TOWNSHIP,
            cause=cause,
            domain=domain,
        )

    def rights_broken(self, model: MergerModel) -> bool:
        """Whether a guarantee is broken now: any ``guarantees`` switch false after the
        reform, or "services not lowered" broken in fact (``model.services.not_lowered``)."""
        if not self.reformed:
            return False
        g = model.config.guarantees
        switches = [v for v in vars(g).values() if isinstance(v, bool)]
        held = getattr(getattr(model, "services", None), "not_lowered", None)
        in_fact = isinstance(held, dict) and held.get("held") is False
        return (not all(switches)) or in_fact

    def step(self, model: MergerModel) -> None:
        loop, p = self.loop, self.p
        servers, speed = self.staffing(model)
        servers, speed = add_servers(
            servers,
            speed,
            team_servers(self.enforcement, p.enforcement_servers),
            p.enforcement_speed,
        )
        t0 = model.week * DAYS_PER_WEEK
        if loop.clock < t0:  # weeks before the mechanism was attached
            loop.clock = t0
        rec = loop.rec
        open_units = rec.unit[(rec.stage < CLOSED) & (rec.filed < t0)]
        own_load = caseload(open_units, servers, loop.n_units, self.scale)
        incident = np.zeros(loop.n_units, dtype=bool)
        incident[rec.unit[loop.incidents_last]] = True
        active = self.taskforces.update(model.week, own_load, incident, p)
        servers, speed = add_servers(
            servers, speed, self.taskforces.servers(active), p.county_speed
        )
        self.servers_full = np.asarray(servers, dtype=np.int64)
        scaled = scale_staffing(servers, self.scale)
        loop.set_staffing(scaled, speed)
        loop.set_context(
            caseload=caseload(open_units, servers, loop.n_units, self.scale),
            access_gap=getattr(getattr(model, "grievance", None), "access_gap", None),
            rights_broken=self.rights_broken(model),
        )
        t1 = t0 + DAYS_PER_WEEK
        n_before = loop.n_filed
        closed = loop.advance(t1)
        self.saturation.update(
            model.week,
            loop.arrivals,
            weekly_capacity(scaled, speed, p.service_days),
            self.names,
        )
        bl = np.bincount(rec.stage[(rec.stage < CLOSED) & (rec.filed < t1)], minlength=N_STAGES)
        open_ = np.flatnonzero((rec.stage < CLOSED) & (rec.filed < t1))
        self.weekly = {
            "filed": loop.n_filed - n_before,
            "closed": len(closed),
            "open": loop.n_open,
            "backlog": bl[:N_STAGES],
            "open_overdue": int(loop.open_overdue(open_).sum()),
            "rounds": loop.rounds_last,
            "taskforces": int(active.sum()),
            "incidents": len(loop.incidents_last),
        }

    def summary(self, t0: float, t1: float, n_villagers: int) -> dict[str, Any]:
        """:func:`petition_summary` of ``[t0, t1)`` (days)."""
        return petition_summary(self.loop, t0, t1, n_villagers)

    def facts(self) -> dict[str, Any]:
        """Run facts of the county's answers to overload and the saturation watch."""
        return {
            "taskforces_formed": self.taskforces.formed,
            "taskforce_cadre_weeks": self.taskforces.cadre_weeks,
            "enforcement_townships": [self.names[u] for u in np.flatnonzero(self.enforcement)],
            "saturation": self.saturation.summary(),
        }
