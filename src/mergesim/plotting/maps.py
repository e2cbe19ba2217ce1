"""Maps of a county before and after a merger plan.

Two layers, so the geometry can be tested without drawing anything: :func:`map_data`
(:mod:`mergesim.plotting.map_data`) computes every array a map shows as a
:class:`~mergesim.plotting.map_data.MapData`, and :func:`plot_county_map` and
:func:`plot_before_after` draw it onto a :class:`matplotlib.figure.Figure`, one small function
per layer of the map (fills, roads and boundaries, villages, seats, labels, frame, legend).
"""

from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from mergesim.county.county import County
from mergesim.plans.plan import Plan
from mergesim.plotting.figures import label_family, palette, root_figure
from mergesim.plotting.map_data import MapData, map_data

TRUNK_COLOR = "#c0392b"
CORRIDOR_COLOR = "#f39c12"
BORDER_COLOR = "#1f4e79"
HERITAGE_COLOR = "#6a3d9a"
VILLAGE_LINE_COLOR = "#8c8c8c"


def scale_bar_length(width_km: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k km) of at most a fifth of ``width_km``."""
    target = max(width_km / 5.0, 1e-9)
    exp = np.floor(np.log10(target))
    for mult in (5.0, 2.0, 1.0):
        if mult * 10**exp <= target:
            return float(mult * 10**exp)
    return float(10**exp)  # unreachable: 1 × 10^floor(log10 t) <= t


def _draw(ax: Axes, d: MapData, title: str | None) -> None:
    """Draw ``d`` onto ``ax``, layer by layer; the legend lists the layers drawn."""
    colours = np.array(palette(int(d.unit_color.max(initial=0)) + 1))
    polys = [np.asarray(p, float).reshape(-1, 2) for p in d.territories]
    nonempty = np.array([len(p) >= 3 for p in polys], dtype=bool)
    handles: list = []
    _draw_fills(ax, d, polys, nonempty, colours)
    handles += _draw_border_villages(ax, d, polys, nonempty)
    handles += _draw_lines(ax, d)
    handles += _draw_villages(ax, d, colours)
    handles += _draw_seats(ax, d)
    _draw_labels(ax, d)
    _draw_frame(ax, d)
    ax.set_title(d.title if title is None else title, fontsize=9)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=3,
        fontsize=6.5,
        frameon=False,
        handlelength=1.8,
        columnspacing=1.2,
    )


def _draw_fills(
    ax: Axes, d: MapData, polys: list[np.ndarray], nonempty: np.ndarray, colours: np.ndarray
) -> None:
    """Territories filled in their township's colour."""
    fill_idx = np.flatnonzero(nonempty)
    # Point data: the recomputed cells are only a guide, so they are filled faintly and the
    # villages themselves carry the colour.
    fill_alpha = 1.0 if d.territories_from_data else 0.35
    ax.add_collection(
        PolyCollection(
            [polys[i] for i in fill_idx],
            facecolors=colours[d.village_color[fill_idx]],
            edgecolors="none",
            alpha=fill_alpha,
            zorder=1,
        )
    )


def _draw_border_villages(
    ax: Axes, d: MapData, polys: list[np.ndarray], nonempty: np.ndarray
) -> list:
    """Border villages hatched; returns their legend handle (none if there are none)."""
    border = d.border_villages[nonempty[d.border_villages]]
    if not len(border):
        return []
    ax.add_collection(
        PolyCollection(
            [polys[i] for i in border],
            facecolors="none",
            edgecolors=BORDER_COLOR,
            linewidths=0.0,
            hatch="////",
            zorder=1.5,
        )
    )
    return [Patch(facecolor="none", edgecolor=BORDER_COLOR, hatch="////", label="border village")]


