"""A county's geometry as GeoJSON: villages, townships and, under a plan, the merged units.

Four FeatureCollections (RFC 7946), one feature per unit, joined to every table by the
*index* of the unit (village ``i`` is row ``i`` of the county's arrays and the ``village``
column of ``villages.csv``; external ids and names ride along as properties):

* ``villages`` — each village's territory: the county's polygons (data with polygons, or the
  synthetic generator's Voronoi cells clipped to the outline) or, for point data, Voronoi cells
  of the seats clipped to a buffered hull. Properties: ``index, id, name, township,
  township_name, population, area, seat_x, seat_y`` and, under a plan, ``new_village,
  new_village_name, new_township, new_township_name`` and the ``role`` of the old village.
* ``townships`` — old townships, their villages dissolved. ``index, name, seat, seat_name,
  seat_x, seat_y, villages, population, area`` (+ ``new_township, new_township_name, role``).
* ``merged_villages`` and ``new_townships`` (under a plan only) — the new units dissolved from
  their members: ``index, name, seat, seat_name, seat_x, seat_y, members, population, area``
  (+ ``township, township_name`` for merged villages).

Coordinates: real data with a known projection centre (:attr:`County.lonlat_origin`) go out
as WGS84 longitude/latitude, as RFC 7946 requires; synthetic counties have no place on Earth
and go out in local kilometres (x east, y north), which each collection says in its foreign
member ``"mergesim:units"`` (``"km"`` or ``"degrees"``). Areas are always km².

Polygons are snapped to a fine grid (1 mm, or 1e-8 degrees) before dissolving, so shared
edges match exactly and dissolved units have no slivers; every geometry written is valid
(shapely ``is_valid``). :func:`read_collection` reads a file back as shapely shapes.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from mergesim.county.county import County
from mergesim.county.geometry import EARTH_RADIUS_KM, hull_outline, voronoi_territories

#: ``"mergesim:units"`` of a collection in local kilometres (synthetic counties).
UNITS_KM = "km"
#: ``"mergesim:units"`` of a collection in WGS84 longitude/latitude degrees.
UNITS_DEGREES = "degrees"
#: Snapping grid of the geometry, per unit (1 mm; about 1 mm of latitude).
GRID = {UNITS_KM: 1e-6, UNITS_DEGREES: 1e-8}
#: The collections of a county without a plan, and with one.
LAYERS = ("villages", "townships")
PLAN_LAYERS = ("merged_villages", "new_townships")


class PlanArrays(Protocol):
    """What the export reads from a merger plan (:class:`mergesim.plans.plan.Plan` has it)."""

    village_to_new: np.ndarray
    township_to_new: np.ndarray
    new_village_seat: np.ndarray
    new_township_seat: np.ndarray
    new_village_name: np.ndarray
    new_township_name: np.ndarray


# -- territories ----------------------------------------------------------------------------


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


# -- collections ----------------------------------------------------------------------------


def _collection(
    name: str,
    county: County,
    shapes: Sequence[BaseGeometry],
    props: list[dict[str, Any]],
    from_data: bool,
) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "name": name,
        "mergesim:units": units_of(county),
        "mergesim:county": county.name,
        "mergesim:territories": "data" if from_data else "voronoi",
        "features": [
            {"type": "Feature", "id": p["index"], "properties": p, "geometry": mapping(s)}
            for s, p in zip(shapes, props, strict=True)
        ],
    }


def _seat(county: County, seat: int, seats_xy: np.ndarray) -> dict[str, Any]:
    x, y = seats_xy[seat]
    return {
        "seat": int(seat),
        "seat_name": str(county.village_name[seat]),
        "seat_x": float(x),
        "seat_y": float(y),
    }


def collections(
    county: County,
    plan: PlanArrays | None = None,
    *,
    village_role: Sequence[str] | None = None,
    township_role: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every collection of the county (:data:`LAYERS`, and :data:`PLAN_LAYERS` under a plan).

    Args:
        county: The county.
        plan: A merger plan over it, or None.
        village_role: Role of each old village under the plan (e.g. "absorbed"), or None.
        township_role: Role of each old township under the plan, or None.

    Returns:
        ``{layer name: GeoJSON FeatureCollection as a dict}``.
    """
    polygons, _, from_data = territories(county)
    shapes = village_shapes(county, polygons)
    grid = GRID[units_of(county)]
    seats_xy = to_output(county, county.xy)
    n, t = county.n_villages, county.n_townships
    tname = np.asarray(county.township_name)
    vprops = [
        {
            "index": i,
            "id": int(county.village_id[i]),
            "name": str(county.village_name[i]),
            "township": int(county.township[i]),
            "township_name": str(tname[county.township[i]]),
            "population": int(county.population[i]),
            "area": float(county.area[i]),
            "seat_x": float(seats_xy[i, 0]),
            "seat_y": float(seats_xy[i, 1]),
        }
        for i in range(n)
    ]
    pop_t, area_t = county.township_population(), county.township_area()
    tprops = [
        {
            "index": j,
            "name": str(tname[j]),
            **_seat(county, int(county.township_seat[j]), seats_xy),
            "villages": int(np.sum(county.township == j)),
            "population": int(pop_t[j]),
            "area": float(area_t[j]),
        }
        for j in range(t)
    ]
    out = {"villages": None, "townships": None}
    if plan is not None:
        v2n, t2n = np.asarray(plan.village_to_new), np.asarray(plan.township_to_new)
        vt_new = t2n[county.township]
        for i, p in enumerate(vprops):
            p.update(
                {
                    "new_village": int(v2n[i]),
                    "new_village_name": str(plan.new_village_name[v2n[i]]),
                    "new_township": int(vt_new[i]),
                    "new_township_name": str(plan.new_township_name[vt_new[i]]),
                }
            )
            if village_role is not None:
                p["role"] = str(village_role[i])
        for j, p in enumerate(tprops):
            p.update(
                {
                    "new_township": int(t2n[j]),
                    "new_township_name": str(plan.new_township_name[t2n[j]]),
                }
            )
            if township_role is not None:
                p["role"] = str(township_role[j])
        out.update(_plan_collections(county, plan, shapes, grid, seats_xy, from_data))
    out["villages"] = _collection("villages", county, shapes, vprops, from_data)
    out["townships"] = _collection(
        "townships", county, dissolve(shapes, county.township, t, grid), tprops, from_data
    )
    return out


