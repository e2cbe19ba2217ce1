"""The app's figures: the county map coloured by an outcome, and the live weekly series.

As every plot of mergesim: a pure function computes the data (:func:`map_view_data`,
:func:`series_data`), a plot function draws it with matplotlib's object API (``ax=None`` makes
a new :class:`~matplotlib.figure.Figure`, the figure is returned) and labels come from the
metrics registry (:func:`metric_label`), never a raw metric key. :func:`png` turns a figure
into the bytes the page shows.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mergesim.metrics import METRICS
from mergesim.plotting.maps import MapData
from mergesim.plotting.stability import rolling_mean
from mergesim.plotting.timeseries import change_span

#: The live series, in panel order: travel, coverage, one-trip share, petitions, grievance.
#: Keys the metrics registry lacks are left out.
SERIES_KEYS = (
    "travel_min_mean",
    "coverage_admin_30",
    "one_trip_share",
    "petitions_per10k",
    "grievance_mean",
)
#: Weekly petition counts are small numbers: their panel shows a trailing mean of this many
#: weeks (as the run report's stability figure does).
SMOOTH_WEEKS = {"petitions_per10k": 4}
#: Line styles of the runs of a pair (A, B).
RUN_STYLES = ({"color": "#1f77b4", "ls": "-"}, {"color": "#d62728", "ls": "--"})
SCREEN_DPI = 80


def metric_name(key: str) -> str:
    """A metric's short name from the registry."""
    return METRICS[key].name


def metric_unit(key: str) -> str:
    """A metric's unit ("" for a share or other dimensionless value)."""
    unit = METRICS[key].unit
    return "" if unit in ("-", "") else unit


def metric_label(key: str) -> str:
    """``"name (unit)"``, or the name alone for a dimensionless metric."""
    unit = metric_unit(key)
    return f"{metric_name(key)} ({unit})" if unit else metric_name(key)


def format_value(x: float) -> str:
    """A readout value: three significant digits, or "–" for no value."""
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


