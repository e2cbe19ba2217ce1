"""Small numeric helpers shared across layers (no mergesim imports: the bottom layer)."""

from __future__ import annotations

import numpy as np

__all__ = ["largest_remainder"]


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum to ``total`` (Hamilton's method).

    Each entry gets the floor of its exact share; the units still missing go to the largest
    remainders, ties to the first entry (a stable sort), so the result is deterministic.

    Args:
        weights: Non-negative weights, shape (n,).
        total: The sum wanted (an integer >= 0).

    Returns:
        int64 array (n,) summing to ``total``; all zeros when ``total <= 0`` or the weights sum
        to 0.
    """
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = w / w.sum() * total
    out = np.floor(exact).astype(np.int64)
    short = int(total - out.sum())
    if short > 0:
        out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out
