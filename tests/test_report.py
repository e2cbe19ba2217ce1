"""The report draws from the stored files alone: per-run village tables on the stored county
geometry, never a county rebuilt (nor the sweep imported)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from mergesim.plans import make_plan
from mergesim.plotting.compare import label_groups
from mergesim.report import change_map_groups, finalize_results
from mergesim.results import (
    ScenarioInfo,
    Study,
    geometry_dir,
    write_geometry,
    write_run_tables,
    write_runs_table,
)
from mergesim.rng import Streams
from property import small_county

STUDY = Study(
    name="fake",
    description="a hand-made results folder",
    experiment_file="x.toml",
    smoke=False,
    design="factorial",
    replications=2,
    seed=1,
    baseline="base",
    metrics=("post.m",),
    weekly=(),
    formats=("png",),
    response=False,
    scenarios=(ScenarioInfo("base", "base.toml"),),
)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A results folder with two runs of one scenario on a small county, and no way to build
    a county: every ``build_county`` in mergesim raises."""
    county, s = small_county(villages=40, townships=4)
    plan = make_plan(county, s, Streams(s.seed))
    write_geometry(geometry_dir(tmp_path, "k1"), county)
    n = county.n_villages
    new_t = plan.township_to_new[county.township]
    seat = np.zeros(n, dtype=bool)
    seat[plan.new_township_seat] = True
    rows = []
    for rep, shift in enumerate((1.0, 3.0)):
        order = np.arange(n)[::-1]  # stored in any order: joined by the village index
        table = pd.DataFrame(
            {
                "village": order,
                "access_change": 0.1 * order + shift,
                "new_township": new_t[order],
                "new_township_seat": seat[order],
            }
        )
        write_run_tables(tmp_path, f"r{rep}", timeseries=None, villages=table.to_csv(index=False))
        rows.append(
            {
                "run_id": f"r{rep}",
                "scenario": "base",
                "point": 0,
                "replicate": rep,
                "seed": str(rep),
                "status": "ok",
                "county": "k1",
                "post.m": 1.0 + rep,
            }
        )
    write_runs_table(tmp_path, pd.DataFrame(rows))

    def no_county(*args, **kwargs):
        raise AssertionError("the report rebuilt a county")

    for module in [m for name, m in sys.modules.items() if name.startswith("mergesim")]:
        if hasattr(module, "build_county"):
            monkeypatch.setattr(module, "build_county", no_county)
    return tmp_path, county, plan


def test_change_maps_come_from_the_stored_geometry(folder):
    root, county, plan = folder
    runs = label_groups(pd.read_csv(root / "runs.csv", dtype={"seed": str}))
    maps = change_map_groups(root, runs)
    assert list(maps) == ["base"]
    d = maps["base"]
    np.testing.assert_allclose(d["change"], 0.1 * np.arange(county.n_villages) + 2.0)
    np.testing.assert_allclose(d["xy"], county.xy, atol=1e-9)
    # The townships after the reform: their seats, and boundaries dissolved from the villages.
    np.testing.assert_allclose(d["seats"], county.xy[np.sort(plan.new_township_seat)], atol=1e-9)
    assert len(d["boundaries"]) >= plan.n_new_townships


def test_report_draws_the_change_maps_without_a_county(folder):
    root, _, _ = folder
    files = finalize_results(root, STUDY)
    text = (root / "report.md").read_text()
    assert (root / "figures" / "travel_change_maps.png") in files
    assert "figures/travel_change_maps.png" in text and "## Metrics by design point" in text


def test_a_folder_without_geometry_gets_no_maps(folder):
    root, _, _ = folder
    for p in geometry_dir(root, "k1").iterdir():
        p.unlink()
    runs = label_groups(pd.read_csv(root / "runs.csv", dtype={"seed": str}))
    assert change_map_groups(root, runs) == {}
    assert change_map_groups(root, runs.drop(columns=["county"])) == {}
