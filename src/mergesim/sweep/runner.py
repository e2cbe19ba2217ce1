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
import multiprocessing as mp
import os
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mergesim.errors import WRITE_ERRNOS, UserError
from mergesim.run import simulate, timeseries_csv, villages_csv
from mergesim.sweep.design import MissingDependencyError, RunSpec, plan_runs
from mergesim.sweep.experiment import Experiment
from mergesim.sweep.sensitivity import Sensitivity, analyze_folder
from mergesim.sweep.store import ResultStore, command_line

RunFn = Callable[[Any], Any]

#: A run whose worker died this many times (BrokenProcessPool) is recorded as failed.
MAX_WORKER_DEATHS = 3
#: Seconds the scheduler probe waits to connect and for the scheduler's handshake.
PROBE_SECONDS = 5.0


def model_run(scenario: Any) -> tuple[dict[str, Any], str, str]:
    """The real run: simulate ``scenario`` (seed included); return its summary, the weekly CSV
    and the per-village CSV (roles, travel burden and access before and after the reform)."""
    model = simulate(scenario, progress=False)
    return model.summary(), timeseries_csv(model), villages_csv(model)


def execute(spec_id: str, scenario: Any, run_fn: RunFn) -> dict[str, Any]:
    """Worker side of one run: call ``run_fn`` and package its outcome (never raises Exception).

    ``run_fn`` returns the summary dict, or ``(summary, weekly_csv)``, or ``(summary,
    weekly_csv, villages_csv)``.

    Returns:
        ``{"id", "status": "ok"|"failed", "seconds", "summary", "timeseries", "villages",
        "error", "traceback", "host"}``.
    """
    t0 = time.perf_counter()
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
        "summary": summary,
        "timeseries": ts,
        "villages": villages,
        "host": host,
    }


# ---------------------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------------------


@dataclass
class ExecutorHandle:
    """An executor, how many runs it can take at once, and how to close what we opened."""

    executor: cf.Executor
    slots: int
    owned: bool
    close: Callable[[], None] = lambda: None
    remake: Callable[[], cf.Executor] | None = None
    describe: str = ""
    closed: bool = False

    def shutdown(self, *, wait: bool) -> None:
        """Release what this handle opened (an executor passed in by the caller is kept).

        Safe to call more than once."""
        if not self.owned or self.closed:
            return
        self.closed = True
        if self.remake is not None:  # our process pool (possibly re-made after a crash)
            self.executor.shutdown(wait=wait, cancel_futures=True)
        self.close()


def local_pool(workers: int | None = None) -> ExecutorHandle:
    """A process pool over ``workers`` cores (default: all), started by forkserver/spawn.

    fork is avoided: forking a driver that holds threads (Dask, BLAS) can deadlock.
    """
    n = workers or os.cpu_count() or 1
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"

    def make() -> cf.Executor:
        return cf.ProcessPoolExecutor(
            max_workers=n,
            mp_context=mp.get_context(method),
            initializer=watch_driver,
            initargs=(os.getpid(),),
        )

    ex = make()
    return ExecutorHandle(ex, n, True, remake=make, describe=f"{n} local processes")


#: Seconds between a pool worker's checks that the driver is still alive.
DRIVER_CHECK_SECONDS = 1.0


def watch_driver(pid: int, interval: float | None = None) -> None:
    """Pool-worker initializer: exit when the driver process ``pid`` is gone.

    A driver killed with SIGKILL cannot shut its pool down, and the workers (children of the
    forkserver, not of the driver) would otherwise wait for work forever, each holding a
    run's memory, while the re-run starts workers of its own.
    """
    wait = DRIVER_CHECK_SECONDS if interval is None else interval

    def loop() -> None:
        while driver_alive(pid):
            time.sleep(wait)
        os._exit(1)

    threading.Thread(target=loop, name="watch-driver", daemon=True).start()


