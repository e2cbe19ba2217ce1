"""Real-data county loaders: villages from a CSV or GeoJSON file, roads from an edges CSV.

Both loaders read one row (CSV line or GeoJSON feature) per administrative village and build a
:class:`~mergesim.county.county.County`. The columns are listed, with their types, aliases,
limits and meaning, in :data:`mergesim.county.columns.VILLAGE_COLUMNS` (edges:
:data:`~mergesim.county.columns.EDGE_COLUMNS`; the reference is ``docs/data.md``); the
scenario's ``[county.columns]`` names file columns that are spelled otherwise. Defaults that
are scenario parameters (persons per household, households per villager group, the number of
townships to make) come from the scenario's ``[county]`` section, never from a copy here. Every
mistake in the data is raised as a one-line :class:`~mergesim.errors.DataError` naming the
file, the column as the file spells it and the 1-based line number (GeoJSON: the 1-based
feature number). Each load says in one ``logging`` line (logger ``mergesim.county``) which
columns it read and how it read numbers and positions.

The work is split by responsibility: :mod:`.table` reads CSV rows and parses cells,
:mod:`.geojson` reads features and projects polygons, :mod:`.edges` builds the road graph,
:mod:`.townships` makes townships when the file has none, :mod:`.roles` gives townships their
seats and classes; this module reads positions, runs the plausibility checks (county extent,
distance of each village from its township's seat) and assembles the county.

Without an edges file, roads join territory neighbours: Voronoi neighbours of the seats inside
the county outline (points), or polygons sharing a boundary edge (GeoJSON polygons).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
from scipy.spatial import ConvexHull, cKDTree

from mergesim.config.schema import CountyParams, RoadParams
from mergesim.county.columns import (
    MAX_COUNTY_SPAN_KM,
    MAX_SEAT_DISTANCE_KM,
    MIN_VILLAGE_SPACING_KM,
    VILLAGE_COLUMNS,
)
from mergesim.county.county import (
    TERRAIN_NAMES,
    County,
    Terrain,
    TownshipClass,
    road_matrix,
)
from mergesim.county.edges import road_edges
from mergesim.county.geojson import (
    polygon_neighbours,
    polygon_origin,
    project_polygons,
    read_geojson,
)
from mergesim.county.geometry import (
    SAME_POINT_KM,
    hull_outline,
    project_lonlat,
    voronoi_territories,
)
from mergesim.county.roles import township_roles
from mergesim.county.table import (
    Table,
    make_table,
    parse_bools,
    parse_choices,
    parse_ids,
    parse_numbers,
    parse_texts,
    read_csv,
    require,
)
from mergesim.county.townships import make_townships

__all__ = ["load_county_csv", "load_county_geojson"]

log = logging.getLogger(__name__)

#: What a load tells about positions, added to its one-line report.
_Positions = tuple[np.ndarray, tuple[float, float] | None, str]


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def column_mapping(county: CountyParams) -> dict[str, str]:
    """The scenario's ``[county.columns]`` as canonical name → file column (set keys only)."""
    cols = county.columns
    return {
        f.name: getattr(cols, f.name) for f in dataclasses.fields(cols) if getattr(cols, f.name)
    }


def load_county_csv(
    path: str | Path,
    *,
    county: CountyParams,
    roads: RoadParams,
    edges: str | Path | None = None,
    name: str | None = None,
) -> County:
    """Load a county from a villages CSV (columns: :data:`.columns.VILLAGE_COLUMNS`).

    The delimiter (``,``, ``;``, tab, ``|``) and the decimal mark are sniffed and reported.
    Territories are the Voronoi cells of the village seats inside the seats' convex hull pushed
    out by half the median nearest-neighbour spacing.

    Args:
        path: Villages CSV (UTF-8, optional BOM).
        county: The scenario's county section: column mapping, household size and households
            per group for missing ``households`` and ``groups``, townships to make when the
            file has no township column.
        roads: Road speeds and detour factor used for minutes not given in the edges file.
        edges: Optional road edges CSV; None or "" derives roads from territory neighbours.
        name: County name; default the file's stem.

    Returns:
        A validated :class:`County` with ``source = str(path)``; ``lonlat_origin`` is set when
        the positions were longitude/latitude.

    Raises:
        DataError: The file is missing or malformed, or a value is invalid or implausible.
    """
    path = Path(path)
    header, raw, where, delimiter, spelling = read_csv(path)
    table = make_table(
        str(path),
        header,
        raw,
        where,
        kind="column",
        spec=VILLAGE_COLUMNS,
        mapping=column_mapping(county),
        delimiter=delimiter,
        spelling=spelling,
    )
    require(
        table,
        VILLAGE_COLUMNS,
        positions=True,
        what="villages",
        hint="; name others in [county.columns]",
    )
    xy, origin, note = _csv_positions(table, column_mapping(county))
    return _build(
        table,
        xy,
        None,
        origin,
        note,
        edges=edges,
        county=county,
        roads=roads,
        name=name or path.stem,
    )