def _draw_lines(ax: Axes, d: MapData) -> list:
    """Village boundaries, trunk corridors and roads, township boundaries and the outline."""
    handles: list = []
    ax.add_collection(
        LineCollection(d.village_segments, colors=VILLAGE_LINE_COLOR, linewidths=0.35, zorder=2)
    )
    if len(d.corridor_lines):
        ax.add_collection(
            LineCollection(
                d.corridor_lines, colors=CORRIDOR_COLOR, linewidths=2.2, alpha=0.8, zorder=2.4
            )
        )
        handles.append(Line2D([], [], color=CORRIDOR_COLOR, lw=2.2, label="trunk corridor"))
    if len(d.trunk_segments):
        ax.add_collection(
            LineCollection(d.trunk_segments, colors=TRUNK_COLOR, linewidths=1.1, zorder=2.6)
        )
        handles.append(Line2D([], [], color=TRUNK_COLOR, lw=1.1, label="trunk road"))
    ax.add_collection(LineCollection(d.township_segments, colors="black", linewidths=1.3, zorder=3))
    if d.outline is not None:
        ring = np.vstack([d.outline, d.outline[:1]])
        ax.plot(ring[:, 0], ring[:, 1], color="black", lw=1.8, zorder=3.2)
    else:
        ax.add_collection(
            LineCollection(d.outer_segments, colors="black", linewidths=1.8, zorder=3.2)
        )
    return handles + [
        Line2D([], [], color="black", lw=1.3, label="township boundary"),
        Line2D([], [], color=VILLAGE_LINE_COLOR, lw=0.6, label="village boundary"),
    ]


def _draw_villages(ax: Axes, d: MapData, colours: np.ndarray) -> list:
    """Village seats (point data: every village in its township's colour, seats ringed)."""
    seats = d.xy[d.village_seats]
    if d.territories_from_data:
        ax.scatter(seats[:, 0], seats[:, 1], s=1.5, c="#555555", linewidths=0, zorder=4)
        return [Line2D([], [], marker="o", ms=2, ls="none", color="#555555", label="village seat")]
    ax.scatter(
        d.xy[:, 0],
        d.xy[:, 1],
        s=9,
        c=colours[d.village_color],
        edgecolors="#555555",
        linewidths=0.3,
        zorder=4,
    )
    ax.scatter(
        seats[:, 0],
        seats[:, 1],
        s=9,
        facecolors="none",
        edgecolors="black",
        linewidths=0.6,
        zorder=4.1,
    )
    return [
        Line2D([], [], marker="o", ms=3, ls="none", mfc="white", mec="black", label="village seat")
    ]


def _draw_seats(ax: Axes, d: MapData) -> list:
    """Heritage villages, abolished and current township seats, and the county seat."""
    handles: list = []
    if len(d.heritage_villages):
        h = d.xy[d.heritage_villages]
        ax.scatter(
            h[:, 0],
            h[:, 1],
            s=14,
            marker="D",
            c=HERITAGE_COLOR,
            edgecolors="white",
            linewidths=0.4,
            zorder=4.5,
        )
        handles.append(
            Line2D(
                [], [], marker="D", ms=4, ls="none", color=HERITAGE_COLOR, label="heritage village"
            )
        )
    if len(d.abolished_seats):
        a = d.xy[d.abolished_seats]
        ax.scatter(
            a[:, 0],
            a[:, 1],
            s=22,
            marker="s",
            facecolors="white",
            edgecolors="black",
            linewidths=0.9,
            zorder=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="s",
                ms=4.5,
                ls="none",
                mfc="white",
                mec="black",
                label="abolished township seat",
            )
        )
    ts = d.xy[d.unit_seat]
    ax.scatter(ts[:, 0], ts[:, 1], s=20, marker="s", c="black", zorder=5.5)
    handles.append(
        Line2D([], [], marker="s", ms=4.5, ls="none", color="black", label="township seat")
    )
    cs = d.xy[d.county_seat]
    ax.scatter(
        [cs[0]],
        [cs[1]],
        s=170,
        marker="*",
        c="#ffd700",
        edgecolors="black",
        linewidths=0.8,
        zorder=6,
    )
    handles.append(
        Line2D(
            [], [], marker="*", ms=10, ls="none", mfc="#ffd700", mec="black", label="county seat"
        )
    )
    return handles


