"""The thin Mesa layer: agents that are *views* over the model's NumPy arrays.

**What the agents are for.** The model's state lives in arrays owned by the mechanisms, and
every weekly step is vectorised; no mechanism reads an agent. The agents are the model's public
face for people and tools that think in agents: inspecting a run with Mesa's ``AgentSet`` verbs
(``model.agents_by_type[Villager].select(...)``, ``get``, ``agg``), ``mesa.batch_run`` and
interactive front ends that list or click on individual villagers, service points or cadres.
Each agent holds only its row number and reads (or writes) the arrays through properties, so a
view can never disagree with the state, and registering one costs no weekly work.

Why views (the decision behind the layer): the county has ~800,000 villagers; a Python object
per villager would cost hundreds of megabytes and seconds to create, and a per-agent weekly step
would be two orders of magnitude slower than the vectorised one (``benchmarks/bench_model.py``
measures it). So villager state lives in
:class:`~mergesim.mechanisms.population.Villagers` arrays.

Which agents are registered:

* :class:`Villager` — views for a random sample at set-up (``villagers.sample_agents``) and on
  demand with :meth:`MergerModel.villager(row) <mergesim.model.model.MergerModel.villager>`.
  Writing through a view (e.g. ``v.grievance = 0.3``) writes the array.
* :class:`ServicePoint` — one per point (a few thousand), at set-up (``model.point_agents``):
  they read the services mechanism's arrays, which the capacity step updates, so
  ``agent.queue`` is always this week's queue.
* :class:`Cadre` — on demand with :meth:`MergerModel.cadre(row)
  <mergesim.model.model.MergerModel.cadre>` (the pool holds ~16,000 incumbents and candidates
  in the seed county; registering them all at set-up would serve no reader). A view reads its
  row of the pool *in force* (the reform replaces the pool object, not the rows), so
  ``cadre.post`` and ``cadre.outcome`` change at the reform week without per-agent work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from mergesim.mechanisms.cadres import (
    EDUCATION_NAMES,
    ORIGIN_NAMES,
    OUTCOME_NAMES,
    POST_NAMES,
    Disqualifier,
    Outcome,
)
from mergesim.mechanisms.needs import NEED_NAMES, NeedKind
from mergesim.mechanisms.population import AGE_NAMES
from mergesim.mechanisms.services import (
    ADMIN_KINDS,
    HANDLERS,
    KIND_NAMES,
    STATUS_NAMES,
    Level,
    PointKind,
    is_open,
    roles,
)
from mergesim.mechanisms.services import Role as PointRole
from mergesim.plans.roles import Role

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


def _rw(name: str, doc: str) -> property:
    """A read/write property over ``model.villagers.<name>[row]``."""

    def get(self):
        return getattr(self.model.villagers, name)[self.row].item()

    def set_(self, value):
        getattr(self.model.villagers, name)[self.row] = value

    return property(get, set_, doc=doc)


def _ro(name: str, doc: str) -> property:
    def get(self):
        return getattr(self.model.villagers, name)[self.row].item()

    return property(get, doc=doc)


class Villager(mesa.Agent):
    """A view over row ``row`` of ``model.villagers`` (see the module docstring).

    Args:
        model: The :class:`~mergesim.model.model.MergerModel`.
        row: The villager's row in the arrays.
    """

    model: MergerModel

    def __init__(self, model: MergerModel, row: int):
        super().__init__(model)
        self.row = int(row)

    village = _ro("village", "Home (old) village index.")
    group = _ro("group", "Villager-group index (county-wide).")
    household = _ro("household", "Household index (county-wide).")
    vehicle = _ro("vehicle", "The household owns a car or motorcycle.")
    key_person = _rw("key_person", "Opinion leader who can mobilise others.")
    grievance = _rw("grievance", "Grievance, 0–1.")
    trust = _rw("trust", "Trust in local government, 0–1.")
    threshold = _rw("threshold", "Petition threshold on the grievance scale, 0–1.")
    access_ref = _ro("access_ref", "Expected round-trip travel minutes a week before the reform.")
    access_now = _ro("access_now", "Expected round-trip travel minutes a week now.")
    travel_week = _ro("travel_week", "Round-trip travel minutes spent this week.")
    trips_week = _ro("trips_week", "Trips made this week.")
    turned_away_week = _ro("turned_away_week", "Trips this week that ended turned away.")

    @property
    def age_group(self) -> str:
        """ "child", "working" or "elderly"."""
        return AGE_NAMES[self.model.villagers.age[self.row]]

    @property
    def township(self) -> int:
        """Administrative township index now (old index before the reform, new after)."""
        return int(self.model.administrative_township()[self.village])

    @property
    def village_role(self) -> str:
        """Role of the home village in its merger: "unchanged", "absorbing" or "absorbed"."""
        return Role(self.model.units.village_role[self.village]).name.lower()

    def step(self) -> None:
        """No per-agent weekly work: the vectorised mechanisms step all villagers at once."""


class ServicePoint(mesa.Agent):
    """A service point (see the module docstring); state read from ``model.services.points``.

    Args:
        model: The :class:`~mergesim.model.model.MergerModel`.
        index: The point's row in the arrays.
    """

    model: MergerModel

    def __init__(self, model: MergerModel, index: int):
        super().__init__(model)
        self.index = int(index)

    @property
    def _pts(self):
        return self.model.services.points

    @property
    def kind(self) -> str:
        """Point kind name (e.g. "service_centre"); a converted point has its new kind."""
        return KIND_NAMES[self._pts.kind[self.index]]

    @property
    def status(self) -> str:
        """ "planned", "open", "converted" or "closed"."""
        return STATUS_NAMES[self._pts.status[self.index]]

    @property
    def is_open(self) -> bool:
        """Serves villagers this week (open or converted)."""
        return bool(is_open(self._pts.status[self.index : self.index + 1])[0])

    @property
    def village(self) -> int:
        """Village index where the point stands now."""
        return int(self._pts.village[self.index])

    @property
    def staff(self) -> float:
        """Staff (persons)."""
        return float(self._pts.staff[self.index])

    @staff.setter
    def staff(self, value: float) -> None:
        self._pts.staff[self.index] = value

    @property
    def capacity(self) -> float:
        """Weekly capacity at the run's scale (needs/week, before rounding)."""
        return float(self.model.services.capacity()[self.index])

    @property
    def queue(self) -> int:
        """Needs routed here that are waiting to come back (after this week's service)."""
        return int(self.model.services.queue[self.index])

    @property
    def served_week(self) -> int:
        """Needs served this week."""
        return int(self.model.services.served_week[self.index])

    @property
    def arrivals_week(self) -> int:
        """Trips that arrived this week."""
        return int(self.model.services.arrivals[self.index])

    @property
    def handles(self) -> tuple[str, ...]:
        """Need kinds this point can serve in its current role."""
        k = PointKind(self._pts.kind[self.index])
        out = [NEED_NAMES[n] for n, kinds in HANDLERS.items() if k in kinds]
        if k in ADMIN_KINDS:
            out.insert(0, NEED_NAMES[NeedKind.ADMIN])
        return tuple(out)

    @property
    def admin_level(self) -> str | None:
        """Highest level of administrative matters it finishes itself ("village", "township",
        "county"; a station only those its windows cover), None if it finishes none."""
        kind = np.full(len(Level), self._pts.kind[self.index])
        yes = np.ones(len(Level), dtype=bool)
        can = roles(kind, np.arange(len(Level)), yes, yes) == PointRole.FINISH
        return Level(int(np.flatnonzero(can)[-1])).name.lower() if can.any() else None

    def step(self) -> None:
        """No per-agent weekly work: capacities are applied to all points at once."""


