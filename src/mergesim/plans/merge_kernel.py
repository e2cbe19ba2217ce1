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

Without Numba, :func:`available` is False and the Python loop (the reference) runs. Only large
ensembles use the kernel (:data:`mergesim.plans.ensemble.COMPILED_FROM`): for one plan,
importing Numba and loading the kernel costs more than it saves.
"""

from __future__ import annotations

import importlib.util

import numpy as np

__all__ = ["agglomerate_compiled", "available"]

EMPTY, DUMMY = -1, -2  # slot states (keys are unit indices >= 0)
_COMPILED: dict[str, object] = {}  # the compiled kernel and the result of available()
LINEAR_PROBES = 9  # CPython's setobject.c constants
PERTURB_SHIFT = 5
MINSIZE = 8
#: First guesses of the factors and table slots the kernel needs (doubled until enough).
FACTORS_PER_PAIR = 3  # about 2.2 factors per allowed pair are used on the seed county
SLOTS_PER_PAIR = 32


def available() -> bool:
    """Whether Numba (extra ``fast``) can be imported.

    Imports it (about 0.5 s): ask only where the kernel is about to run. A Numba that does not
    import (e.g. built for another NumPy) counts as absent, so the Python loop runs.
    """
    if "available" not in _COMPILED:
        ok = importlib.util.find_spec("numba") is not None
        if ok:
            try:  # optional extra "fast"
                import numba  # noqa: F401
            except ImportError:
                ok = False
        # The tables follow CPython 3.12's sets; another interpreter's sets may differ.
        _COMPILED["available"] = ok and _layout_matches_sets()
    return bool(_COMPILED["available"])


def _layout_matches_sets(n: int = 40, steps: int = 600) -> bool:
    """Whether the tables (helpers run as Python) iterate like this interpreter's sets over a
    fixed sequence of the operations the loop uses (add, discard, ``|=``, ``-= {x, y}``)."""
    rng = np.random.default_rng(0)
    sets: list[set[int]] = [set() for _ in range(n)]
    off = np.arange(n, dtype=np.int64) * MINSIZE
    msk = np.full(n, MINSIZE - 1, dtype=np.int64)
    fill, used = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    top = np.array([n * MINSIZE], dtype=np.int64)
    pool = np.full(n * MINSIZE * 400, EMPTY, dtype=np.int64)
    for op, v, w, x, y in rng.integers(0, [4, n, n, 4 * n, 4 * n], size=(steps, 5)).tolist():
        if op <= 1:
            sets[v].add(x)
            _add(pool, top, off, msk, fill, used, v, x)
        elif op == 2:
            sets[v].discard(x)
            _discard(pool, off, msk, used, v, x)
        elif x % 2:
            sets[v] |= sets[w]
            _update(pool, top, off, msk, fill, used, v, w)
        elif x != y:
            sets[v] -= {x, y}
            _remove_pair(pool, top, off, msk, fill, used, v, x, y)
    return all(
        [int(k) for k in pool[off[v] : off[v] + msk[v] + 1] if k >= 0] == list(sets[v])
        for v in range(n)
    )


def _compiled_kernel():
    """The kernel compiled with Numba (loaded from Numba's cache after the first compile).

    The helpers stay plain Python functions (the tests call them as such); registered as
    jitable, they are compiled into the kernel, so the cache holds one function.
    """
    if "kernel" not in _COMPILED:
        import numba  # optional extra "fast"; imported here, not at start-up (about 0.5 s)
        from numba.extending import register_jitable

        for helper in (
            _alloc,
            _insert_clean,
            _resize,
            _add,
            _discard,
            _update,
            _remove_pair,
            _less,
            _swap,
            _sift_down,
            _sift_up,
        ):
            register_jitable(error_model="numpy")(helper)
        _COMPILED["kernel"] = numba.njit(cache=True, error_model="numpy")(_kernel)
    return _COMPILED["kernel"]


# -- CPython set tables in one pool: unit v's table is pool[off[v] : off[v] + mask[v] + 1] ------


def _alloc(pool, top, size):
    """Start of a new all-empty region of ``size`` slots; -1 when the pool is full (the
    caller gives up and the kernel is run again with a larger pool)."""
    start = top[0]
    if start + size > pool.shape[0]:
        return -1
    pool[start : start + size] = EMPTY
    top[0] = start + size
    return start


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


def _resize(pool, top, off, msk, fill, used, v, minused):
    newsize = MINSIZE
    while newsize <= minused:
        newsize <<= 1
    if newsize == MINSIZE and msk[v] == MINSIZE - 1 and fill[v] == used[v]:
        return True  # the small table without dummies is left as it is
    old, oldmask = off[v], msk[v]
    start = _alloc(pool, top, newsize)
    if start < 0:
        return False
    for j in range(oldmask + 1):
        k = pool[old + j]
        if k >= 0:
            _insert_clean(pool, start, newsize - 1, k)
    off[v], msk[v], fill[v] = start, newsize - 1, used[v]
    return True


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
                    return True
                pool[start + j] = key
                fill[v] += 1
                used[v] += 1
                if fill[v] * 5 < mask * 3:
                    return True
                u = used[v]
                return _resize(pool, top, off, msk, fill, used, v, u * 2 if u > 50000 else u * 4)
            if k == key:
                return True
            if k == DUMMY:
                freeslot = j
            j += 1
        perturb >>= PERTURB_SHIFT
        i = (i * 5 + 1 + perturb) & mask


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


def _update(pool, top, off, msk, fill, used, a, b):
    """``set_a |= set_b`` (``set_merge``)."""
    if a == b or used[b] == 0:
        return True
    if (fill[a] + used[b]) * 5 >= msk[a] * 3:
        if not _resize(pool, top, off, msk, fill, used, a, (used[a] + used[b]) * 2):
            return False
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
        return True
    for j in range(msk[b] + 1):
        k = pool[off[b] + j]
        if k >= 0 and not _add(pool, top, off, msk, fill, used, a, k):
            return False
    return True


def _remove_pair(pool, top, off, msk, fill, used, v, x, y):
    """``set_v -= {x, y}`` (``set_difference_update_internal``; the discards commute)."""
    _discard(pool, off, msk, used, v, x)
    _discard(pool, off, msk, used, v, y)
    if fill[v] - used[v] <= msk[v] // 4:
        return True
    u = used[v]
    return _resize(pool, top, off, msk, fill, used, v, u * 2 if u > 50000 else u * 4)


# -- the candidate heap: parallel arrays ordered like the tuples (cost, a, b, va, vb) ----------


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


def _swap(hc, ha, hb, hva, hvb, i, j):
    hc[i], hc[j] = hc[j], hc[i]
    ha[i], ha[j] = ha[j], ha[i]
    hb[i], hb[j] = hb[j], hb[i]
    hva[i], hva[j] = hva[j], hva[i]
    hvb[i], hvb[j] = hvb[j], hvb[i]


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


def _sift_up(hc, ha, hb, hva, hvb, i):
    while i > 0:
        up = (i - 1) // 2
        if not _less(hc, ha, hb, hva, hvb, i, up):
            return
        _swap(hc, ha, hb, hva, hvb, i, up)
        i = up


def _kernel(n, pa, pb, csize, cprop_w, fac, pool, e, g, target):
    """The greedy loop of ``policy.agglomerate`` on CPython-laid-out neighbour sets.

    ``pool`` holds the neighbour tables (its first ``n * MINSIZE`` slots are the initial
    ones). Returns ``(parent, clusters, factors_used)``; ``factors_used`` is -1 when ``fac`` ran
    out and -2 when ``pool`` did (the caller calls again with more).
    """
    off = np.arange(n).astype(np.int64) * MINSIZE
    msk = np.full(n, MINSIZE - 1, dtype=np.int64)
    fill = np.zeros(n, dtype=np.int64)
    used = np.zeros(n, dtype=np.int64)
    top = np.array([n * MINSIZE], dtype=np.int64)
    pool[: n * MINSIZE] = EMPTY
    parent = np.arange(n).astype(np.int64)
    for k in range(pa.shape[0]):
        if not _add(pool, top, off, msk, fill, used, pa[k], pb[k]):
            return parent, n, -2
        if not _add(pool, top, off, msk, fill, used, pb[k], pa[k]):
            return parent, n, -2
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
        if not _update(pool, top, off, msk, fill, used, a, b):
            return parent, clusters, -2
        if not _remove_pair(pool, top, off, msk, fill, used, a, a, b):
            return parent, clusters, -2
        for j in range(msk[b] + 1):
            c = pool[off[b] + j]
            if c >= 0 and c != a:
                _discard(pool, off, msk, used, c, b)
                if not _add(pool, top, off, msk, fill, used, c, a):
                    return parent, clusters, -2
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
    kernel = _compiled_kernel()
    start = rng.bit_generator.state if rng is not None else None
    want = FACTORS_PER_PAIR * len(pa) + 64
    slots = n * MINSIZE + SLOTS_PER_PAIR * len(pa) + 64
    fac = None
    while True:
        if fac is None and rng is None:
            fac = np.ones(want)
        elif fac is None:
            rng.bit_generator.state = start
            fac = np.exp(noise * rng.standard_normal(want))
        pool = np.empty(slots, dtype=np.int64)
        parent, clusters, used = kernel(
            n, pa, pb, csize.copy(), cprop_w.copy(), fac, pool, float(e), float(g), int(target)
        )
        if used >= 0:
            break
        if used == -1:
            want, fac = 2 * want, None
        else:
            slots *= 2
    if rng is not None:
        rng.bit_generator.state = start
        rng.standard_normal(used)
    return parent, int(clusters)
