"""``mergesim validate --model``: the printed table, exit 0 when all pass, 1 when one fails."""

from __future__ import annotations

import pytest

from mergesim.cli import main
from mergesim.validation import suite


@pytest.mark.slow
def test_validate_model_prints_the_table_and_passes(capsys):
    assert main(["validate", "--model"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == ["check", "reference", "ours", "tolerance", "pass"]
    for needle in (
        "travel table, seed county",
        "coverage_clinic_30",
        "Erlang C",
        "tandem of 6 stages",
        "plan: merged villages",
        "cadres: group_migrant",
        "worst decile",
        "far vs near tercile",
    ):
        assert needle in out, needle
    assert " 0 fail" in out and "FAIL" not in out


def _failing():
    return [suite.Result("always wrong", "1", "2", "= 1", False)]


def _crashing():
    raise RuntimeError("boom")


def _skipped():
    return [suite.Result("optional", "-", "not installed", "-", None)]


@pytest.fixture
def no_facts(monkeypatch):
    monkeypatch.setattr(suite, "STYLISED_FACTS", [])


def test_a_failing_check_exits_1(monkeypatch, capsys, no_facts):
    monkeypatch.setattr(suite, "CHECKS", [_skipped, _failing])
    assert main(["validate", "--model"]) == 1
    out = capsys.readouterr().out
    assert "always wrong" in out and "FAIL" in out
    assert "2 checks: 0 pass, 1 fail, 1 skipped" in out


def test_skips_alone_pass_and_a_crash_is_a_failed_row(monkeypatch, capsys, no_facts):
    monkeypatch.setattr(suite, "CHECKS", [_skipped])
    assert main(["validate", "--model"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(suite, "CHECKS", [_crashing, _skipped])
    assert main(["validate", "--model"]) == 1
    out = capsys.readouterr().out
    assert "_crashing" in out and "RuntimeError: boom" in out


def test_file_and_model_together(monkeypatch, capsys, no_facts):
    monkeypatch.setattr(suite, "CHECKS", [_skipped])
    assert main(["validate", str(suite.scenario_path("seed_county.toml")), "--model"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: scenario 'seed_county'") and "optional" in out


def test_neither_file_nor_model_is_one_line(capsys):
    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--model" in err[0]


@pytest.mark.parametrize("cells", [("a", "b", "c", "d", True)])
def test_table_columns_line_up(cells):
    text = suite.format_table(
        [suite.Result(*cells), suite.Result("longer name", "1", "2", "3", False)]
    )
    lines = text.splitlines()
    assert lines[0].index("reference") == lines[2].index("b") == lines[3].index("1")
