"""Hostile input beyond the data files: ``extends`` chains, output confinement, the memory
guard, undefined metrics, command-line syntax and damaged results tables.

Each class of ``docs/bad_input.md`` ("Scenario files", "Command line and results folders",
"Memory", "Results tables") gets a case here, through ``mergesim.cli.main``: exit code 2,
exactly one stderr line starting ``mergesim: error:``, no traceback, and nothing written.
"""

from __future__ import annotations

import errno
import json
import math
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from mergesim.cli import main
from mergesim.model import resources
from one_error import SMOKE, every_command, one_line

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "scenarios" / "example_real.toml"
SHORT = [
    "--set",
    "timeline.warmup_weeks=6",
    "--set",
    "timeline.burn_in_weeks=1",
    "--set",
    "timeline.horizon_weeks=12",
    "--set",
    "timeline.transition_weeks=2",
    "--set",
    "timeline.post_window_weeks=4",
]
WINDOWS = ("pre", "transition", "post", "change")


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _refused_everywhere(scenario: Path, out: Path, capsys, words: str) -> None:
    for name, argv in every_command(scenario, out, dry_run=True).items():
        assert main(argv) == 2, name
        assert words in one_line(capsys), name
        assert not out.exists(), name


# -- extends, BOM, encodings, --set ------------------------------------------------------------


def test_extends_through_a_symlink_loop(tmp_path, capsys):
    os.symlink("loop.toml", tmp_path / "loop.toml")
    bad = _write(tmp_path / "bad.toml", 'extends = "loop.toml"\n')
    _refused_everywhere(bad, tmp_path / "out", capsys, "extends: value 'loop.toml' is a symbolic")


def test_extends_cycle_through_a_symlink(tmp_path, capsys):
    os.symlink("a.toml", tmp_path / "link.toml")
    bad = _write(tmp_path / "a.toml", 'extends = "link.toml"\n')
    _refused_everywhere(bad, tmp_path / "out", capsys, "extends cycle")


def test_extends_deeper_than_the_limit(tmp_path, capsys):
    depth = 40
    for i in range(depth):
        _write(tmp_path / f"{i}.toml", f'extends = "{i + 1}.toml"\n')
    _write(tmp_path / f"{depth}.toml", f'extends = "{REAL}"\n')
    out = tmp_path / "out"
    assert main(["validate", str(tmp_path / "0.toml")]) == 2
    assert "extends chain deeper than 32 files" in one_line(capsys)
    assert main(["plan", str(tmp_path / "0.toml"), "--out", str(out), "--no-maps"]) == 2
    assert "at most 32 levels of extends" in one_line(capsys)
    assert not out.exists()


def test_a_byte_order_mark_is_accepted(tmp_path, capsys):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + f'extends = "{REAL}"\n'.encode())
    assert main(["validate", str(bom)]) == 0
    assert "ok: scenario 'bom'" in capsys.readouterr().out


def test_a_latin1_experiment_file_given_to_sweep(tmp_path, capsys):
    exp = tmp_path / "exp.toml"
    exp.write_bytes(f'name = "caf\xe9"\nscenarios = ["{REAL}"]\n'.encode("latin-1"))
    out = tmp_path / "out"
    for argv in (["sweep", str(exp), "--out", str(out)], ["validate", str(exp)]):
        assert main(argv) == 2
        assert "exp.toml: not UTF-8 text (byte 0xE9 at offset 11)" in one_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    "item, words",
    [
        ("plan.target_factor=abc", "--set: plan.target_factor: value 'abc' has the wrong type"),
        ("plan.nope=1", "--set: plan.nope: unknown key; valid keys:"),
        ("plan.nope", "--set: bad override 'plan.nope'; expected key=value"),
    ],
)
def test_sweep_set_errors_name_set_not_the_experiment(tmp_path, capsys, item, words):
    exp = _write(tmp_path / "exp.toml", f'name = "e"\nscenarios = ["{REAL}"]\n{SMOKE}')
    out = tmp_path / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--dry-run", "--set", item]) == 2
    line = one_line(capsys)
    assert words in line and "exp.toml" not in line, line
    assert not out.exists()


