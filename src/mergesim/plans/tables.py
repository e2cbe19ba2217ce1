"""Tables of a county that every plan of it reuses: the road graph, minutes from the county
seat and from every old township seat, the unit pairs the agglomeration starts from.

A plan ensemble draws hundreds of plans of one county, and the checks and summary of each
need the same shortest paths; :func:`county_tables` computes them once per county object and
keeps them while the county lives (a weak-keyed cache). Counties are not changed after they are
built; the cache also recomputes when a county's road, seat, township or population arrays are
replaced. The cached
arrays are read-only, so no caller can change what the next plan sees.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from mergesim.county.county import County
from mergesim.county.travel import travel_table

__all__ = ["CountyTables", "components", "county_tables"]


@dataclass(frozen=True)
class CountyTables:
    """Shortest-path and graph tables of one county (arrays read-only).

    Attributes:
        roads: Road matrix (``County.road_matrix``).
        seat_minutes: Minutes from the county seat to each village (inf: unreachable), (n,).
        township_seat_row: Row of :attr:`township_seat_minutes` per village index (-1: not an
            old township seat), (n,).
        township_seat_minutes: Minutes from each distinct old township seat to each village.
        village_pairs: The road edges as village pairs, (k, 2).
        township_pairs: Adjacent townships (``County.township_adjacency`` in COO order), (m, 2).
        near_seat, far_from_seat: Villages in the nearest and farthest third by minutes to the
            county seat (the plan's density gradient).
        township_seat_memo: Seat chosen for a new township, by its old townships (the bytes of
            their ascending indices); filled by :func:`~mergesim.plans.plan.township_seats`,
            as the members of an ensemble make many of the same new townships.
    """

    roads: sp.csr_matrix
    seat_minutes: np.ndarray
    township_seat_row: np.ndarray
    township_seat_minutes: np.ndarray
    village_pairs: np.ndarray
    township_pairs: np.ndarray
    near_seat: np.ndarray
    far_from_seat: np.ndarray
    key: tuple
    township_seat_memo: dict[bytes, int] = field(default_factory=dict, repr=False)

    def seat_rows(self, seats: np.ndarray) -> np.ndarray:
        """Minutes from the old township seats ``seats`` (village indices) to every village."""
        return self.township_seat_minutes[self.township_seat_row[np.asarray(seats)]]


_CACHE: weakref.WeakKeyDictionary[County, CountyTables] = weakref.WeakKeyDictionary()


def _key(county: County) -> tuple:
    """Identity of the arrays the tables derive from (replaced arrays: recompute)."""
    return (
        id(county.edge_a),
        id(county.edge_b),
        id(county.edge_minutes),
        id(county.township_seat),
        id(county.township),
        id(county.population),
        int(county.county_seat),
        county.n_villages,
    )


def county_tables(county: County) -> CountyTables:
    """The tables of ``county``, computed on first use and cached while it lives."""
    key = _key(county)
    hit = _CACHE.get(county)
    if hit is not None and hit.key == key:
        return hit
    roads = county.road_matrix()
    n = county.n_villages
    seat = travel_table(roads, np.array([county.county_seat]))[0]
    seats = np.unique(np.asarray(county.township_seat, dtype=np.int64))
    row = np.full(n, -1, dtype=np.int64)
    row[seats] = np.arange(len(seats))
    tadj = county.township_adjacency().tocoo()
    lo, hi = np.quantile(seat, [1 / 3, 2 / 3])
    tables = CountyTables(
        roads=roads,
        seat_minutes=seat,
        township_seat_row=row,
        township_seat_minutes=travel_table(roads, seats),
        village_pairs=np.column_stack([county.edge_a, county.edge_b]),
        township_pairs=np.column_stack([tadj.row, tadj.col]),
        near_seat=seat <= lo,
        far_from_seat=seat >= hi,
        key=key,
    )
    for arr in (
        roads.data,
        roads.indices,
        roads.indptr,
        seat,
        row,
        tables.township_seat_minutes,
        tables.village_pairs,
        tables.township_pairs,
        tables.near_seat,
        tables.far_from_seat,
    ):
        arr.flags.writeable = False
    _CACHE[county] = tables
    return tables


def components(county: County, keep: np.ndarray) -> np.ndarray:
    """Connected component of each village over the road edges where ``keep`` is True.

    The components ``connected_components`` finds for the matrix of the kept edges, with the
    matrix built as CSR directly (no conversion from coordinates). Reads only ``edge_a``,
    ``edge_b`` and ``n_villages`` of ``county``.
    """
    n = county.n_villages
    a, b = np.asarray(county.edge_a)[keep], np.asarray(county.edge_b)[keep]
    order = np.argsort(a, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(a, minlength=n), out=indptr[1:])
    g = sp.csr_matrix((np.ones(len(a)), b[order], indptr), shape=(n, n))
    return connected_components(g, directed=False)[1]