def load_county_geojson(
    path: str | Path,
    *,
    county: CountyParams,
    roads: RoadParams,
    edges: str | Path | None = None,
    name: str | None = None,
) -> County:
    """Load a county from a GeoJSON FeatureCollection, one feature per village.

    Point features give the village seats; territories are then Voronoi cells as for a CSV.
    Polygon / MultiPolygon features give the territory itself (a MultiPolygon's largest part is
    kept as its map polygon; its area counts every part, less holes) and the polygon's centroid
    is the seat; polygons must be valid and of positive area. All features must be of one
    kind. Coordinates are lon/lat degrees (RFC 7946), projected as for a CSV's ``lon``/``lat``;
    the village columns come from ``properties`` (``id`` may also be the feature's own ``id``
    member). Arguments and result as for :func:`load_county_csv`, with ``path`` the GeoJSON
    file.

    Raises:
        DataError: The file is missing, not JSON, not a FeatureCollection, a feature lacks a
            usable geometry, or a property value is invalid.
    """
    path = Path(path)
    table, geoms = read_geojson(path, column_mapping(county))
    stem = name or path.stem
    if geoms[0][0] == "point":
        lonlat = np.array([g[1] for g in geoms], dtype=float)
        lon0, lat0 = float(lonlat[:, 0].mean()), float(lonlat[:, 1].mean())
        xy = project_lonlat(lonlat[:, 0], lonlat[:, 1], lon0, lat0)
        note = "positions: Point geometries (lon/lat degrees)"
        return _build(
            table,
            xy,
            None,
            (lon0, lat0),
            note,
            edges=edges,
            county=county,
            roads=roads,
            name=stem,
        )
    lon0, lat0 = polygon_origin(geoms)
    xy, polys = project_polygons(geoms, lon0, lat0)
    note = "territories: the polygons (lon/lat degrees)"
    return _build(
        table, xy, polys, (lon0, lat0), note, edges=edges, county=county, roads=roads, name=stem
    )


# ---------------------------------------------------------------------------------------------
# Positions
# ---------------------------------------------------------------------------------------------


def _csv_positions(table: Table, mapping: dict[str, str]) -> _Positions:
    """Seat coordinates (n, 2) km, the projection centre (degrees) or None, and a note.

    lon/lat (given or mapped) are degrees. Otherwise x/y are km, unless they were not mapped
    explicitly and, read as km, the villages would be implausibly dense while every value lies
    within longitude/latitude ranges: then they are degrees (a GIS export's X, Y).
    """
    if "lon" in table.columns and "lat" in table.columns:
        lon = parse_numbers(table, "lon", required=True)
        lat = parse_numbers(table, "lat", required=True)
        return _degrees(lon, lat, "positions: lon/lat degrees")
    x = parse_numbers(table, "x", required=True)
    y = parse_numbers(table, "y", required=True)
    xy = np.column_stack([x, y])
    explicit = "x" in mapping or "y" in mapping
    if not explicit and len(xy) >= 2 and np.all(np.abs(x) <= 180) and np.all(np.abs(y) <= 90):
        spacing = float(np.median(cKDTree(xy).query(xy, k=2)[0][:, 1]))
        if spacing < MIN_VILLAGE_SPACING_KM:
            return _degrees(
                x,
                y,
                f"positions: {table.key('x')}, {table.key('y')} read as lon/lat degrees (as km "
                f"the villages would be {spacing * 1000:.0f} m apart; set [county.columns] x "
                "and y to read km)",
            )
    return xy, None, f"positions: {table.key('x')}, {table.key('y')} as km"


