"""Week arithmetic of the timeline, and the schema's checks of contradictory settings."""

from __future__ import annotations

import pytest

from mergesim.config.params import build_section
from mergesim.config.schema import Scenario
from mergesim.errors import ScenarioError
from mergesim.mechanisms.timeline import Phase, Timeline


def test_windows_and_phases():
    tl = Timeline(warmup=10, burn_in=2, transition=4, horizon=20, post_window=6)
    assert (tl.reform_week, tl.transition_end, tl.n_weeks) == (10, 14, 30)
    assert tl.window("pre") == range(2, 10)
    assert tl.window("transition") == range(10, 14)
    assert tl.window("post") == range(24, 30)
    assert [tl.phase(w) for w in (0, 9, 10, 13, 14, 29)] == [
        Phase.PRE,
        Phase.PRE,
        Phase.TRANSITION,
        Phase.TRANSITION,
        Phase.POST,
        Phase.POST,
    ]
    assert tl.window_of(1) is None and tl.window_of(20) is None and tl.window_of(25) == "post"
    assert Timeline(10, 0, 0, 5).window("transition") == range(10, 10)
    assert Timeline(10, 0, 4, 20, 0).window("post") == range(14, 30)
    with pytest.raises(ValueError):
        tl.window("later")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"timeline": {"transition_weeks": 200}}, "timeline.transition_weeks"),
        ({"timeline": {"burn_in_weeks": 26}}, "timeline.burn_in_weeks"),
        ({"timeline": {"post_window_weeks": 140}}, "timeline.post_window_weeks"),
        ({"villagers": {"child_share": 0.6, "elderly_share": 0.5}}, "villagers.elderly_share"),
        ({"villagers": {"trust_mean": 0.9, "trust_sd": 0.4}}, "villagers.trust_sd"),
        ({"needs": {"admin": [0.1, 0.1]}}, "needs.admin"),
        ({"services": {"station_share": 1.5}}, "services.station_share"),
    ],
)
def test_contradictory_settings_are_one_line_errors(data, key):
    with pytest.raises(ScenarioError) as e:
        build_section(Scenario, data, source="s.toml")
    assert e.value.key == key and "\n" not in str(e.value)


def test_every_model_parameter_is_documented():
    from mergesim.config.params import iter_params

    sections = ("timeline.", "villagers.", "needs.", "services.")
    found = 0
    for key, _tp, _default, spec in iter_params(Scenario):
        if key.startswith(sections):
            found += 1
            assert spec.unit and spec.doc and spec.source, key
            if isinstance(_default, int | float) and not isinstance(_default, bool):
                assert spec.lo is not None and spec.hi is not None, key
    assert found > 40