def driver_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (dead, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's: not our driver, but be safe
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc (macOS): os.kill is all we have
        return True
    return state not in ("Z", "X")


def dask_executor(address: str, workers: int | None = None) -> ExecutorHandle:
    """An executor on a Dask cluster at ``address`` (``tcp://host:8786``, or ``local``).

    Raises:
        MissingDependencyError: distributed is not installed.
        UserError: The address is malformed or no scheduler answers there (one line).
    """
    try:
        # Dask is the optional dask extra, and slow to import: loaded only for --scheduler.
        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingDependencyError(
            "--scheduler needs Dask distributed; install it with pip install 'mergesim[dask]'",
            source="--scheduler",
        ) from None
    cluster = None
    if address == "local" or address.startswith("local:"):
        count = address.partition(":")[2]
        if ":" in address and not (count.isdigit() and int(count) >= 1):
            # local:0 would start a cluster without workers and wait for them forever.
            raise UserError(
                f"bad scheduler address {address!r}; expected 'local' or "
                "'local:N' with N >= 1 workers",
                source="--scheduler",
            )
        n = int(count) if count else (workers or os.cpu_count() or 1)
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        )
        address = cluster.scheduler_address
    scheme, sep, rest = address.partition("://")
    if (
        (sep and scheme not in ("tcp", "tls", "ws", "wss", "inproc", "ucx"))
        or not (rest if sep else scheme)
        or ":" not in (rest if sep else scheme)
    ):
        raise UserError(
            f"bad scheduler address {address!r}; expected tcp://host:port (e.g. "
            "tcp://10.0.0.5:8786) or 'local'",
            source="--scheduler",
        )
    if not (rest if sep else scheme).rpartition(":")[2].isdigit():
        raise UserError(
            f"bad scheduler address {address!r}: the port must be a number, e.g. "
            "tcp://10.0.0.5:8786",
            source="--scheduler",
        )
    if scheme in ("tcp", "tls") or not sep:
        # Plain TCP: a Dask scheduler greets first, so silence means something else listens.
        _probe(address, rest if sep else scheme, expect_greeting=scheme != "tls")
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except Exception as err:  # noqa: BLE001 - any failure here is a bad address (one line)
        if cluster is not None:
            cluster.close()
        msg = " ".join(str(err).split()) or type(err).__name__
        raise UserError(
            f"no Dask scheduler answers at {address!r} ({msg[:160]}); start one "
            "with `dask scheduler` or check the address",
            source="--scheduler",
        ) from None
    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())

    def close() -> None:
        client.close()
        if cluster is not None:
            cluster.close()

    return ExecutorHandle(
        client.get_executor(pure=False),
        max(threads, 1),
        True,
        close,
        describe=f"Dask at {address} ({threads} threads)",
    )


def _probe(
    address: str, hostport: str, *, expect_greeting: bool = True, timeout: float | None = None
) -> None:
    """Fail fast with one line when no Dask scheduler listens at ``host:port``.

    Nothing listening: Dask would retry for its whole timeout. Something listening that is not
    a scheduler (a typo'd port of another service): Dask's client would wait for its handshake
    forever. A scheduler writes its handshake as soon as it accepts a connection, so with
    ``expect_greeting`` the probe waits up to ``timeout`` seconds (default
    :data:`PROBE_SECONDS`) for the first bytes and checks they can start a Dask message.
    """
    host, _, port = hostport.rpartition(":")
    timeout = PROBE_SECONDS if timeout is None else timeout

    def fail(msg: str) -> UserError:
        return UserError(
            f"no Dask scheduler answers at {address!r} ({msg[:160]}); start one "
            "with `dask scheduler` or check the address",
            source="--scheduler",
        )

    try:
        conn = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    except TimeoutError:
        raise fail(f"no answer to a connection in {timeout:g} s") from None
    except (OSError, ValueError) as err:
        raise fail(" ".join(str(err).split()) or type(err).__name__) from None
    with conn:
        if not expect_greeting:
            return
        head = b""
        deadline = time.monotonic() + timeout
        try:
            while len(head) < 8:
                conn.settimeout(max(deadline - time.monotonic(), 0.01))
                chunk = conn.recv(8 - len(head))
                if not chunk:
                    raise fail("the server closed the connection: not a Dask scheduler")
                head += chunk
        except TimeoutError:
            raise fail(
                f"something listens there but sent no Dask handshake in {timeout:g} s"
            ) from None
        except OSError as err:
            raise fail(" ".join(str(err).split()) or type(err).__name__) from None
        # Dask's TCP messages start with their byte count (uint64, little-endian); its
        # handshake is a few hundred bytes. A text banner (SSH, SMTP) reads as exabytes, which
        # Dask's client would try to allocate.
        if not 0 < struct.unpack("<Q", head)[0] < 2**26:
            raise fail("the server there speaks another protocol: not a Dask scheduler")


