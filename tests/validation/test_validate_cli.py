"""``mergesim validate --model``: three parts with counts, the files, and the exit status
(1 only for verification failures and crashes, unless ``--strict``)."""

from __future__ import annotations

import csv
import re

import pytest

from mergesim.cli import main
from mergesim.validation import suite
from mergesim.validation.catalogue import CALIBRATION, FIGURES, VALIDATION
from mergesim.validation.result import VERIFICATION, Result


@pytest.mark.slow
def test_validate_model_prints_three_parts_and_writes_the_tables(capsys, tmp_path):
    code = main(["validate", "--model", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    with (tmp_path / "validation.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    parts = {
        p: [r for r in rows if r["part"] == p] for p in (VERIFICATION, CALIBRATION, VALIDATION)
    }
    # each part printed under its title, with its count
    for part, title in suite.TITLES.items():
        n, n_fail = len(parts[part]), sum(r["result"] == "FAIL" for r in parts[part])
        assert n > 0, part
        assert re.search(
            rf"^{re.escape(title)} — {n} checks: \d+ pass, {n_fail} fail, \d+ skipped$",
            out,
            re.M,
        ), part
    # the exit status follows the verification part only
    assert code == (1 if any(r["result"] == "FAIL" for r in parts[VERIFICATION]) else 0)
    # every report figure fitted or predicted has its row in its part, with an error if numeric
    cited = {r["figure"]: r for r in rows if r["figure"]}
    for f in FIGURES:
        if f.role in (CALIBRATION, VALIDATION):
            assert f.id in cited, f.id
            assert cited[f.id]["part"] == f.role, f.id
    for fid in ("villages_merged_away", "townships_abolished", "merged_villages"):
        assert cited[fid]["error"], fid
    assert all(r["knobs"] for r in parts[CALIBRATION])
    # the periphery fact both ways, with the seed county's retention
    for centre in ("merged township's centre", "old township's centre"):
        assert f"seed: Δ admin minutes, far vs near tercile to the {centre}" in out
    for needle in ("travel table, seed county", "Erlang C", "vs PySAL access", "1 + 4 + N"):
        assert needle in out, needle
    md = (tmp_path / "validation.md").read_text(encoding="utf-8")
    assert md.count("\n## ") == 3


def _row(part, ok, name="row"):
    return lambda: [Result(f"{part} {name}", "1", "2", "= 1", ok, part=part)]


def _crashing():
    raise RuntimeError("boom")


@pytest.fixture
def no_facts(monkeypatch):
    monkeypatch.setattr(suite, "STYLISED_FACTS", [])


@pytest.mark.parametrize(
    ("failing", "code", "strict_code"),
    [(VERIFICATION, 1, 1), (CALIBRATION, 0, 1), (VALIDATION, 0, 1), (None, 0, 0)],
)
def test_exit_status_by_part(monkeypatch, capsys, tmp_path, no_facts, failing, code, strict_code):
    checks = [_row(p, p != failing) for p in (VERIFICATION, CALIBRATION, VALIDATION)]
    monkeypatch.setattr(suite, "CHECKS", checks)
    args = ["validate", "--model", "--out", str(tmp_path)]
    assert main(args) == code
    out = capsys.readouterr().out
    assert out.count(" — 1 checks: ") == 3
    if failing:
        assert f"{failing} row" in out and "FAIL" in out
    assert main([*args, "--strict"]) == strict_code


def test_skips_pass_and_a_crash_is_a_failed_verification_row(
    monkeypatch, capsys, tmp_path, no_facts
):
    skipped = lambda: [Result("optional", "-", "not installed", "-", None)]  # noqa: E731
    monkeypatch.setattr(suite, "CHECKS", [skipped])
    assert main(["validate", "--model", "--out", str(tmp_path)]) == 0
    assert "1 checks: 0 pass, 0 fail, 1 skipped" in capsys.readouterr().out
    monkeypatch.setattr(suite, "CHECKS", [_crashing, skipped])
    assert main(["validate", "--model", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "_crashing" in out and "RuntimeError: boom" in out


def test_file_and_model_together(monkeypatch, capsys, tmp_path, no_facts):
    monkeypatch.setattr(suite, "CHECKS", [_row(VERIFICATION, True, "optional")])
    path = str(suite.scenario_path("seed_county.toml"))
    assert main(["validate", path, "--model", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: scenario 'seed_county'") and "optional" in out


def test_neither_file_nor_model_is_one_line(capsys):
    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--model" in err[0]


def test_table_columns_line_up_with_wide_characters():
    rows = [
        Result("a", "b", "c", "d", True),
        Result("三边村 kept", "72", "72", "equal", False),
    ]
    lines = suite.format_part(VERIFICATION, rows).splitlines()
    header, first, second = lines[2], lines[4], lines[5]
    col = header.index("reference")
    assert first.index("b") == col
    # 三边村 takes two terminal columns per character
    assert suite._width(second[: second.index("72")]) == col


def test_csv_and_markdown_carry_every_row(tmp_path):
    rows = [
        Result("v", "1", "1", "=", True),
        Result("c", "383", "360", "345–420", True, part=CALIBRATION, knobs="plan.x", error="-23"),
        Result("w", "549", "525", "500–600", True, part=VALIDATION, basis="by construction"),
    ]
    files = suite.write_tables(rows, "summary line", tmp_path)
    with files[0].open(encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [r["part"] for r in got] == [VERIFICATION, CALIBRATION, VALIDATION]
    assert got[1]["knobs"] == "plan.x" and got[2]["basis"] == "by construction"
    md = files[1].read_text(encoding="utf-8")
    assert "summary line" in md and "| c | 383 | 360 | 345–420 | -23 | plan.x | ok |" in md
