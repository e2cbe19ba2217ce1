"""The petition loop as a queueing network: M/M/c and Jackson-network agreement, Little's law,
conservation (Hypothesis), outcomes, determinism, input checks.

Confidence intervals come from the simulation itself: independent replications run side by
side as separate units of one :class:`PetitionLoop` (each unit is an independent queue), and
batch means for one long run (``mergesim.validation.queueing``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from petition_helpers import P, loop_config

from mergesim.mechanisms.petitions import (
    CLOSED,
    CONCLUDE_STAGE,
    N_STAGES,
    Kind,
    Level,
    LoopConfig,
    Outcome,
    PetitionLoop,
    closing_metrics,
)
from mergesim.validation.queueing import (
    batch_means,
    erlang_c,
    mmc,
    replication_ci,
    tandem_sojourn,
)
from mergesim.validation.references import poisson_loop, time_average


def poisson_run(
    cfg: LoopConfig, servers: np.ndarray, lam: float, units: int, weeks: int, seed: int = 1
) -> PetitionLoop:
    """Run ``units`` independent replicas with Poisson arrivals at ``lam`` a day each."""
    return poisson_loop(cfg, servers, lam, units, weeks, seed)


def stage_servers(units: int, stage0: int, others: int = 50) -> np.ndarray:
    s = np.full((N_STAGES, units), others)
    s[0] = stage0
    return s


def inside(ci: tuple[float, float], value: float) -> bool:
    mean, half = ci
    return abs(mean - value) <= half


def test_erlang_c_known_values():
    # M/M/1: P(wait) = rho; Wq = rho / (mu - lam).
    q = mmc(0.5, 1.0, 1)
    assert q.p_wait == pytest.approx(0.5) and q.wq == pytest.approx(1.0)
    # A textbook value: c = 2, a = 1 -> C = 1/3 (Gross et al. 2008, Example 2.4-style check).
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # Little's law inside the formulas.
    q = mmc(2.0, 1 / 1.2, 3)
    assert q.lq == pytest.approx(q.lam * q.wq) and q.l == pytest.approx(q.lq + q.lam / q.mu)
    with pytest.raises(ValueError):
        erlang_c(2, 2.0)


@pytest.mark.slow
@pytest.mark.parametrize(("lam", "mean_s", "c"), [(0.7, 1.0, 1), (2.0, 1.2, 3)])
def test_single_stage_matches_mmc_and_littles_law(lam, mean_s, c):
    """Fixed Poisson arrivals, exponential service, no feedback: a stage is M/M/c.

    30 independent replicas (units) over 300 weeks after a 30-week warm-up; 99 % t-intervals
    over the replicas must contain the Erlang C values of Wq, W, P(wait), Lq and L, and
    L − λ̂W (Little's law, on each replica) must be 0 within its interval.
    """
    units, weeks, warm = 30, 330, 30
    cfg = LoopConfig.queues_only(P, [mean_s, 0, 0, 0, 0, 0])
    loop = poisson_run(cfg, stage_servers(units, c), lam, units, weeks)
    r = loop.rec
    t0, t1 = 7.0 * warm, 7.0 * weeks
    th = mmc(lam, 1 / mean_s, c)
    e, s, d = r.entry[:, 0], r.start[:, 0], r.done[:, 0]
    stats = {k: [] for k in ("wq", "w", "pw", "lq", "l", "little")}
    for u in range(units):
        mine = r.unit == u
        sel = mine & (e >= t0) & (d < t1)
        wq, w = (s - e)[sel], (d - e)[sel]
        lam_hat = np.count_nonzero(mine & (e >= t0) & (e < t1)) / (t1 - t0)
        lq = time_average(e[mine], s[mine], t0, t1)
        ll = time_average(e[mine], d[mine], t0, t1)
        stats["wq"].append(wq.mean())
        stats["w"].append(w.mean())
        stats["pw"].append((wq > 0).mean())
        stats["lq"].append(lq)
        stats["l"].append(ll)
        stats["little"].append(ll - lam_hat * w.mean())
    theory = {"wq": th.wq, "w": th.w, "pw": th.p_wait, "lq": th.lq, "l": th.l, "little": 0.0}
    for k, ref in theory.items():
        ci = replication_ci(np.array(stats[k]))
        assert inside(ci, ref), f"{k}: simulated {ci[0]:.4f} ± {ci[1]:.4f}, theory {ref:.4f}"


@pytest.mark.slow
def test_single_long_run_batch_means():
    """One long M/M/2 run: the batch-means interval of the wait contains Erlang C's Wq."""
    lam, mean_s, c = 1.5, 1.0, 2
    cfg = LoopConfig.queues_only(P, [mean_s, 0, 0, 0, 0, 0])
    loop = poisson_run(cfg, stage_servers(1, c), lam, 1, 3000, seed=5)
    r = loop.rec
    o = np.argsort(r.entry[:, 0])
    e, s = r.entry[o, 0], r.start[o, 0]
    keep = (e > 7 * 50) & ~np.isnan(s)
    ci = batch_means((s - e)[keep], n_batches=20)
    assert inside(ci, mmc(lam, 1 / mean_s, c).wq), ci


@pytest.mark.slow
def test_six_stage_loop_matches_jackson_tandem():
    """Six M/M/c stages with M/M/∞ delays in series: mean end-to-end sojourn = Σ W_s + Σ d_s,
    and each stage's mean sojourn its own M/M/c W (Burke's theorem)."""
    lam = 0.8
    service = np.array([0.5, 0.5, 2.0, 3.0, 1.0, 0.5])
    cs = np.array([1, 1, 2, 3, 1, 1])
    delay = np.array([1.0, 2.0, 5.0, 15.0, 10.0, 3.0])
    units, weeks, warm = 24, 260, 40
    cfg = LoopConfig.queues_only(P, service, delay)
    loop = poisson_run(cfg, np.repeat(cs[:, None], units, axis=1), lam, units, weeks, seed=3)
    r = loop.rec
    t0, t_end = 7.0 * warm, 7.0 * (weeks - 30)
    sel0 = (r.entry[:, 0] >= t0) & (r.entry[:, 0] < t_end) & (r.stage == CLOSED)
    total = [(r.exit[:, 5] - r.entry[:, 0])[sel0 & (r.unit == u)].mean() for u in range(units)]
    ref = tandem_sojourn(lam, 1 / service, cs, delay)
    # Seven simultaneous checks (total + six stages): Bonferroni, so that the family of checks
    # holds at 99 % (each at 1 - 0.01/7) rather than each at 99 % (family ~93 %).
    level = 1 - 0.01 / (N_STAGES + 1)
    ci = replication_ci(np.array(total), level)
    assert inside(ci, ref), f"total: {ci}, theory {ref:.3f}"
    for s in range(N_STAGES):
        per = [(r.done[:, s] - r.entry[:, s])[sel0 & (r.unit == u)].mean() for u in range(units)]
        ci = replication_ci(np.array(per), level)
        assert inside(ci, mmc(lam, 1 / service[s], int(cs[s])).w), (s, ci)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31 - 1),
    units=st.integers(1, 5),
    weeks=st.integers(1, 25),
    lam=st.floats(0.0, 3.0),
    repeat=st.floats(0.0, 0.6),
    escalate=st.floats(0.0, 0.4),
    resolve=st.floats(0.0, 1.0),
    refile=st.floats(0.0, 20.0),
    remap_week=st.integers(0, 30),
)
@pytest.mark.slow
def test_conservation_filed_equals_closed_plus_open(
    seed, units, weeks, lam, repeat, escalate, resolve, refile, remap_week
):
    rng = np.random.default_rng(seed)
    cfg = loop_config(
        service_days=rng.uniform(0, 3, N_STAGES),
        delay_days=rng.uniform(0, 5, N_STAGES),
        extension_prob=0.3,
        resolve_base=(resolve, resolve),
        resolve_elasticity=1.0,
        collective_factor=0.8,
        repeat_prob=repeat,
        escalate_prob=escalate,
        refile_days=refile,
    )
    n_units = units + 1  # the last unit is the county bureau
    loop = PetitionLoop(cfg, n_units, np.random.default_rng(seed + 1), county_unit=units)
    made = 0
    for w in range(weeks):
        # Staffing changes every week, zero servers included (a stage may stall).
        loop.set_staffing(
            rng.integers(0, 4, (N_STAGES, loop.n_units)),
            rng.uniform(0.5, 1.5, (N_STAGES, loop.n_units)),
        )
        if w == remap_week and loop.n_units > 2:
            t = loop.n_units - 1
            new_t = max(1, t // 2)
            loop.remap_units(np.r_[np.arange(t) % new_t, new_t], new_t + 1, county_unit=new_t)
        k = rng.poisson(lam * 7)
        unit = rng.integers(0, loop.n_units - 1, k)
        kind = rng.integers(0, 2, k)
        loop.file(
            7 * w + 7 * rng.random(k),
            unit,
            village=unit,
            filer=np.arange(made, made + k),
            kind=kind,
            size=1 + 4 * kind,
        )
        made += k
        loop.advance(7.0 * (w + 1))  # asserts conservation itself
        r = loop.rec
        n_open = int(np.count_nonzero((r.filed < loop.clock) & (r.stage < CLOSED)))
        assert loop.n_filed == loop.n_closed + n_open
        assert loop.n_filed == int(np.count_nonzero(r.filed < loop.clock))
        first = int(np.count_nonzero(r.parent < 0))
        assert first == made  # every record without a parent is one we filed
    r = loop.rec
    # Timestamps are ordered along each closed petition's path.
    c = np.flatnonzero(r.stage == CLOSED)
    for s in range(N_STAGES):
        assert np.all(r.entry[c, s] <= r.start[c, s])
        assert np.all(r.start[c, s] <= r.done[c, s])
        assert np.all(r.done[c, s] <= r.exit[c, s])
        if s < N_STAGES - 1:
            assert np.array_equal(r.exit[c, s], r.entry[c, s + 1])
    assert np.all(r.closed[c] == r.exit[c, N_STAGES - 1])
    # Children point back to their parents; only repeats and escalations have children.
    kids = np.flatnonzero(r.parent >= 0)
    assert np.array_equal(r.child[r.parent[kids]], kids)
    assert np.all(np.isin(r.outcome[r.parent[kids]], [Outcome.REPEATED, Outcome.ESCALATED]))
    assert np.all(r.filed[kids] >= r.closed[r.parent[kids]])
    assert np.all(r.outcome[r.stage < CLOSED] == Outcome.OPEN)


def test_no_server_stalls_a_stage_but_keeps_conservation():
    cfg = LoopConfig.queues_only(P, [0.5] * N_STAGES)
    loop = PetitionLoop(cfg, 1, np.random.default_rng(0))
    servers = np.ones((N_STAGES, 1), dtype=int)
    servers[2] = 0
    loop.set_staffing(servers)
    loop.file(np.linspace(0, 6, 10), 0)
    for w in range(4):
        loop.advance(7.0 * (w + 1))
    assert loop.n_closed == 0 and loop.n_open == 10
    assert np.all(loop.rec.stage == 2)
    servers[2] = 2
    loop.set_staffing(servers)
    for w in range(4, 30):
        loop.advance(7.0 * (w + 1))
    assert loop.n_closed == 10 and loop.n_open == 0


def test_fewer_servers_than_services_in_progress():
    """Cutting servers mid-service: running services finish, only c servers remain after."""
    cfg = LoopConfig.queues_only(P, [20.0, 0, 0, 0, 0, 0])
    loop = PetitionLoop(cfg, 1, np.random.default_rng(2))
    loop.set_staffing(stage_servers(1, 5))
    loop.file(np.zeros(8), 0)
    loop.advance(1.0)
    assert np.count_nonzero(~np.isnan(loop.rec.start[:, 0])) == 5
    loop.set_staffing(stage_servers(1, 1))
    for w in range(1, 200):
        loop.advance(float(w + 1))
    r = loop.rec
    assert loop.n_closed == 8
    # The four early services that end first free no server; the single server left is freed
    # by the last of them, and the three waiting petitions then follow one another.
    early, late = np.arange(5), np.arange(5, 8)
    starts = np.sort(r.start[late, 0])
    assert starts[0] == pytest.approx(r.done[early, 0].max())
    o = late[np.argsort(r.start[late, 0])]
    assert np.allclose(r.start[o[1:], 0], r.done[o[:-1], 0])


def test_outcome_shares_follow_the_probabilities():
    cfg = loop_config(
        service_days=np.full(N_STAGES, 0.1),
        delay_days=np.zeros(N_STAGES),
        resolve_base=(0.6, 0.6),
        repeat_prob=0.5,
        escalate_prob=0.3,
        refile_days=1.0,
    )
    loop = PetitionLoop(cfg, 3, np.random.default_rng(4), county_unit=2)
    loop.set_staffing(np.full((N_STAGES, 3), 20))
    loop.file(np.random.default_rng(5).uniform(0, 7, 4000), np.zeros(4000, int))
    for w in range(40):
        loop.advance(7.0 * (w + 1))
    r = loop.rec
    first = (r.parent < 0) & (r.stage == CLOSED)
    oc = r.outcome[first]
    n = first.sum()
    for o, p in (
        (Outcome.RESOLVED, 0.6),
        (Outcome.REPEATED, 0.4 * 0.5),
        (Outcome.ESCALATED, 0.4 * 0.3),
        (Outcome.UNRESOLVED, 0.4 * 0.2),
    ):
        share = np.mean(oc == o)
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n), (o, share, p)
    esc = np.flatnonzero(first & (r.outcome == Outcome.ESCALATED))
    kids = r.child[esc]
    assert np.all(r.level[kids] == Level.COUNTY) and np.all(r.unit[kids] == 2)
    # Escalations from the county leave the model: no grandchildren at a higher level.
    county_esc = (r.level == Level.COUNTY) & (r.outcome == Outcome.ESCALATED)
    assert np.all(r.child[county_esc] == -1)


