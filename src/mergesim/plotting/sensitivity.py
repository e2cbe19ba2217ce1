"""Sensitivity figures: Sobol or Morris indices with their bootstrap intervals (unreliable
indices hatched and named so), and their convergence over nested sub-designs.

The tables come from the sweep's analysis (``sensitivity_<method>.csv`` and
``sensitivity_<method>_convergence.csv``): one row per metric and factor with the index
columns, their ``*_conf`` half-widths, ``samples`` and ``*_unreliable`` (reasons, empty when
reliable).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from mergesim.plotting.figures import colours, figure_axes, grid, line_style
from mergesim.plotting.labels import metric_label, metric_name

#: What the bars of each method show: (column, half-width column, legend text).
SERIES = {
    "sobol": (
        ("S1", "S1_conf", "first order S1"),
        ("ST", "ST_conf", "total order ST"),
    ),
    "morris": (
        ("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)"),
        ("sigma", None, "σ (interactions, non-linearity)"),
    ),
}
#: How an unreliable index is drawn.
UNRELIABLE_HATCH = "////"


def _unreliable(d: pd.DataFrame, col: str) -> np.ndarray:
    """Whether each row's index ``col`` is flagged (no verdict column: not flagged)."""
    flag = f"{col}_unreliable"
    if flag not in d:
        return np.zeros(len(d), dtype=bool)
    return d[flag].fillna("").astype(str).str.len().to_numpy() > 0


def plot_indices(indices: pd.DataFrame, method: str, metric: str, *, ax: Axes | None = None):
    """Sobol (S1, ST) or Morris (μ*, σ) indices of one metric as bars with 95 % bootstrap
    intervals; unreliable indices are hatched and pale, and the title says how many."""
    d = indices[indices["metric"] == metric]
    fig, ax = figure_axes(ax, (7.5, 0.5 * len(d) + 2.4))
    y = np.arange(len(d))
    h = 0.38
    flagged = 0
    cols = colours(2)
    for k, (col, conf, lab) in enumerate(SERIES[method]):
        vals = d[col].to_numpy(dtype=float)
        err = None if conf is None else np.nan_to_num(d[conf].to_numpy(dtype=float))
        bad = _unreliable(d, col)
        flagged += int(bad.sum())
        bars = ax.barh(
            y + (k - 0.5) * h,
            np.nan_to_num(vals),
            height=h,
            xerr=err,
            capsize=2,
            label=lab,
            color=cols[k],
            error_kw={"ecolor": "0.25", "lw": 0.8},
        )
        for bar, b in zip(bars, bad, strict=True):
            if b:
                bar.set_hatch(UNRELIABLE_HATCH)
                bar.set_alpha(0.45)
                bar.set_edgecolor("0.2")
    ax.set_yticks(y, list(d["label"]))
    ax.invert_yaxis()
    ax.axvline(0, color="0.5", lw=0.8)
    if method == "sobol":
        ax.axvline(1, color="0.8", lw=0.8, ls=":")
        ax.set_xlabel("Sobol index (share of output variance), 95 % bootstrap interval")
    else:
        ax.set_xlabel(f"elementary effect per factor range: {metric_label(metric)}")
    handles, labels = ax.get_legend_handles_labels()
    if flagged:
        handles.append(Patch(facecolor="white", edgecolor="0.2", hatch=UNRELIABLE_HATCH))
        labels.append("unreliable (see the report)")
    ax.legend(handles, labels, fontsize=7, frameon=False)
    title = f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity of {metric_name(metric)}"
    n = int(d["samples"].iloc[0]) if "samples" in d and len(d) else None
    if n is not None:
        title += f"\n{'N' if method == 'sobol' else 'r'} = {n}"
    if flagged:
        total = len(d) * (2 if method == "sobol" else 1)
        title += f"; {flagged} of {total} indices UNRELIABLE (hatched)"
    ax.set_title(title, fontsize=9)
    return fig


def convergence_data(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of one metric from a convergence table, ordered by sample size."""
    d = table[table["metric"] == metric]
    return d.sort_values("samples", kind="stable").reset_index(drop=True)


def plot_convergence(
    table: pd.DataFrame, method: str, metric: str, *, minimum: int | None = None
) -> Figure:
    """Indices against the size of the sub-design they were computed on (log scale), with
    their bootstrap intervals as bands, one panel per index; the documented minimum sample
    size marked."""
    d = convergence_data(table, metric)
    series = [(c, conf, lab) for c, conf, lab in SERIES[method] if conf is not None]
    fig, axes = grid(len(series), panel=(5.0, 3.4), ncol=2, sharey=False)
    factors = list(dict.fromkeys(d["label"]))
    cols = colours(len(factors))
    for ax, (col, conf, lab) in zip(axes, series, strict=False):
        for i, (f, c) in enumerate(zip(factors, cols, strict=True)):
            part = d[d["label"] == f]
            n = part["samples"].to_numpy(dtype=float)
            v = part[col].to_numpy(dtype=float)
            e = np.nan_to_num(part[conf].to_numpy(dtype=float))
            ls, marker = line_style(i)
            ax.fill_between(n, v - e, v + e, color=c, alpha=0.15, lw=0)
            ax.plot(n, v, color=c, ls=ls, marker=marker, ms=4, label=str(f))
        if minimum is not None:
            ax.axvline(minimum, color="crimson", lw=1.0, ls="--", label="documented minimum")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("base sample N" if method == "sobol" else "trajectories r")
        ax.set_ylabel(lab)
        ax.set_title(lab, fontsize=9)
    for ax in axes[len(series) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle(
        f"Convergence of the {'Sobol' if method == 'sobol' else 'Morris'} indices of "
        f"{metric_name(metric)} (bands: 95 % bootstrap intervals)",
        fontsize=10,
    )
    return fig
