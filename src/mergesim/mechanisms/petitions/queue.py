"""One stage of the loop in one period: the exact multi-server recursion, vectorised over queues.

Every unit's queue at a stage has ``c`` identical servers; a free server takes a waiting
petition, serves it for an exponential time and the petition then spends an exponential pure
delay before it leaves the stage. Two disciplines:

* **First come, first served** (:func:`serve_fcfs`; Kiefer & Wolfowitz 1955): the next petition
  in arrival order starts at ``max(arrival, earliest free server)``. With Poisson arrivals this
  is exactly an M/M/c queue (the validation suite checks it against Erlang C).
* **Priority** (:func:`serve_priority`, non-preemptive): a server that frees up at ``f`` takes,
  among the petitions present at ``f``, the one with the smallest key (the statutory deadline:
  earliest deadline first); if none is present it takes the next to arrive. With the arrival
  time as key this *is* FCFS, draw for draw (a test checks it).

**Rounds.** Both are evaluated in rounds, each vectorised over every queue of the stage: in a
round the ``k``-th earliest free server of a queue (``k < c``) is paired with the petition the
discipline gives it after the pairings ``0 .. k−1`` of the round, its service drawn, and the
pairings kept for the longest prefix that the sequential recursion would also produce. The
``k``-th pairing is exact unless a service started earlier in the same round ends before the
``k``-th server frees up — then that server would choose first — and the petition does not
arrive after the ``k``-th server is free anyway (then it starts on arrival whichever server
takes it). The first pairing of a queue is always exact, so each round starts at least one
service per busy queue; rounds continue until no queue can start a service before ``t1``. The
choice of a pairing never depends on its own service draw, so the draws are unbiased; the
priority version finds each round's pairings with one pass per server index ``k`` (a loop over
at most the largest number of servers of a queue, never over petitions).

**Server free times** are rebuilt each period from the petitions in service, so the number
of servers and their speed can change from week to week: an idle server is free from ``t0``;
if a queue has fewer servers than petitions in service, those services finish and only the
last ``c`` to finish free a server.
"""

from __future__ import annotations

import numpy as np


def group_rank(keys: np.ndarray) -> np.ndarray:
    """Rank of each element within its run of equal ``keys`` (keys sorted), from 0."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n, dtype=np.int64) - first


def _first_per_queue(q_sorted: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Positions of the first ``True`` of ``mask`` in each run of equal ``q_sorted``."""
    pos = np.flatnonzero(mask)
    if len(pos) == 0:
        return pos
    qq = q_sorted[pos]
    return pos[np.r_[True, qq[1:] != qq[:-1]]]


class StageQueues:
    """The queues of one stage for one period ``[t0, t1)``: free times and waiting petitions.

    Args:
        a: The records' raw arrays (``PetitionRecords._a``), written in place.
        idx: Rows in this stage (open, not yet past it).
        unit: Their unit (queue) indices.
        s: The stage.
        servers: Servers per unit at this stage.
        t0, t1: The period (days).
    """

    def __init__(
        self,
        a: dict[str, np.ndarray],
        idx: np.ndarray,
        unit: np.ndarray,
        s: int,
        servers: np.ndarray,
        t0: float,
        t1: float,
    ):
        self.a, self.s, self.c, self.t1 = a, s, servers, t1
        self.n_q = len(servers)
        self.cmax = max(int(servers.max()), 1)
        col = np.arange(self.cmax)
        start = a["start"][idx, s]
        # Server free times: idle servers from t0; +inf marks a server the unit does not have.
        free = np.where(col[None, :] < servers[:, None], t0, np.inf)
        busy = ~np.isnan(start) & (a["done"][idx, s] > t0)
        if busy.any():
            bq, bd = unit[busy], a["done"][idx[busy], s]
            o = np.lexsort((-bd, bq))
            bq, bd = bq[o], bd[o]
            rk = group_rank(bq)
            keep = rk < servers[bq]  # only the last c services to finish free a server
            free[bq[keep], rk[keep]] = bd[keep]
        self.free = free
        wait = np.isnan(start) & (servers[unit] > 0)
        self.rows, self.q = idx[wait], unit[wait]
        self.entry = a["entry"][self.rows, s]

    def start(
        self,
        rows: np.ndarray,
        st: np.ndarray,
        comp: np.ndarray,
        delay: float,
        rng: np.random.Generator,
    ) -> None:
        """Record services of ``rows`` starting at ``st`` and ending at ``comp``."""
        a, s = self.a, self.s
        a["start"][rows, s] = st
        a["done"][rows, s] = comp
        ex = comp
        if delay > 0:
            ex = comp + rng.exponential(delay, size=len(rows))
        a["exit"][rows, s] = ex

    def valid_prefix(
        self, cq: np.ndarray, cr: np.ndarray, comp: np.ndarray, ok: np.ndarray, free_ok: np.ndarray
    ) -> np.ndarray:
        """Which pairings ``(queue cq, server rank cr)`` the sequential recursion confirms.

        ``free_ok``: the pairing stays exact even if an earlier service of the round ends first
        (its petition arrives after the server is free). Kept: the longest valid prefix of
        each queue's pairings in server order.
        """
        n_q, cmax = self.n_q, self.cmax
        cm = np.full((n_q, cmax), np.inf)
        cm[cq, cr] = comp
        m = np.full((n_q, cmax), np.inf)
        if cmax > 1:
            m[:, 1:] = np.minimum.accumulate(cm, axis=1)[:, :-1]
        f = self.fs[cq, cr]
        valid = ok & ((f <= m[cq, cr]) | free_ok)
        vm = np.zeros((n_q, cmax), dtype=bool)
        vm[cq, cr] = valid
        return np.logical_and.accumulate(vm, axis=1)[cq, cr]


