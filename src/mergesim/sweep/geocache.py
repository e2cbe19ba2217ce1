"""Each sweep worker builds a county and its plan once, not once per run.

Most runs of a sweep share their geography: replicates differ in the run seed only (the design
fixes ``county.seed``), and most factors are behavioural. :func:`cached_geography` keeps the
county and plan of the last few geographies a worker built, keyed by a hash of every setting that
can change them: the scenario with its behavioural sections (which neither the county generator
nor the plans read) reset, its run seed dropped when ``county.seed`` fixes the geography, and
its folder (relative data paths). A setting not known to be behavioural is part of the key, so
a new section can only cost a cache miss, never a wrong county.

Cached objects are shared by the runs of a worker, so their arrays are made read-only: a run
that wrote into its county or plan would fail loudly instead of changing the next run.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from typing import Any

import numpy as np

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.county.county import County
from mergesim.plans import make_plan
from mergesim.plans.plan import Plan
from mergesim.rng import Streams

__all__ = ["BEHAVIOUR_SECTIONS", "cached_geography", "clear", "geography_key"]

#: Scenario sections the county generator, the data loaders and the plans never read.
BEHAVIOUR_SECTIONS = (
    "timeline",
    "villagers",
    "needs",
    "services",
    "cadres",
    "grievance",
    "guarantees",
    "conflict",
    "communication",
    "petitions",
    "stability",
)

#: Geographies kept per worker (a county and plan of the seed county: a few MB each).
MAX_ENTRIES = 4

_CACHE: OrderedDict[str, tuple[County, Plan]] = OrderedDict()


def geography_key(scenario: Scenario) -> str:
    """A hash of every setting that can change the scenario's county or plan."""
    defaults = Scenario()
    reset: dict[str, Any] = {
        name: getattr(defaults, name)
        for name in BEHAVIOUR_SECTIONS
        if any(f.name == name for f in dataclasses.fields(Scenario))
    }
    reset["description"] = ""
    if scenario.county.seed is not None:
        reset["seed"] = 0  # the geography's streams and the plan's seed come from county.seed
    geo = dataclasses.replace(scenario, **reset)
    text = f"{geo!r}|{scenario.base_dir}"
    return hashlib.sha256(text.encode()).hexdigest()


def cached_geography(scenario: Scenario) -> tuple[County, Plan]:
    """The county and plan of ``scenario`` (as ``MergerModel`` builds them), from the cache.

    Raises:
        mergesim.errors.UserError: Bad data or plan file (one line), as without the cache.
    """
    key = geography_key(scenario)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    plan = make_plan(county, scenario, streams)
    _freeze(county)
    _freeze(plan)
    _CACHE[key] = (county, plan)
    while len(_CACHE) > MAX_ENTRIES:
        _CACHE.popitem(last=False)
    return county, plan


def clear() -> None:
    """Forget every cached geography."""
    _CACHE.clear()


def _freeze(obj: County | Plan) -> None:
    """Make every NumPy array of ``obj`` (also inside its lists) read-only."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, np.ndarray):
                item.flags.writeable = False
