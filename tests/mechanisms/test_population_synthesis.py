"""Villager synthesis: counts per village, households, groups, age, vehicles, state arrays."""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.config.schema import VillagerParams
from mergesim.mechanisms.population import (
    AgeGroup,
    largest_remainder,
    synthesize,
    village_counts,
)
from tiny_county import line_county


def test_largest_remainder_sums_exactly():
    assert largest_remainder(np.array([1, 1, 1]), 10).tolist() == [4, 3, 3]
    assert largest_remainder(np.array([5, 0, 5]), 3).sum() == 3
    assert largest_remainder(np.array([0, 0]), 5).tolist() == [0, 0]


def test_village_counts_keep_every_inhabited_village():
    pop = np.array([1000, 3, 0, 497])
    c = village_counts(pop, 0.01)
    assert c.tolist() == [10, 1, 0, 5]
    assert village_counts(pop, 1.0).tolist() == pop.tolist()


def test_synthesis_structure():
    county = line_county(population=[400, 120, 80, 200, 90, 61])
    p = VillagerParams(scale=1.0, vehicle_share=0.5, key_person_share=0.05)
    v = synthesize(county, p, np.random.default_rng(1))
    assert v.n == 951
    assert v.per_village().tolist() == county.population.tolist()
    assert (np.diff(v.village) >= 0).all()  # rows grouped by village
    for i in range(county.n_villages):
        rows = slice(v.offsets[i], v.offsets[i + 1])
        assert (v.village[rows] == i).all()
        hh = v.household[rows]
        assert len(np.unique(hh)) == county.households[i]
        sizes = np.bincount(hh - hh.min())
        assert sizes.max() - sizes.min() <= 1
    # all members of a household share its vehicle and its group
    for h in np.unique(v.household):
        m = v.household == h
        assert len(np.unique(v.vehicle[m])) == 1 and len(np.unique(v.group[m])) == 1
    assert v.n_households == int(county.households.sum())
    assert v.n_groups == county.n_villages
    assert set(np.unique(v.age)) <= {int(a) for a in AgeGroup}
    assert v.grievance.dtype == np.float32 and (v.grievance == 0).all()
    assert ((v.trust > 0) & (v.trust < 1)).all() and ((v.threshold > 0) & (v.threshold < 1)).all()


def test_synthesis_shares_at_full_scale(seed_county):
    county, _ = seed_county
    p = VillagerParams(scale=0.2)
    v = synthesize(county, p, np.random.default_rng(5))
    n = v.n
    assert n == round(0.2 * county.population.sum())
    se = lambda q: 5 * np.sqrt(q * (1 - q) / n)  # noqa: E731
    assert (v.age == AgeGroup.CHILD).mean() == pytest.approx(p.child_share, abs=se(p.child_share))
    assert (v.age == AgeGroup.ELDERLY).mean() == pytest.approx(
        p.elderly_share, abs=se(p.elderly_share)
    )
    hh_vehicle = np.zeros(v.n_households, dtype=bool)
    hh_vehicle[v.household] = v.vehicle
    assert hh_vehicle.mean() == pytest.approx(p.vehicle_share, abs=0.02)
    assert v.trust.mean() == pytest.approx(p.trust_mean, abs=0.01)
    assert v.trust.std() == pytest.approx(p.trust_sd, abs=0.01)
    assert v.threshold.mean() == pytest.approx(p.threshold_mean, abs=0.01)


def test_synthesis_is_deterministic():
    county = line_county()
    p = VillagerParams()
    a = synthesize(county, p, np.random.default_rng(9))
    b = synthesize(county, p, np.random.default_rng(9))
    for f in ("village", "household", "age", "vehicle", "key_person", "trust", "threshold"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
