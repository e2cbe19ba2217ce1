"""Independent reference computations for the validation suite (:mod:`.suite`).

Each function here computes what a mergesim component computes, by a different algorithm or a
different library, so that agreement means something:

* :func:`nx_graph` — the county's roads as a ``networkx.MultiGraph`` (networkx's Dijkstra is
  the reference for ``scipy.sparse.csgraph``; a multigraph keeps parallel edges, so a loader
  that summed duplicate roads instead of keeping the faster one would show up);
* :func:`floyd_warshall` — all-pairs minutes by the Floyd–Warshall recursion in NumPy
  (Floyd 1962), the brute-force reference for "minutes to the nearest point";
* :func:`reference_minutes` — minutes to the nearest open clinic and to the own
  administrative centre from those all-pairs minutes and the plan;
* :func:`per_person_minutes` — per-villager own-mode minutes by expanding every village into
  its people, the brute-force reference for the coverage aggregation;
* :func:`poisson_loop`, :func:`time_average` — Poisson arrivals into a
  :class:`~mergesim.mechanisms.petitions.loop.PetitionLoop` whose units are independent
  replications, and the time-average occupancy used for queue lengths.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from mergesim.county.county import County
from mergesim.mechanisms.needs import NeedKind
from mergesim.mechanisms.petitions import PetitionLoop
from mergesim.mechanisms.services import HANDLERS, is_open


def nx_graph(county: County):
    """The county's road edges as an undirected ``networkx.MultiGraph`` weighted in minutes."""
    g = nx.MultiGraph()
    g.add_nodes_from(range(county.n_villages))
    g.add_weighted_edges_from(
        (int(a), int(b), float(w))
        for a, b, w in zip(county.edge_a, county.edge_b, county.edge_minutes, strict=True)
    )
    return g


def nx_table(g, sources: np.ndarray, n: int) -> np.ndarray:
    """Minutes from each source to every node by networkx's Dijkstra (inf if unreachable)."""
    out = np.full((len(sources), n), np.inf)
    for row, s in enumerate(sources):
        for node, d in nx.single_source_dijkstra_path_length(g, int(s)).items():
            out[row, node] = d
    return out


def nx_nearest(g, sources: np.ndarray, n: int) -> np.ndarray:
    """Minutes from every node to its nearest source by networkx's multi-source Dijkstra."""
    out = np.full(n, np.inf)
    if len(sources) == 0:
        return out
    for node, d in nx.multi_source_dijkstra_path_length(g, {int(s) for s in sources}).items():
        out[node] = d
    return out


def floyd_warshall(county: County) -> np.ndarray:
    """All-pairs road minutes (n × n) by the Floyd–Warshall recursion; inf if unreachable.

    O(n³): meant for counties of a few hundred villages. Parallel edges keep the faster road.
    """
    n = county.n_villages
    d = np.full((n, n), np.inf)
    np.fill_diagonal(d, 0.0)
    np.minimum.at(d, (county.edge_a, county.edge_b), county.edge_minutes)
    d = np.minimum(d, d.T)
    for k in range(n):
        # Row-vector + column-vector broadcast: every pair tries the detour through k at once.
        np.minimum(d, d[:, k, None] + d[None, k, :], out=d)
    return d


def reference_minutes(
    county: County,
    plan,
    local: np.ndarray,
    kind: np.ndarray,
    status: np.ndarray,
    village: np.ndarray,
    phase: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Brute force: one-way vehicle minutes to the nearest open clinic-or-higher and to the
    administrative township's centre, per village, and the clinic host villages.

    Args:
        county, plan: The county and its plan.
        local: Minutes inside each village (home to village seat), added to road minutes.
        kind, status, village: The service points' arrays in force (the point set is input;
            distances, nearest and assignment are computed here).
        phase: ``"pre"`` (old townships) or ``"post"`` (the plan's new townships).
    """
    d = floyd_warshall(county)
    hosts = np.unique(
        village[is_open(status) & np.isin(kind, list(HANDLERS[NeedKind.HEALTH_ROUTINE]))]
    )
    clinic = local + d[:, hosts].min(axis=1)
    # The administrative township's centre stands at its seat: the old one before the reform,
    # the new township's seat after it (read from the plan, not from the routing's index).
    if phase == "pre":
        seat = county.township_seat[county.township]
    else:
        seat = plan.new_township_seat[plan.township_to_new[county.township]]
    admin = local + d[np.arange(county.n_villages), seat]
    return clinic, admin, hosts


def vehicle_counts(population: np.ndarray, vehicle_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Villagers with and without a vehicle per village (deterministic rounding)."""
    pop = np.asarray(population, dtype=np.int64)
    with_v = np.rint(pop * vehicle_share).astype(np.int64)
    return with_v, pop - with_v


def per_person_minutes(
    minutes: np.ndarray, n_vehicle: np.ndarray, n_without: np.ndarray, factor: float
) -> np.ndarray:
    """One entry per villager: own-mode one-way minutes (``factor`` × without a vehicle)."""
    with_v = np.repeat(minutes, n_vehicle)
    without = np.repeat(minutes, n_without) * factor
    return np.concatenate([with_v, without])


def poisson_loop(cfg, servers: np.ndarray, lam: float, units: int, weeks: int, seed: int):
    """A :class:`PetitionLoop` fed ``lam`` Poisson arrivals a day in each of ``units`` units.

    Units share nothing (no county bureau, no feedback in a ``queues_only`` config), so each
    is an independent replication of the same queue.
    """
    loop = PetitionLoop(cfg, units, np.random.default_rng(seed))
    loop.set_staffing(servers)
    arrivals = np.random.default_rng(seed + 1000)
    for w in range(weeks):
        k = arrivals.poisson(lam * 7, size=units)
        loop.file(7 * w + 7 * arrivals.random(k.sum()), np.repeat(np.arange(units), k))
        loop.advance(7.0 * (w + 1))
    return loop


def time_average(start: np.ndarray, end: np.ndarray, t0: float, t1: float) -> float:
    """Time-average number of intervals ``[start, end)`` overlapping ``[t0, t1]``.

    A NaN ``end`` means still inside at ``t1``; NaN ``start`` never entered.
    """
    end = np.where(np.isnan(end), t1, end)
    ok = ~np.isnan(start)
    overlap = np.clip(np.minimum(end[ok], t1) - np.maximum(start[ok], t0), 0, None)
    return float(overlap.sum() / (t1 - t0))
