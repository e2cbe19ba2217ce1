"""Routing tables: which point serves a need, and how many minutes away it is, per village.

Tables are rebuilt only when the service configuration changes (pre-reform, reform, end of the
duty teams), with ``scipy.sparse.csgraph`` Dijkstra through :mod:`mergesim.county.travel`: one
multi-source search per need kind ("nearest open point") and one search per distinct target for
assigned points (own township centre, own new-village seat, own old township seat).

**Minutes.** A trip's one-way minutes from village ``v`` are ``local[v]`` (from home to the
village seat: half the square root of the village area, times the road detour, at
``villagers.local_kmh``) plus the road minutes from ``v``'s seat to the point's village. A
villager without a vehicle takes ``villagers.no_vehicle_factor`` times as long (applied by the
caller).

**Administrative affairs** are routed by affair type ``u`` (0–1). Each village has up to five
candidate handlers (tiers), each handling the types ``u < share``:

0. its own village point: office or convenience room, or the duty team of a merged-away village;
1. the agency service of its new village (minutes as a local trip: the cadre carries the papers);
2. the office or room at its new village's seat (merged-away villages only);
3. the convenience station at its old township seat (abolished townships only);
4. the service centre of its administrative township (share 1: handles every type).

A need of type ``u`` goes to the *nearest* tier that handles it (ties: the lower tier). Because
shares are thresholds, the choice is piecewise constant in ``u``: the tables store, per village,
the sorted shares (segment upper bounds) and the handler of each segment, so routing a need is
one comparison per tier, and the expected minutes of a village are a width-weighted sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mergesim.county.county import County
from mergesim.county.travel import minutes_to_assigned, nearest
from mergesim.mechanisms.needs import N_KINDS, NeedKind
from mergesim.mechanisms.services.points import (
    PointKind,
    ServicePoints,
    admin_share,
    is_open,
)
from mergesim.plans.roles import UnitStatus

N_TIERS = 5
#: Point kinds that handle each non-administrative need kind, in order of preference when
#: several stand in the same village.
HANDLERS: dict[NeedKind, tuple[PointKind, ...]] = {
    NeedKind.HEALTH_ROUTINE: (
        PointKind.CLINIC,
        PointKind.REGIONAL_CENTRE,
        PointKind.COUNTY_HOSPITAL,
    ),
    NeedKind.HEALTH_SERIOUS: (PointKind.REGIONAL_CENTRE, PointKind.COUNTY_HOSPITAL),
    NeedKind.SCHOOL: (PointKind.SCHOOL,),
    NeedKind.ELDERLY_CARE: (PointKind.ELDERLY_HOME,),
    NeedKind.POLICE_LEGAL: (PointKind.POLICE, PointKind.COURT),
    NeedKind.BANKING_TELECOM: (PointKind.BANK, PointKind.TELECOM),
}


def local_minutes(county: County, local_kmh: float, detour: float) -> np.ndarray:
    """One-way minutes from home to the village seat, per village (see module docstring)."""
    return 0.5 * np.sqrt(np.maximum(county.area, 0.0)) * detour / local_kmh * 60.0


@dataclass(eq=False)
class PointIndex:
    """Where to find each village's and township's own points (fixed by the layout).

    Attributes:
        office: Village-office point of each old village (n_villages).
        duty: Duty-team point of each old village, -1 if it is not merged away.
        agency: Agency point of each new village (n_new_villages).
        centre: Service-centre point of each old township (n_townships).
    """

    office: np.ndarray
    duty: np.ndarray
    agency: np.ndarray
    centre: np.ndarray

    @classmethod
    def build(cls, pts: ServicePoints, n_villages: int, n_new: int, n_towns: int) -> PointIndex:
        def scatter(kind: PointKind, key: np.ndarray, size: int) -> np.ndarray:
            out = np.full(size, -1, dtype=np.int64)
            idx = np.flatnonzero(pts.base_kind == kind)
            out[key[idx]] = idx
            return out

        return cls(
            office=scatter(PointKind.VILLAGE_OFFICE, pts.home, n_villages),
            duty=scatter(PointKind.DUTY_TEAM, pts.home, n_villages),
            agency=scatter(PointKind.AGENCY, pts.home, n_new),
            centre=scatter(PointKind.SERVICE_CENTRE, pts.township, n_towns),
        )


@dataclass(eq=False)
class Routing:
    """Routing tables of one service configuration (vehicle minutes; see module docstring).

    Attributes:
        seg_upper: Sorted administrative shares per village, shape (N_TIERS, n_villages).
        seg_point: Point handling each segment (-1: none), shape (N_TIERS, n_villages).
        seg_minutes: One-way minutes to that point, shape (N_TIERS, n_villages).
        tier_point: Candidate point of each tier (-1: none), shape (N_TIERS, n_villages).
        tier_share: Share of affair types each tier handles (0 if closed).
        tier_minutes: One-way minutes to each tier's point (inf if none).
        kind_point: Nearest open point per need kind (row ADMIN unused), (N_KINDS, n_villages).
        kind_minutes: One-way minutes to it (inf if none).
        local: One-way minutes inside the village, per village.
    """

    seg_upper: np.ndarray
    seg_point: np.ndarray
    seg_minutes: np.ndarray
    tier_point: np.ndarray
    tier_share: np.ndarray
    tier_minutes: np.ndarray
    kind_point: np.ndarray
    kind_minutes: np.ndarray
    local: np.ndarray

    @property
    def centre_minutes(self) -> np.ndarray:
        """One-way minutes to the village's own township service centre (coverage)."""
        return self.tier_minutes[N_TIERS - 1]

    @property
    def clinic_minutes(self) -> np.ndarray:
        """One-way minutes to the nearest open township health centre or higher (coverage)."""
        return self.kind_minutes[NeedKind.HEALTH_ROUTINE]

    def route(
        self, village: np.ndarray, kind: np.ndarray, utype: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Point and one-way vehicle minutes for each need (vectorised; -1/inf if none)."""
        point = self.kind_point[kind, village]
        minutes = self.kind_minutes[kind, village]
        adm = np.flatnonzero(kind == NeedKind.ADMIN)
        if len(adm):
            v = village[adm]
            seg = (self.seg_upper[:, v] <= utype[adm]).sum(axis=0)
            ok = seg < N_TIERS
            segc = np.minimum(seg, N_TIERS - 1)
            point[adm] = np.where(ok, self.seg_point[segc, v], -1)
            minutes[adm] = np.where(ok, self.seg_minutes[segc, v], np.inf)
        return point, minutes

    def admin_segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(width, point, minutes)`` of each segment, shapes (N_TIERS, n_villages)."""
        lower = np.vstack([np.zeros_like(self.seg_upper[:1]), self.seg_upper[:-1]])
        return self.seg_upper - lower, self.seg_point, self.seg_minutes


def _segments(share: np.ndarray, minutes: np.ndarray, point: np.ndarray):
    order = np.argsort(share, axis=0, kind="stable")
    upper = np.take_along_axis(share, order, axis=0)
    seg_point = np.full(share.shape, -1, dtype=np.int64)
    seg_min = np.full(share.shape, np.inf)
    cols = np.arange(share.shape[1])
    for j in range(share.shape[0]):
        masked = np.where((share >= upper[j]) & (share > 0), minutes, np.inf)
        pick = np.argmin(masked, axis=0)  # first minimum: the lower tier wins ties
        best = masked[pick, cols]
        seg_point[j] = np.where(np.isfinite(best), point[pick, cols], -1)
        seg_min[j] = best
    return upper, seg_point, seg_min


def build_routing(
    county: County,
    roads: sp.csr_matrix,
    units: UnitStatus,
    pts: ServicePoints,
    index: PointIndex,
    shares,
    local: np.ndarray,
    *,
    reformed: bool,
) -> Routing:
    """Routing tables for the points' current configuration.

    Args:
        county: The county.
        roads: ``county.road_matrix()``.
        units: Old-unit roles under the plan.
        pts: Service points, already configured for the period.
        index: Own-point lookup (:class:`PointIndex`).
        shares: The ``services`` section (for affair shares).
        local: One-way minutes inside each village.
        reformed: The plan has taken effect (administrative township = the new one).
    """
    nv = county.n_villages
    v = np.arange(nv)
    open_ = is_open(pts.status)
    share_of = np.where(open_, admin_share(pts.kind, shares), 0.0)

    tp = np.full((N_TIERS, nv), -1, dtype=np.int64)
    own = index.office.copy()
    if reformed:
        use_duty = (index.duty >= 0) & ~open_[own]
        own = np.where(use_duty, index.duty, own)
        tp[1] = index.agency[units.new_village]
        seat_office = index.office[units.new_village_seat]
        tp[2] = np.where(units.new_village_seat != v, seat_office, -1)
        old_centre = index.centre[county.township]
        tp[3] = np.where(pts.kind[old_centre] == PointKind.CONVENIENCE_STATION, old_centre, -1)
        tp[4] = index.centre[units.host_township[county.township]]
    else:
        tp[4] = index.centre[county.township]
    tp[0] = own

    valid = tp >= 0
    safe = np.where(valid, tp, 0)
    tier_share = np.where(valid, share_of[safe], 0.0)
    tier_min = np.full((N_TIERS, nv), np.inf)
    tier_min[0] = tier_min[1] = local  # inside the village
    for t in (2, 3, 4):
        ok = valid[t] & (tier_share[t] > 0)
        if ok.any():
            target = np.where(ok, pts.village[safe[t]], v)
            road = minutes_to_assigned(roads, target)
            tier_min[t] = np.where(ok, local + road, np.inf)
    tier_min = np.where(tier_share > 0, tier_min, np.inf)
    upper, seg_point, seg_min = _segments(tier_share, tier_min, np.where(valid, tp, -1))

    kind_point = np.full((N_KINDS, nv), -1, dtype=np.int64)
    kind_min = np.full((N_KINDS, nv), np.inf)
    for need, kinds in HANDLERS.items():
        host = np.full(nv, -1, dtype=np.int64)
        for k in reversed(kinds):  # preferred kinds overwrite
            idx = np.flatnonzero(open_ & (pts.kind == k))
            host[pts.village[idx]] = idx
        src_villages = np.flatnonzero(host >= 0)
        road, src = nearest(roads, src_villages)
        reach = src >= 0
        kind_point[need] = np.where(reach, host[np.maximum(src, 0)], -1)
        kind_min[need] = np.where(reach, local + road, np.inf)
    return Routing(
        seg_upper=upper,
        seg_point=seg_point,
        seg_minutes=seg_min,
        tier_point=tp,
        tier_share=tier_share,
        tier_minutes=tier_min,
        kind_point=kind_point,
        kind_minutes=kind_min,
        local=local,
    )
