"""The services mechanism: route each week's needs, apply capacities, count trips ("跑多次").

Weekly step (vectorised over needs; loops only over a handful of tiers and need kinds):

1. **Active needs** = needs still waiting from earlier weeks + this week's new needs.
2. **Route** each (:meth:`Routing.route`): the point and one-way minutes from the villager's
   village, times ``villagers.no_vehicle_factor`` without a vehicle. A need no open point can
   handle is *given up* at once.
3. **Willingness**: a non-urgent need whose one-way trip is longer than
   ``needs.long_trip_minutes`` is put off this week with probability ``needs.defer_vehicle`` /
   ``needs.defer_no_vehicle`` (stream ``"services"``); it keeps waiting, without a trip.
4. **Trip**: every other need makes a trip (trips + 1, travel + 2 × one-way minutes).
5. **Capacity**: a point's weekly capacity is ``staff × throughput × efficiency × scale``
   (needs/week at the run's scale). Capacity is kept as a token bucket: each week adds the
   capacity, unused capacity is banked up to one affair (depth ``capacity + 1``), and the point
   serves at most ``floor(tokens)`` arrivals, in queue order: older needs first (by week
   created), then by the need's random priority. The bucket keeps the mean service rate exact
   when a small ``scale`` makes a point's capacity a fraction of an affair a week, and is
   indistinguishable from a plain weekly limit at full scale. The rest are *turned away* and
   come back next week (another trip) — or give up after ``needs.max_trips`` trips.
6. **Record** the served needs (trips, travel, in the village or not, weeks waited) for the
   metrics, and add each villager's minutes and trips of the week to the villager arrays.

Conservation: every need created is served, waiting (put off or turned away, coming back), or
given up — ``created == served + waiting + given_up`` after every step (:meth:`balance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.needs import DOMAIN_OF_KIND, N_KINDS, URGENT, NeedKind
from mergesim.mechanisms.services.points import (
    VILLAGE_LEVEL,
    PointKind,
    configure,
    is_open,
    layout,
    throughput,
)
from mergesim.mechanisms.services.routing import PointIndex, Routing, build_routing, local_minutes

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

#: Point kinds staffed at set-up for their expected pre-reform demand.
SIZED_KINDS = frozenset(PointKind) - {
    PointKind.VILLAGE_OFFICE,
    PointKind.VILLAGE_ROOM,
    PointKind.AGENCY,
    PointKind.DUTY_TEAM,
    PointKind.CONVENIENCE_STATION,
    PointKind.REGIONAL_CENTRE,
}
_NEED_FIELDS = (
    ("villager", np.int64),
    ("kind", np.int8),
    ("utype", float),
    ("prio", float),
    ("created", np.int32),
    ("trips", np.int16),
    ("travel", np.float64),
)
_DONE_FIELDS = (
    ("villager", np.int64),
    ("village", np.int32),
    ("kind", np.int8),
    ("domain", np.int8),
    ("trips", np.int16),
    ("travel", np.float32),
    ("in_village", bool),
    ("wait", np.int16),
    ("days", np.float32),
    ("vehicle", bool),
)


@dataclass(eq=False)
class Done:
    """Needs served in a week (one row each): the input of the affair metrics.

    Attributes:
        villager: Row of the villager in ``model.villagers`` (int64).
        village: Home village (int32).
        kind: :class:`NeedKind` (int8).
        domain: :class:`~mergesim.mechanisms.needs.ServiceDomain` of the kind (int8).
        trips: Trips the affair took (int16, ≥ 1).
        travel: Round-trip travel minutes summed over its trips (float32).
        in_village: Served by a village-level point (office, room, agency, duty team).
        wait: Weeks from the need's creation to its service (int16).
        days: Days from the need arising to the affair done (float32): ``7 × wait`` — the
            weekly step resolves no finer.
        vehicle: The villager has a vehicle (bool).
    """

    villager: np.ndarray
    village: np.ndarray
    kind: np.ndarray
    domain: np.ndarray
    trips: np.ndarray
    travel: np.ndarray
    in_village: np.ndarray
    wait: np.ndarray
    days: np.ndarray
    vehicle: np.ndarray

    @classmethod
    def empty(cls) -> Done:
        return cls(*(np.zeros(0, dtype=t) for _, t in _DONE_FIELDS))

    @classmethod
    def concat(cls, parts: list[Done]) -> Done:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f, _ in _DONE_FIELDS))

    @property
    def n(self) -> int:
        return int(self.village.shape[0])


def allocate(
    point: np.ndarray, created: np.ndarray, prio: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """Which arrivals a point serves this week, given its integer capacity.

    Args:
        point: Point of each arriving need (int, ≥ 0).
        created: Week each need was created (older first).
        prio: Random priority among needs of the same week (lower first).
        cap: Integer capacity of each point this week.

    Returns:
        Bool per need: served.
    """
    counts = np.bincount(point, minlength=len(cap))
    over = counts > cap
    served = ~over[point]
    sel = np.flatnonzero(over[point])
    if len(sel):
        s = sel[np.lexsort((prio[sel], created[sel], point[sel]))]
        p = point[s]
        start = np.r_[0, np.flatnonzero(np.diff(p)) + 1]
        first = np.repeat(start, np.diff(np.r_[start, len(s)]))
        served[s] = (np.arange(len(s)) - first) < cap[p]
    return served


class Services(Mechanism):
    """Service points, routing and weekly capacity allocation (see the module docstring).

    Attributes:
        points: :class:`~mergesim.mechanisms.services.points.ServicePoints`.
        routing: Routing tables of the current configuration.
        routing_pre: Routing tables before the reform (the reference).
        routing_version: Incremented whenever ``routing`` is rebuilt (for caches).
        done: Needs served this week (:class:`Done`).
        served, given_up: Cumulative counts.
        week_counts: This week's flow counts (new, served, deferred, turned_away, given_up).
    """

    name = "services"

    # -- set-up and re-configuration -----------------------------------------------------

    def setup(self, model: MergerModel) -> None:
        cfg, county = model.config, model.county
        self.p = cfg.services
        self._rng = model.streams.generator(self.name)
        self._roads = county.road_matrix()
        self._local = local_minutes(county, cfg.villagers.local_kmh, cfg.roads.detour)
        self._factor = cfg.villagers.no_vehicle_factor
        self._needp = cfg.needs
        self._rates = model.needs.rates
        self.points = layout(county, model.units, self.p)
        self.index = PointIndex.build(
            self.points, county.n_villages, model.plan.n_new_villages, county.n_townships
        )
        self._tp = throughput(self.points.kind, self.p)
        self.scale = model.villagers.n / max(int(county.population.sum()), 1)
        age_share = np.array(
            [
                cfg.villagers.child_share,
                1 - cfg.villagers.child_share - cfg.villagers.elderly_share,
                cfg.villagers.elderly_share,
            ]
        )
        # Expected full-scale needs per village and kind a week (staffing is scale-free).
        self._demand = county.population[:, None] * age_share[None, :] @ model.needs.rates.T
        self.routing = self._route(model, reformed=False)
        self.routing_pre = self.routing
        self.routing_version = 0  # bumped whenever the routing tables change
        d = self.expected_load(self.routing)
        pts = self.points
        sized = np.isin(pts.kind, list(SIZED_KINDS))
        pts.staff[sized] = np.maximum(1.0, np.ceil(self.p.headroom * d[sized] / self._tp[sized]))
        pts.freeze_base()
        self._tokens = np.zeros(pts.n)
        self._config_key = (False, False)
        self._empty_backlog()
        self.done = Done.empty()
        self.village_travel = np.zeros(county.n_villages)
        self.served = self.given_up = 0
        self.week_counts = dict.fromkeys(
            ("new", "served", "deferred", "turned_away", "given_up"), 0
        )
        self.arrivals = np.zeros(pts.n, dtype=np.int64)
        self.served_week = np.zeros(pts.n, dtype=np.int64)
        self.queue = np.zeros(pts.n, dtype=np.int64)
        v = model.villagers
        v.access_ref[:] = self.expected_access(self.routing, v.village, v.age, v.vehicle)
        v.access_now[:] = v.access_ref

    def _route(self, model: MergerModel, *, reformed: bool) -> Routing:
        return build_routing(
            model.county,
            self._roads,
            model.units,
            self.points,
            self.index,
            self.p,
            self._local,
            reformed=reformed,
        )

    def on_phase(self, model: MergerModel, week: int) -> None:
        tl = model.timeline
        reformed = week >= tl.reform_week
        duty_on = reformed and week < tl.reform_week + self.p.duty_weeks
        if (reformed, duty_on) == self._config_key:
            return
        self._config_key = (reformed, duty_on)
        regional = configure(
            self.points, model.county, model.units, self.p, reformed=reformed, duty_on=duty_on
        )
        self._tp = throughput(self.points.kind, self.p)
        self.routing = self._route(model, reformed=reformed)
        self.routing_version += 1
        if len(regional):
            # "1 + 4 + N": county-hospital staff move down with the serious care they hand over.
            serious = np.bincount(
                np.maximum(self.routing.kind_point[NeedKind.HEALTH_SERIOUS], 0),
                weights=self._demand[:, NeedKind.HEALTH_SERIOUS],
                minlength=self.points.n,
            )
            add = np.ceil(self.p.headroom * serious[regional] / self._tp[regional])
            self.points.staff[regional] += add
            hosp = np.flatnonzero(self.points.kind == PointKind.COUNTY_HOSPITAL)
            self.points.staff[hosp] = np.maximum(1.0, self.points.staff[hosp] - add.sum())
        v = model.villagers
        v.access_now[:] = self.expected_access(self.routing, v.village, v.age, v.vehicle)

    # -- expectations ---------------------------------------------------------------------

    def expected_load(self, routing: Routing) -> np.ndarray:
        """Expected full-scale needs a week at each point under ``routing`` (needs/week)."""
        load = np.zeros(self.points.n)
        for k in range(N_KINDS):
            if k == NeedKind.ADMIN:
                width, seg_point, _ = routing.admin_segments()
                for j in range(width.shape[0]):
                    ok = seg_point[j] >= 0
                    load += np.bincount(
                        seg_point[j][ok],
                        minlength=self.points.n,
                        weights=width[j][ok] * self._demand[ok, k],
                    )
            else:
                ok = routing.kind_point[k] >= 0
                load += np.bincount(
                    routing.kind_point[k][ok], minlength=self.points.n, weights=self._demand[ok, k]
                )
        return load

    def village_minutes(self, routing: Routing) -> np.ndarray:
        """Expected one-way vehicle minutes per need kind and village, shape (N_KINDS, nv).

        Administrative minutes are averaged over affair types; unreachable points count 0.
        """
        m = np.where(np.isfinite(routing.kind_minutes), routing.kind_minutes, 0.0)
        width, _, seg_min = routing.admin_segments()
        m[NeedKind.ADMIN] = np.where(
            width > 0, np.nan_to_num(seg_min, posinf=0.0) * width, 0.0
        ).sum(axis=0)
        return m

    def expected_access(
        self, routing: Routing, village: np.ndarray, age: np.ndarray, vehicle: np.ndarray
    ) -> np.ndarray:
        """Expected round-trip travel minutes a week (first trips only), per villager."""
        per_age = self._rates.T @ (2.0 * self.village_minutes(routing))  # (3 ages, nv)
        out = per_age[age, village] * np.where(vehicle, 1.0, self._factor)
        return out.astype(np.float32)

    # -- the weekly step ------------------------------------------------------------------

    def _empty_backlog(self) -> None:
        self.backlog = {f: np.zeros(0, dtype=t) for f, t in _NEED_FIELDS}

    def capacity(self) -> np.ndarray:
        """Capacity of each point this week before rounding (needs/week, at the run's scale)."""
        pts = self.points
        weekly = pts.staff * self._tp * pts.efficiency * self.scale
        return np.where(is_open(pts.status), weekly, 0.0)

    def step(self, model: MergerModel) -> None:
        week, vill, np_ = model.week, model.villagers, self._needp
        new = model.needs.new
        b = self.backlog
        act = {
            "villager": np.concatenate([b["villager"], new.villager]),
            "kind": np.concatenate([b["kind"], new.kind]),
            "utype": np.concatenate([b["utype"], new.utype]),
            "prio": np.concatenate([b["prio"], new.prio]),
            "created": np.concatenate([b["created"], np.full(new.n, week, dtype=np.int32)]),
            "trips": np.concatenate([b["trips"], np.zeros(new.n, dtype=np.int16)]),
            "travel": np.concatenate([b["travel"], np.zeros(new.n)]),
        }
        who = act["villager"]
        village = vill.village[who]
        vehicle = vill.vehicle[who]
        point, minutes = self.routing.route(village, act["kind"], act["utype"])
        minutes = minutes * np.where(vehicle, 1.0, self._factor)
        unroutable = (point < 0) | ~np.isfinite(minutes)

        urgent = np.zeros(N_KINDS, dtype=bool)
        urgent[list(URGENT)] = True
        long_ = ~unroutable & (minutes > np_.long_trip_minutes) & ~urgent[act["kind"]]
        defer = np.zeros(len(who), dtype=bool)
        il = np.flatnonzero(long_)
        if len(il):
            p = np.where(vehicle[il], np_.defer_vehicle, np_.defer_no_vehicle)
            defer[il] = self._rng.random(len(il)) < p
        go = np.flatnonzero(~unroutable & ~defer)
        act["trips"][go] += 1
        act["travel"][go] += 2.0 * minutes[go]

        weekly = self.capacity()
        tokens = np.where(weekly > 0, np.minimum(self._tokens + weekly, weekly + 1.0), 0.0)
        cap = np.floor(tokens).astype(np.int64)
        served_go = allocate(point[go], act["created"][go], act["prio"][go], cap)
        served = np.zeros(len(who), dtype=bool)
        served[go[served_go]] = True
        turned = np.zeros(len(who), dtype=bool)
        turned[go[~served_go]] = True
        gave_up = unroutable | (turned & (act["trips"] >= np_.max_trips))
        keep = ~served & ~gave_up

        kinds_of_point = self.points.kind
        s = np.flatnonzero(served)
        in_village = np.isin(kinds_of_point[point[s]], list(VILLAGE_LEVEL))
        wait = (week - act["created"][s]).astype(np.int16)
        self.done = Done(
            villager=who[s],
            village=village[s].astype(np.int32),
            kind=act["kind"][s],
            domain=DOMAIN_OF_KIND[act["kind"][s]],
            trips=act["trips"][s],
            travel=act["travel"][s].astype(np.float32),
            in_village=in_village,
            wait=wait,
            days=(7.0 * wait).astype(np.float32),
            vehicle=vehicle[s],
        )
        n_pts = self.points.n
        self.arrivals = np.bincount(point[go], minlength=n_pts)
        self.served_week = np.bincount(point[s], minlength=n_pts)
        self._tokens = tokens - self.served_week
        self.queue = np.bincount(point[keep & ~unroutable], minlength=n_pts)
        self.village_travel = np.bincount(
            village[go], weights=2.0 * minutes[go], minlength=model.county.n_villages
        )
        nv = vill.n
        vill.travel_week += np.bincount(who[go], weights=2.0 * minutes[go], minlength=nv).astype(
            np.float32
        )
        vill.trips_week += np.bincount(who[go], minlength=nv).astype(np.int16)
        vill.turned_away_week += np.bincount(who[turned], minlength=nv).astype(np.int16)
        self.backlog = {f: a[keep] for f, a in act.items()}
        self.served += len(s)
        self.given_up += int(gave_up.sum())
        self.week_counts = {
            "new": new.n,
            "served": len(s),
            "deferred": int(defer.sum()),
            "turned_away": int(turned.sum()),
            "given_up": int(gave_up.sum()),
        }

    # -- accounting -----------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Needs waiting now (put off or turned away, coming back)."""
        return int(self.backlog["villager"].shape[0])

    def balance(self, created: int) -> int:
        """``created - (served + waiting + given_up)``: 0 when no need was lost."""
        return created - (self.served + self.waiting + self.given_up)
