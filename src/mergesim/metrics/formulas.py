"""Metric formulas: pure functions of served affairs and per-village arrays."""

from __future__ import annotations

import math

import numpy as np

from mergesim.mechanisms.services import Done
from mergesim.metrics.pool import AffairPool


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal; NaN for no values or zero sum)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return math.nan
    # A plain sum, not np.dot: above ~10,000 values a BLAS dot wakes a second OpenBLAS thread
    # that busy-waits, doubling the CPU time of a run whose metrics are computed every week.
    i = np.arange(1, n + 1, dtype=float)
    i *= x
    return float(2.0 * i.sum() / (n * x.sum()) - (n + 1.0) / n)


def worst_decile(mean_by_village: np.ndarray, weight: np.ndarray, share: float = 0.1) -> float:
    """Weighted mean of the worst ``share`` of weight, ranked by ``mean_by_village`` (NaN-free)."""
    ok = (weight > 0) & np.isfinite(mean_by_village)
    m, w = mean_by_village[ok], weight[ok].astype(float)
    if len(m) == 0:
        return math.nan
    order = np.argsort(-m, kind="stable")
    m, w = m[order], w[order]
    target = share * w.sum()
    before = np.concatenate([[0.0], np.cumsum(w)[:-1]])
    take = np.clip(target - before, 0.0, w)
    return float((take * m).sum() / target)  # no BLAS in a weekly metric (see gini)


def _mean(num: float, den: float) -> float:
    return float(num / den) if den > 0 else math.nan


def affair_metrics(
    done: Done, village_pop: np.ndarray, masks: dict[str, np.ndarray]
) -> dict[str, float]:
    """The affair metrics of a set of served affairs (see :data:`METRICS`).

    Args:
        done: Served affairs.
        village_pop: Simulated villagers per village (weights of the worst decile).
        masks: Village mask of each breakdown group.
    """
    return AffairPool(len(village_pop)).add(done).metrics(village_pop, masks, worst_decile)


def coverage_share(
    minutes: np.ndarray,
    n_vehicle: np.ndarray,
    n_without: np.ndarray,
    factor: float,
    limit: float,
    mask: np.ndarray | None = None,
) -> float:
    """Share of villagers within ``limit`` one-way minutes in their own mode.

    Args:
        minutes: One-way vehicle minutes per village (inf if unreachable).
        n_vehicle, n_without: Villagers per village with and without a vehicle.
        factor: Travel-time multiplier without a vehicle.
        limit: Threshold (minutes).
        mask: Optional village subset.
    """
    if mask is not None:
        minutes, n_vehicle, n_without = minutes[mask], n_vehicle[mask], n_without[mask]
    total = n_vehicle.sum() + n_without.sum()
    inside = n_vehicle[minutes <= limit].sum() + n_without[minutes * factor <= limit].sum()
    return _mean(inside, total)
