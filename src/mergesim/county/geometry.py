"""Plane geometry for county territories: Voronoi cells clipped to an outline, areas, hulls.

Village territories are the Voronoi cells of the village seats, clipped to the county outline
(a standard proxy for administrative territories when only settlement points are known; e.g.
Okabe et al., *Spatial Tessellations*, 2000). Two villages are neighbours when their cells share
an edge inside the county. Everything is vectorised per cell; only cells that cross the outline
are clipped.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.path import Path
from scipy.spatial import ConvexHull, Voronoi

#: Mean Earth radius (km) for the local equirectangular projection.
EARTH_RADIUS_KM = 6371.0
#: Points closer than this (km; 1 m) are one point: Voronoi seats, shared polygon vertices.
SAME_POINT_KM = 1e-3


def polygon_area(poly: np.ndarray) -> float:
    """Area of a simple polygon (shoelace formula), in the square of its coordinate unit."""
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _orient_ccw(poly: np.ndarray) -> np.ndarray:
    x, y = poly[:, 0], poly[:, 1]
    signed = np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))
    return poly if signed > 0 else poly[::-1]


def clip_by_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Clip polygon ``subject`` (any simple polygon) by the convex polygon ``clip``.

    Sutherland–Hodgman, one vectorised pass per edge of ``clip``. Exact for a convex clip
    region, which Voronoi cells are.

    Returns:
        The clipped polygon, shape (k, 2); k = 0 if nothing remains.
    """
    clip = _orient_ccw(clip)
    out = subject
    for a, b in zip(clip, np.roll(clip, -1, axis=0), strict=True):
        if len(out) == 0:
            break
        edge = b - a
        side = edge[0] * (out[:, 1] - a[1]) - edge[1] * (out[:, 0] - a[0])
        inside = side >= 0
        if inside.all():
            continue
        prev = np.roll(out, 1, axis=0)
        sprev = np.roll(side, 1)
        iprev = np.roll(inside, 1)
        cross = inside != iprev
        denom = np.where(cross, sprev - side, 1.0)
        t = np.where(cross, sprev / denom, 0.0)
        xpt = prev + t[:, None] * (out - prev)
        pts = np.stack([xpt, out], axis=1)
        mask = np.stack([cross, inside], axis=1)
        out = pts[mask]
    return out


def voronoi_territories(
    xy: np.ndarray, outline: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Territories (Voronoi cells clipped to ``outline``) and their neighbour pairs.

    Args:
        xy: Village seats, shape (n, 2), km. Must be distinct.
        outline: County outline, shape (m, 2), km (open ring; first point not repeated).

    Returns:
        ``(polygons, area, pairs)``: one polygon per village, its area (km²), and an int array
        (k, 2) of neighbour pairs ``i < j`` whose shared cell edge lies (partly) inside the
        outline.
    """
    n = len(xy)
    if n == 1:
        return [outline.copy()], np.array([polygon_area(outline)]), np.zeros((0, 2), np.int64)
    lo, hi = np.minimum(xy.min(0), outline.min(0)), np.maximum(xy.max(0), outline.max(0))
    span = float(np.max(hi - lo)) + 1.0
    c = (lo + hi) / 2
    # Far guard points make every real cell finite without changing it near the county.
    ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    guard = c + 10 * span * np.column_stack([np.cos(ang), np.sin(ang)])
    vor = Voronoi(np.vstack([xy, guard]))
    verts = vor.vertices
    path = Path(np.vstack([outline, outline[:1]]))
    v_in = path.contains_points(verts)
    polygons: list[np.ndarray] = []
    area = np.empty(n)
    for i in range(n):
        region = vor.regions[vor.point_region[i]]
        cell = verts[region]
        if v_in[region].all():
            poly = cell
        else:
            poly = clip_by_convex(outline, cell)
        polygons.append(poly)
        area[i] = polygon_area(poly)
    rp = vor.ridge_points
    rv = np.array([r if len(r) == 2 else [-1, -1] for r in vor.ridge_vertices])
    real = (rp[:, 0] < n) & (rp[:, 1] < n) & (rv.min(axis=1) >= 0)
    rp, rv = rp[real], rv[real]
    both_in = v_in[rv[:, 0]] & v_in[rv[:, 1]]
    keep = both_in.copy()
    # A ridge with an end outside the county is kept if any sample along it lies inside.
    idx = np.flatnonzero(~both_in)
    if len(idx):
        s = np.linspace(0.0, 1.0, 9)
        a, b = verts[rv[idx, 0]], verts[rv[idx, 1]]
        samples = a[:, None, :] + s[None, :, None] * (b - a)[:, None, :]
        inside = path.contains_points(samples.reshape(-1, 2)).reshape(len(idx), len(s))
        keep[idx] = inside.any(axis=1)
    pairs = np.sort(rp[keep], axis=1).astype(np.int64)
    # Cells split by a concave outline can still be neighbours through the gap: fine for roads.
    return polygons, area, np.unique(pairs, axis=0)


def hull_outline(xy: np.ndarray, buffer_km: float) -> np.ndarray:
    """A county outline for point data: the convex hull pushed out by ``buffer_km``.

    Args:
        xy: Points, shape (n, 2), km.
        buffer_km: Outward offset of each hull vertex from the centroid (km).

    Returns:
        Outline ring, shape (m, 2), counter-clockwise.
    """
    if len(xy) < 3:
        c = xy.mean(axis=0)
        ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        r = buffer_km + (np.max(np.linalg.norm(xy - c, axis=1)) if len(xy) else 0.0)
        return c + r * np.column_stack([np.cos(ang), np.sin(ang)])
    try:
        hull = ConvexHull(xy)
        ring = xy[hull.vertices]
    except Exception:  # collinear points: fall back to a circle around them
        c = xy.mean(axis=0)
        ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        r = buffer_km + np.max(np.linalg.norm(xy - c, axis=1))
        return c + r * np.column_stack([np.cos(ang), np.sin(ang)])
    c = ring.mean(axis=0)
    d = ring - c
    norm = np.linalg.norm(d, axis=1, keepdims=True)
    return _orient_ccw(c + d * (1 + buffer_km / np.maximum(norm, 1e-9)))


def point_to_polyline_distance(pts: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Distance (km) from each point (n, 2) to a polyline (m, 2)."""
    a, b = line[:-1], line[1:]
    ab = b - a
    ap = pts[:, None, :] - a[None, :, :]
    denom = np.maximum((ab * ab).sum(axis=1), 1e-12)
    t = np.clip((ap * ab[None]).sum(axis=2) / denom[None], 0.0, 1.0)
    proj = a[None] + t[..., None] * ab[None]
    return np.linalg.norm(pts[:, None, :] - proj, axis=2).min(axis=1)


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
