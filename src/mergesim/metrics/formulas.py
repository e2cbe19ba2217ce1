"""Metric formulas: pure functions of served affairs and per-village arrays."""

from __future__ import annotations

import math

import numpy as np

from mergesim.mechanisms.needs import NEED_NAMES, NeedKind
from mergesim.mechanisms.services import Done
from mergesim.metrics.affairs import service_affair_metrics
from mergesim.plans.roles import GROUPS


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
    out: dict[str, float] = {}
    t = done.travel.astype(float)
    n = done.n
    nv = len(village_pop)
    out["travel_min_mean"] = _mean(t.sum(), n)
    out["travel_min_p90"] = float(np.percentile(t, 90)) if n else math.nan
    for k in NeedKind:
        tk = t[done.kind == k]
        name = NEED_NAMES[k]
        out[f"travel_min_mean_{name}"] = _mean(tk.sum(), len(tk))
        out[f"travel_min_p90_{name}"] = float(np.percentile(tk, 90)) if len(tk) else math.nan
    one = done.trips == 1
    adm = done.kind == NeedKind.ADMIN
    out["trips_mean"] = _mean(done.trips.sum(), n)
    out["one_trip_share"] = _mean(one.sum(), n)
    out["admin_trips_mean"] = _mean(done.trips[adm].sum(), adm.sum())
    out["admin_one_trip_share"] = _mean((one & adm).sum(), adm.sum())
    out["admin_in_village_share"] = _mean((done.in_village & adm).sum(), adm.sum())
    out["wait_weeks_mean"] = _mean(done.wait.sum(), n)  # whole weeks; days_mean is finer
    out["travel_gini"] = gini(t)
    v = done.village
    cnt = np.bincount(v, minlength=nv).astype(float)
    tsum = np.bincount(v, weights=t, minlength=nv)
    with np.errstate(invalid="ignore", divide="ignore"):
        vmean = np.where(cnt > 0, tsum / np.maximum(cnt, 1), np.nan)
    out["travel_worst_decile_min"] = worst_decile(vmean, np.where(cnt > 0, village_pop, 0))
    acnt = np.bincount(v[adm], minlength=nv).astype(float)
    asum = np.bincount(v[adm], weights=t[adm], minlength=nv)
    ocnt = np.bincount(v[one], minlength=nv).astype(float)
    for g, _ in GROUPS:
        m = masks[g]
        out[f"travel_min_mean_{g}"] = _mean(tsum[m].sum(), cnt[m].sum())
        out[f"admin_travel_min_mean_{g}"] = _mean(asum[m].sum(), acnt[m].sum())
        out[f"one_trip_share_{g}"] = _mean(ocnt[m].sum(), cnt[m].sum())
    out.update(service_affair_metrics(done, village_pop, masks, worst_decile))
    return out


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
