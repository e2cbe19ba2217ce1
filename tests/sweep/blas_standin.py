"""A run function that reports the BLAS thread limits of the process it runs in (module-level,
so pool workers can import it by name)."""

from __future__ import annotations

import numpy as np
import scipy.linalg  # noqa: F401 - loads SciPy's own OpenBLAS, so both libraries are reported
from threadpoolctl import threadpool_info


def blas_threads_run(scenario) -> dict:
    """Summary: the largest thread count of any BLAS/OpenMP library loaded in this process."""
    np.dot(np.ones((64, 64)), np.ones((64, 64)))  # a BLAS call, as a run makes
    info = threadpool_info()
    return {
        "seed": scenario.seed,
        "post": {"travel_min_mean": 0.0},
        "blas_threads": max(i["num_threads"] for i in info),
        "libraries": len(info),
    }
