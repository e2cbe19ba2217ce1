"""A province experiment: the schema, its counties as scenarios, and the smoke version end to
end through the CLI (sweep, resume, report)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mergesim.cli import main
from mergesim.errors import ScenarioError
from mergesim.results import read_runs
from mergesim.sweep import load_experiment, plan_runs
from mergesim.sweep.store import experiment_toml, study_identity

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "experiments" / "province.toml"
SEED = (ROOT / "scenarios" / "seed_county.toml").as_posix()


def _exp(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "prov.toml"
    path.write_text(f'scenarios = ["{SEED}"]\n' + body, encoding="utf-8")
    return path


def test_counties_become_scenarios_reproducibly():
    a, b = load_experiment(SHIPPED), load_experiment(SHIPPED)
    assert len(a.scenarios) == 100 and a.province is not None
    assert [r.overrides for r in a.scenarios] == [r.overrides for r in b.scenarios]
    smoke = load_experiment(SHIPPED, smoke=True)
    assert len(smoke.scenarios) == 5
    ids = [r.id for r in plan_runs(smoke)]
    assert ids == [r.id for r in plan_runs(load_experiment(SHIPPED, smoke=True))]
    # At the seed county's size on average (60 townships, ~1,050 villages).
    t = a.province.counties["townships"]
    assert t.sum() == 6000 and a.province.counties["villages"].sum() == 105_000


def test_resolved_experiment_resumes_as_the_same_study(tmp_path):
    exp = load_experiment(SHIPPED, smoke=True)
    stored = tmp_path / "experiment.toml"
    stored.write_text(experiment_toml(exp, tmp_path), encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    for ref in exp.scenarios:  # what the store writes beside it
        (tmp_path / "scenarios" / f"{ref.label}.toml").write_text(
            Path(ref.path).read_text(encoding="utf-8"), encoding="utf-8"
        )
    again = load_experiment(stored)
    assert again.province is None  # nothing drawn again: the counties are listed
    assert [r.overrides for r in again.scenarios] == [r.overrides for r in exp.scenarios]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[province]\ncounties = 3\n", "province"),  # no kind = "province"
        ('kind = "province"\n[province]\ncountys = 3\n', "province.countys"),
        ('kind = "province"\n[province]\ncounties = 0\n', "province.counties"),
        ('kind = "province"\n[province]\nterrain_mix = [1.0]\n', "province.terrain_mix"),
        ('kind = "county"\n', "kind"),
    ],
)
def test_schema_errors_name_the_key(tmp_path, body, key):
    with pytest.raises(ScenarioError) as err:
        load_experiment(_exp(tmp_path, body))
    assert err.value.key == key


def test_province_takes_one_base_scenario(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(
        f'kind = "province"\nscenarios = ["{SEED}", {{ label = "b", path = "{SEED}" }}]\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    assert err.value.key == "scenarios"


def test_study_identity_depends_on_the_province(tmp_path):
    a = load_experiment(_exp(tmp_path, 'kind = "province"\n[province]\ncounties = 3\n'))
    b = load_experiment(_exp(tmp_path, 'kind = "province"\n[province]\ncounties = 3\nseed = 9\n'))
    assert study_identity(a) != study_identity(b)


@pytest.mark.slow
def test_smoke_province_end_to_end(tmp_path, capsys):
    out = tmp_path / "prov"
    argv = ["sweep", str(SHIPPED), "--smoke", "--out", str(out), "--workers", "2"]
    assert main(argv) == 0
    assert "5 runs: 0 already done, 5 ok and 0 failed" in capsys.readouterr().out
    runs = read_runs(out)
    assert (runs["status"] == "ok").all()
    counties = pd.read_csv(out / "province.csv")
    assert sorted(runs["scenario"]) == sorted(counties["county"])
    # The plan of each county aims at its targets (before / after).
    merged = runs.set_index("scenario").join(counties.set_index("county"))
    assert (merged["plan.townships_before"] == merged["townships"]).all()
    assert (merged["plan.villages_before"] == merged["villages"]).all()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Province" in report and "province_map_post_travel_min_mean" in report
    pooled = pd.read_csv(out / "tables" / "province_pooled.csv")
    every = pooled.query("grouping == 'all'").set_index("metric")
    assert every.loc["post.travel_min_mean", "n"] == 5
    # Counties without border villages have no value for them (not a zero).
    border = runs["post.travel_min_mean_border_villages"].notna().sum()
    assert every.loc["post.travel_min_mean_border_villages", "n"] == border
    assert (out / "figures" / "province_map_post_travel_min_mean.png").is_file()
    # Re-running resumes: nothing runs again, whatever the worker count.
    assert main([*argv[:-1], "1", "--resume"]) == 0
    assert "5 already done, 0 ok" in capsys.readouterr().out
