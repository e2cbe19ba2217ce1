"""GeoJSON export of a county and its plan: valid geometry, one feature per unit, read back with
a standard reader (json + shapely ``shape``), dissolved units that tile the county."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from shapely.geometry import Polygon, shape

from mergesim.county import build_county, export
from mergesim.county.loaders import project_lonlat
from mergesim.plans import make_plan
from mergesim.results import geometry_collections, read_geometry, write_geometry
from mergesim.rng import Streams
from property import scenarios, small_county


@pytest.fixture(scope="module")
def county_plan():
    county, s = small_county(villages=60, townships=6)
    return county, make_plan(county, s, Streams(s.seed))


def _shapes(fc: dict) -> list:
    return [shape(f["geometry"]) for f in fc["features"]]


def seat_count(county, plan) -> int:
    """Features of the seats layer: county seat, old township seats, the plan's new seats."""
    n = 1 + county.n_townships
    return n if plan is None else n + plan.n_new_townships + plan.n_new_villages


def test_collections_are_valid_with_one_feature_per_unit(county_plan):
    county, plan = county_plan
    cols = json.loads(json.dumps(geometry_collections(county, plan)))  # plain JSON round trip
    expect = {
        "villages": county.n_villages,
        "townships": county.n_townships,
        "merged_villages": plan.n_new_villages,
        "new_townships": plan.n_new_townships,
        "seats": seat_count(county, plan),
    }
    assert set(cols) == set(expect)
    for name, fc in cols.items():
        assert fc["type"] == "FeatureCollection" and fc["mergesim:units"] == "km"
        assert "not on Earth" in fc["mergesim:crs"]
        assert len(fc["features"]) == expect[name], name
        shapes = _shapes(fc)
        assert all(s.is_valid and not s.is_empty for s in shapes), name
        assert [f["properties"]["index"] for f in fc["features"]] == list(range(expect[name]))
        assert [f["id"] for f in fc["features"]] == list(range(expect[name]))
    # Every layer tiles the same county: dissolving loses no land and adds none.
    total = sum(s.area for s in _shapes(cols["villages"]))
    for name in ("townships", "merged_villages", "new_townships"):
        assert sum(s.area for s in _shapes(cols[name])) == pytest.approx(total, rel=1e-9)
    # Synthetic townships are contiguous: one polygon each, no slivers left by dissolving.
    assert all(s.geom_type == "Polygon" for s in _shapes(cols["townships"]))
    assert all(s.geom_type == "Point" for s in _shapes(cols["seats"]))


def test_village_properties_join_the_county_and_the_plan(county_plan):
    county, plan = county_plan
    cols = geometry_collections(county, plan)
    v = cols["villages"]["features"]
    i = 7
    p = v[i]["properties"]
    assert (p["index"], p["village_index"], p["village_id"], p["village_name"]) == (
        i,
        i,
        int(county.village_id[i]),
        str(county.village_name[i]),
    )
    assert p["township_index"] == int(county.township[i])
    assert p["township_name"] == str(county.township_name[county.township[i]])
    assert p["population"] == int(county.population[i])
    assert p["new_village_index"] == int(plan.village_to_new[i])
    assert p["new_village_name"] == str(plan.new_village_name[p["new_village_index"]])
    assert p["new_township_index"] == int(plan.township_to_new[county.township[i]])
    assert p["new_township_name"] == str(plan.new_township_name[p["new_township_index"]])
    roles = {"unchanged", "absorbing", "absorbed"}
    assert {f["properties"]["village_role"] for f in v} <= roles
    assert {f["properties"]["township_role"] for f in v} <= roles
    # The outcome groups are there, one flag per group, and agree with the roles.
    for f in v:
        q = f["properties"]
        assert q["group_absorbed_villages"] == (q["village_role"] == "absorbed")
        assert q["group_seat_villages"] == q["township_seat"]
    assert (p["seat_x"], p["seat_y"]) == pytest.approx((county.x[i], county.y[i]))
    # The seat of a village lies in its territory.
    assert shape(v[i]["geometry"]).buffer(1e-6).contains(shapely.Point(county.x[i], county.y[i]))
    for f in cols["new_townships"]["features"]:
        q = f["properties"]
        assert q["new_township_index"] == q["index"]
        assert q["seat_index"] == int(plan.new_township_seat[q["index"]])
        assert q["seat_id"] == int(county.village_id[q["seat_index"]])
        assert q["population"] == int(
            county.population[plan.township_to_new[county.township] == q["index"]].sum()
        )
    for f in cols["merged_villages"]["features"]:
        q = f["properties"]
        members = np.flatnonzero(plan.village_to_new == q["new_village_index"])
        assert q["members"] == len(members) and q["seat_index"] in members


