"""Synthesis of the cadre pool: the incumbents of every pre-reform post and the candidates.

Synthesis (:func:`synthesize_pool`, docs/domain.md §3) draws, from the mechanism's own stream:

* **incumbents** of every pre-reform post: township leaders (``township_leaders`` per township),
  township staff (``township_staff_base + township_staff_per_10k × population / 10,000``),
  village two-committee cadres (a secretary; a director unless the secretary already holds both
  posts, "一肩挑", share ``one_shoulder_before``; ``village_others`` other full-time posts) and one
  leader per villager group (``County.groups``);
* **candidates** for the units the reform re-selects: township recruits (county cadres sent down,
  selected graduates), two-committee candidates per village by origin (``secretary_pool``) and
  group-leader candidates per post by origin (``group_pool``). The county-wide number of each
  kind is fixed by these means and spread over the units systematically
  (:func:`systematic_counts`), as a county recruiting to a plan would.

Education is an ordered probit (a latent normal shifted per kind or origin and by cohort, cut at
``edu_cutpoints``); competence follows education; each assessment signal is competence plus
noise (a new candidate's track record is noisier: no record in office). Incumbents are drawn
first and independently of the plan, so every plan over the same county and seed sees the same
incumbents (common random numbers).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from mergesim.config.schema import CadreParams
from mergesim.county.county import County
from mergesim.mechanisms.cadres.pool import (
    TOWNSHIP_POSTS,
    CadrePool,
    Disqualifier,
    Kind,
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

#: Legal age bounds of the draws (years): civil servants serve 22–60, village cadres 20–70.
_AGE_BOUNDS = {
    Kind.TOWNSHIP_LEADER: (25.0, 59.9),
    Kind.TOWNSHIP_STAFF: (22.0, 59.9),
    Kind.VILLAGE_CADRE: (20.0, 70.0),
    Kind.GROUP_LEADER: (20.0, 75.0),
}
_CAND_AGE = (20.0, 70.0)


def _edu(latent: np.ndarray, cut: list[float]) -> np.ndarray:
    return np.searchsorted(np.asarray(cut, dtype=float), latent).astype(np.int8)


def _categorical(u: np.ndarray, probs: list[float], stratified: bool = True) -> np.ndarray:
    """Category of each uniform ``u`` under ``probs`` (inverse CDF).

    Stratified (default): the uniforms are replaced by their evenly spaced ranks, so the
    counts of each category are the rounded shares exactly, assigned to random persons — the
    synthetic county then has the composition its parameters say, without binomial noise.
    """
    if stratified and len(u):
        u = (np.argsort(np.argsort(u, kind="stable"), kind="stable") + 0.5) / len(u)
    cum = np.cumsum(np.asarray(probs, dtype=float))
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1).astype(np.int8)


#: Columns of a person's row of uniforms (one row per person, see :func:`_attributes`).
_COLS = {
    "age": 0,
    "edu": 1,
    "comp": 2,
    "eval": 3,
    "appr": 4,
    "track": 5,
    "dq": 6,  # 6..9
    "tenure": 10,
    "stage": 11,
    "offset": 12,
    "origin": 13,
    "home": 14,
    "jitter": 15,
}
_N_COLS = 16


def _attributes(
    rows: np.ndarray,
    p: CadreParams,
    *,
    age_mu: np.ndarray,
    age_sd: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    edu_shift: np.ndarray,
    comp_shift: np.ndarray,
    tenure_mu: np.ndarray,
    origin: np.ndarray,
    dq_factor: float,
    candidate: bool,
) -> dict[str, np.ndarray]:
    """Age, education, competence, disqualifiers, signals, tenure and keys of ``len(rows)``
    persons from their rows of uniforms.

    Each person's attributes depend only on their own row (inverse-CDF transforms), so a
    parameter that changes how many persons a block holds leaves every other person's draws
    unchanged (common random numbers across scenarios; smooth calibration).
    """
    c = _COLS
    z = ndtri(np.clip(rows[:, c["age"] : c["track"] + 1], 1e-12, 1 - 1e-12)).T
    age = np.clip(age_mu + age_sd * z[0], bounds[0], bounds[1])
    edu = _edu(edu_shift + p.edu_age_slope * (40.0 - age) / 10.0 + z[1], p.edu_cutpoints)
    comp = 1.0 + p.competence_edu * (edu - 1.5) + comp_shift + p.competence_sd * z[2]
    comp = np.clip(comp, 0.2, p.competence_cap)
    rates = np.array([p.rate_criminal, p.rate_gang, p.rate_gambling_drugs, p.rate_discipline])
    bits = rows[:, c["dq"] : c["dq"] + 4] < np.minimum(rates * dq_factor, 1.0)[None, :]
    dq = (bits * np.array([d.value for d in Disqualifier])[None, :]).sum(axis=1).astype(np.uint8)
    tenure = np.minimum(-np.log1p(-rows[:, c["tenure"]]) * tenure_mu, np.maximum(age - 18.0, 0.0))
    track_sd = p.no_record_noise if candidate else p.track_noise
    track = comp + track_sd * z[5] + p.track_tenure * np.minimum(tenure, 10.0)
    return {
        "age": age,
        "edu": edu,
        "origin": origin.astype(np.int8),
        "dq": dq,
        "competence": comp,
        "evaluation": comp + p.assess_noise * z[3],
        "appraisal": comp + p.assess_noise * z[4],
        "track": track,
        "tenure": tenure,
        "u_stage": rows[:, c["stage"]].copy(),
        "u_offset": rows[:, c["offset"]].copy(),
    }


@dataclass
class _Draws:
    """Attributes drawn for a block of persons (concatenated into the pool)."""

    source: np.ndarray
    post0: np.ndarray
    unit0: np.ndarray
    home_village: np.ndarray
    home_township: np.ndarray
    age: np.ndarray
    edu: np.ndarray
    origin: np.ndarray
    dq: np.ndarray
    competence: np.ndarray
    evaluation: np.ndarray
    appraisal: np.ndarray
    track: np.ndarray
    tenure: np.ndarray
    u_stage: np.ndarray
    u_offset: np.ndarray


def _incumbents(county: County, p: CadreParams, rng: np.random.Generator) -> _Draws:
    """Every pre-reform post and its holder."""
    nt, nv = county.n_townships, county.n_villages
    t_idx, v_idx = np.arange(nt), np.arange(nv)
    one_sh = rng.random(nv) < p.one_shoulder_before
    blocks = [  # (post, unit, kind)
        (Post.TOWNSHIP_LEADER, np.repeat(t_idx, p.township_leaders), Kind.TOWNSHIP_LEADER),
        (
            Post.TOWNSHIP_STAFF,
            np.repeat(t_idx, township_staff_slots(county, p)),
            Kind.TOWNSHIP_STAFF,
        ),
        (Post.SECRETARY_DIRECTOR, v_idx[one_sh], Kind.VILLAGE_CADRE),
        (Post.SECRETARY, v_idx[~one_sh], Kind.VILLAGE_CADRE),
        (Post.DIRECTOR, v_idx[~one_sh], Kind.VILLAGE_CADRE),
        (Post.VILLAGE_MEMBER, np.repeat(v_idx, p.village_others), Kind.VILLAGE_CADRE),
        (Post.GROUP_LEADER, np.repeat(v_idx, county.groups), Kind.GROUP_LEADER),
    ]
    post = np.concatenate([np.full(len(u), ps, dtype=np.int8) for ps, u, _ in blocks])
    unit = np.concatenate([u for _, u, _ in blocks]).astype(np.int64)
    kind = np.concatenate([np.full(len(u), k, dtype=np.int8) for _, u, k in blocks])
    n = len(post)
    rows = rng.random((n, _N_COLS))
    township_level = kind <= Kind.TOWNSHIP_STAFF
    home_v = np.where(township_level, -1, unit)
    home_t = np.where(township_level, unit, county.township[np.maximum(unit, 0)])
    lo = np.array([_AGE_BOUNDS[Kind(k)][0] for k in Kind])[kind]
    hi = np.array([_AGE_BOUNDS[Kind(k)][1] for k in Kind])[kind]
    # Ages stratified (one draw per quantile stratum, strata randomly assigned): within each
    # township's leadership
    # team (teams are composed old-middle-young, "老中青结合"), and within each other kind
    # county-wide. The county's age structure is then what the parameters say, and figures
    # such as the leaders' mean age carry no sampling noise of their own.
    a = _COLS["age"]
    stratum = np.where(kind == Kind.TOWNSHIP_LEADER, unit, -1 - kind.astype(np.int64))
    rank = rank_in_group(stratum, rows[:, a])
    size = np.bincount(stratum - stratum.min())[stratum - stratum.min()]
    rows[:, a] = (rank + rows[:, _COLS["jitter"]]) / size
    origin = np.empty(n, dtype=np.int8)
    for mask, probs in (
        (township_level, p.origin_township),
        (kind == Kind.VILLAGE_CADRE, p.origin_village),
        (kind == Kind.GROUP_LEADER, p.origin_group),
    ):
        origin[mask] = _categorical(rows[mask, _COLS["origin"]], probs)
    a = _attributes(
        rows,
        p,
        age_mu=np.asarray(p.age_mean)[kind],
        age_sd=np.asarray(p.age_sd)[kind],
        bounds=(lo, hi),
        edu_shift=np.asarray(p.edu_shift)[kind],
        comp_shift=np.zeros(n),
        tenure_mu=np.asarray(p.tenure_mean)[kind],
        origin=origin,
        dq_factor=1.0,
        candidate=False,
    )
    return _Draws(
        source=np.zeros(n, dtype=np.int8),
        post0=post,
        unit0=unit,
        home_village=home_v.astype(np.int64),
        home_township=home_t.astype(np.int64),
        **a,
    )


def _member(labels: np.ndarray, units: np.ndarray, u: np.ndarray, n_units: int) -> np.ndarray:
    """The member (old index) of each unit in ``units`` picked by uniform ``u``."""
    order = np.argsort(labels, kind="stable")
    count = np.bincount(labels, minlength=n_units)
    start = np.r_[0, np.cumsum(count)[:-1]]
    pick = start[units] + np.floor(u * count[units]).astype(np.int64)
    return order[np.minimum(pick, start[units] + count[units] - 1)]


def _candidate_block(
    county: County,
    plan: Plan,
    p: CadreParams,
    rng: np.random.Generator,
    source: Source,
    units: np.ndarray,
    means: np.ndarray,
) -> _Draws:
    """Candidates of one pool: ``means[i, o]`` expected candidates of origin ``o`` in unit
    ``units[i]`` (see :func:`systematic_counts`)."""
    counts = systematic_counts(means, rng.random(means.shape), rng.random(means.shape[1]))
    n_orig = means.shape[1]
    unit = np.repeat(np.repeat(units, n_orig), counts.ravel())
    origin = np.repeat(np.tile(np.arange(n_orig), len(units)), counts.ravel())
    n = len(unit)
    rows = rng.random((n, _N_COLS))
    recruit = source == Source.RECRUIT
    if recruit:
        # One column of counts: origins are drawn per recruit; home = the old township
        # hosting the new township's seat.
        origin = _categorical(rows[:, _COLS["origin"]], p.origin_recruit)
        home_t = county.township[plan.new_township_seat[unit]]
        home_v = np.full(n, -1, dtype=np.int64)
        age_mu, age_sd = np.full(n, p.recruit_age[0]), np.full(n, p.recruit_age[1])
        hi = np.full(n, 59.9)
    else:
        home_v = _member(plan.village_to_new, unit, rows[:, _COLS["home"]], plan.n_new_villages)
        home_t = county.township[home_v]
        age_mu = np.asarray(p.cand_age_mean)[origin]
        age_sd = np.asarray(p.cand_age_sd)[origin]
        hi = np.full(n, _CAND_AGE[1])
    a = _attributes(
        rows,
        p,
        age_mu=age_mu,
        age_sd=age_sd,
        bounds=(np.full(n, _CAND_AGE[0]), hi),
        edu_shift=np.asarray(p.cand_edu_shift)[origin],
        comp_shift=np.asarray(p.cand_competence_shift)[origin],
        tenure_mu=np.zeros(n),
        origin=np.asarray(origin),
        dq_factor=p.candidate_dq_factor,
        candidate=True,
    )
    return _Draws(
        source=np.full(n, source, dtype=np.int8),
        post0=np.zeros(n, dtype=np.int8),
        unit0=np.full(n, -1, dtype=np.int64),
        home_village=home_v.astype(np.int64),
        home_township=np.asarray(home_t, dtype=np.int64),
        **a,
    )


def systematic_counts(means: np.ndarray, key: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Integer counts with expectation ``means`` whose column totals are fixed (±1).

    The county recruits ``sum(means[:, o])`` candidates of origin ``o`` and spreads them over
    its units: units are visited in a random order (``key``) and a unit gets
    ``floor(start + cumulative mean)`` minus the previous value (systematic sampling). Each
    unit gets the floor or the ceiling of its mean, with the right expectation, and the
    county-wide number carries no sampling noise — unlike independent Poisson counts, whose
    noise would swamp figures such as the report's 39 veteran and graduate secretaries.

    Args:
        means: Expected counts, shape (units, origins).
        key: Uniforms ordering the units, same shape.
        start: Uniform random start per origin, shape (origins,).
    """
    out = np.zeros(means.shape, dtype=np.int64)
    for o in range(means.shape[1]):  # a handful of origins
        order = np.argsort(key[:, o], kind="stable")
        cum = np.floor(start[o] + np.cumsum(means[order, o]))
        out[order, o] = np.diff(np.r_[np.floor(start[o]), cum]).astype(np.int64)
    return out


