"""Every bad input of ``docs/bad_input.md``, end to end through the command line.

Each case is run through ``validate``, ``plan``, ``run`` and ``sweep`` (an experiment over the
bad scenario): exit code 2, exactly one line on stderr naming what is wrong, no traceback, and
no results folder left behind. Unit tests of the same rules live beside the loaders
(``tests/config``, ``tests/county``, ``tests/plans``); this file checks that what a researcher
types gets the one line.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mergesim.cli import main
from one_error import SMOKE, every_command, one_line

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "scenarios" / "example_real.toml"
CSV = (ROOT / "scenarios" / "data" / "sichuan_example.csv").read_text().splitlines()
HEADER, ROWS = CSV[0], CSV[1:]


def _csv(tmp: Path, rows: list[str], header: str = HEADER) -> Path:
    (tmp / "villages.csv").write_text("\n".join([header, *rows]) + "\n")
    return _toml(tmp, '[county]\nsource = "csv"\ndata = "villages.csv"\n')


def _toml(tmp: Path, text: str, name: str = "bad.toml") -> Path:
    (tmp / name).write_text(text)
    return tmp / name


def _cell(row: str, col: str, value: str) -> str:
    cells = row.split(",")
    cells[HEADER.split(",").index(col)] = value
    return ",".join(cells)


def _plan_file(tmp: Path, edit) -> Path:
    """A plan CSV for the real example county (every village on its own), edited."""
    lines = ["village_id,new_village,new_township"]
    lines += [f"{r.split(',')[0]},{r.split(',')[0]},{r.split(',')[6]}" for r in ROWS]
    (tmp / "plan.csv").write_text("\n".join(edit(lines)) + "\n")
    return _toml(tmp, f'extends = "{REAL}"\n[plan]\nmethod = "file"\nfile = "plan.csv"\n')


#: id -> (setup(tmp) -> scenario path, words the one line must contain)
CASES = {
    "unknown_key": (
        lambda t: _toml(t, '[plan]\nmetod = "uniform"\n'),
        "plan.metod: unknown key; did you mean 'method'?",
    ),
    "unknown_section": (
        lambda t: _toml(t, '[plann]\nmethod = "uniform"\n'),
        "did you mean 'plan'?",
    ),
    "wrong_type": (
        lambda t: _toml(t, '[county]\nvillages = "many"\n'),
        "county.villages: value 'many' has the wrong type; expected an integer",
    ),
    "wrong_type_bool": (
        lambda t: _toml(t, '[services]\nagency_service = "yes"\n'),
        "expected true/false",
    ),
    "nan_value": (
        lambda t: _toml(t, "[plan]\ntarget_factor = nan\n"),
        "plan.target_factor: value nan has the wrong type",
    ),
    "out_of_range": (
        lambda t: _toml(t, "[county]\nvillages = -3\n"),
        "county.villages: value -3 is out of range",
    ),
    "transition_longer_than_horizon": (
        lambda t: _toml(t, "[timeline]\ntransition_weeks = 300\nhorizon_weeks = 100\n"),
        "timeline.transition_weeks: value 300 must be < horizon_weeks (100)",
    ),
    "malformed_toml": (lambda t: _toml(t, '[plan\nmethod = "uniform"\n'), "malformed TOML"),
    "not_utf8": (
        lambda t: (t / "bad.toml").write_bytes(b'name = "\xff"\n') and t / "bad.toml",
        "not UTF-8 text",
    ),
    "missing_scenario": (lambda t: t / "nope.toml", "nope.toml: file not found"),
    "scenario_is_a_folder": (lambda t: t, "cannot read the file"),
    "missing_extends": (
        lambda t: _toml(t, 'extends = "nope.toml"\n'),
        "extends: value 'nope.toml' names a missing file",
    ),
    "extends_cycle": (
        lambda t: (
            _toml(t, 'extends = "a.toml"\n', "b.toml"),
            _toml(t, 'extends = "b.toml"\n', "a.toml"),
        )[1],
        "extends cycle",
    ),
    "missing_data_file": (
        lambda t: _toml(t, '[county]\nsource = "csv"\ndata = "no.csv"\n'),
        "no.csv: file not found",
    ),
    "csv_without_data_key": (
        lambda t: _toml(t, '[county]\nsource = "csv"\n'),
        "county.data: source = 'csv' needs county.data",
    ),
    "missing_edges_file": (
        lambda t: _toml(t, f'extends = "{REAL}"\n[county]\nedges = "no_edges.csv"\n'),
        "no_edges.csv: file not found",
    ),
    "empty_county": (lambda t: _csv(t, []), "no villages: the file has a header but no rows"),
    "one_village_county": (
        lambda t: _csv(t, ROWS[:1]),
        "only one village (line 2); a county needs at least 2 villages",
    ),
    "duplicate_ids": (lambda t: _csv(t, [*ROWS, ROWS[3]]), "duplicate id"),
    "nan_coordinates": (
        lambda t: _csv(t, [*ROWS[:4], _cell(ROWS[4], "lon", "nan"), *ROWS[5:]]),
        "lon: line 6: lon 'nan' is not a finite number",
    ),
    "empty_coordinate": (
        lambda t: _csv(t, [*ROWS[:4], _cell(ROWS[4], "lat", ""), *ROWS[5:]]),
        "lat: line 6: empty lat",
    ),
    "negative_population": (
        lambda t: _csv(t, [*ROWS[:4], _cell(ROWS[4], "population", "-50"), *ROWS[5:]]),
        "population: line 6: population '-50' is out of range; allowed: >= 50 and <= 1e+06",
    ),
    "missing_column": (
        lambda t: _csv(
            t, [",".join(r.split(",")[:4]) for r in ROWS], ",".join(HEADER.split(",")[:4])
        ),
        "missing required column(s) population",
    ),
    "malformed_geojson": (
        lambda t: (
            (t / "v.geojson").write_text('{"features": ['),
            _toml(t, '[county]\nsource = "geojson"\ndata = "v.geojson"\n'),
        )[1],
        "not valid JSON",
    ),
    "edge_to_unknown_village": (
        lambda t: (
            (t / "e.csv").write_text(f"a,b\n{ROWS[0].split(',')[0]},999\n"),
            _toml(t, f'extends = "{REAL}"\n[county]\nedges = "e.csv"\n'),
        )[1],
        "b = 999 is not an id",
    ),
    "plan_file_omits_a_village": (
        lambda t: _plan_file(t, lambda ls: ls[:-1]),
        "1 village(s) missing from the plan",
    ),
    "plan_file_repeats_a_village": (
        lambda t: _plan_file(t, lambda ls: [*ls, ls[1]]),
        "appears more than once",
    ),
    "plan_file_unknown_village": (
        lambda t: _plan_file(t, lambda ls: [*ls, "42,x,Donghe"]),
        "village_id 42 is not a village of the county",
    ),
    "plan_file_splits_a_township": (
        lambda t: _plan_file(
            t, lambda ls: [*ls[:2], ls[2].rsplit(",", 1)[0] + ",Elsewhere", *ls[3:]]
        ),
        "old township 'Donghe' is split across new townships 'Donghe' and 'Elsewhere'",
    ),
    "plan_file_key_missing": (
        lambda t: _toml(t, '[plan]\nmethod = "file"\n'),
        "plan.file: method = 'file' needs plan.file",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_exit_2_and_writes_nothing(case, tmp_path, capsys):
    setup, words = CASES[case]
    scenario = setup(tmp_path)
    out = tmp_path / "results"
    commands = every_command(scenario, out)
    for name, argv in commands.items():
        assert main(argv) == 2, name
        line = one_line(capsys)
        if name == "sweep" and case in ("missing_scenario", "scenario_is_a_folder"):
            assert "scenario file" in line or "cannot read" in line, (name, line)
        else:
            assert words in line, (name, line)
        assert not out.exists(), f"{name} left {sorted(out.rglob('*'))}"


def test_a_bad_set_value_is_one_line(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", str(REAL), "--out", str(out), "--set", "plan.target_factor=abc"]) == 2
    assert "--set: plan.target_factor: value 'abc' has the wrong type" in one_line(capsys)
    assert not out.exists()


def test_non_contiguous_merge_is_reported_not_rejected(tmp_path, capsys):
    """A plan file may merge villages that share no road (a researcher may want that): the
    plan's notes and its contiguity check say so, and ``mergesim plan`` exits 1."""
    from mergesim.api import plan_scenario

    county = plan_scenario(REAL, write=False, maps=False).county
    near = set(zip(county.edge_a.tolist(), county.edge_b.tolist(), strict=True))
    t = county.township
    a, b = next(
        (i, j)
        for i in range(county.n_villages)
        for j in range(i + 1, county.n_villages)
        if t[i] == t[j] and (i, j) not in near
    )
    ids = county.village_id

    def merge(lines):
        return [lines[0]] + [
            f"{ids[b]},{ids[a]},{county.township_name[t[a]]}"
            if ln.split(",")[0] == str(ids[b])
            else ln
            for ln in lines[1:]
        ]

    scenario = _plan_file(tmp_path, merge)
    out = tmp_path / "plan"
    assert main(["plan", str(scenario), "--out", str(out), "--no-maps"]) == 1
    text = capsys.readouterr().out
    assert "[FAIL] contiguity: 1 of" in text and "not contiguous: 1 of" in text
    assert (out / "plan_summary.json").is_file()  # a report, complete, not an error


