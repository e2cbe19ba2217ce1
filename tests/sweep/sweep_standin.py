"""Cheap stand-in run functions for the sweep tests (module-level, so process pools and Dask
workers can import them by name).

``toy_run`` is deterministic in the scenario: weekly travel depends on ``plan.target_factor``
and ``services.agency_service`` plus seeded noise, so paired differences, resume and executor
equivalence have real numbers to compare.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np

METRICS = ("travel_min_mean", "travel_worst_decile_min", "coverage_admin_30")


def toy_series(scenario) -> dict[str, np.ndarray]:
    """Weekly metric arrays of a toy run (deterministic in the scenario and its seed)."""
    tl = scenario.timeline
    weeks = tl.warmup_weeks + tl.horizon_weeks
    rng = np.random.default_rng(scenario.seed)
    w = np.arange(weeks)
    after = (w >= tl.warmup_weeks).astype(float)
    effect = (
        (scenario.plan.target_factor - 1.0)
        * 20.0
        * (0.5 if scenario.services.agency_service else 1.0)
    )
    trust = scenario.villagers.trust_mean
    travel = 60.0 + effect * after + 5.0 * trust + rng.normal(0.0, 3.0, weeks)
    return {
        "week": w,
        "travel_min_mean": travel,
        "travel_worst_decile_min": 2.5 * travel + rng.normal(0.0, 5.0, weeks),
        "coverage_admin_30": np.clip(
            0.9 - 0.1 * effect / 20.0 * after + rng.normal(0, 0.01, weeks), 0, 1
        ),
    }


def toy_run(scenario):
    """Summary (windows pre/post) and weekly CSV of a toy run."""
    tl = scenario.timeline
    s = toy_series(scenario)
    pre = s["week"] < tl.warmup_weeks
    post = s["week"] >= tl.warmup_weeks + tl.transition_weeks
    summary = {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "timeline": {
            "reform_week": tl.warmup_weeks,
            "transition_end": tl.warmup_weeks + tl.transition_weeks,
        },
        "pre": {m: float(s[m][pre].mean()) for m in METRICS},
        "post": {m: float(s[m][post].mean()) for m in METRICS},
    }
    buf = io.StringIO()
    buf.write("week,phase," + ",".join(METRICS) + "\n")
    for i in range(len(s["week"])):
        phase = "pre" if pre[i] else "post"
        buf.write(f"{i},{phase}," + ",".join(repr(float(s[m][i])) for m in METRICS) + "\n")
    return summary, buf.getvalue()


def failing_run(scenario):
    """Like toy_run, but raises for target_factor >= 3 (a run that fails)."""
    if scenario.plan.target_factor >= 3.0:
        raise RuntimeError(f"toy failure at target_factor={scenario.plan.target_factor}")
    return toy_run(scenario)


def slow_run(scenario):
    """toy_run after a short sleep (so a sweep can be interrupted mid-way)."""
    time.sleep(0.15)
    return toy_run(scenario)


def sobol_run(scenario):
    """Summary only: an additive function of trust_mean (strong) and threshold_mean (weak)."""
    a = scenario.villagers.trust_mean
    b = scenario.villagers.threshold_mean
    return {"post": {"travel_min_mean": 10.0 * a + 1.0 * b}}


def interrupting_run(scenario):
    """Like toy_run, but a target_factor of 3 raises KeyboardInterrupt (Ctrl-C mid-sweep)."""
    if scenario.plan.target_factor >= 3.0:
        raise KeyboardInterrupt
    return toy_run(scenario)


def kill_once_run(scenario, marker: str):
    """Kill this worker process the first time any worker runs it (marker file), then behave
    like toy_run: a worker dying mid-sweep."""
    import os
    import signal

    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return toy_run(scenario)
    os.close(fd)
    Path(marker).write_text("killed")
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------
# Experiment files for the tests
# ---------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed_county.toml"

#: A short timeline so toy series stay small.
SHORT = """
[overrides]
"timeline.warmup_weeks" = 8
"timeline.burn_in_weeks" = 2
"timeline.horizon_weeks" = 16
"timeline.transition_weeks" = 4
"timeline.post_window_weeks" = 8
"""


def write_experiment(
    folder, body: str, *, name: str = "exp", scenarios: str | None = None, short: bool = True
):
    """Write ``folder/name.toml``: the seed county (unless ``scenarios`` given), ``body``."""
    scen = scenarios if scenarios is not None else f'scenarios = ["{SEED}"]'
    text = f'name = "{name}"\n{scen}\n{body}\n' + (SHORT if short else "")
    path = Path(folder) / f"{name}.toml"
    path.write_text(text)
    return path


TWO_SCENARIOS = (
    f'scenarios = ["{SEED}", {{ label = "no_agency", path = "{SEED}", '
    f'set = {{ "services.agency_service" = false }} }}]'
)
