"""Cadre state as arrays: posts, origins, outcomes, and the synthesis of the cadre pool.

The cadres of a county are a *struct of arrays* (:class:`CadrePool`, one row per person, about
20,000 rows for the seed county): the incumbents of every township, village and villager-group
post before the reform, plus the candidate pools the county draws on at the reform. Posts,
origins and placement channels are small integer codes (:class:`Post`, :class:`Origin`,
:class:`Outcome`), so every weekly computation is a NumPy expression.

Synthesis (:func:`synthesize_pool`, DOMAIN.md §3) draws, from the mechanism's own stream:

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

Attributes per person: age (years), education (ordered probit: a latent normal shifted per kind
or origin and by cohort, cut at ``edu_cutpoints``), competence (relative productivity, 1 = a
cadre with education between high school and college), origin, hard-disqualifier flags (the
"ten unsuitables"), tenure, and the three assessment signals the reform ranks by — evaluation
(研判评议), appraisal (考核评价) and track record (实绩评比) — each competence plus noise (a new
candidate's track record is noisier: no record in office). Incumbents are drawn first and
independently of the plan, so every plan over the same county and seed sees the same
incumbents (common random numbers).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from scipy.special import ndtr, ndtri

from mergesim.config.schema import CadreParams
from mergesim.county.county import County
from mergesim.plans.plan import Plan


class Post(IntEnum):
    """A post a cadre holds (``NONE``: no post — a candidate, or placed through a channel)."""

    NONE = 0
    TOWNSHIP_LEADER = 1
    TOWNSHIP_STAFF = 2
    SECRETARY = 3  # village party secretary only
    DIRECTOR = 4  # village committee director only
    SECRETARY_DIRECTOR = 5  # secretary who also heads the committee (一肩挑)
    VILLAGE_MEMBER = 6  # other full-time two-committee cadre (clerk, deputy)
    GROUP_LEADER = 7  # villager-group leader (村民小组长)


class Origin(IntEnum):
    """Where a cadre comes from (the report's source categories)."""

    LOCAL = 0
    MIGRANT = 1  # returning migrant worker (返乡农民工)
    VETERAN = 2  # returned veteran (退役军人)
    GRADUATE = 3  # returning graduate (返乡大学生)
    PARTY_RESERVE = 4  # party member or reserve cadre (党员、村级后备干部)
    FORMER_CADRE = 5  # former village cadre (离任村干部)


class Kind(IntEnum):
    """Kinds of incumbent, the order of the per-kind lists of ``[cadres]``."""

    TOWNSHIP_LEADER = 0
    TOWNSHIP_STAFF = 1
    VILLAGE_CADRE = 2
    GROUP_LEADER = 3


class Source(IntEnum):
    """Which pool a person was drawn into."""

    INCUMBENT = 0
    RECRUIT = 1  # township candidate from outside
    COMMITTEE = 2  # candidate for the village two committees
    GROUP = 3  # candidate for villager-group leader


class Outcome(IntEnum):
    """Where a person ends at the reform: one code each (``PENDING`` before the reform).

    In post: ``KEPT`` (an incumbent holding a post after the reform — at the same level, or a
    township staff member sent down as village secretary), ``APPOINTED`` (a new candidate
    given a post), ``TO_GROUP_LEADER`` (a two-committee cadre who became a group leader).
    Township cadres' five channels ("五个一批"): ``UP_COUNTY``, ``RANK_ON_SPOT``, ``TRANSFER``,
    ``TOWNSHIP_TRANSITIONAL``, ``TOWNSHIP_RETIRED``. Village cadres' four channels ("四个一批"):
    ``TO_GROUP_LEADER``, ``VILLAGE_SPECIALIST``, ``BUSINESS``, ``VILLAGE_LEFT`` (retirement or
    normal departure).
    ``GROUP_DEPARTED``: a group leader not kept (keeps the allowance until the election).
    ``DISMISSED``: an incumbent screened out by a hard disqualifier. ``NOT_SELECTED``: a
    candidate not appointed (not a cadre).
    """

    PENDING = -1
    KEPT = 0
    APPOINTED = 1
    UP_COUNTY = 2
    RANK_ON_SPOT = 3
    TRANSFER = 4
    TOWNSHIP_TRANSITIONAL = 5
    TOWNSHIP_RETIRED = 6
    TO_GROUP_LEADER = 7
    VILLAGE_SPECIALIST = 8
    BUSINESS = 9
    VILLAGE_LEFT = 10
    GROUP_DEPARTED = 11
    DISMISSED = 12
    NOT_SELECTED = 13


class Disqualifier(IntEnum):
    """Bits of :attr:`CadrePool.dq` (the "ten unsuitables" the model draws)."""

    CRIMINAL = 1
    GANG = 2
    GAMBLING_DRUGS = 4
    DISCIPLINE = 8


POST_NAMES = tuple(p.name.lower() for p in Post)
ORIGIN_NAMES = tuple(o.name.lower() for o in Origin)
OUTCOME_NAMES = {o: o.name.lower() for o in Outcome}
EDUCATION_NAMES = ("below_high_school", "high_school", "college", "bachelor_plus")
#: Outcomes in which the person holds a post after the reform.
IN_POST = (Outcome.KEPT, Outcome.APPOINTED, Outcome.TO_GROUP_LEADER)
TOWNSHIP_CHANNELS = (Outcome.UP_COUNTY, Outcome.RANK_ON_SPOT, Outcome.TRANSFER,
                     Outcome.TOWNSHIP_TRANSITIONAL, Outcome.TOWNSHIP_RETIRED)
VILLAGE_CHANNELS = (Outcome.TO_GROUP_LEADER, Outcome.VILLAGE_SPECIALIST, Outcome.BUSINESS,
                    Outcome.VILLAGE_LEFT)
TOWNSHIP_POSTS = (Post.TOWNSHIP_LEADER, Post.TOWNSHIP_STAFF)
COMMITTEE_POSTS = (Post.SECRETARY, Post.DIRECTOR, Post.SECRETARY_DIRECTOR, Post.VILLAGE_MEMBER)
SECRETARY_POSTS = (Post.SECRETARY, Post.SECRETARY_DIRECTOR)
#: Legal age bounds of the draws (years): civil servants serve 22–60, village cadres 20–70.
_AGE_BOUNDS = {Kind.TOWNSHIP_LEADER: (25.0, 59.9), Kind.TOWNSHIP_STAFF: (22.0, 59.9),
               Kind.VILLAGE_CADRE: (20.0, 70.0), Kind.GROUP_LEADER: (20.0, 75.0)}
_CAND_AGE = (20.0, 70.0)


@dataclass(eq=False)
class CadrePool:
    """Every cadre and candidate of one run as arrays (row = person).

    Before the reform ``post``/``unit`` equal ``post0``/``unit0``; :func:`select_and_place
    <mergesim.mechanisms.cadres.selection.select_and_place>` returns a new pool with the after-reform
    posts, units and outcomes.

    Attributes:
        source: :class:`Source` (int8).
        post0: Post before the reform (:class:`Post`, int8; ``NONE`` for candidates).
        unit0: Unit of ``post0``: old township index for township posts, old village index for
            village and group posts, -1 for candidates (int64).
        home_village: Old village a village-level person belongs to (-1 for township level).
        home_township: Old township a person belongs to (int64).
        age: Age at the reform (years).
        edu: Education level 0–3 (below high school, high school, college, bachelor+; int8).
        origin: :class:`Origin` (int8).
        dq: Hard-disqualifier bits (:class:`Disqualifier`, uint8; 0 = none).
        competence: Relative productivity (1 = a cadre between high-school and college
            education; the pre-reform mean is about 0.97); training raises it.
        evaluation, appraisal, track: The three assessment signals (competence scale).
        tenure: Years in the current post.
        post: Current post (:class:`Post`).
        unit: Unit of the current post, or where a cadre placed on the spot, in a township
            transitional post or as a village specialist works (old indices before the reform,
            new after; -1 none).
        township: Township the person works in now, for the capacity hooks (old index before
            the reform, new after; -1 for village level and for those who left).
        area: Township of the person's home unit now (old index before the reform, new after).
        outcome: :class:`Outcome` at the reform (int8; ``PENDING`` before).
        reselected: The person's unit was re-selected at the reform (bool).
        active: Works in the county's township/village system now (bool).
        stage: Petition stage worked on (0–5; -1 none; int8).
        trained: Training sessions taken (int16).
        pay0: Pay before the reform (yuan/week).
        pay: Pay now (yuan/week; a kept-pay top-up is separate).
        kept_pay: Transition pay kept until the election (yuan/week).
        u_stage: Uniform key ordering petition-stage assignment within a township.
        u_offset: Uniform start of the township's systematic stage allocation (see
            :func:`assign_stages`; the first-ranked cadre's key is used).
        reformed: The reform has been applied (pool level).
        n_townships, n_villages: Number of current townships and villages (unit index ranges).
        slots0: Posts before the reform per :class:`Post` name.
        slots: Posts now per :class:`Post` name.
        competence_ref: Competence at the reform, before training.
        floor_waived: Secretaries chosen below the education floor for want of candidates.
        sent_down: Township staff sent down as village secretary (选派) to meet the floor.
        transition_over: The election has ended transitional posts and kept pay.
    """

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
    post: np.ndarray
    unit: np.ndarray
    township: np.ndarray
    area: np.ndarray
    outcome: np.ndarray
    reselected: np.ndarray
    active: np.ndarray
    stage: np.ndarray
    trained: np.ndarray
    pay0: np.ndarray
    pay: np.ndarray
    kept_pay: np.ndarray
    u_stage: np.ndarray
    u_offset: np.ndarray
    reformed: bool = False
    n_townships: int = 0
    n_villages: int = 0
    slots0: dict[str, int] = field(default_factory=dict)
    slots: dict[str, int] = field(default_factory=dict)
    competence_ref: np.ndarray | None = None
    floor_waived: int = 0
    sent_down: int = 0
    transition_over: bool = False

    @property
    def n(self) -> int:
        """Number of persons (incumbents and candidates)."""
        return int(self.age.shape[0])

    @property
    def incumbent(self) -> np.ndarray:
        """Bool: held a post before the reform."""
        return self.post0 != Post.NONE

    def copy(self) -> CadrePool:
        """A deep copy (arrays and dicts copied)."""
        kw = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            kw[f.name] = v.copy() if isinstance(v, np.ndarray | dict) else v
        return CadrePool(**kw)


# ---------------------------------------------------------------------------------------------
# Posts per unit
# ---------------------------------------------------------------------------------------------


def township_staff_slots(county: County, p: CadreParams) -> np.ndarray:
    """Staff posts per old township: ``base + per_10k × population / 10,000`` (rounded)."""
    pop = county.township_population()
    return np.rint(p.township_staff_base + p.township_staff_per_10k * pop / 1e4).astype(np.int64)


def groups_after(county: County, plan: Plan, p: CadreParams) -> np.ndarray:
    """Villager groups per new village: summed over members, consolidated in merged villages.

    A merged village keeps ``max(1, round(sum / group_merge_factor))`` groups (the report's
    villager-group adjustment); an unmerged village keeps its groups.
    """
    v2n = plan.village_to_new
    total = np.bincount(v2n, weights=county.groups, minlength=plan.n_new_villages)
    members = np.bincount(v2n, minlength=plan.n_new_villages)
    merged = np.maximum(1, np.rint(total / p.group_merge_factor))
    return np.where(members > 1, merged, total).astype(np.int64)


def pay_of(post: np.ndarray, p: CadreParams) -> np.ndarray:
    """Pay of each post (yuan/week; 0 for ``NONE``)."""
    table = np.zeros(len(Post))
    table[Post.TOWNSHIP_LEADER] = p.pay_township_leader
    table[Post.TOWNSHIP_STAFF] = p.pay_township_staff
    table[Post.SECRETARY] = p.pay_secretary
    table[Post.DIRECTOR] = p.pay_secretary
    table[Post.SECRETARY_DIRECTOR] = p.pay_one_shoulder
    table[Post.VILLAGE_MEMBER] = p.pay_member
    table[Post.GROUP_LEADER] = p.pay_group_leader
    return table[post]


def count_posts(post: np.ndarray) -> dict[str, int]:
    """Filled posts per :class:`Post` name (``none`` left out)."""
    c = np.bincount(post[post != Post.NONE], minlength=len(Post))
    return {POST_NAMES[k]: int(c[k]) for k in range(1, len(Post))}


# ---------------------------------------------------------------------------------------------
# Synthesis
# ---------------------------------------------------------------------------------------------


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
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1).astype(
        np.int8)


