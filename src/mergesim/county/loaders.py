"""Real-data county loaders: villages from a CSV or GeoJSON file, roads from an edges CSV.

Both loaders read one row (CSV line or GeoJSON feature) per administrative village and build a
:class:`~mergesim.county.county.County`. Every mistake in the data is raised as a one-line
:class:`~mergesim.errors.DataError` naming the file, the column and the 1-based line number
(GeoJSON: the 1-based feature number).

Village columns (CSV header names, or GeoJSON feature ``properties``; case-insensitive, unknown
columns are ignored, an empty cell takes the default):

=================  ========  ====================================================================
column             required  meaning
=================  ========  ====================================================================
``id``             yes       Village id (integer, unique); edges and output refer to it.
``name``           yes       Village name (empty: the id).
``township``       yes       Name of the village's township (non-empty). Township order is the
                             order of first appearance in the file.
``x``, ``y``       one pair  Seat position (km, east/north). Used if present.
``lon``, ``lat``   one pair  Seat position (degrees, WGS84); projected to km with a local
                             equirectangular projection about the mean point:
                             x = R·cos(lat0)·Δlon, y = R·Δlat, R = 6371 km.
                             GeoJSON always takes the position from the geometry (lon/lat).
``population``     yes       Registered residents (persons, number ≥ 0; rounded).
``households``     no        Households (≥ 0). Default round(population / 3.1).
``groups``         no        Villager groups (≥ 1). Default max(1, round(households / 40)).
``area_km2``       no        Territory area (km², > 0). Default: the area of the village's
                             territory (Voronoi cell, or the GeoJSON polygon).
``terrain``        no        ``plain``, ``hill`` or ``mountain``. Default ``hill``.
``border``         no        Border ("三边") village: 0/1/true/false/yes/no. Default false.
``heritage``       no        Heritage village (same values). Default false.
``corridor``       no        On a trunk corridor (same values). Default false.
``township_seat``  no        1 marks the seat village of its township (at most one per
                             township). Default: the township's most populous village.
``township_class`` no        ``county_seat``, ``central``, ``ordinary``, ``border`` or
                             ``heritage``; rows of one township must agree. Default
                             ``ordinary``, except: the township holding the most populous
                             village is ``county_seat`` (when no township is classed so);
                             else a township with a border village is ``border``; else a
                             township whose seat row has ``heritage`` = 1 is ``heritage``.
=================  ========  ====================================================================

Edges CSV (optional): columns ``a``, ``b`` (village ids), ``minutes`` (optional, > 0; missing or
empty: computed from the straight-line length with :func:`~mergesim.county.county.road_minutes`)
and ``trunk`` (optional 0/1; default: both ends are corridor villages). Edges are undirected;
a pair listed twice keeps its fastest entry. The edges must connect every village.

Without an edges file, roads join territory neighbours: Voronoi neighbours of the seats inside
the county outline (points), or polygons sharing a boundary edge (GeoJSON polygons). Any pieces
left apart (e.g. islands in polygon data) are joined by their shortest gap, so the derived road
graph is always connected.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import ConvexHull, cKDTree

from mergesim.config.schema import RoadParams
from mergesim.county.county import (
    TERRAIN_NAMES,
    TOWNSHIP_CLASS_NAMES,
    County,
    Terrain,
    TownshipClass,
    road_minutes,
)
from mergesim.county.geometry import hull_outline, voronoi_territories
from mergesim.errors import DataError

__all__ = ["load_county_csv", "load_county_geojson", "project_lonlat", "EARTH_RADIUS_KM"]

#: Mean Earth radius (km) for the local equirectangular projection.
EARTH_RADIUS_KM = 6371.0
#: Persons per household when ``households`` is missing (CountyParams.household_size default).
HOUSEHOLD_SIZE = 3.1
#: Households per villager group when ``groups`` is missing (CountyParams.group_households).
GROUP_HOUSEHOLDS = 40.0
#: Seats closer than this are one point to the Voronoi step (km; 1 m).
_SAME_POINT_KM = 1e-3

_REQUIRED = ("id", "name", "township", "population")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def load_county_csv(
    path: str | Path,
    *,
    edges: str | Path | None = None,
    roads: RoadParams,
    name: str | None = None,
) -> County:
    """Load a county from a villages CSV (see the module docstring for its columns).

    Territories are the Voronoi cells of the village seats inside the seats' convex hull pushed
    out by half the median nearest-neighbour spacing.

    Args:
        path: Villages CSV (UTF-8, optional BOM).
        edges: Optional road edges CSV; None or "" derives roads from territory neighbours.
        roads: Road speeds and detour factor used for minutes not given in the edges file.
        name: County name; default the file's stem.

    Returns:
        A validated :class:`County` with ``source = str(path)``.

    Raises:
        DataError: The file is missing or malformed, or a value is invalid.
    """
    path = Path(path)
    table = _read_csv(path)
    xy = _csv_coordinates(table)
    return _build(table, xy, None, edges=edges, roads=roads, name=name or path.stem)


def load_county_geojson(
    path: str | Path,
    *,
    edges: str | Path | None = None,
    roads: RoadParams,
    name: str | None = None,
) -> County:
    """Load a county from a GeoJSON FeatureCollection, one feature per village.

    Point features give the village seats; territories are then Voronoi cells as for a CSV.
    Polygon / MultiPolygon features give the territory itself (a MultiPolygon's largest part is
    kept as its map polygon; its area counts every part, less holes) and the polygon's centroid
    is the seat. All features must be of one kind. Coordinates are lon/lat degrees (RFC 7946),
    projected as for a CSV's ``lon``/``lat``; the village columns come from ``properties``
    (``id`` may also be the feature's own ``id`` member).

    Args:
        path: GeoJSON file.
        edges: Optional road edges CSV; None or "" derives roads from territory neighbours.
        roads: Road speeds and detour factor used for minutes not given in the edges file.
        name: County name; default the file's stem.

    Returns:
        A validated :class:`County` with ``source = str(path)``.

    Raises:
        DataError: The file is missing, not JSON, not a FeatureCollection, a feature lacks a
            usable geometry, or a property value is invalid.
    """
    path = Path(path)
    table, geoms = _read_geojson(path)
    if geoms[0][0] == "point":
        lonlat = np.array([g[1] for g in geoms], dtype=float)
        xy = project_lonlat(lonlat[:, 0], lonlat[:, 1])
        return _build(table, xy, None, edges=edges, roads=roads, name=name or path.stem)
    xy, polys = _project_polygons(geoms)
    return _build(table, xy, polys, edges=edges, roads=roads, name=name or path.stem)


def project_lonlat(
    lon: np.ndarray, lat: np.ndarray, lon0: float | None = None, lat0: float | None = None
) -> np.ndarray:
    """Local equirectangular projection of lon/lat degrees to km about (lon0, lat0).

    Accurate to well under 1 % across a county (≤ ~200 km), which is far below the error of
    straight-line road lengths.

    Args:
        lon, lat: Degrees.
        lon0, lat0: Projection centre (degrees); default the mean point.

    Returns:
        Array (n, 2) of (x, y) km east and north of the centre.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    lon0 = float(lon.mean()) if lon0 is None else lon0
    lat0 = float(lat.mean()) if lat0 is None else lat0
    k = EARTH_RADIUS_KM * math.pi / 180.0
    return np.column_stack([k * math.cos(math.radians(lat0)) * (lon - lon0), k * (lat - lat0)])


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass
class _Table:
    """Rows of a village file as raw cells, with where each row came from (for messages)."""

    source: str
    columns: list[str]
    rows: list[dict[str, object]]
    where: list[str]  # "line 5" / "feature 3"
    kind: str  # "column" (CSV) or "property" (GeoJSON), for messages

    def cells(self, column: str) -> list[object]:
        return [r.get(column) for r in self.rows]

    def error(self, message: str, column: str | None = None) -> DataError:
        return DataError(message, source=self.source, key=column)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError("file not found", source=str(path))
    if not path.is_file():
        raise DataError("is not a file", source=str(path))


def _read_text(path: Path) -> str:
    _check_file(path)
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark before the header.
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"not UTF-8 text (byte {e.start}); save the file as UTF-8",
                        source=str(path)) from None