class Cadre(mesa.Agent):
    """A cadre or candidate: a view over row ``row`` of ``model.cadres.pool`` (module docstring).

    Create it with :meth:`MergerModel.cadre(row) <mergesim.model.model.MergerModel.cadre>` (one
    registered view per row).

    Args:
        model: The :class:`~mergesim.model.model.MergerModel`.
        row: The person's row in the pool.
    """

    model: MergerModel

    def __init__(self, model: MergerModel, row: int):
        super().__init__(model)
        self.row = int(row)

    @property
    def _pool(self):
        return self.model.cadres.pool

    def _get(self, name: str):
        return getattr(self._pool, name)[self.row].item()

    @property
    def age(self) -> float:
        """Age at the reform (years)."""
        return float(self._get("age"))

    @property
    def education(self) -> str:
        """ "below_high_school", "high_school", "college" or "bachelor_plus"."""
        return EDUCATION_NAMES[self._get("edu")]

    @property
    def origin(self) -> str:
        """ "local", "migrant", "veteran", "graduate", "party_reserve" or "former_cadre"."""
        return ORIGIN_NAMES[self._get("origin")]

    @property
    def competence(self) -> float:
        """Relative productivity (1 ≈ a cadre between high school and college); training
        raises it."""
        return float(self._get("competence"))

    @property
    def disqualifiers(self) -> tuple[str, ...]:
        """Names of the hard disqualifiers ("ten unsuitables") this person has."""
        bits = int(self._get("dq"))
        return tuple(d.name.lower() for d in Disqualifier if bits & int(d))

    @property
    def post(self) -> str:
        """Post held now ("none" for a candidate or a cadre placed through a channel)."""
        return POST_NAMES[self._get("post")]

    @property
    def post_before(self) -> str:
        """Post held before the reform ("none" for a candidate)."""
        return POST_NAMES[self._get("post0")]

    @property
    def unit(self) -> int:
        """Unit of the current post (township or village index; old before the reform, new
        after; -1 for none)."""
        return int(self._get("unit"))

    @property
    def outcome(self) -> str:
        """Where the person ended at the reform ("pending" before it): a post or a channel."""
        return OUTCOME_NAMES[Outcome(self._get("outcome"))]

    @property
    def active(self) -> bool:
        """Works in the county's township and village system now."""
        return bool(self._get("active"))

    @property
    def tenure(self) -> float:
        """Years in the current post."""
        return float(self._get("tenure"))

    @property
    def training_sessions(self) -> int:
        """Training sessions taken since the reform."""
        return int(self._get("trained"))

    def step(self) -> None:
        """No per-agent weekly work: selection and training are vectorised over the pool."""