def _degrees(lon: np.ndarray, lat: np.ndarray, note: str) -> _Positions:
    lon0, lat0 = float(lon.mean()), float(lat.mean())
    return project_lonlat(lon, lat, lon0, lat0), (lon0, lat0), note


# ---------------------------------------------------------------------------------------------
# Building the county
# ---------------------------------------------------------------------------------------------


def _build(
    table: Table,
    xy: np.ndarray,
    polys: list[tuple[np.ndarray, float, list[np.ndarray]]] | None,
    origin: tuple[float, float] | None,
    note: str,
    *,
    edges: str | Path | None,
    county: CountyParams,
    roads: RoadParams,
    name: str,
) -> County:
    """The :class:`County` of a parsed villages table and its seat positions (km)."""
    n = len(table.rows)
    ids = parse_ids(table)
    _check_unique(table, ids)
    if n < 2:
        # One village has nothing to merge with; a plan, coverage and the road graph need two.
        raise table.error(
            f"only one village ({table.where[0]}); a county needs at least 2 villages"
        )
    names = parse_texts(table, "name", default=[str(v) for v in ids.tolist()])
    _check_extent(table, xy, origin is not None)

    population = np.rint(parse_numbers(table, "population", required=True)).astype(np.int64)
    households, groups = _households_groups(table, population, county)
    terrain_s = parse_choices(table, "terrain", TERRAIN_NAMES)
    terrain = np.array(
        [Terrain[s.upper()] if s else Terrain.HILL for s in terrain_s], dtype=np.int8
    )
    border = parse_bools(table, "border")
    heritage = parse_bools(table, "heritage")
    corridor = parse_bools(table, "corridor")

    # Territories and neighbour pairs.
    if polys is None:
        _check_distinct(table, xy)
        outline = hull_outline(xy, buffer_km=_hull_buffer_km(xy))
        territories, cell_area, pairs = voronoi_territories(xy, outline)
    else:
        territories = [p[0] for p in polys]
        cell_area = np.array([p[1] for p in polys])
        outline = _convex_outline(np.vstack([r for p in polys for r in p[2]]))
        pairs = polygon_neighbours([p[2] for p in polys])
    area_f = parse_numbers(table, "area_km2")
    area = np.where(np.isnan(area_f), cell_area, area_f)

    edge_a, edge_b, minutes, trunk = road_edges(
        table, ids, xy, terrain, corridor, pairs, edges=edges, roads=roads
    )
    log.info("%s: %s; %s", table.source, table.describe("villages"), note)

    if "township" in table.columns:
        township, tnames = _file_townships(table)
        given_seat = None
    else:
        township, tnames, given_seat = _made_townships(
            table, xy, population, names, ids, (edge_a, edge_b, minutes), county
        )
    seat, tclass = township_roles(
        table, township, len(tnames), population, border, heritage, given_seat
    )
    _check_seat_distance(table, xy, township, seat, names, ids)

    out = County(
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
        lonlat_origin=origin,
    )
    out.validate()
    return out


def _check_unique(table: Table, ids: np.ndarray) -> None:
    uniq, counts = np.unique(ids, return_counts=True)
    if np.any(counts > 1):
        v = int(uniq[np.argmax(counts > 1)])
        lines = [table.where[j] for j in np.flatnonzero(ids == v)]
        raise table.error(f"duplicate id {v} on {' and '.join(lines)}; ids must be unique", "id")


def _households_groups(
    table: Table, population: np.ndarray, county: CountyParams
) -> tuple[np.ndarray, np.ndarray]:
    """Households and groups: given (checked against population and households) or derived."""
    hh_f = parse_numbers(table, "households")
    households = np.where(
        np.isnan(hh_f), np.maximum(1, np.rint(population / county.household_size)), np.rint(hh_f)
    ).astype(np.int64)
    gr_f = parse_numbers(table, "groups")
    groups = np.where(
        np.isnan(gr_f),
        np.maximum(1, np.rint(households / county.group_households)),
        np.rint(gr_f),
    ).astype(np.int64)
    for col, mine, cap, of in (
        ("households", households, population, "persons"),
        ("groups", groups, households, "households"),
    ):
        bad = np.flatnonzero(mine > cap)
        if len(bad):
            i = int(bad[0])
            raise table.error(
                f"{table.where[i]}: {table.key(col)} {int(mine[i])} exceeds the village's "
                f"{int(cap[i])} {of}; allowed: at most one per {of[:-1]}",
                col,
            )
    return households, groups


