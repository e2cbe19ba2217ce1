"""What a county map shows, as plain arrays: :func:`map_data` (pure, testable without drawing).

Territories are the county's, or Voronoi cells recomputed from the village seats for point
data (:func:`mergesim.county.export.territories`). Boundaries between them come from shared
polygon edges (:func:`mergesim.plotting.boundaries.shared_boundaries`). A shared edge is a
township boundary (bold) when its two villages lie in different townships, and a village
boundary (thin) when they lie in the same township but different villages -- where
"township" and "village" are the *new* units when a plan is given, so boundaries dissolved by
a merger disappear from the map.

Townships are coloured by greedy graph colouring (largest degree first) over their adjacency:
the county's road-based :meth:`~mergesim.county.county.County.township_adjacency` (projected
onto new townships after a plan) united with the pairs that share a boundary segment. After a
plan, each new township first tries the colour its seat's old township had on the "before" map,
so the two maps of :func:`~mergesim.plotting.maps.plot_before_after` read alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mergesim.county.county import County
from mergesim.county.export import territories
from mergesim.county.geometry import EARTH_RADIUS_KM
from mergesim.plans.plan import Plan
from mergesim.plotting.boundaries import shared_boundaries


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
        graticule: For real data (a county with a lon/lat origin), the longitude and latitude
            grid: ``(x positions km, labels, y positions km, labels)``; None for synthetic
            counties (local km only).
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
    graticule: tuple[np.ndarray, list[str], np.ndarray, list[str]] | None = None


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


#: Graticule steps tried (degrees), finest first: the first giving at most 6 lines is used.
GRATICULE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)


def graticule(
    extent: tuple[float, float, float, float], origin: tuple[float, float]
) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    """Meridians and parallels across a map in km about a lon/lat ``origin``.

    The loaders' projection is equirectangular about the origin, so meridians are vertical and
    parallels horizontal lines of the km map: each is one tick position.

    Returns:
        ``(x km, longitude labels, y km, latitude labels)``, e.g. ``105.6°E``.
    """
    lon0, lat0 = origin
    k = EARTH_RADIUS_KM * math.pi / 180.0
    kx = k * math.cos(math.radians(lat0))
    xmin, xmax, ymin, ymax = extent
    out = []
    for lo_km, hi_km, scale, centre, pos, neg in (
        (xmin, xmax, kx, lon0, "E", "W"),
        (ymin, ymax, k, lat0, "N", "S"),
    ):
        lo, hi = centre + lo_km / scale, centre + hi_km / scale
        step = next((s for s in GRATICULE_STEPS if (hi - lo) / s <= 6), GRATICULE_STEPS[-1])
        deg = np.arange(math.ceil(lo / step) * step, hi, step)
        digits = max(0, -math.floor(math.log10(step) + 1e-9))
        labels = [f"{abs(d):.{digits}f}°{pos if d >= 0 else neg}" for d in deg]
        out += [(deg - centre) * scale, labels]
    return out[0], out[1], out[2], out[3]


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
    polygons, outline, from_data = territories(county)
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
        graticule=None if county.lonlat_origin is None else graticule(extent, county.lonlat_origin),
    )
