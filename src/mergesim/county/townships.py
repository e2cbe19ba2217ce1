"""Townships for a village file that has none: contiguous, population-balanced, on the roads.

Method (a capacitated p-median heuristic on the road graph, in two steps):

1. **Seats.** Going down the villages by population (ties: file order), a village becomes a
   seat if it lies at least ``d`` km (straight line) from every seat chosen before. ``d`` is
   the largest spacing (found by bisection) at which this pass still finds ``k`` seats, so the
   seats are the most populous villages, as evenly spread as the count allows.
2. **Assignment.** Every village joins the seat with the least *weighted* road time
   ``t(seat, village) + w(seat)`` (road minutes by Dijkstra on the road graph,
   ``scipy.sparse.csgraph``). All weights start at 0 (plain nearest seat by road); then,
   for a fixed number of rounds, each township's weight rises with the log of its population
   over the mean (scaled by the typical road time to a seat), so crowded townships shed
   villages at their edges to their neighbours. The most balanced assignment in which every
   seat stays in its own township is kept.

An additively weighted nearest-seat assignment on a graph is contiguous: every village on
the shortest road from a seat to one of its villages prefers that seat too (for ``w`` fixed,
``t(s, u) + w(s)`` is minimal along the path). Exact ties are broken by seat order; any piece
that float rounding still cuts off joins the township it shares most roads with. Townships are
numbered by their seat's population (largest first) and named after their seat.

A regionalisation method (e.g. PySAL ``spopt``'s max-p or SKATER) would also give contiguous
regions; this one needs nothing beyond SciPy, is deterministic, and keeps seats at populous
villages, which the township roles (seats, the county seat) need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from mergesim.county.travel import travel_table

__all__ = ["MadeTownships", "make_townships"]

#: Rounds of weight adjustment; balance is usually reached in well under this.
ROUNDS = 300
#: Bisection steps on the seat spacing (relative precision 2^-40 of the county's width).
BISECTION_STEPS = 40


@dataclass(frozen=True)
class MadeTownships:
    """Townships made from villages.

    Attributes:
        township: Township index of each village (0 = the most populous seat).
        seat: Seat village of each township.
        name: Name of each township (its seat's name; made unique with the seat's id).
        spacing_km: Least straight-line distance between two seats (km).
        pop_ratio: ``(min, max)`` township population over the mean.
    """

    township: np.ndarray
    seat: np.ndarray
    name: np.ndarray
    spacing_km: float
    pop_ratio: tuple[float, float]

    def describe(self) -> str:
        """One line on how the townships were made."""
        lo, hi = self.pop_ratio
        sizes = np.bincount(self.township)
        return (
            f"made {len(self.seat)} townships of {sizes.min()}–{sizes.max()} villages: seats "
            f"are the most populous villages at least {self.spacing_km:.1f} km apart, villages "
            f"join a seat by road time, balanced to {lo:.2f}–{hi:.2f} × the mean township "
            "population (docs/data.md, 'Townships when the file has none')"
        )


def choose_seats(xy: np.ndarray, population: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """The ``k`` seats (village indices, in choice order) and their least spacing (km)."""
    order = np.lexsort((np.arange(len(xy)), -population))

    def greedy(d: float) -> list[int]:
        chosen: list[int] = []
        d2 = d * d
        pts = np.empty((k, 2))
        for i in order.tolist():
            if chosen:
                diff = pts[: len(chosen)] - xy[i]
                if float(np.min((diff * diff).sum(axis=1))) < d2:
                    continue
            pts[len(chosen)] = xy[i]
            chosen.append(i)
            if len(chosen) == k:
                break
        return chosen

    lo, hi = 0.0, float(np.max(np.ptp(xy, axis=0))) * 1.5 + 1.0
    best = greedy(lo)
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        seats = greedy(mid)
        if len(seats) == k:
            lo, best = mid, seats
        else:
            hi = mid
    seats = np.asarray(best, dtype=np.int64)
    diff = xy[seats][:, None, :] - xy[seats][None, :, :]
    dist = np.sqrt((diff**2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    return seats, float(dist.min()) if k > 1 else 0.0


def _repair(adj: sp.csr_matrix, label: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """Give every piece of a township cut off from its seat to the neighbour it shares most
    roads with (repeated until every township is one piece)."""
    label = label.copy()
    a, b = adj.nonzero()
    for _ in range(len(label)):
        same = label[a] == label[b]
        g = sp.csr_matrix((np.ones(same.sum()), (a[same], b[same])), shape=adj.shape)
        _, comp = connected_components(g, directed=False)
        stray = comp != comp[seats][label]
        if not stray.any():
            break
        piece = comp == comp[np.flatnonzero(stray)[0]]
        out = piece[a] & ~piece[b]
        votes = np.bincount(label[b[out]], minlength=len(seats))
        label[piece] = int(np.argmax(votes))
    return label


def make_townships(
    xy: np.ndarray,
    population: np.ndarray,
    road: sp.csr_matrix,
    names: np.ndarray,
    ids: np.ndarray,
    k: int,
) -> MadeTownships:
    """Group villages into ``k`` contiguous, population-balanced townships (module docstring).

    Args:
        xy: Village seats (n, 2), km.
        population: Persons per village.
        road: Symmetric road-minute matrix (n × n, connected).
        names: Village names (township names come from their seats).
        ids: Village ids (to tell apart two seats of one name).
        k: Number of townships, 1 ≤ k ≤ n.
    """
    pop = population.astype(float)
    seats, spacing = choose_seats(xy, pop, k)
    t = travel_table(road, seats)  # (k, n) road minutes
    typical = float(np.median(t.min(axis=0))) or 1.0
    mean = pop.sum() / k
    w = np.zeros(k)
    best = np.argmin(t, axis=0)
    best_spread = np.inf
    own = np.arange(k)
    for r in range(ROUNDS):
        label = np.argmin(t + w[:, None], axis=0)
        if np.array_equal(label[seats], own):
            ratio = np.bincount(label, weights=pop, minlength=k) / mean
            spread = float(np.max(np.abs(np.log(np.maximum(ratio, 1e-9)))))
            if spread < best_spread:
                best, best_spread = label, spread
        else:
            ratio = np.bincount(label, weights=pop, minlength=k) / mean
        # Damped steps: large first, to move whole fringes; small later, to settle.
        step = 0.5 * typical * (1.0 - r / ROUNDS) + 0.02 * typical
        w += step * np.log(np.maximum(ratio, 1e-3))
        w -= w.mean()
    label = _repair(road, best, seats)
    # Number townships by their seat's population (largest first; ties: file order).
    rank = np.empty(k, dtype=np.int64)
    rank[np.lexsort((seats, -pop[seats]))] = np.arange(k)
    township, seats = rank[label], seats[np.argsort(rank)]
    tnames = [str(names[s]) for s in seats]
    dup = {x for x in tnames if tnames.count(x) > 1}
    tnames = [f"{x} ({ids[s]})" if x in dup else x for x, s in zip(tnames, seats, strict=True)]
    ratio = np.bincount(township, weights=pop, minlength=k) / mean
    return MadeTownships(
        township=township.astype(np.int64),
        seat=seats.astype(np.int64),
        name=np.array(tnames, dtype=str),
        spacing_km=spacing,
        pop_ratio=(float(ratio.min()), float(ratio.max())),
    )
