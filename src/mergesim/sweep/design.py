"""Designs, the seed tree and run identity: an experiment → the exact list of runs.

* **Points.** A design turns the factors into points (factor key → value): the full factorial
  of the listed levels, a Latin hypercube (``scipy.stats.qmc``), a Sobol/Saltelli sample or
  Morris trajectories (SALib, the optional extra ``mergesim[sensitivity]``). Samplers work in
  the unit cube; :func:`unit_to_value` maps a coordinate to a level (categorical: equal-width
  bins; numeric: linear or log; integer keys rounded). The design is drawn from the stream
  ``(root seed, DESIGN)`` so it never depends on run order.
* **Seeds.** Replicate ``k`` of *every* scenario and point runs with the seed
  :func:`run_seed` ``(root, k)`` — common random numbers, so scenario differences can be shown
  as paired differences, and a seed depends on nothing but the root seed and ``k`` (not run
  order, not worker count).
* **Identity.** :func:`run_identity` hashes the resolved scenario (every parameter, the run
  seed included), the point, the replicate and the code version; a finished run with the same
  identity is never run again (``--resume``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import math
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from mergesim import __version__
from mergesim.config import apply_overrides, load_scenario, scenario_to_dict
from mergesim.errors import UserError
from mergesim.sweep.schema import Experiment, Factor

#: First element of a seed-tree spawn key: runs and designs draw from separate branches.
_RUNS, _DESIGN = 0, 1


class MissingDependencyError(UserError):
    """An optional package a command needs is not installed."""


#: The smallest base sample (Sobol N) or number of trajectories (Morris r) whose indices are
#: trusted (sources: :mod:`mergesim.sweep.sensitivity`).
MIN_SAMPLES = {"sobol": 512, "morris": 10}


def sample_warning(exp: Experiment) -> str | None:
    """One line when a Sobol or Morris design's sample is below :data:`MIN_SAMPLES`."""
    method = exp.params.design.method
    if method not in MIN_SAMPLES or exp.params.design.n >= MIN_SAMPLES[method]:
        return None
    what = "base sample N" if method == "sobol" else "trajectories r"
    return (
        f"the {method} {what} = {exp.params.design.n} is below the documented minimum of "
        f"{MIN_SAMPLES[method]} (docs/experiments.md); its indices are marked unreliable"
    )


@dataclass(frozen=True)
class Point:
    """One point of a design.

    Attributes:
        index: Position in the design (0-based; SALib analysis needs this order).
        values: Factor key → value (Python scalars, as the scenario takes them).
        unit: Sampler coordinates in [0, 1] per factor (what SALib analyses).
    """

    index: int
    values: dict[str, Any]
    unit: tuple[float, ...] = ()


@dataclass
class RunSpec:
    """One run of a sweep: everything a worker needs, and its identity.

    Attributes:
        id: Run identity (hex digest; also the run's folder name).
        label: Scenario label.
        point: Point index in the design.
        values: Factor values of the point.
        replicate: Replicate number (0-based).
        seed: The run's root seed (also ``scenario.seed``).
        scenario: The validated scenario to run (a :class:`mergesim.config.Scenario`).
    """

    id: str
    label: str
    point: int
    values: dict[str, Any]
    replicate: int
    seed: int
    scenario: Any = field(repr=False)


def run_seed(root: int, replicate: int) -> int:
    """The seed of replicate ``replicate`` under root seed ``root`` (a 63-bit integer).

    Derived with ``SeedSequence(root, spawn_key=(0, replicate))``: independent streams for
    different replicates, identical for every scenario and point (paired replicates).
    """
    ss = np.random.SeedSequence(int(root), spawn_key=(_RUNS, int(replicate)))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def design_rng_seed(root: int) -> int:
    """Integer seed for the design's sampler (its own branch of the seed tree)."""
    ss = np.random.SeedSequence(int(root), spawn_key=(_DESIGN,))
    return int(ss.generate_state(1, np.uint32)[0])


@cache
def code_version() -> str:
    """mergesim's version, plus the git commit of its source tree when it is a checkout.

    Part of every run's identity: after a new commit, ``--resume`` runs everything again
    rather than mix results of two code versions. (Uncommitted edits are not seen.)
    """
    commit = git_commit()
    return f"{__version__}+{commit[:12]}" if commit else __version__


