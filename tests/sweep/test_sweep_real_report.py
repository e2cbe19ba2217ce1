"""The report of real runs: no raw metric key in any figure of a smoke sweep, figures drawn only
where the points differ, the folder's README describes every file; `mergesim run` folders are
compared and redrawn."""

from __future__ import annotations

import pytest
from sweep_standin import ROOT, SEED, write_experiment
from test_design_points import raw_keys, svg_texts

from mergesim.cli import main
from mergesim.results.layout import undescribed

pytestmark = pytest.mark.slow

TINY = [
    "--set",
    "villagers.scale=0.002",
    "--set",
    "timeline.warmup_weeks=6",
    "--set",
    "timeline.burn_in_weeks=1",
    "--set",
    "timeline.transition_weeks=2",
    "--set",
    "timeline.horizon_weeks=12",
    "--set",
    "timeline.post_window_weeks=4",
]

#: A services question: agency service on and off. The plan is the same, so the cadre
#: channels are the same in both scenarios.
SERVICES = f"""
description = "Agency service on and off (a services question)."
replications = 2
metrics = [
    "post.travel_min_mean",
    "post.admin_in_village_share",
    "post.coverage_admin_30",
    "change.travel_min_mean",
    "post.petitions_per10k",
    "post.days_to_close_mean",
    "cadres.cost_change_pct.total",
]
scenarios = [
    {{ label = "agency", path = "{SEED}" }},
    {{ label = "no_agency", path = "{SEED}", set = {{ "services.agency_service" = false }} }},
]
[plots]
timeseries = ["travel_min_mean", "admin_in_village_share", "petitions_per10k"]
formats = ["png", "svg"]
"""


def test_smoke_sweep_figures_name_no_raw_key(tmp_path, capsys):
    path = write_experiment(tmp_path, SERVICES, name="services", scenarios="", short=False)
    out = tmp_path / "services"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "2", *TINY]) == 0
    err = capsys.readouterr().err
    # Queue metrics at a small scale: a warning when the sweep starts, and in the report.
    assert "below 1, where queue metrics are biased" in err and "post.days_to_close_mean" in err
    report = (out / "report.md").read_text()
    assert "where queue metrics are biased" in report
    svgs = sorted((out / "figures").glob("*.svg"))
    names = {p.stem for p in svgs}
    assert {"bands_travel_min_mean", "final_post_travel_min_mean", "travel_change_maps"} <= names
    for svg in svgs:  # titles, axis labels, legends, ticks
        texts = svg_texts(svg)
        assert texts and not raw_keys(texts), (svg.name, raw_keys(texts))
    # The cadre channels do not differ between the two services policies: not drawn, and said.
    assert "cadre_channels" not in names
    assert "cadre channels: the same at every design point compared" in report
    # The maps show the new townships' boundaries and seats.
    legend = svg_texts(out / "figures" / "travel_change_maps.svg")
    assert "township boundary" in legend and "township seat" in legend
    # Every file of the folder is described by its README (from the same layout).
    assert undescribed(out, "sweep") == []
    assert "| `report.md` |" in (out / "README.md").read_text()


def test_compare_and_plot_two_run_folders(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(SEED), "--out", str(a), "--no-plots", *TINY]) == 0
    no_agency = ["--set", "services.agency_service=false"]
    assert main(["run", str(SEED), "--out", str(b), "--no-plots", *TINY, *no_agency]) == 0
    assert not list(a.glob("*.png")) and (a / "summary.json").is_file()
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c")]) == 0
    table = capsys.readouterr().out
    assert "| a | 1 (few) |" in table and "| b | 1 (few) |" in table
    assert (tmp_path / "c" / "figures" / "final_post_travel_min_mean.png").is_file()
    # `mergesim plot` draws a run folder's figures from its stored files.
    assert main(["plot", str(a), "--formats", "png,svg"]) == 0
    for name in ("travel_coverage", "travel_change_map", "stability", "petition_pipeline"):
        assert (a / f"{name}.png").is_file() and (a / f"{name}.svg").is_file()
    assert undescribed(a, "run") == []


def test_dry_run_estimate_uses_the_calibrated_cost_model(capsys):
    exp = ROOT / "experiments" / "policy_packages.toml"
    assert main(["sweep", str(exp), "--dry-run", "--smoke", "--out", "/nonexistent/x"]) == 0
    out = capsys.readouterr().out
    assert "cost model" in out and "estimated time:" in out
