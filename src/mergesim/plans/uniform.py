"""The ``uniform`` plan: the policy's targets with no exemptions and no density gradient.

Every unit has merge propensity 1 and border or heritage units merge like any other, so
merging is driven by size alone (smallest adjacent pairs first) — the counterfactual against
which the seed county's exemptions and gradient are judged.
"""

from __future__ import annotations

from mergesim.config.schema import PlanParams
from mergesim.county.county import County
from mergesim.plans.plan import Plan
from mergesim.plans.policy import merge_plan


def uniform_plan(county: County, params: PlanParams) -> Plan:
    """Same targets as ``policy``; no exemptions, no gradient."""
    return merge_plan(county, params, method="uniform", exemptions=False, gradient=False)