def serve_fcfs(sq: StageQueues, scale: np.ndarray, delay: float, rng: np.random.Generator) -> int:
    """Start every service of the stage that begins before ``t1``, first come first served.

    Args:
        sq: The stage's queues.
        scale: Mean service time per queue (days).
        delay: Mean pure delay after service (days).
        rng: The loop's stream.

    Returns:
        The number of rounds.
    """
    w, wq, we = sq.rows, sq.q, sq.entry
    if len(w) == 0:
        return 0
    o = np.lexsort((w, we, wq))
    w, wq, we = w[o], wq[o], we[o]
    c, t1 = sq.c, sq.t1
    rounds = 0
    while len(w):
        rounds += 1
        sq.fs = fs = np.sort(sq.free, axis=1)
        rk = group_rank(wq)
        ci = np.flatnonzero(rk < c[wq])
        cq, cr, ce = wq[ci], rk[ci], we[ci]
        f = fs[cq, cr]
        st = np.maximum(ce, f)
        ok = st < t1
        comp = np.full(len(ci), np.inf)
        n_ok = int(ok.sum())
        comp[ok] = st[ok] + rng.exponential(size=n_ok) * scale[cq[ok]]
        acc = sq.valid_prefix(cq, cr, comp, ok, ce >= f)
        if not acc.any():
            break
        sq.start(w[ci[acc]], st[acc], comp[acc], delay, rng)
        fs[cq[acc], cr[acc]] = comp[acc]
        sq.free = fs
        # Queues whose head cannot start before t1 are done for the period.
        stuck = np.zeros(sq.n_q, dtype=bool)
        stuck[cq[(cr == 0) & ~ok]] = True
        keep = np.ones(len(w), dtype=bool)
        keep[ci[acc]] = False
        keep &= ~stuck[wq]
        w, wq, we = w[keep], wq[keep], we[keep]
    return rounds


def serve_priority(
    sq: StageQueues,
    key: np.ndarray,
    scale: np.ndarray,
    delay: float,
    rng: np.random.Generator,
) -> int:
    """Start every service of the stage that begins before ``t1``, smallest ``key`` first
    among the petitions present (non-preemptive priority; see the module docstring).

    Args:
        sq: The stage's queues.
        key: Priority key of every waiting petition (``sq.rows`` order; smaller first; ties by
            arrival, then row).
        scale, delay, rng: As :func:`serve_fcfs`.

    Returns:
        The number of rounds.
    """
    w, wq, we = sq.rows, sq.q, sq.entry
    if len(w) == 0:
        return 0
    o = np.lexsort((w, we, key, wq))
    w, wq, we = w[o], wq[o], we[o]
    c, t1, n_q = sq.c, sq.t1, sq.n_q
    rounds = 0
    while len(w):
        rounds += 1
        sq.fs = fs = np.sort(sq.free, axis=1)
        # The same rows in arrival order, for a server that finds nobody present.
        by_arrival = np.lexsort((w, we, wq))
        taken = np.zeros(len(w), dtype=bool)
        pos_l, q_l, k_l, f_l = [], [], [], []
        for k in range(int(min(c.max(), sq.cmax))):
            f_q = fs[:, k]
            active = (k < c[wq]) & ~taken
            present = active & (we <= f_q[wq])
            pos = _first_per_queue(wq, present)
            has = np.zeros(n_q, dtype=bool)
            has[wq[pos]] = True
            later = active[by_arrival] & ~has[wq[by_arrival]]
            arr = by_arrival[_first_per_queue(wq[by_arrival], later)]
            pos = np.r_[pos, arr]
            if len(pos) == 0:
                break
            taken[pos] = True
            pos_l.append(pos)
            q_l.append(wq[pos])
            k_l.append(np.full(len(pos), k, dtype=np.int64))
            f_l.append(np.r_[np.zeros(len(pos) - len(arr), bool), np.ones(len(arr), bool)])
        pos = np.concatenate(pos_l)
        cq, cr = np.concatenate(q_l), np.concatenate(k_l)
        arrival_driven = np.concatenate(f_l)
        o = np.lexsort((cr, cq))  # (queue, server rank): the draw order of serve_fcfs
        pos, cq, cr, arrival_driven = pos[o], cq[o], cr[o], arrival_driven[o]
        f = fs[cq, cr]
        st = np.maximum(we[pos], f)
        ok = st < t1
        comp = np.full(len(pos), np.inf)
        n_ok = int(ok.sum())
        comp[ok] = st[ok] + rng.exponential(size=n_ok) * scale[cq[ok]]
        acc = sq.valid_prefix(cq, cr, comp, ok, arrival_driven)
        if not acc.any():
            break
        sq.start(w[pos[acc]], st[acc], comp[acc], delay, rng)
        fs[cq[acc], cr[acc]] = comp[acc]
        sq.free = fs
        stuck = np.zeros(n_q, dtype=bool)
        stuck[cq[(cr == 0) & ~ok]] = True
        keep = np.ones(len(w), dtype=bool)
        keep[pos[acc]] = False
        keep &= ~stuck[wq]
        w, wq, we = w[keep], wq[keep], we[keep]
    return rounds
