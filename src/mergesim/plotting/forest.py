"""Comparison figures of a sweep's design points: weekly bands and forest plots of final values
with their replicates and paired differences.

The data come from :mod:`mergesim.plotting.compare` (one group per design point); labels and
units from the metrics registry (:mod:`mergesim.plotting.labels`). Overlapping lines differ in
colour, line style and marker; more than :data:`MAX_OVERLAY` groups are drawn as small
multiples, which share a y-axis only when their ranges are within a factor of
:data:`~mergesim.plotting.figures.SHARED_RANGE_RATIO` (:func:`~mergesim.plotting.figures.share_y`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mergesim.plotting.figures import colours, figure_axes, grid, line_style, share_y
from mergesim.plotting.intervals import FEW_REPLICATES, LEVEL, few_note
from mergesim.plotting.labels import metric_label, metric_name, with_unit

#: Groups drawn in one panel at most; more are small multiples.
MAX_OVERLAY = 4
#: Size (inches) of one comparison panel.
PANEL_SIZE = (7.5, 4.0)


#: A group's reform week and end of transition (None: unknown).
Weeks = dict[str, tuple[int | None, int | None]]


def _mark_weeks(ax: Axes, marks: list[tuple[int | None, int | None]], *, legend: bool) -> None:
    """The reform week(s) as dashed lines; the transition shaded when it ends alike."""
    reforms = sorted({r for r, _ in marks if r is not None})
    ends = {e for _, e in marks}
    if reforms and len(ends) == 1 and None not in ends and min(ends) > reforms[0]:
        ax.axvspan(
            reforms[0], min(ends), color="0.92", zorder=0, label="transition" if legend else None
        )
    for i, r in enumerate(reforms):
        ax.axvline(
            r, color="crimson", lw=1.0, ls="--", label="reform week" if legend and i == 0 else None
        )


def plot_bands(
    data: pd.DataFrame,
    metric: str,
    *,
    weeks: Weeks | None = None,
    baseline: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Weekly median and 10–90 % band across replicates, per design point.

    Up to :data:`MAX_OVERLAY` groups share one panel (colour, line style and marker differ);
    more are small multiples, each with the baseline's median in grey for reference.

    Args:
        data: :func:`~mergesim.plotting.compare.band_data`.
        metric: The weekly metric (a key of the registry).
        weeks: Each group's reform week and end of transition, marked (default: none).
        baseline: The group drawn for reference in small multiples (default: the first).
        ax: Axes for a single panel (only when the groups fit in one).
    """
    names = list(dict.fromkeys(data["group"]))
    weeks = weeks or {}
    cols = colours(len(names))
    runs_per = data.groupby("group", sort=False)["n"].max()
    title = f"{metric_name(metric)}: weekly median and 10–90 % band across replicates" + few_note(
        runs_per
    )
    if len(names) <= MAX_OVERLAY or ax is not None:
        fig, ax = figure_axes(ax, (9.5, 4.0))
        marks = max(len(set(data["week"])) // 12, 1)
        for i, (grp, col) in enumerate(zip(names, cols, strict=True)):
            d = data[data["group"] == grp]
            ls, marker = line_style(i)
            ax.fill_between(d["week"], d["lo"], d["hi"], color=col, alpha=0.15, lw=0)
            ax.plot(
                d["week"],
                d["median"],
                color=col,
                lw=1.4,
                ls=ls,
                marker=marker,
                ms=4,
                markevery=marks,
                label=str(grp),
            )
        _mark_weeks(ax, [weeks.get(g, (None, None)) for g in names], legend=True)
        ax.set_xlabel("week")
        ax.set_ylabel(metric_label(metric))
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return fig
    spans = [
        (float(np.nanmin(d["lo"])), float(np.nanmax(d["hi"])))
        for _, d in data.groupby("group", sort=False)
    ]
    fig, axes = grid(len(names), panel=(4.0, 2.6), sharey=share_y(spans))
    base = baseline if baseline in names else names[0]
    ref = data[data["group"] == base]
    for a, grp, col in zip(axes, names, cols, strict=False):
        d = data[data["group"] == grp]
        if grp != base:
            a.plot(ref["week"], ref["median"], color="0.55", lw=1.0, ls="--", label=f"{base}")
        a.fill_between(d["week"], d["lo"], d["hi"], color=col, alpha=0.25, lw=0)
        a.plot(d["week"], d["median"], color=col, lw=1.3, label="median, 10–90 %")
        _mark_weeks(a, [weeks.get(grp, (None, None))], legend=False)
        a.set_title(str(grp), fontsize=8)
        a.set_xlabel("week", fontsize=8)
        a.set_ylabel(metric_label(metric), fontsize=7)
        a.tick_params(labelsize=7)
    for a in axes[len(names) :]:
        a.set_visible(False)
    if len(names) > 1:
        axes[1].legend(fontsize=6, frameon=False)
    fig.suptitle(title + " (dashed grey: baseline)", fontsize=10)
    return fig


def _tick(group: str, n: int, word: str = "n") -> str:
    return f"{group} ({word} = {n}{', few' if n < FEW_REPLICATES else ''})"


def _jitter(k: int) -> np.ndarray:
    """Deterministic vertical offsets of ``k`` replicate dots (within ±0.18 of the row)."""
    return np.linspace(-0.18, 0.18, k) if k > 1 else np.zeros(k)


def _err(mean, lo, hi) -> np.ndarray:
    m, a, b = (np.asarray(v, dtype=float) for v in (mean, lo, hi))
    return np.nan_to_num(np.vstack([m - a, b - m]), nan=0.0)


def _forest(ax: Axes, names, means, los, his, values, cols, ticks) -> None:
    y = np.arange(len(names))
    for yi, vals in zip(y, values, strict=True):
        v = np.asarray(vals, dtype=float)
        ax.scatter(v, yi + _jitter(len(v)), s=9, color="0.55", alpha=0.8, lw=0, zorder=2)
    ax.errorbar(means, y, xerr=_err(means, los, his), fmt="none", ecolor="0.2", capsize=3, zorder=3)
    ax.scatter(means, y, c=cols, s=36, zorder=4, edgecolors="k", linewidths=0.5)
    ax.set_yticks(y, ticks, fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)  # first group on top, rows evenly spaced


def plot_final(
    final: pd.DataFrame,
    metric: str,
    *,
    paired: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Forest plot: per design point the mean with its interval and the replicate values
    (grey dots); with ``paired``, a second panel of paired differences from each point's
    baseline (replicate differences as dots).

    Args:
        final: :func:`~mergesim.plotting.compare.final_data`.
        metric: The compared metric (``window.metric`` or a run metric).
        paired: :func:`~mergesim.plotting.compare.paired_data` (None or empty: one panel).
        ax: Axes for the first panel only (the paired panel needs a new figure).
    """
    two = paired is not None and len(paired) > 0 and ax is None
    if ax is None:
        rows = max(len(final), len(paired) if two else 0)
        fig = Figure(figsize=(12.0 if two else 7.0, 0.42 * rows + 2.0), layout="constrained")
        axes = fig.subplots(1, 2 if two else 1, squeeze=False)[0]
    else:
        fig, axes = ax.get_figure(), [ax]
    pct = f"{LEVEL:.0%}".replace("%", " %")
    _forest(
        axes[0],
        list(final["group"]),
        final["mean"],
        final["ci_lo"],
        final["ci_hi"],
        list(final["values"]),
        colours(len(final)),
        [_tick(g, n) for g, n in zip(final["group"], final["n"], strict=True)],
    )
    axes[0].set_xlabel(metric_label(metric))
    logit = "logit " if (final["method"] == "logit-t").any() else ""
    axes[0].set_title(
        f"mean over replicates, {pct} {logit}t interval; dots: replicates", fontsize=9
    )
    if two:
        a1 = axes[1]
        a1.axvline(0, color="0.5", lw=0.8)
        bases = set(paired["baseline"])
        _forest(
            a1,
            list(paired["group"]),
            paired["mean_diff"],
            paired["ci_lo"],
            paired["ci_hi"],
            list(paired["diffs"]),
            ["k"] * len(paired),
            [_tick(g, n, "pairs") for g, n in zip(paired["group"], paired["n_pairs"], strict=True)],
        )
        what = (
            f"difference from {next(iter(bases))}"
            if len(bases) == 1
            else "difference from the baseline at the same design point"
        )
        a1.set_xlabel(with_unit(what, metric))
        a1.set_title(
            f"paired difference (same seed) from the baseline,\n{pct} t interval", fontsize=9
        )
    for a in axes:  # at most 6 ticks: long tick labels (−0.175) must not run into each other
        a.xaxis.set_major_locator(MaxNLocator(nbins=6))
    if ax is None:
        fig.suptitle(metric_label(metric), fontsize=11)
    return fig
