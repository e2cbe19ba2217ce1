"""Choosing where to go: a multinomial logit over the points able to take the need.

**Options.** An administrative matter's options are the points of the villager's own units (the
tiers of :mod:`~mergesim.mechanisms.services.routing`) with the :class:`~mergesim.mechanisms.
services.catalogue.Role` each would play (:func:`admin_options`). A villager who knows which
level can finish the matter (``services.know_level``, or after a referral) considers only points
that finish, carry or forward it; one who does not considers every point of the villager's own
village, merged village and townships that takes administrative matters at all (not the county
centre: without knowing, villagers start near home) — and may be referred. Another need's
options are the nearest open points of its service class.

**Utility** of option ``j`` (McFadden's conditional logit):
``U_j = −β_min × minutes_j − β_days × (expected days_j + queue days_j)``, with ``minutes`` the
one-way travel minutes in the villager's own mode, ``expected days`` what the villager expects
the point to take (:func:`expected_days`: the wait for an open day, a carrier's turnaround,
forwarding and processing; a villager who does not know the level expects the point to finish
it), and ``queue days = 7 × pending / weekly capacity`` from the end of last week (a point with a
queue is known to be slow). ``P_j = exp(U_j) / Σ_k exp(U_k)`` over the valid options; one
uniform per need picks by the cumulative probabilities (:func:`draw`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from mergesim.config.schema import NeedParams, ServiceParams
from mergesim.mechanisms.kernels import compiled_module
from mergesim.mechanisms.needs import NeedKind
from mergesim.mechanisms.services.catalogue import ROLE, Catalogue, Level, Role, roles
from mergesim.mechanisms.services.points import PointKind
from mergesim.mechanisms.services.routing import N_TIERS, Routing, class_tables, service_class

#: Longest queue (days) the choice considers: beyond it a point is simply "very slow".
MAX_QUEUE_DAYS = 365.0


def probabilities(utility: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Logit probabilities over the valid entries of the last axis (none valid: all zero)."""
    u = np.where(valid, utility, -np.inf)
    top = u.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.where(valid, np.exp(u - top), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def draw(prob: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column picked per row by inverse CDF with uniforms ``u`` in [0, 1) (-1 where a row has
    no option); never a zero-probability column."""
    n, cols = prob.shape
    if cols == 0:
        return np.full(n, -1, dtype=np.int64)
    cum = np.cumsum(prob, axis=1)
    total = cum[:, -1]
    # columns whose cumulative probability is ≤ u·total come before the pick; leading and
    # interior zero columns share their predecessor's cumulative value and are skipped with it
    j = (cum <= (u * total)[:, None]).sum(axis=1)
    last = cols - 1 - np.argmax(prob[:, ::-1] > 0, axis=1)  # rounding at u → 1
    return np.where(total > 0, np.minimum(j, last), -1).astype(np.int64)


def _compiled() -> ModuleType:
    """The compiled module (imported on first use: it imports Numba)."""
    return compiled_module("mergesim.mechanisms.services.compiled")


def cumulative(prob: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(cum, total, last)`` of a probability table's rows: the cumulative sums, their last
    column and the last positive column (the last column where none is positive)."""
    cum = np.cumsum(prob, axis=1)
    last = prob.shape[1] - 1 - np.argmax(prob[:, ::-1] > 0, axis=1)
    return cum, cum[:, -1], last


def draw_rows(prob: np.ndarray, row: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """:func:`draw` for needs that share rows of a probability table: need ``i`` draws from
    ``prob[row[i]]`` (one uniform each, from ``rng``); the cumulative sums are taken once per
    row of the table, not once per need."""
    cum, total, last = cumulative(prob)
    tr = total[row]
    u = rng.random(len(row)) * tr
    # The count of cumulative sums ≤ u, column by column: a table has a few columns, and one
    # 1-D gather per column is about twice as fast as gathering whole rows of the table.
    j = np.zeros(len(row), dtype=np.int64)
    for c in range(prob.shape[1]):
        j += cum[:, c][row] <= u
    return np.where(tr > 0, np.minimum(j, last[row]), -1).astype(np.int64)


def queue_days(pending: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """``7 × pending / capacity`` per point (days), at most :data:`MAX_QUEUE_DAYS`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(capacity > 0, 7.0 * pending / np.maximum(capacity, 1e-12), MAX_QUEUE_DAYS)
    return np.minimum(np.where(pending > 0, d, 0.0), MAX_QUEUE_DAYS)


def expected_days(
    role: np.ndarray,
    kind: np.ndarray,
    affair: np.ndarray,
    level: np.ndarray,
    cat: Catalogue,
    p: ServiceParams,
    open_wait: np.ndarray,
) -> np.ndarray:
    """Days the villager expects option(s) to take, before any queue (see the module docstring).

    Args:
        role, kind: :class:`Role` and point kind of each option (arrays of one shape).
        affair, level: The matter's type and effective level (broadcast to that shape).
        cat: The catalogue.
        p: The ``services`` section.
        open_wait: Mean wait for an open day per point kind (days), indexed by kind.
    """
    proc = cat.process_days[affair, level]
    up = np.where(level == Level.COUNTY, p.forward_days, 0.0)
    wait = open_wait[np.maximum(kind, 0)]
    return np.select(
        [role == Role.CARRY, role == Role.DESK],
        [p.carry_interval_days + up + proc, wait + p.forward_days + proc],
        default=wait + proc,
    )


@dataclass(eq=False)
class Options:
    """The options of a set of needs: one column per candidate point.

    Attributes:
        point: Point of each option (-1: none), shape (n, J).
        minutes: One-way vehicle minutes to it.
        role: :class:`Role` it would play (administrative; FINISH for other needs).
        valid: The villager considers it.
        days: Expected days before any queue.
    """

    point: np.ndarray
    minutes: np.ndarray
    role: np.ndarray
    valid: np.ndarray
    days: np.ndarray

    def choose(
        self,
        factor: np.ndarray,
        qdays: np.ndarray,
        u: np.ndarray,
        p: ServiceParams,
    ) -> np.ndarray:
        """Column chosen per need (-1: none valid).

        Args:
            factor: Travel-time multiplier of each villager's mode (1 with a vehicle).
            qdays: Queue days per point (:func:`queue_days`).
            u: One uniform per need.
            p: The ``services`` section (the two weights).
        """
        q = qdays[np.maximum(self.point, 0)]
        util = -p.choice_beta_minutes * self.minutes * factor[:, None] - p.choice_beta_days * (
            self.days + q
        )
        return draw(probabilities(util, self.valid), u)

    def static_probabilities(self, p: ServiceParams) -> np.ndarray:
        """Choice probabilities with vehicle minutes and no queue (for expectations)."""
        util = -p.choice_beta_minutes * self.minutes - p.choice_beta_days * self.days
        return probabilities(util, self.valid)


def admin_options(
    routing: Routing,
    village: np.ndarray,
    affair: np.ndarray,
    level: np.ndarray,
    carry: np.ndarray,
    covered: np.ndarray,
    known: np.ndarray,
    point_kind: np.ndarray,
    cat: Catalogue,
    p: ServiceParams,
    open_wait: np.ndarray,
) -> Options:
    """The administrative options of each matter (see the module docstring).

    Args:
        routing: Routing tables in force.
        village: Home village of each matter's villager.
        affair, level, carry, covered: The matter's type, effective level, carryable, and
            within a convenience station's windows.
        known: The villager knows which level can finish it.
        point_kind: Current kind of every point.
        cat: The catalogue.
        p: The ``services`` section.
        open_wait: Mean wait for an open day per point kind.
    """
    point = routing.tier_point[:, village].T  # (n, N_TIERS)
    minutes = routing.tier_minutes[:, village].T
    kind = np.where(point >= 0, point_kind[np.maximum(point, 0)], -1)
    lvl = np.broadcast_to(level[:, None], point.shape)
    role = roles(
        kind,
        lvl,
        np.broadcast_to(carry[:, None], point.shape),
        np.broadcast_to(covered[:, None], point.shape),
    )
    takes = role != Role.NONE
    sure = takes & (role != Role.REFER)
    guess = takes & (kind != PointKind.COUNTY_CENTRE)
    # nothing near home takes it: the villager acts as one who knows
    valid = np.where(known[:, None] | ~guess.any(axis=1, keepdims=True), sure, guess)
    # a villager who does not know expects any point to finish the matter
    believed = np.where(known[:, None] | (role != Role.REFER), role, Role.FINISH)
    days = expected_days(believed, kind, affair[:, None], lvl, cat, p, open_wait)
    assert point.shape[1] == N_TIERS
    return Options(point=point, minutes=minutes, role=role, valid=valid, days=days)


def class_table(
    routing: Routing, qdays: np.ndarray, factors: np.ndarray, p: ServiceParams
) -> np.ndarray:
    """Choice probabilities over each village's candidate points of every service class, per
    travel mode: shape (N_CLASSES, len(factors), n_villages, K).

    Every need of a class from one village in one mode faces the same options, so the logit is
    evaluated once per (class, mode, village) a week rather than once per need.
    """
    pt = routing.cand_point[:, None]  # (C, 1, K, nv)
    util = (
        -p.choice_beta_minutes * routing.cand_minutes[:, None] * factors[None, :, None, None]
        - p.choice_beta_days * qdays[np.maximum(pt, 0)]
    )
    prob = probabilities(np.moveaxis(util, 2, -1), np.moveaxis(pt >= 0, 2, -1))
    return prob


def class_options(routing: Routing, village: np.ndarray, cls: np.ndarray) -> Options:
    """The options of non-administrative needs: the nearest points of each need's class."""
    k = routing.cand_point.shape[1]
    point = routing.cand_point[cls[:, None], np.arange(k)[None, :], village[:, None]]
    minutes = routing.cand_minutes[cls[:, None], np.arange(k)[None, :], village[:, None]]
    valid = point >= 0
    role = np.where(valid, Role.FINISH, Role.NONE).astype(np.int8)
    return Options(point=point, minutes=minutes, role=role, valid=valid, days=np.zeros(point.shape))


@dataclass(frozen=True, eq=False)
class Chooser:
    """The weekly choice of every need still to be taken somewhere (vectorised).

    Attributes:
        cat: The catalogue.
        p: The ``services`` section.
        needs_p: The ``needs`` section (court and telecom shares).
        open_wait: Mean wait for an open day per point kind.
        no_vehicle_factor: Travel-time multiplier without a vehicle.
        kernel: ``numpy`` (the reference) or ``numba`` (:mod:`~.compiled`, the same choices;
            :mod:`mergesim.mechanisms.kernels`).
    """

    cat: Catalogue
    p: ServiceParams
    needs_p: NeedParams
    open_wait: np.ndarray
    no_vehicle_factor: float
    kernel: str = "numpy"

    def choose(
        self,
        routing: Routing,
        point_kind: np.ndarray,
        act: dict[str, np.ndarray],
        village: np.ndarray,
        vehicle: np.ndarray,
        seek: np.ndarray,
        qdays: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Point, one-way minutes in the villager's own mode and :class:`Role` of each need
        with ``seek`` set (-1 / inf / NONE for the others and where no option is valid).

        Args:
            routing: Routing tables in force.
            point_kind: Current kind of every point.
            act: The active needs' fields (``kind``, ``affair``, ``utype``, ``uscope``,
                ``known``).
            village, vehicle: Home village and vehicle of each need's villager.
            seek: The need is to be taken somewhere this week.
            qdays: Queue days per point (:func:`queue_days`).
            rng: The ``"services"`` stream (one uniform per choosing need).
        """
        n = len(village)
        point = np.full(n, -1, dtype=np.int64)
        minutes = np.full(n, np.inf)
        role = np.zeros(n, dtype=np.int8)
        adm = act["kind"] == NeedKind.ADMIN
        cat, p = self.cat, self.p
        factors = np.array([1.0, self.no_vehicle_factor])
        mode = (~vehicle).astype(np.int64)

        rows = np.flatnonzero(seek & adm)
        if len(rows) and self.kernel == "numba":
            out = (point, minutes, role)
            self._admin_compiled(
                routing, point_kind, act, village, factors[mode], qdays, rows, rng, out
            )
        elif len(rows):
            a = act["affair"][rows]
            opt = admin_options(
                routing,
                village[rows],
                a,
                cat.level(a, act["utype"][rows], devolved=routing.devolved),
                cat.carry[a],
                act["uscope"][rows] < p.station_share,
                act["known"][rows],
                point_kind,
                cat,
                p,
                self.open_wait,
            )
            f = factors[mode[rows]]
            j = opt.choose(f, qdays, rng.random(len(rows)), p)
            ok = j >= 0
            sel = np.arange(len(rows))
            jj = np.maximum(j, 0)
            point[rows] = np.where(ok, opt.point[sel, jj], -1)
            minutes[rows] = np.where(ok, opt.minutes[sel, jj] * f, np.inf)
            role[rows] = np.where(ok, opt.role[sel, jj], Role.NONE)

        rows = np.flatnonzero(seek & ~adm)
        if len(rows) and self.kernel == "numba":
            prob = class_table(routing, qdays, factors, p)
            out = (point, minutes, role)
            self._class_compiled(routing, prob, act, village, mode, factors, rows, rng, out)
        elif len(rows):
            cls = service_class(act["kind"][rows], act["utype"][rows], self.needs_p)
            cls = cls.astype(np.int64)
            v, md = village[rows], mode[rows]
            # the logit once per (class, mode, village); each need draws from its row
            prob = class_table(routing, qdays, factors, p)
            k, nv = prob.shape[-1], prob.shape[-2]
            j = draw_rows(prob.reshape(-1, k), (cls * len(factors) + md) * nv + v, rng)
            ok = j >= 0
            flat = (cls * k + np.maximum(j, 0)) * nv + v
            point[rows] = np.where(ok, routing.cand_point.reshape(-1)[flat], -1)
            minutes[rows] = np.where(
                ok, routing.cand_minutes.reshape(-1)[flat] * factors[md], np.inf
            )
            role[rows] = np.where(ok, Role.FINISH, Role.NONE)
        return point, minutes, role

    def _admin_compiled(self, routing, point_kind, act, village, factor, qdays, rows, rng, out):
        """The administrative matters' choice on the compiled path: what :func:`admin_options`
        and :meth:`Options.choose` do, in one loop (:func:`~.compiled.admin_choose`), with
        the same uniforms; writes ``out = (point, minutes, role)`` at ``rows``."""
        cat, p, m = self.cat, self.p, len(rows)
        a = act["affair"][rows]
        got = np.empty(m, dtype=np.int64), np.empty(m), np.empty(m, dtype=np.int8)
        _compiled().admin_choose(
            village[rows],
            a,
            cat.level(a, act["utype"][rows], devolved=routing.devolved),
            cat.carry[a],
            act["uscope"][rows] < p.station_share,
            act["known"][rows],
            factor[rows],
            rng.random(m),
            routing.tier_point,
            routing.tier_minutes,
            point_kind,
            ROLE,
            self.open_wait,
            cat.process_days,
            qdays,
            p.forward_days,
            p.carry_interval_days,
            p.choice_beta_minutes,
            p.choice_beta_days,
            *got,
        )
        for dest, value in zip(out, got, strict=True):
            dest[rows] = value

    def _class_compiled(self, routing, prob, act, village, mode, factors, rows, rng, out):
        """The other needs' choice on the compiled path: what :func:`service_class` and
        :func:`draw_rows` do, in one loop (:func:`~.compiled.class_choose`), with the same
        uniforms; writes ``out = (point, minutes, role)`` at ``rows``."""
        m = len(rows)
        got = np.empty(m, dtype=np.int64), np.empty(m), np.empty(m, dtype=np.int8)
        _compiled().class_choose(
            act["kind"][rows],
            act["utype"][rows],
            village[rows],
            mode[rows],
            rng.random(m),
            *class_tables(self.needs_p),
            *cumulative(prob.reshape(-1, prob.shape[-1])),
            routing.cand_point,
            routing.cand_minutes,
            factors,
            *got,
        )
        for dest, value in zip(out, got, strict=True):
            dest[rows] = value

    def warm_up(self, routing: Routing, point_kind: np.ndarray, act, village: np.ndarray) -> None:
        """Compile (or load from Numba's cache) the compiled loops for the argument types of
        a run — ``act`` an empty set of needs, ``village`` the villagers' village array — so
        that the first week does not pay for it (the model's set-up does)."""
        if self.kernel != "numba":
            return
        rows, rng = np.zeros(0, dtype=np.int64), np.random.default_rng(0)  # draws nothing
        out = (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int8))
        qdays = np.zeros(len(point_kind))
        self._admin_compiled(
            routing, point_kind, act, village[:0], np.zeros(0), qdays, rows, rng, out
        )
        factors = np.array([1.0, self.no_vehicle_factor])
        prob = class_table(routing, qdays, factors, self.p)
        self._class_compiled(routing, prob, act, village[:0], rows, factors, rows, rng, out)
