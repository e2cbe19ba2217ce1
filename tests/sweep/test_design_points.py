"""Statistics by design point: levels never pool, tiny Sobol samples are flagged, no raw metric
key in any figure, run folders compare, the command line sizes the study (toy runs: fast)."""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import sweep_standin as st
from sweep_standin import TWO_SCENARIOS, write_experiment

from mergesim import sweep
from mergesim.api import compare_results, plot_results, sweep_experiment
from mergesim.cli import main
from mergesim.metrics import METRICS, RUN_METRICS
from mergesim.plotting import compare as pc
from mergesim.results import read_runs
from mergesim.results.layout import undescribed

TWO_LEVELS = """
replications = 3
metrics = ["post.travel_min_mean", "post.coverage_admin_30"]
[[factors]]
key = "plan.target_factor"
label = "target"
values = [1.5, 3.0]
[plots]
formats = ["svg"]
"""


def toy_sweep(tmp_path, body, *, scenarios=None, name="exp", report=True, **kw):
    """Sweep toy runs into ``tmp_path/name`` (with the report, or the runs only)."""
    path = write_experiment(tmp_path, body, scenarios=scenarios, name=name)
    out = tmp_path / name
    res = (sweep_experiment if report else sweep.sweep_experiment)(
        path,
        out=out,
        executor=ThreadPoolExecutor(2),
        run_fn=kw.pop("run_fn", st.toy_run),
        progress=False,
        **kw,
    )
    return out, res


def svg_texts(path) -> list[str]:
    """Every text of a saved SVG figure (titles, axis labels, ticks, legends)."""
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()) for el in root.iter() if el.tag.endswith("text")]


#: A raw metric key: a registry key, alone or after a window ("post.travel_min_mean").
RAW_KEY = re.compile(
    r"(?<![\w.])(?:(?:pre|transition|post|change)\.)?("
    + "|".join(sorted(map(re.escape, [*METRICS, *RUN_METRICS]), key=len, reverse=True))
    + r")(?![\w.])"
)


def raw_keys(texts) -> list[str]:
    return [t for t in texts if RAW_KEY.search(t)]


def test_two_levels_three_replicates_one_entry_per_level(tmp_path):
    out, _ = toy_sweep(tmp_path, TWO_LEVELS)
    report = (out / "report.md").read_text()
    # The table of a metric: one row per level with n = 3, never a pooled row of 6.
    section = report.split("### Travel per affair, after the reform (min)")[1].split("###")[0]
    rows = [line for line in section.splitlines() if line.startswith("| target")]
    cells = [r.split(" | ")[:2] for r in rows]
    assert cells == [["| target = 1.5", "3 (few)"], ["| target = 3", "3 (few)"]]
    assert "6" not in [r.split(" | ")[1] for r in rows]
    table = pd.read_csv(out / "tables" / "metrics.csv")
    assert list(table.loc[table["metric"] == "post.travel_min_mean", "n"]) == [3, 3]
    # With one scenario, the second level is compared with the first, paired on the seed.
    paired = table.set_index(["metric", "group"]).loc[("post.travel_min_mean", "target = 3")]
    assert paired["baseline"] == "target = 1.5" and paired["n_pairs"] == 3
    # The forest plot: one row per level, labelled n = 3.
    forest = out / "figures" / "final_post_travel_min_mean.svg"
    ticks = [t for t in svg_texts(forest) if "n = " in t]
    assert ticks == ["target = 1.5 (n = 3, few)", "target = 3 (n = 3, few)"]
    # The weekly bands: one line per level.
    legend = svg_texts(out / "figures" / "bands_travel_min_mean.svg")
    assert "target = 1.5" in legend and "target = 3" in legend
    # The folder's README describes every file in it.
    assert undescribed(out, "sweep") == [] and (out / "README.md").is_file()
    # The share gets a logit interval inside [0, 1].
    cov = table[table["metric"] == "post.coverage_admin_30"]
    assert set(cov["method"]) == {"logit-t"}
    assert ((cov["ci_lo"] >= 0) & (cov["ci_hi"] <= 1)).all()


@pytest.mark.slow
def test_no_raw_metric_key_in_any_toy_figure(tmp_path):
    out, _ = toy_sweep(tmp_path, TWO_LEVELS, scenarios=TWO_SCENARIOS)
    svgs = sorted((out / "figures").glob("*.svg"))
    assert len(svgs) >= 6
    for svg in svgs:
        assert not raw_keys(svg_texts(svg)), (svg.name, raw_keys(svg_texts(svg)))
    assert RAW_KEY.search("post.travel_min_mean") and RAW_KEY.search("travel_min_mean")


