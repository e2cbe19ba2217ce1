"""Staff of the service points after the reform: rebalancing toward demand, and whether
"public services not lowered" (基本公共服务不降低) held in fact.

**Rebalancing** (:func:`rebalance`). Staff of a county-run system (health workers, teachers,
elderly-care workers, police, court staff, bank and telecom staff) and the desk staff of each
township's service centre and stations are one pool per *group* (:func:`rebalance_groups`).
Each week after the reform every open point of a group gets a target staffing,
``headroom × observed demand / (throughput × efficiency)`` — the demand being the visits it
received, smoothed over :data:`DEMAND_MEMORY_WEEKS` — and ``services.rebalance_rate`` of the
gap is closed by moving staff from points above their target to points below it, within the
group (the group's staff are conserved: staff move, nobody is hired). A donor keeps its target
and at least one staff member. The pace is one parameter: the county bureau does not reassign
everyone at once.

**Not lowered** (:func:`not_lowered`). The promise breaks in fact when a point that served
villagers before the reform is closed (other than the offices of merged-away villages, which the
merged village's office or room replaces), or when a group's county-wide capacity (staff ×
throughput × efficiency of its open points) falls more than ``services.not_lowered_tolerance``
below its pre-reform level.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mergesim.mechanisms.services.points import (
    HEALTH_KINDS,
    KIND_NAMES,
    VILLAGE_LEVEL,
    PointKind,
    ServicePoints,
    Status,
    is_open,
)

#: A point is *overloaded* in a week when the trips arriving exceed this multiple of its weekly
#: capacity (the overload criterion the closure scenarios are checked against: no point should
#: stay overloaded for more than eight weeks while staff can be rebalanced).
OVERLOAD_RATIO = 1.2
#: Weeks of observed demand a staffing target looks at (exponential smoothing weight 1/4): a
#: month of workload, long enough to ignore a busy week, short enough to follow a closure.
DEMAND_MEMORY_WEEKS = 4.0
#: Groups of kinds whose staff form one county-wide pool (health workers move between
#: clinics, regional centres and the hospital).
COUNTY_SYSTEMS: tuple[tuple[str, frozenset], ...] = (
    ("health", HEALTH_KINDS),
    ("school", frozenset({PointKind.SCHOOL})),
    ("elderly_home", frozenset({PointKind.ELDERLY_HOME})),
    ("police", frozenset({PointKind.POLICE})),
    ("court", frozenset({PointKind.COURT})),
    ("bank", frozenset({PointKind.BANK})),
    ("telecom", frozenset({PointKind.TELECOM})),
)
#: Township desks: staff move only within one (new) township.
TOWNSHIP_DESKS = frozenset({PointKind.SERVICE_CENTRE, PointKind.CONVENIENCE_STATION})
#: The groups whose capacity "not lowered" compares (name, kinds).
CAPACITY_GROUPS: tuple[tuple[str, frozenset], ...] = (
    *COUNTY_SYSTEMS,
    ("township_admin", TOWNSHIP_DESKS),
    ("village_admin", VILLAGE_LEVEL),
    ("county_admin", frozenset({PointKind.COUNTY_CENTRE})),
)


def _member(kinds: frozenset) -> np.ndarray:
    """``table[kind]`` is true for the kinds of a group (a lookup instead of ``np.isin``,
    which costs more than the weekly sums it selects for)."""
    return np.isin(np.arange(len(PointKind)), [int(k) for k in kinds])


def _systems() -> np.ndarray:
    table = np.full(len(PointKind), -1, dtype=np.int64)
    for g, (_, kinds) in enumerate(COUNTY_SYSTEMS):
        table[_member(kinds)] = g
    return table


#: ``SYSTEM_OF_KIND[kind]``: the county system of a kind (-1: none).
SYSTEM_OF_KIND = _systems()
#: ``IS_DESK[kind]``: a township desk.
IS_DESK = _member(TOWNSHIP_DESKS)
#: ``IN_CAPACITY_GROUP[g, kind]``: the kind belongs to :data:`CAPACITY_GROUPS` ``g``.
IN_CAPACITY_GROUP = np.array([_member(kinds) for _, kinds in CAPACITY_GROUPS])


def rebalance_groups(kind: np.ndarray, township: np.ndarray) -> np.ndarray:
    """Rebalancing group of each point (-1: not rebalanced: village-level and county centre).

    Args:
        kind: Current point kinds.
        township: The (new) township each point serves, for township desks.
    """
    group = SYSTEM_OF_KIND[kind]
    desk = IS_DESK[kind]
    group[desk] = len(COUNTY_SYSTEMS) + township[desk]
    return group


def smooth_demand(previous: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Exponentially smoothed demand (weight ``1 / DEMAND_MEMORY_WEEKS`` on the new week)."""
    return previous + (observed - previous) / DEMAND_MEMORY_WEEKS


