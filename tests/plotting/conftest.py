"""Hand-built counties and plans for the map tests (no county generator needed)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from mergesim.county.county import County, TownshipClass
from mergesim.county.geometry import voronoi_territories
from mergesim.plans.plan import Plan


def _disc_points(rng: np.random.Generator, n: int, radius: float, min_dist: float) -> np.ndarray:
    """``n`` points in a disc, at least ``min_dist`` apart (rejection sampling)."""
    pts = np.zeros((0, 2))
    while len(pts) < n:
        r = radius * np.sqrt(rng.random())
        a = 2 * np.pi * rng.random()
        p = np.array([r * np.cos(a), r * np.sin(a)])
        if len(pts) == 0 or np.min(np.linalg.norm(pts - p, axis=1)) >= min_dist:
            pts = np.vstack([pts, p])
    return pts


def make_county(
    n: int = 30,
    n_townships: int = 4,
    radius: float = 20.0,
    seed: int = 3,
    outline_vertices: int = 40,
) -> County:
    """A small synthetic county: Voronoi territories, nearest-seed townships, Voronoi roads.

    Townships are k-means clusters of the village seats (a few Lloyd iterations); a township's
    seat is its member nearest the cluster centre. The trunk road is the fastest road path
    from the westmost to the eastmost village; villages in the east are border villages.
    """
    rng = np.random.default_rng(seed)
    xy = _disc_points(rng, n, radius, min_dist=0.6 * radius / np.sqrt(n))
    ang = np.linspace(0, 2 * np.pi, outline_vertices, endpoint=False)
    # A wiggly outline makes clipped cells carry many vertices, as in real counties.
    rad = (radius + 1.0) * (1 + 0.04 * np.sin(7 * ang) + 0.02 * np.cos(13 * ang))
    outline = np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])
    polygons, area, pairs = voronoi_territories(xy, outline)

    centres = xy[rng.choice(n, n_townships, replace=False)]
    for _ in range(8):
        township = np.argmin(np.linalg.norm(xy[:, None] - centres[None], axis=2), axis=1)
        for t in range(n_townships):
            if np.any(township == t):
                centres[t] = xy[township == t].mean(axis=0)
    township = np.argmin(np.linalg.norm(xy[:, None] - centres[None], axis=2), axis=1)
    _, township = np.unique(township, return_inverse=True)  # drop any empty cluster
    n_townships = int(township.max()) + 1
    seats = np.array(
        [
            np.flatnonzero(township == t)[
                np.argmin(np.linalg.norm(xy[township == t] - centres[t], axis=1))
            ]
            for t in range(n_townships)
        ]
    )

    a, b = pairs[:, 0], pairs[:, 1]
    length = np.linalg.norm(xy[a] - xy[b], axis=1)
    graph = sp.csr_matrix((np.r_[length, length], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    west, east = int(np.argmin(xy[:, 0])), int(np.argmax(xy[:, 0]))
    _, pred = dijkstra(graph, indices=west, return_predecessors=True)
    path = [east]
    while path[-1] != west:
        path.append(int(pred[path[-1]]))
    corridor = np.zeros(n, dtype=bool)
    corridor[path] = True
    on_path = {(min(u, v), max(u, v)) for u, v in zip(path[:-1], path[1:], strict=True)}
    trunk = np.array([(int(i), int(j)) in on_path for i, j in pairs], dtype=bool)
    minutes = length * 1.3 / np.where(trunk, 60.0, 30.0) * 60.0
    border = xy[:, 0] > 0.75 * radius
    heritage = np.zeros(n, dtype=bool)
    heritage[[n - 1, n - 2]] = True
    t_class = np.full(n_townships, TownshipClass.ORDINARY, dtype=np.int8)
    t_class[0] = TownshipClass.COUNTY_SEAT
    pop = rng.integers(300, 3000, n)
    return County(
        village_id=np.arange(n, dtype=np.int64),
        village_name=np.array([f"V{i}" for i in range(n)]),
        township=township,
        x=xy[:, 0].copy(),
        y=xy[:, 1].copy(),
        population=pop,
        households=pop // 3,
        groups=np.ones(n, dtype=np.int64) * 4,
        area=area,
        terrain=np.zeros(n, dtype=np.int8),
        border=border,
        heritage=heritage,
        corridor=corridor,
        township_name=np.array([f"Town{t}" for t in range(n_townships)]),
        township_class=t_class,
        township_seat=seats.astype(np.int64),
        edge_a=a.astype(np.int64),
        edge_b=b.astype(np.int64),
        edge_minutes=minutes,
        edge_trunk=trunk,
        county_seat=int(seats[0]),
        outline=outline,
        territories=polygons,
        corridor_lines=[xy[path[::-1]]],
        name="Testcounty",
    )


def make_plan(county: County) -> Plan:
    """Merge township 1 into township 0 (seat of 0 kept) and pair up villages in each township.

    Within each old township, villages are paired in index order with the seat first, so every
    township seat stays a new-village seat.
    """
    t = county.n_townships
    township_to_new = np.r_[0, np.arange(t - 1)].astype(np.int64)
    village_to_new = np.empty(county.n_villages, dtype=np.int64)
    seats: list[int] = []
    for old in range(t):
        members = county.members(old)
        seat = county.township_seat[old]
        members = np.r_[seat, members[members != seat]]
        for k in range(0, len(members), 2):
            group = members[k : k + 2]
            village_to_new[group] = len(seats)
            seats.append(int(group[0]))
    new_village_seat = np.array(seats, dtype=np.int64)
    new_township_seat = np.array(
        [county.township_seat[0], *county.township_seat[2:]], dtype=np.int64
    )
    return Plan(
        method="test",
        seed=None,
        village_to_new=village_to_new,
        township_to_new=township_to_new,
        new_village_seat=new_village_seat,
        new_township_seat=new_township_seat,
        new_village_name=county.village_name[new_village_seat],
        new_township_name=county.township_name[county.township[new_township_seat]],
    )


@pytest.fixture
def small_county() -> County:
    """30 villages in a 20 km disc, 4 townships."""
    county = make_county()
    county.validate()
    return county


@pytest.fixture
def small_plan(small_county: County) -> Plan:
    """Townships 0 and 1 merged; villages merged in pairs."""
    return make_plan(small_county)


@pytest.fixture(scope="module")
def big_county() -> County:
    """About the size of the seed county: 1050 villages, 24 townships, 36 km radius."""
    return make_county(n=1050, n_townships=24, radius=36.0, seed=11, outline_vertices=400)


@pytest.fixture(scope="module")
def big_plan(big_county: County) -> Plan:
    """Townships 0 and 1 of the big county merged; villages merged in pairs."""
    return make_plan(big_county)
