"""The merger's own conflict channels, and what each broken guarantee moves.

Every function here is pure: arrays in (per old village, or per household), losses out. A loss
is a prospect value (:func:`~.hardship.prospect_value`, losses positive, gains negative and
weighed ``1/λ`` as much) of a quantity the merger changes for identifiable villagers; money is
valued per person against ``conflict.income_scale_yuan``. The mechanism applies them at the
reform week (:class:`~mergesim.mechanisms.grievance.mechanism.GrievanceMechanism`).

* **Collective assets and debts** (:func:`pooling_change`): each old village has net collective
  assets per person (:func:`draw_net_assets`, lognormal assets less lognormal debts of a share
  of villages); a merged village pools ``pooled_share_kept`` of them (all when
  ``guarantees.collective_kept`` is broken), so members of a richer village lose what members
  of an indebted one gain — grievance grows with the asymmetry between members.
* **Resource rights** (``land_rights_kept`` broken, :func:`resource_loss`): a share
  ``land_pooled_share`` of the collective's resources (forest, water, un-contracted land,
  requisition compensation) is pooled; a person's share of resources is proxied by the
  village's territory per person.
* **Policy benefits** (``policies_kept`` broken, :func:`benefit_kept_probability`): the merged
  committee re-allocates village-allocated quotas (低保 and the like) by its seats rather than
  by the old villages' need: a recipient household of an old village with seat share ``s`` and
  population share ``p`` keeps its benefit with probability ``min(1, s / p)``.
* **Poverty support** (``poverty_support_kept`` broken, :func:`lost_poor_status`): a poor
  village (poor share at least ``poor_village_ratio`` times the county's) that merges into a
  merged village that is no longer poor loses the village-level support of its poor.
* **Infrastructure** (``infrastructure_kept`` broken, :func:`infrastructure_change`):
  ``infrastructure_to_seat`` of an absorbed village's investment moves to the merged village's
  seat.
* **Representation** (:func:`voice_loss`): an old village's seat share in the merged committee
  (posts by the cadres' home villages) against its population share; no seat = no voice.
* **The township seat** lost by the seat villages of abolished townships (``seat_loss``).
* **Unit size** (:func:`trust_drop`): trust falls ``efficacy_per_doubling`` per doubling of the
  village's population (Lassen & Serritzlew 2011: jurisdiction size lowers internal efficacy).
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import ConflictParams, GrievanceParams
from mergesim.mechanisms.grievance.hardship import prospect_value


def value(x: np.ndarray, p: GrievanceParams) -> np.ndarray:
    """Prospect value of a relative loss ``x`` (positive = loss) with the section's λ, α, β."""
    return prospect_value(
        np.asarray(x, dtype=float), p.loss_aversion, p.gain_exponent, p.loss_exponent
    )


def money_value(loss_yuan: np.ndarray, p: GrievanceParams, c: ConflictParams) -> np.ndarray:
    """Value of a money loss per person (negative = a gain) against ``income_scale_yuan``."""
    return value(np.asarray(loss_yuan, dtype=float) / c.income_scale_yuan, p)


def draw_net_assets(n_villages: int, c: ConflictParams, rng: np.random.Generator) -> np.ndarray:
    """Net collective assets per person of each village (yuan; negative = net debt).

    Operating assets are lognormal (median ``asset_median_yuan``, log-sd ``asset_sigma``); a
    share ``debt_share`` of villages also carries debt, lognormal (``debt_median_yuan``,
    ``debt_sigma``). Always the same number of draws (common random numbers).
    """
    assets = c.asset_median_yuan * np.exp(c.asset_sigma * rng.standard_normal(n_villages))
    debt = c.debt_median_yuan * np.exp(c.debt_sigma * rng.standard_normal(n_villages))
    indebted = rng.random(n_villages) < c.debt_share
    return assets - np.where(indebted, debt, 0.0)


