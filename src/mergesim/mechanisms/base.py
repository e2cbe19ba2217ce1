"""The lifecycle every mechanism follows, so that the model's step order stays in one place.

A mechanism owns one part of the model's state (villager arrays, need pool, service points,
cadre pool, grievance state, petition records; ``docs/architecture.md`` tables who owns, writes
and reads each array) and one named random stream. The model calls, in the order of
``MergerModel.mechanisms``:

* ``setup(model)`` once, at construction;
* ``on_phase(model, week)`` at the start of any week in which the service configuration
  changes (the reform week, the end of the duty teams, the end of the transition);
* ``step(model)`` once a week;
* ``finalize(model)`` once, after the last week.

Mechanisms talk to each other only through the model's attributes (``model.villagers``,
``model.needs``, ``model.services``, ...), never through globals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


class Mechanism:
    """Base class: a named mechanism with no-op lifecycle hooks.

    Attributes:
        name: The mechanism's name; also the name of its random stream.
    """

    name: str = "mechanism"

    def setup(self, model: MergerModel) -> None:
        """Create state; draw only from ``model.streams.generator(self.name)``."""

    def on_phase(self, model: MergerModel, week: int) -> None:
        """React to a change of the service configuration at the start of ``week``."""

    def step(self, model: MergerModel) -> None:
        """Advance one week (vectorised: no Python loop over villagers)."""

    def finalize(self, model: MergerModel) -> None:
        """Release or summarise state after the last week."""
