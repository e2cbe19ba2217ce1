"""Plots of one run's stability and cadres: weekly petitions and grievance, the petition
pipeline (backlog per stage of the six-step loop), and where the cadres went at the reform.

Same conventions as :mod:`mergesim.plotting.timeseries`: a pure ``*_data`` function extracts
what a plot needs from a run's history or summary; the plot function takes ``ax=None`` (a new
figure) and returns the :class:`~matplotlib.figure.Figure`; nothing calls ``plt.show``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mergesim.mechanisms.petitions import STAGE_LABELS, STAGES
from mergesim.plotting.figures import figure_axes
from mergesim.plotting.timeseries import PANEL_SIZE, _mark_reform

#: Weekly series of the petitions panel: (key, label).
PETITION_SERIES = (
    ("petitions_per10k", "all petitions"),
    ("petitions_first_per10k", "first filings"),
    ("petitions_collective_per10k", "collective"),
)
#: Display names of the placement channels (cadre_summary keys).
CHANNEL_LABELS = {
    "up_county": "moved up to county posts",
    "rank_on_spot": "rank placement on the spot",
    "transfer": "transferred",
    "township_transitional": "transitional specialist post",
    "township_retired": "retired",
    "to_group_leader": "became villager-group leader",
    "village_specialist": "transitional specialist post",
    "business": "left to start a business",
    "village_left": "retired / left office",
}


def rolling_mean(x: np.ndarray, weeks: int) -> np.ndarray:
    """Trailing mean over ``weeks`` weeks, ignoring NaN (NaN where the window has no value)."""
    x = np.asarray(x, dtype=float)
    ok = np.isfinite(x)
    c = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    n = np.concatenate([[0], np.cumsum(ok)])
    i = np.arange(1, len(x) + 1)
    lo = np.maximum(i - weeks, 0)
    cnt = n[i] - n[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, (c[i] - c[lo]) / np.maximum(cnt, 1), np.nan)


def stability_data(
    history: Sequence[dict[str, Any]],
    reform_week: int,
    transition_end: int,
    *,
    smooth_weeks: int = 8,
) -> dict[str, Any]:
    """Columns for the stability plots from a run's weekly history.

    Weekly petition rates are counts of a single week, so they are also given as a trailing
    ``smooth_weeks``-week mean (``<key>_smooth``).

    Returns:
        ``{"week", "reform_week", "transition_end", "smooth_weeks", <key>, <key>_smooth,
        "grievance_mean", "aggrieved_share", "backlog": (6, n_weeks) array}``.
    """

    def col(key: str) -> np.ndarray:
        return np.array([np.nan if h.get(key) is None else h[key] for h in history], float)

    out: dict[str, Any] = {
        "week": np.array([h["week"] for h in history], dtype=int),
        "reform_week": reform_week,
        "transition_end": transition_end,
        "smooth_weeks": smooth_weeks,
    }
    for key, _ in PETITION_SERIES:
        out[key] = col(key)
        out[f"{key}_smooth"] = rolling_mean(out[key], smooth_weeks)
    for key in ("grievance_mean", "aggrieved_share", "stability_index"):
        out[key] = col(key)
    out["backlog"] = np.vstack([col(f"backlog_{s}_per10k") for s in STAGES])
    return out


def plot_petitions(data: dict[str, Any], ax: Axes | None = None) -> Figure:
    """Petitions filed per 10,000 villagers a year (trailing mean), reform week marked."""
    fig, ax = figure_axes(ax, PANEL_SIZE)
    _mark_reform(ax, data)
    for key, label in PETITION_SERIES:
        ax.plot(data["week"], data[f"{key}_smooth"], lw=1.3, label=label)
    ax.set_xlabel("week")
    ax.set_ylabel("petitions per 10,000 villagers a year")
    ax.set_title(f"Petitions filed ({data['smooth_weeks']}-week trailing mean)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, frameon=False, ncol=2)
    return fig


def plot_grievance(data: dict[str, Any], ax: Axes | None = None) -> Figure:
    """Mean grievance and the share of villagers above their petition threshold."""
    fig, ax = figure_axes(ax, PANEL_SIZE)
    _mark_reform(ax, data)
    ax.plot(data["week"], data["grievance_mean"], lw=1.3, label="mean grievance (0–1)")
    ax.plot(
        data["week"], data["aggrieved_share"], lw=1.3, label="share above their petition threshold"
    )
    ax.set_xlabel("week")
    ax.set_ylabel("grievance / share of villagers")
    ax.set_title("Grievance")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, frameon=False)
    return fig


def plot_stability(data: dict[str, Any]) -> Figure:
    """Petitions and grievance, one panel each."""
    fig = Figure(figsize=(8.0, 6.8), layout="constrained")
    a, b = fig.subplots(2, 1, sharex=True)
    plot_petitions(data, ax=a)
    plot_grievance(data, ax=b)
    a.set_xlabel("")
    return fig


def plot_pipeline(data: dict[str, Any], ax: Axes | None = None) -> Figure:
    """Open petitions per stage of the six-step loop (stacked), per 10,000 villagers."""
    fig, ax = figure_axes(ax, (9.5, 4.0))
    # Stages bottom-up in loop order, so the legend (top-down) reads in reverse: flip it.
    polys = ax.stackplot(
        data["week"], np.nan_to_num(data["backlog"]), labels=STAGE_LABELS, alpha=0.85
    )
    _mark_reform(ax, data)
    ax.set_xlabel("week")
    ax.set_ylabel("open petitions per 10,000 villagers")
    ax.set_title("Petition pipeline: backlog by stage of the six-step loop")
    ax.set_ylim(bottom=0)
    handles, labels = ax.get_legend_handles_labels()
    n = len(polys)
    order = list(range(n - 1, -1, -1)) + list(range(n, len(handles)))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        fontsize=7,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    return fig


def channel_data(cadres: dict[str, Any]) -> dict[str, Any]:
    """Placement channels from a run summary's ``cadres`` section.

    Returns:
        ``{"township": [(label, count), ...], "village": [...], "posts": {post: (before,
        after)}}``; empty lists before the reform (or with no merger).
    """

    def rows(d: dict[str, int]) -> list[tuple[str, int]]:
        return [(CHANNEL_LABELS.get(k, k.replace("_", " ")), int(v)) for k, v in d.items()]

    return {
        "township": rows(cadres.get("township_channels") or {}),
        "village": rows(cadres.get("village_channels") or {}),
        "posts": {k: (v["before"], v["after"]) for k, v in cadres.get("posts", {}).items()},
    }


def plot_channels(data: dict[str, Any]) -> Figure:
    """Where displaced cadres went ("five batches" / "four batches") and posts before/after."""
    fig = Figure(figsize=(9.0, 6.4), layout="constrained")
    a, b, c = fig.subfigures(3, 1, height_ratios=[1.0, 1.0, 1.3])
    for sub, key, title in (
        (a, "township", "Township cadres not kept: the 'five batches'"),
        (b, "village", "Village cadres not kept: the 'four batches'"),
    ):
        ax = sub.add_subplot()
        rows = data[key]
        if rows:
            labels, counts = zip(*rows, strict=True)
            y = np.arange(len(rows))
            ax.barh(y, counts, color="tab:blue")
            ax.set_yticks(y, labels, fontsize=8)
            ax.invert_yaxis()
            for yi, n in zip(y, counts, strict=True):
                ax.text(n, yi, f" {n}", va="center", fontsize=7)
        else:
            ax.text(
                0.5,
                0.5,
                "no redeployment (no unit re-selected)",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_yticks([])
        ax.set_xlabel("cadres (full county)")
        ax.set_title(title, fontsize=10)
    ax = c.add_subplot()
    posts = data["posts"]
    names = list(posts)
    x = np.arange(len(names))
    ax.bar(x - 0.2, [posts[n][0] for n in names], 0.4, label="before the reform")
    ax.bar(x + 0.2, [posts[n][1] for n in names], 0.4, label="after the reform")
    ax.set_xticks(x, [n.replace("_", " ") for n in names], fontsize=8, rotation=15)
    ax.set_ylabel("posts (full county)")
    ax.set_title("Posts before and after the reform", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    return fig
