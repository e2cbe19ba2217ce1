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

#: Members from which :func:`ensemble_plans` runs the agglomeration compiled (when Numba is
#: installed): importing Numba and loading the kernel takes about 1 s, the kernel saves about
#: 10 ms a plan (seed county, ``benchmarks/bench_plan.py``).
COMPILED_FROM = 100


def ensemble_member(
    county: County, params: PlanParams, streams: Streams, member: int, *, engine: str = "python"
) -> Plan:
    """Plan number ``member`` of the ensemble (0-based); ``engine`` as in
    :func:`~mergesim.plans.policy.agglomerate` (the same plan either way)."""
    return merge_plan(
        county,
        params,
        method="ensemble",
        exemptions=True,
        gradient=True,
        rng=streams.generator("plan", member),
        seed=streams.int_seed("plan", member),
        engine=engine,
    )


def ensemble_plans(county: County, params: PlanParams, streams: Streams) -> Iterator[Plan]:
    """All ``params.ensemble_size`` members, in order (lazily); compiled agglomeration for
    large ensembles when Numba is installed."""
    engine = "auto" if params.ensemble_size >= COMPILED_FROM else "python"
    for k in range(params.ensemble_size):
        yield ensemble_member(county, params, streams, k, engine=engine)
