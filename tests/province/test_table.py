"""A province from a CSV table of counties: read, filled in, and bad input refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mergesim.cli import main
from mergesim.errors import DataError
from mergesim.province import ProvinceParams, read_table

ROOT = Path(__file__).resolve().parents[2]
GOOD = """county,townships,villages,population,terrain,border
north,12,150,110000,mountain,1
south,20,260,220000,plain,0
east,8,90,70000,hill,no
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "counties.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_table_is_read_and_filled(tmp_path):
    prov = read_table(_write(tmp_path, GOOD), ProvinceParams(), seed=5)
    ct = prov.counties
    assert list(ct["county"]) == ["north", "south", "east"]
    assert list(ct["border"]) == [True, False, False]
    assert (ct["townships_after"] <= ct["townships"]).all()
    assert (ct["villages_after"] <= ct["villages"]).all()
    assert (ct["area_km2"] > 0).all() and len(prov.map.cells) == 3


@pytest.mark.parametrize(
    ("text", "column", "allowed"),
    [
        (GOOD.replace("mountain", "swamp"), "terrain", "plain, hill, mountain"),
        (GOOD.replace(",150,", ",-3,"), "villages", "integer >= 1"),
        (GOOD.replace(",150,", ",5,"), "villages", "villages >= townships"),
        (GOOD.replace("north,", "no rth,"), "county", "letters, digits"),
        (GOOD.replace(",1\n", ",maybe\n"), "border", "0/1"),
        (GOOD.replace("population", "people"), "people", "allowed: county"),
        ("county,townships,villages\nnorth,12,150\n", "population", "required"),
        (GOOD.replace("east", "north"), "county", "unique"),
    ],
)
def test_bad_table_names_file_column_and_allowed(tmp_path, text, column, allowed):
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as err:
        read_table(path, ProvinceParams(), seed=1)
    assert err.value.key == column and allowed in err.value.message
    assert str(path) == err.value.source


def test_bad_table_exits_2_with_one_line(tmp_path, capsys):
    table = _write(tmp_path, GOOD.replace("mountain", "swamp"))
    exp = tmp_path / "prov.toml"
    scen = (ROOT / "scenarios" / "seed_county.toml").as_posix()
    exp.write_text(
        f'kind = "province"\nscenarios = ["{scen}"]\n[province]\ntable = "{table.name}"\n',
        encoding="utf-8",
    )
    assert main(["sweep", str(exp), "--dry-run", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "terrain" in err and "counties.csv" in err
    assert "Traceback" not in err