def external(executor: cf.Executor, slots: int | None = None) -> ExecutorHandle:
    """Wrap an executor the caller owns (it is not shut down here)."""
    n = slots or getattr(executor, "_max_workers", None) or os.cpu_count() or 1
    return ExecutorHandle(executor, int(n), False, describe=type(executor).__name__)


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
        cli_overrides: ``--set`` keys applied to every run.
        progress: Show a progress bar on stderr (default: only when stderr is a terminal).
        finalize: Write the runs table, the weekly table and the sensitivity indices at the
            end.
        command: The command line recorded for reproduction (default: ``sys.argv``).
        runs: A precomputed plan (default: :func:`plan_runs`).

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
    result = SweepResult(store.root, len(runs), experiment=exp)
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
                exp, runs, store, handle, run_fn, result, progress, finalize, command, started
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
) -> None:
    """The part of :func:`run_sweep` that runs while holding the folder's lock."""
    store.write_setup(exp)
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
        store.write_manifest(exp, runs, status, command=command, started=started, state=state)

    save("running")
    if todo and handle is not None:
        bar = Progress(len(todo), enabled=sys.stderr.isatty() if progress is None else progress)
        try:
            _drive(handle, todo, run_fn, store, status, result, bar, save)
        except BaseException as err:
            bar.close()
            handle.shutdown(wait=False)
            if isinstance(err, KeyboardInterrupt):
                print(
                    f"{result.ok + result.failed} runs finished in this call are saved in "
                    f"{store.root}; re-run the same command to resume",
                    file=sys.stderr,
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


class Progress:
    """A one-line progress bar with ETA on stderr (silent when disabled).

    Args:
        total: Runs to do.
        enabled: Draw at all (default callers pass "stderr is a terminal").
    """

    def __init__(self, total: int, *, enabled: bool, stream=None):
        self.total, self.enabled = total, enabled and total > 0
        self.stream = stream or sys.stderr
        self.done = self.failed = 0
        self.t0 = time.perf_counter()
        self._last = 0.0
        self._draw(force=True)

    def update(self, *, failed: bool = False) -> None:
        """Count one finished run."""
        self.done += 1
        self.failed += int(failed)
        self._draw(force=self.done == self.total)

    def line(self) -> str:
        """The bar as text, e.g. ``[#####-----] 5/10 runs, 1 failed, ETA 0:12``."""
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(20 * frac) + "-" * (20 - int(20 * frac))
        el = time.perf_counter() - self.t0
        eta = el / self.done * (self.total - self.done) if self.done else float("nan")
        eta_s = "?" if eta != eta else hms(eta)
        fail = f", {self.failed} failed" if self.failed else ""
        return f"[{bar}] {self.done}/{self.total} runs{fail}, {hms(el)} elapsed, ETA {eta_s}"

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if force or now - self._last > 0.2:
            self.stream.write("\r" + self.line())
            self.stream.flush()
            self._last = now

    def close(self) -> None:
        """End the line."""
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()


def hms(seconds: float) -> str:
    """Seconds as ``m:ss`` or ``h:mm:ss``."""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
