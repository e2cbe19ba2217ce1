"""Service points: their kinds, where they stand, and how the reform re-configures them.

Every point that can exist in any week is created once, at set-up (:func:`layout`), so point
indices are the same in every scenario sharing a county and plan; the reform changes a point's
*kind* (a converted point takes its new role), *status*, *location* and *staff*.

Layout (before the reform):

* at each township seat: a government service centre, a township health centre ("clinic"),
  a school, an elderly-care home, a police station, a bank and a telecom outlet;
* at the county seat: the county hospital, the county's administrative service centre (the
  county departments' windows) and a people's court; courts also at the seats of central
  townships;
* in each village: a village office;
* *planned* (not yet open): an agency service at the seat of each new village, and a transition
  duty team in each merged-away village.

The reform (:func:`configure`, docs/domain.md §5; each rule is a ``services`` switch):

* an abolished township's centre becomes a convenience station (``seat_stations``) keeping
  ``station_staff`` staff, or closes; the absorbing township's centre stays (moved to the new seat
  if needed) and receives the rest of the staff (``transfer_staff``, unless the guarantee
  ``staffing_kept`` is broken: then the county takes the posts back);
* the abolished township's other points are kept (``keep_abolished_points``) or close, their staff
  moving to the same kind of point in the absorbing township;
* the office of a merged-away village closes; the merged village's seat office becomes a
  convenience room (``village_rooms``); agency service opens in every new village
  (``agency_service``); duty teams open in merged-away villages for ``duty_weeks``
  (``transition_duty``);
* ``health_network`` upgrades ``regional_centres`` township health centres (central townships
  first, then the most populous) to regional medical centres: "1 + 4 + N".

Staff of pre-reform points is sized for their expected weekly demand (``services.headroom``);
the sizing itself is in :mod:`mergesim.mechanisms.services.mechanism`, which knows the demand.

**Hours and absence.** A village office, room or duty team receives villagers on
``office_days``/``room_days``/``duty_days`` days a week (township and county points on five):
its capacity is its staff's weekly throughput times the open share of the working week
(:func:`throughput`), and a villager waits for the next open day (:func:`open_wait_days`). The
official a matter needs is away with probability ``q^(staff / usual staff)`` (:func:`absence`),
``q`` the kind's ``absent_*`` parameter at the point's usual staffing (``ServicePoints.ref_staff``):
a point that lost staff is more often unattended, one that gained staff less.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from mergesim.config.schema import ServiceParams
from mergesim.county.county import County, TownshipClass
from mergesim.plans.roles import Role, UnitStatus


class PointKind(IntEnum):
    """Kinds of service point."""

    SERVICE_CENTRE = 0  # 便民服务中心 of a township government
    CONVENIENCE_STATION = 1  # 便民服务站 at an abolished township seat
    VILLAGE_OFFICE = 2  # 村委会 office
    VILLAGE_ROOM = 3  # 便民服务室 of a merged village
    AGENCY = 4  # 村级民事代办: a cadre carries the paperwork
    DUTY_TEAM = 5  # transition duty team in a merged-away village
    CLINIC = 6  # township health centre (乡镇卫生院)
    REGIONAL_CENTRE = 7  # regional medical centre ("4" of 1 + 4 + N)
    COUNTY_HOSPITAL = 8
    SCHOOL = 9
    ELDERLY_HOME = 10
    POLICE = 11
    COURT = 12
    BANK = 13
    TELECOM = 14
    COUNTY_CENTRE = 15  # the county's administrative service centre (county departments)


class Status(IntEnum):
    """Status of a service point."""

    PLANNED = 0  # exists in some week of the run, not open yet
    OPEN = 1
    CONVERTED = 2  # open, in the new role its kind names (e.g. centre → station)
    CLOSED = 3


KIND_NAMES = tuple(k.name.lower() for k in PointKind)
STATUS_NAMES = tuple(s.name.lower() for s in Status)
#: Kinds that handle administrative affairs.
ADMIN_KINDS = frozenset(
    {
        PointKind.SERVICE_CENTRE,
        PointKind.CONVENIENCE_STATION,
        PointKind.VILLAGE_OFFICE,
        PointKind.VILLAGE_ROOM,
        PointKind.AGENCY,
        PointKind.DUTY_TEAM,
        PointKind.COUNTY_CENTRE,
    }
)
#: Kinds whose affairs are handled "without leaving the village" (不出村).
VILLAGE_LEVEL = frozenset(
    {
        PointKind.VILLAGE_OFFICE,
        PointKind.VILLAGE_ROOM,
        PointKind.AGENCY,
        PointKind.DUTY_TEAM,
    }
)
HEALTH_KINDS = frozenset({PointKind.CLINIC, PointKind.REGIONAL_CENTRE, PointKind.COUNTY_HOSPITAL})
#: Township-level points of an abolished township that ``keep_abolished_points`` keeps.
TOWNSHIP_POINTS = (
    PointKind.CLINIC,
    PointKind.SCHOOL,
    PointKind.ELDERLY_HOME,
    PointKind.POLICE,
    PointKind.BANK,
    PointKind.TELECOM,
)


def is_open(status: np.ndarray) -> np.ndarray:
    """Bool: the point serves villagers (open or converted)."""
    return (status == Status.OPEN) | (status == Status.CONVERTED)


#: Working days a week of township and county points (the others: ``services.*_days``).
WORK_DAYS = 5.0


def open_days(kind: np.ndarray, p: ServiceParams) -> np.ndarray:
    """Days a week each point receives villagers (days/week)."""
    table = np.full(len(PointKind), WORK_DAYS)
    table[PointKind.VILLAGE_OFFICE] = p.office_days
    table[PointKind.VILLAGE_ROOM] = p.room_days
    table[PointKind.DUTY_TEAM] = p.duty_days
    return table[kind]


def open_wait_days(kind: np.ndarray, p: ServiceParams) -> np.ndarray:
    """Mean days a villager waits for the point's next open day: ``(7 / d − 1) / 2`` for ``d``
    open days spread over the week (0 for a point open every day)."""
    return np.maximum(7.0 / open_days(kind, p) - 1.0, 0.0) / 2.0


def throughput(kind: np.ndarray, p: ServiceParams) -> np.ndarray:
    """Affairs one staff member handles a week, per point (affairs/staff/week): the kind's daily
    rate times its open days (agency: ``agency_per_agent_week``)."""
    table = np.full(len(PointKind), p.other_per_staff_week)
    table[list(ADMIN_KINDS)] = p.admin_per_staff_week
    table[list(HEALTH_KINDS)] = p.health_per_staff_week
    out = table[kind] * open_days(kind, p) / WORK_DAYS
    return np.where(kind == PointKind.AGENCY, p.agency_per_agent_week, out)


def absent_base(kind: np.ndarray, p: ServiceParams) -> np.ndarray:
    """Probability that the official a matter needs is away, at the usual staffing (0 for
    non-administrative kinds)."""
    table = np.zeros(len(PointKind))
    table[PointKind.VILLAGE_OFFICE] = p.absent_office
    table[PointKind.VILLAGE_ROOM] = p.absent_room
    table[PointKind.DUTY_TEAM] = p.absent_duty
    table[PointKind.AGENCY] = p.absent_agency
    table[PointKind.CONVENIENCE_STATION] = p.absent_station
    table[PointKind.SERVICE_CENTRE] = p.absent_centre
    table[PointKind.COUNTY_CENTRE] = p.absent_county
    return table[kind]


def absence(q: np.ndarray, staff: np.ndarray, ref_staff: np.ndarray) -> np.ndarray:
    """``q^(staff / ref_staff)``: absence at the usual staffing ``q``, higher with fewer staff
    (1 with none), lower with more; ``q`` where no usual staffing is known."""
    q = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ref_staff > 0, staff / np.where(ref_staff > 0, ref_staff, 1.0), 1.0)
    out = np.where(q > 0, np.power(np.where(q > 0, q, 1.0), ratio), 0.0)
    return np.where(staff > 0, out, np.where(q > 0, 1.0, 0.0))


@dataclass(eq=False)
class ServicePoints:
    """All service points as arrays (row = point index).

    Attributes:
        kind: Current :class:`PointKind` (int8).
        status: Current :class:`Status` (int8).
        village: Village where the point stands now (int64).
        staff: Staff (persons, float; set at set-up and by :func:`configure`; the services
            mechanism moves staff toward demand after the reform; read every week).
        efficiency: Capacity multiplier for staff competence (-, 1 unless the cadres
            mechanism sets it, :meth:`~mergesim.mechanisms.cadres.CadreMechanism.staff_points`).
        competence: Multiplier of the odds that a visit finishes the matter (-, 1 unless the
            cadres mechanism sets it).
        ref_staff: Usual staffing of the point in its current role (the staffing its absence
            parameter refers to; :func:`absence`).
        township: Old township a township-level point serves (-1 for others).
        home: Old village a village office or duty team serves; new-village index for an
            agency (-1 for others).
        base_kind, base_status, base_village: The layout before the reform.
        base_staff: Staff before the reform (sized at set-up).
    """

    kind: np.ndarray
    status: np.ndarray
    village: np.ndarray
    staff: np.ndarray
    efficiency: np.ndarray
    township: np.ndarray
    home: np.ndarray
    competence: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ref_staff: np.ndarray = field(default_factory=lambda: np.zeros(0))
    base_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    base_status: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    base_village: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    base_staff: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.kind.shape[0])

    def freeze_base(self) -> None:
        """Record the current configuration as the pre-reform layout."""
        self.base_kind = self.kind.copy()
        self.base_status = self.status.copy()
        self.base_village = self.village.copy()
        self.base_staff = self.staff.copy()
        self.ref_staff = self.staff.copy()

    def find(self, kind: PointKind, key: str, value: int) -> int:
        """Index of the first point of ``kind`` whose ``key`` array equals ``value``, or -1."""
        hit = np.flatnonzero((self.base_kind == kind) & (getattr(self, key) == value))
        return int(hit[0]) if len(hit) else -1


def layout(county: County, units: UnitStatus, p: ServiceParams) -> ServicePoints:
    """Create every point of the run in its pre-reform state (see the module docstring)."""
    kinds, villages, towns, homes, statuses, staff = [], [], [], [], [], []

    def add(kind, village, town=-1, home=-1, status=Status.OPEN, s=1.0):
        n = len(village)
        kinds.append(np.full(n, kind, dtype=np.int8))
        villages.append(np.asarray(village, dtype=np.int64))
        towns.append(np.broadcast_to(np.asarray(town, dtype=np.int64), (n,)).copy())
        homes.append(np.broadcast_to(np.asarray(home, dtype=np.int64), (n,)).copy())
        statuses.append(np.full(n, status, dtype=np.int8))
        staff.append(np.full(n, s, dtype=float))

    seats = county.township_seat.astype(np.int64)
    t_idx = np.arange(county.n_townships)
    for k in (PointKind.SERVICE_CENTRE, *TOWNSHIP_POINTS):
        add(k, seats, t_idx)
    add(PointKind.COUNTY_HOSPITAL, [county.county_seat])
    add(PointKind.COUNTY_CENTRE, [county.county_seat])
    court = np.unique(
        np.r_[county.county_seat, seats[county.township_class == TownshipClass.CENTRAL]]
    )
    add(PointKind.COURT, court)
    nv = county.n_villages
    add(PointKind.VILLAGE_OFFICE, np.arange(nv), home=np.arange(nv), s=p.office_staff)
    new_seats = np.unique(units.new_village_seat)
    add(
        PointKind.AGENCY, new_seats, home=units.new_village[new_seats], status=Status.PLANNED, s=0.0
    )
    absorbed = np.flatnonzero(units.village_role == Role.ABSORBED)
    add(PointKind.DUTY_TEAM, absorbed, home=absorbed, status=Status.PLANNED, s=0.0)
    n = sum(len(k) for k in kinds)
    pts = ServicePoints(
        kind=np.concatenate(kinds),
        status=np.concatenate(statuses),
        village=np.concatenate(villages),
        staff=np.concatenate(staff),
        efficiency=np.ones(n),
        township=np.concatenate(towns),
        home=np.concatenate(homes),
        competence=np.ones(n),
    )
    pts.freeze_base()
    return pts


def choose_regional(
    county: County, pts: ServicePoints, candidates: np.ndarray, k: int
) -> np.ndarray:
    """The ``k`` clinics upgraded to regional centres: central townships first, then by
    township population (largest first); never the clinic beside the county hospital."""
    cand = candidates[pts.village[candidates] != county.county_seat]
    t = pts.township[cand]
    central = county.township_class[t] == TownshipClass.CENTRAL
    pop = county.township_population()[t]
    order = np.lexsort((t, -pop, ~central))
    return cand[order[:k]]


def configure(
    pts: ServicePoints,
    county: County,
    units: UnitStatus,
    p: ServiceParams,
    *,
    reformed: bool,
    duty_on: bool,
    transfer: bool,
) -> np.ndarray:
    """Set kinds, statuses, locations and staff for a period, from the pre-reform layout.

    Args:
        pts: The points (modified in place; ``ref_staff`` becomes the staffing each point has
            in its role before any transfer).
        county: The county.
        units: Old-unit roles under the plan.
        p: The ``services`` section.
        reformed: The plan has taken effect.
        duty_on: Transition duty teams are on duty this period.
        transfer: Staff of closed or converted township points move to the absorbing
            township (``transfer_staff`` and the guarantee ``staffing_kept``).

    Returns:
        Indices of clinics upgraded to regional centres (empty before the reform); the
        caller moves hospital staff to them once their demand is known.
    """
    pts.kind[:] = pts.base_kind
    pts.status[:] = pts.base_status
    pts.village[:] = pts.base_village
    pts.staff[:] = pts.base_staff
    pts.ref_staff[:] = pts.base_staff
    if not reformed:
        return np.zeros(0, dtype=np.int64)
    trole = units.township_role
    is_kind = {k: pts.base_kind == k for k in PointKind}

    # Township-level points: centres of absorbed townships convert or close; staff moves.
    for t in np.flatnonzero(trole == Role.ABSORBED):
        host = int(units.host_township[t])
        for k in (PointKind.SERVICE_CENTRE, *TOWNSHIP_POINTS):
            i = pts.find(k, "township", t)
            j = pts.find(k, "township", host)
            moved = pts.base_staff[i]
            if k == PointKind.SERVICE_CENTRE and p.seat_stations:
                pts.kind[i] = PointKind.CONVENIENCE_STATION
                pts.status[i] = Status.CONVERTED
                pts.staff[i] = min(p.station_staff, pts.base_staff[i])
                moved = pts.base_staff[i] - pts.staff[i]
            elif k != PointKind.SERVICE_CENTRE and p.keep_abolished_points:
                continue
            else:
                pts.status[i] = Status.CLOSED
                pts.staff[i] = 0.0
            if transfer and j >= 0:
                pts.staff[j] += moved
    # The absorbing township's centre stands at the new seat (plans put seats at old seats, but
    # a file plan may not).
    for t in np.flatnonzero(trole == Role.ABSORBING):
        i = pts.find(PointKind.SERVICE_CENTRE, "township", t)
        new_t = units.township_after[county.township_seat[t]]
        pts.village[i] = units.new_township_seat[new_t]

    # Village level.
    office = is_kind[PointKind.VILLAGE_OFFICE]
    vrole = units.village_role[np.where(office, pts.home, 0)]
    gone = office & (vrole == Role.ABSORBED)
    pts.status[gone] = Status.CLOSED
    pts.staff[gone] = 0.0
    if p.village_rooms:
        room = office & (vrole == Role.ABSORBING)
        pts.kind[room] = PointKind.VILLAGE_ROOM
        pts.status[room] = Status.CONVERTED
        pts.staff[room] = p.room_staff
    if p.agency_service:
        ag = is_kind[PointKind.AGENCY]
        pts.status[ag] = Status.OPEN
        pts.staff[ag] = p.agency_staff
    duty = is_kind[PointKind.DUTY_TEAM]
    if p.transition_duty and duty_on:
        pts.status[duty] = Status.OPEN
        pts.staff[duty] = p.duty_staff
    elif p.transition_duty:
        pts.status[duty] = Status.CLOSED
    # The usual staffing of a point in a new role is the staffing it was given for that role
    # (a station's station_staff, not the old centre's); points that received staff keep their
    # old usual staffing, so the extra staff lower their absence.
    renewed = (pts.kind != pts.base_kind) | (pts.status != pts.base_status)
    pts.ref_staff[renewed] = pts.staff[renewed]

    # Health: "1 + 4 + N".
    if not (p.health_network and p.regional_centres):
        return np.zeros(0, dtype=np.int64)
    clinics = np.flatnonzero(is_kind[PointKind.CLINIC] & is_open(pts.status))
    regional = choose_regional(county, pts, clinics, p.regional_centres)
    pts.kind[regional] = PointKind.REGIONAL_CENTRE
    pts.status[regional] = Status.CONVERTED
    return regional
