"""The experiment schema: what a sweep compares, over which factors, with which design.

Every key of an experiment file (``experiments/*.toml``) is declared once here, with
:func:`~mergesim.config.params.param` (default, unit, description, allowed values), as a
section dataclass: :class:`ExperimentParams` (the top level) with :class:`DesignParams`,
:class:`PlotParams`, :class:`SmokeParams` and :class:`FactorParams` (one ``[[factors]]``
entry). :func:`mergesim.sweep.experiment.load_experiment` reads a file into these and returns
the validated :class:`Experiment` with its :class:`ScenarioRef` and :class:`Factor` entries;
:mod:`mergesim.sweep.docs` renders them as ``docs/experiments.md``.

Example::

    name = "target_factor"
    scenarios = ["../scenarios/seed_county.toml"]     # paths relative to this file
    replications = 5
    metrics = ["post.travel_min_mean", "post.travel_worst_decile_min"]

    [overrides]                 # applied to every run (dotted scenario keys)
    "villagers.scale" = 0.05

    [design]
    method = "factorial"        # factorial | lhs | sobol | morris

    [[factors]]
    key = "plan.target_factor"
    values = [1.5, 2.0, 3.0]

    [[factors]]
    key = "villagers.trust_mean"
    range = "plausible"         # the key's plausible range, from the schema
    steps = 3

    [smoke]                     # `mergesim sweep --smoke`: a CI-sized version
    replications = 2
    points = 2
    overrides = { "villagers.scale" = 0.005 }

A scenario entry is a path or a table ``{ label = "...", path = "...", set = {...} }`` so a
policy package can be stated as a base scenario plus the keys it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mergesim.config.params import param
from mergesim.sweep.discovery import DiscoveryParams

__all__ = [
    "DESIGNS",
    "PLAUSIBLE",
    "DesignParams",
    "Experiment",
    "ExperimentParams",
    "Factor",
    "FactorParams",
    "PlotParams",
    "ScenarioRef",
    "SmokeParams",
]

DESIGNS = ("factorial", "lhs", "sobol", "morris")
#: ``range = "plausible"`` in a factor: the key's plausible range from the schema.
PLAUSIBLE = "plausible"


@dataclass
class DesignParams:
    """How factor values are combined into points."""

    method: str = param(
        "factorial",
        "-",
        "Design: full factorial over the listed levels, Latin hypercube, "
        "Sobol (Saltelli) or Morris (elementary effects).",
        choices=DESIGNS,
    )
    n: int = param(
        16,
        "samples",
        "LHS: points; Sobol: base sample N (a power of 2), giving N·(D+2) points "
        "(N·(2D+2) with second_order); Morris: trajectories, giving N·(D+1) points. Ignored by "
        "factorial.",
        lo=1,
        hi=1_000_000,
    )
    second_order: bool = param(False, "-", "Sobol: also estimate second-order indices.")
    levels: int = param(4, "levels", "Morris: grid levels per factor (even).", lo=2, hi=100)
    scramble: bool = param(True, "-", "Sobol/LHS: scramble the low-discrepancy sequence.")


@dataclass
class FactorParams:
    """One factor: a dotted scenario key and the values it takes."""

    key: str = param("", "-", "Dotted scenario key, e.g. 'plan.target_factor'.")
    values: list[bool | int | float | str] = param(
        [],
        "unit of the key",
        "Explicit levels (categorical, or numeric for factorial).",
    )
    range: list[float] = param(
        [],
        "unit of the key",
        '[low, high] for numeric factors, or "plausible": the key\'s plausible range from the '
        "schema (docs/scenarios.md, column 'plausible').",
    )
    steps: int = param(
        0,
        "levels",
        "Factorial design with a range: number of evenly spaced levels.",
        lo=0,
        hi=10_000,
    )
    log: bool = param(False, "-", "Sample the range on a log scale (low > 0).")
    label: str = param("", "-", "Short name for tables and plots (default: the key).")
    also: list[str] = param(
        [],
        "-",
        "Other scenario keys set to the same value at every point (e.g. a transition "
        "length that also sets how long the duty teams stay).",
    )

    def check(self) -> tuple[str, str] | None:
        if not self.key:
            return ("key", "missing; allowed: a dotted scenario key such as 'plan.target_factor'")
        if bool(self.values) == bool(self.range):
            return ("values", "give exactly one of 'values' (levels) or 'range' ([low, high])")
        if self.range:
            if len(self.range) != 2 or not self.range[0] < self.range[1]:
                return ("range", f"value {self.range!r} must be [low, high] with low < high")
            if self.log and self.range[0] <= 0:
                return ("range", f"value {self.range!r} must have low > 0 for log = true")
        return None


@dataclass
class PlotParams:
    """Which figures a sweep draws."""

    timeseries: list[str] = param(
        [],
        "-",
        "Weekly metrics drawn with 10–90 % bands (default: those of 'metrics').",
    )
    formats: list[str] = param(["png"], "-", "Image formats.", choices=("png", "svg", "pdf"))
    response: bool = param(True, "-", "Response curves / heat maps over the factors.")


@dataclass
class SmokeParams:
    """The small version of the experiment run by ``--smoke`` (CI, quick checks)."""

    replications: int = param(2, "runs", "Replications in smoke mode.", lo=1, hi=1000)
    n: int = param(0, "samples", "Design n in smoke mode (0 = unchanged).", lo=0, hi=1_000_000)
    points: int = param(
        0,
        "points",
        "Keep only this many points, evenly spaced over the design (0 = all; "
        "ignored by Sobol/Morris, whose analysis needs the complete design).",
        lo=0,
        hi=1_000_000,
    )


@dataclass
class ExperimentParams:
    """The top level of an experiment file (``factors``, ``overrides``, ``scenarios`` and
    ``smoke.overrides`` are read separately: they are lists or free-form dotted tables)."""

    name: str = param("", "-", "Experiment name (default: the file's stem); results/<name>/.")
    description: str = param("", "-", "What question this experiment answers.")
    kind: str = param(
        "sweep",
        "-",
        "sweep: the listed scenarios × the design; province: one base scenario run once per "
        "county of the [province] section (docs/experiments.md).",
        choices=("sweep", "province"),
    )
    baseline: str = param("", "-", "Label of the baseline scenario (default: the first).")
    seed: int = param(20191201, "-", "Root seed of the seed tree.", lo=0, hi=2**63 - 1)
    replications: int = param(
        3,
        "runs",
        "Replications per scenario and point (paired: replicate k uses one seed everywhere).",
        lo=1,
        hi=100_000,
    )
    metrics: list[str] = param(
        [],
        "-",
        "Summary metrics to compare, as 'window.metric' (e.g. 'post.travel_min_mean').",
    )
    design: DesignParams = field(default_factory=DesignParams)
    plots: PlotParams = field(default_factory=PlotParams)
    smoke: SmokeParams = field(default_factory=SmokeParams)
    discovery: DiscoveryParams = field(default_factory=DiscoveryParams)


@dataclass
class ScenarioRef:
    """One base scenario: its label, its file and the keys the experiment sets on it."""

    label: str
    path: Path
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class Factor:
    """A validated factor, with the schema type of its key."""

    key: str
    label: str
    values: list[Any]
    range: tuple[float, float] | None
    steps: int
    log: bool
    type: Any
    unit: str
    also: tuple[str, ...] = ()


@dataclass
class Experiment:
    """A validated experiment (all defaults filled in, smoke mode already applied).

    Attributes:
        params: The top-level settings (design, replications, metrics, plots).
        scenarios: Base scenarios, baseline first.
        factors: The swept factors (may be empty: compare scenarios only).
        overrides: Dotted scenario keys set on every run.
        path: The experiment file.
        smoke: Whether the smoke version was selected.
        robustness: The ``[robustness]`` table as read (validated by
            :func:`mergesim.sweep.robustness.load_robustness`), or None.
        province: The province (a province experiment), whose counties are the scenarios.
    """

    params: ExperimentParams
    scenarios: list[ScenarioRef]
    factors: list[Factor]
    overrides: dict[str, Any]
    path: Path
    smoke: bool = False
    robustness: dict[str, Any] | None = None
    province: Any = None

    @property
    def name(self) -> str:
        """The experiment's name (results/<name>/)."""
        return self.params.name

    @property
    def baseline(self) -> str:
        """The baseline scenario's label."""
        return self.params.baseline or self.scenarios[0].label
