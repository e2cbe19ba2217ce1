"""Travel times and coverage against independent references (the suite's checks pass), the
references themselves on hand-made graphs, and the checks failing when routing is broken."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from validation_helpers import assert_all_pass

from mergesim.validation import checks_network
from mergesim.validation import references as ref
from tiny_county import line_county


@pytest.mark.slow
def test_travel_equals_networkx_on_the_generated_seed_county():
    rows = checks_network.travel_generated()
    assert_all_pass(rows)
    assert "60 sources × 1,050" in rows[0].check


def test_travel_equals_networkx_on_the_real_example_county():
    assert_all_pass(checks_network.travel_real())


def test_coverage_and_minutes_equal_brute_force_before_and_after_the_reform():
    rows = checks_network.coverage_brute_force()
    assert_all_pass(rows)
    names = {r.check for r in rows}
    for phase in ("pre", "post"):
        for what in ("clinic", "admin"):
            assert f"{phase}: coverage_{what}_30" in names
            assert f"{phase}: coverage_{what}_60" in names
            assert f"{phase}: mean own-mode minutes to {what} point" in names


def test_the_small_county_exercises_nearest_of_many():
    """After the reform some villages' nearest open clinic is not their own centre's seat —
    otherwise the nearest-point check would only repeat the assigned-point one."""
    _, _, _, _, phases = checks_network.coverage_setup()
    r = phases["post"][0]
    assert np.count_nonzero(r.clinic_minutes != r.centre_minutes) >= 5
    assert 0.5 < np.mean(r.clinic_minutes <= 30) < 1.0  # the threshold actually bites


def test_coverage_against_pysal_access():
    pytest.importorskip(
        "access",
        reason="PySAL access not installed (optional extra: pip install 'mergesim[access]')",
    )
    assert_all_pass(checks_network.coverage_access())


def test_coverage_access_row_is_a_skip_without_the_package(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_access(name, *args, **kwargs):
        if name == "access":
            raise ImportError("no access")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_access)
    (row,) = checks_network.coverage_access()
    assert row.ok is None and "not installed" in row.ours


def test_broken_routing_fails_the_coverage_check(monkeypatch):
    """A routing that is half a minute off for the nearest points must be caught."""
    import mergesim.mechanisms.services.routing as routing

    real = routing.travel_table

    def off_by_half(roads, sources):
        return real(roads, sources) + 0.5

    monkeypatch.setattr(routing, "travel_table", off_by_half)
    checks_network.coverage_setup.cache_clear()
    try:
        rows = checks_network.coverage_brute_force()
    finally:
        checks_network.coverage_setup.cache_clear()
    failed = {r.check for r in rows if r.ok is False}
    assert "post: minutes to clinic point, per village" in failed
    assert "pre: mean own-mode minutes to clinic point" in failed
    assert not any("admin" in name for name in failed)  # assigned points are a separate path


def test_references_on_a_hand_made_line():
    """The references are right where the answer is known: a line of 10-minute roads."""
    county = line_county()  # 0 - 1 - 2 - 3 - 4 - 5
    d = ref.floyd_warshall(county)
    np.testing.assert_array_equal(d, 10.0 * np.abs(np.subtract.outer(range(6), range(6))))
    g = ref.nx_graph(county)
    np.testing.assert_array_equal(ref.nx_table(g, np.array([0, 5]), 6), d[[0, 5]])
    np.testing.assert_array_equal(ref.nx_nearest(g, np.array([0, 5]), 6), [0, 10, 20, 20, 10, 0])
    people = ref.per_person_minutes(np.array([10.0, 40.0]), np.array([2, 1]), np.array([1, 0]), 2.0)
    assert sorted(people.tolist()) == [10.0, 10.0, 20.0, 40.0]


def test_parallel_roads_keep_the_faster_one():
    """Two roads between one pair: the references keep the faster one; a County refuses them,
    because csgraph would add the two up (the loaders deduplicate, keeping the fastest)."""
    county = line_county()
    kw = {
        "edge_a": np.r_[county.edge_a, 0],
        "edge_b": np.r_[county.edge_b, 1],
        "edge_minutes": np.r_[county.edge_minutes, 25.0],
        "edge_trunk": np.r_[county.edge_trunk, False],
    }
    twice = dataclasses.replace(county, **kw)
    assert ref.floyd_warshall(twice)[0, 1] == 10.0
    assert ref.nx_table(ref.nx_graph(twice), np.array([0]), 6)[0, 1] == 10.0
    with pytest.raises(ValueError, match="distinct pairs"):
        twice.validate()
