"""``mesa.batch_run`` with dotted scenario keys as parameters."""

from __future__ import annotations

import warnings

import mesa
import pytest

from mergesim.model import MergerModel


@pytest.mark.slow
def test_batch_run_with_dotted_scenario_keys():
    params = {
        "services.agency_service": [True, False],
        "villagers.scale": 0.02,
        "timeline.warmup_weeks": 3,
        "timeline.burn_in_weeks": 1,
        "timeline.transition_weeks": 2,
        "timeline.horizon_weeks": 4,
        "timeline.post_window_weeks": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # `iterations` is deprecated in 3.5
        rows = mesa.batch_run(
            MergerModel,
            parameters=params,
            iterations=1,
            max_steps=100,
            number_processes=1,
            data_collection_period=1,
            display_progress=False,
        )
    assert len(rows) == 2 * 7  # two runs, one row per week
    by = {}
    for r in rows:
        by.setdefault(r["services.agency_service"], []).append(r)
    assert sorted(len(v) for v in by.values()) == [7, 7]
    last_on = max(by[True], key=lambda r: r["Step"])
    last_off = max(by[False], key=lambda r: r["Step"])
    assert last_on["admin_in_village_share"] > last_off["admin_in_village_share"]
    first_on = min(by[True], key=lambda r: r["Step"])
    first_off = min(by[False], key=lambda r: r["Step"])
    # before the reform the switch has no effect: identical (common random numbers)
    assert first_on["travel_min_mean"] == first_off["travel_min_mean"]
