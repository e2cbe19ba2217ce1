"""The weekly grievance update compiled with Numba (the optional ``fast`` extra).

Two fused loops over the villagers, grouped by village (``Villagers.offsets``), that do what
:mod:`~mergesim.mechanisms.grievance.kernel` does with a sequence of NumPy passes — one read
of each input instead of a dozen passes over 800,000-row arrays, and no temporaries:

* :func:`update_week`: access hardship from the accounts' table, hardship, waiting, Epstein's
  smoothed grievance, and each village's sum of the new grievance;
* :func:`spread_week`: broadcasts, meetings and talks, contagion toward the weighted village
  mean, and each village's count of villagers above their threshold.

They give the NumPy path's numbers bit for bit, so that no discrete decision (a threshold
crossed, a village ranked) flips between the two paths: every operation is done in the NumPy
path's precision (float32 constants, float32 products) and in its order, and the village sums
repeat NumPy's summation — ``np.add.reduceat`` adds the first element of a segment to the
pairwise sum of the rest (:func:`_pairwise`, NumPy's ``pairwise_sum``), in float64. No
``fastmath``: it would reorder the sums. The test ``tests/mechanisms/grievance/
test_grievance_kernel.py`` holds both paths to the same weekly metrics.

Compiled by :func:`mergesim.mechanisms.jit.compile_cached` (Numba, imported there); without
Numba the functions below are plain (slow) Python, never called by the model.
"""

from __future__ import annotations

import numpy as np

from mergesim.mechanisms.jit import compile_cached as _compile


@_compile
def _pairwise(x, a, n):  # pragma: no cover - compiled
    """NumPy's pairwise sum of ``x[a : a + n]`` in float64 (``numpy/_core/src/umath/
    loops_utils.h``: 8 accumulators up to 128 terms, halves above)."""
    if n < 8:
        res = -0.0  # NumPy starts from -0.0 so that a sum of -0.0 stays -0.0
        for i in range(a, a + n):
            res += np.float64(x[i])
        return res
    if n <= 128:
        r0 = np.float64(x[a])
        r1 = np.float64(x[a + 1])
        r2 = np.float64(x[a + 2])
        r3 = np.float64(x[a + 3])
        r4 = np.float64(x[a + 4])
        r5 = np.float64(x[a + 5])
        r6 = np.float64(x[a + 6])
        r7 = np.float64(x[a + 7])
        i = 8
        stop = n - n % 8
        while i < stop:
            r0 += np.float64(x[a + i])
            r1 += np.float64(x[a + i + 1])
            r2 += np.float64(x[a + i + 2])
            r3 += np.float64(x[a + i + 3])
            r4 += np.float64(x[a + i + 4])
            r5 += np.float64(x[a + i + 5])
            r6 += np.float64(x[a + i + 6])
            r7 += np.float64(x[a + i + 7])
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += np.float64(x[a + i])
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _pairwise(x, a, n2) + _pairwise(x, a + n2, n - n2)


@_compile
def _segment_sum(x, a, b):  # pragma: no cover - compiled
    """``np.add.reduceat(x, [a], dtype=float64)`` for the segment ``a:b`` (``b > a``): the
    first element plus the pairwise sum of the rest."""
    return np.float64(x[a]) + _pairwise(x, a + 1, b - a - 1)


@_compile
def _smoothed(g, trust, h, d, keep):  # pragma: no cover - compiled
    """``clip((1 − trust) h δ + g (1 − δ), 0, 1)`` in float32, in ``update_grievance``'s order."""
    x = (np.float32(1.0) - trust) * h
    x = x * d
    x = x + g * keep
    return min(max(x, np.float32(0.0)), np.float32(1.0))


@_compile
def _hardship(access, standing, combine):  # pragma: no cover - compiled
    """``clip(access + standing, −1, 1)`` when ``combine``, else ``standing``."""
    if combine:
        return min(max(access + standing, np.float32(-1.0)), np.float32(1.0))
    return standing