def test_resolution_depends_on_handler_competence():
    cfg = loop_config(
        service_days=np.full(N_STAGES, 0.01),
        delay_days=np.zeros(N_STAGES),
        resolve_base=(0.5, 0.5),
        resolve_elasticity=1.0,
    )
    loop = PetitionLoop(cfg, 2, np.random.default_rng(6))
    speed = np.ones((N_STAGES, 2))
    speed[CONCLUDE_STAGE, 1] = 1.6
    loop.set_staffing(np.full((N_STAGES, 2), 10), speed)
    loop.file(np.random.default_rng(7).uniform(0, 7, 4000), np.tile([0, 1], 2000))
    loop.advance(70.0)
    r = loop.rec
    p0 = r.resolved[r.unit == 0].mean()
    p1 = r.resolved[r.unit == 1].mean()
    assert p0 == pytest.approx(0.5, abs=0.04) and p1 == pytest.approx(0.8, abs=0.04)


def test_clock_in_a_running_loop():
    """With a long handling delay, conclusion overdue shares match P(Exp(mean) > deadline)."""
    delay = np.array([0, 0, 0, 40.0, 0, 0])
    cfg = loop_config(
        service_days=np.full(N_STAGES, 0.01),
        delay_days=delay,
        conclude_days=60.0,
        extension_days=30.0,
        extension_prob=0.5,
    )
    loop = PetitionLoop(cfg, 1, np.random.default_rng(8))
    loop.set_staffing(np.full((N_STAGES, 1), 50))
    loop.file(np.random.default_rng(9).uniform(0, 7, 5000), 0)
    for w in range(100):
        loop.advance(7.0 * (w + 1))
    m = closing_metrics(loop.rec, 0.0, loop.clock, cfg)
    expect = 0.5 * math.exp(-60 / 40) + 0.5 * math.exp(-90 / 40)
    assert m["conclude_overdue_share"] == pytest.approx(expect, abs=0.02)
    assert m["accept_overdue_share"] == 0.0
    assert np.mean(loop.rec.extended) == pytest.approx(0.5, abs=0.03)


