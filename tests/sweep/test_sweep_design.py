"""Designs: factorial counts, LHS in range and stratified, Sobol/Morris sizes, errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from sweep_standin import TWO_SCENARIOS, write_experiment

from mergesim.errors import ScenarioError, UserError
from mergesim.sweep.design import (
    MissingDependencyError,
    design_points,
    expected_points,
    plan_runs,
    unit_to_value,
)
from mergesim.sweep.experiment import load_experiment

FACTORIAL = """
replications = 2
[[factors]]
key = "plan.target_factor"
values = [1.5, 2, 3]
[[factors]]
key = "timeline.transition_weeks"
range = [2, 8]
steps = 4
"""


def test_factorial_counts_levels_and_types(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, FACTORIAL, scenarios=TWO_SCENARIOS))
    pts = design_points(exp)
    assert len(pts) == expected_points(exp) == 12
    combos = {(p.values["plan.target_factor"], p.values["timeline.transition_weeks"]) for p in pts}
    assert len(combos) == 12
    assert {c[0] for c in combos} == {1.5, 2.0, 3.0}
    assert {c[1] for c in combos} == {2, 4, 6, 8}
    assert all(isinstance(c[1], int) for c in combos)  # integer key: rounded levels
    assert all(isinstance(c[0], float) for c in combos)  # 2 in the file became 2.0
    runs = plan_runs(exp)
    assert len(runs) == 2 * 12 * 2
    assert len({r.id for r in runs}) == len(runs)
    # Every run's scenario carries its point's values and its seed.
    for r in runs[::7]:
        assert r.scenario.plan.target_factor == r.values["plan.target_factor"]
        assert r.scenario.timeline.transition_weeks == r.values["timeline.transition_weeks"]
        assert r.scenario.seed == r.seed
    no_agency = [r for r in runs if r.label == "no_agency"]
    assert all(not r.scenario.services.agency_service for r in no_agency)


LHS = """
[design]
method = "lhs"
n = 20
[[factors]]
key = "villagers.trust_mean"
range = [0.4, 0.8]
[[factors]]
key = "needs.defer_no_vehicle"
range = [0.01, 0.5]
log = true
[[factors]]
key = "services.agency_service"
values = [true, false]
"""


def test_lhs_in_range_and_stratified(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, LHS))
    pts = design_points(exp)
    assert len(pts) == 20
    x = np.array([p.unit for p in pts])
    # Latin hypercube: each factor has exactly one point in each of the n equal strata.
    for j in range(x.shape[1]):
        assert sorted(np.floor(x[:, j] * 20).astype(int)) == list(range(20))
    trust = np.array([p.values["villagers.trust_mean"] for p in pts])
    defer = np.array([p.values["needs.defer_no_vehicle"] for p in pts])
    assert trust.min() >= 0.4 and trust.max() <= 0.8
    assert defer.min() >= 0.01 and defer.max() <= 0.5
    # Log scale: strata are equal in log space, so half the points lie below the geometric mean.
    assert np.sum(defer < np.sqrt(0.01 * 0.5)) == 10
    agency = [p.values["services.agency_service"] for p in pts]
    assert agency.count(True) == agency.count(False) == 10
    # The design is a function of the root seed only.
    assert [p.values for p in design_points(exp)] == [p.values for p in pts]
    exp.params.seed += 1
    assert [p.values for p in design_points(exp)] != [p.values for p in pts]


def test_unit_to_value_bins_categories_evenly(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, LHS))
    f = exp.factors[2]
    assert [unit_to_value(f, u) for u in (0.0, 0.49, 0.5, 1.0)] == [True, True, False, False]


SOBOL = """
[design]
method = "{method}"
n = {n}
second_order = {second}
[[factors]]
key = "villagers.trust_mean"
range = [0.4, 0.8]
[[factors]]
key = "villagers.threshold_mean"
range = [0.3, 0.7]
[[factors]]
key = "needs.defer_no_vehicle"
range = [0.0, 0.5]
"""


@pytest.mark.parametrize(
    ("method", "n", "second", "expected"),
    [("sobol", 8, "false", 8 * 5), ("sobol", 8, "true", 8 * 8), ("morris", 4, "false", 4 * 4)],
)
def test_sensitivity_design_sizes(tmp_path, method, n, second, expected):
    pytest.importorskip("SALib")
    exp = load_experiment(
        write_experiment(tmp_path, SOBOL.format(method=method, n=n, second=second))
    )
    pts = design_points(exp)
    assert len(pts) == expected_points(exp) == expected
    assert [p.index for p in pts] == list(range(expected))
    x = np.array([p.unit for p in pts])
    assert x.min() >= 0 and x.max() <= 1


def test_sobol_n_must_be_power_of_two(tmp_path):
    pytest.importorskip("SALib")
    exp = load_experiment(
        write_experiment(tmp_path, SOBOL.format(method="sobol", n=6, second="false"))
    )
    with pytest.raises(UserError, match="power of 2"):
        design_points(exp)


def test_missing_salib_is_one_clear_line(tmp_path, monkeypatch):
    exp = load_experiment(
        write_experiment(tmp_path, SOBOL.format(method="sobol", n=8, second="false"))
    )
    monkeypatch.setitem(sys.modules, "SALib.sample.sobol", None)  # import now fails
    with pytest.raises(MissingDependencyError) as err:
        design_points(exp)
    assert "pip install 'mergesim[sensitivity]'" in err.value.line()
    assert "\n" not in err.value.line()


def test_smoke_thins_factorial_but_keeps_sobol_complete(tmp_path):
    body = FACTORIAL + "\n[smoke]\nreplications = 1\npoints = 3\n"
    exp = load_experiment(write_experiment(tmp_path, body), smoke=True)
    pts = design_points(exp)
    assert len(pts) == 3 and pts[0].index == 0 and pts[-1].index == 11
    assert exp.params.replications == 1
    pytest.importorskip("SALib")
    sob = SOBOL.format(method="sobol", n=8, second="false") + "\n[smoke]\nn = 2\npoints = 3\n"
    exp = load_experiment(write_experiment(tmp_path, sob, name="s"), smoke=True)
    assert len(design_points(exp)) == 2 * 5  # n shrinks, but the design stays complete


def test_invalid_combination_names_the_point(tmp_path):
    body = """