# -- the map ----------------------------------------------------------------------------------


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 × 10^k that is ≥ ``x`` (1 for ``x`` ≤ 0).

    Colour scales end on such round numbers: they read better, and a scale that stays put
    from week to week keeps the colours comparable (and the colour bar need not be redrawn).
    """
    if not x > 0 or not math.isfinite(x):
        return 1.0
    exp = math.floor(math.log10(x))
    for mult in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        top = mult * 10.0**exp
        if top >= x * (1 - 1e-12):
            return top
    return 10.0 ** (exp + 1)  # unreachable: 10 × 10^exp > x


def map_view_data(
    md: MapData,
    values: np.ndarray,
    *,
    diverging: bool,
    title: str,
    unit_label: str,
    scale: float | None = None,
) -> dict[str, Any]:
    """What one outcome map shows.

    Args:
        md: The county's map data (:func:`mergesim.plotting.maps.map_data`), before or after
            the plan (boundaries and seats).
        values: One value per old village (NaN: no value).
        diverging: A change around 0 (symmetric scale) rather than a level from 0.
        title: Map title.
        unit_label: Colour-bar label (name and unit).
        scale: Half-width (diverging) or top (level) of the colour scale; default from the
            values, so several maps can share one scale when it is given.

    Returns:
        Territories, values, colour limits, boundary segments, seats, extent and labels.
    """
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    if diverging:
        span = nice_ceiling(change_span(v) if scale is None else scale)
        vmin, vmax = -span, span
    else:
        top = float(finite.max()) if scale is None and len(finite) else (scale or 0.0)
        vmin, vmax = 0.0, nice_ceiling(top)
    abolished = md.abolished_seats
    return {
        "territories": md.territories,
        "values": v,
        "vmin": vmin,
        "vmax": vmax,
        "cmap": "RdBu_r" if diverging else "viridis",
        "outline": md.outline,
        "township_segments": md.township_segments,
        "village_segments": md.village_segments,
        "outer_segments": md.outer_segments,
        "seats": md.xy[md.unit_seat],
        "abolished": md.xy[abolished] if len(abolished) else np.zeros((0, 2)),
        "county_seat": md.xy[md.county_seat],
        "extent": md.extent,
        "title": title,
        "unit_label": unit_label,
    }


def plot_outcome_map(
    data: dict[str, Any], ax: Axes | None = None, *, colorbar: bool = True
) -> Figure:
    """Villages coloured by an outcome, with township boundaries and seats.

    Township boundaries are bold, village boundaries thin; dots mark township seats, a star
    the county seat and open circles the seats of abolished townships (after a plan). Villages
    without a value are light grey.
    """
    if ax is None:
        fig = Figure(figsize=(5.6, 5.6), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()
    cmap = colormaps[data["cmap"]].with_extremes(bad="0.85")
    coll = PolyCollection(
        data["territories"],
        array=np.ma.masked_invalid(data["values"]),
        cmap=cmap,
        norm=Normalize(data["vmin"], data["vmax"]),
        edgecolors="none",
    )
    ax.add_collection(coll)
    ax.add_collection(LineCollection(data["village_segments"], colors="0.55", linewidths=0.25))
    ax.add_collection(LineCollection(data["township_segments"], colors="0.1", linewidths=1.1))
    ax.add_collection(LineCollection(data["outer_segments"], colors="black", linewidths=1.2))
    if len(data["abolished"]):
        ax.scatter(
            *data["abolished"].T,
            s=14,
            facecolors="none",
            edgecolors="0.2",
            linewidths=0.8,
            label="abolished township seat",
            zorder=3,
        )
    ax.scatter(*data["seats"].T, s=9, color="black", label="township seat", zorder=4)
    ax.scatter(
        *data["county_seat"],
        s=110,
        marker="*",
        color="gold",
        edgecolors="black",
        linewidths=0.7,
        label="county seat",
        zorder=5,
    )
    x0, x1, y0, y1 = data["extent"]
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(data["title"], fontsize=9)
    ax.legend(loc="lower left", fontsize=6, frameon=True, framealpha=0.8)
    if colorbar:
        fig.colorbar(coll, ax=ax, shrink=0.75, label=data["unit_label"])
    return fig


# -- the weekly series ------------------------------------------------------------------------


def series_data(
    runs: Sequence[tuple[str, Sequence[dict[str, Any]]]],
    *,
    reform_week: int,
    transition_end: int,
    n_weeks: int,
) -> dict[str, Any]:
    """Columns of the live series for one run or a pair.

    Args:
        runs: ``(name, weekly history)`` per run (``model.tracker.history``).
        reform_week, transition_end, n_weeks: The timeline (marks and the x range).

    Returns:
        ``{"keys": [...], "runs": [{"name", "week", <key>: array}], "reform_week",
        "transition_end", "n_weeks", "smooth": {key: weeks}}``; smoothed keys hold the
        trailing mean.
    """
    keys = [k for k in SERIES_KEYS if k in METRICS]
    out_runs = []
    for name, history in runs:
        row: dict[str, Any] = {
            "name": name,
            "week": np.array([h["week"] for h in history], dtype=int),
        }
        for k in keys:
            col = np.array([np.nan if h.get(k) is None else h[k] for h in history], float)
            row[k] = rolling_mean(col, SMOOTH_WEEKS[k]) if k in SMOOTH_WEEKS else col
        out_runs.append(row)
    return {
        "keys": keys,
        "runs": out_runs,
        "reform_week": reform_week,
        "transition_end": transition_end,
        "n_weeks": n_weeks,
        "smooth": {k: w for k, w in SMOOTH_WEEKS.items() if k in keys},
    }


def plot_series(data: dict[str, Any], axes: Sequence[Axes] | None = None) -> Figure:
    """One small panel per series, weeks on x, the reform week and transition marked."""
    keys = data["keys"]
    if axes is None:
        height = 1.3 * len(keys) + 0.7  # inches
        fig = Figure(figsize=(5.6, height))
        # Not sharex: matplotlib places a shared axis's label from every sibling's extent at
        # every draw, which made this figure three times slower to redraw.
        axes = fig.subplots(len(keys), 1, squeeze=False)[:, 0]
        fig.subplots_adjust(
            left=0.13, right=0.97, top=1 - 0.3 / height, bottom=0.5 / height, hspace=0.6
        )
    else:
        fig = axes[0].get_figure()
    r, t = data["reform_week"], data["transition_end"]
    for ax, key in zip(axes, keys, strict=True):
        if t > r:
            ax.axvspan(r, t, color="0.9", zorder=0)
        ax.axvline(r, color="crimson", lw=1.0, ls="--")
        for run, style in zip(data["runs"], RUN_STYLES, strict=False):
            ax.plot(run["week"], run[key], lw=1.1, label=run["name"], **style)
        name = metric_name(key)
        if key in data["smooth"]:
            name += f", {data['smooth'][key]}-week mean"
        unit = metric_unit(key)
        ax.set_title(f"{name} ({unit})" if unit else name, fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.set_xlim(0, data["n_weeks"])
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("week (dashed: reform week; grey: transition)", fontsize=8)
    if len(data["runs"]) > 1:
        axes[0].legend(fontsize=7, frameon=False, loc="upper left", ncol=2)
    return fig


def latest(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The last value of each series of each run (rows for the readout table)."""
    rows = []
    for key in data["keys"]:
        row: dict[str, Any] = {"key": key, "label": metric_label(key)}
        for i, run in enumerate(data["runs"]):
            col = run[key]
            row[i] = float(col[-1]) if len(col) else math.nan
        rows.append(row)
    return rows


def png(fig: Figure, dpi: int = SCREEN_DPI) -> bytes:
    """The figure as PNG bytes (fast compression: the page redraws figures every frame)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()
