"""A county's geometry as GeoJSON: villages, townships, seats and, under a plan, the new units.

FeatureCollections (RFC 7946), one feature per unit, joined to every table by the *index* of
the unit. The join keys are the same in ``plan.csv``, a run's ``villages.csv`` and these files:

* ``<unit>_index`` — mergesim's 0-based index: old village ``i`` is row ``i`` of the county's
  arrays (``village_index``), old townships ``township_index``, the plan's new units
  ``new_village_index`` and ``new_township_index``; each collection's own index is also the
  feature ``id`` and the ``index`` property;
* ``village_id`` — the id from the data file (synthetic counties: 0..n-1);
* ``<unit>_name`` — a display name (names repeat; never join on them).

Collections:

* ``villages`` — each village's territory (the county's polygons, the synthetic generator's
  Voronoi cells clipped to the outline, or, for point data, Voronoi cells of the seats clipped
  to a buffered hull): ``village_index, village_id, village_name, township_index,
  township_name, population, area, seat_x, seat_y, township_seat, border, heritage``; under a
  plan also ``new_village_index, new_village_name, new_township_index, new_township_name,
  village_role, township_role, new_village_seat, new_township_seat``, the outcome groups the
  village belongs to (``group_<name>``: true/false) and, for a run, its per-village outcomes
  (the columns of ``villages.csv``; null where undefined);
* ``townships`` — old townships, their villages dissolved: ``township_index, township_name,
  seat_index, seat_id, seat_name, seat_x, seat_y, villages, population, area`` (+
  ``new_township_index, new_township_name, township_role``);
* ``merged_villages`` and ``new_townships`` (under a plan) — the new units dissolved from their
  members: ``new_village_index`` / ``new_township_index``, names, seat, ``members`` (old
  villages / old townships), ``population``, ``area`` (+ the new township of a merged village);
* ``seats`` — Point features: the county seat, every old township seat (``status`` kept or
  abolished under a plan) and, under a plan, every new township and new village seat:
  ``kind, village_index, village_id, village_name, unit_index, unit_name``;
* ``service_points`` (when given) — Point features at each service point's village after the
  reform, with its kind, status and village before and after.

Coordinates: real data with a known projection centre (:attr:`County.lonlat_origin`) go out
as WGS84 longitude/latitude, as RFC 7946 requires; synthetic counties have no place on Earth
and go out in local kilometres (x east, y north), which each collection says in its foreign
members ``"mergesim:units"`` (``"km"`` or ``"degrees"``) and ``"mergesim:crs"``. Areas are
always km². Every geometry written is valid (shapely ``is_valid``); :func:`read_collection`
reads a file back as shapely shapes.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from mergesim.county.county import County
from mergesim.county.shapes import (
    GRID,
    UNITS_DEGREES,
    UNITS_KM,
    boundary_lines,
    dissolve,
    exterior_rings,
    territories,
    to_output,
    units_of,
    village_shapes,
)

__all__ = [
    "GRID",
    "LAYERS",
    "PLAN_LAYERS",
    "UNITS_DEGREES",
    "UNITS_KM",
    "Layer",
    "PlanArrays",
    "boundary_lines",
    "collections",
    "dissolve",
    "exterior_rings",
    "layer_from_dict",
    "read_collection",
    "territories",
    "to_output",
    "units_of",
    "village_shapes",
]

#: The collections of a county without a plan, and those a plan adds.
LAYERS = ("villages", "townships", "seats")
PLAN_LAYERS = ("merged_villages", "new_townships")
#: What each unit says about its coordinates.
CRS_TEXT = {
    UNITS_DEGREES: "WGS84 longitude/latitude (EPSG:4326)",
    UNITS_KM: "local kilometres east/north of an arbitrary origin (a synthetic county; not "
    "on Earth)",
}


class PlanArrays(Protocol):
    """What the export reads from a merger plan (:class:`mergesim.plans.plan.Plan` has it)."""

    village_to_new: np.ndarray
    township_to_new: np.ndarray
    new_village_seat: np.ndarray
    new_township_seat: np.ndarray
    new_village_name: np.ndarray
    new_township_name: np.ndarray


# -- collections ----------------------------------------------------------------------------


def _json_value(v: Any) -> Any:
    """A NumPy scalar as plain JSON (NaN and infinities as null)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _collection(
    name: str,
    county: County,
    shapes: Sequence[BaseGeometry],
    props: list[dict[str, Any]],
    from_data: bool,
) -> dict[str, Any]:
    units = units_of(county)
    return {
        "type": "FeatureCollection",
        "name": name,
        "mergesim:units": units,
        "mergesim:crs": CRS_TEXT[units],
        "mergesim:county": county.name,
        "mergesim:territories": "data" if from_data else "voronoi",
        "features": [
            {
                "type": "Feature",
                "id": p["index"],
                "properties": {k: _json_value(v) for k, v in p.items()},
                "geometry": mapping(s),
            }
            for s, p in zip(shapes, props, strict=True)
        ],
    }


