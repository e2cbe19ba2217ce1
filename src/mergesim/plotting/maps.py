"""Maps of a county before and after a merger plan.

Two layers, so the geometry can be tested without drawing anything:

* :func:`map_data` is a pure function that computes every array a map shows (colours,
  boundary segments, seats, roads, flags) as a :class:`MapData`.
* :func:`plot_county_map` and :func:`plot_before_after` draw a :class:`MapData` onto a
  :class:`matplotlib.figure.Figure`. pyplot is never used: a bare ``Figure`` needs no GUI
  backend (headless-safe) and is not kept alive by pyplot's global figure registry.

Boundaries between territories are found from *shared polygon edges*:

1. All polygon vertices are snapped together within a small tolerance (``1e-6`` of the map
   span): vertices closer than that get one id (a k-d tree pair query plus connected
   components). Voronoi cells of neighbouring villages share their ridge end points, and the
   points where a ridge is clipped by the outline are computed in both cells up to rounding,
   so after snapping a shared ridge is the *same* vertex-id pair in both polygons.
2. Every polygon edge becomes an undirected vertex-id pair. An edge held by two polygons is a
   shared boundary between those two villages; an edge held by one polygon is on the outer
   boundary of the county.
3. Edges held by one polygon only are split ("noded") at any snapped vertex lying on them,
   then matched again. This handles imported territories whose neighbours are digitised with
   different vertices (T-junctions, partially overlapping edges). Territories with true gaps
   or overlaps (unclean GIS data) leave unmatched edges, which are drawn as outer boundary.

A shared edge is a township boundary (bold) when its two villages lie in different townships,
and a village boundary (thin) when they lie in the same township but different villages --
where "township" and "village" are the *new* units when a plan is given, so boundaries
dissolved by a merger disappear from the map.

Townships are coloured by greedy graph colouring (largest degree first) over their adjacency:
the county's road-based :meth:`~mergesim.county.county.County.township_adjacency` (projected
onto new townships after a plan) united with the pairs that share a boundary segment. After a
plan, each new township first tries the colour its seat's old township had on the "before" map,
so the two maps of :func:`plot_before_after` read alike.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from mergesim.county.county import County
from mergesim.county.geometry import hull_outline, voronoi_territories
from mergesim.plans.plan import Plan

#: Light qualitative fills (ColorBrewer Paired/Set3 light tones): dark boundaries, seats and
#: labels stay readable on all of them, and planar township maps rarely need more than six.
PALETTE: tuple[str, ...] = (
    "#a6cee3",
    "#b2df8a",
    "#fdbf6f",
    "#cab2d6",
    "#fb9a99",
    "#ffff99",
    "#8dd3c7",
    "#e5c494",
)
# Used only if greedy colouring ever needs more than len(PALETTE) colours.
_EXTRA_PALETTE: tuple[str, ...] = (
    "#bebada",
    "#80b1d3",
    "#fccde5",
    "#ccebc5",
    "#ffed6f",
    "#d9d9d9",
    "#c7e9c0",
    "#fdd0a2",
)

TRUNK_COLOR = "#c0392b"
CORRIDOR_COLOR = "#f39c12"
BORDER_COLOR = "#1f4e79"
HERITAGE_COLOR = "#6a3d9a"
VILLAGE_LINE_COLOR = "#8c8c8c"
SAVE_DPI = 150

# Families tried after DejaVu Sans for labels, so Chinese township names render when one of
# these fonts is installed (matplotlib >= 3.6 falls back glyph by glyph along the list).
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "AR PL UMing CN",
)


@dataclass(frozen=True, eq=False)
class MapData:
    """Everything one county map shows, as plain arrays (km coordinates).

    "Unit" means a township of the map: an old township before a plan, a new one after it.
    "Group" means a village of the map likewise. Village indices are always *old* village
    indices, i.e. rows of the county's village arrays.

    Attributes:
        after: The map shows the county after a plan.
        method: The plan's method ("" before a plan).
        title: Default title of the map.
        n_units: Number of townships shown.
        n_groups: Number of villages shown.
        village_unit: Township shown for each old village, shape (n_villages,).
        village_group: Village shown for each old village, shape (n_villages,).
        unit_color: Colour index of each township, shape (n_units,).
        village_color: Colour index of each old village (its township's), (n_villages,).
        n_colors: Number of distinct colours used.
        unit_pairs: Adjacent township pairs ``(i, j)``, ``i < j``, used for colouring, (k, 2).
        xy: Village seats, shape (n_villages, 2).
        territories: One polygon per old village (from the county, or recomputed).
        territories_from_data: The county had territories; False for point data, whose
            territories here are Voronoi cells recomputed for drawing boundaries.
        outline: County outline ring (m, 2), or None if the county has none (then
            ``outer_segments`` bound the map).
        township_segments: Boundary segments between townships, shape (k, 2, 2).
        village_segments: Boundary segments between villages of one township, (k, 2, 2).
        outer_segments: Polygon edges held by one territory only (the county's edge), (k, 2, 2).
        unit_seat: Seat village of each township shown, shape (n_units,).
        unit_name: Name of each township shown, shape (n_units,).
        village_seats: Seat villages of the villages shown (all villages before a plan).
        abolished_seats: Old township seats whose township merged into one with another seat
            (empty before a plan), sorted.
        abolished_names: Names of the abolished townships, aligned with ``abolished_seats``.
        county_seat: Village index of the county seat.
        border_villages: Indices of border villages.
        heritage_villages: Indices of heritage villages.
        trunk_segments: Road edges flagged ``edge_trunk``, shape (k, 2, 2).
        corridor_lines: Trunk corridor polylines.
        extent: ``(xmin, xmax, ymin, ymax)`` of the map, with a small margin.
    """

    after: bool
    method: str
    title: str
    n_units: int
    n_groups: int
    village_unit: np.ndarray
    village_group: np.ndarray
    unit_color: np.ndarray
    village_color: np.ndarray
    n_colors: int
    unit_pairs: np.ndarray
    xy: np.ndarray
    territories: list[np.ndarray]
    territories_from_data: bool
    outline: np.ndarray | None
    township_segments: np.ndarray
    village_segments: np.ndarray
    outer_segments: np.ndarray
    unit_seat: np.ndarray
    unit_name: np.ndarray
    village_seats: np.ndarray
    abolished_seats: np.ndarray
    abolished_names: np.ndarray
    county_seat: int
    border_villages: np.ndarray
    heritage_villages: np.ndarray
    trunk_segments: np.ndarray
    corridor_lines: list[np.ndarray]
    extent: tuple[float, float, float, float]


# -- geometry: shared polygon edges --------------------------------------------------------


def _snap_vertices(verts: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Give vertices within ``tol`` of each other one id; return (ids, id coordinates)."""
    nv = len(verts)
    pairs = cKDTree(verts).query_pairs(tol, output_type="ndarray")
    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(nv, nv))
    n_ids, ids = connected_components(graph, directed=False)
    canon = np.empty((n_ids, 2))
    # Reversed assignment: the *first* vertex of each id wins, so results do not depend on
    # NumPy's handling of repeated fancy-index writes.
    canon[ids[::-1]] = verts[::-1]
    return ids, canon


def _edge_keys(lo: np.ndarray, hi: np.ndarray, n_ids: int) -> np.ndarray:
    return lo.astype(np.int64) * np.int64(n_ids) + hi.astype(np.int64)


def _node_single_edges(
    lo: np.ndarray, hi: np.ndarray, own: np.ndarray, canon: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split edges held by one polygon at snapped vertices lying on them (T-junctions)."""
    n_ids = len(canon)
    key = _edge_keys(lo, hi, n_ids)
    _, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    single = np.flatnonzero(counts[inv] == 1)
    if len(single) == 0:
        return lo, hi, own
    a, b = canon[lo[single]], canon[hi[single]]
    length = np.linalg.norm(b - a, axis=1)
    candidates = cKDTree(canon).query_ball_point((a + b) / 2, length / 2 + tol)
    split = np.zeros(len(lo), dtype=bool)
    new_lo: list[np.ndarray] = []
    new_hi: list[np.ndarray] = []
    new_own: list[np.ndarray] = []
    for j, cand in enumerate(candidates):
        if len(cand) <= 2:  # only the edge's own end points: the common, fast case
            continue
        e = single[j]
        c = np.asarray(cand)
        c = c[(c != lo[e]) & (c != hi[e])]
        d = b[j] - a[j]
        rel = canon[c] - a[j]
        t = rel @ d / length[j] ** 2
        perp = np.abs(rel[:, 0] * d[1] - rel[:, 1] * d[0]) / length[j]
        on = (perp <= tol) & (t * length[j] > tol) & ((1 - t) * length[j] > tol)
        if not on.any():
            continue
        chain = np.concatenate([[lo[e]], c[on][np.argsort(t[on])], [hi[e]]])
        new_lo.append(np.minimum(chain[:-1], chain[1:]))
        new_hi.append(np.maximum(chain[:-1], chain[1:]))
        new_own.append(np.full(len(chain) - 1, own[e]))
        split[e] = True
    if not split.any():
        return lo, hi, own
    keep = ~split
    return (
        np.concatenate([lo[keep], *new_lo]),
        np.concatenate([hi[keep], *new_hi]),
        np.concatenate([own[keep], *new_own]),
    )


def shared_boundaries(
    polygons: list[np.ndarray], tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boundary segments of a set of territory polygons and the territories on either side.

    See the module docstring for the method (vertex snapping, edge matching, noding).

    Args:
        polygons: One polygon (k, 2) per territory; open or closed rings; may be empty.
        tol: Snapping tolerance (same unit as the coordinates).

    Returns:
        ``(segments, owner_a, owner_b)``: segments (k, 2, 2), and the polygon indices on either
        side (``owner_a <= owner_b``); ``owner_b`` is -1 for an edge held by one polygon only.
    """
    arrays = [np.asarray(p, dtype=float).reshape(-1, 2) for p in polygons]
    sizes = np.array([len(p) for p in arrays], dtype=np.int64)
    arrays = [p for p in arrays if len(p) >= 2]
    sizes = np.where(sizes >= 2, sizes, 0)
    empty = (np.zeros((0, 2, 2)), np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not arrays:
        return empty
    verts = np.concatenate(arrays)
    owner = np.repeat(np.arange(len(polygons)), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    end = np.repeat(np.cumsum(sizes) - 1, sizes)
    idx = np.arange(len(verts))
    nxt = np.where(idx == end, start, idx + 1)  # each ring wraps around to its first vertex

    ids, canon = _snap_vertices(verts, tol)
    ea, eb = ids[idx], ids[nxt]
    keep = ea != eb  # drops closing duplicates of closed rings and sub-tolerance edges
    lo = np.minimum(ea, eb)[keep]
    hi = np.maximum(ea, eb)[keep]
    own = owner[keep]
    lo, hi, own = _node_single_edges(lo, hi, own, canon, tol)
    if len(lo) == 0:
        return empty

    key = _edge_keys(lo, hi, len(canon))
    order = np.argsort(key, kind="stable")
    key, lo, hi, own = key[order], lo[order], hi[order], own[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    owner_a = np.minimum.reduceat(own, starts)
    owner_b = np.where(counts == 1, -1, np.maximum.reduceat(own, starts))
    segments = np.stack([canon[lo[starts]], canon[hi[starts]]], axis=1)
    return segments, owner_a.astype(np.int64), owner_b.astype(np.int64)


# -- colouring --------------------------------------------------------------------------------


def greedy_colouring(n: int, pairs: np.ndarray, preferred: np.ndarray | None = None) -> np.ndarray:
    """Colour ``n`` nodes so that the two ends of every pair differ (Welsh–Powell greedy).

    Nodes are visited by decreasing degree (ties by index, so the result is deterministic).
    With ``preferred`` colours, a first pass gives every node its preferred colour unless an
    already coloured neighbour has it; a second pass gives the remaining nodes the smallest
    colour free among their neighbours. Deferring the conflicts (rather than resolving them on
    the spot) stops one displaced node from taking, and so displacing, a later node's colour.

    Args:
        n: Number of nodes.
        pairs: Edges (k, 2) of node indices.
        preferred: Optional preferred colour per node (-1 for none).

    Returns:
        Colour index per node (int64, from 0).
    """
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for i, j in np.asarray(pairs, dtype=np.int64).reshape(-1, 2).tolist():
        if i != j:
            neighbours[i].append(j)
            neighbours[j].append(i)
    degree = np.array([len(v) for v in neighbours], dtype=np.int64)
    order = np.lexsort((np.arange(n), -degree)).tolist()
    colour = np.full(n, -1, dtype=np.int64)
    deferred: list[int] = []
    for u in order:
        want = -1 if preferred is None else int(preferred[u])
        if want >= 0 and all(colour[v] != want for v in neighbours[u]):
            colour[u] = want
        else:
            deferred.append(u)
    for u in deferred:
        used = {int(colour[v]) for v in neighbours[u]}
        c = 0
        while c in used:
            c += 1
        colour[u] = c
    return colour


def palette(n: int) -> list[str]:
    """``n`` fill colours: :data:`PALETTE`, extended (then cycled) if more are needed."""
    base = list(PALETTE) + list(_EXTRA_PALETTE)
    return [base[i % len(base)] for i in range(max(n, 1))]


def _unit_pairs(
    county: County,
    village_unit: np.ndarray,
    old_to_unit: np.ndarray,
    seg_a: np.ndarray,
    seg_b: np.ndarray,
) -> np.ndarray:
    """Adjacent unit pairs from township road adjacency plus shared boundary segments."""
    ti, tj = county.township_adjacency().nonzero()
    ua = np.r_[old_to_unit[ti], village_unit[seg_a]]
    ub = np.r_[old_to_unit[tj], village_unit[seg_b]]
    keep = ua != ub
    pairs = np.column_stack([np.minimum(ua, ub)[keep], np.maximum(ua, ub)[keep]])
    return np.unique(pairs.reshape(-1, 2), axis=0).astype(np.int64)


# -- map data ---------------------------------------------------------------------------------


def _check_plan(county: County, plan: Plan) -> None:
    if plan.village_to_new.shape != (county.n_villages,):
        raise ValueError(
            f"plan.village_to_new has shape {plan.village_to_new.shape}, not ({county.n_villages},)"
        )
    if plan.township_to_new.shape != (county.n_townships,):
        raise ValueError(
            f"plan.township_to_new has shape {plan.township_to_new.shape}, "
            f"not ({county.n_townships},)"
        )


def _territories(county: County) -> tuple[list[np.ndarray], np.ndarray | None, bool]:
    """The county's territories, or Voronoi cells recomputed from the village seats."""
    if county.territories is not None:
        return list(county.territories), county.outline, True
    xy = county.xy
    outline = county.outline
    if outline is None:
        # Buffer the hull by half the typical village spacing so edge villages get some land.
        if county.n_villages >= 2:
            dist, _ = cKDTree(xy).query(xy, k=2)
            buffer = 0.5 * float(np.median(dist[:, 1]))
        else:
            buffer = 1.0
        outline = hull_outline(xy, max(buffer, 1e-3))
    polygons, _, _ = voronoi_territories(xy, outline)
    return polygons, outline, False


def _extent(
    outline: np.ndarray | None, polygons: list[np.ndarray], xy: np.ndarray
) -> tuple[float, float, float, float]:
    pts = [xy]
    if outline is not None:
        pts.append(outline)
    pts.extend(np.asarray(p, float).reshape(-1, 2) for p in polygons)
    allp = np.concatenate(pts)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = 0.03 * max(float(np.max(hi - lo)), 1.0)
    return (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad)


def _segments(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.stack([a, b], axis=1).reshape(-1, 2, 2)


def map_data(county: County, plan: Plan | None = None) -> MapData:
    """Compute everything a map of ``county`` (after ``plan``, if given) shows.

    Pure: reads ``county`` and ``plan``, never modifies them, and returns new arrays.

    Args:
        county: The county.
        plan: A merger plan over ``county``, or None for the county as it is.

    Returns:
        The map's :class:`MapData`.

    Raises:
        ValueError: If the plan's arrays do not match the county's sizes.
    """
    n = county.n_villages
    xy = county.xy
    polygons, outline, from_data = _territories(county)
    extent = _extent(outline, polygons, xy)
    tol = 1e-6 * max(extent[1] - extent[0], extent[3] - extent[2])
    segs, own_a, own_b = shared_boundaries(polygons, tol)
    outer = own_b < 0
    inner_a, inner_b = own_a[~outer], own_b[~outer]
    inner_segs = segs[~outer]

    # Colours of the county as it is; after a plan they are the preferences of new townships.
    identity = np.arange(county.n_townships)
    before_pairs = _unit_pairs(county, county.township, identity, inner_a, inner_b)
    before_colour = greedy_colouring(county.n_townships, before_pairs)

    if plan is None:
        village_unit = county.township.astype(np.int64)
        village_group = np.arange(n, dtype=np.int64)
        n_units, n_groups = county.n_townships, n
        unit_pairs, unit_colour = before_pairs, before_colour
        unit_seat = county.township_seat.astype(np.int64)
        unit_name = np.asarray(county.township_name)
        village_seats = np.arange(n, dtype=np.int64)
        abolished = np.zeros(0, dtype=np.int64)
        abolished_names = np.asarray(county.township_name)[:0]
        method = ""
        title = f"{county.name}: before merger — {n_units} townships, {n_groups} villages"
    else:
        _check_plan(county, plan)
        old_to_new = plan.township_to_new.astype(np.int64)
        village_unit = old_to_new[county.township]
        village_group = plan.village_to_new.astype(np.int64)
        n_units, n_groups = plan.n_new_townships, plan.n_new_villages
        unit_pairs = _unit_pairs(county, village_unit, old_to_new, inner_a, inner_b)
        unit_seat = plan.new_township_seat.astype(np.int64)
        preferred = before_colour[county.township[unit_seat]]
        unit_colour = greedy_colouring(n_units, unit_pairs, preferred)
        unit_name = np.asarray(plan.new_township_name)
        village_seats = plan.new_village_seat.astype(np.int64)
        old_seat = county.township_seat.astype(np.int64)
        gone = np.flatnonzero(unit_seat[old_to_new] != old_seat)
        gone = gone[np.argsort(old_seat[gone], kind="stable")]
        abolished = old_seat[gone]
        abolished_names = np.asarray(county.township_name)[gone]
        method = plan.method
        title = (
            f"{county.name}: after merger ({plan.method}) — "
            f"{n_units} townships, {n_groups} villages"
        )

    ua, ub = village_unit[inner_a], village_unit[inner_b]
    ga, gb = village_group[inner_a], village_group[inner_b]
    trunk = np.asarray(county.edge_trunk, dtype=bool)
    return MapData(
        after=plan is not None,
        method=method,
        title=title,
        n_units=int(n_units),
        n_groups=int(n_groups),
        village_unit=village_unit,
        village_group=village_group,
        unit_color=unit_colour,
        village_color=unit_colour[village_unit],
        n_colors=int(np.unique(unit_colour).size),
        unit_pairs=unit_pairs,
        xy=xy,
        territories=polygons,
        territories_from_data=from_data,
        outline=None if outline is None else np.asarray(outline, dtype=float).copy(),
        township_segments=inner_segs[ua != ub],
        village_segments=inner_segs[(ua == ub) & (ga != gb)],
        outer_segments=segs[outer],
        unit_seat=unit_seat,
        unit_name=unit_name,
        village_seats=village_seats,
        abolished_seats=abolished,
        abolished_names=abolished_names,
        county_seat=int(county.county_seat),
        border_villages=np.flatnonzero(county.border),
        heritage_villages=np.flatnonzero(county.heritage),
        trunk_segments=_segments(xy[county.edge_a[trunk]], xy[county.edge_b[trunk]]),
        corridor_lines=[np.asarray(c, dtype=float) for c in county.corridor_lines],
        extent=extent,
    )


# -- drawing ----------------------------------------------------------------------------------


def scale_bar_length(width_km: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k km) of at most a fifth of ``width_km``."""
    target = max(width_km / 5.0, 1e-9)
    exp = np.floor(np.log10(target))
    for mult in (5.0, 2.0, 1.0):
        if mult * 10**exp <= target:
            return float(mult * 10**exp)
    return float(10**exp)  # unreachable: 1 × 10^floor(log10 t) <= t


def _label_family() -> list[str]:
    installed = {f.name for f in fontManager.ttflist}
    return ["DejaVu Sans", *[f for f in _CJK_FAMILIES if f in installed]]


def _draw(ax: Axes, d: MapData, title: str | None) -> None:
    """Draw ``d`` onto ``ax``: fills, boundaries, roads, seats, labels, legend, scale bar."""
    colours = np.array(palette(int(d.unit_color.max(initial=0)) + 1))
    polys = [np.asarray(p, float).reshape(-1, 2) for p in d.territories]
    nonempty = np.array([len(p) >= 3 for p in polys], dtype=bool)
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
    handles: list = []

    border = d.border_villages[nonempty[d.border_villages]]
    if len(border):
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
        handles.append(
            Patch(facecolor="none", edgecolor=BORDER_COLOR, hatch="////", label="border village")
        )

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
    handles += [
        Line2D([], [], color="black", lw=1.3, label="township boundary"),
        Line2D([], [], color=VILLAGE_LINE_COLOR, lw=0.6, label="village boundary"),
    ]

    seats = d.xy[d.village_seats]
    if d.territories_from_data:
        ax.scatter(seats[:, 0], seats[:, 1], s=1.5, c="#555555", linewidths=0, zorder=4)
        handles.append(
            Line2D([], [], marker="o", ms=2, ls="none", color="#555555", label="village seat")
        )
    else:
        # Point data: every village is drawn in its township's colour, seats ringed in black.
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
        handles.append(
            Line2D(
                [], [], marker="o", ms=3, ls="none", mfc="white", mec="black", label="village seat"
            )
        )
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

    # Township names at their seats; a white halo keeps them legible over lines and fills.
    fontsize = 6.5 if d.n_units <= 25 else 5.5
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    family = _label_family()
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
    # Abolished townships keep a quieter label, so the reader can tell what was merged away.
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

    xmin, xmax, ymin, ymax = d.extent
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
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


def _root_figure(ax: Axes) -> Figure:
    try:
        return ax.get_figure(root=True)  # matplotlib >= 3.10: skip SubFigures
    except TypeError:
        return ax.figure


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
    with a legend below the map, a scale bar and a north arrow. Point data (no territories)
    is drawn as coloured village points with boundaries from recomputed Voronoi cells.

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
        fig = _root_figure(ax)
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


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = SAVE_DPI) -> Path:
    """Save ``fig`` atomically: write a temporary file beside ``path``, then rename it.

    A reader (or a crashed run) never sees a half-written image. The format follows the
    suffix of ``path`` (png unless given otherwise).

    Args:
        fig: The figure.
        path: Destination file; missing parent folders are created.
        dpi: Resolution (dots per inch).

    Returns:
        The destination path.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fmt = dest.suffix.lstrip(".").lower() or "png"
    tmp = dest.parent / f".{dest.name}.{secrets.token_hex(6)}.tmp"
    # os.open with mode 0o666 honours the umask (mkstemp would leave the image at 0600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, format=fmt, dpi=dpi)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest
