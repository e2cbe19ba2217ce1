"""Cadre metrics (pure functions of a :class:`~mergesim.mechanisms.cadres.pool.CadrePool`).

The report's cadre figures (docs/domain.md §3) and the issue's cadre metrics:

* posts before/after per post (:func:`posts_before_after`) and counts per placement channel
  (:func:`channel_counts`);
* township leaders' mean age before/after (:func:`township_leader_age`; report: −2 years);
* education shares before/after (:func:`education_shares`; report: the bachelor share rose);
* share of village secretaries with at least high school (:func:`secretary_education_share`;
  report: all temporary secretaries), veterans and returning graduates among secretaries
  (:func:`secretary_origin_share`; report: 39, 10.2 %);
* origins of the new group leaders (:func:`group_leader_origin_shares`; report: 16.5 % former
  village cadres, 14 % returning migrant workers, 34.8 % party members and reserve cadres);
* caseload per cadre (:func:`caseload_per_cadre`);
* administrative cost before/after and its change (:func:`admin_cost`, :func:`cost_change`).

``scope="reformed"`` restricts a post metric to the posts filled at the reform (the report's
"temporary" secretaries and "new" group leaders of merged units); ``scope="all"`` takes every
holder of the post.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.config.schema import CadreParams
from mergesim.mechanisms.cadres.pool import (
    EDUCATION_NAMES,
    IN_POST,
    ORIGIN_NAMES,
    POST_NAMES,
    SECRETARY_POSTS,
    TOWNSHIP_CHANNELS,
    TOWNSHIP_POSTS,
    VILLAGE_CHANNELS,
    CadrePool,
    Origin,
    Outcome,
    Post,
)
from mergesim.mechanisms.services.points import PointKind, is_open

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


def _holders(pool: CadrePool, posts: tuple[int, ...], scope: str) -> np.ndarray:
    mask = np.isin(pool.post, posts)
    if scope == "reformed":
        return mask & pool.reselected
    if scope == "all":
        return mask
    raise ValueError(f"unknown scope {scope!r}; allowed: 'reformed', 'all'")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else float("nan")


def posts_before_after(pool: CadrePool) -> dict[str, dict[str, int]]:
    """Filled posts per post name before and after the reform (``{post: {before, after}}``)."""
    return {
        name: {"before": int(pool.slots0.get(name, 0)), "after": int(pool.slots.get(name, 0))}
        for name in POST_NAMES[1:]
    }


def channel_counts(pool: CadrePool) -> dict[str, int]:
    """Persons per outcome: incumbents by channel, plus candidates appointed / not selected."""
    c = np.bincount(pool.outcome[pool.outcome >= 0], minlength=len(Outcome) - 1)
    return {o.name.lower(): int(c[o]) for o in Outcome if o >= 0}


def township_channel_counts(pool: CadrePool) -> dict[str, int]:
    """The five channels of displaced township cadres ("五个一批")."""
    c = channel_counts(pool)
    return {o.name.lower(): c[o.name.lower()] for o in TOWNSHIP_CHANNELS}


def village_channel_counts(pool: CadrePool) -> dict[str, int]:
    """The four channels of displaced two-committee cadres ("四个一批")."""
    c = channel_counts(pool)
    return {o.name.lower(): c[o.name.lower()] for o in VILLAGE_CHANNELS}


def township_leader_age(pool: CadrePool) -> tuple[float, float]:
    """Mean age of township leaders before and after the reform (years)."""
    return (
        _mean(pool.age[pool.post0 == Post.TOWNSHIP_LEADER]),
        _mean(pool.age[pool.post == Post.TOWNSHIP_LEADER]),
    )


def education_shares(
    pool: CadrePool, posts: tuple[int, ...] = TOWNSHIP_POSTS
) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the four education levels among holders of ``posts``, before and after.

    Returns:
        Two arrays of 4 shares (below high school, high school, college, bachelor+).
    """

    def shares(mask: np.ndarray) -> np.ndarray:
        c = np.bincount(pool.edu[mask], minlength=4).astype(float)
        return c / c.sum() if c.sum() else np.full(4, np.nan)

    return shares(np.isin(pool.post0, posts)), shares(np.isin(pool.post, posts))


def secretary_education_share(
    pool: CadrePool, min_level: int = 1, scope: str = "reformed"
) -> float:
    """Share of village secretaries with education ≥ ``min_level`` (1 = high school)."""
    m = _holders(pool, SECRETARY_POSTS, scope)
    return _mean((pool.edu[m] >= min_level).astype(float))


def secretary_origin_share(
    pool: CadrePool,
    origins: tuple[int, ...] = (Origin.VETERAN, Origin.GRADUATE),
    scope: str = "reformed",
) -> float:
    """Share of village secretaries of the given origins (default: veterans + graduates)."""
    m = _holders(pool, SECRETARY_POSTS, scope)
    return _mean(np.isin(pool.origin[m], origins).astype(float))


