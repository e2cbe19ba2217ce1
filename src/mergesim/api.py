"""The one entry point behind the command line: one function per command, files included.

The CLI (:mod:`mergesim.cli`, :mod:`mergesim.cli_sweep`) only parses arguments and calls
these; notebooks and scripts can call them directly. This is also where the back end's
one-way parts meet: :func:`sweep_experiment` runs the sweep (:mod:`mergesim.sweep`) and then
the report (:mod:`mergesim.report`), which never import each other.

Every result file is written atomically and only after all computation succeeded, so a user
mistake never leaves a half-written result.

Each command imports the part of the back end it uses inside its function: the back end as a
whole loads Mesa, pandas, SciPy's statistics and matplotlib (seconds), which ``mergesim list``
or ``validate`` must not wait for.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mergesim.config import apply_overrides, dump_scenario, load_scenario
from mergesim.config.inherited import inherited_note
from mergesim.config.load import check_scale, scale_allowed
from mergesim.config.toml_io import printable
from mergesim.errors import ScenarioError, UserError
from mergesim.io import atomic_write_json, atomic_write_text
from mergesim.threads import one_blas_thread

if TYPE_CHECKING:  # annotations only (see the module docstring)
    from mergesim.plans.assess import PlanResult
    from mergesim.sweep import Estimate, Experiment, SweepResult

__all__ = [
    "app",
    "compare_results",
    "configure_logging",
    "parse_formats",
    "list_shipped",
    "one_blas_thread",
    "plan_scenario",
    "plot_results",
    "run_scenario_cli",
    "sweep_experiment",
    "validate_file",
    "validate_model",
]


# -- logging and figure formats ---------------------------------------------------------------

#: The handlers :func:`configure_logging` installed (replaced when it is called again).
_HANDLERS: list[logging.Handler] = []
#: Image formats a figure can be written in (``--formats``, ``plots.formats``).
FORMATS = ("png", "svg", "pdf")


class _ConsoleHandler(logging.Handler):
    """Log lines that do not break a progress bar (through ``tqdm.write``): notes (INFO and
    below) on stdout, warnings on stderr, so that a failing command's stderr stays its one
    error line. Streams are looked up when a line is written (tests swap them)."""

    def emit(self, record: logging.LogRecord) -> None:
        # tqdm comes with Mesa; imported here so `mergesim --help` need not load it.
        from tqdm import tqdm

        stream = sys.stderr if record.levelno >= logging.WARNING else sys.stdout
        try:
            tqdm.write(self.format(record), file=stream)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        head = "mergesim: "
        if record.levelno >= logging.WARNING:
            head += record.levelname.lower() + ": "
        elif record.levelno < logging.INFO:
            head += f"[{record.name}] "
        return head + record.getMessage()


def configure_logging(verbosity: int = 0, log_file: str | Path | None = None) -> None:
    """Send mergesim's log to stderr (and a file): progress lines, what is being drawn,
    warnings.

    Args:
        verbosity: 0: progress and warnings (INFO); -1 (``-q``): warnings only; 1 (``-v``):
            everything (DEBUG).
        log_file: Also append every message, with a time stamp and its source, to this file
            (at DEBUG, whatever ``verbosity``).
    """
    logger = logging.getLogger("mergesim")
    for h in _HANDLERS:
        logger.removeHandler(h)
        h.close()
    _HANDLERS.clear()
    level = logging.WARNING if verbosity < 0 else logging.DEBUG if verbosity > 0 else logging.INFO
    console = _ConsoleHandler()
    console.setLevel(level)
    console.setFormatter(_Format())
    _HANDLERS.append(console)
    if log_file is not None:
        path = Path(log_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(path, encoding="utf-8")
        fh.setLevel(logging.DEBUG)
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        _HANDLERS.append(fh)
    for h in _HANDLERS:
        logger.addHandler(h)
    logger.setLevel(logging.DEBUG if log_file is not None else level)


def parse_formats(text: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``"png,svg"`` → ``("png", "svg")`` (None stays None: the default of the command).

    Raises:
        UserError: An unknown format (one line).
    """
    if text is None:
        return None
    items = text.split(",") if isinstance(text, str) else list(text)
    out = tuple(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise UserError(
            f"unknown image format {', '.join(bad) or repr(text)}; allowed: a comma-separated "
            f"list of {', '.join(FORMATS)}",
            source="--formats",
        )
    return out


log = logging.getLogger("mergesim")


@contextmanager
def console_notes() -> Iterator[None]:
    """While active, what mergesim logs (a data file's columns, townships made, inherited
    defaults, warnings) is printed even when :func:`configure_logging` was not called (the
    API used from Python); under the command line its handlers already print them."""
    logger = logging.getLogger("mergesim")
    if _HANDLERS:
        yield
        return
    handler, level = _ConsoleHandler(), logger.level
    handler.setFormatter(_Format())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def scale_value(text: str) -> float:
    """``--scale`` as given on the command line: a number in ``villagers.scale``'s range.

    Raises:
        argparse.ArgumentTypeError: Not a number, or out of range (argparse makes it the one
            line of a command-line mistake).
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}; allowed: {scale_allowed()}"
        ) from None
    try:
        return check_scale(value)
    except UserError as e:
        raise argparse.ArgumentTypeError(e.message) from None


# -- mergesim plan ----------------------------------------------------------------------------


def plan_scenario(
    scenario_path: str | Path,
    *,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    maps: bool = True,
    write: bool = True,
) -> PlanResult:
    """Build a scenario's county and plan, check it, and write the plan files.

    Writes to ``out`` (default ``results/<scenario name>``): ``plan_summary.json``,
    ``plan.csv``, ``scenario.toml`` (resolved), the county and plan as GeoJSON in
    ``geometry/`` and, with ``maps``, ``map_before.png`` and ``map_after.png``.

    Args:
        scenario_path: Scenario TOML file.
        overrides: ``key=value`` strings, as given to ``--set``.
        out: Output folder.
        maps: Draw the maps.
        write: Write files (False: compute only).

    Raises:
        mergesim.errors.UserError: Bad scenario or data (one line).
    """
    # Per-command imports: start-up time (see the module docstring).
    from mergesim.plans import level_warnings
    from mergesim.plans.assess import assess_plan
    from mergesim.plans.from_file import write_plan_csv
    from mergesim.plotting.figures import save_figure
    from mergesim.plotting.maps import plot_county_map
    from mergesim.results import geometry_collections, geometry_dir, write_collections
    from mergesim.results.output import out_dir as out_dir_for
    from mergesim.results.output import staged_folder
    from mergesim.run import planned_points

    t0 = time.perf_counter()
    scenario = load_scenario(scenario_path, overrides)
    out_dir = out_dir_for(out, scenario.name, source=str(scenario_path)) if write else None
    note = inherited_note(scenario)
    with console_notes():
        if note:
            log.info(note)
        result = assess_plan(scenario)
        for w in level_warnings(result.county, result.plan):
            log.warning(w)
    county, plan = result.county, result.plan
    figs = {}
    if maps and write:
        figs["map_before.png"] = plot_county_map(
            county, None, title=f"{county.name}: before the merger"
        )
        figs["map_after.png"] = plot_county_map(
            county, plan, title=f"{county.name}: after the '{plan.method}' plan"
        )
    geometry = (
        geometry_collections(county, plan, points=planned_points(scenario, county, plan))
        if write
        else {}
    )
    result.seconds = time.perf_counter() - t0
    if out_dir is None:
        return result
    with staged_folder(out_dir) as tmp:
        files = [tmp / "plan_summary.json", tmp / "plan.csv", tmp / "scenario.toml"]
        atomic_write_json(files[0], result.summary)
        write_plan_csv(county, plan, files[1])
        dump_scenario(scenario, files[2], notes=[note] if note else ())
        if result.ensemble_rows:
            cols = list(result.ensemble_rows[0])
            text = (
                ",".join(cols)
                + "\n"
                + "".join(",".join(str(r[c]) for c in cols) + "\n" for r in result.ensemble_rows)
            )
            files.append(atomic_write_text(tmp / "ensemble_summary.csv", text))
        files += write_collections(geometry_dir(tmp), geometry)
        for name, fig in figs.items():
            files.append(save_figure(fig, tmp / name))
    result.out, result.files = out_dir, [out_dir / f.relative_to(tmp) for f in files]
    return result


# -- mergesim run -----------------------------------------------------------------------------

#: Summary keys printed by ``mergesim run`` (pre → post), when present.
RUN_TABLE_KEYS = (
    "travel_min_mean_admin",
    "travel_min_p90_admin",
    "travel_min_mean",
    "travel_min_p90",
    "coverage_admin_30",
    "coverage_admin_60",
    "coverage_clinic_30",
    "admin_in_village_share",
    "one_trip_share",
    "trips_mean",
    "travel_gini",
    "travel_worst_decile_min",
    "admin_travel_min_mean_absorbed_villages",
    "admin_travel_min_mean_periphery_villages",
    "petitions_per10k",
    "petitions_collective_per10k",
    "days_to_close_mean",
    "closed_within_60_share",
    "grievance_mean",
    "aggrieved_share",
    "stability_index",
)
#: Cadre lines of the run report: (label, path in summary["cadres"]).
CADRE_TABLE_KEYS = (
    ("township leaders' mean age change (years)", ("township_leader_age", "change")),
    ("secretaries with high school or more", ("secretary_high_school_share",)),
    ("veterans + graduates among secretaries", ("secretary_veteran_graduate_share",)),
    ("administrative cost change (%)", ("cost_change_pct", "total")),
)


def run_scenario_cli(
    scenario_path: str | Path,
    *,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    scale: float | None = None,
    seed: int | None = None,
    plots: bool = True,
    formats: Sequence[str] | None = None,
    progress: bool | None = None,
    force: bool = False,
) -> str:
    """Load, validate, run and write one simulation; return a short text report.

    The scenario is fully validated before anything is written; results go to ``out``
    (default ``results/<scenario name>``). ``plots=False`` skips the figures
    (``--no-plots``; ``mergesim plot`` draws them later from the files); ``formats``: their
    image formats (default PNG); ``progress``: see :func:`mergesim.run.simulate`; ``force``:
    run even when the memory estimate is above the limit
    (:mod:`mergesim.model.resources`).
    """
    # Per-command imports: start-up time (see the module docstring).
    from mergesim.county import build_county
    from mergesim.model.resources import check_memory, scenario_run_bytes
    from mergesim.plans import level_warnings
    from mergesim.results.output import out_dir as out_dir_for
    from mergesim.results.output import staged_folder
    from mergesim.run import simulate, write_results

    scenario = load_scenario(scenario_path, overrides)
    if scale is not None:
        scenario = apply_overrides(scenario, {"villagers.scale": check_scale(scale)})
    # Before anything is allocated: a data file's population is known once it is loaded
    # (milliseconds); a synthetic county's is a parameter.
    county = None
    if scenario.county.source != "synthetic":
        quiet = logging.getLogger("mergesim.county")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)  # the run loads it again and says what it read
        try:
            county = build_county(scenario)
        finally:
            quiet.setLevel(level)
    need, what = scenario_run_bytes(scenario, county)
    check_memory(
        need,
        what,
        "a smaller --scale",
        force=force,
        source=printable(str(scenario_path)),
    )
    if seed is not None and seed < 0:
        raise ScenarioError(
            f"value {seed} is out of range; allowed: >= 0", source="command line", key="--seed"
        )
    out_dir = out_dir_for(out, scenario.name, source=str(scenario_path))
    t0 = time.perf_counter()
    note = inherited_note(scenario)
    with console_notes():
        if note:
            log.info(note)
        model = simulate(scenario, scale=scale, seed=seed, progress=progress)
        for w in level_warnings(model.county, model.plan):
            log.warning(w)
    with staged_folder(out_dir) as tmp:
        summary = write_results(model, tmp, plots=plots, formats=parse_formats(formats) or ("png",))
    lines = [f"run '{scenario.name}' finished in {time.perf_counter() - t0:.1f} s", ""]
    lines += ["  metric (pre-reform -> post-reform window)", *_pre_post_table(summary)]
    lines += ["", *_cadre_lines(summary.get("cadres") or {})]
    saturation = (summary.get("petitions") or {}).get("saturation") or {}
    if saturation.get("warning"):
        lines += ["", saturation["warning"]]
    lines += ["", f"results in {out_dir}"]
    return "\n".join(lines)


def _cadre_lines(cadres: dict) -> list[str]:
    """The cadre headline figures of a run summary, one line each."""
    rows = []
    for label, path in CADRE_TABLE_KEYS:
        v: Any = cadres
        for k in path:
            v = v.get(k) if isinstance(v, dict) else None
        if v is not None:
            rows.append((label, f"{v:.3f}" if isinstance(v, float) else str(v)))
    width = max((len(lab) for lab, _ in rows), default=0)
    return [f"  {lab:<{width}}  {v}" for lab, v in rows]


def _pre_post_table(summary: dict) -> list[str]:
    """Rows ``key  pre -> post`` for the headline metrics found in a run summary."""
    pre, post = summary.get("pre", {}), summary.get("post", {})
    if not isinstance(pre, dict) or not isinstance(post, dict):
        return []
    keys = [k for k in RUN_TABLE_KEYS if k in pre or k in post] or sorted(pre)[:12]
    width = max((len(k) for k in keys), default=0)

    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    return [f"  {k:<{width}}  {fmt(pre.get(k))} -> {fmt(post.get(k))}" for k in keys]


# -- mergesim sweep, plot, compare ------------------------------------------------------------


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
    formats: Sequence[str] | str | None = None,
    dry_run: bool = False,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    run_fn: Any = None,
    progress: bool | None = None,
    command: str | None = None,
) -> SweepResult | Estimate:
    """``mergesim sweep``: run (or resume, or with ``dry_run`` only estimate) an experiment,
    then draw its figures and report.md.

    Args: as :func:`mergesim.sweep.sweep_experiment`; ``formats``: image formats of the
        figures (default: the experiment's ``plots.formats``).

    Raises:
        UserError: Any mistake in the experiment, its scenarios or the options (one line).
    """
    from mergesim import sweep  # start-up time (see the module docstring)

    formats = parse_formats(formats)
    res = sweep.sweep_experiment(
        path,
        out=out,
        smoke=smoke,
        overrides=overrides,
        replications=replications,
        scale=scale,
        samples=samples,
        force=force,
        dry_run=dry_run,
        resume=resume,
        workers=workers,
        scheduler=scheduler,
        executor=executor,
        run_fn=run_fn,
        progress=progress,
        command=command,
    )
    if isinstance(res, sweep.SweepResult):
        res.files += plot_results(
            res.out, experiment=res.experiment, sensitivity=res.sensitivity, formats=formats
        )
    return res


def plot_results(
    root: str | Path,
    *,
    experiment: Experiment | None = None,
    sensitivity: Any = None,
    formats: Sequence[str] | str | None = None,
) -> list[Path]:
    """``mergesim plot``: redraw a results folder's figures from its stored files (no
    simulation): a sweep's figures, tables, report.md and README, or a ``mergesim run``
    folder's figures.

    Args:
        root: The results folder.
        experiment: The experiment that ran (default: read ``root/experiment.toml``).
        sensitivity: Its :class:`~mergesim.sweep.Sensitivity` (default: analysed again from
            the runs table, for Sobol and Morris designs).
        formats: Image formats (default: the experiment's ``plots.formats``; PNG for a run).

    Returns:
        The files written.

    Raises:
        UserError: The folder is neither a sweep's nor a run's results folder.
    """
    # Per-command imports: start-up time (see the module docstring).
    from mergesim.results import folder_kind

    root = Path(root)
    formats = parse_formats(formats)
    kind = folder_kind(root)
    if kind == "run":
        from mergesim.run import figures_from_folder, save_run_figures

        logging.getLogger(__name__).info("redrawing the figures of the run in %s", root)
        return save_run_figures(figures_from_folder(root), root, formats or ("png",))
    if kind is None or not (root / "experiment.toml").is_file():
        raise UserError(
            "not a results folder (no experiment.toml of a sweep, no summary.json of a run)",
            source=str(root),
        )
    from mergesim.report import finalize_results
    from mergesim.sweep import analyze_folder, load_experiment, study

    exp = experiment or load_experiment(root / "experiment.toml")
    sens = sensitivity if sensitivity is not None else analyze_folder(root, exp)
    files = finalize_results(
        root,
        study(exp),
        sens.indices,
        sens.notes,
        convergence=sens.convergence,
        formats=formats,
    )
    return [*sens.files, *files] if sensitivity is None else files


def compare_results(
    paths: Sequence[str | Path],
    out: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    formats: Sequence[str] | str | None = None,
) -> tuple[Path, str]:
    """``mergesim compare``: tables, figures and compare.md for several results folders,
    sweeps or single runs (:func:`mergesim.report.compare_results`)."""
    from mergesim import report  # start-up time (see the module docstring)

    return report.compare_results(
        list(paths), out, list(metrics) if metrics else None, parse_formats(formats) or ("png",)
    )


# -- mergesim validate, list ------------------------------------------------------------------


def validate_file(path: str | Path) -> str:
    """``mergesim validate FILE``: a one-line "ok: ..." for a valid scenario or experiment.

    Raises:
        UserError: The first problem, as one line naming file, key and what is allowed.
    """
    from mergesim import sweep  # start-up time (see the module docstring)

    return sweep.validate_file(path)


def validate_model(
    out: str | Path | None = "results/validation", strict: bool = False
) -> tuple[str, bool]:
    """``mergesim validate --model``: the three-part table (verification, calibration,
    validation), written as ``validation.csv`` and ``validation.md`` to ``out`` (None: not
    written), and whether the command passes (verification only, unless ``strict``)."""
    from mergesim.validation import suite  # start-up time (see the module docstring)

    return suite.validate_model(out=out, strict=strict)


def list_shipped(root: str | Path | None = None) -> list[tuple[str, Path, str]]:
    """``mergesim list``: shipped scenarios and experiments as ``(kind, path, description)``."""
    from mergesim import sweep  # start-up time (see the module docstring)

    return sweep.shipped(root)


# -- mergesim app -----------------------------------------------------------------------------


def app(
    scenario_path: str | Path | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    results: str | Path = "results",
    ready: Callable[[str], None] | None = None,
) -> None:
    """``mergesim app``: serve the browser app until interrupted (see :mod:`mergesim.app`).

    Args:
        scenario_path: Scenario file (None: the seed county's defaults).
        host: Address to listen on (None: the app's default, this machine only).
        port: Port (None: the app's default; 0: a free one).
        results: Folder the results browser opens first.
        ready: Called with the page's address once the port is open.

    Raises:
        UserError: The ``app`` extra is missing, a bad scenario file or a port that cannot be
            opened (one line each).
    """
    from mergesim.app import server  # start-up time; Solara itself loads inside serve()

    server.serve(
        scenario_path,
        host=server.DEFAULT_HOST if host is None else host,
        port=server.DEFAULT_PORT if port is None else port,
        results=results,
        ready=ready,
    )
