"""Who serves each stage of the loop: servers and their speed per stage and unit.

Units are the townships in force and, last, the county petition bureau. Township servers come
from the cadres the cadres mechanism assigns to petition work (``petitions.staffing =
"cadres"``: :func:`petition_staff_by_township` → :func:`cadre_staffing`) or from the parameters
alone (``"fixed"``: :func:`fixed_staffing`); the bureau's always from the parameters.

**Scale.** At ``villagers.scale = s`` arrivals are ``s`` times the full county's; the mechanism
gives each queue ``c' = max(1, ⌈c s⌉)`` servers at unchanged speed (:func:`scale_staffing`), so
service times are the county's but utilisation is at most the full county's: waits in queue and
backlogs are underestimated at small scale (run at scale 1 for queue metrics; rates per 10,000
are unbiased).
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.cadres.pool import CadrePool
from mergesim.mechanisms.cadres.staffing import count_and_mean
from mergesim.mechanisms.petitions.records import N_STAGES


def scale_staffing(servers: np.ndarray, scale: float) -> np.ndarray:
    """Servers of a queue for a simulated population ``scale`` times the county's.

    ``c' = max(1, ⌈c × scale⌉)`` (0 stays 0) at unchanged speed: service times stay those of
    the full county and utilisation is at most the full county's (equal when ``c × scale`` is
    a whole number). Scaling the speed down instead would keep utilisation but stretch every
    service by ``1 / scale``. Identity at scale 1.
    """
    servers = np.asarray(servers, dtype=np.int64)
    if scale >= 1.0:
        return servers.copy()
    return np.where(servers > 0, np.maximum(1, np.ceil(servers * scale - 1e-9)), 0).astype(np.int64)


def fixed_staffing(p: PetitionParams, n_townships: int) -> tuple[np.ndarray, np.ndarray]:
    """``(servers, speed)`` of shape ``(6, n_townships + 1)`` from the parameters alone
    (townships: ``servers_township``; the last unit is the county bureau)."""
    servers = np.empty((N_STAGES, n_townships + 1), dtype=np.int64)
    servers[:, :n_townships] = np.asarray(p.servers_township, dtype=np.int64)[:, None]
    servers[:, n_townships] = p.servers_county
    speed = np.ones(servers.shape)
    speed[:, n_townships] = p.county_speed
    return servers, speed


def cadre_staffing(
    n: np.ndarray, competence: np.ndarray, p: PetitionParams
) -> tuple[np.ndarray, np.ndarray]:
    """``(servers, speed)`` of shape ``(6, T + 1)`` from the cadres' petition staff.

    Args:
        n: Petition cadres per township and stage, shape ``(T, 6)``
            (:func:`petition_staff_by_township`).
        competence: Their mean competence, ``(T, 6)`` (NaN where none: speed 1).
        p: The ``petitions`` section (``min_servers``, county bureau).
    """
    n = np.asarray(n)
    t = n.shape[0]
    servers = np.empty((N_STAGES, t + 1), dtype=np.int64)
    servers[:, :t] = np.maximum(np.rint(n).astype(np.int64), p.min_servers).T
    servers[:, t] = p.servers_county
    speed = np.ones(servers.shape)
    comp = np.nan_to_num(np.asarray(competence, dtype=float).T, nan=1.0)
    speed[:, :t] = np.where(comp > 0, comp, 1.0)
    speed[:, t] = p.county_speed
    return servers, speed


def petition_staff_by_township(
    pool: CadrePool, comp: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cadres per current township and petition stage, and their mean competence (``comp``:
    per person, default ``pool.competence``; the mechanism passes the working competence).

    Returns:
        ``(n, mean_competence)``, shape ``(pool.n_townships, 6)`` each (stage order:
        :data:`~mergesim.mechanisms.petitions.records.STAGES`); NaN mean where a cell is
        empty. Village specialists count in the township of their village.
    """
    t = pool.area
    idx = np.flatnonzero(pool.active & (pool.stage >= 0))
    cell = t * N_STAGES + pool.stage.astype(np.int64)
    c = pool.competence if comp is None else comp
    n, m = count_and_mean(idx, cell, c, pool.n_townships * N_STAGES)
    return n.reshape(-1, N_STAGES), m.reshape(-1, N_STAGES)


def petition_staff(pool: CadrePool) -> tuple[np.ndarray, np.ndarray]:
    """County-wide cadres per petition stage and their mean competence (arrays of 6)."""
    idx = np.flatnonzero(pool.active & (pool.stage >= 0))
    return count_and_mean(idx, pool.stage.astype(np.int64), pool.competence, N_STAGES)
