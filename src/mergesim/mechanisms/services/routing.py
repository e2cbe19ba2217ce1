"""Routing tables: the points each village can take a need to, and how many minutes away they are.

Tables are rebuilt only when the service configuration changes (pre-reform, reform, end of the
duty teams), with ``scipy.sparse.csgraph`` Dijkstra through :mod:`mergesim.county.travel`: one
search per distinct target for the administrative points of a village's own units, and one
multi-source table per service class for the nearest points of the other kinds. Which of these
points a villager picks is decided each week by :mod:`~mergesim.mechanisms.services.choice`.

**Minutes.** A trip's one-way minutes from village ``v`` are ``local[v]`` (from home to the
village seat: half the square root of the village area, times the road detour, at
``villagers.local_kmh``) plus the road minutes from ``v``'s seat to the point's village. A
villager without a vehicle takes ``villagers.no_vehicle_factor`` times as long (applied by the
caller).

**Administrative affairs** go to the points of the villager's own units, one per *tier*:

0. its own village point: office or convenience room, or the duty team of a merged-away village;
1. the agency service of its new village (minutes as a local trip: the agent collects the papers
   in the villager's group);
2. the office or room at its new village's seat (merged-away villages only);
3. the convenience station at its old township seat (abolished townships only);
4. the service centre of its administrative township;
5. the county's administrative service centre.

**Other needs** are split into service classes (:class:`ServiceClass`: police and court
matters, bank and telecom errands are different classes) and go to one of the
``services.choice_candidates`` nearest open points of the class's kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import scipy.sparse as sp

from mergesim.county.county import County
from mergesim.county.travel import minutes_to_assigned, travel_table
from mergesim.mechanisms.needs import N_KINDS, NeedKind
from mergesim.mechanisms.services.points import PointKind, ServicePoints, is_open
from mergesim.plans.roles import UnitStatus


class Tier(IntEnum):
    """The administrative points of a village's own units (see the module docstring)."""

    OWN = 0
    AGENCY = 1
    SEAT = 2
    STATION = 3
    CENTRE = 4
    COUNTY = 5


N_TIERS = len(Tier)
#: Tiers reached by a trip inside the village (local minutes only).
LOCAL_TIERS = (Tier.OWN, Tier.AGENCY)


class ServiceClass(IntEnum):
    """Service classes of non-administrative needs (each with its own handler kinds)."""

    HEALTH_ROUTINE = 0
    HEALTH_SERIOUS = 1
    SCHOOL = 2
    ELDERLY_CARE = 3
    POLICE = 4
    COURT = 5
    BANK = 6
    TELECOM = 7


N_CLASSES = len(ServiceClass)
#: Point kinds that handle each service class.
CLASS_HANDLERS: dict[ServiceClass, tuple[PointKind, ...]] = {
    ServiceClass.HEALTH_ROUTINE: (
        PointKind.CLINIC,
        PointKind.REGIONAL_CENTRE,
        PointKind.COUNTY_HOSPITAL,
    ),
    ServiceClass.HEALTH_SERIOUS: (PointKind.REGIONAL_CENTRE, PointKind.COUNTY_HOSPITAL),
    ServiceClass.SCHOOL: (PointKind.SCHOOL,),
    ServiceClass.ELDERLY_CARE: (PointKind.ELDERLY_HOME,),
    ServiceClass.POLICE: (PointKind.POLICE,),
    ServiceClass.COURT: (PointKind.COURT,),
    ServiceClass.BANK: (PointKind.BANK,),
    ServiceClass.TELECOM: (PointKind.TELECOM,),
}
#: The class of each non-administrative need kind, and the class of its sub-share (court
#: matters, telecom errands: ``needs.court_share``, ``needs.telecom_share``) if it has one.
MAIN_CLASS = {
    NeedKind.HEALTH_ROUTINE: ServiceClass.HEALTH_ROUTINE,
    NeedKind.HEALTH_SERIOUS: ServiceClass.HEALTH_SERIOUS,
    NeedKind.SCHOOL: ServiceClass.SCHOOL,
    NeedKind.ELDERLY_CARE: ServiceClass.ELDERLY_CARE,
    NeedKind.POLICE_LEGAL: ServiceClass.POLICE,
    NeedKind.BANKING_TELECOM: ServiceClass.BANK,
}
SUB_CLASS = {
    NeedKind.POLICE_LEGAL: (ServiceClass.COURT, "court_share"),
    NeedKind.BANKING_TELECOM: (ServiceClass.TELECOM, "telecom_share"),
}
#: Point kinds that handle each non-administrative need kind (all its classes).
HANDLERS: dict[NeedKind, tuple[PointKind, ...]] = {
    need: CLASS_HANDLERS[c] + (CLASS_HANDLERS[SUB_CLASS[need][0]] if need in SUB_CLASS else ())
    for need, c in MAIN_CLASS.items()
}