def test_determinism():
    cfg = LoopConfig.from_params(P)

    def run(seed):
        loop = PetitionLoop(cfg, 4, np.random.default_rng(seed), county_unit=3)
        loop.set_staffing(np.full((N_STAGES, 4), 2))
        arr = np.random.default_rng(99)
        for w in range(30):
            k = arr.poisson(6)
            loop.file(7 * w + 7 * arr.random(k), arr.integers(0, 3, k), kind=Kind.INDIVIDUAL)
            loop.advance(7.0 * (w + 1))
        return loop.rec

    a, b, c = run(1), run(1), run(2)
    for name in ("filed", "stage", "outcome", "unit", "closed", "entry", "start", "done", "exit"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    assert not np.array_equal(a.closed, c.closed, equal_nan=True)


def test_input_checks():
    loop = PetitionLoop(LoopConfig.queues_only(P, np.ones(6)), 2, np.random.default_rng(0))
    with pytest.raises(ValueError):
        loop.set_staffing(np.ones((6, 3)))
    with pytest.raises(ValueError):
        loop.set_staffing(np.ones((6, 2)), np.zeros((6, 2)))
    loop.advance(7.0)
    with pytest.raises(ValueError):
        loop.file([3.0], 0)  # before the clock
    with pytest.raises(ValueError):
        loop.file([8.0], 5)  # no such unit