SOBOL = """
metrics = ["post.travel_min_mean"]
replications = 1
[design]
method = "sobol"
n = 8
[[factors]]
key = "villagers.trust_mean"
label = "trust"
range = [0.4, 0.8]
[[factors]]
key = "villagers.threshold_mean"
label = "threshold"
range = [0.3, 0.7]
[plots]
formats = ["svg"]
"""


def test_tiny_sobol_warns_and_marks_its_indices_unreliable(tmp_path, caplog):
    pytest.importorskip("SALib")
    with caplog.at_level(logging.WARNING, logger="mergesim"):
        out, res = toy_sweep(tmp_path, SOBOL, name="sobol", run_fn=st.sobol_run)
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("N = 8 is below the documented minimum of 512" in w for w in warned), warned
    idx = pd.read_csv(out / "sensitivity_sobol.csv")
    assert idx["S1_unreliable"].str.contains("N = 8 < 512").all()
    # The table says so, per index.
    report = (out / "report.md").read_text()
    rows = [line for line in report.splitlines() if line.startswith(("| trust", "| threshold"))]
    assert len(rows) == 2 and all("**UNRELIABLE** — S1: N = 8 < 512" in r for r in rows)
    # The figure: hatched bars, a legend entry and the title.
    texts = svg_texts(out / "figures" / "sobol_post_travel_min_mean.svg")
    assert any("4 of 4 indices UNRELIABLE" in t for t in texts)
    assert "unreliable (see the report)" in texts
    svg = (out / "figures" / "sobol_post_travel_min_mean.svg").read_text()
    assert "hatch" in svg.lower() or "pattern" in svg.lower()
    # The convergence figure exists and names no raw key either.
    conv = out / "figures" / "sobol_convergence_post_travel_min_mean.svg"
    assert conv.is_file() and not raw_keys(svg_texts(conv))
    assert not raw_keys(texts)


def test_a_large_reliable_index_is_not_flagged():
    from mergesim.sweep.sensitivity import verdicts

    df = pd.DataFrame(
        {
            "samples": [1024, 1024, 64],
            "S1": [0.6, 0.02, 0.6],
            "S1_conf": [0.05, 0.03, 0.05],
            "ST": [0.62, 1.3, 0.62],
            "ST_conf": [0.05, 0.1, 0.05],
        }
    )
    v = verdicts(df, "sobol")
    assert list(v["S1_unreliable"]) == ["", "interval wider than the index", "N = 64 < 512"]
    assert v.loc[1, "ST_unreliable"] == "outside [0, 1]"


def write_run_folder(folder, scenario, seed, travel):
    """A `mergesim run` folder as the run writes it (summary.json, timeseries.csv)."""
    folder.mkdir(parents=True)
    summary = {
        "scenario": scenario,
        "seed": seed,
        "scale": 1.0,
        "timeline": {"reform_week": 2, "transition_end": 3},
        "pre": {"travel_min_mean": 50.0},
        "post": {"travel_min_mean": travel},
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    rows = ["week,travel_min_mean"] + [f"{w},{travel if w > 2 else 50.0}" for w in range(6)]
    (folder / "timeseries.csv").write_text("\n".join(rows) + "\n")


def test_compare_two_run_folders(tmp_path, capsys):
    write_run_folder(tmp_path / "a", "seed_county", 7, 60.0)
    write_run_folder(tmp_path / "b", "no_agency", 7, 64.5)
    assert (
        main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "c")])
        == 0
    )
    out = capsys.readouterr().out
    assert "| a | 1 (few) | 60.0 |" in out
    assert "| b | 1 (few) | 64.5 | a | 4.50 (n = 1, few) |" in out
    assert (tmp_path / "c" / "compare.md").is_file() and (tmp_path / "c" / "README.md").is_file()
    assert (tmp_path / "c" / "figures" / "final_post_travel_min_mean.png").is_file()
    assert len(read_runs(tmp_path / "a")) == 1


