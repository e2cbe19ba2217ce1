"""The ``ensemble`` plan family: many random plans under the policy's rules and targets.

Each member runs the policy agglomeration (same exemptions, targets and density gradient) with
every candidate merge's cost multiplied by a log-normal random factor (sigma =
``plan.ensemble_noise``) — randomised greedy region growing. The factors come from the member's
own stream, ``Streams(seed).generator("plan", member)``, so member ``k`` is reproducible on its
own, whatever other members are drawn or in which order. Comparing model outcomes across members
separates the effect of the policy from the luck of one particular map.
"""

from __future__ import annotations

from collections.abc import Iterator

from mergesim.config.schema import PlanParams
from mergesim.county.county import County
from mergesim.plans.plan import Plan
from mergesim.plans.policy import merge_plan
from mergesim.rng import Streams


def ensemble_member(county: County, params: PlanParams, streams: Streams, member: int) -> Plan:
    """Plan number ``member`` of the ensemble (0-based)."""
    return merge_plan(
        county,
        params,
        method="ensemble",
        exemptions=True,
        gradient=True,
        rng=streams.generator("plan", member),
        seed=streams.int_seed("plan", member),
    )


def ensemble_plans(county: County, params: PlanParams, streams: Streams) -> Iterator[Plan]:
    """All ``params.ensemble_size`` members, in order (lazily)."""
    for k in range(params.ensemble_size):
        yield ensemble_member(county, params, streams, k)
