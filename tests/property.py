"""Shared Hypothesis strategies and small-county builders for the test suite."""

from __future__ import annotations

from hypothesis import strategies as st

from mergesim.config.load import apply_overrides
from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.county.county import County
from mergesim.rng import Streams


def small_scenario(
    villages: int = 80,
    townships: int = 8,
    seed: int = 7,
    *,
    border_t: int = 1,
    border_v: int = 3,
    heritage_t: int = 0,
    heritage_v: int = 1,
    central: int = 1,
    corridors: int = 2,
    method: str = "policy",
    target: float = 2.0,
) -> Scenario:
    """A validated small synthetic scenario (defaults scaled down from the seed county)."""
    return apply_overrides(
        Scenario(seed=seed, name="small"),
        {
            "county.villages": villages,
            "county.townships": townships,
            "county.population": villages * 760,
            "county.area_km2": villages * 2.1,
            "county.central_townships": central,
            "county.corridors": corridors,
            "border.townships": border_t,
            "border.villages": border_v,
            "heritage.townships": heritage_t,
            "heritage.villages": heritage_v,
            "plan.method": method,
            "plan.target_factor": target,
        },
    )


def small_county(**kw) -> tuple[County, Scenario]:
    """``(county, scenario)`` for :func:`small_scenario` arguments."""
    s = small_scenario(**kw)
    return build_county(s, Streams(s.seed)), s


@st.composite
def scenarios(draw, methods=("policy", "uniform", "ensemble", "none")) -> Scenario:
    """Random small scenarios whose counties the generator can build."""
    townships = draw(st.integers(4, 12))
    villages = draw(st.integers(townships * 3, 160))
    border_t = draw(st.integers(0, 1))
    return small_scenario(
        villages=villages,
        townships=townships,
        seed=draw(st.integers(0, 2**31)),
        border_t=border_t,
        border_v=draw(st.integers(0, 1)) if border_t else 0,  # a township has >= 1 village
        heritage_t=draw(st.integers(0, 1)),
        heritage_v=draw(st.integers(0, 2)),
        central=draw(st.integers(0, 1)),
        corridors=draw(st.integers(0, 3)),
        method=draw(st.sampled_from(methods)),
        target=draw(st.sampled_from([1.5, 2.0, 3.0])),
    )
