"""The mechanisms of the model, one room each, in the order they step each week.

Every mechanism follows the lifecycle of :class:`~mergesim.mechanisms.base.Mechanism`
(``setup``, ``on_phase``, ``step``, ``finalize``), owns one part of the model's state and draws
from its own named random stream; mechanisms read each other's state only through the model's
attributes. ``docs/architecture.md`` tables which mechanism owns, writes and reads which array.

* :mod:`~mergesim.mechanisms.population` — villagers as arrays;
* :mod:`~mergesim.mechanisms.needs` — weekly service needs;
* :mod:`~mergesim.mechanisms.services` — service points, routing, capacity, trips;
* :mod:`~mergesim.mechanisms.cadres` — the cadre pool, selection and placement, training;
* :mod:`~mergesim.mechanisms.grievance` — hardship, grievance, communication, filing;
* :mod:`~mergesim.mechanisms.petitions` — the six-step closed loop;
* :mod:`~mergesim.mechanisms.timeline` — the run's calendar (weeks, phases, windows).
"""

from __future__ import annotations

from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.cadres import CadreMechanism
from mergesim.mechanisms.grievance import GrievanceMechanism
from mergesim.mechanisms.needs import Needs
from mergesim.mechanisms.petitions import PetitionMechanism
from mergesim.mechanisms.population import Population
from mergesim.mechanisms.services import Services

__all__ = [
    "CadreMechanism",
    "GrievanceMechanism",
    "Mechanism",
    "Needs",
    "PetitionMechanism",
    "Population",
    "Services",
]