def _plan_collections(
    county: County,
    plan: PlanArrays,
    shapes: list[BaseGeometry],
    grid: float,
    seats_xy: np.ndarray,
    from_data: bool,
) -> dict[str, Any]:
    """The merged villages and the new townships, dissolved from their old villages."""
    v2n = np.asarray(plan.village_to_new, dtype=np.int64)
    vt_new = np.asarray(plan.township_to_new, dtype=np.int64)[county.township]
    nv, nt = len(plan.new_village_seat), len(plan.new_township_seat)
    pop, area = county.population.astype(float), county.area.astype(float)
    v_pop, v_area = np.bincount(v2n, pop, nv), np.bincount(v2n, area, nv)
    t_pop, t_area = np.bincount(vt_new, pop, nt), np.bincount(vt_new, area, nt)
    v_members = np.bincount(v2n, minlength=nv)
    t_members = np.bincount(np.asarray(plan.township_to_new, dtype=np.int64), minlength=nt)
    v_township = vt_new[np.asarray(plan.new_village_seat, dtype=np.int64)]
    mprops = [
        {
            "index": k,
            "name": str(plan.new_village_name[k]),
            **_seat(county, int(plan.new_village_seat[k]), seats_xy),
            "members": int(v_members[k]),
            "township": int(v_township[k]),
            "township_name": str(plan.new_township_name[v_township[k]]),
            "population": int(v_pop[k]),
            "area": float(v_area[k]),
        }
        for k in range(nv)
    ]
    nprops = [
        {
            "index": k,
            "name": str(plan.new_township_name[k]),
            **_seat(county, int(plan.new_township_seat[k]), seats_xy),
            "members": int(t_members[k]),
            "population": int(t_pop[k]),
            "area": float(t_area[k]),
        }
        for k in range(nt)
    ]
    return {
        "merged_villages": _collection(
            "merged_villages", county, dissolve(shapes, v2n, nv, grid), mprops, from_data
        ),
        "new_townships": _collection(
            "new_townships", county, dissolve(shapes, vt_new, nt, grid), nprops, from_data
        ),
    }


# -- reading back -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Layer:
    """A FeatureCollection read back: shapes and properties in feature order.

    Attributes:
        name: The collection's name (``villages``, ``townships`` …).
        units: ``"km"`` or ``"degrees"``.
        from_data: The territories came with the county (False: Voronoi cells of points).
        shapes: One shapely geometry per feature.
        properties: One properties dict per feature.
    """

    name: str
    units: str
    from_data: bool
    shapes: list[BaseGeometry]
    properties: list[dict[str, Any]]

    def column(self, key: str, dtype: Any = None) -> np.ndarray:
        """One property of every feature as an array."""
        return np.array([p[key] for p in self.properties], dtype=dtype)

    @property
    def seats(self) -> np.ndarray:
        """Seat points (n, 2) in the layer's unit."""
        return np.column_stack([self.column("seat_x", float), self.column("seat_y", float)])

    @property
    def grid(self) -> float:
        """The snapping grid of the layer's unit."""
        return GRID[self.units]


def layer_from_dict(fc: dict[str, Any]) -> Layer:
    """A :class:`Layer` from a FeatureCollection dict; features in index order."""
    feats = sorted(fc["features"], key=lambda f: f["properties"]["index"])
    return Layer(
        str(fc.get("name", "")),
        str(fc.get("mergesim:units", UNITS_DEGREES)),
        fc.get("mergesim:territories", "data") == "data",
        [shape(f["geometry"]) for f in feats],
        [dict(f["properties"]) for f in feats],
    )


def read_collection(path: str | os.PathLike[str]) -> Layer:
    """Read a FeatureCollection written by :func:`collections` (any GeoJSON of polygons whose
    features carry an ``index`` property works)."""
    return layer_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


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
