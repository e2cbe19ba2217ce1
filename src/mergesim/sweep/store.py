"""A sweep's results folder: set-up files, one record per run as it finishes, tables at the end.

The layout of ``results/<name>/`` is described once, in
:data:`mergesim.results.layout.SWEEP_LAYOUT`: the file names come from there, and so does the
``README.md`` written into the folder.

A folder holds one **study** (:func:`study_identity`: the experiment's name, seed, design,
scenarios, factors and overrides — not its replications, which may grow): a sweep into a folder
that holds another study is refused with one line, or with ``--force`` the old folder is moved
aside (:func:`claim_folder`).

Every file is written atomically (:mod:`mergesim.io`): a reader, or a sweep killed at any
instant, sees each file complete or absent. A lock file stops two sweeps from writing one
folder at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import platform
import shlex
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from mergesim import __version__
from mergesim.config import dump_scenario, load_scenario, scenario_to_dict
from mergesim.config.load import format_toml_value, render_toml
from mergesim.county import build_county
from mergesim.errors import UserError
from mergesim.io import atomic_write_json, atomic_write_text
from mergesim.results import (
    FactorInfo,
    ScenarioInfo,
    Study,
    county_key,
    geometry_dir,
    read_manifest,
    read_run_timeseries,
    run_dir,
    summary_columns,
    tag_timeseries,
    write_geometry,
    write_run_tables,
    write_runs_table,
    write_timeseries_table,
)
from mergesim.results.layout import (
    EXPERIMENT_TOML,
    FIGURES_DIR,
    LOCK,
    MANIFEST,
    RESULT_JSON,
    SCENARIOS_DIR,
    write_readme,
)
from mergesim.sweep.design import MIN_SAMPLES, RunSpec, canonical_json, git_commit
from mergesim.sweep.experiment import scenario_entry
from mergesim.sweep.schema import Experiment

log = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX (Windows): sweeps run without a lock
    fcntl = None


def versions() -> dict[str, str | None]:
    """Versions of mergesim, Python and the libraries that shape results."""
    out: dict[str, str | None] = {"mergesim": __version__, "python": platform.python_version()}
    for name in ("mesa", "numpy", "scipy", "pandas", "salib", "distributed", "pyarrow"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


class ResultStore:
    """Reads and writes one sweep's results folder.

    Args:
        root: The folder (``results/<name>``); created when the sweep starts.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)

    # -- locking ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's lock (released on exit, and by the OS if the process dies)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / LOCK, "a+")  # noqa: SIM115 - held for the whole block
        try:
            try:
                if fcntl is not None:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise UserError(
                    "another sweep is writing to this folder; wait for it or choose another --out",
                    source=str(self.root),
                ) from None
            self.clean_temp()
            yield
        finally:
            fh.close()

    def clean_temp(self) -> int:
        """Remove temporary files left by a process killed mid-write; return how many."""
        n = 0
        for pattern in (
            ".*.tmp",
            "runs/*/.*.tmp",
            f"{SCENARIOS_DIR}/.*.tmp",
            f"{FIGURES_DIR}/.*.tmp",
            "tables/.*.tmp",
        ):
            for p in self.root.glob(pattern):
                p.unlink(missing_ok=True)
                n += 1
        return n

    # -- set-up ----------------------------------------------------------------------------

    def write_setup(self, exp: Experiment, cli_overrides: dict[str, Any] | None = None) -> None:
        """Write the resolved experiment (with the command line's overrides), its base
        scenarios and the folder's README."""
        for ref in exp.scenarios:
            dump_scenario(load_scenario(ref.path), self.root / SCENARIOS_DIR / f"{ref.label}.toml")
        atomic_write_text(
            self.root / EXPERIMENT_TOML, experiment_toml(exp, self.root, cli_overrides)
        )
        write_readme(self.root, "sweep", f"Results of the experiment '{exp.name}'")

    # -- runs ------------------------------------------------------------------------------

    def run_dir(self, rid: str) -> Path:
        """The folder of run ``rid``."""
        return run_dir(self.root, rid)

    def read_record(self, rid: str) -> dict[str, Any] | None:
        """The stored record of run ``rid``, or None if it never finished."""
        try:
            return json.loads((self.run_dir(rid) / RESULT_JSON).read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            # A half-written file cannot exist (atomic writes); a corrupt one is re-run. A path
            # through a regular file holds no record (writing there fails, with one line).
            return None

    def write_record(self, spec: RunSpec, outcome: dict[str, Any]) -> dict[str, Any]:
        """Write a finished run (ok or failed): time series first, then ``result.json``.

        ``result.json`` is written last, so its presence means the run's files are complete.
        Returns the record as stored (without the time series).
        """
        write_run_tables(
            self.root,
            spec.id,
            timeseries=outcome.get("timeseries"),
            villages=outcome.get("villages"),
        )
        key = county_key(spec.scenario)
        if outcome.get("villages"):
            self.store_geometry(spec.scenario, key)
        record = {
            "run_id": spec.id,
            "scenario": spec.label,
            "point": spec.point,
            "replicate": spec.replicate,
            "seed": spec.seed,
            "values": spec.values,
            "county": key,
            "status": outcome["status"],
            "seconds": outcome["seconds"],
            "error": outcome.get("error"),
            "traceback": outcome.get("traceback"),
            "host": outcome.get("host"),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "summary": outcome.get("summary"),
        }
        atomic_write_json(self.run_dir(spec.id) / RESULT_JSON, record)
        return record

    def store_geometry(self, scenario: Any, key: str) -> None:
        """Store the county of ``scenario`` under ``geometry/<key>/`` unless it is there.

        Built here, on the driver, once per distinct county: the report draws the runs'
        per-village tables on it without rebuilding anything.
        """
        folder = geometry_dir(self.root, key)
        if (folder / "villages.geojson").is_file():
            return
        try:
            county = build_county(scenario)
        except UserError:
            # The run itself read its data (on a worker); if the driver cannot, the runs are
            # still good: the report just draws no map for them.
            return
        write_geometry(folder, county)

    def write_manifest(
        self,
        exp: Experiment,
        runs: list[RunSpec],
        status: dict[str, dict[str, Any]],
        *,
        command: str,
        started: str,
        state: str,
        study: str = "",
        cli_overrides: dict[str, Any] | None = None,
    ) -> None:
        """Write ``manifest.json`` (versions, seed, command, the study's identity and per-run
        status)."""
        counts: dict[str, int] = {}
        per_run = {}
        for r in runs:
            s = status.get(r.id, {"status": "pending"})
            counts[s["status"]] = counts.get(s["status"], 0) + 1
            per_run[r.id] = {
                "scenario": r.label,
                "point": r.point,
                "replicate": r.replicate,
                "seed": r.seed,
                "status": s["status"],
                "seconds": s.get("seconds"),
                "error": s.get("error"),
            }
        atomic_write_json(
            self.root / MANIFEST,
            {
                "experiment": exp.name,
                "study": study,
                "description": exp.params.description,
                "experiment_file": str(exp.path),
                "smoke": exp.smoke,
                "command": command,
                "root_seed": exp.params.seed,
                "design": exp.params.design.method,
                "replications": exp.params.replications,
                "baseline": exp.baseline,
                "factors": [f.key for f in exp.factors],
                "factor_labels": {f.key: f.label for f in exp.factors},
                "command_line_overrides": dict(cli_overrides or {}),
                "metrics": exp.params.metrics,
                "versions": versions(),
                "git_commit": git_commit(),
                "platform": platform.platform(),
                "started": started,
                "updated": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "state": state,
                "counts": counts,
                "runs": per_run,
            },
        )

    # -- tables ----------------------------------------------------------------------------

    def runs_table(self, runs: list[RunSpec], factor_keys: list[str]) -> pd.DataFrame:
        """The tidy runs table: one row per planned run, in plan order."""
        rows = []
        for r in runs:
            rec = self.read_record(r.id) or {}
            row: dict[str, Any] = {
                "run_id": r.id,
                "scenario": r.label,
                "point": r.point,
                "replicate": r.replicate,
                "seed": str(r.seed),
                "status": rec.get("status", "pending"),
                "seconds": rec.get("seconds"),
                "error": rec.get("error"),
                "county": rec.get("county"),
            }
            row.update({k: r.values.get(k) for k in factor_keys})
            for k, v in summary_columns(rec.get("summary") or {}).items():
                if k not in row:
                    row[k] = v
            rows.append(row)
        # Seeds are 63-bit: kept as text so CSV readers and Parquet never round them.
        return pd.DataFrame(rows)

    def write_tables(self, runs: list[RunSpec], factor_keys: list[str]) -> list[Path]:
        """Write runs.csv (+ runs.parquet) and the combined weekly time series."""
        df = self.runs_table(runs, factor_keys)
        files = write_runs_table(self.root, df)
        ok_ids = set(df.loc[df["status"] == "ok", "run_id"]) if len(df) else set()
        files.append(
            write_timeseries_table(self.root, self._tagged([r for r in runs if r.id in ok_ids]))
        )
        return files

    def _tagged(self, runs: list[RunSpec]) -> Iterator[pd.DataFrame]:
        """Each run's weekly table with its tags, run by run (runs without one skipped)."""
        for r in runs:
            df = read_run_timeseries(self.root, r.id)
            if df is not None:
                yield tag_timeseries(df, r.id, r.label, r.point, r.replicate)


def study_identity(exp: Experiment, cli_overrides: dict[str, Any] | None = None) -> str:
    """What makes two sweeps the same study: the experiment's name, root seed and design, its
    scenarios (label, keys set and the resolved scenario itself), factors and overrides (the
    command line's included). Not the replications (a study may grow) and not what is
    reported (metrics, plots)."""
    p = exp.params
    design = asdict(p.design)
    if p.design.method == "factorial":
        design.pop("n")  # unused by a factorial design
    ident = {
        "name": exp.name,
        "seed": p.seed,
        "design": design,
        "scenarios": [
            [r.label, r.overrides, scenario_to_dict(load_scenario(r.path))] for r in exp.scenarios
        ],
        "factors": [[f.key, f.values, f.range, f.steps, f.log, list(f.also)] for f in exp.factors],
        "overrides": {**exp.overrides, **(cli_overrides or {})},
    }
    return hashlib.sha256(canonical_json(ident).encode("utf-8")).hexdigest()[:16]


def claim_folder(root: str | Path, identity: str, name: str, *, force: bool) -> Path | None:
    """Make sure ``root`` is empty, new or holds this study.

    Returns:
        Where the old folder was moved with ``force`` (None if nothing was moved).

    Raises:
        UserError: ``root`` holds another study and ``force`` is off (one line).
    """
    root = Path(root)
    man = read_manifest(root)
    if not man:
        return None
    old = man.get("study")
    if (old == identity) if old else (man.get("experiment") == name):
        return None
    what = f"experiment '{man.get('experiment')}'"
    if not force:
        raise UserError(
            f"this folder holds another study ({what}: other scenarios, factors, design, seed "
            "or overrides); choose another --out, or add --force to move it aside and start "
            "afresh",
            source=str(root),
        )
    aside = root.with_name(f"{root.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
    root.rename(aside)
    log.warning("moved the results of another study (%s) aside to %s", what, aside)
    return aside


def study(exp: Experiment) -> Study:
    """What the report says about ``exp`` (:class:`mergesim.results.Study`)."""
    p = exp.params
    factors = []
    for f in exp.factors:
        levels = (
            ", ".join(map(str, f.values))
            if f.values
            else f"[{f.range[0]:g}, {f.range[1]:g}]{' log' if f.log else ''}"
            + (f", {f.steps} levels" if p.design.method == "factorial" else "")
        )
        factors.append(FactorInfo(f.key, f.label, f.unit, levels, f.range))
    # Weekly bands: the listed series, else the weekly metric of each compared summary metric.
    weekly = p.plots.timeseries or list(dict.fromkeys(m.partition(".")[2] for m in p.metrics))
    return Study(
        name=exp.name,
        description=p.description,
        experiment_file=str(exp.path),
        smoke=exp.smoke,
        design=p.design.method,
        replications=p.replications,
        seed=p.seed,
        baseline=exp.baseline,
        metrics=tuple(p.metrics),
        weekly=tuple(weekly),
        formats=tuple(p.plots.formats),
        response=p.plots.response,
        scenarios=tuple(
            ScenarioInfo(r.label, r.path.name, dict(r.overrides)) for r in exp.scenarios
        ),
        factors=tuple(factors),
        overrides=dict(exp.overrides),
        min_samples=MIN_SAMPLES.get(p.design.method),
        discovery=discovery_settings(exp),
    )


def discovery_settings(exp: Experiment) -> dict[str, Any]:
    """The ``[discovery]`` settings the report needs: this experiment's own (PRIM over its
    design), or the folder of another's whose boxes it shows (resolved against the experiment
    file; a smoke version shows the smoke version's, ``<folder>-smoke``, as the command line
    names them), or nothing."""
    d = exp.params.discovery
    if d.outcomes:
        return asdict(d)
    if d.include:
        folder = (exp.path.parent / d.include).resolve()
        return {"include": str(folder.with_name(folder.name + "-smoke") if exp.smoke else folder)}
    return {}


def experiment_toml(
    exp: Experiment, root: Path, cli_overrides: dict[str, Any] | None = None
) -> str:
    """The resolved experiment as TOML; its scenarios point at ``scenarios/<label>.toml``.

    The command line's overrides (``--set``, ``--scale``) join ``[overrides]``, so
    ``mergesim sweep <root>/experiment.toml --out <root>`` re-runs (resumes) this sweep.
    """
    p = asdict(exp.params)
    if exp.params.discovery.include:  # absolute: the stored file lives in another folder
        p["discovery"]["include"] = discovery_settings(exp)["include"]
    smoke = p.pop("smoke")  # applied (or not asked for): the stored file is what ran, except
    # the smoke thinning of factorial/LHS points, which only --smoke applies: kept with
    # sizes equal to what ran, so re-running with --smoke runs the same points, no more.
    thinned = exp.smoke and smoke["points"] and exp.params.design.method in ("factorial", "lhs")
    head = (
        f"# Experiment '{exp.name}' as resolved by mergesim"
        f"{' (smoke version)' if exp.smoke else ''}: every setting, scenarios stored\n"
        f"# beside it. Re-run (resume) with: mergesim sweep {root / 'experiment.toml'} "
        f"--out {root}{' --smoke' if thinned else ''}\n"
    )
    lines = [render_toml(p).rstrip("\n")]
    if thinned:
        lines += [
            "\n[smoke]",
            f"replications = {exp.params.replications}",
            f"n = {exp.params.design.n}",
            f"points = {smoke['points']}",
        ]
    overrides = {**exp.overrides, **(cli_overrides or {})}
    if overrides:
        lines.append("\n[overrides]")
        lines += [f'"{k}" = {format_toml_value(v)}' for k, v in overrides.items()]
    for ref in exp.scenarios:
        entry = scenario_entry(ref)
        lines += [
            "",
            "[[scenarios]]",
            f"label = {format_toml_value(ref.label)}",
            f"path = {format_toml_value(f'scenarios/{ref.label}.toml')}",
        ]
        if isinstance(entry, dict) and entry.get("set"):
            lines.append("[scenarios.set]")
            lines += [f'"{k}" = {format_toml_value(v)}' for k, v in entry["set"].items()]
    for f in exp.factors:
        lines += [
            "",
            "[[factors]]",
            f"key = {format_toml_value(f.key)}",
            f"label = {format_toml_value(f.label)}",
        ]
        if f.also:
            lines.append(f"also = {format_toml_value(list(f.also))}")
        if f.values:
            lines.append(f"values = {format_toml_value(list(f.values))}")
        else:
            lines += [
                f"range = {format_toml_value(list(f.range))}",
                f"steps = {f.steps}",
                f"log = {format_toml_value(f.log)}",
            ]
    return head + "\n".join(lines) + "\n"


def command_line(argv: list[str] | None = None) -> str:
    """The command that started this process, shell-quoted."""
    argv = list(sys.argv if argv is None else argv)
    if argv and argv[0].endswith(("mergesim", "__main__.py")):
        argv[0] = "mergesim"
    return " ".join(shlex.quote(a) for a in argv)
