"""Weekly service needs: Poisson arrivals per villager by age group, drawn per cell, not per person.

Each villager of age group ``a`` has needs of kind ``k`` as a Poisson process with weekly rate
``λ[k, a]`` (scenario section ``needs``; sources there). Drawing one Bernoulli per villager and
kind would cost ``n_villagers × n_kinds`` random numbers a week; instead, for each (kind, age
group) cell the week's count is drawn as ``Poisson(λ · n_a)`` and each need is given to a
villager of the cell uniformly at random (with replacement). By the superposition and thinning
properties of Poisson processes this is the same distribution — every villager still has
``Poisson(λ)`` needs of the kind, independently — at a cost proportional to the number of needs.

Each need also gets two uniform numbers: ``utype``, the affair *type* on a 0–1 scale (a village
point handling a share ``s`` of administrative affair types handles exactly the needs with
``utype < s``), and ``prio``, its place in a queue among needs of the same week.

All draws come from the ``"needs"`` stream, in a fixed order that does not depend on the model's
state, so every scenario sharing a seed sees exactly the same needs (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from mergesim.config.schema import NeedParams
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


def rate_matrix(p: NeedParams) -> np.ndarray:
    """Weekly rates ``λ[kind, age]`` (needs per person per week), shape (N_KINDS, 3)."""
    return np.array([getattr(p, name) for name in NEED_NAMES], dtype=float)


@dataclass(eq=False)
class NewNeeds:
    """The needs that arose this week (struct of arrays, one row per need).

    Attributes:
        villager: Row of the villager with the need (int64).
        kind: :class:`NeedKind` code (int8).
        utype: Affair type on a 0–1 scale (float64).
        prio: Queue priority among needs of the same week (float64; lower goes first).
    """

    villager: np.ndarray
    kind: np.ndarray
    utype: np.ndarray
    prio: np.ndarray

    @property
    def n(self) -> int:
        """Number of needs."""
        return int(self.villager.shape[0])


def draw_needs(
    rng: np.random.Generator, rates: np.ndarray, rows_by_age: list[np.ndarray]
) -> NewNeeds:
    """One week's needs (see the module docstring).

    Args:
        rng: The ``"needs"`` stream.
        rates: ``λ[kind, age]`` (needs per person per week).
        rows_by_age: Villager rows of each age group, indexed by :class:`AgeGroup`.
    """
    sizes = np.array([len(r) for r in rows_by_age], dtype=float)
    counts = rng.poisson(rates * sizes[None, :])  # one draw per (kind, age) cell
    picks, kinds = [], []
    for k in range(rates.shape[0]):
        for a, rows in enumerate(rows_by_age):
            c = int(counts[k, a])
            if c == 0:
                continue
            picks.append(rows[rng.integers(0, len(rows), size=c)])
            kinds.append(np.full(c, k, dtype=np.int8))
    n = int(counts.sum())
    villager = np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)
    kind = np.concatenate(kinds) if kinds else np.zeros(0, dtype=np.int8)
    return NewNeeds(villager=villager, kind=kind, utype=rng.random(n), prio=rng.random(n))


class Needs(Mechanism):
    """Draws each week's new needs into ``model.needs.new``.

    Attributes:
        rates: ``λ[kind, age]`` (needs per person per week).
        new: This week's needs (:class:`NewNeeds`).
        created: Needs created since the start (count, cumulative).
    """

    name = "needs"

    def setup(self, model: MergerModel) -> None:
        self.rates = rate_matrix(model.config.needs)
        self._rng = model.streams.generator(self.name)
        age = model.villagers.age
        self._rows = [np.flatnonzero(age == a) for a in AgeGroup]
        self.new = NewNeeds(*(np.zeros(0, dtype=t) for t in (np.int64, np.int8, float, float)))
        self.created = 0

    def step(self, model: MergerModel) -> None:
        self.new = draw_needs(self._rng, self.rates, self._rows)
        self.created += self.new.n

    def expected_per_person(self, age: np.ndarray) -> np.ndarray:
        """Expected needs per week of each kind for villagers of the given ages, (n, N_KINDS)."""
        return self.rates[:, age].T
