"""The county's answers to overload, and the warning when they are not enough.

**Caseload** (:func:`caseload`): open petitions of a unit per petition server of the unit, at
full scale — what the task-force trigger and the resolution's caseload penalty read.

**Task forces** (专班, :class:`TaskForces`; the report's petition-verification "line",
信访核查一条线). A unit whose caseload exceeds ``taskforce_trigger``, or where a collective
incident happened last week, calls a task force; ``taskforce_delay_weeks`` later it is at work
for ``taskforce_weeks`` — ``taskforce_size`` cadres from county departments, spread over the
stages by ``taskforce_stage_weights``, at the county bureau's competence (``county_speed``).
The county fields at most ``taskforce_max`` at once; units that are ready wait, the highest
caseload first. The cadres stay on the county's payroll (no cost change); their work is
counted in cadre-weeks.

**Enforcement teams** (综合行政执法队, :func:`enforcement_units`): from the reform the
``enforcement_towns`` most populous townships have a team that adds ``enforcement_servers``
to the stages (quick verification and handling by default) at ``enforcement_speed``.

**Saturation** (:class:`Saturation`): a unit is saturated when, at some stage, the week's
arrivals exceed the week's capacity (servers × competence × 7 / service days, at the simulated
scale) for more than ``saturation_weeks`` consecutive weeks; the run records the units and
warns (:meth:`Saturation.warning`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.petitions.records import N_STAGES, STAGES
from mergesim.mechanisms.timeline import DAYS_PER_WEEK
from mergesim.numeric import largest_remainder


def caseload(open_units: np.ndarray, servers: np.ndarray, n_units: int, scale: float) -> np.ndarray:
    """Open petitions per server of each unit at full scale (0 where a unit has no server).

    Args:
        open_units: Unit of each open petition (simulated population).
        servers: Full-scale servers, shape ``(6, n_units)``.
        n_units: Number of units.
        scale: Simulated villagers per inhabitant.
    """
    n_open = np.bincount(np.asarray(open_units, dtype=np.int64), minlength=n_units)
    tot = np.asarray(servers, dtype=float).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tot > 0, n_open / max(scale, 1e-12) / np.where(tot > 0, tot, 1.0), 0.0)


def add_servers(
    servers: np.ndarray, speed: np.ndarray, extra: np.ndarray, extra_speed: float
) -> tuple[np.ndarray, np.ndarray]:
    """Servers with ``extra`` added (same shape) and the mean speed of the enlarged teams."""
    servers = np.asarray(servers, dtype=np.int64)
    extra = np.asarray(extra, dtype=np.int64)
    tot = servers + extra
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(tot > 0, (servers * speed + extra * extra_speed) / np.maximum(tot, 1), speed)
    return tot, mix


def enforcement_units(population_by_unit: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` most populous units (ties to the lower index), as a bool mask."""
    pop = np.asarray(population_by_unit, dtype=float)
    out = np.zeros(len(pop), dtype=bool)
    out[np.lexsort((np.arange(len(pop)), -pop))[: max(int(k), 0)]] = True
    return out


def team_servers(mask: np.ndarray, per_stage: Any) -> np.ndarray:
    """Servers ``per_stage`` (6,) at every unit of ``mask``, shape ``(6, n_units)``."""
    return np.outer(np.asarray(per_stage, dtype=np.int64), np.asarray(mask, dtype=np.int64))


