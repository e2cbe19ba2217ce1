"""A fast small-scale run of the seed county, and ``run_scenario`` writing its files."""

from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest

from mergesim.metrics import METRICS
from mergesim.model import MergerModel
from tiny_county import short_seed_scenario


@pytest.fixture(scope="module")
def policy_run(seed_county):
    county, plan = seed_county
    return MergerModel(short_seed_scenario(0.02), county=county, plan=plan).run()


def test_seed_county_run_conserves_and_reports(policy_run):
    m = policy_run
    s = m.summary()
    assert s["needs"]["lost"] == 0 and s["needs"]["created"] > 0
    assert s["plan"]["townships_after"] < s["plan"]["townships_before"]
    for w in ("pre", "transition", "post", "change"):
        assert set(s[w]) == set(METRICS)
    json.dumps(s, allow_nan=False)  # NaN became null
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == m.timeline.n_weeks


def test_seed_county_reform_directions(policy_run):
    pre, post = policy_run.summary()["pre"], policy_run.summary()["post"]
    # new townships' centres sit at old seats: nobody gets closer to their centre
    assert post["coverage_admin_30"] <= pre["coverage_admin_30"]
    assert (
        post["coverage_admin_30_unchanged_townships"]
        == pre["coverage_admin_30_unchanged_townships"]
    )
    # agency service and rooms keep more affairs in the village
    assert post["admin_in_village_share"] > pre["admin_in_village_share"] + 0.1


def test_the_merger_alone_harms_absorbed_townships_most(seed_county):
    """Without the companion measures (agency, devolved stations, "1 + 4 + N"), administrative
    travel changes least favourably in the townships merged away."""
    county, plan = seed_county
    s = short_seed_scenario(
        0.02, agency_service=False, devolved_stations=False, health_network=False
    )
    summ = MergerModel(s, county=county, plan=plan).run().summary()
    pre, post = summ["pre"], summ["post"]
    key = "admin_travel_min_mean_{}_townships"
    d_abs = post[key.format("absorbed")] - pre[key.format("absorbed")]
    d_unc = post[key.format("unchanged")] - pre[key.format("unchanged")]
    assert d_abs > d_unc


def test_no_merger_and_no_policies_changes_nothing_structural(seed_county):
    county, _ = seed_county
    from mergesim.plans import make_plan

    s = short_seed_scenario(
        0.005,
        seat_stations=False,
        village_rooms=False,
        agency_service=False,
        transition_duty=False,
        health_network=False,
        devolved_stations=False,
    )
    s = dataclasses.replace(s, plan=dataclasses.replace(s.plan, method="none"))
    m = MergerModel(s, county=county, plan=make_plan(county, s)).run()
    np.testing.assert_array_equal(m.villagers.access_now, m.villagers.access_ref)
    summ = m.summary()
    for k in ("coverage_admin_30", "coverage_clinic_30", "access_min_mean"):
        assert summ["post"][k] == pytest.approx(summ["pre"][k], rel=1e-12)


@pytest.mark.slow
def test_run_scenario_writes_results(tmp_path, seed_county):
    from mergesim.run import RESULT_FILES, run_scenario

    s = short_seed_scenario(0.005)
    summary = run_scenario(s, tmp_path / "out", progress=False)
    out = tmp_path / "out"
    for name in RESULT_FILES:
        assert (out / name).stat().st_size > 0, name
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(summary))
    rows = list(csv.DictReader((out / "timeseries.csv").open()))
    assert len(rows) == s.timeline.warmup_weeks + s.timeline.horizon_weeks
    assert {"week", "phase", "window", *METRICS} <= set(rows[0])
    villages = list(csv.DictReader((out / "villages.csv").open()))
    assert len(villages) == seed_county[0].n_villages
    assert not list(out.glob(".*tmp"))  # no temporary files left behind
