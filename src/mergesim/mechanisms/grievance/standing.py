"""The standing losses the reform gives each villager, by cause (applied at the reform week).

:class:`Endowments` holds what the villages and households have before the reform (drawn at
set-up from the grievance mechanism's conflict stream, in a fixed order, so that every
scenario sharing a seed has the same villages: common random numbers). :func:`reform_losses`
turns the plan, the cadres' new committees and the guarantees into per-villager losses with
:mod:`~mergesim.mechanisms.grievance.channels`; :func:`committee_seats` counts each old
village's seats in its merged committee.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mergesim.config.schema import ConflictParams, GrievanceParams, GuaranteeParams
from mergesim.county.county import County
from mergesim.mechanisms.cadres.pool import COMMITTEE_POSTS, CadrePool
from mergesim.mechanisms.grievance import channels as ch
from mergesim.mechanisms.population import Villagers
from mergesim.plans.roles import Role, UnitStatus


@dataclass(eq=False)
class Endowments:
    """Villages' and households' holdings before the reform.

    Attributes:
        net_assets: Net collective assets per person of each village (yuan).
        poor_share: Share of poor households of each village.
        poor: Household is poor (bool, per household).
        recipient: Household receives a village-allocated benefit (bool, per household).
        u_keep: Uniform per household: a recipient keeps a re-allocated benefit when it is
            below the keep probability.
    """

    net_assets: np.ndarray
    poor_share: np.ndarray
    poor: np.ndarray
    recipient: np.ndarray
    u_keep: np.ndarray

    @classmethod
    def draw(
        cls,
        county: County,
        v: Villagers,
        gp: GuaranteeParams,
        c: ConflictParams,
        rng: np.random.Generator,
    ) -> Endowments:
        """Draw the endowments (see the class docstring; one fixed sequence of draws)."""
        nv, nh = county.n_villages, v.n_households
        net = ch.draw_net_assets(nv, c, rng)
        share = ch.poor_village_shares(nv, gp.poor_share, c.poor_village_sd, rng)
        hh_village = np.zeros(nh, dtype=np.int64)
        hh_village[v.household] = v.village
        poor = rng.random(nh) < share[hh_village]
        recipient = rng.random(nh) < c.benefit_share
        u_keep = rng.random(nh)
        return cls(net, share, poor, recipient, u_keep)


def committee_seats(
    pool: CadrePool | None, pop: np.ndarray, group: np.ndarray, n_groups: int, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Seats of each old village in its merged committee, and each committee's size.

    From the cadres' posts after the reform (two-committee posts by the holder's home
    village; holders from outside, e.g. township staff sent down, count in the size only);
    without a reformed pool, ``size`` seats by largest remainder of population.
    """
    if pool is None or not pool.reformed:
        seats = ch.seats_by_population(pop, group, n_groups, size)
        return seats, np.full(n_groups, float(size))
    on = np.isin(pool.post, COMMITTEE_POSTS)
    committee = np.bincount(pool.unit[on], minlength=n_groups).astype(float)
    home = pool.home_village[on]
    seats = np.bincount(home[home >= 0], minlength=len(pop)).astype(float)
    return seats, committee


@dataclass(eq=False)
class ReformLosses:
    """Per-villager losses the reform gives (float32), and per-village facts.

    Attributes:
        rights: Mechanical losses of broken guarantees: resource rights, benefits, poverty
            support, infrastructure (cause RIGHTS).
        assets: Pooled collective assets and debts (cause ASSETS).
        voice: Lost voice in the merged committee (cause REPRESENTATION).
        seat: Lost township seat (cause SEAT_LOSS).
        trust_drop: Fall of trust from the unit's larger size.
        facts: Counts of villagers each channel reaches (for the run summary).
    """

    rights: np.ndarray
    assets: np.ndarray
    voice: np.ndarray
    seat: np.ndarray
    trust_drop: np.ndarray
    facts: dict[str, float]