@dataclass(eq=False)
class TaskForces:
    """Task forces per unit (see the module docstring).

    Attributes:
        called: Week a task force was called for each unit (-1 if none pending).
        until: First week after each unit's task force (a force is at work while
            ``week < until``).
        per_stage: Cadres of one task force per stage (6,).
        formed: Task forces formed so far.
        cadre_weeks: Cadre-weeks worked by task forces so far (full scale).
    """

    called: np.ndarray
    until: np.ndarray
    per_stage: np.ndarray
    formed: int = 0
    cadre_weeks: float = 0.0

    @classmethod
    def start(cls, n_units: int, p: PetitionParams) -> TaskForces:
        """No task force called or at work; one force's split over the stages."""
        per = largest_remainder(np.asarray(p.taskforce_stage_weights), p.taskforce_size)
        return cls(
            called=np.full(n_units, -1, dtype=np.int64),
            until=np.zeros(n_units, dtype=np.int64),
            per_stage=per,
        )

    def reset(self, n_units: int) -> None:
        """New units (the reform): forces at work and calls end."""
        self.called = np.full(n_units, -1, dtype=np.int64)
        self.until = np.zeros(n_units, dtype=np.int64)

    def update(
        self, week: int, load: np.ndarray, incident: np.ndarray, p: PetitionParams
    ) -> np.ndarray:
        """Call, form and end task forces for ``week``; return the units with one at work.

        Args:
            week: This week.
            load: Caseload per unit (:func:`caseload`, without task forces).
            incident: Units with a collective incident last week (bool).
            p: The ``petitions`` section.
        """
        active = self.until > week
        if not p.taskforce or p.taskforce_size == 0 or p.taskforce_max == 0:
            return active
        call = ((load > p.taskforce_trigger) | incident) & ~active & (self.called < 0)
        self.called[call] = week
        ready = np.flatnonzero((self.called >= 0) & (week - self.called >= p.taskforce_delay_weeks))
        room = p.taskforce_max - int(active.sum())
        if len(ready) and room > 0:
            go = ready[np.lexsort((ready, -load[ready]))][:room]
            self.until[go] = week + p.taskforce_weeks
            self.called[go] = -1
            self.formed += len(go)
            active = self.until > week
        self.cadre_weeks += float(active.sum()) * p.taskforce_size
        return active

    def servers(self, active: np.ndarray) -> np.ndarray:
        """Servers the task forces at work add, shape ``(6, n_units)`` (full scale)."""
        return team_servers(active, self.per_stage)


def weekly_capacity(servers: np.ndarray, speed: np.ndarray, service_days: Any) -> np.ndarray:
    """Petitions a stage can serve in a week: ``servers × speed × 7 / service_days`` (inf where
    the stage takes no cadre time)."""
    sd = np.asarray(service_days, dtype=float)[:, None]
    with np.errstate(divide="ignore"):
        return np.where(sd > 0, servers * speed * DAYS_PER_WEEK / np.where(sd > 0, sd, 1.0), np.inf)


@dataclass(eq=False)
class Saturation:
    """Runs of weeks in which arrivals exceed capacity, and the units found saturated.

    Attributes:
        limit: ``saturation_weeks``: a run longer than this saturates the unit.
        run: Current run of over-capacity weeks per stage and unit, ``(6, n_units)``.
        units: Saturated units by name: ``{name: {"first_week", "weeks", "stage"}}`` (the week
            the run passed the limit, the longest run, the stage of that run).
    """

    limit: int
    run: np.ndarray
    units: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def start(cls, n_units: int, limit: int) -> Saturation:
        return cls(limit=int(limit), run=np.zeros((N_STAGES, n_units), dtype=np.int64))

    def reset(self, n_units: int) -> None:
        """New units (the reform): runs start again."""
        self.run = np.zeros((N_STAGES, n_units), dtype=np.int64)

    def update(
        self, week: int, arrivals: np.ndarray, capacity: np.ndarray, names: list[str]
    ) -> None:
        """Add one week: ``arrivals`` and ``capacity`` per stage and unit (simulated scale)."""
        over = np.asarray(arrivals) > np.asarray(capacity)
        self.run = np.where(over, self.run + 1, 0)
        best = self.run.max(axis=0)
        for u in np.flatnonzero(best > self.limit):
            name = names[u]
            s = int(np.argmax(self.run[:, u]))
            rec = self.units.setdefault(
                name, {"first_week": int(week), "weeks": 0, "stage": STAGES[s]}
            )
            if best[u] > rec["weeks"]:
                rec["weeks"], rec["stage"] = int(best[u]), STAGES[s]

    def summary(self) -> dict[str, Any]:
        """``{"saturated", "weeks", "townships": [...], "warning"}`` for ``summary.json``."""
        rows = [
            {"township": k, **v}
            for k, v in sorted(self.units.items(), key=lambda kv: (-kv[1]["weeks"], kv[0]))
        ]
        return {
            "saturated": bool(rows),
            "weeks": self.limit,
            "townships": rows,
            "warning": self.warning(),
        }

    def warning(self) -> str | None:
        """One line naming the saturated units (most weeks first), or None."""
        if not self.units:
            return None
        rows = sorted(self.units.items(), key=lambda kv: (-kv[1]["weeks"], kv[0]))
        names = ", ".join(f"{k} ({v['weeks']} weeks, {v['stage']})" for k, v in rows)
        return (
            f"warning: petition arrivals exceeded capacity for more than {self.limit} weeks "
            f"in {len(rows)} unit(s): {names}"
        )
