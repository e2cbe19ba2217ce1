"""Grievance in the village: village means and contagion (DeGroot 1974).

Grievance spreads within a village: ``G ← G + κ (Ḡ_v − G)``, ``Ḡ_v`` the village mean with key
persons weighted ``key_person_influence`` (:func:`contagion`). Villager rows are grouped by
village (``Villagers.offsets``), so village sums are segment sums and a village's rows a range
(:func:`rows_of`).
"""

from __future__ import annotations

import numpy as np


def village_sum(x: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sum of ``x`` per village (float64; 0 for an empty village), rows grouped by village.

    One segment sum (``np.add.reduceat``) over the non-empty villages' starts: each segment
    runs to the next start, so empty villages are skipped rather than summed as one row.
    """
    sizes = np.diff(offsets)
    nz = np.flatnonzero(sizes > 0)
    out = np.zeros(len(sizes))
    if len(nz):
        out[nz] = np.add.reduceat(x, offsets[:-1][nz], dtype=np.float64)
    return out


def village_mean(
    x: np.ndarray,
    village: np.ndarray,
    n_villages: int,
    weight: np.ndarray | None = None,
    offsets: np.ndarray | None = None,
    weight_sum: np.ndarray | None = None,
) -> np.ndarray:
    """(Weighted) mean of ``x`` per village (NaN for an empty village).

    ``weight_sum``: the weights' per-village sums when the caller keeps them (the weights of
    contagion are fixed for a run), saving a pass over the villagers.

    With ``offsets`` (rows grouped by village, village ``v`` = rows ``offsets[v]:offsets[v+1]``,
    as in :class:`~mergesim.mechanisms.population.Villagers`) the sums are segment sums
    (``np.add.reduceat``), several times faster than ``bincount`` with weights.
    """
    x = np.asarray(x)
    wx = x if weight is None else x * weight
    if offsets is not None:
        num = village_sum(wx, offsets)
        if weight is None:
            den = sizes(offsets)
        else:
            den = weight_sum if weight_sum is not None else village_sum(weight, offsets)
    else:
        num = np.bincount(village, weights=wx, minlength=n_villages)
        den = (
            np.bincount(village, minlength=n_villages).astype(float)
            if weight is None
            else np.bincount(village, weights=weight, minlength=n_villages)
        )
    return ratio(num, den)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` per village, NaN where ``den`` is 0 (an empty village).

    The one place village means are divided out, so that a mean from sums kept elsewhere
    (the grievance kernel's village sums, counts above threshold) is the same number
    :func:`village_mean` gives.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def sizes(offsets: np.ndarray) -> np.ndarray:
    """Villagers per village as float64 (the denominators of unweighted village means)."""
    return np.diff(offsets).astype(float)


def contagion(
    g: np.ndarray,
    village: np.ndarray,
    n_villages: int,
    rate: float,
    weight: np.ndarray | None = None,
    offsets: np.ndarray | None = None,
    weight_sum: np.ndarray | None = None,
) -> np.ndarray:
    """Move each grievance ``rate`` of the way toward its village's (weighted) mean.

    With equal weights the village mean is unchanged; key persons (larger ``weight``) pull the
    others toward their own grievance. ``weight_sum``: as in :func:`village_mean`.
    """
    if rate <= 0:
        return np.array(g)
    g = np.asarray(g)
    m = village_mean(g, village, n_villages, weight, offsets, weight_sum).astype(g.dtype)
    # Rows grouped by village: spreading the means back is a repeat, cheaper than a gather.
    back = np.repeat(m, np.diff(offsets)) if offsets is not None else m[village]
    back -= g
    back *= g.dtype.type(rate)
    back += g
    return np.clip(back, 0.0, 1.0, out=back)


def rows_of(offsets: np.ndarray, villages: np.ndarray) -> np.ndarray:
    """Row indices of ``villages`` when rows are grouped by village (``offsets``)."""
    villages = np.asarray(villages, dtype=np.int64)
    if len(villages) == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = offsets[villages], offsets[villages + 1]
    size = hi - lo
    # Each village contributes lo, lo+1, ..., hi-1: a ramp restarted at each village.
    start = np.repeat(lo - np.concatenate([[0], np.cumsum(size)[:-1]]), size)
    return start + np.arange(int(size.sum()), dtype=np.int64)
