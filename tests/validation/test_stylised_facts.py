"""The stylised-fact direction checks (:mod:`mergesim.validation.stylised`): validation rows.

Each function registered in :data:`suite.STYLISED_FACTS` runs here and in
``mergesim validate --model``. Whether a fact holds is a finding the command reports, not
something this file asserts; it checks that each fact is computed, reported in the validation
part, and that the periphery fact is reported by both readings of "periphery".
"""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.validation import stylised, suite
from mergesim.validation.result import DIRECTION, VALIDATION


@pytest.mark.slow
@pytest.mark.parametrize("check", suite.STYLISED_FACTS, ids=lambda fn: fn.__name__)
def test_stylised_fact_is_a_validation_row_with_a_verdict(check):
    rows = check()
    assert rows
    for r in rows:
        assert r.part == VALIDATION and r.basis.startswith(DIRECTION)
        assert isinstance(r.ok, bool), r.check


def test_every_fact_is_registered():
    assert set(stylised.FACTS) <= set(suite.all_checks())


def test_registered_facts_are_part_of_the_command(monkeypatch):
    def fact():
        return [suite.Result("fact: direction", "> 0", "1.0", "sign", True, part=VALIDATION)]

    monkeypatch.setattr(suite, "STYLISED_FACTS", [fact])
    assert suite.all_checks()[-1] is fact
    assert suite.run_checks([*suite.STYLISED_FACTS])[0].check == "fact: direction"


def test_periphery_is_reported_both_ways_with_and_without_retention():
    rows = stylised.periphery_travel_rises_most()
    names = {r.check for r in rows}
    for label in ("seed", "no retention"):
        for centre in ("merged township's centre", "old township's centre"):
            assert f"{label}: Δ admin minutes, far vs near tercile to the {centre}" in names
    for r in rows:  # the verdict is the comparison shown
        far, near = (float(x) for x in r.ours.split(" vs "))
        assert r.ok is (far > near)


def test_greater_is_a_strict_direction():
    assert stylised._greater("x", "a", 1.0, "b", 0.0).ok is True
    assert stylised._greater("x", "a", 0.0, "b", 0.0).ok is False


def test_reform_change_is_deterministic_and_consistent():
    c = stylised.reform_change()
    stylised.reform_change.cache_clear()
    stylised.reform_model.cache_clear()
    again = stylised.reform_change()
    np.testing.assert_array_equal(c.admin_change, again.admin_change)
    assert c.admin_change.shape == c.weight.shape == c.centre_post.shape
    # Villages not merged in townships not merged keep their centre where it was.
    same = c.masks["unchanged_townships"]
    np.testing.assert_allclose(c.centre_post[same], c.centre_pre[same])
