"""``mergesim app``: help, and one clear line (exit 2) for a missing extra, a port in use or a
bad scenario — without starting a server."""

from __future__ import annotations

import socket
import sys

import pytest

from mergesim.app.server import ENV_RESULTS, ENV_SCENARIO, INSTALL_HINT
from mergesim.cli import main


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch):
    """``serve`` sets these for the page; put them back after each test."""
    for key in (
        ENV_SCENARIO,
        ENV_RESULTS,
        "SOLARA_APP",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE",
        "SERVER_NAME",
        "SERVER_PORT",
    ):
        monkeypatch.setenv(key, "")


def test_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["app", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--host" in out and "[app]" in out


def test_missing_extra_is_one_line_naming_the_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "solara.server.starlette", None)
    assert main(["app", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and INSTALL_HINT in err


@pytest.mark.slow
def test_port_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"127.0.0.1:{port} is in use" in err


def test_bad_port_and_bad_scenario(tmp_path, capsys):
    assert main(["app", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[services]\nagency_servic = false\n")
    assert main(["app", str(bad), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "agency_servic" in err and "did you mean" in err and err.count("\n") == 1
