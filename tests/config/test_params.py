"""The parameter machinery: plausible ranges, the one "did you mean"."""

from __future__ import annotations

import dataclasses

import pytest

from mergesim.config import Scenario, iter_params, iter_plausible
from mergesim.config.docs import render_reference
from mergesim.config.params import Section, did_you_mean, param, unknown_key_message
from mergesim.errors import ScenarioError


def test_plausible_ranges_lie_inside_the_allowed_range_and_hold_the_default():
    found = 0
    for key, _tp, default, spec in iter_params(Scenario):
        if spec.plausible is None:
            continue
        found += 1
        lo, hi = spec.plausible
        assert lo <= hi, key
        assert spec.lo is None or spec.lo <= lo, key
        assert spec.hi is None or hi <= spec.hi, key
        for v in default if isinstance(default, tuple) else [default]:
            assert lo <= v <= hi, key
        assert spec.source != "assumption", key  # a plausible range needs a stated source
    assert found == len(list(iter_plausible(Scenario)))


def test_iter_plausible_lists_the_sourced_ranges():
    ranges = {key: rng for key, rng, _spec in iter_plausible(Scenario)}
    assert ranges["roads.detour"] == (1.2, 1.4)
    assert ranges["county.group_households"] == (20.0, 100.0)
    assert "county.villages" not in ranges


def test_reference_has_a_plausible_column():
    text = render_reference()
    assert "| key | type | default | unit | allowed | plausible | meaning | source |" in text
    row = next(line for line in text.splitlines() if line.startswith("| `roads.detour` |"))
    assert "| a value in [1.0, 5.0] | [1.2, 1.4] |" in row
    row = next(line for line in text.splitlines() if line.startswith("| `county.villages` |"))
    assert "|  |" in row  # no plausible range stated yet


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"plausible": (0.5, 2.0)}, "leaves the allowed range"),
        ({"plausible": (2.0, 1.5)}, "not ascending"),
        ({"plausible": (1.6, 2.0)}, "outside plausible"),
        ({"plausible": (1.0,)}, "not a \\(low, high\\) pair"),
    ],
)
def test_param_rejects_a_bad_plausible_range(kw, match):
    with pytest.raises(ValueError, match=match):
        param(1.5, "-", "x", lo=1.0, hi=3.0, **kw)


def test_plausible_applies_to_every_element_of_a_list_default():
    param([1.0, 2.0], "-", "x", lo=0.0, hi=5.0, plausible=(1.0, 2.0))
    with pytest.raises(ValueError, match="outside plausible"):
        param([1.0, 3.0], "-", "x", lo=0.0, hi=5.0, plausible=(1.0, 2.0))


def test_a_section_with_a_plausible_range_still_validates_the_allowed_range():
    @dataclasses.dataclass(frozen=True)
    class Probe(Section):
        x: float = param(1.5, "-", "x", lo=1.0, hi=3.0, plausible=(1.2, 2.0))

    assert Probe(x=2.9).x == 2.9  # outside plausible, inside allowed: accepted
    with pytest.raises(ScenarioError, match="Probe.x: value 3.5 is out of range"):
        Probe(x=3.5)


def test_did_you_mean():
    assert did_you_mean("metod", ["method", "file"]) == "; did you mean 'method'?"
    assert did_you_mean("zzz", ["method", "file"]) == ""
    assert (
        did_you_mean("plan.metod", ["plan.method", "plan.methods", "x"], n=3, cutoff=0.5)
        == "; did you mean 'plan.method' or 'plan.methods'?"
    )
    assert unknown_key_message("metod", ["method", "file"]) == (
        "unknown key; did you mean 'method'? valid keys: file, method"
    )
