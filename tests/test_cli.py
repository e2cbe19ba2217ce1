"""The command line: `mergesim plan`, one-line user errors, exit codes, no partial results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mergesim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "scenarios" / "seed_county.toml"


@pytest.mark.slow
def test_plan_writes_summary_csv_maps(tmp_path, capsys):
    out = tmp_path / "seed"
    assert main(["plan", str(SEED), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "townships_abolished" in text and "[ok] contiguity" in text
    summary = json.loads((out / "plan_summary.json").read_text())
    for key in (
        "townships_before",
        "townships_after",
        "townships_abolished",
        "villages_before",
        "villages_after",
        "merged_villages",
        "villages_merged_away",
        "border_townships_kept",
        "border_villages_kept",
        "heritage_kept",
        "village_pop_ratio",
        "village_area_ratio",
        "township_pop_ratio",
        "township_area_ratio",
        "seed",
    ):
        assert key in summary, key
    assert all(v["ok"] for v in summary["checks"].values())
    lines = (out / "plan.csv").read_text().splitlines()
    assert len(lines) == summary["villages_before"] + 1
    for name in ("map_before.png", "map_after.png", "scenario.toml"):
        assert (out / name).stat().st_size > 0
    # The county and its plan as GeoJSON, one feature per unit before and after.
    counts = {
        "villages": summary["villages_before"],
        "townships": summary["townships_before"],
        "merged_villages": summary["villages_after"],
        "new_townships": summary["townships_after"],
    }
    for layer, n in counts.items():
        fc = json.loads((out / "geometry" / f"{layer}.geojson").read_text())
        assert len(fc["features"]) == n and fc["mergesim:units"] == "km", layer
    # The resolved scenario reproduces the same plan.
    out2 = tmp_path / "again"
    assert main(["plan", str(out / "scenario.toml"), "--out", str(out2), "--no-maps"]) == 0
    assert (out2 / "plan.csv").read_text() == (out / "plan.csv").read_text()


def test_set_override_changes_plan(tmp_path):
    out = tmp_path / "x3"
    assert (
        main(["plan", str(SEED), "--out", str(out), "--no-maps", "--set", "plan.target_factor=3"])
        == 0
    )
    summary = json.loads((out / "plan_summary.json").read_text())
    assert summary["villages_after"] == round(summary["villages_before"] / 3)


def test_ensemble_plan_writes_member_table(tmp_path):
    out = tmp_path / "ens"
    rc = main(
        [
            "plan",
            str(ROOT / "scenarios" / "seed_county_ensemble.toml"),
            "--out",
            str(out),
            "--no-maps",
            "--set",
            "plan.ensemble_size=3",
        ]
    )
    assert rc == 0
    rows = (out / "ensemble_summary.csv").read_text().splitlines()
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--set", "plan.metod=uniform"], "did you mean 'method'"),
        (["--set", "plan.method=random"], "plan.method"),
        (["--set", "county.villages=-3"], "county.villages"),
        (["--set", "nonsense"], "key=value"),
    ],
)
def test_user_errors_exit_2_one_line(tmp_path, capsys, args, needle):
    out = tmp_path / "bad"
    assert main(["plan", str(SEED), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()  # nothing half-written


def test_missing_scenario_file(tmp_path, capsys):
    assert main(["plan", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err


@pytest.mark.slow
def test_python_dash_m_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[county]\nvillages = 'many'\n")
    r = subprocess.run(
        [sys.executable, "-m", "mergesim", "plan", str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "bad.toml" in r.stderr and "county.villages" in r.stderr


def test_help_has_example(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    assert "example:" in capsys.readouterr().out


@pytest.mark.slow
def test_run_writes_results(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(
        [
            "run",
            str(SEED),
            "--scale",
            "0.02",
            "--out",
            str(out),
            "--set",
            "timeline.horizon_weeks=40",
            "--set",
            "timeline.transition_weeks=10",
            "--set",
            "timeline.post_window_weeks=20",
        ]
    )
    assert rc == 0
    assert "travel_min_mean_admin" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert {"pre", "post"} <= set(summary)
    for name in ("timeseries.csv", "scenario.toml", "travel_coverage.png"):
        assert (out / name).stat().st_size > 0


@pytest.mark.parametrize("args", [["--scale", "0"], ["--scale", "2"], ["--seed", "-1"]])
def test_run_bad_flags(tmp_path, capsys, args):
    out = tmp_path / "bad"
    assert main(["run", str(SEED), "--out", str(out), *args]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not out.exists()
