"""The villagers' weekly trip tally compiled with Numba (the optional ``fast`` extra).

:func:`add_trips` does in one pass what :meth:`~mergesim.mechanisms.population.Villagers.
add_trips` does with a scatter, a gather, a cumulative sum, two ``bincount`` calls and
``np.add.at``: it sums each villager's trips of the week in float64 in the order of the rows,
as ``bincount`` does, and adds the sum in float32, so both paths give the same arrays bit for
bit (``tests/mechanisms/test_population_trips.py``). No ``fastmath``: it would reorder the sums.

Compiled by :func:`mergesim.mechanisms.jit.compile_cached` (Numba, imported there); without
Numba the functions below are plain (slow) Python, never called by the model.
"""

from __future__ import annotations

import numpy as np

from mergesim.mechanisms.jit import compile_cached as _compile


@_compile
def add_trips(  # pragma: no cover - compiled
    rows, travel, turned, slot, travel_week, trips_week, turned_week, touched
):
    """Add one trip of ``travel[i]`` minutes at each ``rows[i]`` and one turned-away trip at
    each of ``turned``; ``slot`` is a villager-length int32 scratch. Writes the distinct
    villagers to ``touched[:k]`` and returns ``k``."""
    m = rows.shape[0]
    for i in range(m):
        slot[rows[i]] = -1
    acc = np.zeros(m)
    count = np.zeros(m, np.int64)
    k = 0
    for i in range(m):
        r = rows[i]
        s = slot[r]
        if s < 0:
            s = k
            slot[r] = k
            touched[k] = r
            k += 1
        acc[s] += travel[i]
        count[s] += 1
    for s in range(k):
        r = touched[s]
        travel_week[r] += np.float32(acc[s])
        trips_week[r] += count[s]
    for i in range(turned.shape[0]):
        turned_week[turned[i]] += 1
    return k