def _draw_labels(ax: Axes, d: MapData) -> None:
    """Township names at their seats; abolished townships in a quieter italic."""
    fontsize = 6.5 if d.n_units <= 25 else 5.5
    # A white halo keeps the names legible over lines and fills.
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    family = label_family()
    ts = d.xy[d.unit_seat]
    for name, (x, y) in zip(d.unit_name.tolist(), ts.tolist(), strict=True):
        ax.annotate(
            str(name),
            (x, y),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=fontsize,
            fontfamily=family,
            path_effects=halo,
            zorder=7,
            annotation_clip=False,
        )
    # Abolished townships keep a label, so the reader can tell what was merged away.
    abolished_xy = d.xy[d.abolished_seats].reshape(-1, 2)
    for name, (x, y) in zip(d.abolished_names.tolist(), abolished_xy.tolist(), strict=True):
        ax.annotate(
            str(name),
            (x, y),
            xytext=(3, -3),
            textcoords="offset points",
            va="top",
            fontsize=fontsize - 0.5,
            fontstyle="italic",
            color="#555555",
            fontfamily=family,
            path_effects=halo,
            zorder=6.9,
            annotation_clip=False,
        )


def _draw_frame(ax: Axes, d: MapData) -> None:
    """Extent, equal aspect, a longitude/latitude grid for real data (no ticks for a synthetic
    county), a scale bar (lower right) and a north arrow."""
    xmin, xmax, ymin, ymax = d.extent
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    if d.graticule is None:
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        xs, xlabels, ys, ylabels = d.graticule
        ax.set_xticks(xs, xlabels, fontsize=6.5)
        ax.set_yticks(ys, ylabels, fontsize=6.5, rotation=90, va="center")
        ax.grid(True, color="#666666", linewidth=0.35, alpha=0.5, linestyle=":")
        ax.set_axisbelow(False)
        ax.tick_params(length=2, pad=1.5)
    length = scale_bar_length(xmax - xmin)
    ax.add_artist(
        AnchoredSizeBar(
            ax.transData,
            length,
            f"{length:g} km",
            "lower right",
            pad=0.5,
            borderpad=0.5,
            sep=3,
            frameon=False,
            size_vertical=(ymax - ymin) * 0.006,
        )
    )
    ax.annotate(
        "N",
        xy=(0.965, 0.975),
        xytext=(0.965, 0.895),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=8,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.0},
    )


def plot_county_map(
    county: County,
    plan: Plan | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Map of ``county``, or of the county after ``plan``.

    Territories are filled by township colour (adjacent townships differ); township boundaries
    are bold black, village boundaries thin grey; trunk roads red, corridors orange; township
    seats black squares labelled with their names, abolished township seats hollow squares;
    border villages hatched, heritage villages purple diamonds, the county seat a gold star;
    with a legend below the map, a scale bar and a north arrow; a real county (longitude and
    latitude data) gets a longitude/latitude grid. Point data (no territories) is drawn as
    coloured village points with boundaries from recomputed Voronoi cells.

    Args:
        county: The county.
        plan: A merger plan, or None for the county before any merger.
        ax: Axes to draw into; a new 8 × 8.8 inch figure is made if None.
        title: Map title; defaults to :attr:`MapData.title`.

    Returns:
        The figure holding the map (``ax``'s root figure if ``ax`` was given).
    """
    d = map_data(county, plan)
    if ax is None:
        fig = Figure(figsize=(8.0, 8.8), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = root_figure(ax)
    _draw(ax, d, title)
    return fig


def plot_before_after(county: County, plan: Plan, *, title: str | None = None) -> Figure:
    """Two maps side by side: the county before (left) and after (right) ``plan``.

    Args:
        county: The county.
        plan: The merger plan.
        title: Optional figure title above both maps.

    Returns:
        The figure.
    """
    fig = Figure(figsize=(15.0, 8.6), layout="constrained")
    ax_before, ax_after = fig.subplots(1, 2)
    plot_county_map(county, None, ax=ax_before)
    plot_county_map(county, plan, ax=ax_after)
    if title is not None:
        fig.suptitle(title, fontsize=11)
    return fig
