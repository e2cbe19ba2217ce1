"""``range = "plausible"`` in an experiment's factors: the key's plausible range from the schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from mergesim.config.params import iter_plausible
from mergesim.config.schema import Scenario
from mergesim.errors import ScenarioError
from mergesim.sweep.experiment import load_experiment
from mergesim.sweep.keys import plausible_keys

SCENARIO = "../../scenarios/seed_county.toml"


def _write(tmp_path, factors: str, method: str = "morris"):
    scen = Path(__file__).resolve().parents[2] / "scenarios" / "seed_county.toml"
    f = tmp_path / "exp.toml"
    f.write_text(
        f'scenarios = ["{scen.as_posix()}"]\n[design]\nmethod = "{method}"\nn = 2\n' + factors,
        encoding="utf-8",
    )
    return f


NUMERIC = [(k, r, s) for k, r, s in iter_plausible(Scenario) if k in plausible_keys()]


@pytest.mark.parametrize("key,rng,spec", NUMERIC[::5], ids=[k for k, _, _ in NUMERIC[::5]])
def test_plausible_range_is_read_from_the_schema(tmp_path, key, rng, spec):
    exp = load_experiment(_write(tmp_path, f'[[factors]]\nkey = "{key}"\nrange = "plausible"\n'))
    (factor,) = exp.factors
    assert factor.range == (float(rng[0]), float(rng[1]))
    assert factor.unit == spec.unit


def test_plausible_keys_are_the_numeric_keys_with_a_range():
    keys = set(plausible_keys())
    assert {"villagers.trust_mean", "grievance.loss_aversion", "needs.max_trips"} <= keys
    assert "needs.affairs.household.process_days" not in keys  # a list: not a factor
    assert keys <= {k for k, _, _ in iter_plausible(Scenario)}


def test_key_without_plausible_range_is_one_line_naming_file_key_and_keys(tmp_path):
    path = _write(tmp_path, '[[factors]]\nkey = "villagers.local_kmh"\nrange = "plausible"\n')
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    line = err.value.line()
    assert "\n" not in line
    assert str(path) in line and "factors[0].range" in line
    assert "'villagers.local_kmh' has no plausible range" in line
    assert "villagers.trust_mean" in line  # a key that has one


def test_unknown_key_with_plausible_range_names_the_key(tmp_path):
    path = _write(tmp_path, '[[factors]]\nkey = "villagers.trust_meen"\nrange = "plausible"\n')
    with pytest.raises(ScenarioError, match="factors\\[0\\].key.*did you mean"):
        load_experiment(path)


def test_another_string_range_is_a_type_error(tmp_path):
    path = _write(tmp_path, '[[factors]]\nkey = "villagers.trust_mean"\nrange = "wide"\n')
    with pytest.raises(ScenarioError, match="factors\\[0\\].range"):
        load_experiment(path)
