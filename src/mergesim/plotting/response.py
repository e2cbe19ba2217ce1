"""Responses of a metric to the factors of a sweep: one marker per design point (mean over its
replicates, with its interval and the replicate values), lines joining points that differ only
in the factor on the axis, and heat maps of two factors whose cells are design points.

Data: :func:`mergesim.plotting.compare.response_data` and
:func:`~mergesim.plotting.compare.heatmap_data`; labels and units from the registry and the
scenario schema.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mergesim.plotting.compare import MAX_HEATMAPS, level_text
from mergesim.plotting.figures import colours, figure_axes, grid, line_style
from mergesim.plotting.forest import PANEL_SIZE
from mergesim.plotting.intervals import LEVEL, few_note, fmt_sig
from mergesim.plotting.labels import factor_label, metric_label, metric_name


def _numeric(xs) -> bool:
    return all(isinstance(x, int | float | np.number) and not isinstance(x, bool) for x in xs)


def plot_response(
    data: pd.DataFrame,
    metric: str,
    factor: str,
    *,
    factor_name: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Mean of ``metric`` at each design point against ``factor``, with its interval and the
    replicate values (small dots); points of one series joined when ``data["lines"]``."""
    fig, ax = figure_axes(ax, PANEL_SIZE)
    series = list(dict.fromkeys(data["series"]))
    categorical = not _numeric(data["x"])
    ticks: list[Any] = list(dict.fromkeys(data["x"])) if categorical else []
    lines = bool(data["lines"].iloc[0]) if len(data) else False
    for i, (name, col) in enumerate(zip(series, colours(len(series)), strict=True)):
        d = data[data["series"] == name]
        x = (
            np.array([ticks.index(v) for v in d["x"]], dtype=float)
            if categorical
            else d["x"].to_numpy(dtype=float)
        )
        shift = (i - (len(series) - 1) / 2) * 0.06 if categorical else 0.0
        ls, marker = line_style(i)
        for xi, vals in zip(x + shift, d["values"], strict=True):
            v = np.asarray(vals, dtype=float)
            ax.scatter(np.full(len(v), xi), v, s=7, color=col, alpha=0.35, lw=0)
        m = d["mean"].to_numpy(dtype=float)
        err = np.nan_to_num(np.vstack([m - d["ci_lo"], d["ci_hi"] - m]).astype(float))
        ax.errorbar(
            x + shift,
            m,
            yerr=err,
            color=col,
            marker=marker,
            ms=5,
            capsize=3,
            ls=ls if lines else "none",
            lw=1.2,
            label=str(name),
        )
    if categorical:
        ax.set_xticks(range(len(ticks)), _ticks(ticks))
    ax.set_xlabel(factor_label(factor, factor_name))
    ax.set_ylabel(metric_label(metric))
    pct = f"{LEVEL:.0%}".replace("%", " %")
    ax.set_title(
        f"{metric_name(metric)} against {factor_name or factor}\n"
        f"mean per design point, {pct} interval; dots: replicates{few_note(data['n'])}",
        fontsize=9,
    )
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _ticks(values) -> list[str]:
    return [level_text(v) for v in values]


def plot_heatmaps(
    panels: list[tuple[str, pd.DataFrame]],
    metric: str,
    fx: str,
    fy: str,
    *,
    fx_name: str | None = None,
    fy_name: str | None = None,
) -> Figure:
    """Mean of ``metric`` over the replicates of each design point, on two factors; one panel
    per combination of the other factors (one colour scale)."""
    panels = panels[:MAX_HEATMAPS]
    fig, axes = grid(len(panels), panel=(4.6, 3.6), ncol=2)
    finite = [p.to_numpy(dtype=float) for _, p in panels]
    vals = np.concatenate([z[np.isfinite(z)] for z in finite]) if finite else np.array([])
    vmin, vmax = (float(vals.min()), float(vals.max())) if len(vals) else (0.0, 1.0)
    im = None
    for ax, (title, pivot) in zip(axes, panels, strict=False):
        z = pivot.to_numpy(dtype=float)
        im = ax.imshow(z, origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
        ax.set_xticks(range(z.shape[1]), _ticks(pivot.columns))
        ax.set_yticks(range(z.shape[0]), _ticks(pivot.index))
        if z.size <= 100:
            mid = (vmin + vmax) / 2
            for (i, j), v in np.ndenumerate(z):
                if np.isfinite(v):
                    ax.text(
                        j,
                        i,
                        fmt_sig(v),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if v < mid else "black",
                    )
        ax.set_xlabel(factor_label(fx, fx_name), fontsize=8)
        ax.set_ylabel(factor_label(fy, fy_name), fontsize=8)
        if title:
            ax.set_title(title, fontsize=8)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    if im is not None:
        label = textwrap.fill(metric_label(metric), 40)
        fig.colorbar(im, ax=list(axes[: len(panels)]), shrink=0.8, label=label)
    fig.suptitle(f"{metric_name(metric)}: mean over replicates per design point", fontsize=10)
    return fig
