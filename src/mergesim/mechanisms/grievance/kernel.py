"""The villager-length part of a grievance week, on two paths: NumPy (the reference) and Numba.

A week's grievance (:meth:`~.mechanism.GrievanceMechanism.step`) has two stretches that pass
over every villager: before communication (access hardship, hardship, waiting, Epstein's
smoothed grievance: :func:`update_week`) and after it (broadcasts, meetings and talks,
contagion: :func:`spread_week`). Each also returns the per-village aggregate the rest of the
week reads — the village sums of grievance (the risk watch and the meetings' targets) and the
counts of villagers above their threshold (collective filing, the aggrieved share) — so that
no later step passes over the villagers again for them.

The NumPy path is the sequence of the pure functions of :mod:`~.hardship`, :mod:`~.social` and
:mod:`~.communication` and stays the reference; the Numba path (:mod:`~.compiled`) fuses it
into two loops and gives the same numbers bit for bit. The path is chosen by the environment
variable ``MERGESIM_KERNEL`` (:mod:`mergesim.mechanisms.kernels`), read when a model is set up
— a choice of how to compute, not of what, so it is not a scenario key.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from mergesim.config.schema import CommunicationParams
from mergesim.mechanisms.grievance.communication import communicate
from mergesim.mechanisms.grievance.hardship import add_waiting, update_grievance
from mergesim.mechanisms.grievance.social import contagion, village_sum
from mergesim.mechanisms.kernels import compiled_module

#: Nobody waiting on a petition (a model without the petitions mechanism).
NO_WAIT = (np.zeros(0, np.int64), np.zeros(0, np.float32))


def _compiled() -> ModuleType:
    """The compiled module (imported on first use: it imports Numba)."""
    return compiled_module("mergesim.mechanisms.grievance.compiled")


@dataclass(eq=False)
class Buffers:
    """Villager-length arrays reused every week (no per-week temporaries of that length).

    Attributes:
        h: Hardship (float32, NumPy path).
        g: Grievance after the week's update, before communication (float32, Numba path).
        work: A village's grievance after communication (float32, Numba path).
        vsum: Village sums of :attr:`g` (float64, Numba path).
        above: Villagers above their threshold per village (int64).
    """

    h: np.ndarray
    g: np.ndarray
    work: np.ndarray
    vsum: np.ndarray
    above: np.ndarray

    @classmethod
    def empty(cls, offsets: np.ndarray) -> Buffers:
        """Buffers for villagers grouped by village (``offsets``)."""
        f4, nv = np.float32, len(offsets) - 1
        n, largest = int(offsets[-1]), int(np.diff(offsets).max(initial=0))
        return cls(
            np.zeros(n, f4),
            np.zeros(n, f4),
            np.zeros(largest, f4),
            np.zeros(nv),
            np.zeros(nv, np.int64),
        )


def update_week(
    kernel: str,
    g: np.ndarray,
    trust: np.ndarray,
    standing: np.ndarray,
    access: np.ndarray,
    table: np.ndarray | None,
    cells: np.ndarray,
    combine: bool,
    waiting: tuple[np.ndarray, np.ndarray],
    memory_weeks: float,
    offsets: np.ndarray,
    buf: Buffers,
) -> tuple[np.ndarray, np.ndarray]:
    """The week's grievance before communication, and its village sums.

    ``access`` is refreshed from the accounts' ``table`` (a flat float32 table indexed by
    ``cells``) when a table is given; the hardship is ``clip(access + standing, −1, 1)`` when
    ``combine`` (after the reform), else ``standing``; ``waiting`` = ``(rows, hardship)``
    (:meth:`~.filing.FilingState.waiting`) is added there; grievance follows
    :func:`~.hardship.update_grievance`.

    Returns:
        ``(grievance, village sums)``: new arrays on the NumPy path, ``buf.g`` and ``buf.vsum``
        on the Numba path (``g`` is not changed).
    """
    rows, vals = waiting
    if kernel == "numba":
        order = np.argsort(rows, kind="stable")  # a few thousand rows; repeats keep order
        rows, vals = rows[order], vals[order]
        dt = np.float32
        d = 1.0 / memory_weeks
        _compiled().update_week(
            g,
            trust,
            standing,
            access,
            table if table is not None else np.zeros(1, dt),
            cells,
            table is not None,
            combine,
            rows,
            np.asarray(vals, dtype=dt),
            dt(d),
            dt(1.0 - d),
            offsets,
            buf.g,
            buf.vsum,
        )
        return buf.g, buf.vsum
    if table is not None:
        # The cells are valid indices: "clip" skips the bounds check (twice as fast).
        np.take(table, cells, out=access, mode="clip")
    if combine:
        h = np.add(access, standing, out=buf.h)
        np.clip(h, -1.0, 1.0, out=h)
    else:
        h = standing
    h = add_waiting(h, rows, vals)
    g = update_grievance(g, trust, h, memory_weeks)
    return g, village_sum(g, offsets)


def spread_week(
    kernel: str,
    g: np.ndarray,
    reach: dict[str, np.ndarray] | None,
    cp: CommunicationParams,
    rate: float,
    influence: np.ndarray,
    influence_sum: np.ndarray,
    offsets: np.ndarray,
    village: np.ndarray,
    threshold: np.ndarray,
    out: np.ndarray,
    buf: Buffers,
) -> np.ndarray:
    """Communication (``reach``; none when there is no effort) and contagion, written to
    ``out``; the counts above threshold per village go to ``buf.above``.

    Returns:
        ``buf.above``.
    """
    f4 = np.float32
    if kernel == "numba":
        z = np.zeros(0, np.int64)
        rows = (reach or {}).get("meeting_rows"), (reach or {}).get("talk_rows")
        if reach is not None and (rows[0] is None or rows[1] is None):
            raise ValueError("the compiled path needs the reached rows (communication_reach)")
        _compiled().spread_week(
            g,
            reach["broadcast"] if reach is not None else np.zeros(1, bool),
            reach is not None,
            f4(1.0 - cp.broadcast_effect),
            np.sort(rows[0]).astype(np.int64) if reach is not None else z,
            f4(1.0 - cp.meeting_effect),
            np.sort(rows[1]).astype(np.int64) if reach is not None else z,
            f4(1.0 - cp.talk_effect),
            rate > 0,
            f4(rate),
            influence,
            influence_sum,
            offsets,
            threshold,
            buf.work,
            out,
            buf.above,
        )
        return buf.above
    if reach is not None:
        g = communicate(g, reach, cp)
    nv = len(offsets) - 1
    out[:] = contagion(g, village, nv, rate, influence, offsets, influence_sum)
    # Counts of villagers above their threshold, from the few above (exact integers).
    up = np.flatnonzero(out > threshold)
    buf.above[:] = np.bincount(village[up], minlength=nv)
    return buf.above


def warm_up(kernel: str, cp: CommunicationParams) -> None:
    """Compile (or load from Numba's cache) the compiled path on a two-villager county, so
    that a run's first week does not pay for it (the model's set-up does)."""
    if kernel != "numba":
        return
    f4, offsets = np.float32, np.array([0, 1, 2], dtype=np.int64)
    x, cells = np.zeros(2, f4), np.zeros(2, dtype=np.intp)
    buf = Buffers.empty(offsets)
    reach = {"broadcast": np.zeros(2, bool), "meeting_rows": cells, "talk_rows": cells}
    g, _ = update_week(kernel, x, x, x, x.copy(), x, cells, True, NO_WAIT, 1.0, offsets, buf)
    spread_week(kernel, g, reach, cp, 0.1, x, np.ones(2), offsets, cells, x, x.copy(), buf)