#: Columns of a person's row of uniforms (one row per person, see :func:`_attributes`).
_COLS = {"age": 0, "edu": 1, "comp": 2, "eval": 3, "appr": 4, "track": 5, "dq": 6,  # 6..9
         "tenure": 10, "stage": 11, "offset": 12, "origin": 13, "home": 14, "jitter": 15}
_N_COLS = 16


def _attributes(
    rows: np.ndarray, p: CadreParams, *, age_mu: np.ndarray, age_sd: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray], edu_shift: np.ndarray, comp_shift: np.ndarray,
    tenure_mu: np.ndarray, origin: np.ndarray, dq_factor: float, candidate: bool,
) -> dict[str, np.ndarray]:
    """Age, education, competence, disqualifiers, signals, tenure and keys of ``len(rows)``
    persons from their rows of uniforms.

    Each person's attributes depend only on their own row (inverse-CDF transforms), so a
    parameter that changes how many persons a block holds leaves every other person's draws
    unchanged (common random numbers across scenarios; smooth calibration).
    """
    c = _COLS
    z = ndtri(np.clip(rows[:, c["age"]:c["track"] + 1], 1e-12, 1 - 1e-12)).T
    age = np.clip(age_mu + age_sd * z[0], bounds[0], bounds[1])
    edu = _edu(edu_shift + p.edu_age_slope * (40.0 - age) / 10.0 + z[1], p.edu_cutpoints)
    comp = 1.0 + p.competence_edu * (edu - 1.5) + comp_shift + p.competence_sd * z[2]
    comp = np.clip(comp, 0.2, p.competence_cap)
    rates = np.array([p.rate_criminal, p.rate_gang, p.rate_gambling_drugs, p.rate_discipline])
    bits = rows[:, c["dq"]:c["dq"] + 4] < np.minimum(rates * dq_factor, 1.0)[None, :]
    dq = (bits * np.array([d.value for d in Disqualifier])[None, :]).sum(axis=1).astype(
        np.uint8)
    tenure = np.minimum(-np.log1p(-rows[:, c["tenure"]]) * tenure_mu,
                        np.maximum(age - 18.0, 0.0))
    track_sd = p.no_record_noise if candidate else p.track_noise
    track = comp + track_sd * z[5] + p.track_tenure * np.minimum(tenure, 10.0)
    return {
        "age": age, "edu": edu, "origin": origin.astype(np.int8), "dq": dq, "competence": comp,
        "evaluation": comp + p.assess_noise * z[3], "appraisal": comp + p.assess_noise * z[4],
        "track": track, "tenure": tenure, "u_stage": rows[:, c["stage"]].copy(),
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
        (Post.TOWNSHIP_STAFF, np.repeat(t_idx, township_staff_slots(county, p)),
         Kind.TOWNSHIP_STAFF),
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
    for mask, probs in ((township_level, p.origin_township),
                        (kind == Kind.VILLAGE_CADRE, p.origin_village),
                        (kind == Kind.GROUP_LEADER, p.origin_group)):
        origin[mask] = _categorical(rows[mask, _COLS["origin"]], probs)
    a = _attributes(
        rows, p, age_mu=np.asarray(p.age_mean)[kind], age_sd=np.asarray(p.age_sd)[kind],
        bounds=(lo, hi), edu_shift=np.asarray(p.edu_shift)[kind], comp_shift=np.zeros(n),
        tenure_mu=np.asarray(p.tenure_mean)[kind], origin=origin, dq_factor=1.0,
        candidate=False,
    )
    return _Draws(source=np.zeros(n, dtype=np.int8), post0=post, unit0=unit,
                  home_village=home_v.astype(np.int64), home_township=home_t.astype(np.int64),
                  **a)


def reselected_units(plan: Plan, p: CadreParams) -> tuple[np.ndarray, np.ndarray]:
    """Bool per new township and per new village: its posts are filled anew at the reform.

    A merged unit (more than one member) is always re-selected; an unmerged one only with
    ``reselect_unchanged``.
    """
    t_members = np.bincount(plan.township_to_new, minlength=plan.n_new_townships)
    v_members = np.bincount(plan.village_to_new, minlength=plan.n_new_villages)
    return (t_members > 1) | p.reselect_unchanged, (v_members > 1) | p.reselect_unchanged


def _member(labels: np.ndarray, units: np.ndarray, u: np.ndarray, n_units: int) -> np.ndarray:
    """The member (old index) of each unit in ``units`` picked by uniform ``u``."""
    order = np.argsort(labels, kind="stable")
    count = np.bincount(labels, minlength=n_units)
    start = np.r_[0, np.cumsum(count)[:-1]]
    pick = start[units] + np.floor(u * count[units]).astype(np.int64)
    return order[np.minimum(pick, start[units] + count[units] - 1)]


def _candidate_block(
    county: County, plan: Plan, p: CadreParams, rng: np.random.Generator, source: Source,
    units: np.ndarray, means: np.ndarray,
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
        rows, p, age_mu=age_mu, age_sd=age_sd, bounds=(np.full(n, _CAND_AGE[0]), hi),
        edu_shift=np.asarray(p.cand_edu_shift)[origin],
        comp_shift=np.asarray(p.cand_competence_shift)[origin], tenure_mu=np.zeros(n),
        origin=np.asarray(origin), dq_factor=p.candidate_dq_factor, candidate=True,
    )
    return _Draws(source=np.full(n, source, dtype=np.int8), post0=np.zeros(n, dtype=np.int8),
                  unit0=np.full(n, -1, dtype=np.int64), home_village=home_v.astype(np.int64),
                  home_township=np.asarray(home_t, dtype=np.int64), **a)


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


def _candidates(county: County, plan: Plan, p: CadreParams,
                rngs: list[np.random.Generator]) -> list[_Draws]:
    """Candidate pools of the re-selected units (see the module docstring), one generator each.
    """
    resel_t, resel_v = reselected_units(plan, p)
    t_units, v_units = np.flatnonzero(resel_t), np.flatnonzero(resel_v)
    g_after = groups_after(county, plan, p)[v_units]
    return [
        _candidate_block(county, plan, p, rngs[0], Source.RECRUIT, t_units,
                         np.full((len(t_units), 1), p.township_recruits)),
        _candidate_block(county, plan, p, rngs[1], Source.COMMITTEE, v_units,
                         np.tile(np.asarray(p.secretary_pool, dtype=float), (len(v_units), 1))),
        _candidate_block(county, plan, p, rngs[2], Source.GROUP, v_units,
                         np.asarray(p.group_pool, dtype=float)[None, :] * g_after[:, None]),
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
    d = {f.name: np.concatenate([getattr(b, f.name) for b in parts])
         for f in dataclasses.fields(_Draws)}
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


def rank_in_group(group: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Rank (0 = first) of each element within its group, ordered by ``keys`` (primary first,
    ascending; ties by position).

    Example:
        >>> rank_in_group(np.array([1, 0, 1, 0]), np.array([5.0, 2.0, 3.0, 1.0])).tolist()
        [1, 1, 0, 0]
    """
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((np.arange(n), *keys[::-1], group))
    g = group[order]
    start = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    first = np.repeat(start, np.diff(np.r_[start, n]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - first
    return rank


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
    desk = np.flatnonzero(pool.active & (pool.township >= 0)
                          & (pool.post != Post.TOWNSHIP_LEADER))
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


def education_probability(p: CadreParams, shift: float, age: float) -> np.ndarray:
    """Probability of each education level for a latent shift and age (for docs and tests)."""
    m = shift + p.edu_age_slope * (40.0 - age) / 10.0
    cdf = ndtr(np.asarray(p.edu_cutpoints) - m)
    return np.diff(np.r_[0.0, cdf, 1.0])
