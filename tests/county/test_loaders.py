"""Real-data loaders: CSV/GeoJSON round trips, the shipped example, and every bad input."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from mergesim.config import apply_overrides, load_scenario
from mergesim.config.schema import CountyParams, RoadParams
from mergesim.county import build_county
from mergesim.county.columns import EDGE_COLUMNS, REQUIRED_VILLAGE, VILLAGE_COLUMNS
from mergesim.county.county import Terrain, TownshipClass
from mergesim.county.geometry import polygon_area, project_lonlat
from mergesim.county.loaders import load_county_csv, load_county_geojson
from mergesim.errors import DataError

ROADS = RoadParams()
COUNTY = CountyParams()
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "scenarios" / "data"

# A 4 × 3 grid of villages 2 km apart in three townships (columns 0, 1–2, 3 of the grid).
GRID = [
    {
        "id": 100 + i,
        "name": f"V{i}",
        "township": ("West", "Middle", "Middle", "East")[i % 4],
        "x": 2.0 * (i % 4),
        "y": 2.0 * (i // 4),
        "population": 1000 + 100 * i,
    }
    for i in range(12)
]


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def grid(**extra) -> list[dict]:
    """GRID rows with extra columns, each a value or a function of the row index."""
    rows = [dict(r) for r in GRID]
    for k, v in extra.items():
        for i, r in enumerate(rows):
            r[k] = v(i) if callable(v) else v
    return rows


def load(path: Path, **kw):
    return load_county_csv(path, county=COUNTY, roads=ROADS, **kw)


def connected(county) -> bool:
    return connected_components(county.road_matrix(), directed=False)[0] == 1


def assert_error(exc: pytest.ExceptionInfo, path: Path, key: str | None) -> str:
    msg = str(exc.value)
    assert str(path) in msg
    if key is not None:
        assert exc.value.key == key
        assert key in msg
    assert "\n" not in msg
    return msg


# -- round trip ------------------------------------------------------------------------------


def test_csv_round_trip_arrays(tmp_path):
    rows = grid(
        terrain=lambda i: ("plain", "hill", "mountain")[i % 3],
        corridor=lambda i: int(i < 4),
        heritage=lambda i: int(i == 5),
        households=lambda i: "" if i else 77,
    )
    c = load(write_csv(tmp_path / "v.csv", rows), name="grid")
    assert c.name == "grid" and c.source == str(tmp_path / "v.csv")
    assert c.n_villages == 12 and c.n_townships == 3
    np.testing.assert_array_equal(c.village_id, [r["id"] for r in GRID])
    np.testing.assert_array_equal(c.village_name, [r["name"] for r in GRID])
    np.testing.assert_allclose(c.x, [r["x"] for r in GRID])
    np.testing.assert_allclose(c.y, [r["y"] for r in GRID])
    np.testing.assert_array_equal(c.population, [r["population"] for r in GRID])
    # Township order is first appearance; seats default to the most populous member.
    np.testing.assert_array_equal(c.township_name, ["West", "Middle", "East"])
    np.testing.assert_array_equal(c.township[:4], [0, 1, 1, 2])
    np.testing.assert_array_equal(c.township_seat, [8, 10, 11])
    assert c.households[0] == 77
    assert c.households[1] == round(1100 / COUNTY.household_size)
    np.testing.assert_array_equal(
        c.groups, np.maximum(1, np.rint(c.households / COUNTY.group_households))
    )
    assert c.terrain[0] == Terrain.PLAIN and c.terrain[2] == Terrain.MOUNTAIN
    assert c.corridor.sum() == 4 and c.heritage.sum() == 1 and not c.border.any()
    # Most populous village (id 111) is in East: East is the county-seat township.
    assert c.township_class[2] == TownshipClass.COUNTY_SEAT
    assert c.county_seat == 11
    assert np.all(c.township_class[:2] == TownshipClass.ORDINARY)
    # Territories tile the outline; edges are sorted, unique, positive and connected.
    assert len(c.territories) == 12
    assert c.area.sum() == pytest.approx(polygon_area(c.outline), rel=1e-6)
    assert np.all(c.edge_a < c.edge_b)
    assert len({(a, b) for a, b in zip(c.edge_a, c.edge_b, strict=True)}) == len(c.edge_a)
    assert connected(c)
    assert c.corridor_lines == []
    # Trunk edges join two corridor villages and use the trunk speed.
    assert np.array_equal(c.edge_trunk, c.corridor[c.edge_a] & c.corridor[c.edge_b])
    e = int(np.flatnonzero(c.edge_trunk)[0])
    length = np.hypot(c.x[c.edge_a[e]] - c.x[c.edge_b[e]], c.y[c.edge_a[e]] - c.y[c.edge_b[e]])
    assert c.edge_minutes[e] == pytest.approx(length * ROADS.detour / ROADS.trunk_kmh * 60)


def test_explicit_columns_override_defaults(tmp_path):
    rows = grid(
        area_km2=lambda i: 3.5,
        groups=lambda i: 2,
        township_seat=lambda i: int(i in (0, 1, 3)),
        border=lambda i: "true" if i == 4 else "",
        township_class=lambda i: "central" if i % 4 in (1, 2) else "",
    )
    rows[0]["township_class"] = "county_seat"
    c = load(write_csv(tmp_path / "v.csv", rows))
    np.testing.assert_allclose(c.area, 3.5)
    assert np.all(c.groups == 2)
    np.testing.assert_array_equal(c.township_seat, [0, 1, 3])
    assert c.county_seat == 0
    np.testing.assert_array_equal(
        c.township_class, [TownshipClass.COUNTY_SEAT, TownshipClass.CENTRAL, TownshipClass.ORDINARY]
    )


def test_default_border_and_heritage_townships(tmp_path):
    rows = grid(border=lambda i: int(i == 1), heritage=lambda i: int(i == 8))
    c = load(write_csv(tmp_path / "v.csv", rows))
    # Middle has a border village; West's seat (row 8, most populous) is heritage.
    assert c.township_class[1] == TownshipClass.BORDER
    assert c.township_class[0] == TownshipClass.HERITAGE
    assert c.township_class[2] == TownshipClass.COUNTY_SEAT


def test_lonlat_projection(tmp_path):
    rows = [dict(r) for r in GRID]
    for r in rows:
        r["lon"] = 106.0 + r.pop("x") / 100
        r["lat"] = 32.0 + r.pop("y") / 100
    c = load(write_csv(tmp_path / "v.csv", rows))
    lat0 = np.mean([r["lat"] for r in rows])
    # 0.01° of latitude ≈ 1.112 km; of longitude, times cos(lat0).
    assert c.y[4] - c.y[0] == pytest.approx(6371 * np.pi / 180 * 0.02)
    assert c.x[1] - c.x[0] == pytest.approx(6371 * np.pi / 180 * 0.02 * np.cos(np.radians(lat0)))
    assert abs(c.x.mean()) < 1e-9 and abs(c.y.mean()) < 1e-9
    np.testing.assert_allclose(project_lonlat(np.array([106.0]), np.array([32.0]), 106, 32), 0)


def test_missing_counts_follow_the_scenario_county_params(tmp_path):
    path = write_csv(tmp_path / "v.csv", GRID)
    big = dataclasses.replace(COUNTY, household_size=5.0, group_households=10.0)
    c = load(path)
    b = load_county_csv(path, county=big, roads=ROADS)
    pop = np.array([r["population"] for r in GRID])
    np.testing.assert_array_equal(b.households, np.rint(pop / 5.0))
    np.testing.assert_array_equal(b.groups, np.maximum(1, np.rint(b.households / 10.0)))
    assert (b.households < c.households).all() and (b.groups >= c.groups).all()


def test_household_size_changes_households_of_a_real_county():
    """county.household_size and group_households reach a real-data county (they used to be
    ignored there: the loader had its own copies of the defaults)."""
    base = load_scenario(ROOT / "scenarios" / "example_real.toml")
    counties = {}
    for size, per_group in ((3.1, 40.0), (4.5, 25.0)):
        s = apply_overrides(
            base, {"county.household_size": size, "county.group_households": per_group}
        )
        c = build_county(s)
        np.testing.assert_array_equal(c.households, np.rint(c.population / size))
        np.testing.assert_array_equal(c.groups, np.maximum(1, np.rint(c.households / per_group)))
        counties[size] = c
    small, large = counties[3.1], counties[4.5]
    assert large.households.sum() < small.households.sum()
    assert (large.households != small.households).sum() > 0.9 * small.n_villages
    np.testing.assert_array_equal(large.population, small.population)


def test_column_table_is_what_the_loader_requires(tmp_path):
    names = [c.name for c in VILLAGE_COLUMNS]
    assert len(set(names)) == len(names)
    assert REQUIRED_VILLAGE == ("id", "population")
    assert {c.required for c in VILLAGE_COLUMNS + EDGE_COLUMNS} <= {"yes", "no", "one pair"}
    assert all(c.meaning and c.type for c in VILLAGE_COLUMNS + EDGE_COLUMNS)
    # Every column the table lists is read: a bad value in it is rejected, naming it.
    for col in (
        "households",
        "groups",
        "area_km2",
        "terrain",
        "border",
        "heritage",
        "corridor",
        "township_seat",
        "township_class",
    ):
        path = write_csv(tmp_path / f"{col}.csv", grid(**{col: "???"}))
        with pytest.raises(DataError) as info:
            load(path)
        assert info.value.key == col
    for col in REQUIRED_VILLAGE:
        path = write_csv(tmp_path / f"no_{col}.csv", GRID, [k for k in GRID[0] if k != col])
        with pytest.raises(DataError, match=f"missing required column\\(s\\) {col}"):
            load(path)


# -- the shipped example ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def example():
    return (
        load_county_csv(DATA / "sichuan_example.csv", county=COUNTY, roads=ROADS),
        load_county_geojson(DATA / "sichuan_example.geojson", county=COUNTY, roads=ROADS),
    )


def test_example_csv_and_geojson_agree(example):
    c, g = example
    assert 50 <= c.n_villages <= 200 and c.n_townships == 8
    for name in (
        "village_id",
        "village_name",
        "township",
        "population",
        "households",
        "border",
        "township_name",
        "township_class",
        "township_seat",
        "edge_a",
        "edge_b",
    ):
        np.testing.assert_array_equal(getattr(c, name), getattr(g, name), err_msg=name)
    np.testing.assert_allclose(c.xy, g.xy)
    np.testing.assert_allclose(c.edge_minutes, g.edge_minutes)
    assert c.county_seat == g.county_seat
    assert connected(c)
    # About 100 km across, as documented in scenarios/data/README.md.
    span = c.xy.max(0) - c.xy.min(0)
    assert np.all((span > 60) & (span < 120))
    assert c.border.sum() > 0 and c.township_border.sum() > 0
    assert str(c.village_name[c.county_seat]) == "Donghe"


# -- GeoJSON polygons ------------------------------------------------------------------------


def square(lon: float, lat: float, d: float = 0.01) -> list[list[float]]:
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


def test_geojson_polygons(tmp_path):
    feats = []
    for i in range(6):
        lon, lat = 106.0 + 0.01 * (i % 3), 32.0 + 0.01 * (i // 3)
        geom = {"type": "Polygon", "coordinates": [square(lon, lat)]}
        if i == 5:  # a MultiPolygon: its square plus a detached island far east
            geom = {
                "type": "MultiPolygon",
                "coordinates": [[square(lon, lat)], [square(106.2, 32.0, 0.005)]],
            }
        feats.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {
                    "id": i + 1,
                    "name": f"P{i}",
                    "township": "T" + str(i // 3),
                    "population": 500 + i,
                },
            }
        )
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    c = load_county_geojson(path, county=COUNTY, roads=ROADS)
    side = 6371 * np.pi / 180 * 0.01
    assert c.area[0] == pytest.approx(side * side * np.cos(np.radians(32.005)), rel=0.01)
    assert c.area[5] == pytest.approx(1.25 * c.area[4], rel=0.01)
    # Seats are centroids; neighbours share an edge (3 × 2 grid: 7 edges).
    assert c.x[1] - c.x[0] == pytest.approx(side * np.cos(np.radians(32.005)), rel=1e-3)
    assert len(c.edge_a) == 7 and connected(c)
    assert len(c.territories) == 6 and len(c.territories[0]) == 4


# -- edges files -----------------------------------------------------------------------------


def test_edges_file_honoured(tmp_path):
    v = write_csv(tmp_path / "v.csv", grid(corridor=lambda i: int(i in (0, 1))))
    # A path 100-101-...-111, one edge listed twice (the faster one wins), one reversed.
    rows = [{"a": 100 + i, "b": 101 + i, "minutes": 5.0 + i, "trunk": ""} for i in range(11)]
    rows.append({"a": 102, "b": 101, "minutes": 2.5, "trunk": 1})
    rows[0]["minutes"] = ""
    e = write_csv(tmp_path / "e.csv", rows)
    c = load(v, edges=e)
    np.testing.assert_array_equal(c.edge_a, np.arange(11))
    np.testing.assert_array_equal(c.edge_b, np.arange(1, 12))
    assert c.edge_minutes[1] == 2.5 and c.edge_trunk[1]
    assert c.edge_minutes[5] == 10.0
    # Missing minutes: computed by road_minutes (villages 0, 1 on the corridor → trunk).
    assert c.edge_trunk[0]
    assert c.edge_minutes[0] == pytest.approx(2.0 * ROADS.detour / ROADS.trunk_kmh * 60)
    assert not c.edge_trunk[2]


def test_edges_file_without_minutes_column(tmp_path):
    v = write_csv(tmp_path / "v.csv", grid())
    e = write_csv(tmp_path / "e.csv", [{"a": 100 + i, "b": 101 + i} for i in range(11)])
    c = load(v, edges=e)
    length = np.hypot(c.x[c.edge_a] - c.x[c.edge_b], c.y[c.edge_a] - c.y[c.edge_b])
    np.testing.assert_allclose(c.edge_minutes, length * ROADS.detour / ROADS.hill_kmh * 60)
    assert connected(c)


def test_disconnected_edges_file(tmp_path):
    v = write_csv(tmp_path / "v.csv", grid())
    e = write_csv(tmp_path / "e.csv", [{"a": 100 + i, "b": 101 + i} for i in range(10) if i != 4])
    with pytest.raises(DataError) as exc:
        load(v, edges=e)
    msg = assert_error(exc, e, None)
    assert "3 components" in msg


def test_edges_unknown_id(tmp_path):
    v = write_csv(tmp_path / "v.csv", grid())
    e = write_csv(tmp_path / "e.csv", [{"a": 100, "b": 101}, {"a": 101, "b": 999}])
    with pytest.raises(DataError) as exc:
        load(v, edges=e)
    msg = assert_error(exc, e, "b")
    assert "999" in msg and "line 3" in msg


def test_missing_edges_file(tmp_path):
    v = write_csv(tmp_path / "v.csv", grid())
    with pytest.raises(DataError) as exc:
        load(v, edges=tmp_path / "nope.csv")
    assert_error(exc, tmp_path / "nope.csv", None)


def test_derived_edges_connected_for_scattered_points(tmp_path):
    rng = np.random.default_rng(3)
    # Two clusters far apart plus a straggler: still one connected road graph.
    pts = np.vstack([rng.normal(0, 3, (40, 2)), rng.normal(60, 3, (40, 2)), [[200, -50]]])
    rows = [
        {
            "id": i,
            "name": f"v{i}",
            "township": f"t{i // 9}",
            "x": x,
            "y": y,
            "population": int(rng.integers(50, 3000)),
        }
        for i, (x, y) in enumerate(pts)
    ]
    c = load(write_csv(tmp_path / "v.csv", rows))
    assert connected(c)
    assert np.all(c.edge_minutes > 0) and np.all(c.area > 0)


# -- bad inputs: one DataError each, naming the file and the column ---------------------------


def test_missing_file(tmp_path):
    p = tmp_path / "missing.csv"
    with pytest.raises(DataError) as exc:
        load(p)
    assert "not found" in assert_error(exc, p, None)
    with pytest.raises(DataError):
        load_county_geojson(tmp_path / "missing.geojson", county=COUNTY, roads=ROADS)


def test_missing_required_column(tmp_path):
    p = write_csv(tmp_path / "v.csv", grid(), ["id", "name", "township", "x", "y"])
    with pytest.raises(DataError) as exc:
        load(p)
    msg = assert_error(exc, p, "population")
    assert "found: id, name, township, x, y" in msg and "required:" in msg
    assert "also read as: population: pop," in msg and "[county.columns]" in msg
    assert "latitude" not in msg  # positions were found: their aliases are not listed


def test_missing_coordinates_columns(tmp_path):
    p = write_csv(tmp_path / "v.csv", grid(), ["id", "name", "township", "x", "population"])
    with pytest.raises(DataError) as exc:
        load(p)
    assert "x,y (km)" in assert_error(exc, p, "lon,lat or x,y")


def test_duplicate_ids(tmp_path):
    rows = grid()
    rows[7]["id"] = rows[2]["id"]
    p = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as exc:
        load(p)
    msg = assert_error(exc, p, "id")
    assert "102" in msg and "line 4" in msg and "line 9" in msg


@pytest.mark.parametrize("value", ["many", "1e999", ""])
def test_non_numeric_population(tmp_path, value):
    rows = grid()
    rows[3]["population"] = value
    p = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as exc:
        load(p)
    assert "line 5" in assert_error(exc, p, "population")


def test_negative_population(tmp_path):
    rows = grid()
    rows[0]["population"] = -5
    p = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as exc:
        load(p)
    assert ">= 50" in assert_error(exc, p, "population")


@pytest.mark.parametrize("value", ["nan", "", "east"])
def test_bad_coordinates(tmp_path, value):
    rows = grid()
    rows[1]["y"] = value
    p = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as exc:
        load(p)
    assert "line 3" in assert_error(exc, p, "y")


def test_latitude_out_of_range(tmp_path):
    rows = [dict(r, lon=106.0 + r["x"] / 100, lat=32.0) for r in GRID]
    rows[2]["lat"] = 95
    p = write_csv(tmp_path / "v.csv", rows, ["id", "name", "township", "lon", "lat", "population"])
    with pytest.raises(DataError) as exc:
        load(p)
    assert_error(exc, p, "lat")


def test_duplicate_points(tmp_path):
    rows = grid()
    rows[5]["x"], rows[5]["y"] = rows[4]["x"], rows[4]["y"]
    p = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as exc:
        load(p)
    msg = assert_error(exc, p, "x")
    assert "line 6" in msg and "line 7" in msg


def test_empty_township(tmp_path):
    rows = grid()
    rows[6]["township"] = "  "
    p = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as exc:
        load(p)
    assert "line 8" in assert_error(exc, p, "township")


def test_unknown_terrain(tmp_path):
    p = write_csv(tmp_path / "v.csv", grid(terrain=lambda i: "swamp" if i == 2 else "hill"))
    with pytest.raises(DataError) as exc:
        load(p)
    msg = assert_error(exc, p, "terrain")
    assert "swamp" in msg and "plain, hill, mountain" in msg


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("border", "maybe"),
        ("township_class", "capital"),
        ("households", "-1"),
        ("groups", "0"),
        ("area_km2", "0"),
        ("id", "x7"),
    ],
)
def test_other_bad_values(tmp_path, column, value):
    rows = grid()
    rows[0][column] = value
    p = write_csv(tmp_path / "v.csv", rows, [*GRID[0], column] if column != "id" else None)
    with pytest.raises(DataError) as exc:
        load(p)
    assert "line 2" in assert_error(exc, p, column)


def test_two_seats_in_one_township(tmp_path):
    p = write_csv(tmp_path / "v.csv", grid(township_seat=lambda i: int(i in (1, 2))))
    with pytest.raises(DataError) as exc:
        load(p)
    assert "Middle" in assert_error(exc, p, "township_seat")


def test_conflicting_township_class(tmp_path):
    rows = grid(township_class=lambda i: "")
    rows[1]["township_class"], rows[2]["township_class"] = "central", "ordinary"
    p = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(DataError) as exc:
        load(p)
    assert_error(exc, p, "township_class")


@pytest.mark.parametrize("text", ["", "id,name,township,x,y,population\n", "\n\n"])
def test_empty_file(tmp_path, text):
    p = tmp_path / "v.csv"
    p.write_text(text)
    with pytest.raises(DataError) as exc:
        load(p)
    msg = assert_error(exc, p, None)
    assert "no villages" in msg or "empty file" in msg


def _feature(i: int, geometry: object = "point") -> dict:
    f = {
        "type": "Feature",
        "properties": {"id": i, "name": f"G{i}", "township": "T", "population": 100 * i},
    }
    if geometry == "point":
        f["geometry"] = {"type": "Point", "coordinates": [106 + 0.01 * i, 32.0 + 0.003 * i * i]}
    elif geometry is not None:
        f["geometry"] = geometry
    return f


@pytest.mark.parametrize(
    ("doc", "key", "words"),
    [
        ("{not json", None, "not valid JSON"),
        ([1, 2], "type", "FeatureCollection"),
        ({"type": "Feature"}, "type", "FeatureCollection"),
        ({"type": "FeatureCollection", "features": []}, "features", "no villages"),
        (
            {"type": "FeatureCollection", "features": [_feature(1), _feature(2, None)]},
            "feature 2",
            "no geometry",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [_feature(1), _feature(2, {"type": "LineString", "coordinates": []})],
            },
            "feature 2",
            "LineString",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [_feature(1), _feature(2, {"type": "Point", "coordinates": ["a", 1]})],
            },
            "feature 2",
            "position",
        ),
    ],
)
def test_malformed_geojson(tmp_path, doc, key, words):
    p = tmp_path / "g.geojson"
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(DataError) as exc:
        load_county_geojson(p, county=COUNTY, roads=ROADS)
    assert words in assert_error(exc, p, key)


def test_geojson_property_errors(tmp_path):
    feats = [_feature(i) for i in range(1, 5)]
    feats[2]["properties"]["population"] = "lots"
    p = tmp_path / "g.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    with pytest.raises(DataError) as exc:
        load_county_geojson(p, county=COUNTY, roads=ROADS)
    assert "feature 3" in assert_error(exc, p, "population")
    for f in feats:
        del f["properties"]["population"]
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    with pytest.raises(DataError) as exc:
        load_county_geojson(p, county=COUNTY, roads=ROADS)
    assert "found: id, name, township" in assert_error(exc, p, "population")