# -- output confinement ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../escape", "/tmp/absolute_escape", "..", "a/b"])
def test_a_name_cannot_leave_the_results_folder(tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    scen = _write(tmp_path / "s.toml", f'extends = "{REAL}"\nname = "{name}"\n')
    exp = _write(tmp_path / "e.toml", f'name = "{name}"\nscenarios = ["{REAL}"]\n{SMOKE}')
    for argv in (
        ["plan", str(scen), "--no-maps"],
        ["run", str(scen), "--scale", "0.01", "--no-plots"],
        ["sweep", str(exp), "--dry-run"],
    ):
        assert main(argv) == 2, argv
        assert f"name: value '{name}' leaves the results folder" in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml", "s.toml"]
    assert not Path("/tmp/absolute_escape").exists()


def test_empty_out_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exp = _write(tmp_path / "e.toml", f'name = "e"\nscenarios = ["{REAL}"]\n{SMOKE}')
    for argv in (
        ["plan", str(REAL), "--out", "", "--no-maps"],
        ["run", str(REAL), "--out", "", "--no-plots"],
        ["sweep", str(exp), "--out", "", "--dry-run"],
    ):
        assert main(argv) == 2, argv
        assert "--out: empty path; allowed: a folder path" in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


@pytest.mark.parametrize("sub", ["", "/inner"])
def test_out_through_a_symlink_loop(tmp_path, capsys, sub):
    os.symlink("loop", tmp_path / "loop")
    exp = _write(tmp_path / "e.toml", f'name = "e"\nscenarios = ["{REAL}"]\n{SMOKE}')
    out = f"{tmp_path / 'loop'}{sub}"
    for argv in (
        ["plan", str(REAL), "--out", out, "--no-maps"],
        ["run", str(REAL), "--out", out, "--no-plots"],
        ["sweep", str(exp), "--out", out, "--dry-run"],
    ):
        assert main(argv) == 2, argv
        assert f"{out}: is a symbolic-link loop" in one_line(capsys)


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "/some/hidden/file")


def test_a_failed_run_leaves_no_partial_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("mergesim.run.dump_scenario", _full_disk)  # after the tables
    out = tmp_path / "r" / "run"
    assert main(["run", str(REAL), "--out", str(out), "--no-plots", "--scale", "0.01"]) == 2
    assert one_line(capsys).startswith(f"mergesim: error: {out}: cannot write: No space left")
    assert not out.exists()
    assert list((tmp_path / "r").iterdir()) == []  # the hidden staging folder is gone too


def test_a_failed_plan_leaves_no_partial_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("mergesim.api.dump_scenario", _full_disk)  # after two files
    out = tmp_path / "p" / "plan"
    assert main(["plan", str(REAL), "--out", str(out), "--no-maps"]) == 2
    assert one_line(capsys).startswith(f"mergesim: error: {out}: cannot write: No space left")
    assert list((tmp_path / "p").iterdir()) == []


def test_a_plan_into_an_existing_folder_keeps_other_files(tmp_path, capsys):
    out = tmp_path / "plan"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["plan", str(REAL), "--out", str(out), "--no-maps"]) == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "plan_summary.json").is_file() and (out / "geometry").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


# -- memory guard ------------------------------------------------------------------------------


@pytest.fixture
def eight_gib(monkeypatch):
    """A machine of 8 GiB, whatever this one has (the limit is half of it)."""
    monkeypatch.setattr(resources, "machine_memory", lambda: 8 * 2**30)


