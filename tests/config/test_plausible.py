"""Every plausible range of the schema: inside the allowed range, holding the default, sourced."""

from __future__ import annotations

import pytest

from mergesim.config.params import iter_params, iter_plausible
from mergesim.config.schema import Scenario

PLAUSIBLE = list(iter_plausible(Scenario))
DEFAULTS = {k: d for k, _tp, d, _spec in iter_params(Scenario)}

#: The assumptions the levers' headline conclusions rest on (issue: robustness of each
#: conclusion); each must have a plausible range for Morris screening and the range ends.
DECISIVE = (
    "villagers.trust_mean",
    "villagers.threshold_mean",
    "grievance.loss_aversion",
    "grievance.memory_weeks",
    "grievance.contagion",
    "grievance.file_prob",
    "grievance.background_rate",
    "guarantees.services_loss",
    "petitions.resolve_base",
    "petitions.refile_days",
    "services.agency_per_agent_week",
    "services.absent_agency",
)


def test_there_are_plausible_ranges_for_the_decisive_assumptions():
    keys = {k for k, _, _ in PLAUSIBLE}
    assert set(DECISIVE) <= keys, sorted(set(DECISIVE) - keys)


@pytest.mark.parametrize("key,rng,spec", PLAUSIBLE, ids=[k for k, _, _ in PLAUSIBLE])
def test_plausible_range_inside_allowed_and_holds_default(key, rng, spec):
    lo, hi = rng
    assert lo <= hi
    if spec.lo is not None:
        assert lo >= spec.lo
    if spec.hi is not None:
        assert hi <= spec.hi
    default = DEFAULTS[key]
    values = default if isinstance(default, tuple) else (default,)
    assert all(lo <= v <= hi for v in values), (key, default, rng)
    assert spec.source.strip(), key  # a source or "assumption", never blank
