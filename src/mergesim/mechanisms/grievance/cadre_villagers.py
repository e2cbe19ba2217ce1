"""Cadres as villagers: every incumbent cadre lives in a village, and a displaced one carries
their own grievance.

**Mapping** (:func:`map_cadres`, at set-up, from the pre-reform pool). Villagers are a sample
of the population (``villagers.scale``), so cadres are thinned the same way: each incumbent
(township, village or group post before the reform) is represented with probability
``scale``, by a working-age villager of their home village — a township cadre's home is the
seat village of their township — drawn at random without replacement; a village with more
represented cadres than villagers keeps the first (in random order). The candidates of the
reform's pools are not mapped: they lose nothing.

**Losses** (:func:`cadre_losses`, at the reform and whenever the pool changes, e.g. at the
election), each from the pool's own arrays:

* *post*: ``conflict.cadre_post_loss`` for an incumbent who now holds no post and does no
  placed work — dismissed, left office below the retirement age, a departed group leader, or a
  transitional post-holder once the transition ends; not for normal retirement, for those moved
  up, transferred or placed on the spot (who keep their salary), or for those who chose to
  start a business;
* *pay*: the pay of the old post no longer received (old pay − new pay − transition pay kept
  until the election; no transition pay when ``guarantees.transition_pay_kept`` is broken),
  per member of the cadre's household a year, valued against ``conflict.income_scale_yuan``;
* *unplaced*: ``conflict.cadre_unplaced_loss`` for a cadre the cadres mechanism leaves without
  any placement (``CadrePool.unplaced``, set when ``guarantees.cadres_placed`` is broken).

A cadre whose own petition was resolved is *settled* and loses nothing more. A represented
cadre is an opinion leader: in the village's contagion their grievance weighs
``grievance.key_person_influence``, like a key person's; an aggrieved displaced one leads
collective action (``grievance.leader_threshold_cut``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mergesim.config.schema import CadreParams, ConflictParams, GrievanceParams, GuaranteeParams
from mergesim.county.county import County
from mergesim.mechanisms.cadres.pool import IN_POST, CadrePool, Outcome, rank_in_group
from mergesim.mechanisms.grievance.channels import money_value
from mergesim.mechanisms.population import AgeGroup, Villagers
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, DAYS_PER_YEAR

#: Placements after which a cadre keeps paid work (civil servants keep their salary) or chose
#: to leave (a business with preferential policy): no loss of post or pay.
PLACED_WORK = (Outcome.UP_COUNTY, Outcome.RANK_ON_SPOT, Outcome.TRANSFER, Outcome.BUSINESS)


@dataclass(eq=False)
class CadreVillagers:
    """The represented cadres: pool rows, their villager rows, and their current losses.

    Attributes:
        pool_row: Row of each represented cadre in the cadre pool (int64).
        row: Villager row of each (int64).
        household_size: Persons per household of the cadre's home village.
        settled: The cadre's own case was resolved (bool).
        loss: Current hardship of each from their own losses (float32).
        displaced: Lost their post at the reform, not by normal retirement (bool).
    """

    pool_row: np.ndarray
    row: np.ndarray
    household_size: np.ndarray
    settled: np.ndarray
    loss: np.ndarray
    displaced: np.ndarray

    @property
    def n(self) -> int:
        return int(self.row.shape[0])

    @classmethod
    def none(cls) -> CadreVillagers:
        """No represented cadres (a model without a cadre mechanism)."""
        z = np.zeros(0, dtype=np.int64)
        f, b = np.zeros(0, np.float32), np.zeros(0, bool)
        return cls(z, z.copy(), np.zeros(0), b, f, b.copy())


def map_cadres(
    pool: CadrePool,
    county: County,
    villagers: Villagers,
    scale: float,
    rng: np.random.Generator,
) -> CadreVillagers:
    """Represent each incumbent cadre by a villager of their home village (module docstring).

    Args:
        pool: The cadre pool before the reform.
        county: The county (township seats, households).
        villagers: The villagers (rows grouped by village).
        scale: Simulated villagers per inhabitant.
        rng: The grievance mechanism's stream (one uniform per person of the pool and per
            villager, whatever the outcome: common random numbers).
    """
    u = rng.random(pool.n)
    key = rng.random(villagers.n)
    inc = np.flatnonzero(pool.incumbent & (u < scale))
    home = np.where(
        pool.home_village[inc] >= 0,
        pool.home_village[inc],
        county.township_seat[pool.home_township[inc]],
    ).astype(np.int64)
    # Rows by village (as they are grouped), working-age first, in random order within.
    order = np.lexsort((key, villagers.age != AgeGroup.WORKING, villagers.village))
    rank = rank_in_group(home, u[inc])
    ok = rank < villagers.per_village()[home]
    inc, home, rank = inc[ok], home[ok], rank[ok]
    row = order[villagers.offsets[home] + rank].astype(np.int64)
    size = county.population / np.maximum(county.households, 1)
    k = len(inc)
    return CadreVillagers(
        pool_row=inc.astype(np.int64),
        row=row,
        household_size=np.maximum(size[home], 1.0),
        settled=np.zeros(k, dtype=bool),
        loss=np.zeros(k, dtype=np.float32),
        displaced=np.zeros(k, dtype=bool),
    )


def unplaced_of(pool: CadrePool, rows: np.ndarray) -> np.ndarray:
    """Bool per given pool row: left without any placement by the cadres mechanism.

    Read from ``pool.unplaced`` (or an ``UNPLACED`` outcome) where the cadres mechanism keeps
    one; none are unplaced otherwise.
    """
    flag = getattr(pool, "unplaced", None)
    if flag is not None:
        return np.asarray(flag, dtype=bool)[rows]
    code = getattr(Outcome, "UNPLACED", None)
    if code is not None:
        return pool.outcome[rows] == code
    return np.zeros(len(rows), dtype=bool)


def cadre_losses(
    pool: CadrePool,
    cv: CadreVillagers,
    g: GrievanceParams,
    gp: GuaranteeParams,
    c: ConflictParams,
    cp: CadreParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Each represented cadre's hardship from their own losses, and who was displaced.

    Returns:
        ``(loss, displaced)``: float32 hardship (0 before the reform and once settled) and
        bool.
    """
    r = cv.pool_row
    if not pool.reformed:
        return np.zeros(cv.n, dtype=np.float32), np.zeros(cv.n, dtype=bool)
    out = pool.outcome[r]
    retired = (out == Outcome.TOWNSHIP_RETIRED) | (
        (out == Outcome.VILLAGE_LEFT) & (pool.age[r] >= cp.village_retire_age)
    )
    in_post = np.isin(out, IN_POST)
    spared = retired | np.isin(out, PLACED_WORK)
    displaced = ~in_post & ~retired
    no_post = ~in_post & ~spared & ~pool.active[r]
    kept = pool.kept_pay[r] if gp.transition_pay_kept else 0.0
    lost = np.where(spared, 0.0, np.maximum(pool.pay0[r] - pool.pay[r] - kept, 0.0))
    per_person_year = lost * (DAYS_PER_YEAR / DAYS_PER_WEEK) / cv.household_size
    loss = (
        c.cadre_post_loss * no_post
        + np.where(lost > 0, money_value(per_person_year, g, c), 0.0)
        + c.cadre_unplaced_loss * unplaced_of(pool, r)
    )
    loss = np.where(cv.settled, 0.0, loss)
    return loss.astype(np.float32), displaced