[[factors]]
key = "timeline.transition_weeks"
values = [4, 40]
"""
    exp = load_experiment(write_experiment(tmp_path, body))  # horizon is 16 weeks
    with pytest.raises(ScenarioError) as err:
        plan_runs(exp)
    line = err.value.line()
    assert "point 1" in line and "transition_weeks" in line and "\n" not in line


def test_seeds_and_identities_do_not_depend_on_order(tmp_path):
    def mapping(body):
        exp = load_experiment(write_experiment(tmp_path, body, scenarios=TWO_SCENARIOS))
        return {
            (r.label, r.values["plan.target_factor"], r.replicate): (r.seed, r.id)
            for r in plan_runs(exp)
        }

    body = 'replications = 3\n[[factors]]\nkey = "plan.target_factor"\nvalues = {}\n'
    forward = mapping(body.format("[1.5, 2.0, 3.0]"))
    backward = mapping(body.format("[3.0, 2.0]"))  # other order, a level dropped
    assert all(forward[k] == v for k, v in backward.items())
    # Paired replicates: one seed per replicate, whatever the scenario and point.
    by_rep = {}
    for (_, _, rep), (seed, _) in forward.items():
        by_rep.setdefault(rep, set()).add(seed)
    assert all(len(s) == 1 for s in by_rep.values()) and len(by_rep) == 3
    assert len({next(iter(s)) for s in by_rep.values()}) == 3


def test_identity_changes_with_what_defines_a_run():
    from mergesim.sweep.design import run_identity

    base = run_identity({"a": 1.0, "seed": 5}, {"x": 2.0}, 0, "1.0")
    assert base == run_identity({"seed": 5, "a": 1.0}, {"x": 2.0}, 0, "1.0")  # key order
    assert base != run_identity({"a": 1.5, "seed": 5}, {"x": 2.0}, 0, "1.0")
    assert base != run_identity({"a": 1.0, "seed": 5}, {"x": 2.5}, 0, "1.0")
    assert base != run_identity({"a": 1.0, "seed": 5}, {"x": 2.0}, 1, "1.0")
    assert base != run_identity({"a": 1.0, "seed": 5}, {"x": 2.0}, 0, "1.1")
