"""The plan model: which old units form which new units, with seats and names.

(Checks and summary are added below the data class.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(eq=False)
class Plan:
    """A merger plan over a :class:`~mergesim.county.county.County`.

    Attributes:
        method: Generator that made the plan ("none", "policy", "uniform", "file", "ensemble").
        seed: Seed of the plan's random stream (None for deterministic generators).
        village_to_new: New-village index of every old village, shape (n_villages,).
        township_to_new: New-township index of every old township, shape (n_townships,).
        new_village_seat: Old village index of each new village's seat, shape (n_new_villages,).
        new_township_seat: Old village index of each new township's seat, (n_new_townships,).
        new_village_name: Name of each new village (one of its members' names).
        new_township_name: Name of each new township (one of its members' names).
        notes: Human-readable remarks, e.g. a target that could not be reached.
    """

    method: str
    seed: int | None
    village_to_new: np.ndarray
    township_to_new: np.ndarray
    new_village_seat: np.ndarray
    new_township_seat: np.ndarray
    new_village_name: np.ndarray
    new_township_name: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def n_new_villages(self) -> int:
        """Number of villages after the merger."""
        return int(self.new_village_seat.shape[0])

    @property
    def n_new_townships(self) -> int:
        """Number of townships after the merger."""
        return int(self.new_township_seat.shape[0])

    def village_township_after(self, township: np.ndarray) -> np.ndarray:
        """New-township index of every old village, given the county's ``township`` array."""
        return self.township_to_new[township]
