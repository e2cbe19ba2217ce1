"""Real-data county loaders: villages from a CSV or GeoJSON file, roads from an edges CSV.

Both loaders read one row (CSV line or GeoJSON feature) per administrative village and build a
:class:`~mergesim.county.county.County`. The columns are listed, with their types, defaults and
meaning, in :data:`mergesim.county.columns.VILLAGE_COLUMNS` (edges:
:data:`~mergesim.county.columns.EDGE_COLUMNS`); names are case-insensitive, unknown columns are
ignored and an empty cell takes the default. Defaults that are scenario parameters (persons per
household, households per villager group) come from the scenario's ``[county]`` section, never
from a copy here. Every mistake in the data is raised as a one-line
:class:`~mergesim.errors.DataError` naming the file, the column and the 1-based line number
(GeoJSON: the 1-based feature number).

The work is split by responsibility: :mod:`.table` reads CSV rows and parses cells,
:mod:`.geojson` reads features and projects polygons, :mod:`.edges` builds the road graph; this
module checks positions, derives territories and township roles and assembles the county.

Without an edges file, roads join territory neighbours: Voronoi neighbours of the seats inside
the county outline (points), or polygons sharing a boundary edge (GeoJSON polygons).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial import ConvexHull, cKDTree

from mergesim.config.schema import CountyParams, RoadParams
from mergesim.county.county import (
    TERRAIN_NAMES,
    TOWNSHIP_CLASS_NAMES,
    County,
    Terrain,
    TownshipClass,
)
from mergesim.county.edges import road_edges
from mergesim.county.geojson import polygon_neighbours, project_polygons, read_geojson
from mergesim.county.geometry import (
    SAME_POINT_KM,
    hull_outline,
    project_lonlat,
    voronoi_territories,
)
from mergesim.county.table import (
    Table,
    is_empty,
    parse_bools,
    parse_choices,
    parse_ids,
    parse_numbers,
    read_village_csv,
)

__all__ = ["load_county_csv", "load_county_geojson"]


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def load_county_csv(
    path: str | Path,
    *,
    county: CountyParams,
    roads: RoadParams,
    edges: str | Path | None = None,
    name: str | None = None,
) -> County:
    """Load a county from a villages CSV (columns: :data:`.columns.VILLAGE_COLUMNS`).

    Territories are the Voronoi cells of the village seats inside the seats' convex hull pushed
    out by half the median nearest-neighbour spacing.

    Args:
        path: Villages CSV (UTF-8, optional BOM).
        county: The scenario's county section: household size and households per group fill
            missing ``households`` and ``groups``.
        roads: Road speeds and detour factor used for minutes not given in the edges file.
        edges: Optional road edges CSV; None or "" derives roads from territory neighbours.
        name: County name; default the file's stem.

    Returns:
        A validated :class:`County` with ``source = str(path)``.

    Raises:
        DataError: The file is missing or malformed, or a value is invalid.
    """
    path = Path(path)
    table = read_village_csv(path)
    xy = _csv_coordinates(table)
    return _build(table, xy, None, edges=edges, county=county, roads=roads, name=name or path.stem)


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
    is the seat. All features must be of one kind. Coordinates are lon/lat degrees (RFC 7946),
    projected as for a CSV's ``lon``/``lat``; the village columns come from ``properties``
    (``id`` may also be the feature's own ``id`` member). Arguments and result as for
    :func:`load_county_csv`, with ``path`` the GeoJSON file.

    Raises:
        DataError: The file is missing, not JSON, not a FeatureCollection, a feature lacks a
            usable geometry, or a property value is invalid.
    """
    path = Path(path)
    table, geoms = read_geojson(path)
    if geoms[0][0] == "point":
        lonlat = np.array([g[1] for g in geoms], dtype=float)
        xy = project_lonlat(lonlat[:, 0], lonlat[:, 1])
        return _build(
            table, xy, None, edges=edges, county=county, roads=roads, name=name or path.stem
        )
    xy, polys = project_polygons(geoms)
    return _build(table, xy, polys, edges=edges, county=county, roads=roads, name=name or path.stem)


