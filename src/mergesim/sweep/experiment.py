"""Reading and validating an experiment file, and sizing it for the command line.

:func:`load_experiment` reads an experiment file (``experiments/*.toml``; its keys are declared
in :mod:`mergesim.sweep.schema`, which shows an example) into a validated
:class:`~mergesim.sweep.schema.Experiment`. It is validated with the same machinery as
scenarios (:func:`mergesim.config.params.build_section`): an unknown key, a wrong type or an
out-of-range value raises :class:`~mergesim.errors.ScenarioError` with one line naming the
file, the key and what is allowed (with "did you mean" for typos). A province experiment
(``kind = "province"``) becomes one scenario per county here.

A scenario entry is a path or a table ``{ label = "...", path = "...", set = {...} }`` so a
policy package can be stated as a base scenario plus the keys it changes
(:func:`scenario_entry` writes that form back). :func:`resize` and :func:`apply_smoke` set the
study's size: the command line's ``--replications`` and ``--samples``, and ``--smoke``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mergesim.config.params import build_section, did_you_mean, unknown_key_message
from mergesim.config.toml_io import read_toml
from mergesim.errors import ScenarioError, UserError
from mergesim.io import flatten
from mergesim.metrics import METRICS
from mergesim.province import county_scenarios, load_province
from mergesim.sweep.discovery import check_discovery
from mergesim.sweep.keys import (
    WINDOWS,
    check_scenario_keys,
    check_value,
    metric_keys,
    plausible_keys,
    scenario_keys,
    unknown_scenario_key,
)
from mergesim.sweep.schema import (
    PLAUSIBLE,
    Experiment,
    ExperimentParams,
    Factor,
    FactorParams,
    ScenarioRef,
)

__all__ = ["apply_smoke", "load_experiment", "resize", "scenario_entry"]


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


def _factor(raw: Any, i: int, path: Path, method: str) -> Factor:
    src, where = str(path), f"factors[{i}]"
    raw = _plausible_range(raw, where, src)
    fp = build_section(FactorParams, raw, source=src, prefix=f"{where}.")
    keys = scenario_keys()
    if fp.key not in keys:
        raise ScenarioError(
            unknown_scenario_key(fp.key, list(keys)), source=src, key=f"{where}.key"
        )
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
        check_value(fp.key, v, tp, spec, source=src, key=f"{where}.{which}")
        for v in list(fp.values) or list(fp.range)
    ]
    for j, other in enumerate(fp.also):
        if other not in keys or other == fp.key:
            raise ScenarioError(
                unknown_scenario_key(other, list(keys)), source=src, key=f"{where}.also"
            )
        otp, ospec = keys[other]
        for v in checked:
            check_value(other, v, otp, ospec, source=src, key=f"{where}.also[{j}]")
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