@cache
def git_commit() -> str | None:
    """The commit of the git checkout mergesim runs from, or None."""
    here = Path(__file__).resolve().parent
    if "site-packages" in here.parts:  # an installed copy: any enclosing repo is not ours
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def canonical_json(obj: Any) -> str:
    """Key-sorted compact JSON; floats by ``repr`` (exact round trip)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=_plain)


def _plain(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not hashable as JSON: {type(o).__name__}")


def run_identity(
    scenario: dict[str, Any], point: dict[str, Any], replicate: int, version: str
) -> str:
    """The identity of a run: SHA-256 (first 20 hex digits) of its defining inputs.

    Args:
        scenario: The resolved scenario as a dict (every parameter, run seed included).
        point: Factor key → value.
        replicate: Replicate number.
        version: Code version (:func:`code_version`).
    """
    text = canonical_json(
        {"scenario": scenario, "point": point, "replicate": int(replicate), "version": version}
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


# ---------------------------------------------------------------------------------------------
# Designs
# ---------------------------------------------------------------------------------------------


def unit_to_value(f: Factor, u: float) -> Any:
    """Map a sampler coordinate ``u`` in [0, 1] to a level of factor ``f``."""
    u = min(max(float(u), 0.0), 1.0)
    if f.values:
        k = len(f.values)
        return _py(f.values[min(int(math.floor(u * k)), k - 1)])
    lo, hi = f.range  # type: ignore[misc]
    x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if f.log else lo + u * (hi - lo)
    return _as_type(f, x)


def _as_type(f: Factor, x: float) -> Any:
    if f.type is int:
        return int(round(x))
    return float(x)


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def factor_levels(f: Factor) -> list[Any]:
    """The factorial levels of ``f``: its values, or ``steps`` evenly spaced over its range."""
    if f.values:
        return [_py(v) for v in f.values]
    lo, hi = f.range  # type: ignore[misc]
    xs = np.geomspace(lo, hi, f.steps) if f.log else np.linspace(lo, hi, f.steps)
    levels = [_as_type(f, float(x)) for x in xs]
    return list(dict.fromkeys(levels))  # integer rounding may merge levels


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """The SALib problem: one variable per factor, in the unit interval."""
    return {
        "num_vars": len(factors),
        "names": [f.key for f in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }


def _salib(module: str):
    # SALib is the optional sensitivity extra: imported by name only when a design needs it.
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            "this design needs SALib, which is not installed; install it with "
            "pip install 'mergesim[sensitivity]'",
            source="design",
        ) from None


def unit_sample(exp: Experiment) -> np.ndarray:
    """The design's points in the unit cube, shape (points, factors); factorial excluded."""
    d, factors = exp.params.design, exp.factors
    seed = design_rng_seed(exp.params.seed)
    if d.method == "lhs":
        # scipy.stats takes about a second to import: only LHS designs pay for it, not
        # `mergesim list` or `validate`.
        from scipy.stats import qmc

        sampler = qmc.LatinHypercube(
            len(factors), scramble=d.scramble, rng=np.random.default_rng(seed)
        )
        return sampler.random(d.n)
    if d.method == "sobol":
        if d.n & (d.n - 1):
            raise UserError(
                f"value {d.n} must be a power of 2 for a Sobol design (e.g. "
                f"{1 << max(d.n.bit_length() - 1, 0)} or {1 << d.n.bit_length()})",
                source=str(exp.path),
                key="design.n",
            )
        sobol = _salib("SALib.sample.sobol")
        return sobol.sample(
            salib_problem(factors),
            d.n,
            calc_second_order=d.second_order,
            scramble=d.scramble,
            seed=seed,
        )
    if d.method == "morris":
        morris = _salib("SALib.sample.morris")
        return morris.sample(salib_problem(factors), d.n, num_levels=d.levels, seed=seed)
    raise ValueError(f"no unit sample for design {d.method!r}")


