"""Experiment files: every mistake is one ScenarioError line naming file, key and what is
allowed; the resolved experiment.toml reproduces the same runs."""

from __future__ import annotations

import pytest
from sweep_standin import SEED, TWO_SCENARIOS, write_experiment

from mergesim.errors import ScenarioError
from mergesim.sweep.design import plan_runs
from mergesim.sweep.experiment import load_experiment
from mergesim.sweep.store import experiment_toml

FACTOR = '[[factors]]\nkey = "plan.target_factor"\nvalues = [1.5, 2.0]\n'


@pytest.mark.parametrize(
    ("body", "scenarios", "needles"),
    [
        ("replicatons = 3", None, ["replicatons", "did you mean 'replications'"]),
        ("replications = 0", None, ["replications", "out of range", "[1,"]),
        ("replications = 'x'", None, ["replications", "wrong type", "integer"]),
        ('[design]\nmethod = "sobel"', None, ["design.method", "'sobol'"]),
        (
            '[[factors]]\nkey = "plan.target_factr"\nvalues = [2.0]',
            None,
            ["factors[0].key", "did you mean 'plan.target_factor'"],
        ),
        (
            '[[factors]]\nkey = "plan.target_factor"\nvalues = [0.5]',
            None,
            ["factors[0].values", "out of range", "plan.target_factor"],
        ),
        (
            '[[factors]]\nkey = "plan.target_factor"\nrange = [3.0, 2.0]\nsteps = 2',
            None,
            ["factors[0].range", "low < high"],
        ),
        (
            '[[factors]]\nkey = "plan.target_factor"\nrange = [1.5, 3.0]',
            None,
            ["factors[0].steps", "steps"],
        ),
        (
            '[[factors]]\nkey = "plan.target_factor"\nvalues = [2.0]\nrange = [1.5, 3.0]',
            None,
            ["factors[0].values", "exactly one"],
        ),
        (
            '[[factors]]\nkey = "plan.method"\nrange = [1.0, 2.0]\nsteps = 2',
            None,
            ["factors[0].range", "not numeric"],
        ),
        (
            '[[factors]]\nkey = "plan.method"\nvalues = ["policy", "polcy"]',
            None,
            ["factors[0].values", "'uniform'"],
        ),
        (
            'metrics = ["post.travel_min_mea"]',
            None,
            ["metrics", "did you mean 'post.travel_min_mean'"],
        ),
        (
            '[overrides]\n"villagers.scael" = 0.1',
            None,
            ["overrides.villagers.scael", "did you mean 'villagers.scale'"],
        ),
        ('baseline = "nope"', None, ["baseline", "nope"]),
        ("", 'scenarios = ["missing.toml"]', ["scenarios[0].path", "not found"]),
        ("", "scenarios = []", ["scenarios", "non-empty"]),
        ("", f'scenarios = ["{SEED}", "{SEED}"]', ["duplicate scenario labels"]),
        ('[design]\nmethod = "lhs"', None, ["design.method", "needs at least one"]),
        ('[design]\nmethod = "sobol"\n' + FACTOR, TWO_SCENARIOS, ["one base scenario"]),
        ("replications = [", None, ["malformed TOML"]),
    ],
)
def test_bad_experiment_is_one_line(tmp_path, body, scenarios, needles):
    path = write_experiment(tmp_path, body, scenarios=scenarios, short=False)
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    line = err.value.line()
    assert "\n" not in line
    assert line.startswith(str(path))
    for needle in needles:
        assert needle in line, (needle, line)


def test_missing_file():
    with pytest.raises(ScenarioError, match="file not found"):
        load_experiment("does/not/exist.toml")


def test_precedence_of_settings(tmp_path):
    scen = (
        f'scenarios = [{{ label = "a", path = "{SEED}", '
        f'set = {{ "villagers.trust_mean" = 0.7 }} }}]'
    )
    body = '[[factors]]\nkey = "plan.target_factor"\nvalues = [2.5]\n'
    path = write_experiment(tmp_path, body + "\n", scenarios=scen)
    text = path.read_text().replace(
        "[overrides]", '[overrides]\n"villagers.trust_mean" = 0.5\n"villagers.threshold_mean" = 0.4'
    )
    path.write_text(text)
    exp = load_experiment(path)
    (run,) = plan_runs(exp, {"villagers.threshold_mean": 0.45})[:1]
    s = run.scenario
    assert s.villagers.trust_mean == 0.7  # scenario entry's set beats [overrides]
    assert s.villagers.threshold_mean == 0.45  # --set beats [overrides]
    assert s.plan.target_factor == 2.5  # factor value
    with pytest.raises(Exception, match="factors of this experiment"):
        plan_runs(exp, {"plan.target_factor": 2.0})


def test_resolved_experiment_reproduces_identities(tmp_path):
    path = write_experiment(tmp_path, "replications = 2\n" + FACTOR, scenarios=TWO_SCENARIOS)
    exp = load_experiment(path)
    runs = plan_runs(exp)
    out = tmp_path / "res"
    from mergesim.sweep.store import ResultStore

    ResultStore(out).write_setup(exp)
    again = load_experiment(out / "experiment.toml")
    assert [r.id for r in plan_runs(again)] == [r.id for r in runs]
    assert "[[factors]]" in experiment_toml(exp, out)