def service_class(kind: np.ndarray, utype: np.ndarray, needs_p) -> np.ndarray:
    """:class:`ServiceClass` of each non-administrative need (-1 for administrative ones).

    Args:
        kind: :class:`NeedKind` per need.
        utype: The need's place within its kind (0–1): below the kind's sub-share it belongs to
            the sub-class (court, telecom).
        needs_p: The ``needs`` section (``court_share``, ``telecom_share``).
    """
    main, sub, share = class_tables(needs_p)
    k = np.asarray(kind, dtype=np.int64)
    return np.where(utype < share[k], sub[k], main[k]).astype(np.int8)


def class_tables(needs_p) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(main, sub, share)`` per :class:`NeedKind`: a need of kind ``k`` belongs to class
    ``sub[k]`` when its ``utype < share[k]``, else to ``main[k]`` (-1: administrative)."""
    main = np.full(N_KINDS, -1, dtype=np.int8)
    sub = np.full(N_KINDS, -1, dtype=np.int8)
    share = np.zeros(N_KINDS)
    for need, c in MAIN_CLASS.items():
        main[need] = c
    for need, (c, name) in SUB_CLASS.items():
        sub[need] = c
        share[need] = getattr(needs_p, name)
    return main, sub, share


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
        county: The county service centre's point.
    """

    office: np.ndarray
    duty: np.ndarray
    agency: np.ndarray
    centre: np.ndarray
    county: int

    @classmethod
    def build(cls, pts: ServicePoints, n_villages: int, n_new: int, n_towns: int) -> PointIndex:
        def scatter(kind: PointKind, key: np.ndarray, size: int) -> np.ndarray:
            out = np.full(size, -1, dtype=np.int64)
            idx = np.flatnonzero(pts.base_kind == kind)
            out[key[idx]] = idx
            return out

        county = np.flatnonzero(pts.base_kind == PointKind.COUNTY_CENTRE)
        return cls(
            office=scatter(PointKind.VILLAGE_OFFICE, pts.home, n_villages),
            duty=scatter(PointKind.DUTY_TEAM, pts.home, n_villages),
            agency=scatter(PointKind.AGENCY, pts.home, n_new),
            centre=scatter(PointKind.SERVICE_CENTRE, pts.township, n_towns),
            county=int(county[0]) if len(county) else -1,
        )


@dataclass(eq=False)
class Routing:
    """Routing tables of one service configuration (vehicle minutes; see module docstring).

    Attributes:
        tier_point: Administrative point of each tier (-1: none open), (N_TIERS, n_villages).
        tier_minutes: One-way minutes to it (inf if none).
        cand_point: The nearest open points of each service class, nearest first (-1: none),
            shape (N_CLASSES, K, n_villages).
        cand_minutes: One-way minutes to them (inf if none).
        local: One-way minutes inside the village, per village.
        point_kind: Kind of every point in this configuration (a copy).
        devolved: The devolved county stations are in force in this configuration.
    """

    tier_point: np.ndarray
    tier_minutes: np.ndarray
    cand_point: np.ndarray
    cand_minutes: np.ndarray
    local: np.ndarray
    point_kind: np.ndarray
    devolved: bool = False

    @property
    def centre_minutes(self) -> np.ndarray:
        """One-way minutes to the village's own township service centre (coverage)."""
        return self.tier_minutes[Tier.CENTRE]

    @property
    def clinic_minutes(self) -> np.ndarray:
        """One-way minutes to the nearest open township health centre or higher (coverage)."""
        return self.cand_minutes[ServiceClass.HEALTH_ROUTINE, 0]

    @property
    def kind_point(self) -> np.ndarray:
        """Nearest open point of each non-administrative kind's main class, (N_KINDS, nv);
        the administrative row is the township centre."""
        out = np.full((N_KINDS, self.local.shape[0]), -1, dtype=np.int64)
        out[NeedKind.ADMIN] = self.tier_point[Tier.CENTRE]
        for need, c in MAIN_CLASS.items():
            out[need] = self.cand_point[c, 0]
        return out

    @property
    def kind_minutes(self) -> np.ndarray:
        """One-way minutes to :attr:`kind_point`, (N_KINDS, nv)."""
        out = np.full((N_KINDS, self.local.shape[0]), np.inf)
        out[NeedKind.ADMIN] = self.tier_minutes[Tier.CENTRE]
        for need, c in MAIN_CLASS.items():
            out[need] = self.cand_minutes[c, 0]
        return out