def design_points(exp: Experiment) -> list[Point]:
    """Every point of the experiment's design (one empty point when there are no factors).

    In smoke mode with ``smoke.points`` set, factorial and LHS designs keep that many points,
    evenly spaced over the design (Sobol and Morris stay complete: their analysis needs it).
    """
    method, factors = exp.params.design.method, exp.factors
    if not factors:
        return [Point(0, {})]
    if method == "factorial":
        grids = [factor_levels(f) for f in factors]
        idx = np.indices([len(g) for g in grids]).reshape(len(grids), -1).T
        pts = [
            Point(
                i,
                {f.key: g[j] for f, g, j in zip(factors, grids, row, strict=True)},
                tuple(float(j) / max(len(g) - 1, 1) for g, j in zip(grids, row, strict=True)),
            )
            for i, row in enumerate(idx)
        ]
    else:
        x = unit_sample(exp)
        pts = [
            Point(
                i,
                {f.key: unit_to_value(f, u) for f, u in zip(factors, row, strict=True)},
                tuple(float(u) for u in row),
            )
            for i, row in enumerate(x)
        ]
    keep = exp.params.smoke.points if exp.smoke else 0
    if keep and method in ("factorial", "lhs") and keep < len(pts):
        sel = np.unique(np.linspace(0, len(pts) - 1, keep).round().astype(int))
        pts = [pts[i] for i in sel]
    return pts


def expected_points(exp: Experiment) -> int:
    """How many points the design has (before smoke thinning), without sampling."""
    d, k = exp.params.design, len(exp.factors)
    if k == 0:
        return 1
    if d.method == "factorial":
        return int(np.prod([len(factor_levels(f)) for f in exp.factors]))
    if d.method == "lhs":
        return d.n
    if d.method == "sobol":
        return d.n * (2 * k + 2 if d.second_order else k + 2)
    return d.n * (k + 1)


# ---------------------------------------------------------------------------------------------
# The run plan
# ---------------------------------------------------------------------------------------------


def plan_runs(exp: Experiment, cli_overrides: dict[str, Any] | None = None) -> list[RunSpec]:
    """Every run of the experiment, ordered by scenario, point and replicate.

    Precedence of settings: base scenario file < experiment ``overrides`` < the scenario
    entry's ``set`` < ``cli_overrides`` (``--set``) < factor values < the run seed.

    Raises:
        ScenarioError: A point's combination of values is invalid (one line naming it).
    """
    cli_overrides = dict(cli_overrides or {})
    clash = sorted(set(cli_overrides) & {k for f in exp.factors for k in (f.key, *f.also)})
    if clash:
        raise UserError(
            f"{clash} are factors of this experiment; --set cannot fix them", source="--set"
        )
    version = code_version()
    points = design_points(exp)
    seeds = [run_seed(exp.params.seed, k) for k in range(exp.params.replications)]
    runs: list[RunSpec] = []
    for ref in exp.scenarios:
        base = load_scenario(ref.path)
        base = apply_overrides(
            base,
            {**exp.overrides, **ref.overrides},
            source=f"{exp.path}: overrides for '{ref.label}'",
            more=[(cli_overrides, "--set")],
        )
        if base.county.seed is None:
            # Replicates vary behaviour, not geography: every run of this scenario gets the
            # county (and plan ensemble) of its own seed, whatever the run seed.
            base = apply_overrides(base, {"county.seed": base.seed})
        for p in points:
            sets = expand(exp, p.values)
            scen = (
                apply_overrides(
                    base, sets, source=f"{exp.path}: point {p.index} ({_describe(p.values)})"
                )
                if sets
                else base
            )
            data = scenario_to_dict(scen)
            for k, s in enumerate(seeds):
                # replace() keeps the validated sections; only the root seed differs.
                run_scen = dataclasses.replace(scen, seed=s)
                data["seed"] = s
                rid = run_identity(data, p.values, k, version)
                runs.append(RunSpec(rid, ref.label, p.index, dict(p.values), k, s, run_scen))
    return runs


def expand(exp: Experiment, values: dict[str, Any]) -> dict[str, Any]:
    """A point's scenario settings: each factor's key and its ``also`` keys, one value."""
    out = dict(values)
    for f in exp.factors:
        if f.key in values:
            out.update({k: values[f.key] for k in f.also})
    return out


def _describe(values: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in values.items())
    return text if len(text) < 120 else text[:117] + "..."
