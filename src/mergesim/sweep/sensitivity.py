"""Global sensitivity analysis of a sweep's runs table (Sobol and Morris via SALib).

The design is regenerated from the stored experiment (it is a pure function of the root seed
and the design settings) and checked against the factor values in the runs table, so the
indices are computed on exactly the points that ran. Replicates of a point are averaged (they
share seeds across points: common random numbers reduce the noise in the indices).

An analysis needs the **complete** design: Saltelli's estimators use every block of
``N·(D+2)`` rows. A point without a finished run raises :class:`IncompleteDesignError` naming
how many are missing, instead of silently analysing a broken sample.

Morris indices are for factors scaled to [0, 1] (elementary effects per full range), so μ* of
different factors are comparable whatever their units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mergesim.errors import UserError
from mergesim.io import atomic_path
from mergesim.results import read_runs
from mergesim.sweep.design import _salib, design_points, salib_problem
from mergesim.sweep.experiment import Experiment


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


def analyze(exp: Experiment, runs, metric: str, *, seed: int = 0) -> Any:
    """Sensitivity indices of ``metric`` as a DataFrame, one row per factor.

    Sobol columns: ``S1, S1_conf, ST, ST_conf`` (95 % bootstrap half-widths). Morris columns:
    ``mu, mu_star, mu_star_conf, sigma`` (per unit range of each factor). Both carry
    ``factor`` (the key), ``label`` and ``metric``.

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
    problem = salib_problem(exp.factors)
    if method == "sobol" and np.ptp(y) == 0:
        # Sobol indices are shares of the output variance: undefined for a constant output
        # (SALib would divide by a zero standard deviation and warn).
        nan = np.full(len(exp.factors), np.nan)
        cols = {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}
    elif method == "sobol":
        sa = _salib("SALib.analyze.sobol")
        res = sa.analyze(
            problem, y, calc_second_order=exp.params.design.second_order, conf_level=0.95, seed=seed
        )
        cols = {
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    else:
        ma = _salib("SALib.analyze.morris")
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
            **{k: np.asarray(v, dtype=float) for k, v in cols.items()},
        }
    )
    return df


def analyze_all(exp: Experiment, runs, metrics: list[str] | None = None) -> tuple[Any, list[str]]:
    """Indices for every metric of the experiment; metrics that cannot be analysed are noted.

    Returns:
        ``(table, notes)``: the concatenated indices (or None) and one note per metric skipped
        (incomplete design, constant output).
    """
    tables, notes = [], []
    for m in metrics or exp.params.metrics:
        try:
            df = analyze(exp, runs, m)
        except IncompleteDesignError as err:
            notes.append(err.message)
            continue
        if not np.all(np.isfinite(df.iloc[:, 3:].to_numpy(dtype=float))):
            notes.append(f"'{m}': indices undefined (the metric does not vary over the design)")
        tables.append(df)
    return (pd.concat(tables, ignore_index=True) if tables else None), notes


@dataclass
class Sensitivity:
    """The sensitivity analysis of a results folder.

    Attributes:
        indices: Indices of every analysable metric (None: not a Sobol/Morris design, or no
            metric could be analysed).
        notes: One line per metric left out, for the report.
        files: The table written (``sensitivity_<method>.csv``), if any.
    """

    indices: Any = None
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def analyze_folder(root: str | Path, exp: Experiment) -> Sensitivity:
    """Analyse a results folder's runs table (Sobol and Morris designs; others: nothing) and
    write ``sensitivity_<method>.csv``."""
    method = exp.params.design.method
    if method not in ("sobol", "morris"):
        return Sensitivity()
    indices, notes = analyze_all(exp, read_runs(root))
    out = Sensitivity(indices, notes)
    if indices is not None:
        out.files.append(Path(root) / f"sensitivity_{method}.csv")
        with atomic_path(out.files[0]) as tmp:
            indices.to_csv(tmp, index=False)
    return out
