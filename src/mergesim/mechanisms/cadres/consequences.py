"""What the cadres get done: working competence, span of control, and the points' odds.

**Working competence** (:func:`working_competence`): a cadre's competence, times
``misconduct_factor`` for one with a hard disqualifier (criminal record, gang links, gambling or
drugs, breach of discipline — the "ten unsuitables"): favouritism and neglect in handling
affairs and petitions. Screening keeps such candidates out of the new posts and dismisses
such incumbents of merged units, so it raises the working competence of the cadres at work;
without it they may be selected. The petition stages (speed and resolution) and the service
points (capacity and completion) read the working competence.

**Span of control** (:func:`span_ratio`): villagers per cadre of a point's township
(non-leading cadres at work) or village (two-committee cadres and specialists at work), now
against its units before the reform. A merged village with one secretary-director (一肩挑)
and ``village_others_merged`` members serves about twice the villagers; a township whose posts
the county took back serves its villagers with fewer staff.

**Completion odds** (:func:`point_competence`, written to ``ServicePoints.competence``): the
odds that a visit to an administrative point completes the affair are multiplied by::

    (competence_now / competence_before)^competence_odds_elasticity
        × (span_now / span_before)^(−span_elasticity)

(Meier & Bohte 2000: wider spans of control lower performance). Other points get 1.
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import CadreParams
from mergesim.county.county import County
from mergesim.mechanisms.cadres.pool import CadrePool
from mergesim.mechanisms.cadres.staffing import (
    PointUnits,
    cadres_by_village,
    service_staff_by_township,
    township_reference,
)
from mergesim.plans.plan import Plan


def working_competence(pool: CadrePool, p: CadreParams) -> np.ndarray:
    """Competence at work per person: ``competence × misconduct_factor`` for a person with a
    hard disqualifier, ``competence`` otherwise."""
    return pool.competence * np.where(pool.dq != 0, p.misconduct_factor, 1.0)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, 1 where either is missing, zero or not finite (no information)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    return np.where(np.isfinite(r) & (r > 0), r, 1.0)


def span_ratio(
    pop_now: np.ndarray, n_now: np.ndarray, pop_ref: np.ndarray, n_ref: np.ndarray
) -> np.ndarray:
    """``(pop_now / n_now) / (pop_ref / n_ref)``: villagers per cadre now over before (1 where
    a unit has no cadre now or before: no information)."""
    n_now, n_ref = np.asarray(n_now, dtype=float), np.asarray(n_ref, dtype=float)
    known = (n_now > 0) & (n_ref > 0)
    return np.where(known, _ratio(_ratio(pop_now, n_now), _ratio(pop_ref, n_ref)), 1.0)


def odds_multiplier(comp_ratio: np.ndarray, span: np.ndarray, p: CadreParams) -> np.ndarray:
    """``comp_ratio^competence_odds_elasticity × span^(−span_elasticity)``."""
    return np.asarray(comp_ratio, dtype=float) ** p.competence_odds_elasticity * np.asarray(
        span, dtype=float
    ) ** (-p.span_elasticity)


def point_competence(
    pool: CadrePool,
    ref: CadrePool,
    point_kind: np.ndarray,
    point_village: np.ndarray,
    point_base_village: np.ndarray,
    county: County,
    plan: Plan,
    p: CadreParams,
) -> np.ndarray:
    """Completion-odds multiplier per service point (for ``ServicePoints.competence``).

    Township administrative points compare the township's non-leading cadres at work now
    (mean working competence; villagers per cadre) with those of its member townships before
    the reform; village administrative points compare the village's cadres at work now with
    those of the point's old village before. Other points get 1.

    Args:
        pool: The pool now.
        ref: The pool before the reform.
        point_kind, point_village, point_base_village: ``ServicePoints`` arrays.
        county, plan: The county and the plan.
        p: The ``cadres`` section (elasticities, ``misconduct_factor``).

    Returns:
        Multiplier per point (-), 1 where nothing changed or a reference is missing.
    """
    pu = PointUnits.of(pool.reformed, point_kind, point_village, point_base_village, county, plan)
    out = np.ones(len(pu.township))
    c_now, c_ref = working_competence(pool, p), working_competence(ref, p)
    pop_v = np.asarray(county.population, dtype=float)
    pop_t = np.bincount(county.township, weights=pop_v, minlength=county.n_townships)
    nt_ref, ct_ref = township_reference(pool.reformed, *service_staff_by_township(ref, c_ref), plan)
    nv_ref, cv_ref = cadres_by_village(ref, c_ref)
    if pool.reformed:
        t2n = np.asarray(plan.township_to_new, dtype=np.int64)
        pop_t_now = np.bincount(t2n, weights=pop_t, minlength=plan.n_new_townships)
        pop_v_now = np.bincount(plan.village_to_new, weights=pop_v, minlength=plan.n_new_villages)
    else:
        pop_t_now, pop_v_now = pop_t, pop_v
    pop_t_ref = pop_t_now  # a current township's members together hold the same villagers
    nt_now, ct_now = service_staff_by_township(pool, c_now)
    nv_now, cv_now = cadres_by_village(pool, c_now)
    t = pu.t_now[pu.township]
    out[pu.township] = odds_multiplier(
        _ratio(ct_now[t], ct_ref[t]),
        span_ratio(pop_t_now[t], nt_now[t], pop_t_ref[t], nt_ref[t]),
        p,
    )
    vn, vr = pu.v_now[pu.village], pu.v_ref[pu.village]
    out[pu.village] = odds_multiplier(
        _ratio(cv_now[vn], cv_ref[vr]),
        span_ratio(pop_v_now[vn], nv_now[vn], pop_v[vr], nv_ref[vr]),
        p,
    )
    return out
