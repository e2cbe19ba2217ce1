"""The fast plan path: the same plans as before for the same seed, the shared county tables
(read-only, recomputed when a county's arrays are replaced) and their connected components."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from mergesim.config.load import apply_overrides
from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.plans import make_plan
from mergesim.plans.policy import _NoiseFactors
from mergesim.plans.tables import components, county_tables
from mergesim.rng import Streams
from property import small_county

#: Digests of the seed county's plans made by the previous implementation (a Python heap over
#: NumPy scalars, one ``standard_normal()`` per cost, a Dijkstra run per plan): the faster
#: path must make exactly the same plans for the same seed.
DIGESTS = {
    "ensemble": "fcc9668c34c71f35",  # members 0-3
    "policy": "88e75efdae4c2487",
    "uniform": "a63149cee6e52f03",
}


def _digest(plans) -> str:
    h = hashlib.sha256()
    for p in plans:
        for a in (p.village_to_new, p.township_to_new, p.new_village_seat, p.new_township_seat):
            h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="module")
def seed():
    s = Scenario()
    return build_county(s, Streams(s.seed)), s


def test_plans_identical_to_the_previous_implementation(seed):
    c, s = seed
    members = [
        make_plan(
            c,
            apply_overrides(s, {"plan.method": "ensemble", "plan.ensemble_member": k}),
            Streams(s.seed),
        )
        for k in range(4)
    ]
    assert _digest(members) == DIGESTS["ensemble"]
    for method in ("policy", "uniform"):
        plan = make_plan(c, apply_overrides(s, {"plan.method": method}), Streams(s.seed))
        assert _digest([plan]) == DIGESTS[method], method


def test_same_seed_same_plan_whatever_was_cached(seed):
    c, s = seed
    es = apply_overrides(s, {"plan.method": "ensemble", "plan.ensemble_member": 2})
    warm = make_plan(c, es, Streams(s.seed))
    cold = build_county(s, Streams(s.seed))  # a fresh county: no tables yet
    assert _digest([make_plan(cold, es, Streams(s.seed))]) == _digest([warm])


def test_noise_factors_leave_the_stream_where_single_draws_would():
    rng, ref = np.random.default_rng(5), np.random.default_rng(5)
    f = _NoiseFactors(rng, 0.5)
    got = f.take(3) + f.take(0) + f.take(5000) + f.take(2)
    f.close()
    want = [float(np.exp(0.5 * ref.standard_normal())) for _ in range(5005)]
    assert got == want
    assert rng.random() == ref.random()


def test_tables_are_shared_read_only_and_follow_replaced_arrays():
    c, _ = small_county(villages=60, townships=6, seed=3)
    t = county_tables(c)
    assert county_tables(c) is t
    with pytest.raises(ValueError):
        t.seat_minutes[0] = 0.0
    with pytest.raises(ValueError):
        t.roads.data[0] = 0.0
    slower = dataclasses.replace(c, edge_minutes=c.edge_minutes * 2)
    assert np.allclose(county_tables(slower).seat_minutes, 2 * t.seat_minutes)
    c.edge_minutes = c.edge_minutes * 2  # a replaced array: recomputed
    assert county_tables(c) is not t


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.floats(0.0, 1.0))
def test_components_match_connected_components(seed, p):
    c, _ = small_county(villages=50, townships=5, seed=7)
    keep = np.random.default_rng(seed).random(len(c.edge_a)) < p
    a, b = c.edge_a[keep], c.edge_b[keep]
    g = sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(c.n_villages, c.n_villages))
    _, want = connected_components(g, directed=False)
    got = components(c, keep)
    # The same partition (labels compared through a one-to-one map).
    pairs = set(zip(got.tolist(), want.tolist(), strict=True))
    assert len(pairs) == len(set(got.tolist())) == len(set(want.tolist()))
