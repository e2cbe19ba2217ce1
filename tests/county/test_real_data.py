"""Bring your own county: column aliases and mapping, delimiter and decimal sniffing, positions
in degrees, townships made when the file has none, and the raw GeoNames example end to end."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from mergesim.api import plan_scenario, run_scenario_cli
from mergesim.config import load_scenario
from mergesim.config.inherited import inherited_from_seed, inherited_note
from mergesim.config.schema import ColumnMap, CountyParams, RoadParams
from mergesim.county.columns import VILLAGE_COLUMNS
from mergesim.county.county import road_matrix
from mergesim.county.geometry import hull_outline, voronoi_territories
from mergesim.county.loaders import load_county_csv
from mergesim.county.townships import make_townships
from mergesim.errors import DataError
from mergesim.plans.checks import units_contiguous
from mergesim.run import planned_points

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "scenarios" / "example_geonames_raw.toml"
RAW_CSV = ROOT / "scenarios" / "data" / "geonames_raw_chongqing.csv"
ROADS = RoadParams()
SHORT = [
    "timeline.warmup_weeks=6",
    "timeline.burn_in_weeks=1",
    "timeline.horizon_weeks=12",
    "timeline.transition_weeks=2",
    "timeline.post_window_weeks=4",
]


def load(path: Path, townships: int = 60, **columns: str):
    county = CountyParams(townships=townships, columns=ColumnMap(**columns))
    return load_county_csv(path, county=county, roads=ROADS)


def _grid_rows(n: int = 24) -> list[tuple]:
    """(id, name, lon, lat, population) of villages on a jittered grid ~2 km apart."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(n):
        lon = 106.0 + 0.02 * (i % 6) + rng.uniform(-0.004, 0.004)
        lat = 30.0 + 0.02 * (i // 6) + rng.uniform(-0.004, 0.004)
        rows.append((1000 + i, f"V{i}", lon, lat, int(rng.integers(300, 5000))))
    return rows


# -- columns --------------------------------------------------------------------------------


def test_column_map_has_one_key_per_village_column():
    keys = [f.name for f in dataclasses.fields(ColumnMap)]
    assert keys == [c.name for c in VILLAGE_COLUMNS]


def test_raw_geonames_columns_are_recognised_and_reported(caplog):
    with caplog.at_level(logging.INFO, logger="mergesim"):
        c = load(RAW_CSV, townships=16)
    lines = [r.getMessage() for r in caplog.records if "villages; columns" in r.getMessage()]
    assert len(lines) == 1
    line = lines[0]
    assert "id = 'geonameid'" in line and "lat = 'latitude'" in line
    assert "lon = 'longitude'" in line and "(ignored: admin1code)" in line
    assert "delimiter ','" in line and "decimal point" in line
    assert c.n_villages == 100 and c.n_townships == 16
    assert c.lonlat_origin is not None
    assert 105.4 < c.lonlat_origin[0] < 106.2 and 29.3 < c.lonlat_origin[1] < 30.1


def test_column_mapping_wins_over_aliases(tmp_path):
    p = tmp_path / "v.csv"
    lines = ["code,name,lat,lon,pop,POP_2020,town"]
    for vid, name, lon, lat, pop in _grid_rows():
        lines.append(f"{vid},{name},{lat},{lon},1,{pop},T{vid % 3}")
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="pop: line 2: pop '1' is out of range"):
        load(p)  # the alias 'pop' is read (and named as the file names it): its values are 1
    c = load(p, population="pop_2020")  # names match case-insensitively
    assert c.population.tolist() == [r[4] for r in _grid_rows()]
    assert c.n_townships == 3  # 'town' is an alias of township


