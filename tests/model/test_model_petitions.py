"""Petitions and cadres in a whole run: the transition cost at the default horizon, the
saturation watch in ``summary.json`` and the run's one-line warning, the stability components."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest

from mergesim import api
from mergesim.config import apply_overrides
from mergesim.config.schema import Scenario
from mergesim.model import MergerModel
from tiny_county import short_seed_scenario


@pytest.mark.slow
def test_transition_cost_is_counted_at_the_default_horizon(seed_county):
    """The default timeline runs past the election, which ends kept pay and transitional
    posts; the transition's cost is counted before it does (it was 0.0 in every run)."""
    county, plan = seed_county
    s = Scenario()
    s = dataclasses.replace(
        s, villagers=dataclasses.replace(s.villagers, scale=0.003, sample_agents=5)
    )
    m = MergerModel(s, county=county, plan=plan).run()
    assert m.week > m.cadres.election_week  # the election happened within the run
    c = m.summary()["cadres"]
    assert c["transition_cost_total"] > 0
    assert c["transition_cost_paid"] == pytest.approx(c["transition_cost_total"])
    # Cadres moved up or transferred are still paid by the county.
    assert c["cost_after"]["salaries_elsewhere"] > 0
    assert (
        c["cost_change_pct"]["total"]
        > 100
        * (
            c["cost_after"]["total"]
            - c["cost_after"]["salaries_elsewhere"]
            - c["cost_before"]["total"]
        )
        / c["cost_before"]["total"]
    )


def _overloaded() -> Scenario:
    """Every stage of every unit far over capacity: a long service per case, many filings."""
    return apply_overrides(
        short_seed_scenario(0.01),
        {
            "grievance.background_rate": 10_000.0,
            "petitions.service_days": [30.0] * 6,
            "petitions.taskforce": False,
        },
    )


@pytest.mark.slow
def test_saturation_is_recorded_and_named(seed_county):
    county, plan = seed_county
    m = MergerModel(_overloaded(), county=county, plan=plan).run()
    sat = m.summary()["petitions"]["saturation"]
    assert sat["saturated"] and sat["weeks"] == 8 and sat["townships"]
    assert all(t["weeks"] > 8 for t in sat["townships"])
    line = sat["warning"]
    assert line.startswith("warning: ") and "\n" not in line
    assert all(t["township"] in line for t in sat["townships"])
    calm = MergerModel(short_seed_scenario(0.01), county=county, plan=plan).run()
    quiet = calm.summary()["petitions"]["saturation"]
    assert not quiet["saturated"] and quiet["warning"] is None


def test_the_run_prints_the_saturation_warning(monkeypatch, tmp_path):
    summary = {
        "pre": {},
        "post": {},
        "cadres": {},
        "petitions": {"saturation": {"saturated": True, "warning": "warning: X in 1 unit(s): A"}},
    }
    # No model: the command's report is built from the summary alone.
    stub = SimpleNamespace(county=None, plan=None)
    monkeypatch.setattr("mergesim.run.simulate", lambda *a, **k: stub)
    monkeypatch.setattr("mergesim.plans.level_warnings", lambda *a: [])
    monkeypatch.setattr("mergesim.run.write_results", lambda *a, **k: summary)
    root = Path(__file__).resolve().parents[2]
    text = api.run_scenario_cli(root / "scenarios" / "seed_county.toml", out=tmp_path)
    assert "warning: X in 1 unit(s): A" in text.splitlines()


def test_stability_components_are_headline_metrics(seed_county):
    county, plan = seed_county
    m = MergerModel(short_seed_scenario(0.01), county=county, plan=plan).run()
    post = m.summary()["post"]
    for key in (
        "petitions_per10k",
        "beyond_county_per10k",
        "incidents_per10k",
        "days_to_close_mean",
        "aggrieved_share",
        "escalation_share",
        "stability_index",
    ):
        assert key in post
    facts = m.summary()["petitions"]
    assert set(facts["by_cause"]) >= {"background", "access", "rights"}
    assert len(facts["enforcement_townships"]) == min(
        m.config.petitions.enforcement_towns, m.plan.n_new_townships
    )
