"""Travel times from csgraph equal networkx's shortest paths."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.county.travel import minutes_to_assigned, nearest, travel_table
from property import small_county


def _nx_graph(c):
    g = nx.Graph()
    g.add_nodes_from(range(c.n_villages))
    for a, b, w in zip(c.edge_a, c.edge_b, c.edge_minutes, strict=True):
        g.add_edge(int(a), int(b), weight=float(w))
    return g


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_travel_table_equals_networkx(seed):
    c, _ = small_county(villages=60, townships=5, seed=seed, border_v=1)  # any county builds
    g = _nx_graph(c)
    sources = c.township_seat
    table = travel_table(c.road_matrix(), sources)
    for row, s in enumerate(sources):
        ref = nx.single_source_dijkstra_path_length(g, int(s))
        expect = np.array([ref[i] for i in range(c.n_villages)])
        np.testing.assert_allclose(table[row], expect, rtol=1e-12)


def test_nearest_equals_networkx_multisource():
    c, _ = small_county(villages=90, townships=6, seed=3)
    g = _nx_graph(c)
    sources = np.array([0, 17, 42, 77])
    minutes, which = nearest(c.road_matrix(), sources)
    ref = nx.multi_source_dijkstra_path_length(g, {int(s) for s in sources})
    np.testing.assert_allclose(minutes, [ref[i] for i in range(c.n_villages)], rtol=1e-12)
    # The reported source is one at that distance.
    table = travel_table(c.road_matrix(), sources)
    pos = np.searchsorted(sources, which)
    np.testing.assert_allclose(table[pos, np.arange(c.n_villages)], minutes)


def test_minutes_to_assigned():
    c, _ = small_county(villages=50, townships=4, seed=5)
    seats = c.township_seat[c.township]
    got = minutes_to_assigned(c.road_matrix(), seats)
    table = travel_table(c.road_matrix(), c.township_seat)
    np.testing.assert_allclose(got, table[c.township, np.arange(c.n_villages)])
    assert np.all(got[c.township_seat] == 0)


def test_nearest_with_no_sources_is_unreachable():
    c, _ = small_county(villages=20, townships=2, seed=1, border_t=0, border_v=0, central=0)
    minutes, which = nearest(c.road_matrix(), np.array([], dtype=int))
    assert np.all(np.isinf(minutes)) and np.all(which == -1)
