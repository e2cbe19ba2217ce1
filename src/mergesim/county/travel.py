"""Travel times on the road graph with ``scipy.sparse.csgraph`` (multi-source Dijkstra).

Only the source set a caller needs is searched: a table from every village to the township
seats is ``len(seats)`` Dijkstra runs, and "minutes to the nearest open point" is one
multi-source run (``min_only=True``), whatever the number of points.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra


def travel_table(roads: sp.csr_matrix, sources: np.ndarray) -> np.ndarray:
    """Minutes from each source to every village, shape (len(sources), n).

    Unreachable villages get ``inf``. The graph is undirected, so the table also gives minutes
    from every village *to* each source.
    """
    sources = np.asarray(sources, dtype=np.int64)
    if len(sources) == 0:
        return np.zeros((0, roads.shape[0]))
    return dijkstra(roads, directed=False, indices=sources)


def nearest(roads: sp.csr_matrix, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minutes from every village to its nearest source, and which source that is.

    Args:
        roads: Symmetric sparse matrix of edge minutes (see ``County.road_matrix``).
        sources: Village indices of the points (e.g. open clinics).

    Returns:
        ``(minutes, source)``: float array (n,) and int array (n,) of the nearest source's
        village index (-1 where no source is reachable, with minutes = inf).
    """
    n = roads.shape[0]
    sources = np.unique(np.asarray(sources, dtype=np.int64))
    if len(sources) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    dist, _pred, src = dijkstra(
        roads, directed=False, indices=sources, min_only=True, return_predecessors=True
    )
    return dist, src.astype(np.int64)


def minutes_to_assigned(roads: sp.csr_matrix, target: np.ndarray) -> np.ndarray:
    """Minutes from each village ``i`` to its own assigned village ``target[i]``.

    One Dijkstra per distinct target (e.g. per township seat), not per village.

    Args:
        roads: Symmetric sparse matrix of edge minutes.
        target: Village index each village travels to, shape (n,).
    """
    target = np.asarray(target, dtype=np.int64)
    uniq, inv = np.unique(target, return_inverse=True)
    table = travel_table(roads, uniq)
    return table[inv, np.arange(len(target))]