def test_messages_and_report_spell_columns_as_the_file_does(tmp_path, caplog):
    p = tmp_path / "v.csv"
    lines = ["Kennung,Ortsname,Breite,Länge,Einwohner,Gemeinde"]
    lines += [f"{v},{n},{lat},{lon},{pop},T" for v, n, lon, lat, pop in _grid_rows()]
    p.write_text("\n".join(lines) + "\n")
    names = {"id": "kennung", "name": "ORTSNAME", "lat": "Breite", "lon": "Länge"}
    with caplog.at_level(logging.INFO, logger="mergesim"):
        load(p, population="Einwohner", township="Gemeinde", **names)
    line = next(r.getMessage() for r in caplog.records if "villages; columns" in r.getMessage())
    assert "id = 'Kennung'" in line and "population = 'Einwohner'" in line
    lines[3] = lines[3].replace(f",{_grid_rows()[2][4]},", ",abc,")
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="Einwohner: line 4: Einwohner 'abc'"):
        load(p, population="einwohner", township="Gemeinde", **names)
    with pytest.raises(DataError, match="found: Kennung, Ortsname, Breite, Länge"):
        load(p, population="Pop")


def test_semicolon_file_with_decimal_commas_and_thousands_separators(tmp_path, caplog):
    def comma(x: float) -> str:
        return f"{x:.5f}".replace(".", ",")

    p = tmp_path / "v.csv"
    lines = ["id;name;latitude;longitude;population;township"]
    for vid, name, lon, lat, pop in _grid_rows():
        grouped = f"{pop:,}".replace(",", ".")  # 1.234 = one thousand two hundred thirty-four
        lines.append(f"{vid};{name};{comma(lat)};{comma(lon)};{grouped};T")
    p.write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.INFO, logger="mergesim"):
        c = load(p)
    assert c.population.tolist() == [r[4] for r in _grid_rows()]
    assert c.population.min() >= 300  # '1.234' is never one person
    line = next(r.getMessage() for r in caplog.records if "villages; columns" in r.getMessage())
    assert "delimiter ';'" in line and "decimal comma" in line
    assert "thousands separators in population" in line


def test_ambiguous_semicolon_file_reads_decimal_commas(tmp_path):
    p = tmp_path / "v.csv"
    lines = ["id;name;x;y;population;township"]
    lines += [f"{i};V{i};{2 * (i % 4)};{2 * (i // 4)};1.234;T" for i in range(12)]
    p.write_text("\n".join(lines) + "\n")
    assert set(load(p).population.tolist()) == {1234}


def test_quoted_thousands_in_a_comma_file(tmp_path):
    p = tmp_path / "v.csv"
    lines = ["id,name,x,y,population,township"]
    lines += [f'{i},V{i},{2.5 * (i % 4)},{2.5 * (i // 4)},"1,234",T' for i in range(12)]
    p.write_text("\n".join(lines) + "\n")
    assert set(load(p).population.tolist()) == {1234}


def test_x_y_in_degrees_are_recognised_and_km_are_kept(tmp_path, caplog):
    p = tmp_path / "v.csv"
    lines = ["fid,name,X,Y,population,township"]
    lines += [f"{v},{n},{lon},{lat},{pop},T{v % 2}" for v, n, lon, lat, pop in _grid_rows()]
    p.write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.INFO, logger="mergesim"):
        c = load(p)
    assert c.lonlat_origin is not None
    assert any("read as lon/lat degrees" in r.getMessage() for r in caplog.records)
    spacing = np.median(np.sort(np.hypot(*(c.xy[:, None] - c.xy[None]).T), axis=0)[1])
    assert 1.0 < spacing < 3.0  # ~2 km, not 20 m
    forced = load(p, x="X", y="Y")  # naming x, y forces km: they are then 20 m apart
    assert forced.lonlat_origin is None


# -- townships made from villages ------------------------------------------------------------


