"""Where the cadres work: petition stages, and the capacity hooks of the other mechanisms.

**Petition work** (:func:`assign_stages`): in each township a share of the desk cadres, and a
share of the village transitional specialists, work the six stages of the petition loop
(``pool.stage``); the petitions mechanism turns them into stage servers
(:mod:`mergesim.mechanisms.petitions.staffing`).

**Capacity hooks** (pure functions of the pool; each returns arrays over the *current* units —
old indices before the reform, new after):

* :func:`staff_by_township` → ``(n_staff, mean_competence)`` per township: township leaders,
  staff, and cadres placed on the spot or in transitional posts (until the election);
  :func:`service_staff_by_township` the same without the leaders;
* :func:`cadres_by_village` → ``(n, mean_competence)`` per village: two-committee cadres and
  village transitional specialists (until the election);
* :func:`capacity_factor` turns a count and mean competence into a multiplier against a
  reference (e.g. the pool before the reform); :func:`point_efficiency` gives a competence
  multiplier per service point (``ServicePoints.efficiency``) for the administrative points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mergesim.config.schema import CadreParams
from mergesim.county.county import County
from mergesim.mechanisms.cadres.pool import COMMITTEE_POSTS, CadrePool, Outcome, Post, rank_in_group
from mergesim.mechanisms.services.points import PointKind
from mergesim.plans.plan import Plan


def assign_stages(pool: CadrePool, p: CadreParams) -> None:
    """Assign petition work (in place): ``pool.stage`` per person, -1 for none.

    In each township, ``round(petition_staff_share × desk cadres)`` of its desk cadres (staff
    and cadres placed on the spot or in transitional posts; leaders excluded), chosen by the
    fixed random key ``u_stage``, are spread over the six stages in proportion to
    ``petition_stage_weights``; so are ``specialist_petition_share`` of the village
    transitional specialists (the grass-roots governance specialists) at work.
    """
    n_st = len(p.petition_stage_weights)
    w = np.asarray(p.petition_stage_weights, dtype=float)
    cum = np.cumsum(w) / w.sum()
    stage = np.full(pool.n, -1, dtype=np.int8)
    desk = np.flatnonzero(pool.active & (pool.township >= 0) & (pool.post != Post.TOWNSHIP_LEADER))
    t = pool.township[desk]
    r = rank_in_group(t, pool.u_stage[desk])
    nt = max(pool.n_townships, 1)
    k = np.rint(p.petition_staff_share * np.bincount(t, minlength=nt))
    chosen = r < k[t]
    # Systematic allocation with a random start per township (the key of its first-ranked
    # cadre, rescaled): each township's few petition cadres spread over the stages, and the
    # county's stage counts follow the weights in expectation rather than rounding towards
    # the middle stages.
    start = np.zeros(nt)
    first = r == 0
    start[t[first]] = pool.u_offset[desk[first]]
    tc = t[chosen]
    pos = np.mod((r[chosen] + start[tc]) / k[tc], 1.0)
    stage[desk[chosen]] = np.minimum(np.searchsorted(cum, pos, side="right"), n_st - 1)
    share = p.specialist_petition_share
    spec = pool.active & (pool.outcome == Outcome.VILLAGE_SPECIALIST) & (pool.u_stage < share)
    if share > 0:
        u = pool.u_stage[spec] / share
        stage[spec] = np.minimum(np.searchsorted(cum, u, side="right"), n_st - 1)
    pool.stage = stage


def count_and_mean(
    idx: np.ndarray, unit: np.ndarray, comp: np.ndarray, n_units: int
) -> tuple[np.ndarray, np.ndarray]:
    """Persons ``idx`` per unit (``unit[idx]``) and their mean ``comp`` (NaN where none)."""
    n = np.bincount(unit[idx], minlength=n_units)
    s = np.bincount(unit[idx], weights=comp[idx], minlength=n_units)
    with np.errstate(invalid="ignore", divide="ignore"):
        return n, np.where(n > 0, s / np.maximum(n, 1), np.nan)


def staff_by_township(
    pool: CadrePool, comp: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Township-level cadres at work per current township and their mean competence.

    Counts leaders, staff, and cadres placed on the spot or in transitional posts (until the
    election). Indices are old townships before the reform and new ones after. ``comp``: the
    competence to average (default ``pool.competence``; e.g. the working competence).

    Returns:
        ``(n_staff, mean_competence)``, arrays of length ``pool.n_townships`` (persons, -);
        the mean is NaN where a township has nobody.
    """
    idx = np.flatnonzero(pool.active & (pool.township >= 0))
    return count_and_mean(idx, pool.township, _comp(pool, comp), pool.n_townships)