def test_sweep_help_lists_the_sizes(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = capsys.readouterr().out
    for flag in ("--replications", "--scale", "--samples", "--force", "--formats", "-v", "-q"):
        assert flag in text


def test_the_command_line_sizes_the_study(tmp_path):
    out, res = toy_sweep(tmp_path, TWO_LEVELS, replications=2, scale=0.01, report=False)
    runs = read_runs(out)
    assert len(runs) == 4 and res.total == 4
    stored = (out / "experiment.toml").read_text()
    assert "replications = 2" in stored and '"villagers.scale" = 0.01' in stored
    man = json.loads((out / "manifest.json").read_text())
    assert man["command_line_overrides"] == {"villagers.scale": 0.01}
    # More replications extend the same study: the first four runs are kept.
    _, res2 = toy_sweep(tmp_path, TWO_LEVELS, replications=3, scale=0.01, report=False)
    assert (res2.skipped, res2.ok) == (4, 2)
    # Another scale is another study: refused in one line, or moved aside with force.
    with pytest.raises(Exception, match="holds another study") as err:
        toy_sweep(tmp_path, TWO_LEVELS, replications=3, scale=0.02, report=False)
    assert "\n" not in str(err.value)
    _, res3 = toy_sweep(tmp_path, TWO_LEVELS, replications=1, scale=0.02, force=True, report=False)
    assert res3.skipped == 0 and res3.ok == 2
    assert list(tmp_path.glob("exp.replaced-*"))


def test_the_stored_experiment_resumes_the_same_study(tmp_path):
    out, first = toy_sweep(tmp_path, TWO_LEVELS, scale=0.01, report=False)
    # The resolved experiment.toml (scenarios stored beside it, --scale in its overrides) is
    # the same study: accepted, and every run is found done.
    again = sweep.sweep_experiment(
        out / "experiment.toml",
        out=out,
        executor=ThreadPoolExecutor(2),
        run_fn=st.toy_run,
        progress=False,
    )
    assert (again.skipped, again.ok) == (first.total, 0)


FOUR_LEVELS_SMOKE = """
replications = 4
metrics = ["post.travel_min_mean"]
[[factors]]
key = "plan.target_factor"
label = "target"
values = [1.5, 2.0, 2.5, 3.0]
[smoke]
replications = 2
points = 2
[smoke.overrides]
"timeline.horizon_weeks" = 12
[plots]
formats = ["svg"]
response = false
"""


def test_a_stored_smoke_version_resumes_the_same_points(tmp_path):
    out, first = toy_sweep(tmp_path, FOUR_LEVELS_SMOKE, smoke=True, replications=3, scale=0.01)
    assert first.total == 2 * 3
    # The report says what ran: the two levels kept, the command line's scale among the keys
    # set on every run (not the file's).
    report = (out / "report.md").read_text()
    assert "(target, -): 1.5, 3\n" in report
    assert "`villagers.scale=0.01`" in report and "`timeline.horizon_weeks=12`" in report
    # The resolved copy keeps the thinning: re-running it as its header says runs nothing new.
    stored = (out / "experiment.toml").read_text()
    assert f"--out {out} --smoke" in stored.splitlines()[1]
    again = sweep.sweep_experiment(
        out / "experiment.toml",
        out=out,
        smoke=True,
        executor=ThreadPoolExecutor(2),
        run_fn=st.toy_run,
        progress=False,
    )
    assert (again.total, again.skipped, again.ok) == (6, 6, 0)


def test_samples_is_for_sampled_designs(tmp_path):
    with pytest.raises(Exception, match="--samples applies to lhs, sobol and morris"):
        toy_sweep(tmp_path, TWO_LEVELS, samples=8, report=False)


def test_plot_redraws_a_run_folder_without_figures_as_an_error(tmp_path):
    write_run_folder(tmp_path / "a", "seed_county", 7, 60.0)
    with pytest.raises(Exception, match="geometry"):
        plot_results(tmp_path / "a")


def test_label_groups_never_pools_levels():
    runs = pd.DataFrame(
        {
            "scenario": ["s"] * 4,
            "point": [0, 0, 1, 1],
            "replicate": [0, 1, 0, 1],
            "status": ["ok"] * 4,
            "f": [1.0, 1.0, 2.0, 2.0],
            "m": [1.0, 2.0, 10.0, 20.0],
        }
    )
    runs = pc.label_groups(runs, [("f", "factor")])
    fin = pc.final_data(runs, "m")
    assert list(fin["group"]) == ["factor = 1", "factor = 2"] and list(fin["n"]) == [2, 2]
    assert list(fin["mean"]) == [1.5, 15.0]
    # LHS-like: no baseline point when pairing points is off.
    bare = runs.drop(columns=["group", "base_group"])
    lhs = pc.label_groups(bare, [("f", "f")], pair_points=False)
    assert pc.paired_data(lhs, "m").empty


@pytest.mark.slow
def test_compare_pairs_a_second_experiments_levels(tmp_path):
    a, _ = toy_sweep(tmp_path, TWO_LEVELS, name="a", report=False)
    b, _ = toy_sweep(
        tmp_path, TWO_LEVELS.replace("[1.5, 3.0]", "[1.5, 2.0]"), name="b", report=False
    )
    dest, _ = compare_results([a, b], tmp_path / "cmp", ["post.travel_min_mean"])
    tab = pd.read_csv(dest / "tables" / "metrics.csv").set_index("group")
    assert list(tab["n"]) == [3, 3, 3, 3]  # per folder and level, never pooled
    assert tab.loc["b: target = 1.5", "baseline"] == "a: target = 1.5"
    assert tab.loc["b: target = 1.5", "diff"] == pytest.approx(0.0, abs=1e-9)
    assert tab.loc["b: target = 2", "baseline"] == "a: target = 1.5"
