"""The stylised-fact direction checks (:mod:`mergesim.validation.stylised`).

Each function registered in :data:`suite.STYLISED_FACTS` runs here and in
``mergesim validate --model``.
"""

from __future__ import annotations

import numpy as np
import pytest
from validation_helpers import assert_all_pass

from mergesim.validation import stylised, suite


@pytest.mark.slow
@pytest.mark.parametrize("check", suite.STYLISED_FACTS, ids=lambda fn: fn.__name__)
def test_stylised_fact(check):
    assert_all_pass(check())


def test_every_fact_is_registered():
    assert set(stylised.FACTS) <= set(suite.all_checks())


def test_registered_facts_are_part_of_the_command(monkeypatch):
    def fact():
        return [suite.Result("fact: direction", "> 0", "1.0", "sign", True)]

    monkeypatch.setattr(suite, "STYLISED_FACTS", [fact])
    assert suite.all_checks()[-1] is fact
    assert suite.run_checks([*suite.STYLISED_FACTS])[0].check == "fact: direction"


def test_retention_reverses_the_old_centre_periphery_loss():
    """The documented exception, so the direction test is not one that cannot fail: with the
    seed county's retention the villages far from their *old* centre gain (agency service and
    village rooms save them the longest trips); without retention they lose most."""

    def far_minus_near(c):
        lo, hi = np.quantile(c.centre_pre, [1 / 3, 2 / 3])
        return stylised._wmean(c.admin_change, c.weight, c.centre_pre >= hi) - stylised._wmean(
            c.admin_change, c.weight, c.centre_pre <= lo
        )

    assert far_minus_near(stylised.reform_change()) < 0
    assert far_minus_near(stylised.reform_change("no retention", True)) > 0


def test_reform_change_is_deterministic_and_consistent():
    c = stylised.reform_change()
    stylised.reform_change.cache_clear()
    again = stylised.reform_change()
    np.testing.assert_array_equal(c.admin_change, again.admin_change)
    assert c.admin_change.shape == c.weight.shape == c.centre_post.shape
    # Villages not merged in townships not merged keep their centre where it was.
    same = c.masks["unchanged_townships"]
    np.testing.assert_allclose(c.centre_post[same], c.centre_pre[same])
