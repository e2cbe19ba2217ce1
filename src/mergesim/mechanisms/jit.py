"""Numba's compiler for the compiled twins of the weekly stretches (the optional ``fast`` extra).

Imported only by the compiled modules (``grievance/compiled.py``, ``services/compiled.py``,
``population_compiled.py``), which the model loads on the compiled path only
(:func:`mergesim.mechanisms.kernels.compiled_module`): importing Numba costs ~0.5 s and ~50 MB.
Without Numba :data:`AVAILABLE` is false and :func:`compile_cached` returns the function as it
is (plain, slow Python, never called by the model).
"""

from __future__ import annotations

try:  # the optional ``fast`` extra (pyproject); without it the NumPy paths run
    from numba import njit
except ImportError:  # pragma: no cover - depends on the installation
    njit = None

#: Numba is importable: the compiled paths can run.
AVAILABLE = njit is not None


def compile_cached(fn):
    """``fn`` compiled lazily on first call and cached on disk. No ``fastmath``: it would
    reorder sums, and each compiled twin must give its NumPy path's numbers bit for bit."""
    return njit(cache=True)(fn) if njit is not None else fn
