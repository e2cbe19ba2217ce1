"""Records of the services mechanism: the served-affair record :class:`Done`, the fields of a
waiting need, and the capacity allocation rule :func:`allocate`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np


class Stage(IntEnum):
    """Where a waiting need stands."""

    SEEK = 0  # the villager still has to take it somewhere (new, put off, or a failed trip)
    CARRIED = 1  # papers with a village carrier, waiting for its capacity


#: Fields of a waiting (or new) need, with their dtypes.
NEED_FIELDS = (
    ("villager", np.int64),
    ("kind", np.int8),
    ("affair", np.int8),
    ("utype", float),
    ("uscope", float),
    ("prio", float),
    ("created", np.int32),
    ("trips", np.int16),
    ("failed", np.int16),
    ("travel", np.float64),
    ("known", bool),
    ("advised", bool),
    ("docs", np.int8),
    ("stage", np.int8),
    ("carrier", np.int64),
)
_DONE_FIELDS = (
    ("villager", np.int64),
    ("village", np.int32),
    ("kind", np.int8),
    ("domain", np.int8),
    ("trips", np.int16),
    ("travel", np.float32),
    ("in_village", bool),
    ("wait", np.int16),
    ("days", np.float32),
    ("vehicle", bool),
    ("affair", np.int8),
    ("failed", np.int16),
    ("handler", np.int8),
    ("carried", bool),
)


def empty_needs() -> dict[str, np.ndarray]:
    """A backlog with no needs (one empty array per field of :data:`NEED_FIELDS`)."""
    return {f: np.zeros(0, dtype=t) for f, t in NEED_FIELDS}


@dataclass(eq=False)
class Done:
    """Needs served in a week (one row each): the input of the affair metrics.

    Attributes:
        villager: Row of the villager in ``model.villagers`` (int64).
        village: Home village (int32).
        kind: :class:`~mergesim.mechanisms.needs.NeedKind` (int8).
        domain: :class:`~mergesim.mechanisms.needs.ServiceDomain` of the kind (int8).
        trips: Trips the affair took (int16, ≥ 1).
        travel: Round-trip travel minutes summed over its trips (float32).
        in_village: Handled by a village-level point (office, room, agency, duty team): the
            villager did not leave the (administrative) village (不出村).
        wait: Weeks from the need's creation to its service (int16).
        days: Days from the need arising to the affair done (float32): ``7 × wait`` plus the
            wait for an open day, a carrier's turnaround, forwarding and processing
            (:func:`~mergesim.mechanisms.services.visits.days_to_done`).
        vehicle: The villager has a vehicle (bool).
        affair: Administrative affair type (int8; -1 for other kinds).
        failed: Trips that ended without the affair done (int16): official absent, turned away,
            referred, documents missing, or papers handed back by a carrier that stopped.
        handler: :class:`~mergesim.mechanisms.services.points.PointKind` of the point that
            finished it, or of the village carrier that carried it (int8).
        carried: Carried by a village carrier (agency, room, duty team).
    """

    villager: np.ndarray
    village: np.ndarray
    kind: np.ndarray
    domain: np.ndarray
    trips: np.ndarray
    travel: np.ndarray
    in_village: np.ndarray
    wait: np.ndarray
    days: np.ndarray
    vehicle: np.ndarray
    affair: np.ndarray
    failed: np.ndarray
    handler: np.ndarray
    carried: np.ndarray

    @classmethod
    def empty(cls) -> Done:
        return cls(*(np.zeros(0, dtype=t) for _, t in _DONE_FIELDS))

    @classmethod
    def concat(cls, parts: list[Done]) -> Done:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f, _ in _DONE_FIELDS))

    @property
    def n(self) -> int:
        return int(self.village.shape[0])


def allocate(
    point: np.ndarray, created: np.ndarray, prio: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """Which arrivals a point serves this week, given its integer capacity.

    Args:
        point: Point of each arriving need (int, ≥ 0).
        created: Week each need was created (older first).
        prio: Random priority among needs of the same week (lower first).
        cap: Integer capacity of each point this week.

    Returns:
        Bool per need: served.
    """
    counts = np.bincount(point, minlength=len(cap))
    over = counts > cap
    served = ~over[point]
    sel = np.flatnonzero(over[point])
    if len(sel):
        s = sel[np.lexsort((prio[sel], created[sel], point[sel]))]
        p = point[s]
        start = np.r_[0, np.flatnonzero(np.diff(p)) + 1]
        first = np.repeat(start, np.diff(np.r_[start, len(s)]))
        served[s] = (np.arange(len(s)) - first) < cap[p]
    return served
