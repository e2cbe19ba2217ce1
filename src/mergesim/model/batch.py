"""Mesa-native studies: the run seed of a ``MergerModel`` and the window reporters.

``mesa.batch_run(MergerModel, parameters=..., rng=[...])`` runs one model per parameter
combination and seed, and returns the DataCollector's rows. Two things make its rows a study:

**Seeds.** A replicate's seed is the run's root seed (behaviour: needs, filing, communication);
the county and plan stay the scenario's, so replicates are paired on one map (set
``county.seed`` among the parameters to vary the map too). Give the seeds as

* ``batch_run(..., rng=[1, 2, 3])`` — Mesa's own way; or
* ``parameters={"seed": [1, 2, 3], ...}`` — a factor like any other (``seed`` and ``rng`` are
  the same run seed; giving both is refused).

``batch_run`` passes ``rng=None`` to every run when it is given no ``rng`` (also with the
deprecated ``iterations=N``), and it *overwrites* an ``"rng"`` entry of ``parameters`` with that
``None``. Plain Mesa models then draw fresh entropy; a ``MergerModel`` would repeat the
scenario's seed, so every replicate would be identical. :func:`run_seed` therefore refuses
``rng=None`` with a message saying how to give seeds (leave ``rng`` out for the scenario's own
seed).

**Window reporters.** Besides one reporter per weekly metric (``travel_min_mean``, ...), the
DataCollector has one per window and metric, named like the run summary's flattened keys:
``pre.travel_min_mean``, ``transition.…``, ``post.…`` and ``change.…`` (post − pre). They are
``None`` until the run's last week has been recorded, then the window summaries of
``summary.json`` (:meth:`mergesim.metrics.Tracker.summary`). So
``batch_run(..., data_collection_period=-1)`` gives one row per run with every window summary,
and ``max_steps`` below the horizon leaves them ``None`` (the windows are not complete).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.mechanisms.timeline import WINDOWS
from mergesim.metrics import METRICS

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

#: Summary windows with a reporter each: the three windows and their change (post − pre).
REPORTED_WINDOWS = (*WINDOWS, "change")


class _Unset:
    """The default of ``MergerModel(rng=...)``: no seed given (the scenario's seed)."""

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Any = _Unset()

NONE_REFUSED = (
    "MergerModel got rng=None, which is what mesa.batch_run passes when it is given no rng "
    "(with iterations=N too; it also overwrites an 'rng' entry of parameters): every replicate "
    "would repeat the scenario's seed. Give the replicates' seeds as "
    "batch_run(..., rng=[1, 2, 3]) or parameters={'seed': [1, 2, 3], ...}; leave rng out "
    "for the scenario's own seed."
)


def seed_of(rng: Any) -> int | np.random.SeedSequence:
    """A root seed from an int, a ``SeedSequence`` or a ``Generator`` (one draw from it).

    Raises:
        TypeError: Anything else (a bool included).
    """
    if isinstance(rng, bool):
        raise TypeError("rng must be an int seed, a SeedSequence or a Generator")
    if isinstance(rng, int | np.integer):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise TypeError("rng must be an int seed, a SeedSequence or a Generator")


def run_seed(rng: Any, seed: Any) -> int | np.random.SeedSequence | None:
    """The run seed from ``MergerModel``'s ``rng`` and a ``seed`` keyword; None: the scenario's.

    Args:
        rng: The ``rng`` argument (:data:`UNSET` when not given).
        seed: A ``seed`` keyword (None when not given), e.g. from ``batch_run`` parameters.

    Raises:
        ValueError: ``rng=None`` without a seed (see the module docstring), or both ``rng``
            and ``seed`` given.
        TypeError: A seed of the wrong type.
    """
    if seed is not None:
        if rng is not UNSET and rng is not None:
            raise ValueError(
                f"MergerModel got both rng={rng!r} and seed={seed!r}; give the run's seed once"
            )
        return seed_of(seed)
    if rng is None:
        raise ValueError(NONE_REFUSED)
    return None if rng is UNSET else seed_of(rng)


def window_values(model: MergerModel) -> dict[str, dict[str, float | None]] | None:
    """The window summaries once the run's last week is recorded (cached), else None."""
    if model.week < model.timeline.n_weeks - 1:
        return None
    cached = model._window_cache
    if cached is None or cached[0] != model.week:
        cached = (model.week, model.tracker.summary())
        model._window_cache = cached
    return cached[1]


def _window_reporter(window: str, key: str, model: MergerModel) -> float | None:
    values = window_values(model)
    return None if values is None else values[window][key]


def window_reporters() -> dict[str, Any]:
    """DataCollector model reporters ``"<window>.<metric>"`` (see the module docstring)."""
    return {
        f"{w}.{key}": partial(_window_reporter, w, key) for w in REPORTED_WINDOWS for key in METRICS
    }