def _seat(county: County, seat: int, seats_xy: np.ndarray) -> dict[str, Any]:
    x, y = seats_xy[seat]
    return {
        "seat_index": int(seat),
        "seat_id": int(county.village_id[seat]),
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
    groups: Mapping[str, np.ndarray] | None = None,
    outcomes: Mapping[str, Sequence[Any]] | None = None,
    points: Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every collection of the county (:data:`LAYERS`, :data:`PLAN_LAYERS` under a plan, and
    ``service_points`` when ``points`` are given).

    Args:
        county: The county.
        plan: A merger plan over it, or None.
        village_role: Role of each old village under the plan (e.g. "absorbed"), or None.
        township_role: Role of each old township under the plan, or None.
        groups: Outcome group name → bool per village (``group_<name>`` properties).
        outcomes: Column name → one value per village (a run's per-village outcomes).
        points: Service points: column → one value per point; ``village_after`` (village
            index) places each point, the other columns become properties.

    Returns:
        ``{layer name: GeoJSON FeatureCollection as a dict}``.
    """
    polygons, _, from_data = territories(county)
    shapes = village_shapes(county, polygons)
    grid = GRID[units_of(county)]
    seats_xy = to_output(county, county.xy)
    n, t = county.n_villages, county.n_townships
    tname = np.asarray(county.township_name)
    is_tseat = county.is_township_seat
    vprops = [
        {
            "index": i,
            "village_index": i,
            "village_id": int(county.village_id[i]),
            "village_name": str(county.village_name[i]),
            "township_index": int(county.township[i]),
            "township_name": str(tname[county.township[i]]),
            "population": int(county.population[i]),
            "area": float(county.area[i]),
            "seat_x": float(seats_xy[i, 0]),
            "seat_y": float(seats_xy[i, 1]),
            "township_seat": bool(is_tseat[i]),
            "border": bool(county.border[i]),
            "heritage": bool(county.heritage[i]),
        }
        for i in range(n)
    ]
    pop_t, area_t = county.township_population(), county.township_area()
    tprops = [
        {
            "index": j,
            "township_index": j,
            "township_name": str(tname[j]),
            **_seat(county, int(county.township_seat[j]), seats_xy),
            "villages": int(np.sum(county.township == j)),
            "population": int(pop_t[j]),
            "area": float(area_t[j]),
        }
        for j in range(t)
    ]
    out: dict[str, dict[str, Any]] = {}
    if plan is not None:
        _plan_properties(county, plan, vprops, tprops, village_role, township_role)
        out.update(_plan_collections(county, plan, shapes, grid, seats_xy, from_data))
    for name, mask in (groups or {}).items():
        for p, m in zip(vprops, np.asarray(mask, dtype=bool).tolist(), strict=True):
            p[f"group_{name}"] = m
    for name, values in (outcomes or {}).items():
        for p, v in zip(vprops, values, strict=True):
            p[name] = v
    out["villages"] = _collection("villages", county, shapes, vprops, from_data)
    out["townships"] = _collection(
        "townships", county, dissolve(shapes, county.township, t, grid), tprops, from_data
    )
    out["seats"] = _seats(county, plan, seats_xy, from_data)
    if points is not None:
        out["service_points"] = _points(county, points, seats_xy, from_data)
    order = [*LAYERS[:2], *PLAN_LAYERS, "seats", "service_points"]
    return {k: out[k] for k in order if k in out}


def _plan_properties(
    county: County,
    plan: PlanArrays,
    vprops: list[dict[str, Any]],
    tprops: list[dict[str, Any]],
    village_role: Sequence[str] | None,
    township_role: Sequence[str] | None,
) -> None:
    """Add the new units, roles and seats under a plan to the old units' properties."""
    v2n, t2n = np.asarray(plan.village_to_new), np.asarray(plan.township_to_new)
    vt_new = t2n[county.township]
    vseat = np.zeros(county.n_villages, dtype=bool)
    vseat[np.asarray(plan.new_village_seat, dtype=np.int64)] = True
    tseat = np.zeros(county.n_villages, dtype=bool)
    tseat[np.asarray(plan.new_township_seat, dtype=np.int64)] = True
    for i, p in enumerate(vprops):
        p.update(
            {
                "new_village_index": int(v2n[i]),
                "new_village_name": str(plan.new_village_name[v2n[i]]),
                "new_township_index": int(vt_new[i]),
                "new_township_name": str(plan.new_township_name[vt_new[i]]),
                "new_village_seat": bool(vseat[i]),
                "new_township_seat": bool(tseat[i]),
            }
        )
        if village_role is not None:
            p["village_role"] = str(village_role[i])
        if township_role is not None:
            p["township_role"] = str(township_role[county.township[i]])
    for j, p in enumerate(tprops):
        p.update(
            {
                "new_township_index": int(t2n[j]),
                "new_township_name": str(plan.new_township_name[t2n[j]]),
            }
        )
        if township_role is not None:
            p["township_role"] = str(township_role[j])


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
    t_villages = np.bincount(vt_new, minlength=nt)
    v_township = vt_new[np.asarray(plan.new_village_seat, dtype=np.int64)]
    mprops = [
        {
            "index": k,
            "new_village_index": k,
            "new_village_name": str(plan.new_village_name[k]),
            **_seat(county, int(plan.new_village_seat[k]), seats_xy),
            "members": int(v_members[k]),
            "new_township_index": int(v_township[k]),
            "new_township_name": str(plan.new_township_name[v_township[k]]),
            "population": int(v_pop[k]),
            "area": float(v_area[k]),
        }
        for k in range(nv)
    ]
    nprops = [
        {
            "index": k,
            "new_township_index": k,
            "new_township_name": str(plan.new_township_name[k]),
            **_seat(county, int(plan.new_township_seat[k]), seats_xy),
            "members": int(t_members[k]),
            "villages": int(t_villages[k]),
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


def _seats(
    county: County, plan: PlanArrays | None, seats_xy: np.ndarray, from_data: bool
) -> dict[str, Any]:
    """Point features: county seat, old township seats, and the plan's new seats."""
    rows: list[tuple[str, int, int, str, str]] = [
        ("county_seat", int(county.county_seat), -1, "", "")
    ]
    kept = None
    if plan is not None:
        t2n = np.asarray(plan.township_to_new, dtype=np.int64)
        kept = np.asarray(plan.new_township_seat, dtype=np.int64)[t2n] == county.township_seat
    for j, s in enumerate(county.township_seat.tolist()):
        status = "" if kept is None else ("kept" if kept[j] else "abolished")
        rows.append(("township_seat", s, j, str(county.township_name[j]), status))
    if plan is not None:
        for k, s in enumerate(np.asarray(plan.new_township_seat).tolist()):
            rows.append(("new_township_seat", int(s), k, str(plan.new_township_name[k]), ""))
        for k, s in enumerate(np.asarray(plan.new_village_seat).tolist()):
            rows.append(("new_village_seat", int(s), k, str(plan.new_village_name[k]), ""))
    props = [
        {
            "index": i,
            "kind": kind,
            "village_index": v,
            "village_id": int(county.village_id[v]),
            "village_name": str(county.village_name[v]),
            "unit_index": unit,
            "unit_name": uname,
            **({"status": status} if status else {}),
        }
        for i, (kind, v, unit, uname, status) in enumerate(rows)
    ]
    shapes = [Point(*seats_xy[r[1]]) for r in rows]
    return _collection("seats", county, shapes, props, from_data)


def _points(
    county: County,
    points: Mapping[str, Sequence[Any]],
    seats_xy: np.ndarray,
    from_data: bool,
) -> dict[str, Any]:
    """Point features of service points, at their village after the reform."""
    where = np.asarray(points["village_after"], dtype=np.int64)
    cols = {k: list(v) for k, v in points.items()}
    props = []
    for i, v in enumerate(where.tolist()):
        p: dict[str, Any] = {"index": i}
        p.update({k: vals[i] for k, vals in cols.items()})
        p["village_id"] = int(county.village_id[v])
        p["village_name"] = str(county.village_name[v])
        props.append(p)
    shapes = [Point(*seats_xy[v]) for v in where.tolist()]
    return _collection("service_points", county, shapes, props, from_data)


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
    """Read a FeatureCollection written by :func:`collections` (any GeoJSON whose features
    carry an ``index`` property works)."""
    return layer_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
