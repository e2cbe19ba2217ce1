"""The one TOML reader: every unreadable file is one line naming it, whichever command reads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mergesim.config import load_scenario, read_toml
from mergesim.errors import ScenarioError
from mergesim.sweep import is_experiment, load_experiment, shipped

ROOT = Path(__file__).resolve().parents[2]
LATIN1 = 'name = "Café"\nscenarios = ["seed.toml"]\n'.encode("latin-1")


def error_line(fn, *args) -> str:
    with pytest.raises(ScenarioError) as info:
        fn(*args)
    line = info.value.line()
    assert len(line.splitlines()) == 1, line
    return line


def test_reads_utf8_and_accepts_a_byte_order_mark(tmp_path):
    f = tmp_path / "s.toml"
    f.write_bytes('\ufeffname = "三边"\n[plan]\nmethod = "none"\n'.encode())
    assert read_toml(f) == {"name": "三边", "plan": {"method": "none"}}
    assert load_scenario(f).name == "三边"


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda d: d / "nope.toml", "nope.toml: file not found"),
        (lambda d: d, "cannot read the file (Is a directory)"),
        (
            lambda d: (d / "l.toml").write_bytes(LATIN1) and d / "l.toml",
            "l.toml: not UTF-8 text (byte 0xE9 at offset 11); save the file as UTF-8",
        ),
        (
            lambda d: (d / "m.toml").write_text("a = [\n") and d / "m.toml",
            "m.toml: malformed TOML: ",
        ),
    ],
    ids=["missing", "folder", "latin1", "malformed"],
)
def test_every_failure_is_one_line_naming_the_file(tmp_path, setup, words):
    path = setup(tmp_path)
    for reader in (read_toml, load_scenario, load_experiment):
        assert words in error_line(reader, path)


def test_a_nul_byte_in_the_name_is_one_line(tmp_path):
    # Only reachable from Python (a command line cannot hold a NUL byte).
    path = Path(str(tmp_path) + "/x\0.toml")
    for reader in (read_toml, load_scenario):
        assert "not a valid file name" in error_line(reader, path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    f = tmp_path / "locked.toml"
    f.write_text('name = "x"\n')
    f.chmod(0)
    try:
        assert "cannot read the file (Permission denied)" in error_line(read_toml, f)
    finally:
        f.chmod(0o644)


def test_list_and_kind_detection_use_the_reader(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "experiments").mkdir()
    (tmp_path / "scenarios" / "a.toml").write_text('description = "fine"\n')
    (tmp_path / "experiments" / "b.toml").write_bytes(LATIN1)
    rows = {p.name: desc for _kind, p, desc in shipped(tmp_path)}
    assert rows["a.toml"] == "fine"
    assert rows["b.toml"].startswith("(unreadable: not UTF-8 text")
    assert is_experiment(tmp_path / "experiments" / "b.toml")
    assert not is_experiment(tmp_path / "scenarios" / "a.toml")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "mergesim", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_sweep_and_validate_give_the_same_line_for_a_latin1_experiment(tmp_path):
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "latin.toml").write_bytes(LATIN1)
    lines = []
    for command in ("sweep", "validate"):
        res = _cli(command, "experiments/latin.toml", cwd=tmp_path)
        assert res.returncode == 2, res.stderr
        assert "Traceback" not in res.stderr
        err = res.stderr.strip().splitlines()
        assert len(err) == 1, res.stderr
        lines.append(err[0])
    assert lines[0] == lines[1]
    assert lines[0].endswith(
        "latin.toml: not UTF-8 text (byte 0xE9 at offset 11); save the file as UTF-8"
    )
    assert not (tmp_path / "results").exists()
