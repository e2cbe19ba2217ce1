"""Sweep figures of cadres and petitions, per scenario: where displaced cadres went, and the
petition pipeline (backlog per stage of the six-step loop).

Data come from a sweep's tidy tables (``runs``: one row per run with the flattened summary;
``ts``: one row per run and week) through pure functions; plots take ``ax=None`` and return the
figure, like :mod:`mergesim.plotting.compare`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from mergesim.mechanisms.cadres import TOWNSHIP_CHANNELS, VILLAGE_CHANNELS
from mergesim.mechanisms.petitions import STAGE_LABELS, STAGES
from mergesim.plotting.figures import colours, figure_axes, grid, share_y
from mergesim.plotting.stability import CHANNEL_LABELS
from mergesim.plotting.timeseries import change_span, plot_travel_change_map

#: Placement channels in display order: the township "five batches", then the village "four".
CHANNELS = tuple(o.name.lower() for o in (*TOWNSHIP_CHANNELS, *VILLAGE_CHANNELS))


def channel_table(runs, *, by: str = "scenario"):
    """Mean cadres per placement channel and group (rows: groups in run order).

    Args:
        runs: The runs table (columns ``cadres.channels.<channel>``; failed runs have NaN).
        by: Grouping column.

    Returns:
        DataFrame indexed by group with one column per channel of :data:`CHANNELS` (missing
        columns, e.g. from an older results folder, are left out).
    """
    cols = [f"cadres.channels.{c}" for c in CHANNELS if f"cadres.channels.{c}" in runs.columns]
    if not cols or runs.empty:
        return pd.DataFrame()
    order = list(dict.fromkeys(runs[by]))
    tab = runs.groupby(by, sort=False)[cols].mean().reindex(order)
    tab.columns = [c.rsplit(".", 1)[1] for c in cols]
    return tab


def plot_channels_by_group(table, *, ax: Axes | None = None) -> Figure:
    """Grouped horizontal bars: cadres per placement channel, one colour per scenario."""
    fig, ax = figure_axes(ax, (9.5, 5.0))
    groups, chans = list(table.index), list(table.columns)
    n = max(len(groups), 1)
    h = 0.8 / n
    y = np.arange(len(chans))
    for i, (grp, col) in enumerate(zip(groups, colours(len(groups)), strict=True)):
        ax.barh(
            y + (i - (n - 1) / 2) * h, table.loc[grp].to_numpy(float), h, color=col, label=str(grp)
        )
    ax.set_yticks(y, [_channel_label(c) for c in chans], fontsize=8)
    ax.invert_yaxis()
    n_t = sum(c in {o.name.lower() for o in TOWNSHIP_CHANNELS} for c in chans)
    if 0 < n_t < len(chans):  # separate the township and the village channels
        ax.axhline(n_t - 0.5, color="0.6", lw=0.8)
    ax.set_xlabel("cadres (full county; mean over replications)")
    ax.set_title(
        "Where cadres not kept went\ntownship 'five batches' (top), village "
        "'four batches' (bottom)",
        fontsize=10,
    )
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _channel_label(c: str) -> str:
    level = "township" if c in {o.name.lower() for o in TOWNSHIP_CHANNELS} else "village"
    return f"{level}: {CHANNEL_LABELS.get(c, c.replace('_', ' '))}"


def pipeline_data(ts, *, by: str = "scenario") -> dict[str, dict[str, Any]]:
    """Mean backlog per stage and week across replications, per group.

    Args:
        ts: The long weekly table (columns ``by``, ``week``, ``backlog_<stage>_per10k``).
        by: Grouping column.

    Returns:
        ``{group: {"week": (W,) array, "backlog": (6, W) array}}`` (petitions per 10,000
        villagers); empty if the table has no backlog columns.
    """
    cols = [f"backlog_{s}_per10k" for s in STAGES]
    if ts.empty or any(c not in ts.columns for c in cols):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for grp, d in ts.groupby(by, sort=False):
        m = d.groupby("week")[cols].mean()
        out[str(grp)] = {"week": m.index.to_numpy(int), "backlog": m.to_numpy(float).T}
    return out


def varies(values: list[Any], *, rtol: float = 1e-9) -> bool:
    """Whether the groups' arrays (or tables) differ: a figure comparing groups is drawn only
    when they do (a cadre-channel figure is the same for every services policy)."""
    arrays = [np.nan_to_num(np.asarray(v, dtype=float), nan=-1.0) for v in values]
    if len(arrays) < 2:
        return True
    first = arrays[0]
    return any(a.shape != first.shape or not np.allclose(a, first, rtol=rtol) for a in arrays[1:])


def plot_pipeline_by_group(
    data: dict[str, dict[str, Any]], reform_weeks: dict[str, int] | None = None
) -> Figure:
    """Stacked backlog per stage of the six-step loop, one panel per group; the panels share
    their y-axis only when their totals' ranges are within a factor of 10 (:func:`share_y`)."""
    groups = list(data)
    spans = [
        (0.0, float(np.nanmax(np.nansum(d["backlog"], axis=0), initial=0.0))) for d in data.values()
    ]
    fig, axes = grid(len(groups), panel=(4.0, 2.8), sharey=share_y(spans))
    ncol = min(max(len(groups), 1), 3)
    reform_weeks = reform_weeks or {}
    for ax, grp in zip(axes, groups, strict=False):
        d = data[grp]
        ax.stackplot(d["week"], np.nan_to_num(d["backlog"]), labels=STAGE_LABELS, alpha=0.85)
        if grp in reform_weeks:
            ax.axvline(reform_weeks[grp], color="crimson", lw=1.0, ls="--")
        ax.set_title(grp, fontsize=9)
        ax.set_xlabel("week")
    for ax in axes[len(groups) :]:
        ax.set_visible(False)
    for ax in axes[::ncol]:
        ax.set_ylabel("open petitions / 10,000")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], fontsize=7, frameon=False, loc="outside right upper")
    fig.suptitle(
        "Petition pipeline: mean backlog by stage of the six-step loop (dashed: reform week)",
        fontsize=10,
    )
    return fig


def plot_change_maps(maps: dict[str, dict[str, Any]]) -> Figure:
    """Maps of the change in expected travel burden per village, one per group, on one colour
    scale (red: more travel after the reform; blue: less).

    Args:
        maps: ``{group: travel_change_data(...)}`` (see
            :func:`mergesim.plotting.timeseries.travel_change_data`), e.g. the mean change over
            a group's replications.
    """
    groups = list(maps)
    n = max(len(groups), 1)
    ncol = min(n, 3)
    nrow = int(np.ceil(n / ncol))
    fig = Figure(figsize=(4.2 * ncol + 1.0, 4.2 * nrow + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
    span = change_span(*(maps[g]["change"] for g in groups))
    for ax, grp in zip(axes, groups, strict=False):
        plot_travel_change_map(maps[grp], ax=ax, span=span, title=grp, colorbar=False)
        ax.tick_params(labelsize=7)
    for ax in axes[len(groups) :]:
        ax.set_visible(False)
    sm = ScalarMappable(norm=TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span), cmap="RdBu_r")
    fig.colorbar(
        sm,
        ax=list(axes[: len(groups)]),
        shrink=0.7,
        label="change in expected travel, minutes per villager a week",
    )
    fig.suptitle(
        "Change in expected travel burden per village, end of run − before the reform "
        "(mean over replications)",
        fontsize=10,
    )
    return fig
