"""The results-folder format (:mod:`mergesim.results`): county keys, run tables, summaries."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from mergesim.errors import UserError
from mergesim.results import (
    county_key,
    read_run_timeseries,
    read_runs,
    read_timeseries,
    read_villages,
    summary_columns,
    tag_timeseries,
    write_run_tables,
    write_runs_table,
    write_timeseries_table,
)
from property import small_scenario


def test_county_key_names_the_geography():
    s = small_scenario()
    pinned = dataclasses.replace(s, county=dataclasses.replace(s.county, seed=11))
    # Replicates share the geography (county.seed pinned): the run seed does not matter.
    assert county_key(dataclasses.replace(pinned, seed=1)) == county_key(
        dataclasses.replace(pinned, seed=2)
    )
    # Unpinned, the scenario's seed draws the county.
    assert county_key(dataclasses.replace(s, seed=1)) != county_key(dataclasses.replace(s, seed=2))
    other = dataclasses.replace(pinned, county=dataclasses.replace(pinned.county, seed=12))
    assert county_key(other) != county_key(pinned)
    plan = dataclasses.replace(pinned, plan=dataclasses.replace(pinned.plan, target_factor=3.0))
    assert county_key(plan) == county_key(pinned)  # the plan is not the county


def test_run_tables_round_trip(tmp_path):
    write_run_tables(
        tmp_path,
        "r1",
        timeseries="week,x\n0,1.5\n1,2\n",
        villages="village,access_change\n1,0.5\n0,-1\n",
    )
    write_run_tables(tmp_path, "r2", timeseries=None, villages="")
    ts = read_run_timeseries(tmp_path, "r1")
    assert list(ts["x"]) == [1.5, 2.0]
    assert read_run_timeseries(tmp_path, "r2") is None and read_villages(tmp_path, "r2") is None
    # An old-format table (before the join keys were named) reads under the current names.
    assert list(read_villages(tmp_path, "r1", ["village_index"])["village_index"]) == [1, 0]
    tagged = tag_timeseries(pd.DataFrame({"week": [0, 1], "n": [1, 2]}), "r1", "s", 0, 3)
    assert list(tagged.columns) == ["run_id", "scenario", "point", "replicate", "week", "n"]
    assert tagged["n"].dtype == float  # one schema across runs
    write_timeseries_table(tmp_path, [tagged, tagged.assign(run_id="r2")])
    assert len(read_timeseries(tmp_path, ["n"])) == 4


def test_runs_table_keeps_seeds_as_text(tmp_path):
    with pytest.raises(UserError, match="no runs table"):
        read_runs(tmp_path)
    seed = str(2**62 + 1)  # more digits than a float holds
    write_runs_table(tmp_path, pd.DataFrame({"run_id": ["a"], "seed": [seed], "m": [1.0]}))
    assert read_runs(tmp_path)["seed"].iloc[0] == seed


def test_summary_columns():
    cols = summary_columns({"post": {"x": 1.0, "hist": [1, 2], "none": None}, "name": "s"})
    assert cols["post.x"] == 1.0 and cols["name"] == "s" and np.isnan(cols["post.none"])
    assert "post.hist" not in cols
