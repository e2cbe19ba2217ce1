"""Selection and redeployment at the reform: who fills the new posts, where everyone else goes.

docs/domain.md §3 ("聚拢人才"). Fewer units means fewer posts; the reform fills the posts of every
merged unit anew and places everyone else through named channels.

**Selection** (:func:`select_and_place`, pure; vectorised group-wise ranking with ``lexsort``):

1. Units the plan leaves unmerged keep their incumbents (unless ``reselect_unchanged``).
2. *Screening*: anyone with a hard disqualifier (criminal record, gang links, gambling/drugs,
   discipline breach — the "ten unsuitables") is out; an incumbent so screened is
   ``DISMISSED``.
3. *Ranking* by the assessment score, the weighted mean of the three "coordinates" (evaluation
   研判评议, appraisal 考核评价, track record 实绩评比; ``assessment_weights``), plus policy
   preferences per post: township leadership reserves ``young_leaders`` posts of a merged
   team for cadres under ``young_age`` and prefers younger and better-educated cadres (and
   incumbent leaders' rank); the village secretary must have at least ``secretary_min_education``
   (report: high school) and prefers some origins; group leaders prefer some origins.
4. *Filling* the posts of each re-selected unit, in order: township leaders (from the member
   townships' leaders and staff and the recruits), township staff (incumbents first, recruits
   fill vacancies), the village secretary (who also heads the committee with ``one_shoulder``),
   the director (otherwise), the other two-committee posts, then the villager-group leaders
   (from the incumbent group leaders, the displaced two-committee cadres who stand, and the
   group candidates). Where no local candidate meets the secretary's education floor, the
   township sends one of its staff down as secretary (选派, ``send_down``); only if it has
   none either is the floor waived (counted in ``CadrePool.floor_waived``).
5. *Placement* of everyone not kept:

   * township cadres, "five batches" (五个一批): retirement (age ≥ ``township_retire_age``),
     moved up to county posts (best-assessed leaders, ``up_county_per_abolished`` posts per
     abolished township), rank placement on the spot (leaders, ``rank_on_spot_per_township``
     per merged township), transfer (``transfer_per_abolished``), and transitional specialist
     posts (the rest: "no cadre left without a post");
   * village cadres, "four batches" (四个一批): retirement/normal departure (age ≥
     ``village_retire_age``), villager-group leader (if they stand and win), leave to start a
     business (``business_propensity`` of those up to ``business_max_age``), transitional
     specialist post (``specialists_per_village`` per merged village, best assessed), and the
     rest leave office;
   * group leaders not kept depart, keeping their allowance until the election.

6. *Guarantees* (``guarantees``): with ``staffing_kept`` false a merged township keeps only
   ``staff_retained_share`` of its staff posts (the county takes the rest back); with
   ``cadres_placed`` false ``unplaced_share`` of the displaced cadres bound for a rank post on
   the spot, a transfer, a township transitional post or a village specialist post get none
   (``UNPLACED``); with ``transition_pay_kept`` false departing cadres keep no pay.

   Every person ends with exactly one :class:`~mergesim.mechanisms.cadres.pool.Outcome`
   (asserted), and holds a post exactly when the outcome is an in-post one.
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import CadreParams, GuaranteeParams
from mergesim.county.county import County
from mergesim.mechanisms.cadres.pool import (
    COMMITTEE_POSTS,
    IN_POST,
    TOWNSHIP_POSTS,
    CadrePool,
    Origin,
    Outcome,
    Post,
    Source,
    count_posts,
    groups_after,
    pay_of,
    rank_in_group,
    reselected_units,
    township_staff_slots,
)
from mergesim.mechanisms.cadres.staffing import assign_stages
from mergesim.plans.plan import Plan

# ---------------------------------------------------------------------------------------------
# Ranking helpers
# ---------------------------------------------------------------------------------------------


def _fill(mask: np.ndarray, unit: np.ndarray, slots: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Indices of the persons in ``mask`` who win one of ``slots[unit]`` posts of their unit."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return idx
    r = rank_in_group(unit[idx], *(k[idx] for k in keys))
    return idx[r < slots[unit[idx]]]


def assessment(pool: CadrePool, p: CadreParams) -> np.ndarray:
    """The assessment score: weighted mean of evaluation, appraisal and track record."""
    w = np.asarray(p.assessment_weights, dtype=float)
    return (w[0] * pool.evaluation + w[1] * pool.appraisal + w[2] * pool.track) / w.sum()


# ---------------------------------------------------------------------------------------------
# Selection and placement
# ---------------------------------------------------------------------------------------------


def select_and_place(
    pool: CadrePool,
    county: County,
    plan: Plan,
    p: CadreParams,
    rng: np.random.Generator,
    guarantees: GuaranteeParams | None = None,
) -> CadrePool:
    """Apply the reform to a pre-reform pool: fill the new posts and place everyone else.

    Pure: ``pool`` is not modified. ``rng`` gives three uniforms per person (standing for group
    leader, starting a business, being left unplaced), always the same number of draws for the
    same pool, so scenarios differing in selection policy see common random numbers.

    Args:
        pool: The pool before the reform (:func:`synthesize_pool`).
        county: The county.
        plan: The merger plan (new units of every old unit).
        p: The ``cadres`` section.
        rng: Random stream (the mechanism's).
        guarantees: The ``guarantees`` section (None: the schema's, every guarantee kept).

    Returns:
        A new pool with posts, units, outcomes, pay, kept pay and petition stages after the
        reform (see the module docstring for the rules).

    Raises:
        ValueError: The pool was already reformed.
    """
    if pool.reformed:
        raise ValueError("the pool has already been through the reform")
    g = GuaranteeParams() if guarantees is None else guarantees
    q = pool.copy()
    n = q.n
    u_stand, u_business, u_unplaced = rng.random((3, n))
    t2n = np.asarray(plan.township_to_new, dtype=np.int64)
    v2n = np.asarray(plan.village_to_new, dtype=np.int64)
    t_members = np.bincount(t2n, minlength=plan.n_new_townships)
    v_members = np.bincount(v2n, minlength=plan.n_new_villages)
    resel_t, resel_v = reselected_units(plan, p)

    t_lvl = np.isin(q.post0, TOWNSHIP_POSTS) | (q.source == Source.RECRUIT)
    tnew = t2n[q.home_township]
    vnew = np.where(t_lvl, -1, v2n[np.maximum(q.home_village, 0)])
    vkey = np.maximum(vnew, 0)  # safe index; masks below keep township-level rows out
    inc = q.incumbent
    resel = np.where(t_lvl, resel_t[tnew], resel_v[vkey])
    q.reselected = resel
    out = np.full(n, Outcome.PENDING, dtype=np.int8)
    post = np.zeros(n, dtype=np.int8)
    unit = np.full(n, -1, dtype=np.int64)

    def pending() -> np.ndarray:  # re-evaluated after each stage
        return out == Outcome.PENDING

    def place(idx: np.ndarray, new_post: int, units: np.ndarray, in_post: bool = True) -> None:
        post[idx] = new_post
        unit[idx] = units[idx]
        if in_post:
            out[idx] = np.where(inc[idx], Outcome.KEPT, Outcome.APPOINTED)

    # 1. Unmerged units keep their incumbents.
    stay = inc & ~resel
    post[stay] = q.post0[stay]
    unit[stay] = np.where(t_lvl, tnew, vnew)[stay]
    out[stay] = Outcome.KEPT

    ok = (q.dq == 0) | (not p.screen)
    score = assessment(q, p)
    age, edu = q.age, q.edu

    # 2. Township leaders, then staff.
    slots_l = np.where(t_members > 1, p.township_leaders_merged, p.township_leaders)
    cand = t_lvl & resel & ok & pending() & (age <= p.leader_max_age)
    s_l = (
        score
        - p.leader_youth_weight * age
        + p.leader_edu_weight * edu
        + p.leader_incumbent_bonus * (q.post0 == Post.TOWNSHIP_LEADER)
    )
    # Young cadres first: each merged team reserves posts for the best under young_age.
    young = _fill(
        cand & (age < p.young_age),
        tnew,
        np.where(t_members > 1, np.minimum(p.young_leaders, slots_l), 0),
        -s_l,
    )
    place(young, Post.TOWNSHIP_LEADER, tnew)
    slots_l = slots_l - np.bincount(tnew[young], minlength=plan.n_new_townships)
    place(_fill(cand & pending(), tnew, slots_l, -s_l), Post.TOWNSHIP_LEADER, tnew)
    staff_old = np.bincount(
        t2n, weights=township_staff_slots(county, p), minlength=plan.n_new_townships
    )
    retained = 1.0 if g.staffing_kept else p.staff_retained_share
    slots_s = np.rint(np.where(t_members > 1, retained, 1.0) * staff_old)
    cand = (
        t_lvl
        & resel
        & ok
        & pending()
        & ((q.post0 == Post.TOWNSHIP_STAFF) | (q.source == Source.RECRUIT))
    )
    place(_fill(cand, tnew, slots_s.astype(np.int64), ~inc, -score), Post.TOWNSHIP_STAFF, tnew)

    # 3. Displaced township cadres: the five channels.
    disp = t_lvl & inc & resel & pending()
    out[disp & ~ok] = Outcome.DISMISSED
    out[disp & ok & (age >= p.township_retire_age)] = Outcome.TOWNSHIP_RETIRED
    n_abolished = county.n_townships - plan.n_new_townships
    leader0 = q.post0 == Post.TOWNSHIP_LEADER
    zero = np.zeros(n, dtype=np.int64)
    up = _fill(
        disp & pending() & leader0,
        zero,
        np.array([round(p.up_county_per_abolished * n_abolished)]),
        -score,
    )
    out[up] = Outcome.UP_COUNTY
    spot = _fill(
        disp & pending() & leader0,
        tnew,
        np.where(t_members > 1, round(p.rank_on_spot_per_township), 0),
        -score,
    )
    out[spot] = Outcome.RANK_ON_SPOT
    unit[spot] = tnew[spot]
    moved = _fill(
        disp & pending(), zero, np.array([round(p.transfer_per_abolished * n_abolished)]), -score
    )
    out[moved] = Outcome.TRANSFER
    trans = disp & pending()
    out[trans] = Outcome.TOWNSHIP_TRANSITIONAL
    unit[trans] = tnew[trans]

    # 4. Village two committees: secretary (education floor), director, other members.
    v_lvl = ~t_lvl
    com = v_lvl & resel & ok & (np.isin(q.post0, COMMITTEE_POSTS) | (q.source == Source.COMMITTEE))
    s_v = (
        score
        - p.secretary_youth_weight * age
        + p.secretary_edu_weight * edu
        + np.asarray(p.secretary_origin_bonus)[q.origin]
        + p.village_incumbent_bonus * inc
    )
    below_floor = edu < p.secretary_min_education
    ones = np.ones(plan.n_new_villages, dtype=np.int64)
    sec_post = Post.SECRETARY_DIRECTOR if p.one_shoulder else Post.SECRETARY
    eligible = com & pending() & (age <= p.secretary_max_age)
    has_floor = np.bincount(vkey[eligible & ~below_floor], minlength=plan.n_new_villages) > 0
    short = np.flatnonzero(resel_v & ~has_floor)
    sec_slots = ones.copy()
    if p.send_down and len(short):
        # No local candidate meets the floor: the township sends one of its staff down (选派).
        # A rare event (a handful of villages in a county), hence the loop over villages.
        v_town = t2n[county.township[plan.new_village_seat]]
        fit = (post == Post.TOWNSHIP_STAFF) & ~below_floor & (age <= p.secretary_max_age)
        for v in short:
            c = np.flatnonzero(fit & (unit == v_town[v]))
            if len(c):
                i = c[np.argmax(s_v[c])]
                post[i], unit[i], fit[i] = sec_post, v, False
                sec_slots[v] = 0
                q.sent_down += 1
    sec = _fill(eligible, vkey, sec_slots, below_floor, -s_v)
    q.floor_waived = int(below_floor[sec].sum())
    place(sec, sec_post, vnew)
    if not p.one_shoulder:
        place(
            _fill(com & pending() & (age <= p.secretary_max_age), vkey, ones, -s_v),
            Post.DIRECTOR,
            vnew,
        )
    slots_m = np.where(v_members > 1, p.village_others_merged, p.village_others)
    place(
        _fill(com & pending() & (age <= p.member_max_age), vkey, slots_m, -s_v),
        Post.VILLAGE_MEMBER,
        vnew,
    )

    # 5. Displaced two-committee cadres: screened out, retired, or standing for group leader.
    dv = v_lvl & inc & resel & np.isin(q.post0, COMMITTEE_POSTS) & pending()
    out[dv & ~ok] = Outcome.DISMISSED
    out[dv & ok & (age >= p.village_retire_age)] = Outcome.VILLAGE_LEFT
    stand = dv & pending() & (u_stand < p.group_leader_willing) & (age <= p.group_max_age)

    # 6. Villager-group leaders.
    gl0 = v_lvl & resel & (q.post0 == Post.GROUP_LEADER)
    out[gl0 & ~ok] = Outcome.DISMISSED
    gcand = (
        ok
        & pending()
        & resel
        & v_lvl
        & (age <= p.group_max_age)
        & (gl0 | stand | (q.source == Source.GROUP))
    )
    category = np.where(stand, Origin.FORMER_CADRE, q.origin)
    s_g = score + np.asarray(p.group_origin_bonus)[category] + p.group_incumbent_bonus * gl0
    won = _fill(gcand, vkey, groups_after(county, plan, p), -s_g)
    place(won, Post.GROUP_LEADER, vnew)
    out[won[stand[won]]] = Outcome.TO_GROUP_LEADER
    out[gl0 & pending()] = Outcome.GROUP_DEPARTED

    # 7. The other displaced two-committee cadres: business, specialist posts, or leave.
    biz = dv & pending() & (u_business < p.business_propensity) & (age <= p.business_max_age)
    out[biz] = Outcome.BUSINESS
    spec = _fill(
        dv & pending(), vkey, np.where(v_members > 1, round(p.specialists_per_village), 0), -score
    )
    out[spec] = Outcome.VILLAGE_SPECIALIST
    unit[spec] = vnew[spec]
    out[dv & pending()] = Outcome.VILLAGE_LEFT
    if np.any(inc & pending()):  # pragma: no cover - a rule above forgot someone
        raise AssertionError("an incumbent left the reform without a post or channel")
    out[pending()] = Outcome.NOT_SELECTED

    # 8. "No cadre left without a post" broken: part of the placements never happen.
    if not g.cadres_placed:
        bound = np.isin(
            out,
            (
                Outcome.RANK_ON_SPOT,
                Outcome.TRANSFER,
                Outcome.TOWNSHIP_TRANSITIONAL,
                Outcome.VILLAGE_SPECIALIST,
            ),
        )
        left = bound & (u_unplaced < p.unplaced_share)
        out[left] = Outcome.UNPLACED
        unit[left] = -1

    q.outcome, q.post, q.unit = out, post, unit
    _after_reform(q, plan, p, t_lvl, tnew, g.transition_pay_kept)
    check_placement(q)
    return q


def _after_reform(
    q: CadrePool,
    plan: Plan,
    p: CadreParams,
    t_lvl: np.ndarray,
    tnew: np.ndarray,
    transition_pay: bool,
) -> None:
    """Work location, activity, pay, kept pay, tenure, slots and stages after the reform.

    Civil servants placed on the spot, in transitional posts, or left unplaced keep their
    salary (``pay``); those moved up or transferred keep theirs too, paid by their new unit
    (``pay0``, counted in the county's cost by
    :func:`~mergesim.mechanisms.cadres.metrics.admin_cost`). Departing village cadres and group
    leaders keep the difference to their old pay until the election if ``transition_pay``.
    """
    out = q.outcome
    township_work = t_lvl & (
        np.isin(q.post, TOWNSHIP_POSTS)
        | np.isin(out, (Outcome.RANK_ON_SPOT, Outcome.TOWNSHIP_TRANSITIONAL))
    )
    q.township = np.where(township_work, tnew, -1)
    q.area = plan.township_to_new[q.home_township]
    q.active = (q.post != Post.NONE) | np.isin(
        out, (Outcome.RANK_ON_SPOT, Outcome.TOWNSHIP_TRANSITIONAL, Outcome.VILLAGE_SPECIALIST)
    )
    pay = pay_of(q.post, p)
    # Civil servants placed on the spot or in transitional posts keep their salary.
    keep_salary = (
        np.isin(out, (Outcome.RANK_ON_SPOT, Outcome.TOWNSHIP_TRANSITIONAL))
        | (t_lvl & np.isin(q.post, COMMITTEE_POSTS))  # incl. staff sent down as secretary
        | (t_lvl & (out == Outcome.UNPLACED))
    )
    pay = np.where(keep_salary, q.pay0, pay)
    pay = np.where(out == Outcome.VILLAGE_SPECIALIST, p.pay_specialist, pay)
    q.pay = pay
    departing = np.isin(
        out,
        (
            Outcome.TO_GROUP_LEADER,
            Outcome.VILLAGE_SPECIALIST,
            Outcome.BUSINESS,
            Outcome.VILLAGE_LEFT,
            Outcome.GROUP_DEPARTED,
        ),
    ) | (~t_lvl & (out == Outcome.UNPLACED))
    q.kept_pay = np.where(departing & transition_pay, np.maximum(q.pay0 - pay, 0.0), 0.0)
    changed = (q.post != q.post0) | (out == Outcome.APPOINTED)
    q.tenure = np.where(changed, 0.0, q.tenure)
    q.slots = count_posts(q.post)
    q.n_townships, q.n_villages = plan.n_new_townships, plan.n_new_villages
    q.competence_ref = q.competence.copy()
    q.reformed = True
    assign_stages(q, p)


def check_placement(pool: CadrePool) -> None:
    """Assert that every person has exactly one outcome and a post exactly when in post.

    Raises:
        AssertionError: A person is still pending, an incumbent is "not selected", or posts
            and outcomes disagree.
    """
    out = pool.outcome
    assert np.all(out != Outcome.PENDING), "a person has no outcome"
    assert not np.any(pool.incumbent & (out == Outcome.NOT_SELECTED)), "an incumbent unplaced"
    in_post = np.isin(out, IN_POST)
    assert np.array_equal(in_post, pool.post != Post.NONE), "posts and outcomes disagree"
    assert not np.any(~pool.incumbent & np.isin(out, (Outcome.KEPT, Outcome.DISMISSED))), (
        "a candidate was kept or dismissed"
    )
