"""Run a sweep on any ``concurrent.futures.Executor``; resume by run identity.

:func:`run_sweep` plans every run (:func:`~mergesim.sweep.design.plan_runs`), skips those whose
identity already has an ``ok`` record in the results folder, and submits the rest to an
executor — a local process pool over all cores by default, a Dask cluster with
``scheduler="tcp://host:8786"``, or any executor passed in. At most ``2 × workers`` runs are in
flight, and each finished run is written at once by the driver (:class:`ResultStore`), so
memory stays bounded and an interruption loses only the runs still in flight. A run that raises
is recorded as ``failed`` with its error and the sweep goes on; re-running retries it.

The run function (``run_fn``) takes a validated scenario — whose ``seed`` is already the run's
seed — and returns its summary dict, or ``(summary, timeseries_csv_text)``. The default,
:func:`model_run`, runs the Mesa model without writing plots. Tests pass cheap stand-ins.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mergesim.errors import WRITE_ERRNOS, UserError
from mergesim.progress import Progress, hms
from mergesim.run import simulate, timeseries_csv, villages_csv
from mergesim.sweep.design import RunSpec, plan_runs
from mergesim.sweep.executors import ExecutorHandle, dask_executor, external, local_pool
from mergesim.sweep.geocache import cached_geography
from mergesim.sweep.schema import Experiment
from mergesim.sweep.sensitivity import Sensitivity, analyze_folder
from mergesim.sweep.store import ResultStore, command_line, study_identity
from mergesim.threads import one_blas_thread

log = logging.getLogger(__name__)

RunFn = Callable[[Any], Any]

#: A run whose worker died this many times (BrokenProcessPool) is recorded as failed.
MAX_WORKER_DEATHS = 3

__all__ = ["Progress", "SweepResult", "execute", "hms", "model_run", "run_sweep"]


def model_run(scenario: Any, *, cache: bool = True) -> tuple[dict[str, Any], str, str]:
    """The real run: simulate ``scenario`` (seed included); return its summary, the weekly CSV
    and the per-village CSV (roles, travel burden and access before and after the reform).

    With ``cache`` the county and plan come from the worker's cache
    (:func:`~mergesim.sweep.geocache.cached_geography`): built once per geography, not per
    run; the results are the same."""
    county, plan = cached_geography(scenario) if cache else (None, None)
    model = simulate(scenario, progress=False, county=county, plan=plan)
    return model.summary(), timeseries_csv(model), villages_csv(model)


def execute(spec_id: str, scenario: Any, run_fn: RunFn) -> dict[str, Any]:
    """Worker side of one run: call ``run_fn`` and package its outcome (never raises Exception).

    ``run_fn`` returns the summary dict, or ``(summary, weekly_csv)``, or ``(summary,
    weekly_csv, villages_csv)``.

    Returns:
        ``{"id", "status": "ok"|"failed", "seconds", "summary", "timeseries", "villages",
        "error", "traceback", "host"}``, and ``"cpu_seconds"`` (the worker's CPU time) of an
        ``ok`` run.
    """
    # Any executor (a Dask worker too): one BLAS thread, as the workers fill the cores.
    one_blas_thread()
    t0, c0 = time.perf_counter(), time.process_time()
    host = f"{socket.gethostname()}:{os.getpid()}"
    try:
        out = run_fn(scenario)
    except Exception as err:  # noqa: BLE001 - a failing run is data, not a crash
        line = err.line() if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
        return {
            "id": spec_id,
            "status": "failed",
            "seconds": time.perf_counter() - t0,
            "error": " ".join(line.split())[:500],
            "traceback": traceback.format_exc(),
            "host": host,
        }
    parts = (out,) if isinstance(out, dict) else tuple(out)
    summary, ts, villages = (*parts, None, None)[:3]
    return {
        "id": spec_id,
        "status": "ok",
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "summary": summary,
        "timeseries": ts,
        "villages": villages,
        "host": host,
    }


# ---------------------------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What :func:`run_sweep` did.

    Attributes:
        out: The results folder.
        total: Runs in the design.
        skipped: Runs already finished (by identity) before this call.
        ok: Runs that finished ``ok`` in this call.
        failed: Runs that failed in this call (errors in ``manifest.json``).
        seconds: Wall time of this call (s).
        cpu_seconds: CPU time of the runs finished ``ok`` in this call, summed over workers
            (s); with :attr:`seconds`, how well the workers were used on a shared machine.
        files: Tables written at the end (the report adds its figures and report.md).
        experiment: The experiment that ran.
        sensitivity: The sensitivity analysis written at the end (Sobol/Morris designs).
    """

    out: Path
    total: int
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    files: list[Path] = field(default_factory=list)
    experiment: Experiment | None = None
    sensitivity: Sensitivity = field(default_factory=Sensitivity)

    def report(self) -> str:
        """One paragraph for the terminal."""
        return (
            f"{self.total} runs: {self.skipped} already done, {self.ok} ok and "
            f"{self.failed} failed now ({self.seconds:.1f} s); results in {self.out}"
            + (
                f"\nfailed runs are listed in {self.out / 'manifest.json'}; re-run the same "
                "command to retry them"
                if self.failed
                else ""
            )
        )


def run_sweep(
    exp: Experiment,
    out: str | Path,
    *,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    run_fn: RunFn | None = None,
    cli_overrides: dict[str, Any] | None = None,
    progress: bool | None = None,
    finalize: bool = True,
    command: str | None = None,
    runs: Sequence[RunSpec] | None = None,
    identity: str = "",
) -> SweepResult:
    """Run (or resume) every run of ``exp`` into ``out``; write the tables at the end.

    The figures and report.md are the report's (:func:`mergesim.api.sweep_experiment` runs
    the sweep, then the report).

    Args:
        exp: A loaded experiment (:func:`~mergesim.sweep.experiment.load_experiment`).
        out: Results folder (``results/<name>``).
        executor: Any ``concurrent.futures.Executor`` (not shut down here); default a local
            process pool, or Dask when ``scheduler`` is given.
        workers: Processes of the default pool (default: all cores).
        scheduler: Dask scheduler address (``tcp://host:8786``) or ``local``.
        run_fn: The run function (default :func:`model_run`); must be picklable for
            process pools and Dask (a module-level function).
        cli_overrides: ``--set`` (and ``--scale``) keys applied to every run; recorded in the
            stored experiment.toml and the manifest.
        progress: True: a progress bar on stderr; False: none; None (default): a bar on a
            terminal, else a log line per minute or per 5 % of the runs
            (:class:`~mergesim.progress.Progress`).
        finalize: Write the runs table, the weekly table and the sensitivity indices at the
            end.
        command: The command line recorded for reproduction (default: ``sys.argv``).
        runs: A precomputed plan (default: :func:`plan_runs`).
        identity: The study's identity for the manifest
            (:func:`~mergesim.sweep.store.study_identity`; default computed here).

    Raises:
        UserError: Bad experiment, an unreachable scheduler, a folder locked by another sweep.
        KeyboardInterrupt: After recording everything that finished (resume to go on).
    """
    t0 = time.perf_counter()
    run_fn = run_fn or model_run
    runs = list(runs) if runs is not None else plan_runs(exp, cli_overrides)
    store = ResultStore(out)
    command = command or command_line()
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    setup = _Setup(dict(cli_overrides or {}), identity or study_identity(exp, cli_overrides))
    # The experiment that ran: the command line's overrides (--set, --scale) included, as in
    # the stored experiment.toml, so the report's "set on every run" says what was set.
    ran = replace(exp, overrides={**exp.overrides, **(cli_overrides or {})})
    result = SweepResult(store.root, len(runs), experiment=ran)
    # Make the executor before touching the folder: a bad --scheduler leaves nothing behind.
    todo = [r for r in runs if not _finished(store, r)]
    handle = None
    if todo:
        handle = (
            external(executor)
            if executor is not None
            else dask_executor(scheduler, workers)
            if scheduler
            else local_pool(workers)
        )
    try:
        with store.lock():
            _sweep_locked(
                exp,
                runs,
                store,
                handle,
                run_fn,
                result,
                progress,
                finalize,
                command,
                started,
                setup,
            )
    except OSError as err:
        if err.errno not in _DISK_ERRORS:
            raise
        raise UserError(
            f"cannot write results: {err.strerror} ({err.filename or store.root}); "
            "finished runs are kept: free space or fix permissions, then re-run "
            "to resume",
            source=str(store.root),
        ) from None
    finally:
        if handle is not None:
            handle.shutdown(wait=False)
    result.seconds = time.perf_counter() - t0
    return result


_DISK_ERRORS = WRITE_ERRNOS


@dataclass(frozen=True)
class _Setup:
    """What the manifest and the stored experiment record beyond the experiment."""

    cli_overrides: dict[str, Any]
    identity: str


def _finished(store: ResultStore, r: RunSpec) -> bool:
    rec = store.read_record(r.id)
    return rec is not None and rec.get("status") == "ok"


def _sweep_locked(
    exp: Experiment,
    runs: list[RunSpec],
    store: ResultStore,
    handle: ExecutorHandle | None,
    run_fn: RunFn,
    result: SweepResult,
    progress: bool | None,
    finalize: bool,
    command: str,
    started: str,
    setup: _Setup,
) -> None:
    """The part of :func:`run_sweep` that runs while holding the folder's lock."""
    store.write_setup(exp, setup.cli_overrides)
    status: dict[str, dict[str, Any]] = {}
    todo: list[RunSpec] = []
    for r in runs:  # read again under the lock: the folder is ours now
        rec = store.read_record(r.id)
        if rec is not None and rec.get("status") == "ok":
            status[r.id] = {"status": "ok", "seconds": rec.get("seconds")}
        else:
            todo.append(r)
    result.skipped = len(runs) - len(todo)

    def save(state: str) -> None:
        store.write_manifest(
            exp,
            runs,
            status,
            command=command,
            started=started,
            state=state,
            study=setup.identity,
            cli_overrides=setup.cli_overrides,
        )

    save("running")
    if todo and handle is not None:
        log.info(
            "%d runs to do (%d already done) on %s", len(todo), result.skipped, handle.describe
        )
        bar = Progress(len(todo), enabled=progress, desc=exp.name)
        try:
            _drive(handle, todo, run_fn, store, status, result, bar, save)
        except BaseException as err:
            bar.close()
            handle.shutdown(wait=False)
            if isinstance(err, KeyboardInterrupt):
                log.warning(
                    "%d runs finished in this call are saved in %s; re-run the same command "
                    "to resume",
                    result.ok + result.failed,
                    store.root,
                )
            save("interrupted")
            raise
        bar.close()
        handle.shutdown(wait=True)
    save(
        "complete"
        if all(status.get(r.id, {}).get("status") == "ok" for r in runs)
        else "incomplete"
    )
    if finalize:
        log.info("writing the runs and weekly tables")
        result.files = store.write_tables(runs, [f.key for f in exp.factors])
        result.sensitivity = analyze_folder(store.root, exp)
        result.files += result.sensitivity.files


def _drive(
    handle: ExecutorHandle,
    todo: list[RunSpec],
    run_fn: RunFn,
    store: ResultStore,
    status: dict[str, dict[str, Any]],
    result: SweepResult,
    bar: Progress,
    save_manifest: Callable[[str], None],
) -> None:
    """Submit ``todo`` in a bounded window and record each run as it finishes."""
    queue = list(reversed(todo))  # pop() from the end keeps plan order
    inflight: dict[cf.Future, RunSpec] = {}
    deaths: dict[str, int] = {}
    window = max(2 * handle.slots, 2)
    last_manifest = time.monotonic()
    while queue or inflight:
        while queue and len(inflight) < window:
            spec = queue.pop()
            try:
                fut = handle.executor.submit(execute, spec.id, spec.scenario, run_fn)
            except cf.BrokenExecutor:
                # The pool broke since the last wait (a worker died): this run goes back in
                # the queue. Runs in flight report the death below, which re-makes the pool;
                # with none in flight, re-make it here.
                queue.append(spec)
                if inflight:
                    break
                if handle.remake is None:
                    raise
                handle.executor.shutdown(wait=True, cancel_futures=True)
                handle.executor = handle.remake()
                continue
            inflight[fut] = spec
        done, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
        broken = False
        for fut in done:
            spec = inflight.pop(fut)
            try:
                outcome = fut.result()
            except cf.BrokenExecutor as err:
                # A worker process died (killed, out of memory, segfault): every run in flight
                # is lost. Retry them on a fresh pool; a run that keeps killing workers fails.
                deaths[spec.id] = deaths.get(spec.id, 0) + 1
                if handle.remake is not None and deaths[spec.id] < MAX_WORKER_DEATHS:
                    queue.append(spec)
                    broken = True
                    continue
                outcome = {
                    "id": spec.id,
                    "status": "failed",
                    "seconds": 0.0,
                    "error": f"worker died ({type(err).__name__})",
                }
            except cf.CancelledError:
                queue.append(spec)
                continue
            except Exception as err:  # noqa: BLE001 - e.g. a Dask KilledWorker
                outcome = {
                    "id": spec.id,
                    "status": "failed",
                    "seconds": 0.0,
                    "error": f"{type(err).__name__}: {err}"[:500],
                }
            store.write_record(spec, outcome)
            status[spec.id] = {
                "status": outcome["status"],
                "seconds": outcome["seconds"],
                "error": outcome.get("error"),
            }
            if outcome["status"] == "ok":
                result.ok += 1
                result.cpu_seconds += outcome.get("cpu_seconds", 0.0)
            else:
                result.failed += 1
            bar.update(failed=outcome["status"] != "ok")
        if broken:
            # Runs still marked in flight died with the pool too: queue them again.
            queue.extend(inflight.values())
            inflight.clear()
            handle.executor.shutdown(wait=True, cancel_futures=True)
            handle.executor = handle.remake()  # type: ignore[misc]
        if time.monotonic() - last_manifest > 5.0:
            save_manifest("running")
            last_manifest = time.monotonic()
