"""``mesa.batch_run`` over ``MergerModel``: dotted scenario keys as parameters, seeds that vary
the replicates (or are refused), and the window reporters (:mod:`mergesim.model.batch`)."""

from __future__ import annotations

import math
import warnings

import mesa
import pytest

from mergesim.config import apply_overrides
from mergesim.config.schema import Scenario
from mergesim.model import MergerModel, Timeline
from mergesim.model.batch import NONE_REFUSED, REPORTED_WINDOWS, run_seed, window_reporters

#: A small, short seed county.
SHORT = {
    "villagers.scale": 0.01,
    "timeline.warmup_weeks": 4,
    "timeline.burn_in_weeks": 1,
    "timeline.transition_weeks": 2,
    "timeline.horizon_weeks": 4,
    "timeline.post_window_weeks": 2,
}


def _batch(parameters, **kw):
    return mesa.batch_run(
        MergerModel,
        parameters=parameters,
        max_steps=1000,
        number_processes=1,
        display_progress=False,
        **kw,
    )


@pytest.mark.slow
def test_batch_run_with_dotted_scenario_keys():
    rows = _batch(
        {**SHORT, "services.agency_service": [True, False]}, rng=[5], data_collection_period=1
    )
    n_weeks = Timeline.from_params(apply_overrides(Scenario(), SHORT).timeline).n_weeks
    assert len(rows) == 2 * n_weeks  # two runs, one row per week
    by = {}
    for r in rows:
        by.setdefault(r["services.agency_service"], []).append(r)
    assert sorted(len(v) for v in by.values()) == [n_weeks, n_weeks]
    last_on = max(by[True], key=lambda r: r["Step"])
    last_off = max(by[False], key=lambda r: r["Step"])
    assert last_on["admin_in_village_share"] > last_off["admin_in_village_share"]
    first_on = min(by[True], key=lambda r: r["Step"])
    first_off = min(by[False], key=lambda r: r["Step"])
    # before the reform the switch has no effect: identical (common random numbers)
    assert first_on["travel_min_mean"] == first_off["travel_min_mean"]
    # window reporters: None until the last week, then the window summaries
    assert first_on["post.travel_min_mean"] is None
    assert last_on["post.admin_in_village_share"] > last_off["post.admin_in_village_share"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "how", ["rng", "seed_parameter"], ids=["batch_run(rng=...)", "parameters={'seed': ...}"]
)
def test_two_seeds_give_different_window_summaries_on_one_county(how):
    if how == "rng":
        rows = _batch(SHORT, rng=[1, 2])
    else:
        rows = _batch({**SHORT, "seed": [1, 2]})
    assert len(rows) == 2  # data_collection_period=-1: the last row of each run
    a, b = rows
    for window in ("pre", "post"):
        assert a[f"{window}.new_needs_per_1000"] != b[f"{window}.new_needs_per_1000"], window
        assert a[f"{window}.travel_min_mean"] != b[f"{window}.travel_min_mean"], window
    # replicates vary behaviour, not the map: one county and plan
    m1, m2 = (MergerModel(Scenario(), **SHORT, seed=s) for s in (1, 2))
    assert m1.config.seed == 1 and m2.config.seed == 2
    assert (m1.county.population == m2.county.population).all()
    assert (m1.plan.village_to_new == m2.plan.village_to_new).all()


@pytest.mark.slow
def test_window_reporters_equal_the_run_summary():
    model = MergerModel(Scenario(), rng=3, **SHORT).run()
    row = model.datacollector.get_model_vars_dataframe().iloc[-1]
    summary = model.summary()
    checked = 0
    for window in REPORTED_WINDOWS:
        for key, value in summary[window].items():
            got = row[f"{window}.{key}"]
            if value is None:
                assert got is None or math.isnan(got), (window, key)
            else:
                assert got == pytest.approx(value, rel=1e-12, abs=1e-12), (window, key)
                checked += 1
    assert checked > 100


def test_seeds_are_refused_when_batch_run_has_none():
    # What batch_run passes without rng, with iterations=N, and over an 'rng' parameter.
    with pytest.raises(ValueError, match=r"rng=\[1, 2, 3\]") as err:
        MergerModel(Scenario(), rng=None)
    assert str(err.value) == NONE_REFUSED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # `iterations` is deprecated
        with pytest.raises(ValueError, match="rng=None"):
            _batch({**SHORT, "rng": [1, 2]}, iterations=1)
    with pytest.raises(ValueError, match="give the run's seed once"):
        run_seed(1, 2)


def test_run_seed_rules():
    from mergesim.model.batch import UNSET

    assert run_seed(UNSET, None) is None  # the scenario's seed
    assert run_seed(UNSET, 7) == 7
    assert run_seed(None, 7) == 7  # batch_run's None with a seed parameter
    assert run_seed(9, None) == 9
    with pytest.raises(TypeError):
        run_seed(UNSET, 1.5)


def test_window_reporters_cover_every_window_and_metric():
    from mergesim.metrics import METRICS

    names = set(window_reporters())
    assert names == {f"{w}.{k}" for w in ("pre", "transition", "post", "change") for k in METRICS}
