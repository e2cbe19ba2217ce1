"""Plots of one run: weekly travel and coverage with the reform marked, and the change in
travel burden per village on a map.

Each plot takes its data from a pure function (``*_data``) and draws with matplotlib's
object API: ``ax=None`` makes a new :class:`~matplotlib.figure.Figure`, and the figure is
returned (never ``plt.show``), so the plots work headless and inside notebooks alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from mergesim.county.county import County

TRAVEL_SERIES = (
    ("travel_min_mean", "all affairs, mean"),
    ("travel_min_mean_admin", "administrative, mean"),
    ("travel_min_p90", "all affairs, 90th percentile"),
)
COVERAGE_SERIES = (
    ("coverage_admin_30", "service centre ≤ 30 min"),
    ("coverage_admin_60", "service centre ≤ 60 min"),
    ("coverage_clinic_30", "health centre ≤ 30 min"),
    ("admin_in_village_share", "admin. affairs in the village"),
    ("one_trip_share", "affairs in one trip"),
)


def weekly_data(history: Sequence[dict[str, Any]], reform_week: int,
                transition_end: int) -> dict[str, Any]:
    """Columns for the weekly plots from a run's history (``model.tracker.history``).

    Returns:
        ``{"week": array, "reform_week": int, "transition_end": int, <metric key>: array}``
        for every key in :data:`TRAVEL_SERIES` and :data:`COVERAGE_SERIES`.
    """
    out: dict[str, Any] = {"week": np.array([h["week"] for h in history], dtype=int),
                           "reform_week": reform_week, "transition_end": transition_end}
    for key, _ in (*TRAVEL_SERIES, *COVERAGE_SERIES):
        out[key] = np.array([np.nan if h.get(key) is None else h[key] for h in history],
                            dtype=float)
    return out


def _axes(ax: Axes | None, size=(8.0, 3.6)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _mark_reform(ax: Axes, data: dict[str, Any]) -> None:
    r, t = data["reform_week"], data["transition_end"]
    if t > r:
        ax.axvspan(r, t, color="0.9", zorder=0, label="transition")
    ax.axvline(r, color="crimson", lw=1.2, ls="--", label="reform week")


def plot_weekly_travel(data: dict[str, Any], ax: Axes | None = None) -> Figure:
    """Weekly round-trip travel minutes per affair, with the reform week marked."""
    fig, ax = _axes(ax)
    _mark_reform(ax, data)
    for key, label in TRAVEL_SERIES:
        ax.plot(data["week"], data[key], lw=1.2, label=label)
    ax.set_xlabel("week")
    ax.set_ylabel("round-trip minutes per affair")
    ax.set_title("Travel per affair")
    ax.legend(fontsize=7, frameon=False, ncol=2)
    return fig


def plot_weekly_coverage(data: dict[str, Any], ax: Axes | None = None) -> Figure:
    """Weekly coverage and service shares (0–1), with the reform week marked."""
    fig, ax = _axes(ax)
    _mark_reform(ax, data)
    for key, label in COVERAGE_SERIES:
        ax.plot(data["week"], data[key], lw=1.2, label=label)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("week")
    ax.set_ylabel("share of villagers / affairs")
    ax.set_title("Coverage and service")
    ax.legend(fontsize=7, frameon=False, ncol=2)
    return fig


def plot_travel_and_coverage(data: dict[str, Any]) -> Figure:
    """Both weekly panels in one figure."""
    fig = Figure(figsize=(8.0, 6.8), layout="constrained")
    a, b = fig.subplots(2, 1, sharex=True)
    plot_weekly_travel(data, ax=a)
    plot_weekly_coverage(data, ax=b)
    a.set_xlabel("")
    return fig


def travel_change_data(county: County, before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    """Per-village change in weekly travel burden (minutes per villager a week).

    Args:
        county: The county (for territories and points).
        before: Burden per village before the reform (NaN where no villager).
        after: Burden per village after the reform.
    """
    change = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    return {"x": county.x, "y": county.y, "change": change, "territories": county.territories,
            "outline": county.outline, "name": county.name}


def change_span(*changes: np.ndarray) -> float:
    """Half-width of a colour scale centred on 0 that holds every finite change (≥ 1e-9)."""
    finite = [np.abs(c[np.isfinite(c)]) for c in changes]
    top = max((float(f.max()) for f in finite if len(f)), default=1.0)
    return top or 1.0


def plot_travel_change_map(data: dict[str, Any], ax: Axes | None = None, *,
                           span: float | None = None, title: str | None = None,
                           colorbar: bool = True) -> Figure:
    """Map of the change in travel burden per village (red: more travel; blue: less).

    Args:
        data: From :func:`travel_change_data`.
        ax: Axes to draw on (default: a new figure).
        span: Colour scale half-width (minutes); default the largest change on this map —
            pass one span to several maps to compare them.
        title: Axes title (default: what the map shows).
        colorbar: Draw the colour bar.
    """
    fig, ax = _axes(ax, size=(7.0, 7.0))
    change = data["change"]
    span = change_span(change) if span is None else span
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span)
    cmap = "RdBu_r"
    if data["territories"] is not None:
        coll = PolyCollection(data["territories"], array=np.nan_to_num(change), cmap=cmap,
                              norm=norm, edgecolors="0.6", linewidths=0.2)
        ax.add_collection(coll)
        mappable = coll
    else:
        mappable = ax.scatter(data["x"], data["y"], c=np.nan_to_num(change), cmap=cmap,
                              norm=norm, s=12)
    if data["outline"] is not None:
        ring = np.vstack([data["outline"], data["outline"][:1]])
        ax.plot(ring[:, 0], ring[:, 1], color="black", lw=1.0)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xlabel("km")
    ax.set_ylabel("km")
    ax.set_title(title or "Change in expected travel burden, after − before (min per "
                 "villager a week)", fontsize=10)
    if colorbar:
        fig.colorbar(mappable, ax=ax, shrink=0.8, label="minutes per villager a week")
    return fig
