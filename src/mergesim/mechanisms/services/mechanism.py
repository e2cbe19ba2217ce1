"""The services mechanism: where villagers take each need, how each trip ends, how long it takes.

Weekly step (vectorised over needs; loops only over a handful of tiers, classes and kinds):

1. **Active needs** = needs waiting from earlier weeks (to be taken somewhere, or with a village
   carrier) + this week's new needs.
2. **Choose** a point for every need still to be taken somewhere
   (:mod:`~mergesim.mechanisms.services.choice`: multinomial logit on one-way minutes in the
   villager's own mode and the days the villager expects, with last week's queues). A need no
   open point can take is *given up* at once.
3. **Willingness**: a non-urgent need whose one-way trip is longer than
   ``needs.long_trip_minutes`` is put off this week with probability ``needs.defer_vehicle`` /
   ``needs.defer_no_vehicle``; it keeps waiting, without a trip.
4. **Trip**: every other need makes a trip (trips + 1, travel + 2 × one-way minutes).
5. **Visit** (:mod:`~mergesim.mechanisms.services.visits`): at an administrative point the
   official may be absent (a failed trip); papers for a village carrier are handed over.
6. **Capacity**: a point's weekly capacity is ``staff × throughput × efficiency × scale``
   (needs/week at the run's scale; village-level points lose ``transfers_cut_share`` after the
   reform when the guarantee ``transfers_kept`` is broken), kept as a token bucket: each week
   adds the capacity, unused capacity is banked up to one affair (depth ``capacity + 1``), and
   the point serves at most ``floor(tokens)`` of its visitors and carried files, in queue order:
   older needs first (by week created), then by the need's random priority. The bucket keeps
   the mean service rate exact when a small ``scale`` makes a point's capacity a fraction of an
   affair a week. Visitors beyond it are *turned away* (a failed trip); carried files wait.
7. **Outcome** of each served visit: referred up, documents missing (failed trips), or done;
   a carried file is done after the carrier's turnaround. A villager whose trips reach
   ``needs.max_trips`` gives up.
8. **Record** the affairs done (:class:`~mergesim.mechanisms.services.records.Done`: trips,
   failed trips, travel, days from need to done, handler) and each villager's minutes and trips
   of the week; after the reform, **rebalance** staff toward the demand each point meets
   (:mod:`~mergesim.mechanisms.services.staffing`) and check whether "public services not
   lowered" holds in fact.

Conservation: every need created is done, waiting (to be taken somewhere, or with a carrier),
or given up — ``created == served + waiting + given_up`` after every step (:meth:`balance`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.kernels import kernel_name
from mergesim.mechanisms.needs import DOMAIN_OF_KIND, N_KINDS, URGENT, NeedKind, affair_shares
from mergesim.mechanisms.services.catalogue import ADVISERS, Catalogue, Role
from mergesim.mechanisms.services.choice import Chooser, queue_days
from mergesim.mechanisms.services.expect import Expectation, class_load, expect
from mergesim.mechanisms.services.points import (
    VILLAGE_LEVEL,
    PointKind,
    absence,
    absent_base,
    configure,
    is_open,
    layout,
    open_wait_days,
    throughput,
)
from mergesim.mechanisms.services.records import (
    NEED_FIELDS,
    Done,
    Stage,
    allocate,
    empty_needs,
)
from mergesim.mechanisms.services.routing import (
    PointIndex,
    Routing,
    ServiceClass,
    build_routing,
    local_minutes,
)
from mergesim.mechanisms.services.staffing import (
    OVERLOAD_RATIO,
    group_capacity,
    not_lowered,
    rebalance,
    rebalance_groups,
    smooth_demand,
)
from mergesim.mechanisms.services.visits import days_to_done, docs_failure

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
_N_POINT_KINDS = len(PointKind)
_ADVISES = np.isin(np.arange(_N_POINT_KINDS), list(ADVISERS))
_VILLAGE = np.isin(np.arange(_N_POINT_KINDS), list(VILLAGE_LEVEL))
_URGENT = np.isin(np.arange(N_KINDS), list(URGENT))
#: How a done need was finished (:func:`~mergesim.mechanisms.services.visits.days_to_done`).
_OTHER, _FINISHED, _DESK, _CARRIED = 0, 1, 2, 3


class Services(Mechanism):
    """Service points, choice, visits, capacity and staffing (see the module docstring).

    Attributes:
        points: :class:`~mergesim.mechanisms.services.points.ServicePoints`.
        catalogue: The affair catalogue (:class:`~mergesim.mechanisms.services.catalogue.
            Catalogue`).
        routing: Routing tables of the current configuration.
        routing_pre: Routing tables before the reform (the reference).
        routing_version: Incremented whenever ``routing`` is rebuilt (for caches).
        backlog: Needs waiting (one array per field of ``NEED_FIELDS``).
        done: Needs served this week (:class:`Done`).
        served, given_up: Cumulative counts.
        week_counts: This week's flow counts (new, served, deferred, turned_away, given_up,
            absent, referred, docs_missing, handed_over).
        arrivals, served_week, queue: Per point this week: trips that arrived, needs done there
            (or carried by it), needs waiting for it (turned away, or files not yet carried).
        load_ratio: Arrivals over capacity per point this week (0 where closed).
        over_weeks: Consecutive weeks each point has had arrivals above
            ``OVERLOAD_RATIO`` × capacity; ``max_over_weeks`` the longest run since the reform.
        not_lowered: ``{"held": bool, "reasons": [...]}``: "public services not lowered" in
            fact this week (always held before the reform); ``weeks_lowered`` counts the weeks
            it did not.
    """

    name = "services"

    # -- set-up and re-configuration -----------------------------------------------------

    def setup(self, model: MergerModel) -> None:
        cfg, county = model.config, model.county
        self.p = p = cfg.services
        self._needp = cfg.needs
        self._guar = cfg.guarantees
        self._rng = model.streams.generator(self.name)
        self._roads = county.road_matrix()
        self._local = local_minutes(county, cfg.villagers.local_kmh, cfg.roads.detour)
        self._factor = cfg.villagers.no_vehicle_factor
        self._rates = model.needs.rates
        self.catalogue = Catalogue.from_params(cfg.needs.affairs)
        self.points = layout(county, model.units, p)
        self.index = PointIndex.build(
            self.points, county.n_villages, model.plan.n_new_villages, county.n_townships
        )
        kinds = np.arange(_N_POINT_KINDS)
        self._open_wait = open_wait_days(kinds, p)
        self._absent_q = absent_base(kinds, p)
        self.scale = model.villagers.n / max(int(county.population.sum()), 1)
        c, e = cfg.villagers.child_share, cfg.villagers.elderly_share
        pop_age = county.population[:, None] * np.array([c, 1.0 - c - e, e])[None, :]
        # Expected full-scale needs per village a week, by kind and by affair type (staffing
        # is scale-free).
        self._demand = pop_age @ self._rates.T
        adm = self._rates[NeedKind.ADMIN][None, :] * affair_shares(cfg.needs)
        self._admin_demand = pop_age @ adm.T
        self._expect_cache: list[tuple[Routing, Expectation]] = []
        self._chooser = Chooser(
            self.catalogue, p, cfg.needs, self._open_wait, self._factor, kernel_name()
        )
        self.reformed = False
        self.routing = self._route(model, reformed=False)
        self.routing_pre = self.routing
        self.routing_version = 0  # bumped whenever the routing tables change
        pts = self.points
        load = self.expectation(self.routing).load
        tp = throughput(pts.kind, p)
        sized = np.isin(pts.kind, list(SIZED_KINDS))
        pts.staff[sized] = np.maximum(1.0, np.ceil(p.headroom * load[sized] / tp[sized]))
        pts.freeze_base()
        self._tp = tp
        self._tokens = np.zeros(pts.n)
        self._config_key = (False, False)
        self.backlog = empty_needs()
        self._chooser.warm_up(self.routing, pts.kind, self.backlog, model.villagers.village)
        if self._chooser.kernel == "numba":  # compile (or load) the trip tally here too
            none = np.zeros(0, dtype=np.int64)
            model.villagers.add_trips(none, np.zeros(0), none, "numba")
        self.done = Done.empty()
        self.village_travel = np.zeros(county.n_villages)
        self.served = self.given_up = 0
        self.week_counts: dict[str, int] = {}
        self.arrivals = np.zeros(pts.n, dtype=np.int64)
        self.served_week = np.zeros(pts.n, dtype=np.int64)
        self.queue = np.zeros(pts.n, dtype=np.int64)
        self.load_ratio = np.zeros(pts.n)
        self.over_weeks = np.zeros(pts.n, dtype=np.int64)
        self.max_over_weeks = 0
        self._max_over_kind = -1
        self._seen = load.copy()  # smoothed full-scale visits per point (rebalancing)
        self._cap_before = group_capacity(pts, tp, pts.staff)
        self.not_lowered: dict[str, Any] = {"held": True, "reasons": []}
        self.weeks_lowered = 0
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
            self._local,
            self.p.choice_candidates,
            reformed=reformed,
            devolved=reformed and self.p.devolved_stations,
        )

    def on_phase(self, model: MergerModel, week: int) -> None:
        tl, p, pts = model.timeline, self.p, self.points
        reformed = week >= tl.reform_week
        duty_on = reformed and week < tl.reform_week + p.duty_weeks
        if (reformed, duty_on) == self._config_key:
            return
        was_reformed = self._config_key[0]
        self._config_key = (reformed, duty_on)
        before = (pts.kind.copy(), pts.status.copy(), pts.staff.copy(), pts.ref_staff.copy())
        regional = configure(
            pts,
            model.county,
            model.units,
            p,
            reformed=reformed,
            duty_on=duty_on,
            transfer=p.transfer_staff and self._guar.staffing_kept,
        )
        if was_reformed and reformed:
            # A later phase change (duty teams leave) keeps the staffing the rebalancing reached
            # at every point whose role did not change.
            same = (pts.kind == before[0]) & (pts.status == before[1])
            pts.staff[same] = before[2][same]
            pts.ref_staff[same] = before[3][same]
        self.reformed = reformed
        self._tp = throughput(pts.kind, p)
        self.routing = self._route(model, reformed=reformed)
        self.routing_version += 1
        if len(regional) and not was_reformed:
            # "1 + 4 + N": county-hospital staff move down with the serious care they hand over.
            serious = class_load(
                self.routing,
                self._demand[:, NeedKind.HEALTH_SERIOUS],
                ServiceClass.HEALTH_SERIOUS,
                p,
            )
            add = np.ceil(p.headroom * serious[regional] / self._tp[regional])
            pts.staff[regional] += add
            hosp = np.flatnonzero(pts.kind == PointKind.COUNTY_HOSPITAL)
            pts.staff[hosp] = np.maximum(1.0, pts.staff[hosp] - add.sum())
        # Papers with a carrier that no longer serves go back to their villagers, who must take
        # the affair somewhere else.
        b = self.backlog
        stranded = (b["stage"] == Stage.CARRIED) & ~is_open(pts.status[np.maximum(b["carrier"], 0)])
        b["stage"][stranded] = Stage.SEEK
        b["carrier"][stranded] = -1
        b["failed"][stranded] += 1  # the hand-over trip ended without the affair done
        v = model.villagers
        v.access_now[:] = self.expected_access(self.routing, v.village, v.age, v.vehicle)

    # -- expectations ---------------------------------------------------------------------

    def expectation(self, routing: Routing) -> Expectation:
        """Expected load and first-trip minutes of a configuration (cached per routing)."""
        for r, e in self._expect_cache:
            if r is routing:
                return e
        e = expect(
            routing,
            self._demand,
            self._admin_demand,
            self.catalogue,
            self.p,
            self._needp,
            self._open_wait,
        )
        self._expect_cache = [*self._expect_cache[-3:], (routing, e)]
        return e

    def expected_load(self, routing: Routing) -> np.ndarray:
        """Expected full-scale visits (and carried files) a week at each point under ``routing``."""
        return self.expectation(routing).load

    def village_minutes(self, routing: Routing) -> np.ndarray:
        """Expected one-way vehicle minutes of a first trip per need kind and village, shape
        (N_KINDS, nv), under the choice rule with empty queues (administrative: averaged over
        the village's matters)."""
        return self.expectation(routing).minutes

    def expected_access(
        self, routing: Routing, village: np.ndarray, age: np.ndarray, vehicle: np.ndarray
    ) -> np.ndarray:
        """Expected round-trip travel minutes a week (first trips only), per villager."""
        per_age = self._rates.T @ (2.0 * self.village_minutes(routing))  # (3 ages, nv)
        out = per_age[age, village] * np.where(vehicle, 1.0, self._factor)
        return out.astype(np.float32)

    # -- the weekly step ------------------------------------------------------------------

    def capacity(self) -> np.ndarray:
        """Capacity of each point this week before rounding (needs/week, at the run's scale)."""
        pts = self.points
        weekly = pts.staff * self._tp * pts.efficiency * self.scale
        if self.reformed and not self._guar.transfers_kept:
            cut = _VILLAGE[pts.kind]
            weekly = np.where(cut, weekly * (1.0 - self.p.transfers_cut_share), weekly)
        return np.where(is_open(pts.status), weekly, 0.0)

    def _active(self, model: MergerModel) -> dict[str, np.ndarray]:
        new, b, n = model.needs.new, self.backlog, model.needs.new.n
        fresh = {
            "villager": new.villager,
            "kind": new.kind,
            "affair": new.affair,
            "utype": new.utype,
            "uscope": new.uscope,
            "prio": new.prio,
            "created": np.full(n, model.week, dtype=np.int32),
            "known": new.uknow < self.p.know_level,
            "carrier": np.full(n, -1, dtype=np.int64),
        }
        return {
            f: np.concatenate([b[f], fresh[f] if f in fresh else np.zeros(n, dtype=t)])
            for f, t in NEED_FIELDS
        }

    def _level(self, act, rows: np.ndarray) -> np.ndarray:
        return self.catalogue.level(
            act["affair"][rows], act["utype"][rows], devolved=self.routing.devolved
        )

    def step(self, model: MergerModel) -> None:
        vill, np_, p, pts = model.villagers, self._needp, self.p, self.points
        act = self._active(model)
        n = len(act["villager"])
        who = act["villager"]
        village = vill.village[who]
        vehicle = vill.vehicle[who]
        adm = act["kind"] == NeedKind.ADMIN
        weekly = self.capacity()

        # Papers with a carrier that has no capacity go back to their villagers.
        carried = act["stage"] == Stage.CARRIED
        stuck = carried & (weekly[np.maximum(act["carrier"], 0)] <= 0)
        act["stage"][stuck] = Stage.SEEK
        act["carrier"][stuck] = -1
        act["failed"][stuck] += 1  # the hand-over trip ended without the affair done
        seek = act["stage"] == Stage.SEEK

        point, minutes, role = self._chooser.choose(
            self.routing,
            pts.kind,
            act,
            village,
            vehicle,
            seek,
            queue_days(self.queue, weekly),
            self._rng,
        )
        unroutable = seek & (point < 0)
        long_ = seek & ~unroutable & (minutes > np_.long_trip_minutes) & ~_URGENT[act["kind"]]
        defer = np.zeros(n, dtype=bool)
        il = np.flatnonzero(long_)
        if len(il):
            pd = np.where(vehicle[il], np_.defer_vehicle, np_.defer_no_vehicle)
            defer[il] = self._rng.random(len(il)) < pd
        go = seek & ~unroutable & ~defer
        act["trips"][go] += 1
        act["travel"][go] += 2.0 * minutes[go]

        # The visit: official absent, or papers handed over to a carrier.
        q = absence(self._absent_q[pts.kind], pts.staff, pts.ref_staff)
        absent = np.zeros(n, dtype=bool)
        ig = np.flatnonzero(go & adm)
        absent[ig] = self._rng.random(len(ig)) < q[point[ig]]
        present = go & ~absent
        handover = present & (role == Role.CARRY)
        act["stage"][handover] = Stage.CARRIED
        act["carrier"][handover] = point[handover]
        carried = act["stage"] == Stage.CARRIED
        attended = present & ~handover

        # Capacity: visitors and carried files share each point's tokens.
        tokens = np.where(weekly > 0, np.minimum(self._tokens + weekly, weekly + 1.0), 0.0)
        cap = np.floor(tokens).astype(np.int64)
        at = np.where(carried, act["carrier"], point)
        pool = np.flatnonzero(attended | carried)
        served = np.zeros(n, dtype=bool)
        served[pool[allocate(at[pool], act["created"][pool], act["prio"][pool], cap)]] = True
        turned = attended & ~served

        # Outcomes.
        level = np.full(n, -1, dtype=np.int8)
        ia = np.flatnonzero(adm)
        level[ia] = self._level(act, ia)
        visit = served & attended
        referred = visit & (role == Role.REFER)
        finish = visit & ((role == Role.FINISH) | (role == Role.DESK))
        docs_missing = np.zeros(n, dtype=bool)
        redo = np.zeros(n, dtype=bool)
        chk = np.flatnonzero((finish | (served & carried)) & adm)
        if len(chk):
            a = act["affair"][chk]
            by_carrier = carried[chk]
            pf = docs_failure(
                self.catalogue.docs_fail[a],
                act["docs"][chk],
                act["advised"][chk] | by_carrier,
                pts.competence[at[chk]],
                p,
            )
            fail = self._rng.random(len(chk)) < pf
            docs_missing[chk] = fail & ~by_carrier
            redo[chk] = fail & by_carrier
        done = (finish & ~docs_missing) | (served & carried)
        failed_trip = absent | turned | referred | docs_missing
        act["failed"][failed_trip] += 1
        act["known"][referred] = True
        act["advised"][referred & _ADVISES[pts.kind[np.maximum(point, 0)]]] = True
        act["docs"][docs_missing] += 1
        gave_up = unroutable | (failed_trip & (act["trips"] >= np_.max_trips))
        keep = ~done & ~gave_up

        self._record(model, act, done, carried, point, role, level, redo, village, vehicle)
        n_pts = pts.n
        self.arrivals = np.bincount(point[go], minlength=n_pts)
        used = np.bincount(at[served], minlength=n_pts)  # capacity used (every attended visit)
        self.served_week = np.bincount(at[done], minlength=n_pts)
        self._demand_week = np.bincount(at[pool], minlength=n_pts)
        self._tokens = tokens - used
        waiting = (turned & keep) | (carried & keep)
        self.queue = np.bincount(at[waiting], minlength=n_pts)
        self.village_travel = np.bincount(
            village[go], weights=2.0 * minutes[go], minlength=model.county.n_villages
        )
        # Only the villagers who travelled (bincounts of villager length cost three passes).
        vill.add_trips(who[go], 2.0 * minutes[go], who[turned], self._chooser.kernel)
        self.backlog = {f: a[keep] for f, a in act.items()}
        self.served += int(done.sum())
        self.given_up += int(gave_up.sum())
        self.week_counts = {
            "new": model.needs.new.n,
            "served": int(done.sum()),
            "deferred": int(defer.sum()),
            "turned_away": int(turned.sum()),
            "given_up": int(gave_up.sum()),
            "absent": int(absent.sum()),
            "referred": int(referred.sum()),
            "docs_missing": int(docs_missing.sum()),
            "handed_over": int(handover.sum()),
        }
        self._after_week(model, weekly)

    def _record(self, model, act, done, carried, point, role, level, redo, village, vehicle):
        """This week's :class:`Done` record."""
        s = np.flatnonzero(done)
        pts, p = self.points, self.p
        by_carrier = carried[s]
        handler_point = np.where(by_carrier, act["carrier"][s], point[s])
        handler = pts.kind[handler_point]
        kind = act["kind"][s]
        how = np.where(
            kind != NeedKind.ADMIN,
            _OTHER,
            np.where(by_carrier, _CARRIED, np.where(role[s] == Role.DESK, _DESK, _FINISHED)),
        )
        turnaround = np.zeros(len(s))
        ic = np.flatnonzero(by_carrier)
        turnaround[ic] = p.carry_interval_days * self._rng.random((2, len(ic))).sum(axis=0)
        wait = (model.week - act["created"][s]).astype(np.int16)
        days = days_to_done(
            wait,
            how,
            act["affair"][s],
            level[s],
            self._open_wait[handler],
            turnaround,
            redo[s],
            self.catalogue,
            p,
        )
        self.done = Done(
            villager=act["villager"][s],
            village=village[s].astype(np.int32),
            kind=kind,
            domain=DOMAIN_OF_KIND[kind],
            trips=act["trips"][s],
            travel=act["travel"][s].astype(np.float32),
            in_village=_VILLAGE[handler],
            wait=wait,
            days=days,
            vehicle=vehicle[s],
            affair=act["affair"][s],
            failed=act["failed"][s],
            handler=handler.astype(np.int8),
            carried=by_carrier,
        )

    def _after_week(self, model: MergerModel, weekly: np.ndarray) -> None:
        """Overload streaks; after the reform: staff rebalancing and the not-lowered check."""
        pts, p = self.points, self.p
        open_ = is_open(pts.status)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.load_ratio = np.where(weekly > 0, self.arrivals / np.maximum(weekly, 1e-12), 0.0)
        over = open_ & (weekly > 0) & (self.load_ratio > OVERLOAD_RATIO)
        self.over_weeks = np.where(over, self.over_weeks + 1, 0)
        if not self.reformed:
            return
        top = int(np.argmax(self.over_weeks)) if pts.n else 0
        if pts.n and self.over_weeks[top] > self.max_over_weeks:
            self.max_over_weeks = int(self.over_weeks[top])
            self._max_over_kind = int(pts.kind[top])
        self._seen = smooth_demand(self._seen, self._demand_week / max(self.scale, 1e-12))
        if p.rebalance_staff:
            town = model.units.township_after[pts.village]
            group = rebalance_groups(pts.kind, town)
            eff = np.maximum(pts.efficiency, 1e-9)
            target = p.headroom * self._seen / (self._tp * eff)
            pts.staff[:] = rebalance(pts.staff, target, group, open_, p.rebalance_rate)
        now = group_capacity(pts, self._tp, pts.staff)
        self.not_lowered = not_lowered(pts, now, self._cap_before, p.not_lowered_tolerance)
        self.weeks_lowered += not self.not_lowered["held"]

    # -- accounting -----------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Needs waiting now (to be taken somewhere, or with a carrier)."""
        return int(self.backlog["villager"].shape[0])

    def balance(self, created: int) -> int:
        """``created - (served + waiting + given_up)``: 0 when no need was lost."""
        return created - (self.served + self.waiting + self.given_up)

    def summary(self) -> dict[str, Any]:
        """Facts of the run for ``summary.json``: overload streaks and the not-lowered check."""
        kind = self._max_over_kind
        return {
            "overload": {
                "ratio": OVERLOAD_RATIO,
                "max_weeks": self.max_over_weeks,
                "kind": None if kind < 0 else PointKind(kind).name.lower(),
            },
            "not_lowered": {**self.not_lowered, "weeks_broken": self.weeks_lowered},
        }
