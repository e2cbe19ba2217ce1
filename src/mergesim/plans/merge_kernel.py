"""The plan agglomeration compiled with Numba (optional extra ``fast``): the same plans as the
pure-Python loop of :func:`mergesim.plans.policy.agglomerate`, several times faster.

The Python loop keeps each unit's neighbours in a ``set`` and hands out the ensemble's random
cost factors in the order it iterates those sets, so which factor a candidate pair gets depends
on CPython's set layout (open addressing with linear probing, dummies left by deletions, the
resize rules). To make exactly the same plans the kernel keeps every neighbour set as a table
laid out the way CPython 3.12 lays out a set of small non-negative ints (an int hashes to itself),
with the same insert, delete, in-place union and difference, resize and iteration order
(``Objects/setobject.c``: ``set_add_entry``, ``set_discard_entry``, ``set_merge``,
``set_difference_update_internal``, ``set_table_resize``, ``set_insert_clean``). The candidate
heap is an array binary heap ordered like the Python heap's tuples ``(cost, a, b, va, vb)``; the
entries are unique, so both pop the same sequence. Costs use the same float operations in the
same order. ``tests/plans/test_merge_kernel.py`` checks the set layout against real sets and the
plans against the Python loop over many seeds.

Without Numba, :func:`available` is False and the Python loop (the reference) runs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["agglomerate_compiled", "available"]

EMPTY, DUMMY = -1, -2  # slot states (keys are unit indices >= 0)
LINEAR_PROBES = 9  # CPython's setobject.c constants
PERTURB_SHIFT = 5
MINSIZE = 8


def _njit(fn):
    """``numba.njit(cache=True)`` when Numba is installed, else the plain function."""
    try:  # optional extra "fast"
        import numba
    except ImportError:
        return fn
    return numba.njit(cache=True, error_model="numpy")(fn)


def available() -> bool:
    """Whether Numba is installed (the compiled kernel is used)."""
    try:  # optional extra "fast"
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


# -- CPython set tables in one pool: unit v's table is pool[off[v] : off[v] + mask[v] + 1] ------


@_njit
def _alloc(pool, top, size):
    """A new all-empty region of ``size`` slots (the pool grows when full): (pool, start)."""
    start = top[0]
    if start + size > pool.shape[0]:
        bigger = np.empty(max(2 * pool.shape[0], start + size), dtype=np.int64)
        bigger[:start] = pool[:start]
        pool = bigger
    pool[start : start + size] = EMPTY
    top[0] = start + size
    return pool, start


@_njit
def _insert_clean(pool, start, mask, key):
    i = key & mask
    perturb = key
    while True:
        if pool[start + i] == EMPTY:
            pool[start + i] = key
            return
        if i + LINEAR_PROBES <= mask:
            for j in range(1, LINEAR_PROBES + 1):
                if pool[start + i + j] == EMPTY:
                    pool[start + i + j] = key
                    return
        perturb >>= PERTURB_SHIFT
        i = (i * 5 + 1 + perturb) & mask


@_njit
def _resize(pool, top, off, msk, fill, used, v, minused):
    newsize = MINSIZE
    while newsize <= minused:
        newsize <<= 1
    if newsize == MINSIZE and msk[v] == MINSIZE - 1 and fill[v] == used[v]:
        return pool  # the small table without dummies is left as it is
    old, oldmask = off[v], msk[v]
    pool, start = _alloc(pool, top, newsize)
    for j in range(oldmask + 1):
        k = pool[old + j]
        if k >= 0:
            _insert_clean(pool, start, newsize - 1, k)
    off[v], msk[v], fill[v] = start, newsize - 1, used[v]
    return pool


@_njit
def _add(pool, top, off, msk, fill, used, v, key):
    start, mask = off[v], msk[v]
    i = key & mask
    perturb = key
    freeslot = -1
    while True:
        probes = LINEAR_PROBES if i + LINEAR_PROBES <= mask else 0
        j = i
        for _ in range(probes + 1):
            k = pool[start + j]
            if k == EMPTY:
                if freeslot >= 0:
                    pool[start + freeslot] = key
                    used[v] += 1
                    return pool
                pool[start + j] = key
                fill[v] += 1
                used[v] += 1
                if fill[v] * 5 < mask * 3:
                    return pool
                u = used[v]
                return _resize(pool, top, off, msk, fill, used, v, u * 2 if u > 50000 else u * 4)
            if k == key:
                return pool
            if k == DUMMY:
                freeslot = j
            j += 1
        perturb >>= PERTURB_SHIFT
        i = (i * 5 + 1 + perturb) & mask


@_njit
def _discard(pool, off, msk, used, v, key):
    start, mask = off[v], msk[v]
    i = key & mask
    perturb = key
    while True:
        probes = LINEAR_PROBES if i + LINEAR_PROBES <= mask else 0
        j = i
        for _ in range(probes + 1):
            k = pool[start + j]
            if k == EMPTY:
                return
            if k == key:
                pool[start + j] = DUMMY
                used[v] -= 1
                return
            j += 1
        perturb >>= PERTURB_SHIFT
        i = (i * 5 + 1 + perturb) & mask


@_njit
def _update(pool, top, off, msk, fill, used, a, b):
    """``set_a |= set_b`` (``set_merge``)."""
    if a == b or used[b] == 0:
        return pool
    if (fill[a] + used[b]) * 5 >= msk[a] * 3:
        pool = _resize(pool, top, off, msk, fill, used, a, (used[a] + used[b]) * 2)
    if fill[a] == 0:
        if msk[a] == msk[b] and fill[b] == used[b]:
            for j in range(msk[b] + 1):  # same size, no dummies: slots copied as they are
                pool[off[a] + j] = pool[off[b] + j]
        else:
            for j in range(msk[b] + 1):
                k = pool[off[b] + j]
                if k >= 0:
                    _insert_clean(pool, off[a], msk[a], k)
        fill[a] = used[b]
        used[a] = used[b]
        return pool
    for j in range(msk[b] + 1):
        k = pool[off[b] + j]
        if k >= 0:
            pool = _add(pool, top, off, msk, fill, used, a, k)
    return pool


@_njit
def _remove_pair(pool, top, off, msk, fill, used, v, x, y):
    """``set_v -= {x, y}`` (``set_difference_update_internal``; the discards commute)."""
    _discard(pool, off, msk, used, v, x)
    _discard(pool, off, msk, used, v, y)
    if fill[v] - used[v] <= msk[v] // 4:
        return pool
    u = used[v]
    return _resize(pool, top, off, msk, fill, used, v, u * 2 if u > 50000 else u * 4)


# -- the candidate heap: parallel arrays ordered like the tuples (cost, a, b, va, vb) ----------


@_njit
def _less(hc, ha, hb, hva, hvb, i, j):
    if hc[i] != hc[j]:
        return hc[i] < hc[j]
    if ha[i] != ha[j]:
        return ha[i] < ha[j]
    if hb[i] != hb[j]:
        return hb[i] < hb[j]
    if hva[i] != hva[j]:
        return hva[i] < hva[j]
    return hvb[i] < hvb[j]


@_njit
def _swap(hc, ha, hb, hva, hvb, i, j):
    hc[i], hc[j] = hc[j], hc[i]
    ha[i], ha[j] = ha[j], ha[i]
    hb[i], hb[j] = hb[j], hb[i]
    hva[i], hva[j] = hva[j], hva[i]
    hvb[i], hvb[j] = hvb[j], hvb[i]


@_njit
def _sift_down(hc, ha, hb, hva, hvb, i, size):
    while True:
        small, left = i, 2 * i + 1
        if left < size and _less(hc, ha, hb, hva, hvb, left, small):
            small = left
        if left + 1 < size and _less(hc, ha, hb, hva, hvb, left + 1, small):
            small = left + 1
        if small == i:
            return
        _swap(hc, ha, hb, hva, hvb, i, small)
        i = small


@_njit
def _sift_up(hc, ha, hb, hva, hvb, i):
    while i > 0:
        up = (i - 1) // 2
        if not _less(hc, ha, hb, hva, hvb, i, up):
            return
        _swap(hc, ha, hb, hva, hvb, i, up)
        i = up


@_njit
def _kernel(n, pa, pb, csize, cprop_w, fac, e, g, target):
    """The greedy loop of ``policy.agglomerate`` on CPython-laid-out neighbour sets.

    Returns ``(parent, clusters, factors_used)``; ``factors_used`` is -1 when ``fac`` ran out
    (the caller draws more and calls again).
    """
    off = np.arange(n).astype(np.int64) * MINSIZE
    msk = np.full(n, MINSIZE - 1, dtype=np.int64)
    fill = np.zeros(n, dtype=np.int64)
    used = np.zeros(n, dtype=np.int64)
    top = np.array([n * MINSIZE], dtype=np.int64)
    pool = np.full(max(4 * n * MINSIZE, 64), EMPTY, dtype=np.int64)
    for k in range(pa.shape[0]):
        pool = _add(pool, top, off, msk, fill, used, pa[k], pb[k])
        pool = _add(pool, top, off, msk, fill, used, pb[k], pa[k])
    parent = np.arange(n).astype(np.int64)
    version = np.zeros(n, dtype=np.int64)
    nf = fac.shape[0]
    cap = nf + 1
    hc = np.empty(cap)
    ha = np.empty(cap, dtype=np.int64)
    hb = np.empty(cap, dtype=np.int64)
    hva = np.zeros(cap, dtype=np.int64)
    hvb = np.zeros(cap, dtype=np.int64)
    size = 0
    fi = 0
    if used.sum() // 2 > nf:
        return parent, n, -1
    for a in range(n):
        for j in range(msk[a] + 1):
            b = pool[off[a] + j]
            if b > a:
                s = csize[a] + csize[b]
                hc[size] = s**e / ((cprop_w[a] + cprop_w[b]) / s) ** g * fac[fi]
                ha[size], hb[size] = a, b
                size += 1
                fi += 1
    for i in range(size // 2 - 1, -1, -1):
        _sift_down(hc, ha, hb, hva, hvb, i, size)
    clusters = n
    while clusters > target and size > 0:
        a, b, va, vb = ha[0], hb[0], hva[0], hvb[0]
        size -= 1
        if size > 0:
            _swap(hc, ha, hb, hva, hvb, 0, size)
            _sift_down(hc, ha, hb, hva, hvb, 0, size)
        if version[a] != va or version[b] != vb:
            continue  # stale entry
        parent[b] = a
        version[b] = -1
        csize[a] += csize[b]
        cprop_w[a] += cprop_w[b]
        version[a] += 1
        pool = _update(pool, top, off, msk, fill, used, a, b)
        pool = _remove_pair(pool, top, off, msk, fill, used, a, a, b)
        for j in range(msk[b] + 1):
            c = pool[off[b] + j]
            if c >= 0 and c != a:
                _discard(pool, off, msk, used, c, b)
                pool = _add(pool, top, off, msk, fill, used, c, a)
        used[b] = 0
        clusters -= 1
        if fi + used[a] > nf:
            return parent, clusters, -1
        sa, wa, ver_a = csize[a], cprop_w[a], version[a]
        for j in range(msk[a] + 1):
            c = pool[off[a] + j]
            if c < 0:
                continue
            s = sa + csize[c]
            hc[size] = s**e / ((wa + cprop_w[c]) / s) ** g * fac[fi]
            fi += 1
            if a < c:
                ha[size], hb[size], hva[size], hvb[size] = a, c, ver_a, version[c]
            else:
                ha[size], hb[size], hva[size], hvb[size] = c, a, version[c], ver_a
            size += 1
            _sift_up(hc, ha, hb, hva, hvb, size - 1)
    return parent, clusters, fi


def agglomerate_compiled(
    n: int,
    pa: np.ndarray,
    pb: np.ndarray,
    size: np.ndarray,
    propensity: np.ndarray,
    target: int,
    e: float,
    g: float,
    rng: np.random.Generator | None,
    noise: float,
) -> tuple[np.ndarray, int]:
    """``(parent, clusters)`` of the greedy loop over the allowed pairs ``pa``, ``pb``.

    The random cost factors ``exp(noise · z)`` are drawn ahead in one block; the stream is then
    left where one ``standard_normal()`` per used factor leaves it (as the Python loop does).
    """
    pa = np.ascontiguousarray(pa, dtype=np.int64)
    pb = np.ascontiguousarray(pb, dtype=np.int64)
    csize = size.astype(float)
    cprop_w = (propensity * size).astype(float)
    start = rng.bit_generator.state if rng is not None else None
    want = 3 * len(pa) + 64  # about 2.2 factors per pair are used on the seed county
    while True:
        if rng is None:
            fac = np.ones(want)
        else:
            rng.bit_generator.state = start
            fac = np.exp(noise * rng.standard_normal(want))
        parent, clusters, used = _kernel(
            n, pa, pb, csize.copy(), cprop_w.copy(), fac, float(e), float(g), int(target)
        )
        if used >= 0:
            break
        want *= 2
    if rng is not None:
        rng.bit_generator.state = start
        rng.standard_normal(used)
    return parent, int(clusters)
