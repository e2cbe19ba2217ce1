"""The experiment schema: what a sweep compares, over which factors, with which design.

An experiment file (``experiments/*.toml``) names base scenarios, factors (dotted scenario keys
with values or ranges), a design, replications, metrics and plots. It is validated with the
same machinery as scenarios (:func:`mergesim.config.params.build_section`): an unknown key, a
wrong type or an out-of-range value raises :class:`~mergesim.errors.ScenarioError` with one
line naming the file, the key and what is allowed (with "did you mean" for typos).

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

import functools
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path
from typing import Any

from mergesim.config.params import (
    build_section,
    did_you_mean,
    iter_params,
    param,
    unknown_key_message,
)
from mergesim.config.schema import Scenario
from mergesim.config.toml_io import read_toml
from mergesim.errors import ScenarioError, UserError
from mergesim.io import flatten
from mergesim.metrics import METRICS, RUN_METRICS
from mergesim.province import county_scenarios, load_province
from mergesim.sweep.discovery import DiscoveryParams, check_discovery

DESIGNS = ("factorial", "lhs", "sobol", "morris")
#: ``range = "plausible"`` in a factor: the key's plausible range from the schema.
PLAUSIBLE = "plausible"
#: Summary windows of a run (see mergesim.metrics); "change" is post minus pre.
WINDOWS = ("pre", "transition", "post", "change")


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
            raise ScenarioError(_unknown(key, list(valid)), source=source, key=f"{where}.{key}")


def _unknown(key: str, valid: list[str]) -> str:
    # The full list of ~270 scenario keys would not fit on one line; name the close ones.
    hint = did_you_mean(key, valid, n=3, cutoff=0.5)
    return f"unknown scenario key{hint} (see docs/scenarios.md for every key)"


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path)


def _scenario_refs(raw: Any, path: Path) -> list[ScenarioRef]:
    src = str(path)
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(
            "expected a non-empty list of scenario files (relative to the "
            "experiment file) or tables {label, path, set}",
            source=src,
            key="scenarios",
        )
    refs: list[ScenarioRef] = []
    for i, item in enumerate(raw):
        key = f"scenarios[{i}]"
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict):
            raise ScenarioError(
                f"value {item!r} must be a path or a table {{label, path, set}}",
                source=src,
                key=key,
            )
        for k in item:
            if k not in ("label", "path", "set"):
                raise ScenarioError(
                    unknown_key_message(k, ["label", "path", "set"]), source=src, key=f"{key}.{k}"
                )
        rel = item.get("path")
        if not isinstance(rel, str) or not rel:
            raise ScenarioError("missing 'path' (a scenario file)", source=src, key=key)
        file = (path.parent / rel).resolve()
        if not file.is_file():
            raise ScenarioError(
                f"scenario file '{rel}' not found (resolved to {file})",
                source=src,
                key=f"{key}.path",
            )
        sets = flatten(item.get("set", {}))
        check_scenario_keys(sets, source=src, where=f"{key}.set")
        label = item.get("label") or file.stem
        if not isinstance(label, str) or not label.replace("_", "").replace("-", "").isalnum():
            raise ScenarioError(
                f"value {label!r} must be letters, digits, '_' or '-'",
                source=src,
                key=f"{key}.label",
            )
        refs.append(ScenarioRef(label, file, sets))
    labels = [r.label for r in refs]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ScenarioError(
            f"duplicate scenario labels {dupes}; give each a 'label'", source=src, key="scenarios"
        )
    return refs


def _plausible_range(raw: Any, where: str, src: str) -> Any:
    """``raw`` with ``range = "plausible"`` replaced by the key's plausible range (schema).

    Raises:
        ScenarioError: The key has no plausible range (one line naming the keys that have one).
    """
    if not isinstance(raw, dict) or raw.get("range") != PLAUSIBLE:
        return raw
    key = raw.get("key")
    keys = scenario_keys()
    if not isinstance(key, str) or key not in keys:
        # A placeholder range, so that the unknown key is what the error names.
        return {**raw, "range": [0.0, 1.0]}
    spec = keys[key][1]
    if spec.plausible is None:
        have = ", ".join(plausible_keys())
        raise ScenarioError(
            f"'{key}' has no plausible range in the schema; give [low, high], or use a key "
            f"that has one: {have}",
            source=src,
            key=f"{where}.range",
        )
    return {**raw, "range": list(spec.plausible)}


@functools.cache
def plausible_keys() -> tuple[str, ...]:
    """The numeric scenario keys with a plausible range in the schema: those a factor can give
    ``range = "plausible"`` (a list key's range bounds each element; it is not a factor)."""
    return tuple(
        k
        for k, (tp, spec) in scenario_keys().items()
        if spec.plausible is not None and tp in (int, float)
    )


def _factor(raw: Any, i: int, path: Path, method: str) -> Factor:
    src, where = str(path), f"factors[{i}]"
    raw = _plausible_range(raw, where, src)
    fp = build_section(FactorParams, raw, source=src, prefix=f"{where}.")
    keys = scenario_keys()
    if fp.key not in keys:
        raise ScenarioError(_unknown(fp.key, list(keys)), source=src, key=f"{where}.key")
    tp, spec = keys[fp.key]
    if fp.range:
        if tp not in (int, float):
            raise ScenarioError(
                f"'{fp.key}' is not numeric; list its levels in 'values'",
                source=src,
                key=f"{where}.range",
            )
        if method == "factorial" and fp.steps < 2:
            raise ScenarioError(
                "a factorial design needs 'steps' >= 2 levels over a range",
                source=src,
                key=f"{where}.steps",
            )
    # Validate every level (and both range ends) against the schema's type and range now,
    # so a typo fails before any run starts.
    which = "values" if fp.values else "range"
    checked = [
        _check_value(fp.key, v, tp, spec, source=src, key=f"{where}.{which}")
        for v in list(fp.values) or list(fp.range)
    ]
    for j, other in enumerate(fp.also):
        if other not in keys or other == fp.key:
            raise ScenarioError(_unknown(other, list(keys)), source=src, key=f"{where}.also")
        otp, ospec = keys[other]
        for v in checked:
            _check_value(other, v, otp, ospec, source=src, key=f"{where}.also[{j}]")
    values = checked if fp.values else []
    if len(set(map(repr, values))) < len(values):
        raise ScenarioError(
            f"value {fp.values!r} repeats a level", source=src, key=f"{where}.values"
        )
    return Factor(
        fp.key,
        fp.label or fp.key,
        values,
        (float(fp.range[0]), float(fp.range[1])) if fp.range else None,
        fp.steps,
        fp.log,
        tp,
        spec.unit if spec else "-",
        tuple(fp.also),
    )


def _check_value(dotted: str, value: Any, tp: Any, spec: Any, *, source: str, key: str) -> Any:
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


def load_experiment(path: str | Path, *, smoke: bool = False) -> Experiment:
    """Read and validate an experiment file.

    Args:
        path: The experiment TOML file.
        smoke: Apply the ``[smoke]`` section (fewer replications/points, its overrides).

    Returns:
        The validated :class:`Experiment`.

    Raises:
        ScenarioError: Malformed TOML, unknown key, wrong type or value, missing scenario file.
    """
    path = Path(path).resolve()
    src = str(path)
    data = _read_toml(path)
    top = dict(data)
    separate = ("scenarios", "factors", "overrides", "robustness", "province")
    known = [f for f in ExperimentParams.__dataclass_fields__] + list(separate)
    for key in top:
        if key not in known:
            raise ScenarioError(unknown_key_message(key, known), source=src, key=key)
    raw_scen, raw_factors = top.pop("scenarios", None), top.pop("factors", [])
    overrides = flatten(top.pop("overrides", {}))
    robustness = top.pop("robustness", None)
    raw_province = top.pop("province", None)
    smoke_over: dict[str, Any] = {}
    smoke_province = None
    if isinstance(top.get("smoke"), dict):  # [smoke.overrides] is free-form, like [overrides]
        top["smoke"] = dict(top["smoke"])
        smoke_over = flatten(top["smoke"].pop("overrides", {}))
        smoke_province = top["smoke"].pop("province", None)
    params = build_section(ExperimentParams, top, source=src)
    params.name = params.name or path.stem
    scenarios = _scenario_refs(raw_scen, path)
    province = None
    if params.kind == "province":
        scenarios, province = _province_refs(
            raw_province, smoke_province, scenarios, params, src, smoke
        )
    elif raw_province is not None or smoke_province is not None:
        raise ScenarioError(
            'a [province] section needs kind = "province"', source=src, key="province"
        )
    check_scenario_keys(overrides, source=src, where="overrides")
    check_scenario_keys(smoke_over, source=src, where="smoke.overrides")
    if not isinstance(raw_factors, list):
        raise ScenarioError("expected an array of tables [[factors]]", source=src, key="factors")
    factors = [_factor(f, i, path, params.design.method) for i, f in enumerate(raw_factors)]
    keys = [f.key for f in factors]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ScenarioError(f"factor keys listed twice: {dupes}", source=src, key="factors")
    if params.design.method in ("lhs", "sobol", "morris") and not factors:
        raise ScenarioError(
            f"design '{params.design.method}' needs at least one [[factors]]",
            source=src,
            key="design.method",
        )
    if params.design.method in ("sobol", "morris") and len(scenarios) > 1:
        raise ScenarioError(
            "a sensitivity design (sobol/morris) takes one base scenario; "
            "make one experiment per scenario",
            source=src,
            key="scenarios",
        )
    if params.design.method == "morris" and params.design.levels % 2:
        raise ScenarioError(
            f"value {params.design.levels} must be even", source=src, key="design.levels"
        )
    labels = [s.label for s in scenarios]
    if params.baseline and params.baseline not in labels:
        raise ScenarioError(
            f"unknown scenario label '{params.baseline}'; allowed: one of {', '.join(labels)}",
            source=src,
            key="baseline",
        )
    for m in params.metrics:
        _check_metric(
            m,
            metric_keys(),
            "'window.metric' with window in "
            f"{', '.join(WINDOWS)} and a metric of docs/metrics.md, or a run "
            "metric 'cadres.…' of docs/metrics.md",
            src,
            "metrics",
        )
    params.metrics = params.metrics or ["post.travel_min_mean"]
    check_discovery(
        params.discovery, labels, sum(f.range is not None for f in factors), metric_keys(), src
    )
    for m in params.plots.timeseries:
        _check_metric(
            m, tuple(METRICS), "a weekly metric of docs/metrics.md", src, "plots.timeseries"
        )
    exp = Experiment(
        params, scenarios, factors, overrides, path, robustness=robustness, province=province
    )
    if smoke:
        apply_smoke(exp, smoke_over)
    return exp


def _province_refs(
    raw: Any,
    smoke_raw: Any,
    scenarios: list[ScenarioRef],
    params: ExperimentParams,
    src: str,
    smoke: bool,
) -> tuple[list[ScenarioRef], Any]:
    """A province experiment's scenarios: its one base scenario once per county, with the
    county's keys set over the entry's own ``set``."""
    if len(scenarios) != 1:
        raise ScenarioError(
            f"a province experiment takes one base scenario, got {len(scenarios)}; "
            "the counties are its scenarios",
            source=src,
            key="scenarios",
        )
    pparams, province = load_province(
        raw, smoke_raw, source=src, root_seed=params.seed, smoke=smoke
    )
    base = scenarios[0]
    refs = [
        ScenarioRef(label, base.path, {**base.overrides, **sets})
        for label, sets in county_scenarios(province, pparams)
    ]
    for ref in refs:
        check_scenario_keys(ref.overrides, source=src, where=f"province.{ref.label}")
    # From here on the counties are ordinary scenarios: the resolved experiment.toml lists
    # them (as a plain sweep), so resuming from it draws no province again.
    params.kind = "sweep"
    params.baseline = ""
    return refs, province


def _check_metric(name: str, valid: tuple[str, ...], allowed: str, source: str, key: str) -> None:
    if name in valid:
        return
    raise ScenarioError(
        f"unknown metric '{name}'{did_you_mean(name, valid)} allowed: {allowed}",
        source=source,
        key=key,
    )


def resize(exp: Experiment, *, replications: int | None = None, samples: int | None = None) -> None:
    """Apply the command line's study size in place: ``--replications`` and ``--samples``
    (the design's ``n``: LHS points, Sobol base sample, Morris trajectories) override the
    file (and its smoke version).

    Raises:
        UserError: A size below 1, or ``--samples`` for a factorial design (one line).
    """
    if replications is not None:
        if replications < 1:
            raise UserError(f"value {replications} must be >= 1", source="--replications")
        exp.params.replications = replications
    if samples is not None:
        method = exp.params.design.method
        if method == "factorial":
            raise UserError(
                "a factorial design has no sample size (its points are the factors' levels); "
                "--samples applies to lhs, sobol and morris designs",
                source="--samples",
            )
        if samples < 1:
            raise UserError(f"value {samples} must be >= 1", source="--samples")
        exp.params.design.n = samples


def apply_smoke(exp: Experiment, smoke_overrides: dict[str, Any]) -> None:
    """Shrink ``exp`` in place to its ``[smoke]`` version."""
    s = exp.params.smoke
    exp.params.replications = s.replications
    if s.n:
        exp.params.design.n = s.n
    exp.overrides = {**exp.overrides, **smoke_overrides}
    exp.smoke = True


def scenario_entry(ref: ScenarioRef) -> dict[str, Any] | str:
    """The experiment-file form of a scenario reference (for the resolved experiment.toml)."""
    if not ref.overrides:
        return {"label": ref.label, "path": str(ref.path)}
    return {"label": ref.label, "path": str(ref.path), "set": dict(ref.overrides)}