def _points_county(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, object]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40, (n, 2))
    pop = rng.lognormal(7, 0.8, n)
    outline = hull_outline(xy, 1.0)
    _, _, pairs = voronoi_territories(xy, outline)
    minutes = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T) * 2.0 + 0.1
    road = road_matrix(n, pairs[:, 0], pairs[:, 1], minutes)
    return xy, pop, road


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(20, 120), k=st.integers(1, 10))
def test_made_townships_are_contiguous_seated_and_named(seed, n, k):
    xy, pop, road = _points_county(seed, n)
    names = np.array([f"V{i}" for i in range(n)])
    made = make_townships(xy, pop, road, names, np.arange(n), k)
    t = made.township
    assert sorted(set(t.tolist())) == list(range(k))
    assert np.array_equal(t[made.seat], np.arange(k))  # every seat in its own township
    assert made.name.tolist() == names[made.seat].tolist()
    # Contiguous on the roads (a County is not needed: the check reads edges).
    a, b = road.nonzero()
    fake = dataclasses.make_dataclass("Roads", ["edge_a", "edge_b", "n_villages"])(a, b, n)
    assert units_contiguous(fake, t)[1] == 0
    # Numbered by seat population, largest first.
    assert np.all(np.diff(pop[made.seat]) <= 0)


def test_balancing_evens_out_township_populations():
    xy, pop, road = _points_county(3, 150)
    pop = np.ones(150) * 1000.0  # equal villages: balance is reachable
    made = make_townships(xy, pop, road, np.array([str(i) for i in range(150)]), np.arange(150), 6)
    lo, hi = made.pop_ratio
    assert 0.8 <= lo <= 1.0 <= hi <= 1.2, made.pop_ratio


# -- the raw GeoNames example, end to end ----------------------------------------------------


def _no_nan(word: str) -> None:
    raise AssertionError(f"{word} is not JSON (RFC 8259): undefined values must be null")


def _check_folder(folder: Path, counts: dict[str, int]) -> dict[str, dict]:
    """Every GeoJSON of a folder: valid shapes, one feature per unit, WGS84; read with json and
    shapely (and geopandas when it is installed)."""
    cols = {}
    for name, n in counts.items():
        path = folder / "geometry" / f"{name}.geojson"
        fc = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_nan)
        shapes = [shape(f["geometry"]) for f in fc["features"]]
        assert len(shapes) == n, name
        assert all(s.is_valid and not s.is_empty for s in shapes), name
        assert fc["mergesim:units"] == "degrees" and "WGS84" in fc["mergesim:crs"]
        minx, miny, maxx, maxy = shapely.union_all(shapes).bounds
        assert 105.3 < minx < maxx < 106.3 and 29.2 < miny < maxy < 30.2, name
        cols[name] = fc
    try:
        import geopandas  # noqa: PLC0415 - optional: used only when already installed
    except ImportError:
        return cols
    for name, n in counts.items():
        gdf = geopandas.read_file(folder / "geometry" / f"{name}.geojson")
        assert len(gdf) == n and gdf.geometry.is_valid.all(), name
        assert gdf.crs is not None and gdf.crs.to_epsg() == 4326, name
    return cols


