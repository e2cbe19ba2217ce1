"""One BLAS/OpenMP thread per process: the command line and every sweep worker.

An idle OpenBLAS thread busy-waits: a small ``np.dot`` above OpenBLAS's threading threshold
wakes a second thread that spins between calls, doubling the CPU time of a run for no gain,
and in a sweep the workers already use every core. :func:`one_blas_thread` sets the
environment variables that BLAS and OpenMP libraries read when they load (so libraries loaded
later, and child processes, start with one thread) and limits the libraries already loaded via
threadpoolctl. It is idempotent and cheap after the first call in a process.
"""

from __future__ import annotations

import os

from threadpoolctl import threadpool_limits

__all__ = ["THREAD_VARIABLES", "one_blas_thread"]

#: Environment variables read by OpenBLAS, OpenMP, MKL, BLIS and Apple Accelerate at load time.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)

_done = False


def one_blas_thread() -> None:
    """Limit this process (and the processes it starts) to one BLAS/OpenMP thread."""
    global _done  # one call per process does the work; later calls return at once
    if _done:
        return
    for var in THREAD_VARIABLES:
        os.environ[var] = "1"
    # NumPy's and SciPy's OpenBLAS are loaded by now in a worker (the run imports them); a
    # library loaded after this call reads the variables above instead.
    threadpool_limits(limits=1)
    _done = True
