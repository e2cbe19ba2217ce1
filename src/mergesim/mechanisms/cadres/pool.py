"""The cadre pool as arrays: posts, origins, outcomes, and the posts each unit has.

The cadres of a county are a *struct of arrays* (:class:`CadrePool`, one row per person, about
16,000 rows for the seed county): the incumbents of every township, village and villager-group
post before the reform, plus the candidate pools the county draws on at the reform
(:mod:`~mergesim.mechanisms.cadres.synthesis`). Posts, origins and placement channels are small
integer codes (:class:`Post`, :class:`Origin`, :class:`Outcome`), so every weekly computation
is a NumPy expression.

Attributes per person: age (years), education (0–3), competence (relative productivity, 1 = a
cadre with education between high school and college), origin, hard-disqualifier flags (the
"ten unsuitables"), tenure, the three assessment signals the reform ranks by — evaluation
(研判评议), appraisal (考核评价) and track record (实绩评比) — and where the person works now.

This module also holds what follows from the county and the plan alone: staff posts per
township, villager groups per merged village, pay per post, which units the reform re-selects,
and the group-wise ranking every selection step uses (:func:`rank_in_group`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

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
    candidate not appointed (not a cadre). ``UNPLACED``: a displaced cadre left without the
    post a channel would have given (only when ``guarantees.cadres_placed`` is false: 干部安排
    悬空; a township civil servant keeps the salary, idle; a village cadre leaves).
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
    UNPLACED = 14


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
TOWNSHIP_CHANNELS = (
    Outcome.UP_COUNTY,
    Outcome.RANK_ON_SPOT,
    Outcome.TRANSFER,
    Outcome.TOWNSHIP_TRANSITIONAL,
    Outcome.TOWNSHIP_RETIRED,
)
VILLAGE_CHANNELS = (
    Outcome.TO_GROUP_LEADER,
    Outcome.VILLAGE_SPECIALIST,
    Outcome.BUSINESS,
    Outcome.VILLAGE_LEFT,
)
TOWNSHIP_POSTS = (Post.TOWNSHIP_LEADER, Post.TOWNSHIP_STAFF)
COMMITTEE_POSTS = (Post.SECRETARY, Post.DIRECTOR, Post.SECRETARY_DIRECTOR, Post.VILLAGE_MEMBER)
SECRETARY_POSTS = (Post.SECRETARY, Post.SECRETARY_DIRECTOR)


@dataclass(eq=False)
class CadrePool:
    """Every cadre and candidate of one run as arrays (row = person).

    Before the reform ``post``/``unit`` equal ``post0``/``unit0``;
    :func:`~mergesim.mechanisms.cadres.selection.select_and_place` returns a new pool with the
    after-reform posts, units and outcomes.

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
            :func:`~mergesim.mechanisms.cadres.staffing.assign_stages`; the first-ranked
            cadre's key is used).
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


def reselected_units(plan: Plan, p: CadreParams) -> tuple[np.ndarray, np.ndarray]:
    """Bool per new township and per new village: its posts are filled anew at the reform.

    A merged unit (more than one member) is always re-selected; an unmerged one only with
    ``reselect_unchanged``.
    """
    t_members = np.bincount(plan.township_to_new, minlength=plan.n_new_townships)
    v_members = np.bincount(plan.village_to_new, minlength=plan.n_new_villages)
    return (t_members > 1) | p.reselect_unchanged, (v_members > 1) | p.reselect_unchanged


# ---------------------------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------------------------


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
