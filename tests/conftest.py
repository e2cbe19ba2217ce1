"""Fixtures shared by the whole suite: hand-made tiny counties (no county generator needed) and
the seed county with its policy plan, built once per session."""

from __future__ import annotations

import pytest

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.plans import make_plan
from mergesim.rng import Streams
from tiny_county import line_county, merge_line_plan, tiny_scenario


@pytest.fixture
def line():
    """The 6-village line county (two townships) and its merge plan."""
    county = line_county()
    return county, merge_line_plan(county)


@pytest.fixture
def tiny():
    """A tiny scenario with every need rate at zero (tests set the rates they need)."""
    return tiny_scenario()


@pytest.fixture(scope="session")
def seed_county():
    """``(county, plan)`` of the default seed scenario, built once per session."""
    s = Scenario()
    streams = Streams(s.seed)
    county = build_county(s, streams)
    return county, make_plan(county, s, streams)
