"""Petitions as records: the stages of the closed loop, the codes, and the record arrays.

docs/domain.md §4. Every petition passes six stages in order (the report's 六步闭合机制)::

    accept and register → classify and transfer → quick verification → research and handle
    → track and supervise → close and cancel

Petitions are rows of :class:`PetitionRecords`, a struct of NumPy arrays that grows by doubling
(no Python object per petition): kind (individual / collective), level (township / county),
village, handling unit, filer (villager row or -1), parent and child (for repeats and
escalations), size (persons), cause and service domain, filing time, current stage, outcome,
the resolution and extension flags, escalation beyond the county, the collective-incident
flag and time, and per stage the timestamps ``entry``, ``start`` (service begins), ``done``
(service ends, the server is free) and ``exit`` (after the stage's pure delay). Times are in
days from the start of the run (week ``w`` is ``[7w, 7w + 7)``,
:data:`~mergesim.mechanisms.timeline.DAYS_PER_WEEK`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np

#: The six steps of the closed loop, in order (the order of every per-stage list of the
#: ``petitions`` and ``cadres`` sections, and of ``CadrePool.stage``).
STAGES = ("accept", "classify", "verify", "handle", "supervise", "close")
STAGE_LABELS = (
    "accept and register",
    "classify and transfer",
    "quick verification",
    "research and handle",
    "track and supervise",
    "close and cancel",
)
N_STAGES = len(STAGES)
#: Acceptance is decided when this stage ends (classify and transfer).
ACCEPT_STAGE = 1
#: The petition is concluded (办结) when this stage ends (research and handle).
CONCLUDE_STAGE = 3
#: ``stage`` value of a closed petition.
CLOSED = N_STAGES


class Kind(IntEnum):
    """Who files: one villager or a village's group."""

    INDIVIDUAL = 0
    COLLECTIVE = 1


class Level(IntEnum):
    """Where the petition is handled."""

    TOWNSHIP = 0
    COUNTY = 1


class Outcome(IntEnum):
    """Outcome of a petition (OPEN until it closes)."""

    OPEN = 0
    RESOLVED = 1
    UNRESOLVED = 2
    REPEATED = 3
    ESCALATED = 4


OUTCOME_NAMES = tuple(o.name.lower() for o in Outcome)


class Cause(IntEnum):
    """What a petition is about: decides what can resolve it (a reply, or a fix).

    ``ACCESS`` petitions also record the service domain (``PetitionRecords.domain``,
    :class:`~mergesim.mechanisms.needs.ServiceDomain`); every other cause records -1.
    """

    BACKGROUND = 0  # matters unrelated to the reform (disputes, land, welfare)
    ACCESS = 1  # service access after the merger
    RIGHTS = 2  # a broken guarantee (五个不 / 五个不变)
    ASSETS = 3  # collective assets and debts pooled by the merger
    REPRESENTATION = 4  # an absorbed village's voice in the merged committee
    SEAT_LOSS = 5  # the township seat (and its offices) moved away
    CADRE = 6  # a displaced or unplaced cadre's own case


CAUSE_NAMES = tuple(c.name.lower() for c in Cause)

# name: (dtype, fill value)
_FIELDS: dict[str, tuple[Any, Any]] = {
    "kind": (np.int8, 0),
    "level": (np.int8, 0),
    "village": (np.int32, -1),
    "unit": (np.int32, -1),
    "filer": (np.int64, -1),
    "parent": (np.int64, -1),
    "child": (np.int64, -1),
    "size": (np.int32, 1),
    "cause": (np.int8, Cause.BACKGROUND),
    "domain": (np.int8, -1),
    "filed": (np.float64, np.nan),
    "stage": (np.int8, 0),
    "outcome": (np.int8, Outcome.OPEN),
    "resolved": (bool, False),
    "extended": (bool, False),
    "closed": (np.float64, np.nan),
    "beyond": (bool, False),
    "incident": (bool, False),
    "incident_t": (np.float64, np.nan),
    "incident_drawn": (bool, False),
}
_STAGE_FIELDS = ("entry", "start", "done", "exit")


class PetitionRecords:
    """Petitions as a struct of arrays (row ``i`` = petition ``i``), grown by doubling.

    Attribute access returns a *view* of the first :attr:`n` rows, so ``rec.stage[idx] = 3``
    writes through.

    Attributes:
        kind: :class:`Kind` (int8).
        level: :class:`Level` (int8).
        village: Village of the filer(s) (old village index, int32).
        unit: Handling unit: township index now, or the county bureau (int32).
        filer: Villager row of an individual petition, -1 for a collective one (int64).
        parent: The petition this one repeats or escalates, -1 for a first filing (int64).
        child: The repeat or escalation filed after this one closed, -1 if none (int64).
        size: Persons behind the petition (simulated villagers; int32).
        cause: :class:`Cause` (int8); repeats and escalations keep their parent's.
        domain: Service domain of an ``ACCESS`` petition, -1 otherwise (int8).
        filed: Filing time (days).
        stage: Current stage 0–5, or :data:`CLOSED` (int8).
        outcome: :class:`Outcome` (int8).
        resolved: Substantively resolved at the end of research and handle (bool). Every
            concluded petition gets a reply (formal closure, ``exit[:, CONCLUDE_STAGE]``);
            whether the reply resolves it depends on its cause.
        extended: Approved as complex: the conclusion deadline is extended (bool).
        closed: Closing time (days; NaN while open).
        beyond: Escalated beyond the county (to the city or province, 越级访) when it closed
            (bool; outcome ``ESCALATED``).
        incident: A collective petition that became a collective incident (群体性事件; bool).
        incident_t: Time of the incident (days; NaN if none).
        incident_drawn: The overdue collective petition's one incident draw has been made.
        entry, start, done, exit: Per-stage times, shape ``(n, 6)`` (days; NaN until reached):
            entering the stage's queue, service start, service end, leaving the stage.
    """

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._a: dict[str, np.ndarray] = {}
        self._alloc(max(int(capacity), 16))

    def _alloc(self, cap: int) -> None:
        old, n = self._a, self.n
        new: dict[str, np.ndarray] = {}
        for name, (dt, fill) in _FIELDS.items():
            a = np.full(cap, fill, dtype=dt)
            if name in old:
                a[:n] = old[name][:n]
            new[name] = a
        for name in _STAGE_FIELDS:
            a = np.full((cap, N_STAGES), np.nan)
            if name in old:
                a[:n] = old[name][:n]
            new[name] = a
        self._a = new
        self.capacity = cap

    def __getattr__(self, name: str) -> np.ndarray:
        a = self.__dict__.get("_a")
        if a is None or name not in a:
            raise AttributeError(name)
        return a[name][: self.n]

    def add(self, k: int, **cols: Any) -> np.ndarray:
        """Append ``k`` rows with the given column values (scalars or arrays); return indices."""
        if self.n + k > self.capacity:
            cap = self.capacity
            while cap < self.n + k:
                cap *= 2
            self._alloc(cap)
        idx = np.arange(self.n, self.n + k, dtype=np.int64)
        for name, value in cols.items():
            self._a[name][idx] = value
        self.n += k
        return idx

    def copy(self) -> PetitionRecords:
        """A deep copy (for tests and snapshots)."""
        out = PetitionRecords(self.capacity)
        out.n = self.n
        out._a = {k: v.copy() for k, v in self._a.items()}
        return out