def _read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, object]], list[str]]:
    """Header (lower-cased) and non-blank rows of a CSV, with 1-based line labels."""
    text = _read_text(path)
    reader = csv.reader(text.splitlines(keepends=True))
    header: list[str] | None = None
    rows: list[dict[str, object]] = []
    where: list[str] = []
    try:
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue  # blank lines carry no village
            if header is None:
                header = [h.strip().lower() for h in raw]
                dup = sorted({h for h in header if h and header.count(h) > 1})
                if dup:
                    raise DataError(f"line {reader.line_num}: header repeats column(s) "
                                    f"{', '.join(dup)}", source=str(path), key=dup[0])
                continue
            if len(raw) > len(header):
                raise DataError(
                    f"line {reader.line_num}: {len(raw)} fields but the header has "
                    f"{len(header)}; quote values that contain commas", source=str(path))
            rows.append({h: v for h, v in zip(header, raw, strict=False) if h})
            where.append(f"line {reader.line_num}")
    except csv.Error as e:
        raise DataError(f"line {reader.line_num}: malformed CSV ({e})",
                        source=str(path)) from None
    if header is None:
        raise DataError("empty file: no header and no rows", source=str(path))
    return header, rows, where


def _read_csv(path: Path) -> _Table:
    header, rows, where = _read_csv_rows(path)
    table = _Table(str(path), header, rows, where, "column")
    missing = [c for c in _REQUIRED if c not in header]
    has_xy = "x" in header and "y" in header
    has_ll = "lon" in header and "lat" in header
    if not (has_xy or has_ll):
        missing.append("x,y or lon,lat")
    if missing:
        raise table.error(
            f"missing required column(s) {', '.join(missing)}; found: {', '.join(header)}; "
            f"required: {', '.join(_REQUIRED)} and x,y (km) or lon,lat (degrees)",
            missing[0],
        )
    if not rows:
        raise table.error("no villages: the file has a header but no rows")
    return table


