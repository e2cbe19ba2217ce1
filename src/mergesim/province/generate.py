"""The synthetic province: counties drawn reproducibly from :class:`ProvinceParams`.

Counts before the reform are allocated exactly (largest remainders), so a province of the
default 183 counties holds Sichuan's 4,610 townships and 45,447 villages; the counts after the
reform are each county's draw of merge intensity around the province's mean shares, so their
totals are near (not exactly) 3,101 and 26,369. Every draw comes from one
``SeedSequence(seed)`` with a named stream per quantity (:mod:`mergesim.rng` style), so the
same seed gives the same province on any machine and whatever the sweep's worker count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mergesim.province.geometry import Tessellation, border_direction, tessellate
from mergesim.province.params import TERRAINS, ProvinceParams

#: Branch of the experiment's seed tree for the province (runs use 0, the design 1).
PROVINCE_BRANCH = 2
#: Columns of a province's county table (the CSV form adds nothing else).
COLUMNS = (
    "county",
    "townships",
    "villages",
    "townships_after",
    "villages_after",
    "population",
    "area_km2",
    "terrain",
    "border",
    "x_km",
    "y_km",
)
#: Border villages at most this share of the border townships' mean village count (the
#: synthetic generator refuses more than the border townships hold).
BORDER_VILLAGE_CAP = 0.55
#: Map order of terrain types west to east (index in TERRAINS → rank): mountain, plain, hill.
_WEST_RANK = {2: 0, 0: 1, 1: 2}
_STREAMS = ("townships", "villages", "merge", "population", "area", "terrain", "geometry")


@dataclass
class Province:
    """A province: its counties (one row each, :data:`COLUMNS`) and their map.

    Attributes:
        counties: The county table, in label order.
        map: County polygons and the province outline (km).
        seed: The seed it was drawn from (0 for a table read from a file).
        source: "synthetic" or the CSV file it was read from.
    """

    counties: pd.DataFrame
    map: Tessellation
    seed: int
    source: str = "synthetic"


def province_seed(params: ProvinceParams, root_seed: int) -> int:
    """The province's seed: ``params.seed``, or a branch of the experiment's root seed."""
    if params.seed:
        return int(params.seed)
    ss = np.random.SeedSequence(int(root_seed), spawn_key=(PROVINCE_BRANCH,))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per quantity drawn, from ``SeedSequence(seed)``."""
    children = np.random.SeedSequence(int(seed)).spawn(len(_STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(_STREAMS, children, strict=True)}


def allocate(total: int, weights: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Integers ``>= minimum`` summing to ``total``, the rest shared in proportion to
    ``weights`` by largest remainders.

    Raises:
        ValueError: ``total`` is below the sum of the minimums.
    """
    minimum = np.asarray(minimum, dtype=np.int64)
    rest = int(total) - int(minimum.sum())
    if rest < 0:
        raise ValueError(f"total {total} is below the minimum {int(minimum.sum())}")
    w = np.asarray(weights, dtype=float)
    share = rest * w / w.sum()
    base = np.floor(share).astype(np.int64)
    left = rest - int(base.sum())
    # Largest remainders first; ties by position (stable), so the result is deterministic.
    order = np.argsort(-(share - base), kind="stable")[:left]
    base[order] += 1
    return minimum + base


def _after(before: np.ndarray, share: float, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Units left after the reform: each county's merged-away share drawn on the logit scale
    around ``share``; at least one unit is left and none is added."""
    if share <= 0:
        return before.copy()
    z = np.log(share / (1 - share)) + sigma * rng.standard_normal(len(before))
    merged = 0.5 * (1.0 + np.tanh(z / 2))  # the logistic, without overflow
    return np.clip(np.rint(before * (1 - merged)), 1, before).astype(np.int64)


def generate(params: ProvinceParams, seed: int) -> Province:
    """Draw a synthetic province of ``params.counties`` counties from ``seed``."""
    n = int(params.counties)
    rng = streams(seed)
    t_total = max(round(n * params.townships_mean), n)
    townships = allocate(
        t_total, rng["townships"].lognormal(0.0, params.townships_sigma, n), np.ones(n, np.int64)
    )
    v_total = max(round(t_total * params.villages_per_township), t_total)
    v_weights = townships * rng["villages"].lognormal(0.0, params.villages_sigma, n)
    villages = allocate(v_total, v_weights, townships)  # at least one village per township
    t_after = _after(townships, params.township_merge_share, params.merge_sigma, rng["merge"])
    v_after = _after(villages, params.village_merge_share, params.merge_sigma, rng["merge"])
    v_after = np.maximum(v_after, t_after)  # every township left keeps a village
    population = np.maximum(
        np.rint(
            villages
            * params.population_per_village
            * rng["population"].lognormal(0.0, params.population_sigma, n)
        ),
        villages,
    ).astype(np.int64)
    mix = np.asarray(params.terrain_mix, dtype=float)
    kinds = rng["terrain"].permutation(_terrain(n, mix / mix.sum()))
    area_scale = np.asarray(params.terrain_area, dtype=float)[kinds]
    area = villages * params.area_per_village_km2 * area_scale
    area = area * rng["area"].lognormal(0.0, 0.2, n)
    geo = tessellate(n, float(area.sum()), rng["geometry"])
    # Terrain follows the map, as in Sichuan: mountains in the west, then the plains, then the
    # hills. Cells are ordered west to east with a little noise and handed to the counties
    # sorted by terrain (mountain, plain, hill), so type and place agree without a hard stripe.
    west = np.argsort(geo.centres[:, 0] + rng["geometry"].normal(0, geo.radius / 3, n))
    by_type = np.argsort(np.array([_WEST_RANK[int(k)] for k in kinds]), kind="stable")
    cell_of = np.empty(n, dtype=np.int64)
    cell_of[by_type] = west
    geo = geo.reorder(cell_of)
    labels = [f"county_{i + 1:03d}" for i in range(n)]
    table = pd.DataFrame(
        {
            "county": labels,
            "townships": townships,
            "villages": villages,
            "townships_after": t_after,
            "villages_after": v_after,
            "population": population,
            "area_km2": np.round(area, 1),
            "terrain": [TERRAINS[k] for k in kinds],
            "border": geo.on_outline,
            "x_km": np.round(geo.centres[:, 0], 3),
            "y_km": np.round(geo.centres[:, 1], 3),
        },
        columns=list(COLUMNS),
    )
    return Province(table, geo, int(seed))


def _terrain(n: int, mix: np.ndarray) -> np.ndarray:
    """Terrain index per county: the mix's shares of ``n`` by largest remainders (each type's
    count fixed by the mix; where each goes is decided by the map)."""
    counts = allocate(n, mix, np.zeros(3, np.int64))
    return np.repeat(np.arange(3), counts)


def county_overrides(row: pd.Series, params: ProvinceParams, tess: Tessellation, i: int) -> dict:
    """The scenario keys that make the base scenario this county (dotted keys)."""
    t, v = int(row["townships"]), int(row["villages"])
    # The synthetic county needs its seat, central, border and heritage townships to be
    # distinct: share the townships other than the seat among them in that order.
    free = t - 1
    central = min(max(1, round(t * params.central_share)), free)
    border_t = min(max(1, round(t * params.border_township_share)), free - central)
    border_t = border_t if bool(row["border"]) else 0
    heritage_t = min(round(t * params.heritage_township_share), free - central - border_t)
    out: dict = {
        "county.townships": t,
        "county.villages": v,
        "county.population": int(row["population"]),
        "county.area_km2": float(row["area_km2"]),
        "county.central_townships": central,
        "heritage.townships": heritage_t,
        "heritage.villages": min(round(v * params.heritage_village_share), v),
        "plan.target_factor": min(v / int(row["villages_after"]), 20.0),
        "plan.township_target_factor": min(t / int(row["townships_after"]), 20.0),
        "border.townships": border_t,
        # Border villages lie in the border townships: at most BORDER_VILLAGE_CAP of their
        # mean count (the seed county's 72 are about half of its 8 border townships' ~140).
        "border.villages": min(
            round(v * params.border_village_share) if border_t else 0,
            int(BORDER_VILLAGE_CAP * border_t * v / t),
        ),
    }
    if border_t:
        out["border.center_deg"] = border_direction(tess, i)
    terrain = row["terrain"]
    if terrain in ("plain", "mountain"):
        plain, mountain = params.plain_county if terrain == "plain" else params.mountain_county
        out["terrain.plain_share"] = float(plain)
        out["terrain.mountain_share"] = float(mountain)
    return out
