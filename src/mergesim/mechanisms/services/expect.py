"""Expected demand and travel of a service configuration (no queues): what the county sizes its
points for, and the expected travel villagers compare with the pre-reform reference.

Both use the choice rule of :mod:`~mergesim.mechanisms.services.choice` with vehicle minutes and
empty queues, averaged over the matters of each village:

* **administrative** matters by class — affair type × effective level × within a station's
  windows or not × known level or not, weighted by the village's expected weekly needs of the
  type, the level's share, ``station_share`` and ``know_level``. A point's expected load counts
  the visits that use its capacity: a finished or desk-forwarded matter ``1 + docs_fail`` visits
  (a missing-documents failure comes back once, on average), a carried matter one (carrying),
  a referral one (advice) — and the referred villager's second choice, made knowing the level,
  loads the point it picks;
* **other needs** by service class over the class's candidate points.

Expected minutes are those of the first trip (one-way, vehicle), per need kind and village.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mergesim.config.schema import NeedParams, ServiceParams
from mergesim.mechanisms.needs import N_KINDS, NeedKind
from mergesim.mechanisms.services.catalogue import Catalogue, Role
from mergesim.mechanisms.services.choice import admin_options, class_options
from mergesim.mechanisms.services.routing import MAIN_CLASS, SUB_CLASS, Routing


@dataclass(frozen=True, eq=False)
class Expectation:
    """Expected weekly load per point and first-trip minutes per need kind and village.

    Attributes:
        load: Expected full-scale visits (and carried matters) a week per point.
        minutes: Expected one-way vehicle minutes of the first trip, shape (N_KINDS, nv).
    """

    load: np.ndarray
    minutes: np.ndarray


def class_load(routing: Routing, demand: np.ndarray, cls: int, p: ServiceParams) -> np.ndarray:
    """Expected full-scale load per point of one service class (``demand`` per village)."""
    nv = len(demand)
    opt = class_options(routing, np.arange(nv), np.full(nv, cls, dtype=np.int64))
    prob = opt.static_probabilities(p)
    load = np.zeros(len(routing.point_kind))
    for j in range(prob.shape[1]):
        _scatter(load, opt.point[:, j], demand * prob[:, j])
    return load


def _scatter(load: np.ndarray, point: np.ndarray, weight: np.ndarray) -> None:
    ok = (point >= 0) & (weight > 0)
    load += np.bincount(point[ok], weights=weight[ok], minlength=len(load))


def expect(
    routing: Routing,
    demand: np.ndarray,
    admin_demand: np.ndarray,
    cat: Catalogue,
    p: ServiceParams,
    needs_p: NeedParams,
    open_wait: np.ndarray,
) -> Expectation:
    """The :class:`Expectation` of a configuration (see the module docstring).

    Args:
        routing: Routing tables of the configuration (with its points' kinds).
        demand: Expected full-scale needs a week per village and need kind, (nv, N_KINDS).
        admin_demand: Expected full-scale administrative needs a week per village and affair
            type, (nv, N_AFFAIRS).
        cat: The catalogue.
        p: The ``services`` section.
        needs_p: The ``needs`` section (court and telecom shares).
        open_wait: Mean wait for an open day per point kind.
    """
    point_kind, devolved = routing.point_kind, routing.devolved
    nv = demand.shape[0]
    n_pts = len(point_kind)
    load = np.zeros(n_pts)
    minutes = np.zeros((N_KINDS, nv))
    village = np.arange(nv)
    for need, main in MAIN_CLASS.items():
        parts = [(main, 1.0)]
        if need in SUB_CLASS:
            sub, name = SUB_CLASS[need]
            share = getattr(needs_p, name)
            parts = [(main, 1.0 - share), (sub, share)]
        for c, share in parts:
            opt = class_options(routing, village, np.full(nv, c, dtype=np.int64))
            prob = opt.static_probabilities(p)
            m = np.where(opt.valid, opt.minutes, 0.0)
            minutes[need] += share * (prob * m).sum(axis=1)
            w = demand[:, need] * share
            for j in range(prob.shape[1]):
                _scatter(load, opt.point[:, j], w * prob[:, j])

    total = admin_demand.sum(axis=1)
    cover = ((True, p.station_share), (False, 1.0 - p.station_share))
    know = ((True, p.know_level), (False, 1.0 - p.know_level))
    for a, lvl, lshare in cat.classes(devolved=devolved):
        base = admin_demand[:, a] * lshare
        carry = np.full(nv, cat.carry[a])
        aff = np.full(nv, a)
        lv = np.full(nv, lvl, dtype=np.int8)
        for covered, pc in cover:
            if pc <= 0:
                continue
            cov = np.full(nv, covered)
            known_opt = admin_options(
                routing,
                village,
                aff,
                lv,
                carry,
                cov,
                np.ones(nv, bool),
                point_kind,
                cat,
                p,
                open_wait,
            )
            known_prob = known_opt.static_probabilities(p)
            for known, pk in know:
                if pk <= 0:
                    continue
                opt = known_opt
                prob = known_prob
                if not known:
                    opt = admin_options(
                        routing,
                        village,
                        aff,
                        lv,
                        carry,
                        cov,
                        np.zeros(nv, bool),
                        point_kind,
                        cat,
                        p,
                        open_wait,
                    )
                    prob = opt.static_probabilities(p)
                w = base * pc * pk
                m = np.where(opt.valid, opt.minutes, 0.0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    minutes[NeedKind.ADMIN] += np.where(total > 0, w / total, 0.0) * (prob * m).sum(
                        axis=1
                    )
                referred = np.zeros(nv)
                for j in range(prob.shape[1]):
                    wj = w * prob[:, j]
                    r = opt.role[:, j]
                    visits = np.where(
                        (r == Role.FINISH) | (r == Role.DESK), 1.0 + cat.docs_fail[a], 1.0
                    )
                    _scatter(load, opt.point[:, j], wj * np.where(r != Role.NONE, visits, 0.0))
                    referred += np.where(r == Role.REFER, wj, 0.0)
                if referred.any():
                    for j in range(known_prob.shape[1]):
                        r = known_opt.role[:, j]
                        visits = np.where(
                            r == Role.CARRY, 1.0, 1.0 + cat.docs_fail[a] * p.advice_factor
                        )
                        _scatter(load, known_opt.point[:, j], referred * known_prob[:, j] * visits)
    return Expectation(load=load, minutes=minutes)