def _csv_coordinates(table: _Table) -> np.ndarray:
    """Seat coordinates (n, 2) km from x,y or projected lon,lat."""
    if "x" in table.columns and "y" in table.columns:
        x = _numbers(table, "x", required=True)
        y = _numbers(table, "y", required=True)
        return np.column_stack([x, y])
    lon = _numbers(table, "lon", required=True, lo=-180.0, hi=180.0)
    lat = _numbers(table, "lat", required=True, lo=-90.0, hi=90.0)
    return project_lonlat(lon, lat)


def _read_geojson(path: Path) -> tuple[_Table, list[tuple[str, object]]]:
    """Properties table and geometries ("point", (lon, lat)) or ("polygon", [rings...])."""
    text = _read_text(path)
    src = str(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}",
                        source=src) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise DataError(f"not a GeoJSON FeatureCollection (top-level type {found!r})",
                        source=src, key="type")
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise DataError("FeatureCollection has no 'features' list", source=src, key="features")
    if not feats:
        raise DataError("no villages: the FeatureCollection has no features", source=src,
                        key="features")
    rows: list[dict[str, object]] = []
    where: list[str] = []
    geoms: list[tuple[str, object]] = []
    columns: list[str] = []
    for i, f in enumerate(feats, start=1):
        label = f"feature {i}"
        if not isinstance(f, dict):
            raise DataError("is not a JSON object", source=src, key=label)
        geom = f.get("geometry")
        if not isinstance(geom, dict):
            raise DataError("has no geometry; every village needs a Point or Polygon",
                            source=src, key=label)
        geoms.append(_parse_geometry(geom, src, label))
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise DataError("'properties' is not an object", source=src, key=label)
        row = {str(k).strip().lower(): v for k, v in props.items()}
        if _empty(row.get("id")) and "id" in f:
            row["id"] = f["id"]
        for k in row:
            if k not in columns:
                columns.append(k)
        rows.append(row)
        where.append(label)
    kinds = {g[0] for g in geoms}
    if len(kinds) > 1:
        raise DataError("mixes Point and Polygon features; use one kind for all villages",
                        source=src, key="geometry")
    table = _Table(src, columns, rows, where, "property")
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise table.error(
            f"missing required property(ies) {', '.join(missing)}; found: "
            f"{', '.join(columns) or '(none)'}; required: {', '.join(_REQUIRED)}",
            missing[0],
        )
    return table, geoms


