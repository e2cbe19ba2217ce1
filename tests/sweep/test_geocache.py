"""The worker's county and plan cache: keyed by what determines them, read-only, never changed
by a run, and the same results with and without it, on one worker or two."""

from __future__ import annotations

import dataclasses
import functools
import hashlib

import numpy as np
import pandas as pd
import pytest
from sweep_standin import write_experiment

from mergesim.config.load import apply_overrides
from mergesim.config.schema import Scenario
from mergesim.results import read_runs
from mergesim.sweep import geocache, load_experiment, run_sweep
from mergesim.sweep.runner import model_run


def _fingerprint(obj) -> str:
    """Digest of every field of a county or plan (array bytes, and which object each is)."""
    h = hashlib.sha256()
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        h.update(f"{f.name}:{id(v)}".encode())
        for item in v if isinstance(v, list) else [v]:
            h.update(item.tobytes() if isinstance(item, np.ndarray) else repr(item).encode())
    return h.hexdigest()


def test_key_ignores_behaviour_and_the_run_seed_once_the_county_seed_is_fixed():
    base = apply_overrides(Scenario(), {"county.seed": 7})
    key = geocache.geography_key(base)
    same = [
        dataclasses.replace(base, seed=99),
        apply_overrides(base, {"villagers.scale": 0.5, "services.agency_service": False}),
    ]
    assert all(geocache.geography_key(s) == key for s in same)
    other = [
        apply_overrides(base, {"plan.target_factor": 3.0}),
        apply_overrides(base, {"county.seed": 8}),
        apply_overrides(base, {"roads.detour": 1.5}),
        dataclasses.replace(base, base_dir="/elsewhere"),
    ]
    assert len({key, *(geocache.geography_key(s) for s in other)}) == 1 + len(other)
    # Without county.seed the run seed is the geography's seed.
    free = Scenario()
    assert geocache.geography_key(free) != geocache.geography_key(
        dataclasses.replace(free, seed=free.seed + 1)
    )


def test_cached_geography_is_shared_read_only_and_unchanged_by_a_run():
    geocache.clear()
    s = apply_overrides(
        Scenario(),
        {
            "county.seed": 3,
            "villagers.scale": 0.002,
            "timeline.warmup_weeks": 4,
            "timeline.burn_in_weeks": 1,
            "timeline.transition_weeks": 2,
            "timeline.horizon_weeks": 6,
            "timeline.post_window_weeks": 2,
        },
    )
    county, plan = geocache.cached_geography(s)
    assert geocache.cached_geography(dataclasses.replace(s, seed=11)) == (county, plan)
    with pytest.raises(ValueError):
        county.population[0] += 1
    with pytest.raises(ValueError):
        plan.village_to_new[0] = 0
    before = (_fingerprint(county), _fingerprint(plan))
    cached = model_run(s)
    assert (_fingerprint(county), _fingerprint(plan)) == before
    assert cached == model_run(s, cache=False)
    geocache.clear()


BODY = """
replications = 2
metrics = ["post.travel_min_mean", "post.petitions_per10k"]
[[factors]]
key = "services.agency_service"
values = [true, false]
[overrides]
"villagers.scale" = 0.002
"timeline.warmup_weeks" = 4
"timeline.burn_in_weeks" = 1
"timeline.transition_weeks" = 2
"timeline.horizon_weeks" = 6
"timeline.post_window_weeks" = 2
"""


@pytest.mark.slow
def test_cached_runs_equal_uncached_on_one_and_two_workers(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, BODY, short=False))
    tables = {}
    for name, kw in {
        "one": {"workers": 1},
        "two": {"workers": 2},
        "uncached": {"workers": 2, "run_fn": functools.partial(model_run, cache=False)},
    }.items():
        res = run_sweep(exp, tmp_path / name, progress=False, **kw)
        assert (res.ok, res.failed) == (4, 0), name
        tables[name] = (
            read_runs(tmp_path / name)
            .drop(columns=["seconds"])
            .sort_values("run_id")
            .reset_index(drop=True)
        )
    pd.testing.assert_frame_equal(tables["one"], tables["two"])
    pd.testing.assert_frame_equal(tables["one"], tables["uncached"])
