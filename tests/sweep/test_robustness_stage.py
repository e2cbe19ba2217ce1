"""The robustness stage of an experiment: its validation, the choice of assumptions, the end
sub-studies, and one run end to end with a stand-in model."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import sweep_standin as st
from sweep_standin import ROOT, SEED, write_experiment

from mergesim.api import sweep_experiment
from mergesim.errors import ScenarioError, UserError
from mergesim.sweep import load_experiment
from mergesim.sweep.robustness import (
    choose_keys,
    end_experiment,
    ends_of,
    load_robustness,
    rank_morris,
)

LEVERS = (
    f'scenarios = [{{ label = "seed", path = "{SEED}" }}, '
    f'{{ label = "seed_minus_agency_service", path = "{SEED}", '
    f'set = {{ "services.agency_service" = false }} }}, '
    f'{{ label = "other", path = "{SEED}" }}]'
)
BODY = 'replications = 2\nmetrics = ["post.travel_min_mean"]\n'


def _exp(tmp_path, robustness: str, *, smoke: bool = False):
    path = write_experiment(tmp_path, BODY + robustness, scenarios=LEVERS)
    return load_experiment(path, smoke=smoke)


def test_no_table_no_stage(tmp_path):
    assert load_robustness(_exp(tmp_path, "")) is None


@pytest.mark.parametrize(
    "table,match",
    [
        ('[robustness]\nkeys = ["villagers.local_kmh"]', "robustness.keys.*no plausible range"),
        ('[robustness]\nkeys = ["villagers.trust_meen"]', "robustness.keys.*unknown scenario"),
        ("[robustness]\ntop_k = 2", "robustness: give 'keys'"),
        ('[robustness]\nkeys = ["villagers.trust_mean"]\nscenarios = ["merger_*"]', "matches no"),
        ('[robustness]\nkeys = ["villagers.trust_mean"]\ntopk = 2', "robustness.topk"),
        (
            '[robustness]\nkeys = ["villagers.trust_mean"]\n[robustness.overrides]\n"x.y" = 1',
            "robustness.overrides.x.y",
        ),
    ],
)
def test_bad_tables_are_one_line_errors(tmp_path, table, match):
    with pytest.raises(ScenarioError, match=match) as err:
        load_robustness(_exp(tmp_path, table))
    assert "\n" not in err.value.line()


def test_keys_from_the_file_and_their_ends(tmp_path):
    exp = _exp(tmp_path, '[robustness]\nkeys = ["villagers.trust_mean", "needs.max_trips"]')
    keys, how, morris = choose_keys(exp, load_robustness(exp))
    assert keys == ["villagers.trust_mean", "needs.max_trips"] and morris is None
    assert "listed in" in how
    ends = ends_of(keys)
    assert [(e.folder, e.value) for e in ends] == [
        ("villagers.trust_mean-low", 0.4),
        ("villagers.trust_mean-high", 0.8),
        ("needs.max_trips-low", 3),
        ("needs.max_trips-high", 10),
    ]
    assert isinstance(ends[2].value, int)


def test_morris_ranking_chooses_the_top_k(tmp_path):
    tables = tmp_path / "morris" / "tables"
    tables.mkdir(parents=True)
    pd.DataFrame(
        {
            "key": ["villagers.trust_mean", "grievance.file_prob", "grievance.contagion"] * 2,
            "metric": ["a"] * 3 + ["b"] * 3,
            "mu_star_norm": [1.0, 0.2, 0.1, 0.3, 0.9, 1.0],
        }
    ).to_csv(tables / "morris.csv", index=False)
    exp = _exp(tmp_path, '[robustness]\nmorris = "morris"\ntop_k = 2')
    keys, how, morris = choose_keys(exp, load_robustness(exp))
    # both trust_mean and contagion reach 1 on some outcome; trust_mean's mean is higher
    assert keys == ["villagers.trust_mean", "grievance.contagion"]
    assert "Morris" in how and morris == tables / "morris.csv"
    assert rank_morris(pd.read_csv(morris))[2] == "grievance.file_prob"


def test_missing_morris_results_without_keys_says_what_to_run(tmp_path):
    exp = _exp(tmp_path, '[robustness]\nmorris = "nowhere"')
    with pytest.raises(UserError, match="run the Morris screening first"):
        choose_keys(exp, load_robustness(exp))


def test_end_experiment_keeps_the_selected_scenarios_and_its_own_size(tmp_path):
    table = (
        '[robustness]\nkeys = ["villagers.trust_mean"]\nreplications = 3\n'
        'scenarios = ["seed*"]\n[robustness.overrides]\n"villagers.scale" = 0.01\n'
    )
    exp = _exp(tmp_path, table)
    sub = end_experiment(exp, load_robustness(exp))
    assert [s.label for s in sub.scenarios] == ["seed", "seed_minus_agency_service"]
    assert sub.params.replications == 3 and sub.overrides["villagers.scale"] == 0.01
    assert sub.robustness is None and exp.params.replications == 2  # the original unchanged
    smoke = _exp(tmp_path, table, smoke=True)
    sub = end_experiment(smoke, load_robustness(smoke))
    assert sub.params.replications == 1 and "villagers.scale" not in sub.overrides
    assert len(sub.scenarios) == 2
    one = table.replace("replications = 3", 'replications = 3\nsmoke_scenarios = ["seed"]')
    smoke = _exp(tmp_path, one, smoke=True)
    assert [s.label for s in end_experiment(smoke, load_robustness(smoke)).scenarios] == ["seed"]


def test_shipped_levers_experiment_has_a_valid_stage():
    exp = load_experiment(ROOT / "experiments" / "levers.toml")
    rob = load_robustness(exp)
    assert rob is not None and rob.params.top_k >= 2 and rob.params.keys
    assert load_experiment(ROOT / "experiments" / "levers_morris.toml").params.design.method == (
        "morris"
    )


def test_dry_run_estimates_the_stage(tmp_path):
    path = write_experiment(
        tmp_path, BODY + '[robustness]\nkeys = ["villagers.trust_mean"]\n', scenarios=LEVERS
    )
    est = sweep_experiment(path, out=tmp_path / "out", dry_run=True, workers=2)
    assert len(est.stages) == 1
    title, stage = est.stages[0]
    assert "villagers.trust_mean = 0.4" in title and "villagers.trust_mean = 0.8" in title
    assert stage.total == 2 * 3 * 3  # two ends × three scenarios × three replications
    assert "robustness stage" in est.report()


@pytest.mark.slow
def test_end_to_end_with_a_stand_in_model(tmp_path):
    """The toy model's agency effect does not depend on trust: robust at both ends."""
    path = write_experiment(
        tmp_path,
        BODY + '[robustness]\nkeys = ["villagers.trust_mean"]\nreplications = 2\n',
        scenarios=LEVERS,
    )
    out = tmp_path / "out"
    sweep_experiment(
        path, out=out, run_fn=st.toy_run, executor=ThreadPoolExecutor(2), progress=False
    )
    for end in ("low", "high"):
        assert (out / "robustness" / f"villagers.trust_mean-{end}" / "manifest.json").is_file()
    rob = pd.read_csv(out / "tables" / "robustness.csv")
    assert {"measure", "context", "metric", "outcome_group", "effect", "ci_lo", "ci_hi",
            "label", "depends_on"} <= set(rob.columns)  # fmt: skip
    row = rob[(rob["measure"] == "agency_service") & (rob["metric"] == "post.travel_min_mean")]
    assert len(row) == 1
    assert row["effect"].iloc[0] < 0 and row["n_ends"].iloc[0] == 2
    assert row["label"].iloc[0] in ("robust", "no clear effect")
    ends = pd.read_csv(out / "tables" / "robustness_ends.csv")
    assert set(ends["end"]) == {"low", "high"} and (ends["effect"] < 0).all()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Robustness" in report and "`villagers.trust_mean` = 0.4 (low)" in report


@pytest.mark.slow
@pytest.mark.parametrize("smoke,budget", [(False, 45 * 60), (True, 120)])
def test_levers_robustness_stage_fits_its_budget(tmp_path, smoke, budget):
    """The whole command's dry-run estimate on 2 idle cores, the lever table and its
    robustness stage: under 45 minutes, and its smoke version in CI under 2 minutes."""
    est = sweep_experiment(
        ROOT / "experiments" / "levers.toml", out=tmp_path / "o", dry_run=True, smoke=smoke,
        workers=2,
    )  # fmt: skip
    ((title, stage),) = est.stages
    assert "robustness stage" in title and stage.wall_seconds < budget
    # One command, both stages: the lever table and its robustness together.
    assert est.command_seconds == pytest.approx(est.wall_seconds + stage.wall_seconds)
    assert est.command_seconds < budget
    assert "the whole command, every stage:" in est.report()
