"""Hand-made tiny counties, plans and scenarios with known answers (model and mechanism tests).

The standard tiny county is a road *line* of villages ``0 - 1 - 2 - ...`` with ``minutes``
per edge and zero village area (so trips inside a village take 0 minutes and every travel time
is a multiple of the edge minutes).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mergesim.config.schema import Scenario
from mergesim.county.county import County, TownshipClass
from mergesim.plans.plan import Plan


def line_county(
    towns: tuple[tuple[int, ...], ...] = ((0, 1, 2), (3, 4, 5)),
    seats: tuple[int, ...] = (0, 3),
    *,
    minutes: float = 10.0,
    population: int | list[int] = 100,
    area: float = 0.0,
    classes: tuple[int, ...] | None = None,
) -> County:
    """Villages on a line; township ``t`` holds villages ``towns[t]`` and seat ``seats[t]``."""
    n = sum(len(t) for t in towns)
    township = np.zeros(n, dtype=np.int64)
    for t, members in enumerate(towns):
        township[list(members)] = t
    pop = np.broadcast_to(np.asarray(population, dtype=np.int64), (n,)).copy()
    k = len(towns)
    if classes is None:
        classes = (TownshipClass.COUNTY_SEAT,) + (TownshipClass.ORDINARY,) * (k - 1)
    county = County(
        village_id=np.arange(n, dtype=np.int64),
        village_name=np.array([f"v{i}" for i in range(n)]),
        township=township,
        x=np.arange(n, dtype=float) * 5.0,
        y=np.zeros(n),
        population=pop,
        households=np.maximum(1, pop // 4),
        groups=np.ones(n, dtype=np.int64),
        area=np.full(n, area),
        terrain=np.zeros(n, dtype=np.int8),
        border=np.zeros(n, dtype=bool),
        heritage=np.zeros(n, dtype=bool),
        corridor=np.zeros(n, dtype=bool),
        township_name=np.array([f"t{t}" for t in range(k)]),
        township_class=np.asarray(classes, dtype=np.int8),
        township_seat=np.asarray(seats, dtype=np.int64),
        edge_a=np.arange(n - 1, dtype=np.int64),
        edge_b=np.arange(1, n, dtype=np.int64),
        edge_minutes=np.full(n - 1, float(minutes)),
        edge_trunk=np.zeros(n - 1, dtype=bool),
        county_seat=int(seats[0]),
        name="line",
    )
    county.validate()
    return county


def make_plan(
    county: County,
    village_to_new,
    township_to_new,
    new_village_seat,
    new_township_seat,
    method: str = "hand",
) -> Plan:
    """A :class:`Plan` from explicit arrays (names taken from the seat villages)."""
    vs = np.asarray(new_village_seat, dtype=np.int64)
    ts = np.asarray(new_township_seat, dtype=np.int64)
    return Plan(
        method=method,
        seed=None,
        village_to_new=np.asarray(village_to_new, dtype=np.int64),
        township_to_new=np.asarray(township_to_new, dtype=np.int64),
        new_village_seat=vs,
        new_township_seat=ts,
        new_village_name=county.village_name[vs],
        new_township_name=county.village_name[ts],
    )


def identity_plan(county: County) -> Plan:
    """The plan that merges nothing."""
    n, k = county.n_villages, county.n_townships
    return make_plan(
        county, np.arange(n), np.arange(k), np.arange(n), county.township_seat, method="none"
    )


def merge_line_plan(county: County) -> Plan:
    """For the default 6-village line: township 1 merges into township 0 (seat 0); villages
    1 and 2 merge (seat 1); villages 4 and 5 merge (seat 4); 0 and 3 stay alone."""
    return make_plan(county, [0, 1, 1, 2, 3, 3], [0, 0], [0, 1, 3, 4], [0])


def tiny_scenario(**sections) -> Scenario:
    """A scenario for tiny counties: short timeline, scale 1, no needs unless rates are given.

    Keyword arguments are ``section={field: value}`` overrides, e.g.
    ``tiny_scenario(needs={"admin": [0, 1, 1]})``.
    """
    s = Scenario(seed=11)
    zero = [0.0, 0.0, 0.0]
    s = dataclasses.replace(
        s,
        timeline=dataclasses.replace(
            s.timeline,
            warmup_weeks=2,
            burn_in_weeks=0,
            transition_weeks=1,
            horizon_weeks=4,
            post_window_weeks=0,
        ),
        villagers=dataclasses.replace(s.villagers, scale=1.0, sample_agents=5),
        needs=dataclasses.replace(
            s.needs,
            admin=zero,
            health_routine=zero,
            health_serious=zero,
            school=zero,
            elderly_care=zero,
            police_legal=zero,
            banking_telecom=zero,
        ),
    )
    for name, values in sections.items():
        s = dataclasses.replace(s, **{name: dataclasses.replace(getattr(s, name), **values)})
    return s


def short_seed_scenario(scale: float = 0.01, **services) -> Scenario:
    """The seed county at a small scale with a short timeline (fast, still a full reform)."""
    s = Scenario()
    return dataclasses.replace(
        s,
        villagers=dataclasses.replace(s.villagers, scale=scale, sample_agents=20),
        timeline=dataclasses.replace(
            s.timeline,
            warmup_weeks=8,
            burn_in_weeks=2,
            transition_weeks=4,
            horizon_weeks=16,
            post_window_weeks=8,
        ),
        services=dataclasses.replace(s.services, duty_weeks=4, **services),
    )
