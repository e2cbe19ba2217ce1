"""A user's own scenario in ``scenarios/`` never breaks the test suite.

In a copy of the checkout (:mod:`repo_copy`) with ``scenarios/my_variant.toml`` added — the
README's variant, ``extends = "seed_county.toml"`` — no test is collected for it (nothing in the
suite iterates over the files of ``scenarios/``: the shipped ones are listed in
``mergesim.baseline.SHIPPED_SCENARIOS``), the tests that read the scenarios folder pass, and the
variant itself validates and runs. A broken user file (a typo) changes none of that either.
"""

from __future__ import annotations

import subprocess

import pytest

from repo_copy import copy_checkout, env

pytestmark = pytest.mark.slow

VARIANT = """extends = "seed_county.toml"
description = "The seed county without village agency service."

[services]
agency_service = false
"""
#: A user's work in progress: an unknown key.
BROKEN = 'extends = "seed_county.toml"\n[services]\nagency_servise = false\n'

#: The tests that read the scenarios folder (scenario loading, the baseline's coverage).
FOLDER_TESTS = [
    "tests/config/test_load.py",
    "tests/test_baseline.py::test_every_shipped_scenario_exists_and_has_a_baseline",
    "tests/config/test_read_toml.py",
]


def _pytest(repo, *args):
    return subprocess.run(
        [".venv/bin/python", "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=repo,
        env=env(),
        capture_output=True,
        text=True,
        timeout=1200,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_checkout(tmp_path_factory.mktemp("with_variant"))
    (repo / "scenarios" / "my_variant.toml").write_text(VARIANT)
    (repo / "scenarios" / "my_broken_draft.toml").write_text(BROKEN)
    return repo


def test_no_test_is_collected_for_user_scenarios(repo):
    res = _pytest(repo, "--collect-only", "-q", "-o", "addopts=")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    ids = res.stdout.splitlines()
    assert len(ids) > 500  # the whole suite was collected
    assert not [i for i in ids if "my_variant" in i or "my_broken_draft" in i]


def test_tests_reading_the_scenarios_folder_pass(repo):
    res = _pytest(repo, "-q", "-x", *FOLDER_TESTS)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]


def test_the_variant_validates_and_runs(repo):
    def mergesim(*args):
        return subprocess.run(
            [".venv/bin/mergesim", *args], cwd=repo, env=env(), capture_output=True, text=True
        )

    ok = mergesim("validate", "scenarios/my_variant.toml")
    assert ok.returncode == 0 and ok.stdout.startswith("ok: scenario 'my_variant'")
    bad = mergesim("validate", "scenarios/my_broken_draft.toml")
    assert bad.returncode == 2 and "agency_servise" in bad.stderr
    short = ["--set", "timeline.horizon_weeks=40", "--set", "timeline.post_window_weeks=10"]
    run = mergesim("run", "scenarios/my_variant.toml", "--scale", "0.002", *short)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (repo / "results" / "my_variant" / "summary.json").is_file()
