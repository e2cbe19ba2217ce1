"""Global sensitivity analysis of a sweep's runs table (Sobol and Morris via SALib), with the
reliability of every index.

The design is regenerated from the stored experiment (it is a pure function of the root seed
and the design settings) and checked against the factor values in the runs table, so the
indices are computed on exactly the points that ran. Replicates of a point are averaged (they
share seeds across points: common random numbers reduce the noise in the indices).

An analysis needs the **complete** design: Saltelli's estimators use every block of
``N·(D+2)`` rows. A point without a finished run raises :class:`IncompleteDesignError` naming
how many are missing, instead of silently analysing a broken sample.

Morris indices are for factors scaled to [0, 1] (elementary effects per full range), so μ* of
different factors are comparable whatever their units.

**Reliability.** Every index carries SALib's 95 % bootstrap interval (``*_conf``: its
half-width) and a verdict (``*_unreliable``: the reasons, empty when none):

* the sample is below :data:`~mergesim.sweep.design.MIN_SAMPLES`. There is no hard rule:
  the advice is to check convergence (Saltelli et al. 2008, *Global Sensitivity Analysis: The
  Primer*, Wiley; Sarrazin, Pianosi & Wagener 2016, *Environ. Model. Softw.* 79:135–152),
  and base samples in the hundreds to thousands are usual. Sobol: N < 512 (SALib wants N a
  power of 2; 512 is the first above the lower end of that range). Morris: r < 10
  trajectories (10 to 20 are usual: Campolongo, Cariboni & Saltelli 2007, *Environ. Model.
  Softw.* 22:1509–1518; Saltelli et al. 2008, ch. 3);
* the interval is wider than the index (``2 × conf > |index|``): the index is not told apart
  from zero, or from twice itself;
* a Sobol index lies outside [0, 1] by more than its interval (a share of variance cannot:
  the estimator has not converged);
* no finite interval (SALib's bootstrap failed, e.g. too few rows).

**Convergence** (:func:`convergence`): the indices recomputed on the first ``N/2, N/4, …``
base samples (Sobol) or trajectories (Morris) — each a valid design on its own, because
SALib writes the Saltelli blocks and the Morris trajectories one after the other — so a
figure shows whether they have settled.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mergesim.errors import UserError
from mergesim.io import atomic_path, finite_cells
from mergesim.results import read_runs
from mergesim.sweep.design import (
    MIN_SAMPLES,
    _salib,
    design_points,
    salib_problem,
    sample_warning,
)
from mergesim.sweep.schema import Experiment

#: Index columns and their bootstrap half-widths, per method.
INDEX_COLUMNS = {
    "sobol": (("S1", "S1_conf"), ("ST", "ST_conf")),
    "morris": (("mu_star", "mu_star_conf"),),
}


class IncompleteDesignError(UserError):
    """Some points of a Sobol/Morris design have no finished run."""


def point_means(exp: Experiment, runs, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """The design's unit coordinates X and the mean of ``metric`` over ok replicates per point.

    Args:
        exp: The experiment (as stored with the results).
        runs: The runs table (pandas DataFrame).
        metric: A metric column, e.g. ``"post.travel_min_mean"``.

    Returns:
        ``(X, Y)`` with X of shape (points, factors) and Y of shape (points,).

    Raises:
        IncompleteDesignError: A point has no ok run with a finite value of ``metric``.
        UserError: ``metric`` is not a column, or the design no longer matches the runs.
    """
    pts = design_points(exp)
    if metric not in runs.columns:
        raise UserError(f"metric '{metric}' is not in the runs table", source="sensitivity")
    ok = runs[runs["status"] == "ok"]
    vals = ok.groupby("point")[metric].mean()
    y = np.array([vals.get(p.index, math.nan) for p in pts], dtype=float)
    missing = int(np.sum(~np.isfinite(y)))
    if missing:
        n_ok = len(ok)
        raise IncompleteDesignError(
            f"the {exp.params.design.method} design is incomplete: {missing} of {len(pts)} "
            f"points have no finished run with a value of '{metric}' ({n_ok} runs ok); "
            "re-run the sweep to retry failed runs before analysing",
            source="sensitivity",
        )
    _check_points(exp, runs, pts)
    x = np.array([p.unit for p in pts], dtype=float)
    return x, y


def _check_points(exp: Experiment, runs, pts) -> None:
    first = runs.drop_duplicates("point").set_index("point")
    for f in exp.factors:
        if f.key not in first.columns:
            raise UserError(f"factor '{f.key}' is not in the runs table", source="sensitivity")
        for p in pts[:: max(len(pts) // 50, 1)]:  # a sample suffices to catch a changed design
            got = first.at[p.index, f.key]
            want = p.values[f.key]
            same = (
                math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)
                if isinstance(want, int | float) and not isinstance(want, bool)
                else str(got) == str(want)
            )
            if not same:
                raise UserError(
                    f"the runs do not match the design (point {p.index}, {f.key}: "
                    f"{got!r} ran, {want!r} designed); the experiment changed",
                    source="sensitivity",
                )


def analyze(exp: Experiment, runs, metric: str, *, seed: int = 0, rows: int | None = None) -> Any:
    """Sensitivity indices of ``metric`` as a DataFrame, one row per factor.

    Sobol columns: ``S1, S1_conf, ST, ST_conf`` (95 % bootstrap half-widths). Morris columns:
    ``mu, mu_star, mu_star_conf, sigma`` (per unit range of each factor). Both carry
    ``factor`` (the key), ``label``, ``metric``, ``samples`` (the base sample N or the
    trajectories r analysed) and the verdicts ``<index>_unreliable`` (:func:`verdicts`).

    Args:
        exp, runs, metric: The experiment, its runs table and the metric column.
        seed: Seed of SALib's bootstrap.
        rows: Analyse only the first ``rows`` design points (a whole number of Saltelli
            blocks or Morris trajectories: :func:`convergence`).

    Raises:
        IncompleteDesignError: Missing points (see :func:`point_means`).
        MissingDependencyError: SALib is not installed.
    """
    method = exp.params.design.method
    if method not in ("sobol", "morris"):
        raise UserError(
            f"design '{method}' has no sensitivity analysis (use sobol or morris)",
            source="sensitivity",
        )
    x, y = point_means(exp, runs, metric)
    if rows is not None:
        x, y = x[:rows], y[:rows]
    problem = salib_problem(exp.factors)
    samples = len(y) // block_size(exp)
    if method == "sobol" and np.ptp(y) == 0:
        # Sobol indices are shares of the output variance: undefined for a constant output
        # (SALib would divide by a zero standard deviation and warn).
        nan = np.full(len(exp.factors), np.nan)
        cols = {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
    elif method == "sobol":
        sa = _salib("SALib.analyze.sobol")
        with warnings.catch_warnings():
            # Tiny samples make SALib's bootstrap divide by zero; the verdicts say so instead.
            warnings.simplefilter("ignore", RuntimeWarning)
            res = sa.analyze(
                problem,
                y,
                calc_second_order=exp.params.design.second_order,
                conf_level=0.95,
                seed=seed,
            )
        cols = {
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    else:
        ma = _salib("SALib.analyze.morris")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = ma.analyze(
                problem, x, y, conf_level=0.95, num_levels=exp.params.design.levels, seed=seed
            )
        cols = {
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    df = pd.DataFrame(
        {
            "metric": metric,
            "factor": [f.key for f in exp.factors],
            "label": [f.label for f in exp.factors],
            "samples": samples,
            **{k: np.asarray(v, dtype=float) for k, v in cols.items()},
        }
    )
    return verdicts(df, method)


def block_size(exp: Experiment) -> int:
    """Design points per Sobol base sample (D + 2, or 2D + 2 with second order) or per Morris
    trajectory (D + 1)."""
    d = len(exp.factors)
    if exp.params.design.method == "sobol":
        return 2 * d + 2 if exp.params.design.second_order else d + 2
    return d + 1


def verdicts(df: Any, method: str) -> Any:
    """Add ``<index>_unreliable`` columns: the reasons an index is not to be trusted, joined by
    "; " (empty: reliable). See the module docstring for the rules."""
    df = df.copy()
    minimum = MIN_SAMPLES[method]
    for col, conf in INDEX_COLUMNS[method]:
        reasons = []
        for n, v, c in zip(df["samples"], df[col], df[conf], strict=True):
            why = []
            if n < minimum:
                what = "N" if method == "sobol" else "r"
                why.append(f"{what} = {n} < {minimum}")
            if not (math.isfinite(c) and math.isfinite(v)):
                why.append("no finite interval")
            else:
                if 2 * c > abs(v):
                    why.append("interval wider than the index")
                if method == "sobol" and (v < -c or v > 1 + c):
                    why.append("outside [0, 1]")
            reasons.append("; ".join(why))
        df[f"{col}_unreliable"] = reasons
    return df


def convergence(exp: Experiment, runs, metric: str) -> Any:
    """Indices of ``metric`` on nested sub-designs: the first N/2^k base samples (Sobol,
    N/2^k ≥ 4) or the first r/2^k trajectories (Morris, ≥ 2), and the whole design.

    Returns:
        The :func:`analyze` tables stacked (column ``samples`` tells them apart), or None
        when the design is incomplete or too small to split.
    """
    method = exp.params.design.method
    n = exp.params.design.n
    floor = 4 if method == "sobol" else 2
    sizes = sorted({max(n >> k, 1) for k in range(0, 12)} & set(range(floor, n + 1)))
    if len(sizes) < 2:
        return None
    parts = []
    for size in sizes:
        try:
            parts.append(analyze(exp, runs, metric, rows=size * block_size(exp)))
        except IncompleteDesignError:
            return None
    return pd.concat(parts, ignore_index=True)


def analyze_all(
    exp: Experiment, runs, metrics: list[str] | None = None, *, converge: bool = False
) -> tuple[Any, list[str], Any]:
    """Indices for every metric of the experiment; metrics that cannot be analysed are noted.

    Returns:
        ``(table, notes, convergence)``: the concatenated indices (or None), one note per
        metric skipped (incomplete design, constant output) and, with ``converge``, the
        stacked :func:`convergence` tables (or None).
    """
    tables, notes, conv = [], [], []
    method = exp.params.design.method
    for m in metrics or exp.params.metrics:
        try:
            df = analyze(exp, runs, m)
        except IncompleteDesignError as err:
            notes.append(err.message)
            continue
        values = df[[c for pair in INDEX_COLUMNS[method] for c in pair]].to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            notes.append(f"'{m}': indices undefined (the metric does not vary over the design)")
        elif converge:
            c = convergence(exp, runs, m)
            if c is not None:
                conv.append(c)
        tables.append(df)
    table = pd.concat(tables, ignore_index=True) if tables else None
    return table, notes, (pd.concat(conv, ignore_index=True) if conv else None)


@dataclass
class Sensitivity:
    """The sensitivity analysis of a results folder.

    Attributes:
        indices: Indices of every analysable metric with their verdicts (None: not a
            Sobol/Morris design, or no metric could be analysed).
        notes: One line per metric left out, and the sample-size warning, for the report.
        files: The tables written (``sensitivity_<method>.csv`` and its convergence table).
        convergence: Indices on nested sub-designs (:func:`convergence`), or None.
    """

    indices: Any = None
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    convergence: Any = None


def analyze_folder(root: str | Path, exp: Experiment) -> Sensitivity:
    """Analyse a results folder's runs table (Sobol and Morris designs; others: nothing) and
    write ``sensitivity_<method>.csv`` and ``sensitivity_<method>_convergence.csv``."""
    method = exp.params.design.method
    if method not in ("sobol", "morris"):
        return Sensitivity()
    indices, notes, conv = analyze_all(exp, read_runs(root), converge=True)
    warning = sample_warning(exp)  # logged when the sweep starts; the report repeats it
    if warning:
        notes = [warning, *notes]
    out = Sensitivity(indices, notes, convergence=conv)
    for table, name in ((indices, method), (conv, f"{method}_convergence")):
        if table is not None:
            out.files.append(Path(root) / f"sensitivity_{name}.csv")
            with atomic_path(out.files[-1]) as tmp:
                finite_cells(table).to_csv(tmp, index=False)
    return out
