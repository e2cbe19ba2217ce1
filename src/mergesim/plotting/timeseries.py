"""Plots of one run: weekly travel and coverage with the reform marked, and the change in
travel burden per village on a map (drawn on the stored county geometry, with township
boundaries and seats).

Each plot takes its data from a pure function (``*_data``) and draws with matplotlib's
object API: ``ax=None`` makes a new :class:`~matplotlib.figure.Figure`, and the figure is
returned (never ``plt.show``), so the plots work headless and inside notebooks alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from mergesim.county.export import Layer, boundary_lines, dissolve, exterior_rings
from mergesim.plotting.figures import figure_axes

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


def weekly_data(
    history: Sequence[dict[str, Any]], reform_week: int, transition_end: int
) -> dict[str, Any]:
    """Columns for the weekly plots from a run's history (``model.tracker.history``).

    Returns:
        ``{"week": array, "reform_week": int, "transition_end": int, <metric key>: array}``
        for every key in :data:`TRAVEL_SERIES` and :data:`COVERAGE_SERIES`.
    """
    out: dict[str, Any] = {
        "week": np.array([h["week"] for h in history], dtype=int),
        "reform_week": reform_week,
        "transition_end": transition_end,
    }
    for key, _ in (*TRAVEL_SERIES, *COVERAGE_SERIES):
        out[key] = np.array(
            [np.nan if h.get(key) is None else h[key] for h in history], dtype=float
        )
    return out


#: Size (inches) of one weekly panel.
PANEL_SIZE = (8.0, 3.6)


def _mark_reform(ax: Axes, data: dict[str, Any]) -> None:
    r, t = data["reform_week"], data["transition_end"]
    if t > r:
        ax.axvspan(r, t, color="0.9", zorder=0, label="transition")
    ax.axvline(r, color="crimson", lw=1.2, ls="--", label="reform week")


def plot_weekly_travel(data: dict[str, Any], ax: Axes | None = None) -> Figure:
    """Weekly round-trip travel minutes per affair, with the reform week marked."""
    fig, ax = figure_axes(ax, PANEL_SIZE)
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
    fig, ax = figure_axes(ax, PANEL_SIZE)
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


def travel_change_data(
    villages: Layer,
    change: np.ndarray,
    *,
    township: np.ndarray | None = None,
    seats: np.ndarray | None = None,
) -> dict[str, Any]:
    """Per-village change in travel burden, on the county's stored village geometry.

    Args:
        villages: The villages layer (:func:`mergesim.results.read_geometry`, or
            :func:`mergesim.county.export.layer_from_dict` of a county just exported).
        change: Change per village in the layer's index order (minutes per villager a week;
            NaN where no villager).
        township: Township of each village whose boundaries are drawn (e.g. the new
            townships after the reform); default the layer's own (old) townships.
        seats: Village indices of the township seats marked; default none.

    Returns:
        ``{"rings", "ring_village", "xy", "change", "from_data", "boundaries", "seats",
        "units"}``: territory rings and the village of each, village points, the change,
        whether the territories came with the data, township boundary lines, seat points and
        the coordinate unit (``"km"`` or ``"degrees"``).
    """
    change = np.asarray(change, dtype=float)
    if len(change) != len(villages.shapes):
        raise ValueError(f"{len(change)} changes for {len(villages.shapes)} villages")
    township = villages.column("township_index", np.int64) if township is None else township
    township = np.asarray(township, dtype=np.int64)
    dissolved = dissolve(
        villages.shapes, township, int(township.max(initial=-1)) + 1, villages.grid
    )
    rings, owner = exterior_rings(villages.shapes)
    xy = villages.seats
    seat_idx = np.zeros(0, np.int64) if seats is None else np.asarray(seats, dtype=np.int64)
    return {
        "rings": rings,
        "ring_village": owner,
        "xy": xy,
        "change": change,
        "from_data": villages.from_data,
        "boundaries": boundary_lines(dissolved),
        "seats": xy[seat_idx].reshape(-1, 2),
        "units": villages.units,
    }


def change_span(*changes: np.ndarray) -> float:
    """Half-width of a colour scale centred on 0 that holds every finite change (≥ 1e-9)."""
    finite = [np.abs(c[np.isfinite(c)]) for c in changes]
    top = max((float(f.max()) for f in finite if len(f)), default=1.0)
    return top or 1.0


def plot_travel_change_map(
    data: dict[str, Any],
    ax: Axes | None = None,
    *,
    span: float | None = None,
    title: str | None = None,
    colorbar: bool = True,
) -> Figure:
    """Map of the change in travel burden per village (red: more travel; blue: less), with
    township boundaries and seats.

    Args:
        data: From :func:`travel_change_data`.
        ax: Axes to draw on (default: a new figure).
        span: Colour scale half-width (minutes); default the largest change on this map —
            pass one span to several maps to compare them.
        title: Axes title (default: what the map shows).
        colorbar: Draw the colour bar.
    """
    fig, ax = figure_axes(ax, (7.0, 7.0))
    change = data["change"]
    span = change_span(change) if span is None else span
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span)
    cmap = "RdBu_r"
    if data["from_data"]:
        mappable = PolyCollection(
            data["rings"],
            array=np.nan_to_num(change[data["ring_village"]]),
            cmap=cmap,
            norm=norm,
            edgecolors="0.6",
            linewidths=0.2,
        )
        ax.add_collection(mappable)
    else:
        # Point data: the Voronoi cells are only a guide; the villages carry the values.
        mappable = ax.scatter(
            data["xy"][:, 0], data["xy"][:, 1], c=np.nan_to_num(change), cmap=cmap, norm=norm, s=12
        )
    handles = []
    if data["boundaries"]:
        ax.add_collection(LineCollection(data["boundaries"], colors="black", linewidths=0.8))
        handles.append(Line2D([], [], color="black", lw=0.8, label="township boundary"))
    if len(data["seats"]):
        ax.scatter(data["seats"][:, 0], data["seats"][:, 1], s=10, marker="s", c="black", zorder=3)
        handles.append(
            Line2D([], [], marker="s", ms=3, ls="none", color="black", label="township seat")
        )
    ax.autoscale_view()
    if data["units"] == "degrees":
        # One degree of longitude is cos(latitude) as long as one of latitude.
        lat = float(np.nanmean(data["xy"][:, 1])) if len(data["xy"]) else 0.0
        ax.set_aspect(1.0 / max(np.cos(np.radians(lat)), 1e-6))
    else:
        ax.set_aspect("equal")
    if data["units"] == "degrees":
        ax.set_xlabel("longitude (°)")
        ax.set_ylabel("latitude (°)")
    else:
        ax.set_xlabel("km")
        ax.set_ylabel("km")
    ax.set_title(
        title or "Change in expected travel burden, after − before (min per villager a week)",
        fontsize=10,
    )
    if handles:
        ax.legend(handles=handles, fontsize=6, loc="lower left", frameon=False)
    if colorbar:
        fig.colorbar(mappable, ax=ax, shrink=0.8, label="minutes per villager a week")
    return fig