def rebalance(
    staff: np.ndarray, target: np.ndarray, group: np.ndarray, active: np.ndarray, rate: float
) -> np.ndarray:
    """Staff after one week of rebalancing (a new array; see the module docstring).

    Args:
        staff: Staff per point now.
        target: Target staff per point.
        group: Group of each point (-1: left alone).
        active: Open points taking part.
        rate: Share of the gap closed this week.

    Returns:
        New staff per point; each group's total is unchanged.
    """
    out = staff.astype(float).copy()
    ok = active & (group >= 0)
    if not ok.any() or rate <= 0:
        return out
    idx = np.flatnonzero(ok)
    g = group[idx]
    floor = np.maximum(target[idx], np.minimum(1.0, staff[idx]))
    surplus = np.maximum(staff[idx] - floor, 0.0)
    need = np.maximum(target[idx] - staff[idx], 0.0)
    ug, gi = np.unique(g, return_inverse=True)
    tot_surplus = np.bincount(gi, weights=surplus, minlength=len(ug))
    tot_need = np.bincount(gi, weights=need, minlength=len(ug))
    moved = rate * np.minimum(tot_surplus, tot_need)
    with np.errstate(divide="ignore", invalid="ignore"):
        give = np.where(tot_surplus > 0, moved / tot_surplus, 0.0)[gi] * surplus
        take = np.where(tot_need > 0, moved / tot_need, 0.0)[gi] * need
    out[idx] += take - give
    return out


def group_capacity(pts: ServicePoints, throughput: np.ndarray, staff: np.ndarray) -> np.ndarray:
    """Full-scale weekly capacity of each :data:`CAPACITY_GROUPS` group (open points only)."""
    cap = np.where(is_open(pts.status), staff * throughput * pts.efficiency, 0.0)
    return np.array([cap[member[pts.kind]].sum() for member in IN_CAPACITY_GROUP])


def not_lowered(
    pts: ServicePoints, capacity_now: np.ndarray, capacity_before: np.ndarray, tolerance: float
) -> dict[str, Any]:
    """Whether "public services not lowered" holds now (see the module docstring).

    Args:
        pts: The points now.
        capacity_now, capacity_before: :func:`group_capacity` now and before the reform.
        tolerance: Relative fall tolerated.

    Returns:
        ``{"held": bool, "reasons": [str, ...]}``.
    """
    reasons = []
    served_before = is_open(pts.base_status) & (pts.base_kind != PointKind.VILLAGE_OFFICE)
    closed = served_before & (pts.status == Status.CLOSED)
    for k in np.unique(pts.base_kind[closed]):
        n = int(np.count_nonzero(closed & (pts.base_kind == k)))
        reasons.append(f"{n} {KIND_NAMES[k]} point{'s' if n > 1 else ''} closed")
    for (name, _), now, before in zip(CAPACITY_GROUPS, capacity_now, capacity_before, strict=True):
        if before > 0 and now < before * (1.0 - tolerance):
            reasons.append(f"{name} capacity fell {100.0 * (1.0 - now / before):.0f} %")
    return {"held": not reasons, "reasons": reasons}
