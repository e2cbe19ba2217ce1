"""Memory a run or a sweep needs, estimated before anything is allocated.

A run holds its villagers in NumPy arrays (about 45 bytes each: :class:`Villagers`) plus the
vectorised steps' temporaries and the affair records of the summary windows. Measured on the
seed county (peak RSS, ``ru_maxrss``, above that of an 80-villager model): 128 B per
villager at 800,000 villagers over 24 weeks, 141 B over 204 weeks, so about 0.07 B per
villager-week; the constants below round these up. A sweep holds its planned runs (0.8 kB each
measured by ``tracemalloc`` for the shipped target-factor experiment) and, at the end, its
runs table (one row of about 520 numbers per run), and runs ``workers`` models at once.

The limit is :data:`MEMORY_FRACTION` of the machine's physical memory (``psutil`` when
installed, else ``os.sysconf``); beyond it a command refuses in one line with the estimate and
how to go on (``--force``, a smaller ``--scale``, fewer replications or points).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from mergesim.errors import UserError

__all__ = [
    "BYTES_PER_PLANNED_RUN",
    "BYTES_PER_VILLAGER",
    "BYTES_PER_VILLAGER_WEEK",
    "MEMORY_FRACTION",
    "check_memory",
    "machine_memory",
    "run_bytes",
    "scenario_run_bytes",
]

#: Bytes per simulated villager (measured 128–141 B at 800,000 villagers; rounded up).
BYTES_PER_VILLAGER = 160
#: Bytes per villager and simulated week (affair records; measured 0.07 B; rounded up).
BYTES_PER_VILLAGER_WEEK = 0.1
#: Bytes per planned run of a sweep: its plan entry (0.8 kB measured) and its runs-table row
#: (about 520 numbers of 8 B), rounded up.
BYTES_PER_PLANNED_RUN = 6_000
#: Share of the machine's physical memory a command may plan to use (the rest is for the
#: system, other programs and the estimate's error).
MEMORY_FRACTION = 0.5


def machine_memory() -> int | None:
    """Physical memory of this machine in bytes, or None when it cannot be read."""
    try:
        import psutil  # optional: a more portable reading than sysconf where installed

        return int(psutil.virtual_memory().total)
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not on this platform
        return None


def run_bytes(villagers: float, weeks: int) -> float:
    """Estimated peak memory of one run (bytes) of ``villagers`` over ``weeks``."""
    return villagers * (BYTES_PER_VILLAGER + BYTES_PER_VILLAGER_WEEK * weeks)


def scenario_run_bytes(scenario: Any, county: Any = None) -> tuple[float, str]:
    """Estimated peak memory of one run of ``scenario`` (bytes) and what it counts.

    Args:
        scenario: A validated scenario.
        county: Its loaded county (a data file's population is known only once loaded); for a
            synthetic county the scenario's ``county.population`` is used.
    """
    pop = float(np.sum(county.population)) if county is not None else scenario.county.population
    villagers = pop * scenario.villagers.scale
    weeks = int(scenario.timeline.warmup_weeks + scenario.timeline.horizon_weeks)
    return run_bytes(villagers, weeks), f"{villagers:,.0f} villagers × {weeks} weeks"


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.0f} MiB"


def check_memory(need: float, what: str, how: str, *, force: bool, source: str) -> None:
    """Refuse a command whose estimated memory exceeds the limit.

    Args:
        need: Estimated bytes.
        what: What the estimate counts, e.g. ``"800,000 villagers × 204 weeks"``.
        how: How to make it smaller, e.g. ``"a smaller --scale"``.
        force: Go on anyway (``--force``).
        source: Where the size comes from (the scenario or experiment file).

    Raises:
        UserError: ``need`` above :data:`MEMORY_FRACTION` of the machine's memory (one line).
    """
    total = machine_memory()
    if force or total is None:
        return
    limit = MEMORY_FRACTION * total
    if need > limit:
        raise UserError(
            f"needs about {_gib(need)} of memory ({what}); allowed: at most {_gib(limit)} "
            f"({MEMORY_FRACTION:.0%} of this machine's {_gib(total)}); use {how}, or pass "
            "--force to try anyway",
            source=source,
        )
