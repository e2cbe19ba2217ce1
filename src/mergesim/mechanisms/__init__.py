"""Mechanisms of the model, one room each: population, needs, services (cadres and petitions
follow in issue 4). Each is a small class with ``setup``/``on_phase``/``step``/``finalize``."""

from __future__ import annotations

from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.needs import NEED_NAMES, NeedKind, Needs
from mergesim.mechanisms.population import AgeGroup, Population, Villagers
from mergesim.mechanisms.services.points import PointKind, Status
from mergesim.mechanisms.services.mechanism import Services

__all__ = [
    "NEED_NAMES", "AgeGroup", "Mechanism", "NeedKind", "Needs", "PointKind", "Population",
    "Services", "Status", "Villagers",
]
