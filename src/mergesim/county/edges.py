"""Roads of a real-data county: a given edges CSV, or territory neighbours joined up.

Edges CSV (optional; columns in :data:`~mergesim.county.columns.EDGE_COLUMNS`, read with the
same delimiter and decimal sniffing and aliases as a villages CSV): ``a``, ``b`` (village
ids), ``minutes`` (missing or empty: computed from the straight-line length with
:func:`~mergesim.county.county.road_minutes`; given: finite, > 0 and at most a day) and
``trunk`` (default: both ends are corridor villages). Edges are undirected; a pair listed twice
keeps its fastest entry. The edges must connect every village. A scenario that names an edges
file that does not exist is an error, never a silent fallback to derived roads.

Without an edges file, roads join territory neighbours; any pieces left apart (e.g. islands in
polygon data) are joined by their shortest gap, so the derived road graph is always connected.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from mergesim.config.schema import RoadParams
from mergesim.county.columns import EDGE_COLUMNS, column
from mergesim.county.county import road_minutes
from mergesim.county.table import (
    Table,
    is_empty,
    make_table,
    parse_bools,
    parse_ids,
    parse_numbers,
    read_csv,
    require,
)
from mergesim.errors import DataError

__all__ = ["road_edges"]

log = logging.getLogger(__name__)


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


def read_edges(
    path: Path, ids: np.ndarray, villages_source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Table]:
    """Edges CSV as village indices, minutes (NaN = compute), trunk (-1 = default) and the
    table read (for the report)."""
    header, rows, where, delimiter, spelling = read_csv(path)
    table = make_table(
        str(path),
        header,
        rows,
        where,
        kind="column",
        spec=EDGE_COLUMNS,
        delimiter=delimiter,
        spelling=spelling,
    )
    optional = ", ".join(c.name for c in EDGE_COLUMNS if c.required == "no")
    require(table, EDGE_COLUMNS, positions=False, what="edges", hint=f" (optional: {optional})")
    index = {int(v): i for i, v in enumerate(ids)}
    ends = []
    for col in ("a", "b"):
        given = parse_ids(table, column(col, edge=True))
        idx = np.empty(len(rows), dtype=np.int64)
        for r, v in enumerate(given.tolist()):
            if v not in index:
                raise table.error(f"{where[r]}: {col} = {v} is not an id in {villages_source}", col)
            idx[r] = index[v]
        ends.append(idx)
    a, b = ends
    loops = np.flatnonzero(a == b)
    if len(loops):
        raise table.error(
            f"{where[loops[0]]}: edge joins village {ids[a[loops[0]]]} to itself", "b"
        )
    minutes = parse_numbers(table, column("minutes", edge=True))
    trunk = np.full(len(rows), -1, dtype=np.int8)
    if "trunk" in table.columns:
        given = np.array([not is_empty(v) for v in table.cells("trunk")], dtype=bool)
        trunk[given] = parse_bools(table, "trunk")[given]
    return a, b, minutes, trunk, table


def road_edges(
    table: Table,
    ids: np.ndarray,
    xy: np.ndarray,
    terrain: np.ndarray,
    corridor: np.ndarray,
    pairs: np.ndarray,
    *,
    edges: str | Path | None,
    roads: RoadParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The road edges of a loaded county: ``(edge_a, edge_b, minutes, trunk)``, ``a < b``.

    Args:
        table: The villages table (its source names the file in messages).
        ids: Village ids, in row order.
        xy: Seat coordinates (n, 2), km.
        terrain, corridor: Per-village terrain codes and corridor flags.
        pairs: Territory neighbour pairs, used when there is no edges file.
        edges: The edges CSV, or None / "" to derive roads from ``pairs``.
        roads: Speeds and detour for minutes the file does not give.

    Raises:
        DataError: A bad edges file, or edges that leave the county disconnected.
    """
    n = len(ids)
    if edges is not None and str(edges) != "":
        epath = Path(edges)
        a, b, minutes, trunk_in, etable = read_edges(epath, ids, table.source)
        log.info("%s: %s", epath, etable.describe("edges"))
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
            length,
            terrain[lo[todo]],
            terrain[hi[todo]],
            trunk[todo],
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
            source=str(epath),
            key=None,
        )
    return lo.astype(np.int64), hi.astype(np.int64), minutes.astype(float), trunk.astype(bool)