def test_raw_geonames_example_plans_with_no_other_edits(tmp_path, capsys):
    text = RAW.read_text(encoding="utf-8")
    keys = [
        ln.split("=")[0].strip() for ln in text.splitlines() if "=" in ln and not ln.startswith("#")
    ]
    assert keys == ["source", "data", "townships"]
    result = plan_scenario(RAW, out=tmp_path / "plan", maps=False)
    s = result.summary
    assert (s["villages_before"], s["villages_after"]) == (100, 50)
    assert (s["townships_before"], s["townships_after"]) == (16, 8)
    assert result.all_checks_ok, result.report()
    out = capsys.readouterr().out
    assert "real county: keeps the seed county's values in" in out
    assert "made 16 townships" in out
    table = result.report().split()
    assert "nan" not in table  # no terrain classes in the file: the ratios say "n/a"
    assert "n/a" in table
    points = planned_points(load_scenario(RAW), result.county, result.plan)
    cols = _check_folder(
        tmp_path / "plan",
        {
            "villages": 100,
            "townships": 16,
            "merged_villages": 50,
            "new_townships": 8,
            "seats": 1 + 16 + 8 + 50,
            "service_points": len(points["village_after"]),
        },
    )
    written = sorted(p.stem for p in (tmp_path / "plan" / "geometry").glob("*.geojson"))
    assert written == sorted(cols)  # every GeoJSON written was checked
    # One join key: plan.csv's indices are the GeoJSON's.
    rows = (tmp_path / "plan" / "plan.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    first = dict(zip(header, rows[1].split(","), strict=True))
    props = cols["villages"]["features"][0]["properties"]
    for key in ("village_index", "village_id", "new_village_index", "new_township_index"):
        assert str(props[key]) == first[key], key
    assert "# note: real county" in (tmp_path / "plan" / "scenario.toml").read_text()


@pytest.mark.slow
def test_raw_geonames_example_runs_and_writes_outcomes(tmp_path):
    run_scenario_cli(RAW, overrides=SHORT, out=tmp_path / "run", scale=0.02)
    folder = tmp_path / "run"
    n_points = len(
        json.loads((folder / "geometry" / "service_points.geojson").read_text())["features"]
    )
    counts = {"villages": 100, "townships": 16, "merged_villages": 50, "new_townships": 8}
    cols = _check_folder(folder, {**counts, "seats": 75, "service_points": n_points})
    written = sorted(p.stem for p in (folder / "geometry").glob("*.geojson"))
    assert written == sorted(cols)
    v = cols["villages"]["features"]
    assert all(
        "access_change" in f["properties"] and "group_absorbed_villages" in f["properties"]
        for f in v
    )
    rows = (folder / "villages.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    assert header[:3] == ["village_index", "village_id", "village_name"]
    # One join key convention, flags written 0/1 as in plan.csv, the GeoJSON's values.
    for line, f in zip(rows[1:], sorted(v, key=lambda f: f["properties"]["index"]), strict=True):
        row = dict(zip(header, line.split(","), strict=True))
        props = f["properties"]
        for key in ("village_index", "village_id", "new_village_index", "new_township_index"):
            assert row[key] == str(props[key]), key
        for key in ("new_village_seat", "new_township_seat", "township_seat"):
            assert row[key] == str(int(props[key])), key
    pts = json.loads((folder / "geometry" / "service_points.geojson").read_text())
    assert pts["features"] and all(shape(f["geometry"]).is_valid for f in pts["features"])
    assert {"kind_before", "kind_after", "status_after"} <= set(pts["features"][0]["properties"])
    assert "# note: real county" in (folder / "scenario.toml").read_text()


def test_one_township_and_unchanged_townships_warn(tmp_path, capsys):
    p = tmp_path / "v.csv"
    lines = ["id,name,lat,lon,population,township"]
    lines += [f"{v},{n},{lat},{lon},{pop},Only" for v, n, lon, lat, pop in _grid_rows()]
    p.write_text("\n".join(lines) + "\n")
    sc = tmp_path / "one.toml"
    sc.write_text('[county]\nsource = "csv"\ndata = "v.csv"\n')
    result = plan_scenario(sc, write=False)
    assert any("has one township" in n for n in result.summary["notes"])
    assert "mergesim: warning: county 'one' has one township" in capsys.readouterr().err
    plan_scenario(RAW, overrides=["plan.township_target_factor=1"], write=False)
    assert "leaves the township level unchanged (16 townships" in capsys.readouterr().err


def test_inherited_note_names_seed_sections_of_real_counties_only():
    assert inherited_note(load_scenario(ROOT / "scenarios" / "seed_county.toml")) is None
    raw = load_scenario(RAW)
    note = inherited_note(raw)
    assert "[cadres]" in note and "--set " in note
    kept = inherited_from_seed(raw)
    assert "county" not in kept and "plan.target_factor" in kept["plan"]
    changed = load_scenario(RAW, ["plan.target_factor=3"])
    assert "plan.target_factor" not in inherited_from_seed(changed)["plan"]