def group_leader_category(pool: CadrePool) -> np.ndarray:
    """Source category of each person as a group leader: :class:`Origin`, with a former
    two-committee cadre (converted at the reform, or of origin ``FORMER_CADRE``) as
    ``FORMER_CADRE``."""
    former = np.isin(
        pool.post0, (Post.SECRETARY, Post.DIRECTOR, Post.SECRETARY_DIRECTOR, Post.VILLAGE_MEMBER)
    )
    return np.where(former, Origin.FORMER_CADRE, pool.origin).astype(np.int8)


def group_leader_origin_shares(pool: CadrePool, scope: str = "reformed") -> dict[str, float]:
    """Shares of group leaders by source category (:func:`group_leader_category`)."""
    m = _holders(pool, (Post.GROUP_LEADER,), scope)
    c = np.bincount(group_leader_category(pool)[m], minlength=len(Origin)).astype(float)
    tot = c.sum()
    return {ORIGIN_NAMES[o]: float(c[o] / tot) if tot else float("nan") for o in Origin}


def caseload_per_cadre(caseload: np.ndarray, n_cadres: np.ndarray) -> np.ndarray:
    """Cases per cadre per unit (NaN where a unit has no cadre).

    Args:
        caseload: Cases per unit (e.g. petitions or affairs per township and week).
        n_cadres: Cadres per unit (e.g. from
            :func:`~mergesim.mechanisms.cadres.staffing.staff_by_township`).
    """
    caseload = np.asarray(caseload, dtype=float)
    n = np.asarray(n_cadres, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, caseload / np.where(n > 0, n, 1.0), np.nan)


# ---------------------------------------------------------------------------------------------
# Administrative cost
# ---------------------------------------------------------------------------------------------


def admin_cost(
    pool: CadrePool,
    p: CadreParams,
    *,
    n_townships: int,
    n_villages: int,
    stations: int = 0,
    rooms: int = 0,
    duty_teams: int = 0,
    transition: bool = True,
) -> dict[str, float]:
    """Weekly administrative cost of the township and village system (yuan/week).

    Counted: pay of everyone at work in the system (leaders, staff, cadres placed on the spot
    or in transitional posts keep their salary; two-committee cadres, group leaders,
    specialists); salaries still paid by the county to township cadres *not* at work in it
    (``salaries_elsewhere``: moved up to county posts, transferred to other units, or left
    unplaced — the county still pays them, so leaving them out would count their pay as a
    saving); transition pay kept by departing village cadres and group leaders; running costs
    of township governments and village committees, and of convenience stations, village
    convenience rooms (extra over an office) and duty teams. Not counted: retirees (pensions)
    and the service points every scenario keeps (clinics, schools, ...).

    Args:
        pool: The pool (before or after the reform).
        p: The ``cadres`` section.
        n_townships, n_villages: Townships and villages in existence.
        stations, rooms, duty_teams: Open convenience stations, rooms and duty teams.
        transition: Include the transition (kept pay, transitional posts, duty teams); False
            gives the steady state after the election.

    Returns:
        ``{"salaries", "salaries_elsewhere", "transition_pay", "offices", "points", "total"}``
        in yuan/week.
    """
    at_work = pool.active.copy()
    if not transition:
        at_work &= ~np.isin(
            pool.outcome, (Outcome.TOWNSHIP_TRANSITIONAL, Outcome.VILLAGE_SPECIALIST)
        )
    salaries = float(pool.pay[at_work].sum())
    # Civil servants moved up, transferred, or unplaced (who keep their salary) are still
    # paid by the county; a village cadre left unplaced is not (pay 0).
    elsewhere = np.isin(pool.outcome, (Outcome.UP_COUNTY, Outcome.TRANSFER))
    elsewhere |= (pool.outcome == Outcome.UNPLACED) & (pool.pay > 0)
    salaries_elsewhere = float(pool.pay0[elsewhere].sum())
    kept = float(pool.kept_pay.sum()) if transition else 0.0
    offices = n_townships * p.cost_township_office + n_villages * p.cost_village_office
    points = stations * p.cost_station + rooms * p.cost_room
    if transition:
        points += duty_teams * p.cost_duty_team
    total = salaries + salaries_elsewhere + kept + offices + points
    return {
        "salaries": salaries,
        "salaries_elsewhere": salaries_elsewhere,
        "transition_pay": kept,
        "offices": float(offices),
        "points": float(points),
        "total": float(total),
    }