def _comp(pool: CadrePool, comp: np.ndarray | None) -> np.ndarray:
    return pool.competence if comp is None else comp


def service_staff_by_township(
    pool: CadrePool, comp: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Non-leading township cadres at work per current township and their mean competence.

    As :func:`staff_by_township` without the township leaders: the staff who serve villagers
    at the service centre and stations (leaders placed on the spot count: they stay at work).
    """
    idx = np.flatnonzero(pool.active & (pool.township >= 0) & (pool.post != Post.TOWNSHIP_LEADER))
    return count_and_mean(idx, pool.township, _comp(pool, comp), pool.n_townships)


def cadres_by_village(
    pool: CadrePool, comp: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two-committee cadres and village specialists at work per current village (``comp`` as
    :func:`staff_by_township`).

    Returns:
        ``(n, mean_competence)``, arrays of length ``pool.n_villages`` (NaN mean where none).
    """
    village_work = np.isin(pool.post, COMMITTEE_POSTS) | (
        pool.outcome == Outcome.VILLAGE_SPECIALIST
    )
    idx = np.flatnonzero(pool.active & village_work & (pool.unit >= 0))
    return count_and_mean(idx, pool.unit, _comp(pool, comp), pool.n_villages)


def capacity_factor(
    n: np.ndarray, comp: np.ndarray, n_ref: np.ndarray, comp_ref: np.ndarray
) -> np.ndarray:
    """Capacity relative to a reference: ``(n / n_ref) × (comp / comp_ref)``.

    Where the reference is empty (``n_ref == 0``) the factor is 1 (no information).
    """
    n, comp = np.asarray(n, float), np.nan_to_num(np.asarray(comp, float))
    n_ref, comp_ref = np.asarray(n_ref, float), np.nan_to_num(np.asarray(comp_ref, float))
    with np.errstate(invalid="ignore", divide="ignore"):
        f = (n / n_ref) * (comp / comp_ref)
    return np.where((n_ref > 0) & (comp_ref > 0), f, 1.0)


@dataclass(frozen=True)
class PointUnits:
    """Which cadres staff each service point, now and before the reform.

    Attributes:
        township: Township administrative points (service centre, convenience station).
        village: Village administrative points (office, room, agency, duty team).
        t_now: Current township of each point (new index after the reform).
        v_now: Current village of each point (new index after the reform).
        v_ref: Old village of each point before the reform (its reference).
    """

    township: np.ndarray
    village: np.ndarray
    t_now: np.ndarray
    v_now: np.ndarray
    v_ref: np.ndarray

    @classmethod
    def of(
        cls,
        reformed: bool,
        point_kind: np.ndarray,
        point_village: np.ndarray,
        point_base_village: np.ndarray,
        county: County,
        plan: Plan,
    ) -> PointUnits:
        kind = np.asarray(point_kind)
        v_now = np.asarray(point_village, dtype=np.int64)
        t_now = county.township[v_now]
        vu_now = v_now
        if reformed:
            t_now = plan.township_to_new[t_now]
            vu_now = plan.village_to_new[v_now]
        return cls(
            township=np.isin(kind, (PointKind.SERVICE_CENTRE, PointKind.CONVENIENCE_STATION)),
            village=np.isin(
                kind,
                (
                    PointKind.VILLAGE_OFFICE,
                    PointKind.VILLAGE_ROOM,
                    PointKind.AGENCY,
                    PointKind.DUTY_TEAM,
                ),
            ),
            t_now=np.asarray(t_now, dtype=np.int64),
            v_now=np.asarray(vu_now, dtype=np.int64),
            v_ref=np.asarray(point_base_village, dtype=np.int64),
        )


def township_reference(
    reformed: bool, n_ref: np.ndarray, c_ref: np.ndarray, plan: Plan
) -> tuple[np.ndarray, np.ndarray]:
    """A current township's reference from the pool before the reform: its member townships'
    cadres together (their count and mean competence); the old townships themselves before
    the reform."""
    if not reformed:
        return n_ref, c_ref
    t2n = np.asarray(plan.township_to_new, dtype=np.int64)
    tot = np.bincount(t2n, weights=n_ref * np.nan_to_num(c_ref), minlength=plan.n_new_townships)
    n = np.bincount(t2n, weights=n_ref, minlength=plan.n_new_townships)
    with np.errstate(invalid="ignore", divide="ignore"):
        return n, np.where(n > 0, tot / np.maximum(n, 1e-12), np.nan)


def point_efficiency(
    pool: CadrePool,
    ref: CadrePool,
    point_kind: np.ndarray,
    point_village: np.ndarray,
    point_base_village: np.ndarray,
    county: County,
    plan: Plan,
    comp: np.ndarray | None = None,
    comp_ref: np.ndarray | None = None,
) -> np.ndarray:
    """Capacity multiplier per service point from its cadres (for ``ServicePoints.efficiency``).

    Township administrative points (service centre, convenience station) take
    :func:`capacity_factor` of the township's non-leading cadres at work now (staff, and
    cadres placed on the spot or in transitional posts until the election: their number and
    mean competence) against the same cadres of its member townships before the reform — so
    staff posts taken back by the county (``guarantees.staffing_kept`` false) or lost at the
    election slow the township's service points, and training speeds them up. The services
    mechanism already moves the abolished townships' point staff to the absorbing township,
    so a merged township that kept every post gets about 1. Village-level administrative points
    (office, room, agency, duty team) take the mean competence of the village cadres now over
    that of their old village before (their staffing is set by the services mechanism). Other
    points get 1 (their staff are not cadres).

    Args:
        pool: The pool now.
        ref: The pool before the reform (the reference; competence at set-up).
        point_kind: ``ServicePoints.kind``.
        point_village: ``ServicePoints.village`` (old village where each point stands now).
        point_base_village: ``ServicePoints.base_village`` (where it stood before).
        county, plan: The county and plan (to map old villages to current units).
        comp, comp_ref: Competence of each person now and in the reference pool (default
            ``competence``; the mechanism passes the working competence).

    Returns:
        Multiplier per point (-), 1 where a reference is missing.
    """
    pu = PointUnits.of(pool.reformed, point_kind, point_village, point_base_village, county, plan)
    out = np.ones(len(pu.township))
    nt_now, ct_now = service_staff_by_township(pool, comp)
    nt_ref, ct_ref = township_reference(
        pool.reformed, *service_staff_by_township(ref, comp_ref), plan
    )
    _, cv_now = cadres_by_village(pool, comp)
    _, cv_ref = cadres_by_village(ref, comp_ref)
    one = np.ones(1)
    t = pu.t_now[pu.township]
    out[pu.township] = capacity_factor(nt_now[t], ct_now[t], nt_ref[t], ct_ref[t])
    out[pu.village] = capacity_factor(
        one, cv_now[pu.v_now[pu.village]], one, cv_ref[pu.v_ref[pu.village]]
    )
    return out
