"""The ``file`` plan: round trip through plan.csv and every bad mapping."""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pytest

from mergesim.config.load import apply_overrides
from mergesim.errors import PlanError
from mergesim.plans import make_plan
from mergesim.plans.from_file import load_plan_csv, write_plan_csv
from mergesim.rng import Streams
from property import small_county


@pytest.fixture(scope="module")
def county_plan():
    c, s = small_county(villages=70, townships=6, seed=4)
    return c, make_plan(c, s, Streams(s.seed))


def _rows(path):
    """plan.csv's rows with its index columns as the labels a researcher would write."""
    with open(path, newline="") as fh:
        return [
            {
                "village_id": r["village_id"],
                "new_village": r["new_village_index"],
                "new_township": r["new_township_index"],
            }
            for r in csv.DictReader(fh)
        ]


def _write(path, rows, cols=("village_id", "new_village", "new_township")):
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(cols), extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def test_round_trip(tmp_path, county_plan):
    c, p = county_plan
    write_plan_csv(c, p, tmp_path / "plan.csv")
    q = load_plan_csv(c, tmp_path / "plan.csv")
    assert np.array_equal(p.village_to_new, q.village_to_new)
    assert np.array_equal(p.township_to_new, q.township_to_new)
    assert np.array_equal(p.new_village_seat, q.new_village_seat)
    assert q.notes == []


def test_file_method_through_scenario(tmp_path, county_plan):
    c, p = county_plan
    write_plan_csv(c, p, tmp_path / "plan.csv")
    _, s = small_county(villages=70, townships=6, seed=4)
    s = apply_overrides(
        dataclasses.replace(s, base_dir=str(tmp_path)),
        {"plan.method": "file", "plan.file": "plan.csv"},
    )
    q = make_plan(c, s)
    assert np.array_equal(p.village_to_new, q.village_to_new)


@pytest.mark.parametrize(
    "case",
    [
        "omit",
        "repeat",
        "unknown",
        "badid",
        "split_township",
        "village_spans",
        "missing_col",
        "empty_label",
    ],
)
def test_bad_mappings(tmp_path, county_plan, case):
    c, p = county_plan
    write_plan_csv(c, p, tmp_path / "good.csv")
    rows = _rows(tmp_path / "good.csv")
    cols = ("village_id", "new_village", "new_township")
    if case == "omit":
        rows = rows[1:]
    elif case == "repeat":
        rows.append(dict(rows[0]))
    elif case == "unknown":
        rows[0]["village_id"] = "999999"
    elif case == "badid":
        rows[0]["village_id"] = "abc"
    elif case == "split_township":
        rows[0]["new_township"] = "Elsewhere"
        rows[0]["new_village"] = "Lonely"
    elif case == "village_spans":
        other = next(r for r in rows if r["new_township"] != rows[0]["new_township"])
        other["new_village"] = rows[0]["new_village"]
    elif case == "missing_col":
        cols = ("village_id", "new_village")
    elif case == "empty_label":
        rows[0]["new_village"] = ""
    _write(tmp_path / "bad.csv", rows, cols)
    with pytest.raises(PlanError) as err:
        load_plan_csv(c, tmp_path / "bad.csv")
    line = err.value.line()
    assert "bad.csv" in line and "\n" not in line


def test_missing_file(tmp_path, county_plan):
    c, _ = county_plan
    with pytest.raises(PlanError, match="file not found"):
        load_plan_csv(c, tmp_path / "nope.csv")


def test_non_contiguous_is_reported_not_rejected(tmp_path, county_plan):
    c, _ = county_plan
    # Put two far-apart villages of the same township into one new village.
    t0 = np.flatnonzero(c.township == 0)
    d = np.hypot(c.x[t0] - c.x[t0[0]], c.y[t0] - c.y[t0[0]])
    a, b = t0[0], t0[np.argmax(d)]
    rows = []
    for i in range(c.n_villages):
        nv = "far-pair" if i in (a, b) else f"v{i}"
        rows.append(
            {
                "village_id": int(c.village_id[i]),
                "new_village": nv,
                "new_township": f"t{c.township[i]}",
            }
        )
    _write(tmp_path / "nc.csv", rows)
    q = load_plan_csv(c, tmp_path / "nc.csv")
    assert any("not contiguous" in n for n in q.notes)