def _position(p: object, src: str, label: str) -> tuple[float, float]:
    if (
        not isinstance(p, list | tuple)
        or len(p) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in p[:2])
        or not all(math.isfinite(v) for v in p[:2])
    ):
        raise DataError(f"bad position {p!r}; expected [lon, lat] numbers",
                        source=src, key=label)
    lon, lat = float(p[0]), float(p[1])
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
        raise DataError("polygon ring has fewer than 3 distinct positions",
                        source=src, key=label)
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
            polys.append([_ring(r, src, label) for r in part])
        return ("polygon", polys)
    raise DataError(f"geometry type {gtype!r} is not allowed; allowed: Point, Polygon, "
                    "MultiPolygon", source=src, key=label)


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


def _project_polygons(
    geoms: list[tuple[str, object]],
) -> tuple[np.ndarray, list[tuple[np.ndarray, float, list[np.ndarray]]]]:
    """Project polygon features to km: seats (centroids) and (map polygon, area, all rings)."""
    anchors = np.array([g[1][0][0].mean(axis=0) for g in geoms])
    lon0, lat0 = float(anchors[:, 0].mean()), float(anchors[:, 1].mean())
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


# ---------------------------------------------------------------------------------------------
# Cell parsing
# ---------------------------------------------------------------------------------------------


