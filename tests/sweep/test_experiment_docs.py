"""docs/experiments.md is generated from the experiment schema and kept current; its examples
are valid experiment files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_standin import ROOT

from mergesim.sweep import load_experiment, plan_runs
from mergesim.sweep.docs import EXAMPLES, REGENERATE, render_reference
from mergesim.sweep.schema import DesignParams, ExperimentParams, FactorParams

DOC = ROOT / "docs" / "experiments.md"


def test_experiment_reference_is_current():
    assert DOC.exists(), f"docs/experiments.md is missing; run `{REGENERATE}`"
    assert DOC.read_text(encoding="utf-8") == render_reference(), (
        f"docs/experiments.md is out of date with the experiment schema; run `{REGENERATE}`"
    )


def test_every_key_is_documented():
    text = render_reference()
    for cls, prefix in ((ExperimentParams, ""), (DesignParams, "design."), (FactorParams, "")):
        for name in cls.__dataclass_fields__:
            if name in ("design", "plots", "smoke"):
                continue
            assert f"`{prefix}{name}`" in text, name
    for key in ("scenarios", "[overrides]", "[[factors]]", "plots.formats", "smoke.replications"):
        assert key in text, key
    for flag in ("--replications", "--scale", "--samples", "--force", "--formats"):
        assert flag in text


@pytest.mark.parametrize("design", list(EXAMPLES))
def test_examples_are_valid_experiments(design, tmp_path):
    text = EXAMPLES[design].replace("../scenarios/", f"{ROOT.as_posix()}/scenarios/")
    path = Path(tmp_path) / f"{design}.toml"
    path.write_text(text, encoding="utf-8")
    exp = load_experiment(path, smoke=design == "sobol")
    if design in ("factorial", "lhs", "sobol", "morris"):
        assert exp.params.design.method == design
    if design in ("factorial", "scenarios"):  # cheap to plan; the others sample with SALib
        assert len(plan_runs(exp)) > 0