def group_mean(x: np.ndarray, pop: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Population-weighted mean of ``x`` over each group, per member (NaN-free)."""
    pop = np.asarray(pop, dtype=float)
    num = np.bincount(group, weights=x * pop, minlength=n_groups)
    den = np.bincount(group, weights=pop, minlength=n_groups)
    return (num / np.where(den > 0, den, 1.0))[group]


def merged(group: np.ndarray, n_groups: int) -> np.ndarray:
    """Bool per member: its group has more than one member."""
    return np.bincount(group, minlength=n_groups)[group] > 1


def pooling_change(
    x: np.ndarray, pop: np.ndarray, group: np.ndarray, n_groups: int, share: float
) -> np.ndarray:
    """Change per person of a pooled quantity: ``share × (group mean − own)`` (0 if unmerged).

    Args:
        x: Quantity per person of each old village (e.g. net assets, yuan).
        pop: Population of each old village.
        group: New village of each old village.
        n_groups: Number of new villages.
        share: Share of the quantity pooled.
    """
    x = np.asarray(x, dtype=float)
    d = share * (group_mean(x, pop, group, n_groups) - x)
    return np.where(merged(group, n_groups), d, 0.0)


def resource_loss(
    area: np.ndarray, pop: np.ndarray, group: np.ndarray, n_groups: int, share: float
) -> np.ndarray:
    """Relative loss of a person's resource share when ``share`` of resources is pooled.

    A person's resources are proxied by the village's territory per person ``a/p``; pooled,
    they become ``(1 − share) a/p + share A/P`` of the merged village's ``A/P``, a relative loss
    ``share (1 − (A/P) / (a/p))`` (negative for the land-poor, who gain).
    """
    pop = np.maximum(np.asarray(pop, dtype=float), 1.0)
    per = np.asarray(area, dtype=float) / pop
    tot_a = np.bincount(group, weights=area, minlength=n_groups)
    tot_p = np.bincount(group, weights=pop, minlength=n_groups)
    pooled = (tot_a / np.where(tot_p > 0, tot_p, 1.0))[group]
    rel = share * (1.0 - pooled / np.where(per > 0, per, 1.0))
    return np.where(merged(group, n_groups) & (per > 0), rel, 0.0)


def seats_by_population(pop: np.ndarray, group: np.ndarray, n_groups: int, size: int) -> np.ndarray:
    """Committee seats of each old village by largest remainder of its population share."""
    pop = np.asarray(pop, dtype=float)
    tot = np.bincount(group, weights=pop, minlength=n_groups)
    quota = size * pop / np.where(tot > 0, tot, 1.0)[group]
    seats = np.floor(quota)
    left = size - np.bincount(group, weights=seats, minlength=n_groups)
    # Rank members of each group by remainder (largest first) and give the leftovers.
    order = np.lexsort((-(quota - seats), group))
    g = group[order]
    first = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    rank = np.arange(len(g)) - np.repeat(first, np.diff(np.r_[first, len(g)]))
    extra = np.zeros(len(pop))
    extra[order] = rank < left[g]
    return seats + extra


def voice_loss(
    seats: np.ndarray, committee: np.ndarray, pop: np.ndarray, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Relative loss of voice ``1 − s/p`` of each old village of a merged village (≥ −1).

    Args:
        seats: Committee seats held by each old village's people.
        committee: Size of each new village's committee (outsiders included).
        pop: Population of each old village.
        group: New village of each old village.
        n_groups: Number of new villages.

    Returns:
        0 for unmerged villages; 1 for a merged village's member without a seat; negative for
        members with more seats than their population share (a gain, at most −1).
    """
    pop = np.asarray(pop, dtype=float)
    tot = np.bincount(group, weights=pop, minlength=n_groups)
    p_share = pop / np.where(tot > 0, tot, 1.0)[group]
    size = np.asarray(committee, dtype=float)[group]
    s_share = np.asarray(seats, dtype=float) / np.where(size > 0, size, 1.0)
    x = 1.0 - s_share / np.where(p_share > 0, p_share, 1.0)
    ok = merged(group, n_groups) & (p_share > 0) & (size > 0)
    return np.where(ok, np.maximum(x, -1.0), 0.0)


def benefit_kept_probability(voice: np.ndarray) -> np.ndarray:
    """Probability a recipient of an old village keeps a benefit re-allocated by seats:
    ``min(1, s/p) = 1 − max(0, voice loss)``."""
    return 1.0 - np.clip(np.asarray(voice, dtype=float), 0.0, 1.0)


def poor_village_shares(
    n_villages: int, mean: float, sd: float, rng: np.random.Generator
) -> np.ndarray:
    """Share of poor households of each village: Beta with the given mean and sd."""
    if sd <= 0 or mean <= 0 or mean >= 1:
        return np.full(n_villages, mean)
    k = mean * (1 - mean) / (sd * sd) - 1.0
    if k <= 0:  # too dispersed for a Beta: the largest sd a Beta of this mean allows
        k = 1e-3
    return rng.beta(mean * k, (1 - mean) * k, size=n_villages)


def lost_poor_status(
    poor_persons: np.ndarray, pop: np.ndarray, group: np.ndarray, n_groups: int, ratio: float
) -> np.ndarray:
    """Bool per old village: a registered poor village whose merged village is not one.

    A village is poor when its poor share is at least ``ratio`` times the county's.
    """
    pop = np.asarray(pop, dtype=float)
    poor = np.asarray(poor_persons, dtype=float)
    county = poor.sum() / max(pop.sum(), 1.0)
    own = poor / np.where(pop > 0, pop, 1.0)
    tot_p = np.bincount(group, weights=pop, minlength=n_groups)
    pooled = (
        np.bincount(group, weights=poor, minlength=n_groups) / np.where(tot_p > 0, tot_p, 1.0)
    )[group]
    bar = ratio * county
    return merged(group, n_groups) & (own >= bar) & (pooled < bar) & (county > 0)


def infrastructure_change(
    pop: np.ndarray, absorbed: np.ndarray, seat_of: np.ndarray, per_person: float, moved: float
) -> np.ndarray:
    """Change of infrastructure investment per person (yuan/year; negative = a loss).

    Absorbed villages lose ``moved`` of their ``per_person`` investment; the merged village's
    seat (old village ``seat_of``) gains what they lose, per its own person.
    """
    pop = np.asarray(pop, dtype=float)
    loss = np.where(absorbed, moved * per_person, 0.0)
    gain_total = np.bincount(seat_of, weights=loss * pop, minlength=len(pop))
    gain = gain_total / np.where(pop > 0, pop, 1.0)
    return gain - loss


def trust_drop(pop: np.ndarray, group: np.ndarray, n_groups: int, per_doubling: float):
    """Fall of trust per old village: ``per_doubling × log2(P_new / p_old)`` (≥ 0)."""
    pop = np.asarray(pop, dtype=float)
    tot = np.bincount(group, weights=pop, minlength=n_groups)[group]
    ratio = tot / np.where(pop > 0, pop, 1.0)
    return np.where(pop > 0, per_doubling * np.log2(np.maximum(ratio, 1.0)), 0.0)
