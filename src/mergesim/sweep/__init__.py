"""Sweeps: experiments over scenarios and factors, run on any executor, resumable.

- :func:`load_experiment` — a validated experiment file (:mod:`.experiment`; its keys and
  types in :mod:`.schema`, the scenario keys and metrics it may name in :mod:`.keys`).
- :func:`design_points`, :func:`plan_runs`, :func:`run_seed`, :func:`run_identity` — the
  design, the seed tree (paired replicates) and run identity (:mod:`.design`).
- :func:`run_sweep` — run or resume a sweep on an executor (:mod:`.runner`), writing the
  runs and weekly tables and the sensitivity indices (:mod:`.store`, :mod:`.sensitivity`).
- :func:`study` — what the report needs to know of an experiment.
- :func:`estimate` — run count, time and disk of a sweep (`--dry-run`).
- :func:`sweep_experiment` — the runs of ``mergesim sweep`` as a function (the report is
  drawn by :func:`mergesim.api.sweep_experiment`; the sweep never imports it).
- :func:`validate_file`, :func:`shipped` — ``mergesim validate`` and ``mergesim list``.
- :func:`check_data_files` — load the data files scenarios name (fail before a sweep).

Importing this package has no side effects. The running half (:mod:`.runner`, :mod:`.store`,
:mod:`.sensitivity`: pandas, the results format, the model in the workers) is imported on
first use of its names (PEP 562, as :mod:`mergesim.model` does), so ``mergesim list`` and
``mergesim validate`` start without it.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from importlib import import_module
from pathlib import Path
from typing import Any

from mergesim.config import load_scenario, scenario_to_dict
from mergesim.config.load import check_scale as check_scale_range
from mergesim.config.load import parse_override
from mergesim.config.toml_io import read_toml
from mergesim.county import build_county, resolve_path
from mergesim.errors import ScenarioError, UserError
from mergesim.model.resources import BYTES_PER_PLANNED_RUN, check_memory, scenario_run_bytes
from mergesim.plans import make_plan
from mergesim.province import write_province
from mergesim.results.output import RESULTS_ROOT, check_out, folder_name
from mergesim.sweep.costs import Estimate, estimate
from mergesim.sweep.design import (
    MissingDependencyError,
    Point,
    RunSpec,
    design_points,
    expected_points,
    plan_runs,
    run_identity,
    run_seed,
    sample_warning,
)
from mergesim.sweep.experiment import load_experiment, resize
from mergesim.sweep.schema import Experiment

log = logging.getLogger(__name__)

#: Names of the running half, imported on first use (see the module docstring).
_LAZY = {
    "ResultStore": "mergesim.sweep.store",
    "Sensitivity": "mergesim.sweep.sensitivity",
    "SweepResult": "mergesim.sweep.runner",
    "analyze_folder": "mergesim.sweep.sensitivity",
    "hms": "mergesim.sweep.runner",
    "model_run": "mergesim.sweep.runner",
    "run_sweep": "mergesim.sweep.runner",
    "study": "mergesim.sweep.store",
}

__all__ = [
    "Estimate",
    "Experiment",
    "MissingDependencyError",
    "Point",
    "RunSpec",
    "Sensitivity",
    "SweepResult",
    "analyze_folder",
    "design_points",
    "estimate",
    "load_experiment",
    "model_run",
    "plan_runs",
    "run_identity",
    "run_seed",
    "run_sweep",
    "shipped",
    "study",
    "sweep_experiment",
    "validate_file",
    "check_data_files",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mergesim.sweep' has no attribute {name!r}")


def default_out(exp: Experiment) -> Path:
    """``results/<name>`` (``results/<name>-smoke`` for the smoke version).

    Raises:
        UserError: The name would leave the results folder (``../x``, an absolute path).
    """
    name = folder_name(exp.name, source=str(exp.path))
    return check_out(RESULTS_ROOT / (name + ("-smoke" if exp.smoke else "")))


def sweep_experiment(
    path: str | Path,
    *,
    out: str | Path | None = None,
    smoke: bool = False,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    scale: float | None = None,
    samples: int | None = None,
    force: bool = False,
    dry_run: bool = False,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    run_fn: Any = None,
    progress: bool | None = None,
    command: str | None = None,
) -> Any:
    """Load an experiment, size it, plan its runs, and run them (or only estimate).

    Args:
        path: Experiment TOML file.
        out: Results folder (default :func:`default_out`).
        smoke: Run the ``[smoke]`` version (CI-sized).
        overrides: ``key=value`` scenario overrides for every run (``--set``).
        replications: Replications per design point (``--replications``; default the file's).
        scale: ``villagers.scale`` of every run (``--scale``; default the file's).
        samples: The design's sample size ``n`` (``--samples``: LHS points, Sobol base
            sample, Morris trajectories).
        force: A folder holding another study is moved aside instead of refused.
        dry_run: Only count runs and estimate time and disk.
        resume: Require an existing results folder to continue (re-running without it
            resumes as well; this guards against a mistyped ``--out``).
        workers, scheduler, executor, run_fn, progress, command: See :func:`run_sweep`.

    Raises:
        UserError: Any mistake in the experiment, its scenarios or the options, or a results
            folder holding another study (one line).

    Returns:
        A :class:`~mergesim.sweep.runner.SweepResult`, or an :class:`Estimate` (``dry_run``).
    """
    # The running half: see the module docstring.
    from mergesim.sweep.robustness import load_robustness, run_ends, stage_estimate  # pandas
    from mergesim.sweep.runner import run_sweep
    from mergesim.sweep.store import claim_folder, study_identity

    exp = load_experiment(path, smoke=smoke)
    resize(exp, replications=replications, samples=samples)
    rob = load_robustness(exp)
    cli = dict(parse_override(item) for item in overrides)
    if scale is not None:
        cli["villagers.scale"] = check_scale(scale, exp)
    # The design's size, before planning a run of it (a factorial of many levels, or
    # 100,000 replications, would fill the memory with run plans alone).
    planned = len(exp.scenarios) * expected_points(exp) * exp.params.replications
    check_memory(
        planned * BYTES_PER_PLANNED_RUN,
        f"{planned:,} planned runs",
        "fewer replications, design points or factor levels",
        force=force,
        source=str(exp.path),
    )
    dest = check_out(out) if out is not None else default_out(exp)
    if workers is not None and workers < 1:
        raise UserError(f"value {workers} must be >= 1", source="--workers")
    fresh = not (dest / "manifest.json").is_file()
    if resume and fresh:
        raise UserError("nothing to resume: no manifest.json in this folder", source=str(dest))
    copies, plan_exp = 1, exp
    if dry_run and fresh and exp.params.replications > 1:
        # Nothing finished yet: one replicate stands for all (same cost, another seed).
        copies, plan_exp = exp.params.replications, copy.copy(exp)
        plan_exp.params = copy.copy(exp.params)
        plan_exp.params.replications = 1
    runs = plan_runs(plan_exp, cli)
    # A broken data file would fail every run one by one; say so once, before anything runs.
    counties = check_data_files(r.scenario for r in runs)
    check_run_memory(runs, counties, None if scheduler else workers, force, str(exp.path))
    for line in study_warnings(exp, runs):
        log.warning(line)
    identity = study_identity(exp, cli)
    if dry_run:
        if not force:  # say now what the sweep would refuse; a dry run moves nothing
            claim_folder(dest, identity, exp.name, force=False)
        est = estimate(runs, dest, workers, exp, copies=copies)
        if rob is not None:
            ends = run_ends(exp, rob, dest, cli, dry_run=True, force=force, workers=workers)
            est.stages.append((robustness_title(ends), stage_estimate(ends)))
        return est
    claim_folder(dest, identity, exp.name, force=force)

    def run(sub: Experiment, folder: Path, plan: list, sets: dict, ident: str) -> Any:
        return run_sweep(
            sub,
            folder,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            run_fn=run_fn,
            progress=progress,
            command=command,
            runs=plan,
            cli_overrides=sets,
            identity=ident,
        )

    if exp.province is not None:  # the county table and map, for the report's province section
        write_province(dest, exp.province)
    result = run(exp, dest, runs, cli, identity)
    if rob is not None:
        # The robustness stage: the scenarios again at the ends of the influential
        # assumptions' plausible ranges, into <dest>/robustness/ (mergesim.sweep.robustness).
        run_ends(exp, rob, dest, cli, dry_run=False, force=force, workers=workers, run=run)
    return result


def robustness_title(ends: list) -> str:
    """The dry run's title of the robustness stage: the ends it runs."""
    return "robustness stage (" + ", ".join(f"{e.key} = {e.value:g}" for e, _ in ends) + ")"


def check_run_memory(
    runs: Sequence[RunSpec],
    counties: Sequence[Any],
    workers: int | None,
    force: bool,
    source: str,
) -> None:
    """Refuse a sweep whose models, ``workers`` at once on this machine, would not fit in
    memory (:mod:`mergesim.model.resources`); a Dask cluster's workers (``workers`` None with
    a scheduler) run elsewhere and are not counted here.

    Raises:
        UserError: The estimate is above the limit (one line: the estimate and what to do).
    """
    if not runs:
        return
    data_county = max(counties, key=lambda c: float(c.population.sum()), default=None)
    need, what = max(
        scenario_run_bytes(
            r.scenario, None if r.scenario.county.source == "synthetic" else data_county
        )
        for r in runs
    )
    at_once = min(workers or os.cpu_count() or 1, len(runs))
    check_memory(
        at_once * need,
        f"{at_once} run(s) at once of up to {what}",
        "a smaller --scale or fewer --workers",
        force=force,
        source=source,
    )


def check_scale(scale: float, exp: Experiment) -> float:
    """``--scale``: an allowed ``villagers.scale``, and not a factor of ``exp``.

    Raises:
        UserError: Out of range, or ``villagers.scale`` is swept (one line).
    """
    check_scale_range(scale)
    if any("villagers.scale" in (f.key, *f.also) for f in exp.factors):
        raise UserError(
            "villagers.scale is a factor of this experiment; --scale cannot fix it",
            source="--scale",
        )
    return float(scale)


def study_warnings(exp: Experiment, runs: Sequence[RunSpec]) -> list[str]:
    """Warnings to give before a sweep runs: a Sobol/Morris sample below its documented
    minimum, and metrics documented as biased at the scale the runs use."""
    # plotting.labels loads matplotlib: only sweeps (which draw anyway) pay for it.
    from mergesim.plotting.labels import scale_warnings

    out = [w] if (w := sample_warning(exp)) else []
    scales = [float(r.scenario.villagers.scale) for r in runs]
    if scales:
        weekly = exp.params.plots.timeseries
        out += scale_warnings([*exp.params.metrics, *weekly], min(scales))
    return out


def is_experiment(path: str | Path) -> bool:
    """Whether a TOML file is an experiment (it lists ``scenarios``) rather than a scenario."""
    try:
        data = read_toml(path)
    except ScenarioError:
        # Unreadable: the loader it goes to reads it with the same reader and reports the
        # problem in the same one line; the folder is the only hint left of its kind.
        return "experiments" in Path(path).parts
    return "scenarios" in data or "factors" in data


def validate_file(path: str | Path) -> str:
    """Validate a scenario or experiment file; return a one-line "ok: ..." description.

    An experiment is planned in full (every point's scenario is built and validated).

    Raises:
        UserError: The first problem, as one line naming file, key and what is allowed.
    """
    if is_experiment(path):
        # pandas (the Morris ranking): only experiment files pay for it.
        from mergesim.sweep.robustness import load_robustness

        exp = load_experiment(path)
        load_robustness(exp)  # a bad [robustness] table fails here, not after the runs
        runs = plan_runs(exp)
        pts = len({r.point for r in runs})

        def n(k: int, word: str) -> str:
            return f"{k} {word}{'' if k == 1 else 's'}"

        check_data_files(r.scenario for r in runs)
        return (
            f"ok: experiment '{exp.name}': {n(len(runs), 'run')} ("
            f"{n(len(exp.scenarios), 'scenario')} × {n(pts, 'point')} × "
            f"{n(exp.params.replications, 'replication')}, {exp.params.design.method} "
            "design)"
        )
    s = load_scenario(path)
    loaded = check_data_files([s])
    if not loaded:
        return f"ok: scenario '{s.name}'"
    county = loaded[0]
    return (
        f"ok: scenario '{s.name}' (county data: {county.n_villages} villages in "
        f"{county.n_townships} townships)"
    )


def check_data_files(scenarios: Iterable[Any]) -> list[Any]:
    """Load every distinct data set the scenarios read: village file, edges, plan file.

    Synthetic counties without a plan file are skipped (their sizes are checked by the
    scenario validator, and generating them costs seconds); loading data takes milliseconds.

    Returns:
        The counties loaded, one per distinct data set.

    Raises:
        UserError: The first missing or invalid file (one line naming file, column and row).
    """
    seen: set[str] = set()
    out = []
    for s in scenarios:
        plan_file = s.plan.method == "file"
        if s.county.source == "synthetic" and not plan_file:
            continue
        d = scenario_to_dict(s)
        key = repr(
            [
                s.county.source,
                s.seed if s.county.source == "synthetic" else None,
                str(resolve_path(s, s.county.data)) if s.county.data else None,
                str(resolve_path(s, s.county.edges)) if s.county.edges else None,
                str(resolve_path(s, s.plan.file)) if plan_file else None,
                *(d[k] for k in ("county", "terrain", "border", "heritage", "roads")),
            ]
        )
        if key in seen:
            continue
        seen.add(key)
        county = build_county(s)
        if plan_file:
            make_plan(county, s)
        out.append(county)
    return out


def shipped(root: str | Path | None = None) -> list[tuple[str, Path, str]]:
    """Shipped scenarios and experiments: ``(kind, path, description)``.

    Looks in ``root`` (default: the current folder, else the source tree mergesim runs from).
    """
    candidates = [Path(root)] if root else [Path.cwd(), Path(__file__).resolve().parents[3]]
    base = next((c for c in candidates if (c / "scenarios").is_dir()), None)
    if base is None:
        raise UserError(
            "no scenarios/ folder here; run from the mergesim checkout or pass --dir", source="list"
        )
    out = []
    for kind, folder in (("scenario", "scenarios"), ("experiment", "experiments")):
        for p in sorted((base / folder).glob("*.toml")):
            try:
                desc = str(read_toml(p).get("description", ""))
            except ScenarioError as err:
                desc = f"(unreadable: {err.message})"
            out.append((kind, p, desc))
    return out
