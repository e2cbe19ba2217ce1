"""Weekly service needs: Poisson arrivals per villager by age group, drawn per cell, not per person.

Each villager of age group ``a`` has needs of kind ``k`` as a Poisson process with weekly rate
``λ[k, a]`` (scenario section ``needs``; sources there). Administrative needs are split further
into the affair types of the catalogue (``needs.affairs``): type ``τ`` has the rate
``λ[admin, a] × share[τ, a]``. Drawing one Bernoulli per villager and kind would cost
``n_villagers × n_kinds`` random numbers a week; instead, for each (kind or affair type, age
group) cell the week's count is drawn as ``Poisson(λ · n_a)`` and each need is given to a
villager of the cell uniformly at random (with replacement). By the superposition and thinning
properties of Poisson processes this is the same distribution — every villager still has
``Poisson(λ)`` needs of each kind and type, independently — at a cost proportional to the number
of needs.

Each need also gets four uniform numbers: ``utype`` places it within its kind (for an
administrative affair: the level that can finish it and whether that is devolvable, see
:mod:`mergesim.mechanisms.services.catalogue`; for police/legal and banking/telecom needs: court
or police, telecom or bank); ``uscope`` decides whether a convenience station's windows cover it;
``uknow`` whether the villager knows at first which level can finish it; and ``prio``, its place
in a queue among needs of the same week.

All draws come from the ``"needs"`` stream, in a fixed order that does not depend on the model's
state, so every scenario sharing a seed and a catalogue sees exactly the same needs (common
random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from mergesim.config.schema import AFFAIR_NAMES, NeedParams
from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.population import AgeGroup

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


class NeedKind(IntEnum):
    """Kinds of service need (the field names of the ``needs`` section)."""

    ADMIN = 0
    HEALTH_ROUTINE = 1
    HEALTH_SERIOUS = 2
    SCHOOL = 3
    ELDERLY_CARE = 4
    POLICE_LEGAL = 5
    BANKING_TELECOM = 6


NEED_NAMES = tuple(k.name.lower() for k in NeedKind)
N_KINDS = len(NeedKind)


class ServiceDomain(IntEnum):
    """Service domains: the mental accounts villagers keep their gains and losses in.

    Routine and serious health care are one account (health); every other need kind is its
    own. Thaler (1985, *Marketing Science* 4(3): 199–214; 1999, *J. Behav. Decis. Making* 12:
    183–206): outcomes are evaluated per account, so a gain in one does not cancel a loss in
    another.
    """

    ADMIN = 0
    HEALTH = 1
    EDUCATION = 2
    ELDERLY = 3
    POLICE_LEGAL = 4
    BANKING_TELECOM = 5


DOMAIN_NAMES = tuple(d.name.lower() for d in ServiceDomain)
N_DOMAINS = len(ServiceDomain)
#: Domain of each need kind, indexed by :class:`NeedKind`.
DOMAIN_OF_KIND = np.array(
    [
        ServiceDomain.ADMIN,
        ServiceDomain.HEALTH,
        ServiceDomain.HEALTH,
        ServiceDomain.EDUCATION,
        ServiceDomain.ELDERLY,
        ServiceDomain.POLICE_LEGAL,
        ServiceDomain.BANKING_TELECOM,
    ],
    dtype=np.int8,
)
#: Needs that cannot be put off for a week (see ``needs.defer_*``).
URGENT = frozenset({NeedKind.HEALTH_SERIOUS})


N_AFFAIRS = len(AFFAIR_NAMES)


def rate_matrix(p: NeedParams) -> np.ndarray:
    """Weekly rates ``λ[kind, age]`` (needs per person per week), shape (N_KINDS, 3)."""
    return np.array([getattr(p, name) for name in NEED_NAMES], dtype=float)


def affair_shares(p: NeedParams) -> np.ndarray:
    """Share of each age group's administrative rate per affair type, shape (N_AFFAIRS, 3)."""
    return np.array([t.rate_share for t in p.affairs.types()], dtype=float)


