"""The province's map: a reproducible outline and one polygon per county.

The map is schematic: an outline with random harmonics of the province's total area, county
centres spread by two Lloyd relaxation steps, and the Voronoi cells of the centres clipped to the
outline (shapely). Cells are not sized by county area; they place counties, show which touch
the outline (border counties) and carry the choropleth. Stored as ``province.geojson`` in the
results folder so the report reads it, never rebuilds it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape

from mergesim.errors import DataError
from mergesim.io import atomic_write_text

#: Relative amplitude and number of the outline's random harmonics.
_ROUGHNESS, _HARMONICS = 0.12, 5
#: Lloyd steps that even out the random centres.
_LLOYD_STEPS = 2


@dataclass
class Tessellation:
    """County polygons in county order, and the outline (coordinates in km).

    Attributes:
        outline: The province's outline.
        cells: One polygon per county.
        centres: County centres, shape (n, 2).
        on_outline: Whether each county's cell touches the outline (a border county).
        radius: Mean radius of the outline (km).
    """

    outline: Polygon
    cells: list[Polygon]
    centres: np.ndarray
    on_outline: np.ndarray
    radius: float

    def reorder(self, perm: np.ndarray) -> Tessellation:
        """The same map with county ``i`` taking cell ``perm[i]``."""
        perm = np.asarray(perm)
        return Tessellation(
            self.outline,
            [self.cells[j] for j in perm],
            self.centres[perm],
            self.on_outline[perm],
            self.radius,
        )


def outline_polygon(area_km2: float, rng: np.random.Generator, points: int = 256) -> Polygon:
    """A star-shaped outline of ``area_km2`` around the origin, with random harmonics."""
    theta = np.linspace(0.0, 2 * math.pi, points, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 2 + _HARMONICS):
        r += (
            _ROUGHNESS / k * rng.standard_normal() * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
        )
    poly = Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    scale = math.sqrt(area_km2 / poly.area)
    return shapely.affinity.scale(poly, scale, scale, origin=(0, 0))


def _cells(centres: np.ndarray, outline: Polygon) -> list[Polygon]:
    """Voronoi cells of ``centres`` (in their order) clipped to ``outline``."""
    if len(centres) == 1:
        return [outline]
    regions = shapely.voronoi_polygons(MultiPoint(centres), extend_to=outline, ordered=True)
    return [shapely.intersection(g, outline) for g in shapely.get_parts(regions)]


def tessellate(n: int, area_km2: float, rng: np.random.Generator) -> Tessellation:
    """A map of ``n`` counties over an outline of ``area_km2``."""
    outline = outline_polygon(area_km2, rng)
    x0, y0, x1, y1 = outline.bounds
    pts: list[np.ndarray] = []
    while len(pts) < n:  # rejection sampling: uniform inside the outline
        cand = rng.uniform((x0, y0), (x1, y1), size=(2 * n, 2))
        inside = shapely.contains_xy(outline, cand[:, 0], cand[:, 1])
        pts.extend(cand[inside])
    centres = np.asarray(pts[:n])
    cells = _cells(centres, outline)
    for _ in range(_LLOYD_STEPS):
        centres = np.array([[c.centroid.x, c.centroid.y] for c in cells])
        cells = _cells(centres, outline)
    ring = outline.exterior
    radius = math.sqrt(outline.area / math.pi)
    touch = np.array([c.boundary.intersection(ring).length > 1e-6 * radius for c in cells])
    if n == 1:
        touch = np.array([True])
    return Tessellation(outline, cells, centres, touch, radius)


def border_direction(tess: Tessellation, i: int) -> float:
    """Direction (degrees counter-clockwise from east) from county ``i``'s centre to the middle
    of its stretch of the province's outline (its border); 0 if it has none."""
    stretch = tess.cells[i].boundary.intersection(tess.outline.exterior)
    if stretch.is_empty or stretch.length == 0:
        return 0.0
    mid = (
        stretch.interpolate(0.5, normalized=True)
        if stretch.geom_type == "LineString"
        else (stretch.centroid)
    )
    cx, cy = tess.centres[i]
    return round(math.degrees(math.atan2(mid.y - cy, mid.x - cx)) % 360.0, 3)


def write_geojson(path: str | Path, labels: list[str], tess: Tessellation) -> Path:
    """``province.geojson``: one feature per county (property ``county``) and the outline."""
    feats = [
        {"type": "Feature", "properties": {"county": lab}, "geometry": mapping(c)}
        for lab, c in zip(labels, tess.cells, strict=True)
    ]
    feats.append(
        {"type": "Feature", "properties": {"outline": True}, "geometry": mapping(tess.outline)}
    )
    text = json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))
    return atomic_write_text(path, text)


def read_geojson(path: str | Path) -> tuple[dict[str, Polygon], Polygon | None]:
    """County polygons by label and the outline, from :func:`write_geojson`'s file.

    Raises:
        DataError: The file is missing or not such a GeoJSON (one line).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        cells, outline = {}, None
        for f in data["features"]:
            geom = shape(f["geometry"])
            if f["properties"].get("outline"):
                outline = geom
            else:
                cells[str(f["properties"]["county"])] = geom
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DataError(f"not a province map ({err})", source=str(path)) from None
    return cells, outline


def centre_cells(centres: np.ndarray, area_km2: float) -> Tessellation:
    """A map for counties whose centres are given (a county table with x_km, y_km): the
    outline is the convex hull of the centres, buffered to hold ``area_km2`` roughly."""
    hull = MultiPoint(centres).convex_hull
    pad = math.sqrt(max(area_km2, 1.0) / max(len(centres), 1)) / 2
    outline = hull.buffer(pad) if not isinstance(hull, Point) else hull.buffer(pad)
    cells = _cells(np.asarray(centres, dtype=float), outline)
    ring = outline.exterior
    radius = math.sqrt(outline.area / math.pi)
    touch = np.array([c.boundary.intersection(ring).length > 1e-6 * radius for c in cells])
    return Tessellation(outline, cells, np.asarray(centres, dtype=float), touch, radius)