def _empty(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _as_float(v: object) -> float | None:
    """A cell as a float, or None if it is not a number."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def _numbers(
    table: _Table,
    column: str,
    *,
    required: bool = False,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    default: float = np.nan,
) -> np.ndarray:
    """A numeric column; empty cells are ``default`` (or an error when ``required``)."""
    out = np.full(len(table.rows), default, dtype=float)
    for i, v in enumerate(table.cells(column)):
        if _empty(v):
            if required:
                raise table.error(f"{table.where[i]}: empty {column}; a number is required",
                                  column)
            continue
        f = _as_float(v)
        if f is None or not math.isfinite(f):
            raise table.error(f"{table.where[i]}: {column} {v!r} is not a finite number",
                              column)
        bad_lo = lo is not None and (f <= lo if lo_open else f < lo)
        if bad_lo or (hi is not None and f > hi):
            rng = (f"> {lo:g}" if lo_open else f">= {lo:g}") if lo is not None else ""
            if hi is not None:
                rng = f"{rng} and <= {hi:g}" if rng else f"<= {hi:g}"
            raise table.error(f"{table.where[i]}: {column} {v!r} is out of range; allowed: "
                              f"{rng}", column)
        out[i] = f
    return out


def _bools(table: _Table, column: str) -> np.ndarray:
    out = np.zeros(len(table.rows), dtype=bool)
    for i, v in enumerate(table.cells(column)):
        if _empty(v):
            continue
        if isinstance(v, bool):
            out[i] = v
            continue
        s = str(v).strip().lower()
        if s.endswith(".0"):
            s = s[:-2]  # spreadsheets write 1 as 1.0
        if s in _TRUE:
            out[i] = True
        elif s not in _FALSE:
            raise table.error(f"{table.where[i]}: {column} {v!r} is not a yes/no value; "
                              "allowed: 0, 1, true, false, yes, no", column)
    return out


def _choices(table: _Table, column: str, allowed: tuple[str, ...]) -> list[str | None]:
    out: list[str | None] = []
    for i, v in enumerate(table.cells(column)):
        if _empty(v):
            out.append(None)
            continue
        s = str(v).strip().lower()
        if s not in allowed:
            raise table.error(f"{table.where[i]}: {column} {v!r} is unknown; allowed: "
                              f"{', '.join(allowed)}", column)
        out.append(s)
    return out


def _ids(table: _Table) -> np.ndarray:
    ids = np.empty(len(table.rows), dtype=np.int64)
    for i, v in enumerate(table.cells("id")):
        f = _as_float(v)
        if _empty(v) or f is None or not math.isfinite(f) or f != int(f):
            raise table.error(f"{table.where[i]}: id {v!r} is not an integer", "id")
        ids[i] = int(f)
    seen: dict[int, int] = {}
    for i, v in enumerate(ids.tolist()):
        if v in seen:
            lines = [table.where[j] for j in np.flatnonzero(ids == v)]
            raise table.error(f"duplicate id {v} on {' and '.join(lines)}; ids must be unique",
                              "id")
        seen[v] = i
    return ids


# ---------------------------------------------------------------------------------------------
# Building the county
# ---------------------------------------------------------------------------------------------


def _build(
    table: _Table,
    xy: np.ndarray,
    polys: list[tuple[np.ndarray, float, list[np.ndarray]]] | None,
    *,
    edges: str | Path | None,
    roads: RoadParams,
    name: str,
) -> County:
    n = len(table.rows)
    ids = _ids(table)
    if n < 2:
        # One village has nothing to merge with; a plan, coverage and the road graph need two.
        raise table.error(f"only one village ({table.where[0]}); a county needs at least 2 "
                          "villages")
    names = np.array(
        [str(v).strip() if not _empty(v) else str(ids[i])
         for i, v in enumerate(table.cells("name"))], dtype=str,
    )

    # Townships, indexed in order of first appearance.
    tnames: list[str] = []
    tindex: dict[str, int] = {}
    township = np.empty(n, dtype=np.int64)
    for i, v in enumerate(table.cells("township")):
        if _empty(v):
            raise table.error(f"{table.where[i]}: empty township; every village must belong to "
                              "a township", "township")
        t = str(v).strip()
        if t not in tindex:
            tindex[t] = len(tnames)
            tnames.append(t)
        township[i] = tindex[t]

    pop_f = _numbers(table, "population", required=True, lo=0.0)
    population = np.rint(pop_f).astype(np.int64)
    hh_f = _numbers(table, "households", lo=0.0)
    households = np.where(
        np.isnan(hh_f), np.rint(population / HOUSEHOLD_SIZE), np.rint(hh_f)
    ).astype(np.int64)
    gr_f = _numbers(table, "groups", lo=1.0)
    groups = np.where(
        np.isnan(gr_f), np.maximum(1, np.rint(households / GROUP_HOUSEHOLDS)), np.rint(gr_f)
    ).astype(np.int64)
    terrain_s = _choices(table, "terrain", TERRAIN_NAMES)
    terrain = np.array(
        [Terrain[s.upper()] if s else Terrain.HILL for s in terrain_s], dtype=np.int8
    )
    border = _bools(table, "border")
    heritage = _bools(table, "heritage")
    corridor = _bools(table, "corridor")

    # Territories and neighbour pairs.
    if polys is None:
        _check_distinct(table, xy)
        outline = hull_outline(xy, buffer_km=_hull_buffer_km(xy))
        territories, cell_area, pairs = voronoi_territories(xy, outline)
    else:
        territories = [p[0] for p in polys]
        cell_area = np.array([p[1] for p in polys])
        outline = _convex_outline(np.vstack([r for p in polys for r in p[2]]))
        pairs = _polygon_neighbours([p[2] for p in polys])
    area_f = _numbers(table, "area_km2", lo=0.0, lo_open=True)
    area = np.where(np.isnan(area_f), cell_area, area_f)

    seat, tclass = _township_roles(table, township, len(tnames), population, border, heritage)

    edge_a, edge_b, minutes, trunk = _roads(
        table, ids, xy, terrain, corridor, pairs, edges=edges, roads=roads
    )

    county = County(
        village_id=ids,
        village_name=names,
        township=township,
        x=xy[:, 0].astype(float),
        y=xy[:, 1].astype(float),
        population=population,
        households=households,
        groups=groups,
        area=area.astype(float),
        terrain=terrain,
        border=border,
        heritage=heritage,
        corridor=corridor,
        township_name=np.array(tnames, dtype=str),
        township_class=tclass,
        township_seat=seat,
        edge_a=edge_a,
        edge_b=edge_b,
        edge_minutes=minutes,
        edge_trunk=trunk,
        county_seat=int(seat[int(np.flatnonzero(tclass == TownshipClass.COUNTY_SEAT)[0])]),
        outline=outline,
        territories=territories,
        corridor_lines=[],
        name=name,
        source=table.source,
    )
    county.validate()
    return county


def _check_distinct(table: _Table, xy: np.ndarray) -> None:
    """Voronoi cells need distinct seats: two villages at one point is a data error."""
    key = np.rint(xy / _SAME_POINT_KM).astype(np.int64)
    _, inv, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    dup = np.flatnonzero(counts[inv] > 1)
    if len(dup):
        same = np.flatnonzero(inv == inv[dup[0]])
        col = "x" if "x" in table.columns and "y" in table.columns else "lon"
        raise table.error(
            f"{' and '.join(table.where[i] for i in same)} put villages at the same point; "
            "seats must be at least 1 m apart", col if table.kind == "column" else "geometry",
        )


def _hull_buffer_km(xy: np.ndarray) -> float:
    """Outline buffer: half the median nearest-neighbour spacing (≥ 0.5 km).

    A village cell reaches about half the spacing from its seat, so edge villages keep
    territories of typical size instead of being cut at their own seat.
    """
    if len(xy) < 2:
        return 1.0
    nn = cKDTree(xy).query(xy, k=2)[0][:, 1]
    return max(0.5, 0.5 * float(np.median(nn)))


def _convex_outline(pts: np.ndarray) -> np.ndarray:
    try:
        return pts[ConvexHull(pts).vertices]
    except Exception:  # degenerate (collinear) vertices: a small buffered ring instead
        return hull_outline(pts, buffer_km=0.5)


def _polygon_neighbours(rings_per_village: list[list[np.ndarray]]) -> np.ndarray:
    """Pairs ``i < j`` of polygons that share a boundary edge (two common vertices).

    Vertices are matched after rounding to 1 m, which tolerates the float noise of exported
    tessellations; corner-only contact (one common vertex) is not adjacency.
    """
    owner: dict[tuple[int, int], set[int]] = {}
    for i, rings in enumerate(rings_per_village):
        for r in rings:
            for p in np.rint(r / _SAME_POINT_KM).astype(np.int64):
                owner.setdefault((int(p[0]), int(p[1])), set()).add(i)
    shared: dict[tuple[int, int], int] = {}
    for s in owner.values():
        if len(s) < 2:
            continue
        ss = sorted(s)
        for ia, a in enumerate(ss):
            for b in ss[ia + 1:]:
                shared[(a, b)] = shared.get((a, b), 0) + 1
    pairs = [k for k, c in shared.items() if c >= 2]
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def _township_roles(
    table: _Table,
    township: np.ndarray,
    n_town: int,
    population: np.ndarray,
    border: np.ndarray,
    heritage: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Seat village and class of each township (explicit columns first, then defaults)."""
    flagged = _bools(table, "township_seat")
    seat = np.full(n_town, -1, dtype=np.int64)
    for i in np.flatnonzero(flagged):
        t = township[i]
        if seat[t] >= 0:
            raise table.error(
                f"{table.where[seat[t]]} and {table.where[i]} both mark a seat of township "
                f"{table.rows[i]['township']!s}; mark at most one village per township",
                "township_seat",
            )
        seat[t] = i
    for t in np.flatnonzero(seat < 0):
        members = np.flatnonzero(township == t)
        seat[t] = members[int(np.argmax(population[members]))]  # ties: first in the file

    explicit: list[str | None] = [None] * n_town
    first_row = [-1] * n_town
    for i, s in enumerate(_choices(table, "township_class", TOWNSHIP_CLASS_NAMES)):
        if s is None:
            continue
        t = int(township[i])
        if explicit[t] is not None and explicit[t] != s:
            raise table.error(
                f"{table.where[first_row[t]]} and {table.where[i]} give township "
                f"{table.rows[i]['township']!s} different classes ({explicit[t]}, {s})",
                "township_class",
            )
        explicit[t], first_row[t] = s, i
    seats_named = [t for t in range(n_town) if explicit[t] == "county_seat"]
    if len(seats_named) > 1:
        raise table.error(
            f"{len(seats_named)} townships are classed county_seat "
            f"({', '.join(str(table.rows[first_row[t]]['township']) for t in seats_named)}); "
            "allowed: one", "township_class",
        )
    if not seats_named:
        top = int(np.argmax(population))
        t = int(township[top])
        if explicit[t] is not None:
            raise table.error(
                f"no township is classed county_seat and township "
                f"{table.rows[top]['township']!s}, holding the most populous village "
                f"({table.where[top]}), is classed {explicit[t]}; class one township "
                "county_seat", "township_class",
            )
        explicit[t] = "county_seat"
    has_border = np.bincount(township, weights=border.astype(float), minlength=n_town) > 0
    tclass = np.empty(n_town, dtype=np.int8)
    for t in range(n_town):
        s = explicit[t]
        if s is None:
            if has_border[t]:
                s = "border"
            elif heritage[seat[t]]:
                s = "heritage"
            else:
                s = "ordinary"
        tclass[t] = TownshipClass[s.upper()]
    return seat, tclass


# ---------------------------------------------------------------------------------------------
# Roads
# ---------------------------------------------------------------------------------------------


def _components(n: int, a: np.ndarray, b: np.ndarray) -> tuple[int, np.ndarray]:
    g = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return connected_components(g, directed=False)


def _join_components(xy: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Extra pairs joining separate pieces of a derived road graph by their shortest gaps."""
    n = len(xy)
    extra: list[tuple[int, int]] = []
    k, label = _components(n, a, b)
    while k > 1:
        # Join the smallest piece to its nearest village elsewhere, then recount.
        sizes = np.bincount(label, minlength=k)
        c = int(np.argmin(sizes))
        inside, outside = np.flatnonzero(label == c), np.flatnonzero(label != c)
        d = ((xy[inside, None, :] - xy[None, outside, :]) ** 2).sum(-1)
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        extra.append((int(min(inside[i], outside[j])), int(max(inside[i], outside[j]))))
        ea = np.r_[a, [e[0] for e in extra]].astype(np.int64)
        eb = np.r_[b, [e[1] for e in extra]].astype(np.int64)
        k, label = _components(n, ea, eb)
    return np.array(extra, dtype=np.int64).reshape(-1, 2)


def _read_edges(
    path: Path, ids: np.ndarray, villages_source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Edges CSV as village indices, minutes (NaN = compute) and trunk (-1 = default)."""
    header, rows, where = _read_csv_rows(path)
    table = _Table(str(path), header, rows, where, "column")
    missing = [c for c in ("a", "b") if c not in header]
    if missing:
        raise table.error(f"missing required column(s) {', '.join(missing)}; found: "
                          f"{', '.join(header)}; required: a, b (optional: minutes, trunk)",
                          missing[0])
    index = {int(v): i for i, v in enumerate(ids)}
    ends = []
    for col in ("a", "b"):
        idx = np.empty(len(rows), dtype=np.int64)
        for r, v in enumerate(table.cells(col)):
            f = _as_float(v)
            if _empty(v) or f is None or not math.isfinite(f) or f != int(f):
                raise table.error(f"{where[r]}: {col} {v!r} is not a village id", col)
            if int(f) not in index:
                raise table.error(f"{where[r]}: {col} = {int(f)} is not an id in "
                                  f"{villages_source}", col)
            idx[r] = index[int(f)]
        ends.append(idx)
    a, b = ends
    loops = np.flatnonzero(a == b)
    if len(loops):
        raise table.error(f"{where[loops[0]]}: edge joins village {ids[a[loops[0]]]} to itself",
                          "b")
    minutes = _numbers(table, "minutes", lo=0.0, lo_open=True)
    trunk = np.full(len(rows), -1, dtype=np.int8)
    if "trunk" in header:
        given = np.array([not _empty(v) for v in table.cells("trunk")], dtype=bool)
        trunk[given] = _bools(table, "trunk")[given]
    return a, b, minutes, trunk


def _roads(
    table: _Table,
    ids: np.ndarray,
    xy: np.ndarray,
    terrain: np.ndarray,
    corridor: np.ndarray,
    pairs: np.ndarray,
    *,
    edges: str | Path | None,
    roads: RoadParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(ids)
    if edges is not None and str(edges) != "":
        epath = Path(edges)
        a, b, minutes, trunk_in = _read_edges(epath, ids, table.source)
    else:
        epath = None
        a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
        extra = _join_components(xy, a, b)
        a, b = np.r_[a, extra[:, 0]], np.r_[b, extra[:, 1]]
        minutes = np.full(len(a), np.nan)
        trunk_in = np.full(len(a), -1, dtype=np.int8)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    trunk = np.where(trunk_in >= 0, trunk_in == 1, corridor[lo] & corridor[hi])
    todo = np.isnan(minutes)
    if todo.any():
        length = np.linalg.norm(xy[lo[todo]] - xy[hi[todo]], axis=1)
        minutes[todo] = road_minutes(
            length, terrain[lo[todo]], terrain[hi[todo]], trunk[todo],
            trunk_kmh=roads.trunk_kmh,
            terrain_kmh=(roads.plain_kmh, roads.hill_kmh, roads.mountain_kmh),
            detour=roads.detour,
        )
    # Deduplicate: sort by pair, then minutes, and keep the fastest entry of each pair.
    order = np.lexsort((minutes, hi, lo))
    lo, hi, minutes, trunk = lo[order], hi[order], minutes[order], trunk[order]
    keep = np.ones(len(lo), dtype=bool)
    keep[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, minutes, trunk = lo[keep], hi[keep], minutes[keep], trunk[keep]
    k, label = _components(n, lo, hi)
    if k > 1:
        # Only a given edges file can get here: derived roads were joined above.
        main = int(np.argmax(np.bincount(label)))
        cut = np.flatnonzero(label != main)
        sample = ", ".join(str(ids[i]) for i in cut[:5]) + (", ..." if len(cut) > 5 else "")
        raise DataError(
            f"road graph is disconnected: {k} components; {len(cut)} village(s) cannot reach "
            f"the rest (ids {sample}); add edges joining them",
            source=str(epath), key=None,
        )
    return lo.astype(np.int64), hi.astype(np.int64), minutes.astype(float), trunk.astype(bool)