def transition_cost_week(pool: CadrePool) -> float:
    """The transition's cost this week (yuan): kept pay and transitional posts' pay (0 once
    the election has ended them)."""
    trans = np.isin(pool.outcome, (Outcome.TOWNSHIP_TRANSITIONAL, Outcome.VILLAGE_SPECIALIST))
    return float(pool.kept_pay.sum() + pool.pay[trans & pool.active].sum())


def transition_cost_total(pool: CadrePool, p: CadreParams) -> float:
    """Planned one-off cost of the transition (yuan): :func:`transition_cost_week` of the pool
    at the reform × ``election_weeks``. The run also sums the weeks actually paid
    (``CadreMechanism.transition_paid``)."""
    return transition_cost_week(pool) * p.election_weeks


def cost_change(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Percent change of each cost item (NaN where ``before`` is 0)."""
    return {
        k: (100.0 * (after[k] - before[k]) / before[k]) if before[k] else float("nan")
        for k in before
    }


def model_admin_cost(
    model: MergerModel, pool: CadrePool, p: CadreParams, *, reformed: bool, transition: bool = True
) -> dict[str, float]:
    """:func:`admin_cost` with unit and point counts read from the model.

    Points come from ``model.services.points`` when the services mechanism exists (open
    convenience stations, rooms and duty teams); otherwise they count 0.
    """
    county, plan = model.county, model.plan
    nt = plan.n_new_townships if reformed else county.n_townships
    nv = plan.n_new_villages if reformed else county.n_villages
    counts = {"stations": 0, "rooms": 0, "duty_teams": 0}
    services = getattr(model, "services", None)
    points = getattr(services, "points", None)
    if points is not None:
        open_ = is_open(points.status)
        counts = {
            "stations": int((open_ & (points.kind == PointKind.CONVENIENCE_STATION)).sum()),
            "rooms": int((open_ & (points.kind == PointKind.VILLAGE_ROOM)).sum()),
            "duty_teams": int((open_ & (points.kind == PointKind.DUTY_TEAM)).sum()),
        }
    return admin_cost(pool, p, n_townships=nt, n_villages=nv, transition=transition, **counts)


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


def cadre_summary(
    before: CadrePool,
    after: CadrePool,
    *,
    cost_before: dict[str, float] | None = None,
    cost_after: dict[str, float] | None = None,
    transition: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Every cadre metric as a nested dict of plain numbers (for the run summary).

    Args:
        before: The pool at set-up.
        after: The pool now (equal to ``before`` until the reform).
        cost_before, cost_after: Weekly costs from :func:`admin_cost` (optional).
        transition: Transition costs counted at the reform, before the election ends them
            (``transition_cost_total``: planned, yuan; ``transition_cost_paid``: summed over
            the weeks run); left out if None.
    """
    age_b, age_a = township_leader_age(after)

    def edu(posts: tuple[int, ...]) -> dict[str, dict[str, float]]:
        b, a = education_shares(after, posts)
        return {
            "before": dict(zip(EDUCATION_NAMES, map(float, b), strict=True)),
            "after": dict(zip(EDUCATION_NAMES, map(float, a), strict=True)),
        }

    out: dict[str, Any] = {
        "reformed": bool(after.reformed),
        "posts": posts_before_after(after),
        "channels": channel_counts(after) if after.reformed else {},
        "township_channels": township_channel_counts(after) if after.reformed else {},
        "village_channels": village_channel_counts(after) if after.reformed else {},
        "township_leader_age": {"before": age_b, "after": age_a, "change": age_a - age_b},
        "township_leader_education": edu((Post.TOWNSHIP_LEADER,)),
        "township_education": edu(TOWNSHIP_POSTS),
        "secretary_sent_down": int(after.sent_down),
        "secretary_high_school_share": secretary_education_share(after),
        "secretary_high_school_share_all": secretary_education_share(after, scope="all"),
        "secretary_veteran_graduate_share": secretary_origin_share(after),
        "group_leader_origins": group_leader_origin_shares(after),
        "secretary_floor_waived": int(after.floor_waived),
        "training_sessions": int(after.trained.sum()),
        "competence": {
            "before": float(before.competence[before.active].mean()),
            "at_reform": float(after.competence_ref[after.active].mean())
            if after.competence_ref is not None and after.active.any()
            else float("nan"),
            "now": float(after.competence[after.active].mean())
            if after.active.any()
            else float("nan"),
        },
        "unplaced": int((after.outcome == Outcome.UNPLACED).sum()),
        "in_post": int(np.isin(after.outcome, IN_POST).sum())
        if after.reformed
        else int(after.incumbent.sum()),
    }
    if transition is not None and after.reformed:
        out.update(transition)
    if cost_before is not None:
        out["cost_before"] = dict(cost_before)
    if cost_after is not None:
        out["cost_after"] = dict(cost_after)
        if cost_before is not None:
            out["cost_change_pct"] = cost_change(cost_before, cost_after)
    return out