def nearest_points(
    roads: sp.csr_matrix, local: np.ndarray, points: np.ndarray, where: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest of ``points`` (standing in villages ``where``) from every village.

    Returns:
        ``(point, minutes)``, shapes (k, n_villages), nearest first; -1/inf where fewer than
        ``k`` points are reachable. Ties keep the order of ``points``.
    """
    nv = roads.shape[0]
    point = np.full((k, nv), -1, dtype=np.int64)
    minutes = np.full((k, nv), np.inf)
    if len(points) == 0:
        return point, minutes
    villages, inv = np.unique(where, return_inverse=True)
    table = travel_table(roads, villages)[inv]  # (n_points, nv)
    order = np.argsort(table, axis=0, kind="stable")[:k]
    m = np.take_along_axis(table, order, axis=0)
    take = min(k, len(points))
    ok = np.isfinite(m)
    point[:take] = np.where(ok, points[order], -1)
    minutes[:take] = np.where(ok, local[None, :] + m, np.inf)
    return point, minutes


def build_routing(
    county: County,
    roads: sp.csr_matrix,
    units: UnitStatus,
    pts: ServicePoints,
    index: PointIndex,
    local: np.ndarray,
    k: int,
    *,
    reformed: bool,
    devolved: bool = False,
) -> Routing:
    """Routing tables for the points' current configuration.

    Args:
        county: The county.
        roads: ``county.road_matrix()``.
        units: Old-unit roles under the plan.
        pts: Service points, already configured for the period.
        index: Own-point lookup (:class:`PointIndex`).
        local: One-way minutes inside each village.
        k: Candidate points per service class (``services.choice_candidates``).
        reformed: The plan has taken effect (administrative units = the new ones).
        devolved: The devolved county stations are in force (recorded in the tables).
    """
    nv = county.n_villages
    v = np.arange(nv)
    open_ = is_open(pts.status)
    tp = np.full((N_TIERS, nv), -1, dtype=np.int64)
    own = index.office.copy()
    if reformed:
        absorbed = index.duty >= 0
        own = np.where(absorbed, index.duty, own)
        tp[Tier.AGENCY] = index.agency[units.new_village]
        seat_office = index.office[units.new_village_seat]
        tp[Tier.SEAT] = np.where(units.new_village_seat != v, seat_office, -1)
        old_centre = index.centre[county.township]
        station = pts.kind[old_centre] == PointKind.CONVENIENCE_STATION
        tp[Tier.STATION] = np.where(station, old_centre, -1)
        tp[Tier.CENTRE] = index.centre[units.host_township[county.township]]
    else:
        tp[Tier.CENTRE] = index.centre[county.township]
    tp[Tier.OWN] = own
    tp[Tier.COUNTY] = index.county
    tp = np.where((tp >= 0) & open_[np.maximum(tp, 0)], tp, -1)

    tier_min = np.full((N_TIERS, nv), np.inf)
    for t in Tier:
        ok = tp[t] >= 0
        if not ok.any():
            continue
        if t in LOCAL_TIERS:
            tier_min[t] = np.where(ok, local, np.inf)
            continue
        target = np.where(ok, pts.village[np.maximum(tp[t], 0)], v)
        tier_min[t] = np.where(ok, local + minutes_to_assigned(roads, target), np.inf)
    tp = np.where(np.isfinite(tier_min), tp, -1)

    cand_point = np.full((N_CLASSES, k, nv), -1, dtype=np.int64)
    cand_min = np.full((N_CLASSES, k, nv), np.inf)
    for c, kinds in CLASS_HANDLERS.items():
        idx = np.flatnonzero(open_ & np.isin(pts.kind, kinds))
        cand_point[c], cand_min[c] = nearest_points(roads, local, idx, pts.village[idx], k)
    return Routing(
        tier_point=tp,
        tier_minutes=tier_min,
        cand_point=cand_point,
        cand_minutes=cand_min,
        local=local,
        point_kind=pts.kind.copy(),
        devolved=devolved,
    )
