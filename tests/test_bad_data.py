"""Hostile data files, end to end through the command line: one line, exit 2, nothing written.

The classes of ``docs/bad_input.md`` ("Hostile values in data files"): every read of a village
table, GeoJSON, edges file and plan file turns decoding, parsing, field-length and overflow
errors into one line; numbers are finite and in range; ids exact; geometry valid and plausible.
Each case goes through ``validate``, ``plan``, ``run`` and ``sweep`` as in
``tests/test_bad_input.py`` (whose helpers this file uses).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mergesim.cli import main
from one_error import every_command, one_line
from test_bad_input import HEADER, REAL, ROWS, _cell, _csv, _toml

COLS = HEADER.split(",")


def _row(i: int, **cells: str) -> list[str]:
    """ROWS with row ``i``'s cells replaced."""
    row = ROWS[i]
    for col, value in cells.items():
        row = _cell(row, col, value)
    return [*ROWS[:i], row, *ROWS[i + 1 :]]


def _raw(tmp: Path, data: bytes, name: str = "villages.csv") -> Path:
    (tmp / name).write_bytes(data)
    return _toml(tmp, f'[county]\nsource = "csv"\ndata = "{name}"\n')


def _geojson(tmp: Path, doc: object | str) -> Path:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    (tmp / "v.geojson").write_text(text)
    return _toml(tmp, '[county]\nsource = "geojson"\ndata = "v.geojson"\n')