@_compile
def update_week(
    g,
    trust,
    standing,
    access,
    table,
    cells,
    take,
    combine,
    w_rows,
    w_vals,
    d,
    keep,
    offsets,
    out,
    vsum,
):  # pragma: no cover - compiled
    """One week's grievance before communication (``kernel.update_week``).

    Village by village, so that the village's rows stay in cache from the update to the sum.
    The dense loops have no branch that depends on the row, so that they vectorise; the few
    waiting villagers of the village are then recomputed with their waiting added (rows
    sorted, stably: a repeated row takes its last value, as in NumPy's fancy assignment).

    Args:
        g, trust, standing: Per villager (float32).
        access: Access hardship per villager (float32); written when ``take``.
        table, cells: The accounts' table and each villager's cell in it (``take``).
        take: Refresh ``access`` from the table.
        combine: Hardship ``clip(access + standing, −1, 1)``; else ``standing`` as it is.
        w_rows, w_vals: Waiting villagers (sorted) and their hardship (float32).
        d, keep: ``δ`` and ``1 − δ`` as float32.
        offsets: Row range of each village.
        out: The new grievance (float32, not ``g``).
        vsum: Each village's sum of ``out`` (float64; 0 for an empty village).
    """
    one, lo = np.float32(1.0), np.float32(-1.0)
    j, n_w = 0, len(w_rows)
    for v in range(len(offsets) - 1):
        a, b = offsets[v], offsets[v + 1]
        if b == a:
            vsum[v] = 0.0
            continue
        if take:
            for i in range(a, b):
                access[i] = table[cells[i]]
        if combine:
            for i in range(a, b):
                h = min(max(access[i] + standing[i], lo), one)
                out[i] = _smoothed(g[i], trust[i], h, d, keep)
        else:
            for i in range(a, b):
                out[i] = _smoothed(g[i], trust[i], standing[i], d, keep)
        while j < n_w and w_rows[j] < b:
            i = w_rows[j]
            h = min(max(_hardship(access[i], standing[i], combine) + w_vals[j], lo), one)
            out[i] = _smoothed(g[i], trust[i], h, d, keep)
            j += 1
        vsum[v] = _segment_sum(out, a, b)


@_compile
def spread_week(
    g,
    reached,
    broadcast,
    b_keep,
    meeting_rows,
    m_keep,
    talk_rows,
    t_keep,
    mix,
    rate,
    influence,
    influence_sum,
    offsets,
    threshold,
    work,
    out,
    above,
):  # pragma: no cover - compiled
    """Communication and contagion (``kernel.spread_week``), village by village.

    Args:
        g: Grievance after :func:`update_week` (float32; not changed).
        reached: Broadcast reached each villager (bool), used when ``broadcast``.
        b_keep, m_keep, t_keep: ``1 − effect`` of broadcasts, meetings and talks (float32).
        meeting_rows, talk_rows: Distinct rows the meetings and talks reach, sorted.
        mix: Contagion on; ``rate`` its rate (float32).
        influence, influence_sum: Contagion weights per villager and their village sums.
        offsets, threshold: Row ranges; petition thresholds (float32).
        work: Scratch of at least the largest village's size (float32).
        out: The week's grievance (float32; may be the villagers' own array).
        above: Villagers above their threshold per village (int64).
    """
    one, zero = np.float32(1.0), np.float32(0.0)
    jm, jt = 0, 0
    for v in range(len(offsets) - 1):
        a, b = offsets[v], offsets[v + 1]
        if b == a:
            above[v] = 0
            continue
        # ``work`` holds the village's grievance after communication (local row i - a).
        if broadcast:
            for i in range(a, b):
                work[i - a] = g[i] * b_keep if reached[i] else g[i]
        else:
            for i in range(a, b):
                work[i - a] = g[i]
        while jm < len(meeting_rows) and meeting_rows[jm] < b:
            work[meeting_rows[jm] - a] = work[meeting_rows[jm] - a] * m_keep
            jm += 1
        while jt < len(talk_rows) and talk_rows[jt] < b:
            work[talk_rows[jt] - a] = work[talk_rows[jt] - a] * t_keep
            jt += 1
        if mix:
            # The weighted products go to ``out`` first: the sum runs over them as stored.
            for i in range(a, b):
                out[i] = work[i - a] * influence[i]
            m = np.float32(_segment_sum(out, a, b) / influence_sum[v])
            for i in range(a, b):
                y = (m - work[i - a]) * rate
                y = y + work[i - a]
                out[i] = min(max(y, zero), one)
        else:
            for i in range(a, b):
                out[i] = work[i - a]
        k = 0
        for i in range(a, b):
            k += out[i] > threshold[i]
        above[v] = k
