"""What an experiment may name: scenario keys, their values and plausible ranges, and metrics.

Scenario keys, with their types, defaults and plausible ranges, are read from the scenario
schema (:class:`mergesim.config.schema.Scenario`); metric names from :mod:`mergesim.metrics`
over the summary windows :data:`WINDOWS`. The experiment loader
(:mod:`mergesim.sweep.experiment`) and the robustness stage (:mod:`mergesim.sweep.robustness`)
check what a file names against these, a value with the schema's own validator, and fail in
one line.
"""

from __future__ import annotations

import functools
from dataclasses import make_dataclass
from typing import Any

from mergesim.config.params import build_section, did_you_mean, iter_params, param
from mergesim.config.schema import Scenario
from mergesim.errors import ScenarioError
from mergesim.metrics import METRICS, RUN_METRICS

__all__ = [
    "WINDOWS",
    "check_scenario_keys",
    "check_value",
    "metric_keys",
    "plausible_keys",
    "scenario_keys",
    "spec_default",
    "unknown_scenario_key",
]

#: Summary windows of a run (see mergesim.metrics); "change" is post minus pre.
WINDOWS = ("pre", "transition", "post", "change")


@functools.cache
def scenario_keys() -> dict[str, tuple[Any, Any]]:
    """Every dotted scenario key → (type, Spec), from the current schema."""
    return {k: (tp, spec) for k, tp, _, spec in iter_params(Scenario)}


@functools.cache
def metric_keys() -> tuple[str, ...]:
    """Every 'window.metric' name a summary holds, and the run-level (cadre) metrics."""
    return tuple(f"{w}.{m}" for w in WINDOWS for m in METRICS) + tuple(RUN_METRICS)


def check_scenario_keys(overrides: dict[str, Any], *, source: str, where: str) -> None:
    """Raise a one-line :class:`ScenarioError` for a dotted key the scenario schema lacks."""
    valid = scenario_keys()
    for key in overrides:
        if key not in valid:
            raise ScenarioError(
                unknown_scenario_key(key, list(valid)), source=source, key=f"{where}.{key}"
            )


def unknown_scenario_key(key: str, valid: list[str]) -> str:
    """The one-line message for a scenario key not in ``valid``, naming the close ones.

    The full list of ~270 scenario keys would not fit on one line.
    """
    hint = did_you_mean(key, valid, n=3, cutoff=0.5)
    return f"unknown scenario key{hint} (see docs/scenarios.md for every key)"


@functools.cache
def plausible_keys() -> tuple[str, ...]:
    """The numeric scenario keys with a plausible range in the schema: those a factor can give
    ``range = "plausible"`` (a list key's range bounds each element; it is not a factor)."""
    return tuple(
        k
        for k, (tp, spec) in scenario_keys().items()
        if spec.plausible is not None and tp in (int, float)
    )


def check_value(dotted: str, value: Any, tp: Any, spec: Any, *, source: str, key: str) -> Any:
    """Check one value of scenario key ``dotted`` with the schema's own validator; return it
    coerced to the key's type (``2`` → ``2.0`` for a float key)."""
    name = dotted.rsplit(".", 1)[-1]
    default = spec_default(dotted)
    probe_cls = make_dataclass(
        "Probe",
        [
            (
                name,
                tp,
                param(default, spec.unit, spec.doc, lo=spec.lo, hi=spec.hi, choices=spec.choices),
            )
        ],
    )
    try:
        return getattr(build_section(probe_cls, {name: value}, source=source), name)
    except ScenarioError as err:
        raise ScenarioError(f"{err.message} (for '{dotted}')", source=source, key=key) from None


def spec_default(dotted: str) -> Any:
    """The schema default of a dotted scenario key."""
    for k, _, default, _ in iter_params(Scenario):
        if k == dotted:
            return default
    raise KeyError(dotted)
