"""Villager synthesis: individuals per village, households, groups, age, mobility and state.

State lives in one :class:`Villagers` struct of NumPy arrays (row ``i`` = villager ``i``), so
the weekly step indexes arrays and never loops over villagers. Rows are ordered by village:
villagers of village ``v`` are rows ``offsets[v] : offsets[v + 1]``.

Synthesis recipe (stream ``"population"``, in this order, so the same seed and county give the
same villagers whatever the service policies):

1. **Counts** — village ``v`` gets ``round(scale × population[v])`` individuals, rounded by
   largest remainder so the total is ``round(scale × county population)``; every inhabited village
   keeps at least one.
2. **Households and groups** — the village's ``round(scale × households[v])`` households (at least
   one) take members in turn (row ``j`` of the village joins household ``j mod H``), so sizes differ
   by at most one; households fill the village's villager groups in contiguous blocks.
3. **Age group** — child / working / elderly drawn per individual with the scenario's shares.
4. **Vehicle** — drawn per household (all members share it), probability ``vehicle_share``.
5. **Key person** — drawn per individual, probability ``key_person_share``.
6. **State for later mechanisms** — grievance 0; trust and petition threshold Beta-distributed
   with the scenario's mean and sd (heterogeneous thresholds after Granovetter 1978).

Access references (``access_ref``, ``access_now``: expected round-trip travel minutes per week
from the routing tables) are filled by the services mechanism.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from mergesim.config.schema import VillagerParams
from mergesim.county.county import County
from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.kernels import compiled_module
from mergesim.numeric import largest_remainder

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


class AgeGroup(IntEnum):
    """Age group of a villager."""

    CHILD = 0
    WORKING = 1
    ELDERLY = 2


AGE_NAMES = tuple(a.name.lower() for a in AgeGroup)


@dataclass(eq=False)
class Villagers:
    """Villager state as arrays (length ``n``), rows grouped by village.

    Attributes:
        village: Home (old) village index (int32).
        group: Villager-group index, global over the county (int32).
        household: Household index, global over the county (int32).
        age: :class:`AgeGroup` code (int8).
        vehicle: Household owns a car or motorcycle (bool).
        key_person: Opinion leader who can mobilise others (bool).
        grievance: Grievance on a 0–1 scale (float32; the grievance mechanism drives it).
        trust: Trust in local government, 0–1 (float32).
        threshold: Petition threshold on the grievance scale, 0–1 (float32).
        access_ref: Expected round-trip travel minutes per week before the reform (float32).
        access_now: The same under the current service configuration (float32).
        travel_week: Round-trip travel minutes spent this week (float32).
        trips_week: Trips made this week (int16).
        turned_away_week: Trips this week that ended turned away (int16).
        offsets: Row range of each village, length ``n_villages + 1`` (int64).
        n_groups: Number of villager groups in the county.
        n_households: Number of households in the county.
    """

    village: np.ndarray
    group: np.ndarray
    household: np.ndarray
    age: np.ndarray
    vehicle: np.ndarray
    key_person: np.ndarray
    grievance: np.ndarray
    trust: np.ndarray
    threshold: np.ndarray
    access_ref: np.ndarray
    access_now: np.ndarray
    travel_week: np.ndarray
    trips_week: np.ndarray
    turned_away_week: np.ndarray
    offsets: np.ndarray
    n_groups: int
    n_households: int
    #: Rows the week's outcome arrays were written at (None: any row), so that the weekly
    #: reset zeroes those rows only rather than three arrays of every villager.
    touched: np.ndarray | None = field(default=None, repr=False)
    _slot: np.ndarray | None = field(default=None, repr=False)  # scratch of add_trips

    @property
    def n(self) -> int:
        """Number of villagers."""
        return int(self.village.shape[0])

    def per_village(self) -> np.ndarray:
        """Villagers per village (persons, int64)."""
        return np.diff(self.offsets)

    def reset_week(self) -> None:
        """Zero the per-week outcome arrays (called at the start of each week)."""
        if self.touched is None:
            self.travel_week.fill(0.0)
            self.trips_week.fill(0)
            self.turned_away_week.fill(0)
        else:
            self.travel_week[self.touched] = 0.0
            self.trips_week[self.touched] = 0
            self.turned_away_week[self.touched] = 0
        self.touched = None

    def add_trips(
        self, rows: np.ndarray, travel: np.ndarray, turned: np.ndarray, kernel: str = "numpy"
    ) -> None:
        """Add trips to the week's outcome arrays: one trip of ``travel`` round-trip minutes
        at each of ``rows`` (repeats add up), and one turned-away trip at each of ``turned``
        (a subset of ``rows``). Only these rows are written (no pass over every villager).
        ``kernel="numba"``: the same sums in one compiled pass (:mod:`~.population_compiled`).
        """
        if self._slot is None:
            self._slot = np.zeros(self.n, dtype=np.int32)  # calloc'd, 4 bytes per villager
        if kernel == "numba":
            touched = np.empty(len(rows), dtype=np.int64)
            k = _compiled().add_trips(
                rows,
                travel,
                turned,
                self._slot,
                self.travel_week,
                self.trips_week,
                self.turned_away_week,
                touched,
            )
            self._touch(touched[:k])
            return
        # Group the rows by villager without sorting them (a sort was most of this method's
        # time): each row writes its position into a villager-length scratch; the position
        # that stays (whichever write landed) names one representative per villager, and
        # every row reads back its villager's representative.
        idx = np.arange(len(rows), dtype=np.int32)
        self._slot[rows] = idx
        rep = self._slot[rows]
        first = rep == idx
        inv = (np.cumsum(first, dtype=np.int32) - 1)[rep]
        u = rows[first]
        # Summed in float64 per villager first (in the order of rows), as a bincount would,
        # then added in float32.
        self.travel_week[u] += np.bincount(inv, weights=travel, minlength=len(u)).astype(np.float32)
        self.trips_week[u] += np.bincount(inv, minlength=len(u)).astype(np.int16)
        np.add.at(self.turned_away_week, turned, np.int16(1))
        self._touch(u)

    def _touch(self, u: np.ndarray) -> None:
        """Remember rows written this week (:meth:`reset_week` zeroes only them)."""
        self.touched = u if self.touched is None else np.union1d(self.touched, u)


def _compiled() -> ModuleType:
    """The compiled module (imported on first use: it imports Numba)."""
    return compiled_module("mergesim.mechanisms.population_compiled")


def village_counts(population: np.ndarray, scale: float) -> np.ndarray:
    """Simulated individuals per village at ``scale`` (see step 1 of the module recipe)."""
    pop = np.asarray(population, dtype=np.int64)
    total = int(round(scale * pop.sum()))
    counts = largest_remainder(pop, total)
    # An inhabited village keeps one villager, so its access is measured at any scale.
    counts[(counts == 0) & (pop > 0)] = 1
    return counts


def _beta(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    if sd <= 0:
        return np.full(n, mean, dtype=np.float32)
    k = mean * (1 - mean) / (sd * sd) - 1.0  # method of moments; the schema keeps k > 0
    return rng.beta(mean * k, (1 - mean) * k, size=n).astype(np.float32)


def synthesize(county: County, p: VillagerParams, rng: np.random.Generator) -> Villagers:
    """Draw the villagers of ``county`` (see the module recipe).

    Args:
        county: The county before the merger.
        p: The scenario's ``villagers`` section.
        rng: The ``"population"`` stream.
    """
    counts = village_counts(county.population, p.scale)
    n = int(counts.sum())
    nv = county.n_villages
    offsets = np.zeros(nv + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    village = np.repeat(np.arange(nv, dtype=np.int32), counts)
    local = np.arange(n, dtype=np.int64) - offsets[:-1][village]

    hh_per_v = np.maximum(1, np.round(p.scale * county.households).astype(np.int64))
    hh_per_v = np.minimum(hh_per_v, np.maximum(counts, 1))
    hh_off = np.zeros(nv + 1, dtype=np.int64)
    np.cumsum(hh_per_v, out=hh_off[1:])
    hh_local = local % hh_per_v[village]
    household = (hh_off[:-1][village] + hh_local).astype(np.int32)

    groups_per_v = np.minimum(np.maximum(1, county.groups.astype(np.int64)), hh_per_v)
    g_off = np.zeros(nv + 1, dtype=np.int64)
    np.cumsum(groups_per_v, out=g_off[1:])
    group = g_off[:-1][village] + hh_local * groups_per_v[village] // hh_per_v[village]
    group = group.astype(np.int32)

    u = rng.random(n)
    age = np.full(n, AgeGroup.WORKING, dtype=np.int8)
    age[u < p.child_share] = AgeGroup.CHILD
    age[u >= 1.0 - p.elderly_share] = AgeGroup.ELDERLY
    n_households = int(hh_off[-1])
    vehicle = (rng.random(n_households) < p.vehicle_share)[household]
    key_person = rng.random(n) < p.key_person_share
    trust = _beta(rng, p.trust_mean, p.trust_sd, n)
    threshold = _beta(rng, p.threshold_mean, p.threshold_sd, n)
    return Villagers(
        village=village,
        group=group,
        household=household,
        age=age,
        vehicle=vehicle,
        key_person=key_person,
        grievance=np.zeros(n, dtype=np.float32),
        trust=trust,
        threshold=threshold,
        access_ref=np.zeros(n, dtype=np.float32),
        access_now=np.zeros(n, dtype=np.float32),
        travel_week=np.zeros(n, dtype=np.float32),
        trips_week=np.zeros(n, dtype=np.int16),
        turned_away_week=np.zeros(n, dtype=np.int16),
        offsets=offsets,
        n_groups=int(g_off[-1]),
        n_households=n_households,
    )


class Population(Mechanism):
    """Creates ``model.villagers`` at set-up and resets the weekly outcome arrays each week.

    Also registers a sample of villagers as Mesa agents (views over the arrays, see
    :mod:`mergesim.model.agents`), drawn from the separate stream ``"villager_sample"`` so the
    sample size never shifts the population's own draws.
    """

    name = "population"

    def setup(self, model: MergerModel) -> None:
        p = model.config.villagers
        model.villagers = synthesize(model.county, p, model.streams.generator(self.name))
        k = min(p.sample_agents, model.villagers.n)
        if k:
            rows = model.streams.generator("villager_sample").choice(
                model.villagers.n, size=k, replace=False
            )
            for row in np.sort(rows):
                model.villager(int(row))

    def step(self, model: MergerModel) -> None:
        model.villagers.reset_week()