def test_a_run_too_big_for_memory_is_refused(tmp_path, capsys, eight_gib):
    big = _write(
        tmp_path / "big.toml",
        f'extends = "{ROOT / "scenarios" / "seed_county.toml"}"\n'
        "[county]\npopulation = 100000000\n",
    )
    out = tmp_path / "out"
    t0 = time.perf_counter()
    assert main(["run", str(big), "--out", str(out)]) == 2
    line = one_line(capsys)
    assert "needs about 16.6 GiB of memory (100,000,000 villagers × 182 weeks)" in line, line
    assert "at most 4.0 GiB (50% of this machine's 8.0 GiB)" in line
    assert "use a smaller --scale, or pass --force" in line
    assert time.perf_counter() - t0 < 30  # refused before any villager is made
    assert not out.exists()


def test_a_design_too_big_for_memory_is_refused(tmp_path, capsys, eight_gib):
    levels = "values = [" + ", ".join(str(1.5 + i / 10) for i in range(10)) + "]"
    exp = _write(
        tmp_path / "e.toml",
        f'name = "e"\nscenarios = ["{REAL}"]\nreplications = 100000\n'
        '[design]\nmethod = "factorial"\n'
        f'[[factors]]\nkey = "plan.target_factor"\n{levels}\n'
        f'[[factors]]\nkey = "plan.township_target_factor"\n{levels}\n{SMOKE}',
    )
    out = tmp_path / "out"
    t0 = time.perf_counter()
    assert main(["sweep", str(exp), "--out", str(out), "--dry-run"]) == 2
    line = one_line(capsys)
    assert "(10,000,000 planned runs)" in line and "fewer replications" in line, line
    assert time.perf_counter() - t0 < 30  # refused before planning
    assert not out.exists()


def test_a_dry_run_of_many_replications_is_quick(tmp_path, capsys, monkeypatch):
    from mergesim.sweep import design

    planned = []
    real_plan = design.plan_runs

    def counting(exp, cli=None):
        runs = real_plan(exp, cli)
        planned.append(len(runs))
        return runs

    monkeypatch.setattr("mergesim.sweep.plan_runs", counting)
    exp = _write(tmp_path / "e.toml", f'name = "e"\nscenarios = ["{REAL}"]\n{SMOKE}')
    out = tmp_path / "out"
    assert (
        main(["sweep", str(exp), "--out", str(out), "--replications", "100000", "--dry-run"]) == 0
    )
    assert "100000 runs in the design: 0 already finished" in capsys.readouterr().out
    assert planned == [1]  # one replicate planned; the others counted
    assert not out.exists()


# -- no NaN or infinity in results -------------------------------------------------------------


def _strict_json(path: Path):
    def refuse(token):
        raise AssertionError(f"{path}: {token}")

    return json.loads(path.read_text(), parse_constant=refuse)


def test_a_tiny_county_has_undefined_metrics_with_reasons_not_nan(tmp_path, capsys):
    """Every village at the least population allowed, simulated at the least scale: metrics
    with nothing to average over are None with a stated reason; nothing is NaN or infinite."""
    rows = (ROOT / "scenarios" / "data" / "sichuan_example.csv").read_text().splitlines()
    header = rows[0].split(",")
    col = header.index("population")
    lines = [rows[0]]
    for r in rows[1:]:
        cells = r.split(",")
        cells[col] = "50"
        lines.append(",".join(cells))
    (tmp_path / "v.csv").write_text("\n".join(lines) + "\n")
    scen = _write(tmp_path / "z.toml", f'extends = "{REAL}"\n[county]\ndata = "v.csv"\n')
    out = tmp_path / "out"
    argv = ["run", str(scen), "--out", str(out), "--scale", "0.0001", "--no-progress", *SHORT]
    assert main(argv) == 0, capsys.readouterr().err
    summary = _strict_json(out / "summary.json")
    reasons = dict(line.split(": ", 1) for line in summary["undefined"])
    nones = [f"{w}.{k}" for w in WINDOWS for k, v in summary[w].items() if v is None]
    assert nones and sorted(nones) == sorted(reasons)
    assert all(reasons.values())
    for w in WINDOWS:
        assert all(v is None or math.isfinite(v) for v in summary[w].values())
    text = (out / "timeseries.csv").read_text().lower()
    assert "nan" not in text and "inf" not in text