def _square(i: int, ring: list[list[float]] | None = None) -> dict:
    x, y = 106.0 + 0.02 * (i % 4), 32.0 + 0.02 * (i // 4)
    ring = ring or [[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"id": i, "name": f"V{i}", "township": "T", "population": 500 + i},
    }


def _polygons(tmp: Path, bad: list[list[float]]) -> Path:
    feats = [_square(i) for i in range(8)]
    feats[3] = _square(3, bad)
    return _geojson(tmp, {"type": "FeatureCollection", "features": feats})


def _edges(tmp: Path, text: str | bytes) -> Path:
    path = tmp / "e.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return _toml(tmp, f'extends = "{REAL}"\n[county]\nedges = "e.csv"\n')


def _ids(i: int) -> str:
    return ROWS[i].split(",")[0]


def _plan_file(tmp: Path, data: bytes) -> Path:
    (tmp / "plan.csv").write_bytes(data)
    return _toml(tmp, f'extends = "{REAL}"\n[plan]\nmethod = "file"\nfile = "plan.csv"\n')


def _identity_plan(first_id: str = "") -> bytes:
    """A plan CSV of the real example (every village on its own); the first id replaced."""
    t = COLS.index("township")
    rows = [[r.split(",")[0], r.split(",")[0], r.split(",")[t]] for r in ROWS]
    if first_id:
        rows[0][0] = first_id
    lines = ["village_id,new_village,new_township", *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


def _far(km: float) -> list[str]:
    """ROWS with the last village moved ``km`` km north."""
    lat = float(ROWS[-1].split(",")[COLS.index("lat")])
    return _row(len(ROWS) - 1, lat=f"{lat + km / 111.2:.5f}")


def _extra(tmp: Path, i: int, **values: str) -> Path:
    """The example with extra columns, empty except on row ``i``."""
    rows = [
        r + "".join("," + (v if j == i else "") for v in values.values())
        for j, r in enumerate(ROWS)
    ]
    return _csv(tmp, rows, ",".join([*COLS, *values]))


LONG = "x" * 200_000

#: id -> (setup(tmp) -> scenario path, words the one line must contain)
CASES = {
    # Decoding, parsing, field length.
    "villages_latin1": (
        lambda t: _raw(
            t, (HEADER + "\n" + "\n".join(ROWS)).encode().replace(b"Donghe", b"D\xf6nghe")
        ),
        "not UTF-8 text",
    ),
    "villages_nul_byte": (
        lambda t: _raw(t, ("\n".join([HEADER, *ROWS[:3]]) + "\n1,A\x00,x\n").encode()),
        "holds a NUL byte",
    ),
    "villages_field_too_long": (lambda t: _csv(t, _row(2, name=LONG)), "malformed CSV"),
    "name_with_control_character": (
        lambda t: _csv(t, _row(2, name='"Dong\nhe"')),
        "holds a control character (U+000A)",
    ),
    "decimal_marks_mixed": (
        lambda t: _csv(t, _row(2, lat='"32,5"')),
        "mixes decimal commas",
    ),
    # Ids: exact integers within 2^53.
    "id_above_2_53": (lambda t: _csv(t, _row(2, id="9007199254740993")), "is out of range"),
    "fractional_id": (lambda t: _csv(t, _row(2, id="1806516.5")), "is not a whole number"),
    # Overflowing or implausible numbers.
    "coordinate_1e20": (lambda t: _csv(t, _row(2, lon="1e20")), "lon '1e20' is out of range"),
    "coordinate_1e200": (lambda t: _csv(t, _row(2, lat="1e200")), "lat '1e200' is out of range"),
    "coordinate_1e400": (lambda t: _csv(t, _row(2, lon="1e400")), "is not a finite number"),
    "zero_population": (
        lambda t: _csv(t, _row(2, population="0")),
        "population '0' is out of range; allowed: >= 50",
    ),
    "population_of_one": (lambda t: _csv(t, _row(2, population="1")), "allowed: >= 50"),
    "population_1e15": (lambda t: _csv(t, _row(2, population="1e15")), "<= 1e+06"),
    "area_1e30": (lambda t: _extra(t, 2, area_km2="1e30"), "area_km2 '1e30' is out of range"),
    "households_above_population": (
        lambda t: _extra(t, 2, households="99999"),
        "exceeds the village's",
    ),
    # Geometry.
    "zero_area_polygon": (
        lambda t: _polygons(t, [[106.1, 32.1], [106.12, 32.1], [106.14, 32.1], [106.1, 32.1]]),
        "feature 4: polygon has zero area",
    ),
    "bow_tie_polygon": (
        lambda t: _polygons(
            t, [[106.1, 32.1], [106.12, 32.12], [106.12, 32.1], [106.1, 32.12], [106.1, 32.1]]
        ),
        "polygon is not valid (Self-intersection",
    ),
    "overlapping_multipolygon_parts": (
        lambda t: _geojson(
            t,
            {
                "type": "FeatureCollection",
                "features": [_square(i) for i in range(3)]
                + [
                    {
                        **_square(3),
                        "geometry": {
                            "type": "MultiPolygon",
                            "coordinates": [
                                _square(3)["geometry"]["coordinates"],
                                _square(3)["geometry"]["coordinates"],
                            ],
                        },
                    }
                ],
            },
        ),
        "feature 4: MultiPolygon is not valid",
    ),
    "village_300_km_from_its_seat": (
        lambda t: _csv(t, _far(300)),
        "km from the seat of its township",
    ),
    "village_3000_km_away": (
        lambda t: _csv(t, _far(3000)),
        "lat: villages span 3,073 km north–south (line 35 to line 56); allowed: <= 1,000 km",
    ),
    "xy_in_metres": (lambda t: _metres(t), "are x, y in metres?"),
    # GeoJSON parsing.
    "geojson_nested_too_deep": (
        lambda t: _geojson(t, "[" * 100_000 + "]" * 100_000),
        "nested too deeply",
    ),
    "geojson_huge_integer": (
        lambda t: _geojson(t, '{"type": "FeatureCollection", "features": [' + "9" * 5000 + "]}"),
        "not usable JSON: a number has too many digits",
    ),
    "geojson_position_overflow": (
        lambda t: _polygons(t, [[1e400, 32.1], [106.12, 32.1], [106.12, 32.12], [1e400, 32.1]]),
        "bad position",
    ),
    # Edges.
    "edge_minutes_1e300": (
        lambda t: _edges(t, f"a,b,minutes\n{_ids(0)},{_ids(1)},1e300\n"),
        "minutes '1e300' is out of range; allowed: > 0 and <= 1440",
    ),
    "edge_minutes_zero": (
        lambda t: _edges(t, f"a,b,minutes\n{_ids(0)},{_ids(1)},0\n"),
        "allowed: > 0",
    ),
    "edges_latin1": (lambda t: _edges(t, b"a,b,minutes\n1,2,\xe9\n"), "not UTF-8 text"),
    "edges_is_a_folder": (
        lambda t: (
            (t / "e.csv").mkdir(),
            _toml(t, f'extends = "{REAL}"\n[county]\nedges = "e.csv"\n'),
        )[1],
        "e.csv: is not a file (a folder)",
    ),
    "villages_symlink_loop": (
        lambda t: (
            (t / "loop.csv").symlink_to(t / "loop.csv"),
            _toml(t, '[county]\nsource = "csv"\ndata = "loop.csv"\n'),
        )[1],
        "loop.csv: cannot read the file (Too many levels of symbolic links)",
    ),
    "plan_file_name_too_long": (
        lambda t: _toml(
            t, f'extends = "{REAL}"\n[plan]\nmethod = "file"\nfile = "{"p" * 300}.csv"\n'
        ),
        "plan.file: cannot read the file (File name too long)",
    ),
    # Plan files: the same reader.
    "plan_file_latin1": (
        lambda t: _plan_file(t, _identity_plan().replace(b"Donghe", b"D\xf6nghe")),
        "not UTF-8 text",
    ),
    "plan_file_field_too_long": (lambda t: _plan_file(t, _identity_plan(LONG)), "malformed CSV"),
    "plan_file_nul_byte": (lambda t: _plan_file(t, _identity_plan("1\x00")), "holds a NUL byte"),
    "plan_file_fractional_id": (
        lambda t: _plan_file(t, _identity_plan(_ids(0) + ".5")),
        "is not a whole-number id",
    ),
    "plan_file_id_overflow": (
        lambda t: _plan_file(t, _identity_plan("1e400")),
        "is not a whole-number id",
    ),
    # Columns and townships.
    "mapped_column_missing": (
        lambda t: (
            (t / "v.csv").write_text("\n".join([HEADER, *ROWS]) + "\n"),
            _toml(t, '[county]\nsource = "csv"\ndata = "v.csv"\n[county.columns]\nlat = "Y"\n'),
        )[1],
        "column 'Y' named by county.columns.lat is not in the file",
    ),
    "too_many_townships_to_make": (
        lambda t: _no_townships(t, 40),
        "set [county] townships to at most 27",
    ),
}


def _metres(tmp: Path) -> Path:
    """The example with x, y in metres (a UTM export) instead of lon, lat."""
    lon, lat = COLS.index("lon"), COLS.index("lat")
    cols = [c if c not in ("lon", "lat") else {"lon": "x", "lat": "y"}[c] for c in COLS]
    rows = []
    for r in ROWS:
        cells = r.split(",")
        cells[lon] = f"{(float(cells[lon]) - 106) * 94_000:.0f}"
        cells[lat] = f"{(float(cells[lat]) - 32) * 111_000 + 3_500_000:.0f}"
        rows.append(",".join(cells))
    return _csv(tmp, rows, ",".join(cols))


def _no_townships(tmp: Path, k: int) -> Path:
    keep = [i for i, c in enumerate(COLS) if c not in ("township", "township_seat")]
    rows = [",".join(r.split(",")[i] for i in keep) for r in ROWS]
    (tmp / "v.csv").write_text("\n".join([",".join(COLS[i] for i in keep), *rows]) + "\n")
    return _toml(tmp, f'[county]\nsource = "csv"\ndata = "v.csv"\ntownships = {k}\n')


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_data_is_one_line_exit_2_and_writes_nothing(case, tmp_path, capsys):
    setup, words = CASES[case]
    scenario = setup(tmp_path)
    out = tmp_path / "results"
    commands = every_command(scenario, out)
    for name, argv in commands.items():
        assert main(argv) == 2, name
        line = one_line(capsys)
        assert words in line, (name, line)
        assert not out.exists(), f"{name} left {sorted(out.rglob('*'))}"


def test_plan_file_merging_two_border_villages_fails_a_check(tmp_path, capsys):
    """An exemption broken by a plan file is a failed plan check (exit 1, files written), as
    for a generated plan; so is a heritage unit."""
    border = [i for i, r in enumerate(ROWS) if r.split(",")[COLS.index("border")] == "1"]
    t = COLS.index("township")
    a, b = next(
        (i, j)
        for i in border
        for j in border
        if i < j and ROWS[i].split(",")[t] == ROWS[j].split(",")[t]
    )
    lines = _identity_plan().decode().splitlines()
    cells = lines[b + 1].split(",")
    cells[1] = _ids(a)
    lines[b + 1] = ",".join(cells)
    scenario = _plan_file(tmp_path, ("\n".join(lines) + "\n").encode())
    out = tmp_path / "plan"
    assert main(["plan", str(scenario), "--out", str(out), "--no-maps"]) == 1
    text = capsys.readouterr().out
    assert "[FAIL] border kept:" in text
    assert (out / "plan_summary.json").is_file()
