"""Fixtures of the cadre tests."""

from __future__ import annotations

import pytest
from cadre_helpers import reform

from mergesim.plans import make_plan
from property import small_county


@pytest.fixture(scope="session")
def small():
    """A small policy-merged county, its plan, and the cadres before and after the reform."""
    county, s = small_county(villages=90, townships=9, seed=11)
    plan = make_plan(county, s)
    before, after = reform(county, plan, s.cadres)
    return county, plan, s.cadres, before, after