def _candidates(
    county: County, plan: Plan, p: CadreParams, rngs: list[np.random.Generator]
) -> list[_Draws]:
    """Candidate pools of the re-selected units (see the module docstring), one generator each."""
    resel_t, resel_v = reselected_units(plan, p)
    t_units, v_units = np.flatnonzero(resel_t), np.flatnonzero(resel_v)
    g_after = groups_after(county, plan, p)[v_units]
    return [
        _candidate_block(
            county,
            plan,
            p,
            rngs[0],
            Source.RECRUIT,
            t_units,
            np.full((len(t_units), 1), p.township_recruits),
        ),
        _candidate_block(
            county,
            plan,
            p,
            rngs[1],
            Source.COMMITTEE,
            v_units,
            np.tile(np.asarray(p.secretary_pool, dtype=float), (len(v_units), 1)),
        ),
        _candidate_block(
            county,
            plan,
            p,
            rngs[2],
            Source.GROUP,
            v_units,
            np.asarray(p.group_pool, dtype=float)[None, :] * g_after[:, None],
        ),
    ]


def synthesize_pool(
    county: County, plan: Plan, p: CadreParams, rng: np.random.Generator
) -> CadrePool:
    """The pre-reform cadre pool of ``county`` and the candidate pools ``plan`` calls for.

    Args:
        county: The county before the reform.
        plan: The merger plan (which units are re-selected, hence which candidates exist).
        p: The ``cadres`` section.
        rng: The mechanism's stream (``"cadres"``); it seeds one child generator per block
            (incumbents, recruits, committee candidates, group candidates).

    Returns:
        A :class:`CadrePool` in its pre-reform state (posts, units and pay as before, petition
        stages not yet assigned).
    """
    # One child generator per block, so that a block's size never shifts another's draws.
    blocks = [np.random.default_rng(k) for k in rng.integers(0, 2**63 - 1, size=4)]
    parts = [_incumbents(county, p, blocks[0]), *_candidates(county, plan, p, blocks[1:])]
    d = {
        f.name: np.concatenate([getattr(b, f.name) for b in parts])
        for f in dataclasses.fields(_Draws)
    }
    n = len(d["age"])
    township_level = np.isin(d["post0"], TOWNSHIP_POSTS)
    pool = CadrePool(
        **d,
        post=d["post0"].copy(),
        unit=d["unit0"].copy(),
        township=np.where(township_level, d["unit0"], -1).astype(np.int64),
        area=d["home_township"].copy(),
        outcome=np.full(n, Outcome.PENDING, dtype=np.int8),
        reselected=np.zeros(n, dtype=bool),
        active=d["post0"] != Post.NONE,
        stage=np.full(n, -1, dtype=np.int8),
        trained=np.zeros(n, dtype=np.int16),
        pay0=pay_of(d["post0"], p),
        pay=pay_of(d["post0"], p),
        kept_pay=np.zeros(n),
        n_townships=county.n_townships,
        n_villages=county.n_villages,
    )
    pool.slots0 = count_posts(pool.post0)
    pool.slots = dict(pool.slots0)
    pool.competence_ref = pool.competence.copy()
    assign_stages(pool, p)
    return pool
