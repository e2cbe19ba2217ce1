"""The synthetic generator: structure, determinism, knobs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from scipy.sparse.csgraph import connected_components

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.county.county import Terrain, TownshipClass
from mergesim.county.geometry import polygon_area
from mergesim.errors import ScenarioError
from mergesim.plans.checks import units_contiguous
from mergesim.rng import Streams
from property import scenarios, small_county, small_scenario


@pytest.fixture(scope="module")
def seed_county():
    s = Scenario()
    return build_county(s, Streams(s.seed)), s


def test_seed_county_sizes(seed_county):
    c, s = seed_county
    assert c.n_villages == s.county.villages == 1050
    assert c.n_townships == 60
    assert c.population.sum() == s.county.population
    assert c.area.sum() == pytest.approx(s.county.area_km2, rel=1e-9)
    assert polygon_area(c.outline) == pytest.approx(s.county.area_km2, rel=1e-9)
    assert (c.township_class == TownshipClass.BORDER).sum() == 8
    assert c.border.sum() == 72
    assert (c.township_class == TownshipClass.COUNTY_SEAT).sum() == 1
    assert c.township_class[c.township[c.county_seat]] == TownshipClass.COUNTY_SEAT


def test_border_villages_lie_in_border_townships(seed_county):
    c, _ = seed_county
    assert np.all(c.township_class[c.township[c.border]] == TownshipClass.BORDER)


def test_border_stretch_faces_center_deg(seed_county):
    c, s = seed_county
    centre = c.outline.mean(axis=0)
    ang = np.degrees(np.arctan2(c.y[c.border] - centre[1], c.x[c.border] - centre[0]))
    gap = np.abs((ang - s.border.center_deg + 180) % 360 - 180)
    assert np.median(gap) < 60


def test_terrain_shares_and_density(seed_county):
    c, s = seed_county
    area_by = np.bincount(c.terrain, weights=c.area, minlength=3) / c.area.sum()
    # Terrain classes are area quantiles of the field; village cells approximate them.
    assert area_by[Terrain.PLAIN] == pytest.approx(s.terrain.plain_share, abs=0.08)
    assert area_by[Terrain.MOUNTAIN] == pytest.approx(s.terrain.mountain_share, abs=0.08)
    mean_area = np.bincount(c.terrain, weights=c.area, minlength=3) / np.bincount(c.terrain)
    assert mean_area[Terrain.PLAIN] < mean_area[Terrain.MOUNTAIN]  # denser on plains


def test_townships_contiguous_and_roads_connected(seed_county):
    c, _ = seed_county
    assert connected_components(c.road_matrix(), directed=False)[0] == 1
    k, split = units_contiguous(c, c.township)
    assert (k, split) == (60, 0)


def test_trunk_roads_are_faster(seed_county):
    c, _ = seed_county
    length = np.hypot(c.x[c.edge_a] - c.x[c.edge_b], c.y[c.edge_a] - c.y[c.edge_b])
    speed = length / c.edge_minutes
    assert c.edge_trunk.any()
    assert speed[c.edge_trunk].mean() > speed[~c.edge_trunk].mean()


def test_names_unique(seed_county):
    c, _ = seed_county
    assert len(set(c.village_name)) == c.n_villages


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generator_deterministic_and_valid(s):
    a = build_county(s, Streams(s.seed))
    b = build_county(s, Streams(s.seed))
    a.validate()
    for name in (
        "x",
        "y",
        "population",
        "township",
        "terrain",
        "border",
        "heritage",
        "edge_a",
        "edge_b",
        "edge_minutes",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.population.sum() == s.county.population
    assert units_contiguous(a, a.township)[1] == 0


def test_different_seed_different_county():
    a, _ = small_county(seed=1)
    b, _ = small_county(seed=2)
    assert not np.array_equal(a.x, b.x)


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        (dict(villages=10, townships=12), "county.townships"),
        (dict(villages=40, townships=4, border_t=3, central=1, heritage_t=1), "county.townships"),
        (dict(villages=40, townships=5, border_v=500), "border.villages"),
    ],
)
def test_inconsistent_sizes_are_user_errors(kw, key):
    s = small_scenario(**kw)
    with pytest.raises(ScenarioError) as err:
        build_county(s, Streams(s.seed))
    assert err.value.key == key


def test_a_village_cut_off_by_the_outline_gets_a_road():
    """A 12-village county whose clipped outline left one village's territory with no shared
    edge (Hypothesis found it): the village gets a road to its nearest neighbour, so the roads
    are connected and the townships contiguous."""
    s = small_scenario(
        villages=12, townships=4, seed=32243, border_t=0, border_v=0, heritage_t=0,
        heritage_v=0, central=0, corridors=1, method="policy", target=1.5,
    )  # fmt: skip
    c = build_county(s, Streams(s.seed))
    assert connected_components(c.road_matrix(), directed=False)[0] == 1
    assert units_contiguous(c, c.township)[1] == 0