def reform_losses(
    county: County,
    units: UnitStatus,
    v: Villagers,
    e: Endowments,
    pool: CadrePool | None,
    g: GrievanceParams,
    gp: GuaranteeParams,
    c: ConflictParams,
) -> ReformLosses:
    """The standing losses of every villager under the plan (module docstring of
    :mod:`~mergesim.mechanisms.grievance.channels` for each channel)."""
    pop = county.population.astype(float)
    grp = np.asarray(units.new_village, dtype=np.int64)
    ng = int(grp.max()) + 1 if len(grp) else 0
    vil = v.village
    hh_of = v.household
    absorbed = units.village_role == Role.ABSORBED

    # Collective assets and debts: partly pooled, fully when the guarantee is broken.
    share = 1.0 if not gp.collective_kept else c.pooled_share_kept
    d_assets = ch.pooling_change(e.net_assets, pop, grp, ng, share)
    assets_v = ch.money_value(-d_assets, g, c)
    # Representation in the merged committee.
    seats, committee = committee_seats(pool, pop, grp, ng, c.committee_size)
    voice_x = ch.voice_loss(seats, committee, pop, grp, ng)
    voice_v = c.voice_weight * ch.value(voice_x, g)
    # The township seat.
    seat_v = np.where(
        units.old_seat & (units.township_role[county.township] == Role.ABSORBED), c.seat_loss, 0.0
    )
    # Mechanical losses of broken guarantees (cause RIGHTS), per village or per household.
    rights_v = np.zeros(len(pop))
    if not gp.land_rights_kept:
        rel = ch.resource_loss(county.area, pop, grp, ng, c.land_pooled_share)
        rights_v += ch.value(rel / c.land_scale, g)
    if not gp.infrastructure_kept:
        d_inf = ch.infrastructure_change(
            pop, absorbed, units.new_village_seat, c.infrastructure_yuan, c.infrastructure_to_seat
        )
        rights_v += ch.money_value(-d_inf, g, c)
    rights = rights_v[vil]
    lost_benefit = np.zeros(v.n_households, dtype=bool)
    if not gp.policies_kept:
        keep = ch.benefit_kept_probability(voice_x)
        hh_v = np.zeros(v.n_households, dtype=np.int64)
        hh_v[hh_of] = vil
        lost_benefit = e.recipient & (e.u_keep >= keep[hh_v])
        rights = rights + np.where(lost_benefit[hh_of], ch.money_value(c.benefit_yuan, g, c), 0.0)
    lost_support = np.zeros(len(pop), dtype=bool)
    if not gp.poverty_support_kept:
        poor_persons = np.bincount(vil, weights=e.poor[hh_of], minlength=len(pop))
        n_v = np.bincount(vil, minlength=len(pop))
        lost_support = ch.lost_poor_status(poor_persons, n_v, grp, ng, c.poor_village_ratio)
        hit = lost_support[vil] & e.poor[hh_of]
        rights = rights + np.where(hit, ch.money_value(c.poverty_support_yuan, g, c), 0.0)
    trust_drop = ch.trust_drop(pop, grp, ng, c.efficacy_per_doubling)

    def share_of(x: np.ndarray) -> float:
        return float(np.mean(x)) if len(x) else 0.0

    facts = {
        "assets_losers_share": share_of(d_assets[vil] < 0),
        "assets_loss_yuan_mean": float(np.mean(np.maximum(-d_assets[vil], 0.0))) if v.n else 0.0,
        "voiceless_share": share_of(voice_x[vil] >= 1.0),
        "underrepresented_share": share_of(voice_x[vil] > 0),
        "seat_loss_share": share_of(seat_v[vil] > 0),
        "benefit_lost_share": share_of(lost_benefit[hh_of]),
        "poverty_support_lost_share": share_of(lost_support[vil] & e.poor[hh_of]),
        "rights_losers_share": share_of(rights > 0),
        "trust_drop_mean": float(np.mean(trust_drop[vil])) if v.n else 0.0,
    }
    f32 = np.float32
    return ReformLosses(
        rights=rights.astype(f32),
        assets=assets_v[vil].astype(f32),
        voice=voice_v[vil].astype(f32),
        seat=seat_v[vil].astype(f32),
        trust_drop=trust_drop[vil].astype(f32),
        facts=facts,
    )
