"""Executors a sweep runs on: a local process pool (forkserver, workers that exit with their
driver), a Dask cluster (probed first, so a wrong address fails in seconds with one line), or
any ``concurrent.futures.Executor`` the caller owns.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from mergesim.errors import UserError
from mergesim.sweep.design import MissingDependencyError
from mergesim.threads import one_blas_thread

#: Seconds the scheduler probe waits to connect and for the scheduler's handshake.
PROBE_SECONDS = 5.0


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
            initializer=init_worker,
            initargs=(os.getpid(),),
        )

    ex = make()
    return ExecutorHandle(ex, n, True, remake=make, describe=f"{n} local processes")


def init_worker(pid: int) -> None:
    """Pool-worker initializer: one BLAS thread (the pool already uses every core) and exit
    when the driver ``pid`` is gone (:func:`watch_driver`)."""
    one_blas_thread()
    watch_driver(pid)


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
