"""The workflow sub-commands: help with examples, validate, list, dry run, one-line errors."""

from __future__ import annotations

import pytest
from sweep_standin import ROOT, write_experiment

from mergesim.cli import main

EXPERIMENTS = sorted((ROOT / "experiments").glob("*.toml"))


@pytest.mark.parametrize("command", ["sweep", "plot", "compare", "validate", "list"])
def test_help_shows_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out and f"mergesim {command}" in out


def test_validate_ok(capsys):
    assert main(["validate", str(ROOT / "scenarios" / "seed_county.toml")]) == 0
    assert capsys.readouterr().out.startswith("ok: scenario 'seed_county'")
    assert main(["validate", str(ROOT / "experiments" / "policy_packages.toml")]) == 0
    assert "ok: experiment 'policy_packages': 70 runs" in capsys.readouterr().out


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mergesim: error: ")
    return lines[0]


def test_validate_bad_experiment(tmp_path, capsys):
    path = write_experiment(tmp_path, "replicatons = 2")
    assert main(["validate", str(path)]) == 2
    assert "did you mean 'replications'" in one_error_line(capsys)


def test_list_names_every_shipped_file(capsys):
    assert main(["list", "--dir", str(ROOT)]) == 0
    out = capsys.readouterr().out
    assert "seed_county.toml" in out and "The seed county as reported" in out
    for path in EXPERIMENTS:
        assert path.name in out


def test_dry_run_counts_and_estimates(tmp_path, capsys):
    exp = ROOT / "experiments" / "target_factor.toml"
    assert (
        main(["sweep", str(exp), "--dry-run", "--out", str(tmp_path / "r"), "--workers", "4"]) == 0
    )
    out = capsys.readouterr().out
    assert "40 runs in the design: 0 already finished, 40 to run on 4 workers" in out
    assert "estimated time:" in out and "estimated disk:" in out
    assert not (tmp_path / "r").exists()  # a dry run writes nothing


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--scheduler", "foo://bar"], "bad scheduler address"),
        (["--scheduler", "tcp://127.0.0.1:9"], "no Dask scheduler answers"),
        (["--scheduler", "tcp://host:port"], "port must be a number"),
        (["--resume"], "nothing to resume"),
        (["--workers", "0"], "--workers"),
        (["--set", "villagers.scael=0.1"], "villagers.scael"),
    ],
)
def test_sweep_user_errors_are_one_line_and_write_nothing(tmp_path, capsys, args, needle):
    if "--scheduler" in args and "foo" not in args[1]:
        pytest.importorskip("distributed", reason="Dask distributed not installed")
    path = write_experiment(tmp_path, "replications = 1")
    out = tmp_path / "results"
    assert main(["sweep", str(path), "--out", str(out), *args]) == 2
    assert needle in one_error_line(capsys)
    assert not out.exists()


def test_plot_and_compare_errors(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a results folder" in one_error_line(capsys)
    assert main(["compare", str(tmp_path)]) == 2
    assert "at least two" in one_error_line(capsys)


def test_log_file_and_quiet(tmp_path, capsys):
    """-q keeps warnings on stderr; --log-file gets every message with a time stamp."""
    pytest.importorskip("SALib")
    body = """
[design]
method = "sobol"
n = 8
[[factors]]
key = "villagers.trust_mean"
range = [0.4, 0.8]
"""
    path = write_experiment(tmp_path, body)
    log = tmp_path / "logs" / "sweep.log"
    args = ["sweep", str(path), "--dry-run", "--out", str(tmp_path / "r"), "-q"]
    assert main([*args, "--log-file", str(log)]) == 0
    err = capsys.readouterr().err
    assert "mergesim: warning: the sobol base sample N = 8 is below" in err
    text = log.read_text()
    assert "WARNING mergesim.sweep: the sobol base sample N = 8" in text
    assert text[:4].isdigit()  # a time stamp first
