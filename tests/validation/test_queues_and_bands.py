"""Petition stage queues against M/M/c and the Jackson tandem, with intervals from the
simulation's own replications; the seed county's plan and cadre bands from the report."""

from __future__ import annotations

import numpy as np
import pytest
from validation_helpers import assert_all_pass

from mergesim.validation import suite


def test_bonferroni_level_covers_every_interval_check():
    # The constant must count the rows it corrects for, or the family level is a lie.
    assert suite.QUEUE_INTERVALS == 6 + 7
    assert suite.QUEUE_LEVEL == pytest.approx(1 - 0.01 / 13)


@pytest.mark.slow
def test_one_stage_is_mmc_erlang_c_and_littles_law():
    rows = suite.queue_single_stage()
    assert len(rows) == 6
    assert_all_pass(rows)
    assert any("Little's law" in r.check for r in rows)


@pytest.mark.slow
def test_six_stage_loop_is_a_jackson_tandem():
    rows = suite.queue_tandem()
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
    rows = suite.queue_single_stage(units=12, weeks=120, warm=20)
    failed = {r.check.split(": ")[-1] for r in rows if r.ok is False}
    assert "mean wait Wq (Erlang C), d" in failed and "P(wait) (Erlang C)" in failed


def test_seed_county_plan_reproduces_the_report_bands():
    rows = suite.plan_bands()
    assert_all_pass(rows)
    names = " ".join(r.check for r in rows)
    for key in (
        "townships abolished",
        "border villages kept",
        "merged villages",
        "village_pop_ratio",
        "township_area_ratio",
        "plan checks",
    ):
        assert key in names


def test_plan_band_fails_outside_its_range(monkeypatch):
    res = suite.seed_plan()
    broken = dict(res.summary, merged_villages=300, border_villages_kept=71)
    monkeypatch.setattr(res, "summary", broken)
    failed = {r.check for r in suite.plan_bands() if r.ok is False}
    assert failed == {"plan: merged villages", "plan: border villages kept"}


@pytest.mark.slow
def test_cadre_bands_hold_in_every_seed():
    from mergesim.validation.cadre_bands import BANDS

    rows = suite.cadre_bands()
    assert [r.check for r in rows] == [f"cadres: {k}" for k in BANDS]
    assert_all_pass(rows)
