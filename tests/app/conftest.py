"""Fixtures for the app tests: the seed county at a small scale (fast to build and step)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mergesim.app.session import LiveRun
from mergesim.config import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed_county.toml"
#: Share of villagers simulated in these tests (about 16,000 in the seed county).
SMALL = 0.02
#: Weeks stepped: past the reform week (26), into the transition.
WEEKS = 30


@pytest.fixture(scope="module")
def small_seed():
    """The seed county's scenario at scale :data:`SMALL`."""
    return load_scenario(SEED, [f"villagers.scale={SMALL}"])


@pytest.fixture(scope="module")
def stepped(small_seed):
    """A :class:`LiveRun` of the small seed county stepped :data:`WEEKS` weeks."""
    run = LiveRun(small_seed, small_seed.seed)
    run.step(WEEKS)
    return run