def test_tables_never_hold_infinity(tmp_path):
    from mergesim.results import read_runs, write_runs_table

    table = pd.DataFrame({"run_id": ["a", "b"], "x": [1.0, math.inf], "y": [-math.inf, 2.0]})
    write_runs_table(tmp_path, table)
    text = (tmp_path / "runs.csv").read_text()
    assert "inf" not in text.lower()
    back = read_runs(tmp_path)
    assert back["x"].isna().tolist() == [False, True] and back["y"].isna().tolist() == [True, False]


# -- command-line syntax -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, words",
    [
        ([], "required: COMMAND; allowed: plan, run, sweep, plot, compare, validate, list, app"),
        (["frob"], "invalid choice: 'frob' (choose from 'plan', 'run'"),
        (["run", str(REAL), "--design", "x"], "unrecognized arguments: --design x; allowed "),
        (["run", str(REAL), "--scale", "abc"], "--scale: invalid value 'abc'; allowed: a value"),
        (["sweep", "e.toml", "--replications", "x"], "invalid int value: 'x'; expected a whole"),
        (["run"], "required: scenario; see 'mergesim run --help'"),
    ],
)
def test_argparse_errors_are_one_line_with_the_allowed_values(capsys, argv, words):
    assert main(argv) == 2
    assert words in one_line(capsys)


@pytest.mark.parametrize("command", ["run", "sweep"])
@pytest.mark.parametrize("value", ["0", "2", "1e-5", "nan"])
def test_scale_range_is_stated_one_way(capsys, command, value):
    target = str(REAL) if command == "run" else "e.toml"
    assert main([command, target, "--scale", value]) == 2
    line = one_line(capsys)
    assert "allowed: a value in [0.0001, 1] (villagers.scale: share of villagers simulated)" in line


# -- damaged results tables --------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "r"
    argv = ["run", str(REAL), "--out", str(out), "--scale", "0.01", "--no-progress", *SHORT]
    assert main(argv) == 0
    return out


@pytest.mark.parametrize(
    "name, data",
    [
        ("runs.parquet", b"PAR1 not a parquet file"),
        ("runs.csv", b'run_id,x\n"unterminated\n'),
        ("runs.csv", b"\xff\xfe\x00\x01"),
    ],
)
def test_a_damaged_runs_table_given_to_compare_or_plot(tmp_path, capsys, run_folder, name, data):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / name).write_bytes(data)
    (bad / "experiment.toml").write_text(f'name = "e"\nscenarios = ["{REAL}"]\n')
    out = tmp_path / "cmp"
    for argv in (["compare", str(bad), str(run_folder), "--out", str(out)], ["plot", str(bad)]):
        assert main(argv) == 2, argv
        line = one_line(capsys)
        assert "cannot read" in line or "not a results folder" in line, line
    assert not out.exists()


@pytest.mark.parametrize(
    "name, data",
    [
        ("summary.json", b'{"a": [1,'),
        ("summary.json", b"\xff\xfe{}"),
        ("timeseries.csv", b'week,a\n1,"2\n'),
        ("villages.csv", b"\x00\x01"),
    ],
)
def test_a_damaged_run_folder_given_to_plot(tmp_path, capsys, run_folder, name, data):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(run_folder, bad)
    (bad / name).write_bytes(data)
    before = sorted(p.relative_to(bad) for p in bad.rglob("*"))
    assert main(["plot", str(bad)]) == 2
    assert f"{bad / name}: cannot read this results file" in one_line(capsys)
    assert sorted(p.relative_to(bad) for p in bad.rglob("*")) == before
