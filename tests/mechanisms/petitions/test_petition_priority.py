"""The loop answers to its clock: earliest-deadline-first service, exact and work-conserving.

* With the arrival time as the key, the priority recursion *is* FCFS, draw for draw.
* Under deadline priority every service that starts after a wait takes the smallest deadline
  among the petitions present, and no server idles while a petition waits.
* Kleinrock's conservation law: with exponential service independent of the class, any
  work-conserving non-preemptive order leaves the mean wait of an M/M/c queue at Erlang C's —
  so the deadline order re-distributes waiting (petitions due sooner wait less) without
  changing the total, and the queue validation holds for it too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from petition_helpers import P

from mergesim.mechanisms.petitions import CONCLUDE_STAGE, N_STAGES, LoopConfig, PetitionLoop
from mergesim.mechanisms.petitions import loop as loop_module
from mergesim.validation.queueing import mmc, replication_ci
from mergesim.validation.references import poisson_loop


def _loaded(priority: str, seed: int = 7, weeks: int = 30, units: int = 6) -> PetitionLoop:
    """A loaded loop: multi-server stages near saturation, repeats and extensions on."""
    cfg = dataclasses.replace(
        LoopConfig.queues_only(P, [0.6, 0.4, 1.5, 2.0, 0.5, 0.3], [0.5, 1, 2, 4, 2, 1]),
        priority=priority,
        extension_prob=0.4,
        resolve_base=(0.6, 0.6),
        repeat_prob=0.5,
        refile_days=3.0,
    )
    servers = np.tile(np.array([1, 1, 2, 2, 1, 1])[:, None], (1, units))
    return poisson_loop(cfg, servers, 0.9, units, weeks, seed)


def test_priority_by_arrival_is_fcfs_draw_for_draw(monkeypatch):
    fcfs = _loaded("fcfs")
    monkeypatch.setattr(loop_module, "stage_deadline", lambda rec, idx, s, cfg: rec.entry[idx, s])
    by_arrival = _loaded("deadline")
    a, b = fcfs.rec, by_arrival.rec
    assert a.n == b.n > 500
    for name in ("start", "done", "exit", "closed", "outcome", "resolved", "extended"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def _key(rec, idx, s):
    return loop_module.stage_deadline(rec, idx, s, LoopConfig.from_params(P))


@pytest.mark.parametrize("s", [0, 2, CONCLUDE_STAGE])
def test_deadline_order_and_no_idle_server_while_a_petition_waits(s):
    loop = _loaded("deadline", weeks=20)
    r = loop.rec
    e, st, d = r.entry[:, s], r.start[:, s], r.done[:, s]
    # A repeat filed in the week its parent closed joins the first queue from the next week
    # on (the first stage has been served for the week when the parent closes): until then
    # it is not there to be chosen, so it counts as arriving at the start of that week.
    par = r.parent
    known = np.where(par >= 0, np.floor(r.closed[np.maximum(par, 0)] / 7) + 1, 0)
    if s == 0:
        e = np.maximum(e, 7.0 * known)
    started = np.flatnonzero(~np.isnan(st))
    waited = started[st[started] > e[started]]
    assert len(waited) > 50  # the queue is loaded
    key = np.full(r.n, np.nan)
    has_key = ~np.isnan(e) & ((s <= 1) | ~np.isnan(r.exit[:, 1]))
    key[has_key] = _key(r, np.flatnonzero(has_key), s)
    for i in waited:
        same = r.unit == r.unit[i]
        # Work conservation: the petition starts the moment a server of its queue frees up.
        assert np.any(same & np.isclose(d, st[i], rtol=0, atol=1e-9)), i
        # Priority: nobody present at that moment had an earlier deadline.
        present = same & (e <= st[i]) & ~(st <= st[i])
        present[i] = False
        assert np.all(key[present] >= key[i] - 1e-9), i


@pytest.mark.slow
def test_deadline_priority_keeps_the_erlang_c_mean_wait_and_favours_the_due():
    """M/M/2 at the conclusion stage (earlier stages instantaneous): petitions approved as
    complex (deadline 30 days later) yield to the others; the mean wait over both is Erlang
    C's (99 % interval over 30 replicas), the non-extended wait less."""
    lam, mean_s, c = 1.5, 1.0, 2
    units, weeks, warm = 30, 220, 30
    service = np.zeros(N_STAGES)
    service[CONCLUDE_STAGE] = mean_s
    cfg = dataclasses.replace(
        LoopConfig.queues_only(P, service), priority="deadline", extension_prob=0.5
    )
    servers = np.full((N_STAGES, units), 50)
    servers[CONCLUDE_STAGE] = c
    r = poisson_loop(cfg, servers, lam, units, weeks, seed=11).rec
    s = CONCLUDE_STAGE
    e, st, d = r.entry[:, s], r.start[:, s], r.done[:, s]
    t0, t1 = 7.0 * warm, 7.0 * weeks
    per_unit, ext_w, non_w = [], [], []
    for u in range(units):
        sel = (r.unit == u) & (e >= t0) & (d < t1)
        wq = (st - e)[sel]
        per_unit.append(wq.mean())
        ext_w.append(wq[r.extended[sel]].mean())
        non_w.append(wq[~r.extended[sel]].mean())
    mean, half = replication_ci(np.array(per_unit))
    assert abs(mean - mmc(lam, 1 / mean_s, c).wq) <= half
    assert np.mean(non_w) < mean < np.mean(ext_w)
