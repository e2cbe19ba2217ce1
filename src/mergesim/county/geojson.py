"""GeoJSON villages: a FeatureCollection of Point or (Multi)Polygon features, projected to km.

Point features give the village seats; Polygon / MultiPolygon features give the territory
itself (a MultiPolygon's largest part is kept as its map polygon; its area counts every part,
less holes) and the polygon's centroid is the seat. Coordinates are lon/lat degrees (RFC 7946);
the village columns (:data:`~mergesim.county.columns.VILLAGE_COLUMNS`) come from each feature's
``properties``, found as in a CSV (``[county.columns]``, canonical names, aliases). Polygons
must be valid (shapely ``is_valid``: no self-intersection, e.g. a bow-tie) and of positive
area.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from mergesim.county.columns import VILLAGE_COLUMNS
from mergesim.county.geometry import SAME_POINT_KM, project_lonlat
from mergesim.county.table import Table, is_empty, make_table, read_text, require
from mergesim.errors import DataError

__all__ = ["polygon_neighbours", "polygon_origin", "project_polygons", "read_geojson"]

#: Village columns read from properties (the position comes from the geometry).
PROPERTY_COLUMNS = tuple(c for c in VILLAGE_COLUMNS if c.required != "one pair")


def _load_json(text: str, src: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(
            f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}", source=src
        ) from None
    except RecursionError:
        raise DataError("not usable JSON: nested too deeply", source=src) from None
    except ValueError as e:  # an integer of more than 4,300 digits (Python's int limit)
        what = "a number has too many digits" if "digits" in str(e) else str(e)
        raise DataError(f"not usable JSON: {what}", source=src) from None


def read_geojson(
    path: Path, mapping: Mapping[str, str] | None = None
) -> tuple[Table, list[tuple[str, object]]]:
    """Properties table and geometries ("point", (lon, lat)) or ("polygon", [rings...]).

    Args:
        path: The GeoJSON file.
        mapping: Canonical column → property name (the scenario's ``[county.columns]``).
    """
    text = read_text(path)
    src = str(path)
    doc = _load_json(text, src)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise DataError(
            f"not a GeoJSON FeatureCollection (top-level type {found!r})", source=src, key="type"
        )
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise DataError("FeatureCollection has no 'features' list", source=src, key="features")
    if not feats:
        raise DataError(
            "no villages: the FeatureCollection has no features", source=src, key="features"
        )
    rows: list[dict[str, object]] = []
    where: list[str] = []
    geoms: list[tuple[str, object]] = []
    columns: list[str] = []
    spelling: dict[str, str] = {}
    id_mapped = bool(mapping and mapping.get("id"))
    for i, f in enumerate(feats, start=1):
        label = f"feature {i}"
        if not isinstance(f, dict):
            raise DataError("is not a JSON object", source=src, key=label)
        geom = f.get("geometry")
        if not isinstance(geom, dict):
            raise DataError(
                "has no geometry; every village needs a Point or Polygon", source=src, key=label
            )
        geoms.append(_parse_geometry(geom, src, label))
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise DataError("'properties' is not an object", source=src, key=label)
        row = {str(k).strip().lower(): v for k, v in props.items()}
        spelling.update((str(k).strip().lower(), str(k).strip()) for k in props)
        if not id_mapped and is_empty(row.get("id")) and "id" in f:
            row["id"] = f["id"]
        for k in row:
            if k not in columns:
                columns.append(k)
        rows.append(row)
        where.append(label)
    kinds = {g[0] for g in geoms}
    if len(kinds) > 1:
        raise DataError(
            "mixes Point and Polygon features; use one kind for all villages",
            source=src,
            key="geometry",
        )
    table = make_table(
        src,
        columns,
        rows,
        where,
        kind="property",
        spec=PROPERTY_COLUMNS,
        mapping=mapping,
        spelling=spelling,
    )
    require(
        table,
        PROPERTY_COLUMNS,
        positions=False,
        what="villages",
        hint="; name others in [county.columns]",
    )
    return table, geoms


def _position(p: object, src: str, label: str) -> tuple[float, float]:
    ok = (
        isinstance(p, list | tuple)
        and len(p) >= 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p[:2])
    )
    try:
        lon, lat = (float(p[0]), float(p[1])) if ok else (math.nan, math.nan)
    except OverflowError:  # an integer too large for a float
        lon = lat = math.nan
    if not (math.isfinite(lon) and math.isfinite(lat)):
        shown = repr(p) if len(repr(p)) <= 80 else repr(p)[:77] + "..."
        raise DataError(
            f"bad position {shown}; expected [lon, lat] finite numbers", source=src, key=label
        )
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise DataError(f"position {p!r} is not lon/lat degrees", source=src, key=label)
    return lon, lat


def _ring(r: object, src: str, label: str) -> np.ndarray:
    if not isinstance(r, list):
        raise DataError("polygon ring is not a list of positions", source=src, key=label)
    pts = np.array([_position(p, src, label) for p in r], dtype=float).reshape(-1, 2)
    if len(pts) > 1 and np.array_equal(pts[0], pts[-1]):
        pts = pts[:-1]  # GeoJSON rings repeat their first point; County polygons do not
    if len(pts) < 3:
        raise DataError("polygon ring has fewer than 3 distinct positions", source=src, key=label)
    return pts


def _parse_geometry(geom: dict, src: str, label: str) -> tuple[str, object]:
    gtype = geom.get("type")
    coords = geom.get("coordinates")
    if gtype == "Point":
        return ("point", _position(coords, src, label))
    if gtype in ("Polygon", "MultiPolygon"):
        parts = [coords] if gtype == "Polygon" else coords
        if not isinstance(parts, list) or not parts:
            raise DataError(f"{gtype} has no coordinates", source=src, key=label)
        polys = []
        for part in parts:
            if not isinstance(part, list) or not part:
                raise DataError(f"{gtype} has an empty polygon", source=src, key=label)
            rings = [_ring(r, src, label) for r in part]
            _check_polygon(rings, src, label)
            polys.append(rings)
        if len(polys) > 1:
            multi = MultiPolygon([Polygon(r[0], r[1:]) for r in polys])
            if not multi.is_valid:
                raise DataError(
                    f"MultiPolygon is not valid ({shapely.is_valid_reason(multi)}): its parts "
                    "overlap; repair it in a GIS (e.g. QGIS 'Fix geometries')",
                    source=src,
                    key=label,
                )
        return ("polygon", polys)
    raise DataError(
        f"geometry type {gtype!r} is not allowed; allowed: Point, Polygon, MultiPolygon",
        source=src,
        key=label,
    )


def _check_polygon(rings: list[np.ndarray], src: str, label: str) -> None:
    """Refuse an invalid polygon (self-intersecting, e.g. a bow-tie) or one of zero area."""
    poly = Polygon(rings[0], rings[1:])
    if poly.is_valid:
        return
    if not shapely.make_valid(poly).area > 0.0:
        raise DataError(
            "polygon has zero area (its corners lie on one line); a village territory needs "
            "an area",
            source=src,
            key=label,
        )
    reason = shapely.is_valid_reason(poly)
    raise DataError(
        f"polygon is not valid ({reason}); repair it in a GIS (e.g. QGIS 'Fix geometries')",
        source=src,
        key=label,
    )


def _signed_area_centroid(ring: np.ndarray) -> tuple[float, np.ndarray]:
    """Signed area and centroid of a ring (shoelace); area > 0 for counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    a = 0.5 * float(cross.sum())
    if abs(a) < 1e-15:
        return 0.0, ring.mean(axis=0)
    c = np.array([((x + xn) * cross).sum(), ((y + yn) * cross).sum()]) / (6.0 * a)
    return a, c


def polygon_origin(geoms: list[tuple[str, object]]) -> tuple[float, float]:
    """The projection centre of polygon features: the mean of their first rings' means."""
    anchors = np.array([g[1][0][0].mean(axis=0) for g in geoms])
    return float(anchors[:, 0].mean()), float(anchors[:, 1].mean())


def project_polygons(
    geoms: list[tuple[str, object]], lon0: float, lat0: float
) -> tuple[np.ndarray, list[tuple[np.ndarray, float, list[np.ndarray]]]]:
    """Project polygon features to km about ``(lon0, lat0)``: seats (centroids) and
    (map polygon, area, all rings)."""
    seats = np.empty((len(geoms), 2))
    out: list[tuple[np.ndarray, float, list[np.ndarray]]] = []
    for i, (_kind, polys) in enumerate(geoms):
        weighted, total, best, best_area = np.zeros(2), 0.0, None, -1.0
        rings_km: list[np.ndarray] = []
        for rings in polys:
            part_area = 0.0
            for j, ring in enumerate(rings):
                km = project_lonlat(ring[:, 0], ring[:, 1], lon0, lat0)
                rings_km.append(km)
                a, c = _signed_area_centroid(km)
                # Exterior rings add, holes subtract, whatever their winding in the file.
                a = abs(a) if j == 0 else -abs(a)
                weighted += a * c
                total += a
                part_area += a
            if part_area > best_area:
                best_area = part_area
                best = project_lonlat(rings[0][:, 0], rings[0][:, 1], lon0, lat0)
        seats[i] = weighted / total if total > 0 else rings_km[0].mean(axis=0)
        out.append((best, max(total, 0.0), rings_km))
    return seats, out


def polygon_neighbours(rings_per_village: list[list[np.ndarray]]) -> np.ndarray:
    """Pairs ``i < j`` of polygons that share a boundary edge (two common vertices).

    Vertices are matched after rounding to 1 m, which tolerates the float noise of exported
    tessellations; corner-only contact (one common vertex) is not adjacency.
    """
    owner: dict[tuple[int, int], set[int]] = {}
    for i, rings in enumerate(rings_per_village):
        for r in rings:
            for p in np.rint(r / SAME_POINT_KM).astype(np.int64):
                owner.setdefault((int(p[0]), int(p[1])), set()).add(i)
    shared: dict[tuple[int, int], int] = {}
    for s in owner.values():
        if len(s) < 2:
            continue
        ss = sorted(s)
        for ia, a in enumerate(ss):
            for b in ss[ia + 1 :]:
                shared[(a, b)] = shared.get((a, b), 0) + 1
    pairs = [k for k, c in shared.items() if c >= 2]
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