def test_seats_layer_marks_kept_and_abolished_township_seats(county_plan):
    county, plan = county_plan
    fc = geometry_collections(county, plan)["seats"]
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert kinds.count("county_seat") == 1
    assert kinds.count("township_seat") == county.n_townships
    assert kinds.count("new_township_seat") == plan.n_new_townships
    assert kinds.count("new_village_seat") == plan.n_new_villages
    old = [f["properties"] for f in fc["features"] if f["properties"]["kind"] == "township_seat"]
    abolished = sum(p["status"] == "abolished" for p in old)
    assert abolished == county.n_townships - plan.n_new_townships
    for f in fc["features"]:
        i = f["properties"]["village_index"]
        assert shape(f["geometry"]).coords[0] == pytest.approx((county.x[i], county.y[i]))


def test_written_files_read_back(tmp_path, county_plan):
    county, plan = county_plan
    files = write_geometry(tmp_path / "geometry", county, plan)
    assert sorted(p.name for p in files) == [
        "merged_villages.geojson",
        "new_townships.geojson",
        "seats.geojson",
        "townships.geojson",
        "villages.geojson",
    ]
    for p in files:  # a standard reader: json + shapely
        fc = json.loads(p.read_text(encoding="utf-8"))
        assert all(s.is_valid for s in _shapes(fc))
    layer = read_geometry(tmp_path / "geometry")
    assert len(layer.shapes) == county.n_villages and layer.units == "km" and layer.from_data
    np.testing.assert_allclose(layer.seats, county.xy, atol=1e-9)
    np.testing.assert_array_equal(layer.column("township_index", np.int64), county.township)
    assert read_geometry(tmp_path / "nothing") is None


def test_point_data_gets_voronoi_territories(county_plan):
    county, _ = county_plan
    points = dataclasses.replace(county, territories=None, outline=None)
    fc = export.collections(points)["villages"]
    assert fc["mergesim:territories"] == "voronoi"
    shapes = _shapes(fc)
    assert len(shapes) == county.n_villages and all(s.is_valid and s.area > 0 for s in shapes)
    # Voronoi cells do not overlap.
    assert shapely.union_all(shapes).area == pytest.approx(sum(s.area for s in shapes), rel=1e-9)


def test_real_data_goes_out_in_wgs84(county_plan):
    county, plan = county_plan
    lon0, lat0 = 106.2, 32.3
    real = dataclasses.replace(county, lonlat_origin=(lon0, lat0))
    fc = export.collections(real, plan)["villages"]
    assert fc["mergesim:units"] == "degrees"
    lon = np.array([f["properties"]["seat_x"] for f in fc["features"]])
    lat = np.array([f["properties"]["seat_y"] for f in fc["features"]])
    # Projecting the exported lon/lat again gives the county's km coordinates back.
    np.testing.assert_allclose(project_lonlat(lon, lat, lon0, lat0), county.xy, atol=1e-6)
    minx, miny, maxx, maxy = shapely.union_all(_shapes(fc)).bounds
    assert 105 < minx < maxx < 108 and 31 < miny < maxy < 34
    assert all(s.is_valid for s in _shapes(fc))


def test_dissolve_falls_back_when_the_pieces_are_no_coverage():
    # Two squares that overlap (unclean data): the coverage union is not valid, the general
    # union is, and no land is counted twice.
    a = Polygon([(0, 0), (2, 0), (2, 2), (0, 2)])
    b = Polygon([(1, 0), (3, 0), (3, 2), (1, 2)])
    (u,) = export.dissolve([a, b], np.array([0, 0]), 1, 1e-6)
    assert u.is_valid and u.area == pytest.approx(6.0)
    (empty,) = export.dissolve([a], np.array([1]), 1, 1e-6)  # a group without members
    assert empty.is_empty


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(methods=("policy", "uniform", "none")))
def test_every_export_is_valid_and_complete(scenario):
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    plan = make_plan(county, scenario, streams)
    cols = export.collections(county, plan)
    counts = {
        "villages": county.n_villages,
        "townships": county.n_townships,
        "merged_villages": plan.n_new_villages,
        "new_townships": plan.n_new_townships,
        "seats": seat_count(county, plan),
    }
    for name, fc in cols.items():
        shapes = _shapes(fc)
        assert len(shapes) == counts[name]
        assert all(s.is_valid and not s.is_empty for s in shapes), name
    area = sum(s.area for s in _shapes(cols["villages"]))
    assert math.isclose(sum(s.area for s in _shapes(cols["new_townships"])), area, rel_tol=1e-9)
