"""Petition stage queues against M/M/c and the Jackson tandem, with intervals from the
simulation's own replications (verification); the seed county's plan and services against the
report's rules (verification), its fitted target (calibration) and the figures not fitted
(validation)."""

from __future__ import annotations

import numpy as np
import pytest
from validation_helpers import assert_all_pass

from mergesim.validation import checks_queues, checks_report
from mergesim.validation.checks_network import seed_plan
from mergesim.validation.result import CALIBRATION, VALIDATION, VERIFICATION


def test_bonferroni_level_covers_every_interval_check():
    # The constant must count the rows it corrects for, or the family level is a lie.
    assert checks_queues.QUEUE_INTERVALS == 6 + 7
    assert checks_queues.QUEUE_LEVEL == pytest.approx(1 - 0.01 / 13)


@pytest.mark.slow
def test_one_stage_is_mmc_erlang_c_and_littles_law():
    rows = checks_queues.queue_single_stage()
    assert len(rows) == 6
    assert_all_pass(rows)
    assert any("Little's law" in r.check for r in rows)


@pytest.mark.slow
def test_six_stage_loop_is_a_jackson_tandem():
    rows = checks_queues.queue_tandem()
    assert len(rows) == 7
    assert_all_pass(rows)


def test_a_missing_server_fails_the_queue_check(monkeypatch):
    """If the loop ran one server short (a staffing bug), the Erlang C check must fail."""
    from mergesim.mechanisms.petitions import PetitionLoop

    real = PetitionLoop.set_staffing

    def one_short(self, servers, speed=None):
        servers = np.array(servers, copy=True)
        servers[0] = np.maximum(servers[0] - 1, 1)
        return real(self, servers, speed)

    monkeypatch.setattr(PetitionLoop, "set_staffing", one_short)
    # M/M/3 at ρ = 0.8 run on two servers is unstable: waits grow without bound.
    rows = checks_queues.queue_single_stage(units=12, weeks=120, warm=20)
    failed = {r.check.split(": ")[-1] for r in rows if r.ok is False}
    assert "mean wait Wq (Erlang C), d" in failed and "P(wait) (Erlang C)" in failed


def test_seed_county_plan_keeps_the_report_rules():
    rows = checks_report.plan_rules()
    assert_all_pass(rows)
    assert {r.part for r in rows} == {VERIFICATION}
    names = " ".join(r.check for r in rows)
    for key in ("border villages", "border townships", "heritage", "round(before ÷ target)"):
        assert key in names


def test_plan_rule_fails_when_an_exemption_is_broken(monkeypatch):
    res = seed_plan()
    broken = dict(res.summary, border_villages_kept=71, villages_after=600)
    monkeypatch.setattr(res, "summary", broken)
    failed = {r.check for r in checks_report.plan_rules() if r.ok is False}
    assert failed == {
        "plan: border villages (三边村) kept",
        "plan: villages after = round(before ÷ target)",
    }


def test_merged_villages_is_a_calibration_target_with_its_knobs(monkeypatch):
    (row,) = checks_report.plan_calibration()
    assert row.part == CALIBRATION and row.figure == "merged_villages"
    assert row.knobs == "plan.size_exponent, plan.gradient_strength"
    assert row.ok is (345 <= int(row.ours.replace(",", "")) <= 420)
    res = seed_plan()
    monkeypatch.setattr(res, "summary", dict(res.summary, merged_villages=300))
    (row,) = checks_report.plan_calibration()
    assert row.ok is False and row.error == "-83 (-21.7 %)"


def test_unfitted_plan_figures_are_validation_rows_with_their_error():
    rows = {r.figure: r for r in checks_report.plan_validation()}
    assert set(rows) == {"townships_abolished", "villages_merged_away"}
    sm = seed_plan().summary
    for fid, key, report in (
        ("townships_abolished", "townships_abolished", 30),
        ("villages_merged_away", "villages_merged_away", 549),
    ):
        r = rows[fid]
        assert r.part == VALIDATION and r.basis.startswith("by construction")
        assert r.error.startswith(f"{sm[key] - report:+d}")


@pytest.mark.slow
def test_services_follow_the_report_rules_at_the_reform():
    rows = checks_report.services_layout()
    assert_all_pass(rows)
    assert len(rows) == 5