@dataclass(frozen=True, eq=False)
class Cells:
    """The Poisson cells of the weekly draw: one per non-administrative kind, one per affair type.

    Attributes:
        rates: Weekly rate per person of each cell and age group, shape (n_cells, 3).
        kind: :class:`NeedKind` of each cell.
        affair: Affair type of each cell (-1 for non-administrative kinds).
    """

    rates: np.ndarray
    kind: np.ndarray
    affair: np.ndarray

    @classmethod
    def from_params(cls, p: NeedParams) -> Cells:
        lam = rate_matrix(p)
        adm = lam[NeedKind.ADMIN][None, :] * affair_shares(p)
        others = [k for k in NeedKind if k != NeedKind.ADMIN]
        return cls(
            rates=np.vstack([adm, lam[others]]),
            kind=np.array([NeedKind.ADMIN] * N_AFFAIRS + others, dtype=np.int8),
            affair=np.r_[np.arange(N_AFFAIRS), np.full(len(others), -1)].astype(np.int8),
        )


@dataclass(eq=False)
class NewNeeds:
    """The needs that arose this week (struct of arrays, one row per need).

    Attributes:
        villager: Row of the villager with the need (int64).
        kind: :class:`NeedKind` code (int8).
        affair: Affair type of an administrative need (int8; -1 for other kinds).
        utype: Place within the kind on a 0–1 scale (float64; see the module docstring).
        uscope: Uniform deciding a convenience station's scope (float64).
        uknow: Uniform deciding whether the villager knows the finishing level (float64).
        prio: Queue priority among needs of the same week (float64; lower goes first).
    """

    villager: np.ndarray
    kind: np.ndarray
    affair: np.ndarray
    utype: np.ndarray
    uscope: np.ndarray
    uknow: np.ndarray
    prio: np.ndarray

    @classmethod
    def empty(cls) -> NewNeeds:
        i8 = np.zeros(0, dtype=np.int8)
        f = np.zeros(0)
        return cls(np.zeros(0, dtype=np.int64), i8, i8.copy(), f, f.copy(), f.copy(), f.copy())

    @property
    def n(self) -> int:
        """Number of needs."""
        return int(self.villager.shape[0])


def draw_needs(rng: np.random.Generator, cells: Cells, rows_by_age: list[np.ndarray]) -> NewNeeds:
    """One week's needs (see the module docstring).

    Args:
        rng: The ``"needs"`` stream.
        cells: The Poisson cells (:class:`Cells`).
        rows_by_age: Villager rows of each age group, indexed by :class:`AgeGroup`.
    """
    sizes = np.array([len(r) for r in rows_by_age], dtype=float)
    counts = rng.poisson(cells.rates * sizes[None, :])  # one draw per (cell, age) pair
    picks = []
    for c in range(counts.shape[0]):
        for a, rows in enumerate(rows_by_age):
            n_c = int(counts[c, a])
            if n_c:
                picks.append(rows[rng.integers(0, len(rows), size=n_c)])
    per_cell = counts.sum(axis=1)
    n = int(per_cell.sum())
    villager = np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)
    u = rng.random((4, n))
    return NewNeeds(
        villager=villager,
        kind=np.repeat(cells.kind, per_cell),
        affair=np.repeat(cells.affair, per_cell),
        utype=u[0],
        uscope=u[1],
        uknow=u[2],
        prio=u[3],
    )


class Needs(Mechanism):
    """Draws each week's new needs into ``model.needs.new``.

    Attributes:
        rates: ``λ[kind, age]`` (needs per person per week).
        cells: The Poisson cells (kinds and affair types, :class:`Cells`).
        new: This week's needs (:class:`NewNeeds`).
        created: Needs created since the start (count, cumulative).
    """

    name = "needs"

    def setup(self, model: MergerModel) -> None:
        self.rates = rate_matrix(model.config.needs)
        self.cells = Cells.from_params(model.config.needs)
        self._rng = model.streams.generator(self.name)
        age = model.villagers.age
        self._rows = [np.flatnonzero(age == a) for a in AgeGroup]
        self.new = NewNeeds.empty()
        self.created = 0

    def step(self, model: MergerModel) -> None:
        self.new = draw_needs(self._rng, self.cells, self._rows)
        self.created += self.new.n

    def expected_per_person(self, age: np.ndarray) -> np.ndarray:
        """Expected needs per week of each kind for villagers of the given ages, (n, N_KINDS)."""
        return self.rates[:, age].T