# ---------------------------------------------------------------------------------------------
# Unknown executor addresses: fail fast with one line, never hang
# ---------------------------------------------------------------------------------------------


def _experiment(tmp_path) -> Path:
    return _toml(
        tmp_path, f'name = "exp"\nscenarios = ["{REAL}"]\nreplications = 1\n{SMOKE}', "exp.toml"
    )


@pytest.mark.slow
def test_refused_scheduler_address_fails_fast_in_a_real_process(tmp_path):
    pytest.importorskip("distributed", reason="Dask distributed not installed")
    out = tmp_path / "results"
    t0 = time.monotonic()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "mergesim",
            "sweep",
            str(_experiment(tmp_path)),
            "--out",
            str(out),
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - t0 < 20
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert "no Dask scheduler answers at 'tcp://127.0.0.1:1'" in r.stderr
    assert not out.exists()


class FakeServer:
    """A loopback TCP server that accepts and then stays silent or sends a text banner."""

    def __init__(self, banner: bytes = b""):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.banner, self.conns = banner, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.banner:
                conn.sendall(self.banner)
            self.conns.append(conn)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


@pytest.mark.parametrize(
    ("banner", "words"),
    [
        (b"", "sent no Dask handshake"),
        (b"SSH-2.0-OpenSSH_9.6\r\n", "speaks another protocol"),
    ],
)
def test_a_port_that_is_not_a_scheduler_fails_fast(tmp_path, capsys, monkeypatch, banner, words):
    """Dask's client would wait forever on a silent port, and try to allocate exabytes on a
    text banner; the probe catches both."""
    pytest.importorskip("distributed", reason="Dask distributed not installed")
    import mergesim.sweep.executors as executors

    monkeypatch.setattr(executors, "PROBE_SECONDS", 0.5)
    server = FakeServer(banner)
    out = tmp_path / "results"
    try:
        t0 = time.monotonic()
        rc = main(
            [
                "sweep",
                str(_experiment(tmp_path)),
                "--out",
                str(out),
                "--scheduler",
                f"tcp://127.0.0.1:{server.port}",
            ]
        )
        assert time.monotonic() - t0 < 10
    finally:
        server.close()
    assert rc == 2
    assert words in one_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize("address", ["local:0", "local:many"])
def test_bad_local_cluster_size(tmp_path, capsys, address):
    pytest.importorskip("distributed", reason="Dask distributed not installed")
    out = tmp_path / "results"
    assert (
        main(["sweep", str(_experiment(tmp_path)), "--out", str(out), "--scheduler", address]) == 2
    )
    assert "'local:N' with N >= 1" in one_line(capsys)
    assert not out.exists()