def _csv_coordinates(table: Table) -> np.ndarray:
    """Seat coordinates (n, 2) km from x,y or projected lon,lat."""
    if "x" in table.columns and "y" in table.columns:
        x = parse_numbers(table, "x", required=True)
        y = parse_numbers(table, "y", required=True)
        return np.column_stack([x, y])
    lon = parse_numbers(table, "lon", required=True, lo=-180.0, hi=180.0)
    lat = parse_numbers(table, "lat", required=True, lo=-90.0, hi=90.0)
    return project_lonlat(lon, lat)


# ---------------------------------------------------------------------------------------------
# Building the county
# ---------------------------------------------------------------------------------------------


def _build(
    table: Table,
    xy: np.ndarray,
    polys: list[tuple[np.ndarray, float, list[np.ndarray]]] | None,
    *,
    edges: str | Path | None,
    county: CountyParams,
    roads: RoadParams,
    name: str,
) -> County:
    """The :class:`County` of a parsed villages table and its seat positions (km)."""
    n = len(table.rows)
    ids = parse_ids(table)
    if n < 2:
        # One village has nothing to merge with; a plan, coverage and the road graph need two.
        raise table.error(
            f"only one village ({table.where[0]}); a county needs at least 2 villages"
        )
    names = np.array(
        [
            str(v).strip() if not is_empty(v) else str(ids[i])
            for i, v in enumerate(table.cells("name"))
        ],
        dtype=str,
    )

    # Townships, indexed in order of first appearance.
    tnames: list[str] = []
    tindex: dict[str, int] = {}
    township = np.empty(n, dtype=np.int64)
    for i, v in enumerate(table.cells("township")):
        if is_empty(v):
            raise table.error(
                f"{table.where[i]}: empty township; every village must belong to a township",
                "township",
            )
        t = str(v).strip()
        if t not in tindex:
            tindex[t] = len(tnames)
            tnames.append(t)
        township[i] = tindex[t]

    pop_f = parse_numbers(table, "population", required=True, lo=0.0)
    population = np.rint(pop_f).astype(np.int64)
    hh_f = parse_numbers(table, "households", lo=0.0)
    households = np.where(
        np.isnan(hh_f), np.rint(population / county.household_size), np.rint(hh_f)
    ).astype(np.int64)
    gr_f = parse_numbers(table, "groups", lo=1.0)
    groups = np.where(
        np.isnan(gr_f),
        np.maximum(1, np.rint(households / county.group_households)),
        np.rint(gr_f),
    ).astype(np.int64)
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
    area_f = parse_numbers(table, "area_km2", lo=0.0, lo_open=True)
    area = np.where(np.isnan(area_f), cell_area, area_f)

    seat, tclass = _township_roles(table, township, len(tnames), population, border, heritage)

    edge_a, edge_b, minutes, trunk = road_edges(
        table, ids, xy, terrain, corridor, pairs, edges=edges, roads=roads
    )

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
    )
    out.validate()
    return out


def _check_distinct(table: Table, xy: np.ndarray) -> None:
    """Voronoi cells need distinct seats: two villages at one point is a data error."""
    key = np.rint(xy / SAME_POINT_KM).astype(np.int64)
    _, inv, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    dup = np.flatnonzero(counts[inv] > 1)
    if len(dup):
        same = np.flatnonzero(inv == inv[dup[0]])
        col = "x" if "x" in table.columns and "y" in table.columns else "lon"
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


def _township_roles(
    table: Table,
    township: np.ndarray,
    n_town: int,
    population: np.ndarray,
    border: np.ndarray,
    heritage: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Seat village and class of each township (explicit columns first, then defaults)."""
    flagged = parse_bools(table, "township_seat")
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
    for i, s in enumerate(parse_choices(table, "township_class", TOWNSHIP_CLASS_NAMES)):
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
            "allowed: one",
            "township_class",
        )
    if not seats_named:
        top = int(np.argmax(population))
        t = int(township[top])
        if explicit[t] is not None:
            raise table.error(
                f"no township is classed county_seat and township "
                f"{table.rows[top]['township']!s}, holding the most populous village "
                f"({table.where[top]}), is classed {explicit[t]}; class one township "
                "county_seat",
                "township_class",
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
