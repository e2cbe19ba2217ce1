"""Boundaries between territory polygons, found from their shared edges (pure NumPy/SciPy).

1. All polygon vertices are snapped together within a small tolerance (``1e-6`` of the map
   span): vertices closer than that get one id (a k-d tree pair query plus connected
   components). Voronoi cells of neighbouring villages share their ridge end points, and the
   points where a ridge is clipped by the outline are computed in both cells up to rounding,
   so after snapping a shared ridge is the *same* vertex-id pair in both polygons.
2. Every polygon edge becomes an undirected vertex-id pair. An edge held by two polygons is a
   shared boundary between those two villages; an edge held by one polygon is on the outer
   boundary of the county.
3. Edges held by one polygon only are split ("noded") at any snapped vertex lying on them,
   then matched again. This handles imported territories whose neighbours are digitised with
   different vertices (T-junctions, partially overlapping edges). Territories with true gaps
   or overlaps (unclean GIS data) leave unmatched edges, which are drawn as outer boundary.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree


def _snap_vertices(verts: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Give vertices within ``tol`` of each other one id; return (ids, id coordinates)."""
    nv = len(verts)
    pairs = cKDTree(verts).query_pairs(tol, output_type="ndarray")
    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(nv, nv))
    n_ids, ids = connected_components(graph, directed=False)
    canon = np.empty((n_ids, 2))
    # Reversed assignment: the *first* vertex of each id wins, so results do not depend on
    # NumPy's handling of repeated fancy-index writes.
    canon[ids[::-1]] = verts[::-1]
    return ids, canon


def _edge_keys(lo: np.ndarray, hi: np.ndarray, n_ids: int) -> np.ndarray:
    return lo.astype(np.int64) * np.int64(n_ids) + hi.astype(np.int64)


def _node_single_edges(
    lo: np.ndarray, hi: np.ndarray, own: np.ndarray, canon: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split edges held by one polygon at snapped vertices lying on them (T-junctions)."""
    n_ids = len(canon)
    key = _edge_keys(lo, hi, n_ids)
    _, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    single = np.flatnonzero(counts[inv] == 1)
    if len(single) == 0:
        return lo, hi, own
    a, b = canon[lo[single]], canon[hi[single]]
    length = np.linalg.norm(b - a, axis=1)
    candidates = cKDTree(canon).query_ball_point((a + b) / 2, length / 2 + tol)
    split = np.zeros(len(lo), dtype=bool)
    new_lo: list[np.ndarray] = []
    new_hi: list[np.ndarray] = []
    new_own: list[np.ndarray] = []
    for j, cand in enumerate(candidates):
        if len(cand) <= 2:  # only the edge's own end points: the common, fast case
            continue
        e = single[j]
        c = np.asarray(cand)
        c = c[(c != lo[e]) & (c != hi[e])]
        d = b[j] - a[j]
        rel = canon[c] - a[j]
        t = rel @ d / length[j] ** 2
        perp = np.abs(rel[:, 0] * d[1] - rel[:, 1] * d[0]) / length[j]
        on = (perp <= tol) & (t * length[j] > tol) & ((1 - t) * length[j] > tol)
        if not on.any():
            continue
        chain = np.concatenate([[lo[e]], c[on][np.argsort(t[on])], [hi[e]]])
        new_lo.append(np.minimum(chain[:-1], chain[1:]))
        new_hi.append(np.maximum(chain[:-1], chain[1:]))
        new_own.append(np.full(len(chain) - 1, own[e]))
        split[e] = True
    if not split.any():
        return lo, hi, own
    keep = ~split
    return (
        np.concatenate([lo[keep], *new_lo]),
        np.concatenate([hi[keep], *new_hi]),
        np.concatenate([own[keep], *new_own]),
    )


def shared_boundaries(
    polygons: list[np.ndarray], tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boundary segments of a set of territory polygons and the territories on either side.

    See the module docstring for the method (vertex snapping, edge matching, noding).

    Args:
        polygons: One polygon (k, 2) per territory; open or closed rings; may be empty.
        tol: Snapping tolerance (same unit as the coordinates).

    Returns:
        ``(segments, owner_a, owner_b)``: segments (k, 2, 2), and the polygon indices on either
        side (``owner_a <= owner_b``); ``owner_b`` is -1 for an edge held by one polygon only.
    """
    arrays = [np.asarray(p, dtype=float).reshape(-1, 2) for p in polygons]
    sizes = np.array([len(p) for p in arrays], dtype=np.int64)
    arrays = [p for p in arrays if len(p) >= 2]
    sizes = np.where(sizes >= 2, sizes, 0)
    empty = (np.zeros((0, 2, 2)), np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not arrays:
        return empty
    verts = np.concatenate(arrays)
    owner = np.repeat(np.arange(len(polygons)), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    end = np.repeat(np.cumsum(sizes) - 1, sizes)
    idx = np.arange(len(verts))
    nxt = np.where(idx == end, start, idx + 1)  # each ring wraps around to its first vertex

    ids, canon = _snap_vertices(verts, tol)
    ea, eb = ids[idx], ids[nxt]
    keep = ea != eb  # drops closing duplicates of closed rings and sub-tolerance edges
    lo = np.minimum(ea, eb)[keep]
    hi = np.maximum(ea, eb)[keep]
    own = owner[keep]
    lo, hi, own = _node_single_edges(lo, hi, own, canon, tol)
    if len(lo) == 0:
        return empty

    key = _edge_keys(lo, hi, len(canon))
    order = np.argsort(key, kind="stable")
    key, lo, hi, own = key[order], lo[order], hi[order], own[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    owner_a = np.minimum.reduceat(own, starts)
    owner_b = np.where(counts == 1, -1, np.maximum.reduceat(own, starts))
    segments = np.stack([canon[lo[starts]], canon[hi[starts]]], axis=1)
    return segments, owner_a.astype(np.int64), owner_b.astype(np.int64)
