"""County geometry in the export's unit: territories, snapped valid shapes, dissolved units.

:func:`territories` gives each village's territory in km (the county's polygons, or Voronoi
cells of the seats for point data); :func:`village_shapes` turns them into valid shapely
polygons in the unit the county is exported in (:func:`units_of`: WGS84 degrees for real data
with a projection centre, local km otherwise), snapped to a fine grid (:data:`GRID`, 1 mm) so
that :func:`dissolve` unites shared edges exactly. The GeoJSON collections built from these are
in :mod:`mergesim.county.export`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from mergesim.county.county import County
from mergesim.county.geometry import EARTH_RADIUS_KM, hull_outline, voronoi_territories

__all__ = [
    "GRID",
    "UNITS_DEGREES",
    "UNITS_KM",
    "boundary_lines",
    "dissolve",
    "exterior_rings",
    "territories",
    "to_output",
    "units_of",
    "village_shapes",
]

#: ``"mergesim:units"`` of a collection in local kilometres (synthetic counties).
UNITS_KM = "km"
#: ``"mergesim:units"`` of a collection in WGS84 longitude/latitude degrees.
UNITS_DEGREES = "degrees"
#: Snapping grid of the geometry, per unit (1 mm; about 1 mm of latitude).
GRID = {UNITS_KM: 1e-6, UNITS_DEGREES: 1e-8}


def territories(county: County) -> tuple[list[np.ndarray], np.ndarray | None, bool]:
    """The county's territory polygons (km), its outline, and whether they came with it.

    Point data (no territories) get Voronoi cells of the seats, clipped to the outline or,
    without one, to the seats' hull buffered by half the typical village spacing (so edge
    villages get some land).
    """
    if county.territories is not None:
        return list(county.territories), county.outline, True
    xy = county.xy
    outline = county.outline
    if outline is None:
        if county.n_villages >= 2:
            dist, _ = cKDTree(xy).query(xy, k=2)
            buffer = 0.5 * float(np.median(dist[:, 1]))
        else:
            buffer = 1.0
        outline = hull_outline(xy, max(buffer, 1e-3))
    polygons, _, _ = voronoi_territories(xy, outline)
    return polygons, outline, False


def units_of(county: County) -> str:
    """The unit of the county's exported coordinates (:data:`UNITS_DEGREES` or km)."""
    return UNITS_DEGREES if county.lonlat_origin is not None else UNITS_KM


def to_output(county: County, xy: np.ndarray) -> np.ndarray:
    """Km coordinates (n, 2) in the export's unit: unchanged, or back to lon/lat degrees
    (the inverse of the loaders' local equirectangular projection)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if county.lonlat_origin is None:
        return xy
    lon0, lat0 = county.lonlat_origin
    k = EARTH_RADIUS_KM * math.pi / 180.0
    return np.column_stack(
        [lon0 + xy[:, 0] / (k * math.cos(math.radians(lat0))), lat0 + xy[:, 1] / k]
    )


def village_shapes(
    county: County, polygons: Sequence[np.ndarray] | None = None
) -> list[BaseGeometry]:
    """One valid (Multi)Polygon per village, in the export's unit, snapped to its grid.

    A territory that is not a valid polygon (a self-touching ring from unclean data) is
    repaired with ``make_valid``; one with fewer than three corners is an empty polygon.

    Args:
        county: The county.
        polygons: Its territories in km (default :func:`territories`).
    """
    if polygons is None:
        polygons, _, _ = territories(county)
    rings = [np.asarray(r, dtype=float).reshape(-1, 2) for r in polygons]
    geoms = np.array(
        [Polygon(to_output(county, r)) if len(r) >= 3 else Polygon() for r in rings], dtype=object
    )
    return _clean(geoms, GRID[units_of(county)])


def _clean(geoms: np.ndarray, grid: float) -> list[BaseGeometry]:
    """Each geometry valid, snapped to ``grid``, polygonal parts only, exteriors
    counter-clockwise (vectorised over the array)."""
    bad = ~shapely.is_valid(geoms) & ~shapely.is_empty(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad])
    geoms = shapely.orient_polygons(shapely.set_precision(geoms, grid))
    return [g if isinstance(g, Polygon | MultiPolygon) else _polygonal(g) for g in geoms]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygons of a collection (``make_valid`` may add lines and points)."""
    polys = [
        p
        for g in getattr(geom, "geoms", [geom])
        if isinstance(g, Polygon | MultiPolygon)
        for p in getattr(g, "geoms", [g])
        if not p.is_empty
    ]
    if not polys:
        return Polygon()
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def dissolve(
    shapes: Sequence[BaseGeometry], groups: np.ndarray, n_groups: int, grid: float
) -> list[BaseGeometry]:
    """Union of the shapes of each group (``groups[i]`` in ``0..n_groups-1``), in group order.

    Args:
        shapes: One geometry per member.
        groups: Group index of each member.
        n_groups: Number of groups (a group without members is an empty polygon).
        grid: Snapping grid of the union (the shapes' grid), so shared edges cancel exactly.
    """
    groups = np.asarray(groups, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n_groups + 1))
    out = np.empty(n_groups, dtype=object)
    for g in range(n_groups):
        members = [shapes[i] for i in order[bounds[g] : bounds[g + 1]]]
        # Snapped territories tile the county: their coverage union is exact and fast. Data
        # with gaps or overlaps is no coverage; the general union handles it.
        union = shapely.coverage_union_all(members) if members else Polygon()
        if not union.is_valid:
            union = shapely.union_all(members, grid_size=grid)
        out[g] = union
    return _clean(out, grid)


def exterior_rings(shapes: Sequence[BaseGeometry]) -> tuple[list[np.ndarray], np.ndarray]:
    """The exterior ring (k, 2) of every polygon part, and the index of its shape."""
    rings, owner = [], []
    for i, s in enumerate(shapes):
        for part in getattr(s, "geoms", [s]):
            if isinstance(part, Polygon) and not part.is_empty:
                rings.append(np.asarray(part.exterior.coords)[:-1])
                owner.append(i)
    return rings, np.asarray(owner, dtype=np.int64)


def boundary_lines(shapes: Sequence[BaseGeometry]) -> list[np.ndarray]:
    """Every ring (exterior and holes) of the shapes as a closed polyline (k, 2)."""
    lines = []
    for s in shapes:
        for part in getattr(s, "geoms", [s]):
            if isinstance(part, Polygon) and not part.is_empty:
                lines.append(np.asarray(part.exterior.coords))
                lines += [np.asarray(r.coords) for r in part.interiors]
    return lines