def _file_townships(table: Table) -> tuple[np.ndarray, list[str]]:
    """Township index of each village (order of first appearance) and township names."""
    tnames: list[str] = []
    tindex: dict[str, int] = {}
    cells = parse_texts(table, "township")
    township = np.empty(len(cells), dtype=np.int64)
    for i, t in enumerate(cells.tolist()):
        if not t:
            raise table.error(
                f"{table.where[i]}: empty township; every village must belong to a township",
                "township",
            )
        if t not in tindex:
            tindex[t] = len(tnames)
            tnames.append(t)
        township[i] = tindex[t]
    return township, tnames


def _made_townships(
    table: Table,
    xy: np.ndarray,
    population: np.ndarray,
    names: np.ndarray,
    ids: np.ndarray,
    roads: tuple[np.ndarray, np.ndarray, np.ndarray],
    county: CountyParams,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """``county.townships`` townships made from the villages (:mod:`.townships`)."""
    n, k = len(xy), county.townships
    if 2 * k > n:
        raise table.error(
            f"the file has no township column, so mergesim makes county.townships = {k} "
            f"townships, but {n} villages give fewer than 2 per township; set [county] "
            f"townships to at most {n // 2}, or add a township column",
            "township",
        )
    a, b, minutes = roads
    road = road_matrix(n, a, b, minutes)
    made = make_townships(xy, population, road, names, ids, k)
    log.info("%s: no township column; %s", table.source, made.describe())
    return made.township, made.name.tolist(), made.seat


def _check_extent(table: Table, xy: np.ndarray, degrees: bool) -> None:
    """Refuse a county wider than :data:`MAX_COUNTY_SPAN_KM` (naming the two villages)."""
    for axis, way in ((0, "east–west"), (1, "north–south")):
        lo, hi = int(np.argmin(xy[:, axis])), int(np.argmax(xy[:, axis]))
        span = float(xy[hi, axis] - xy[lo, axis])
        if span > MAX_COUNTY_SPAN_KM:
            hint = "" if degrees else "; are x, y in metres? they are read as km"
            raise table.error(
                f"villages span {span:,.0f} km {way} ({table.where[lo]} to {table.where[hi]}); "
                f"allowed: <= {MAX_COUNTY_SPAN_KM:,.0f} km for one county{hint}",
                ("lon", "lat")[axis] if "lon" in table.columns else ("x", "y")[axis],
            )


def _check_seat_distance(
    table: Table,
    xy: np.ndarray,
    township: np.ndarray,
    seat: np.ndarray,
    names: np.ndarray,
    ids: np.ndarray,
) -> None:
    """Refuse a village farther than :data:`MAX_SEAT_DISTANCE_KM` from its township's seat."""
    d = np.linalg.norm(xy - xy[seat[township]], axis=1)
    far = np.flatnonzero(d > MAX_SEAT_DISTANCE_KM)
    if len(far):
        i = int(far[np.argmax(d[far])])
        s = int(seat[township[i]])
        raise table.error(
            f"{table.where[i]}: village {names[i]!s} (id {ids[i]}) lies {d[i]:,.0f} km from "
            f"the seat of its township, {names[s]!s} (id {ids[s]}, {table.where[s]}); allowed: "
            f"<= {MAX_SEAT_DISTANCE_KM:g} km (wider than townships are); check its position and "
            "township",
            "township" if "township" in table.columns else None,
        )


def _check_distinct(table: Table, xy: np.ndarray) -> None:
    """Voronoi cells need distinct seats: two villages at one point is a data error."""
    key = np.rint(xy / SAME_POINT_KM).astype(np.int64)
    _, inv, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    dup = np.flatnonzero(counts[inv] > 1)
    if len(dup):
        same = np.flatnonzero(inv == inv[dup[0]])
        col = "lon" if "lon" in table.columns else "x"
        raise table.error(
            f"{' and '.join(table.where[i] for i in same)} put villages at the same point; "
            "seats must be at least 1 m apart",
            col if table.kind == "column" else "geometry",
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
