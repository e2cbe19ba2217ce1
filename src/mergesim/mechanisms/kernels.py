"""Which path the compiled stretches of a week take: NumPy (the reference) or Numba.

Two mechanisms have villager- or need-length stretches with a compiled twin: the grievance week
(:mod:`~mergesim.mechanisms.grievance.kernel`) and the services' choice of a point
(:mod:`~mergesim.mechanisms.services.kernel`). Each twin repeats the NumPy path's operations
in its precision and order and gives its numbers bit for bit (each has a test), so the choice is
one of how to compute, not of what: it is read from the environment variable
``MERGESIM_KERNEL`` (``numpy`` or ``numba``; default ``numba`` when Numba, the ``fast``
extra, is installed) when a model is set up, and is not a scenario key.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

from mergesim.errors import UserError

#: Environment variable that chooses the path.
ENV = "MERGESIM_KERNEL"
KERNELS = ("numpy", "numba")


def numba_installed() -> bool:
    """Numba can be imported (found without importing it: the import costs ~0.5 s and ~50 MB,
    paid only by runs on the compiled path)."""
    return importlib.util.find_spec("numba") is not None


def kernel_name() -> str:
    """The path ``MERGESIM_KERNEL`` asks for (default: ``numba`` if importable, else ``numpy``).

    Raises:
        UserError: An unknown name, or ``numba`` asked for without Numba installed (one line,
            as the CLI prints it).
    """
    asked = os.environ.get(ENV, "").strip().lower()
    if not asked:
        return "numba" if numba_installed() else "numpy"
    if asked not in KERNELS:
        msg = f"{asked!r} is not a kernel; allowed values: {', '.join(KERNELS)}"
        raise UserError(msg, source="environment", key=ENV)
    if asked == "numba" and not numba_installed():
        msg = "numba is not installed (pip install 'mergesim[fast]'), or use numpy"
        raise UserError(msg, source="environment", key=ENV)
    return asked


def compiled_module(name: str) -> ModuleType:
    """The compiled module ``name`` (``mergesim.mechanisms.…compiled``), imported on first use
    because it imports Numba.

    Raises:
        ImportError: Numba is found but cannot be imported: the loops never run as Python.
    """
    module = importlib.import_module(name)
    if not importlib.import_module("mergesim.mechanisms.jit").AVAILABLE:
        raise ImportError("numba is installed but cannot be imported")
    return module
