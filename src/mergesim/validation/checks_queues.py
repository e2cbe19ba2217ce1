"""Verification of the petition stage queues against queueing theory.

A petition stage is an M/M/c queue (Erlang C wait, queue length, Little's law) and the six-stage
loop a Jackson tandem; both are checked inside confidence intervals over independent
replications of the simulation itself. The intervals are Bonferroni-corrected so that the whole
family of :data:`QUEUE_INTERVALS` interval checks holds at ``1 − QUEUE_FAMILY_ALPHA``.
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.petitions import CLOSED, N_STAGES, LoopConfig
from mergesim.validation import references as ref
from mergesim.validation.queueing import mmc, replication_ci, tandem_sojourn
from mergesim.validation.result import Result

#: Family-wise error rate of the queueing interval checks (all of them together).
QUEUE_FAMILY_ALPHA = 0.01
#: Simultaneous interval checks: six for one M/M/c stage, seven for the tandem loop.
QUEUE_INTERVALS = 6 + 7
#: Confidence level of each interval (Bonferroni).
QUEUE_LEVEL = 1.0 - QUEUE_FAMILY_ALPHA / QUEUE_INTERVALS


def _interval(check: str, reference: float, ci: tuple[float, float]) -> Result:
    mean, half = ci
    return Result(
        check,
        f"{reference:.4f}",
        f"{mean:.4f} ± {half:.4f}",
        f"{100 * QUEUE_LEVEL:.2f} % CI (Bonferroni, {QUEUE_INTERVALS})",
        bool(abs(mean - reference) <= half),
    )


def queue_single_stage(
    lam: float = 2.0,
    mean_service: float = 1.2,
    c: int = 3,
    units: int = 30,
    weeks: int = 330,
    warm: int = 30,
    seed: int = 1,
) -> list[Result]:
    """One stage with Poisson arrivals and exponential service is an M/M/c queue.

    ``units`` independent replications over ``weeks`` weeks after ``warm`` weeks of warm-up;
    per replication the mean wait, sojourn, P(wait), time-average queue and system lengths and
    the Little's-law residual L − λ̂W; intervals over the replications.
    """
    cfg = LoopConfig.queues_only(PetitionParams(), [mean_service, 0, 0, 0, 0, 0])
    servers = np.full((N_STAGES, units), 50)  # later stages never queue
    servers[0] = c
    r = ref.poisson_loop(cfg, servers, lam, units, weeks, seed).rec
    t0, t1 = 7.0 * warm, 7.0 * weeks
    e, st, d = r.entry[:, 0], r.start[:, 0], r.done[:, 0]
    stats: dict[str, list[float]] = {k: [] for k in ("wq", "w", "pw", "lq", "l", "little")}
    for u in range(units):
        mine = r.unit == u
        sel = mine & (e >= t0) & (d < t1)
        wq, w = (st - e)[sel], (d - e)[sel]
        lam_hat = np.count_nonzero(mine & (e >= t0) & (e < t1)) / (t1 - t0)
        ll = ref.time_average(e[mine], d[mine], t0, t1)
        stats["wq"].append(wq.mean())
        stats["w"].append(w.mean())
        stats["pw"].append(float((wq > 0).mean()))
        stats["lq"].append(ref.time_average(e[mine], st[mine], t0, t1))
        stats["l"].append(ll)
        stats["little"].append(ll - lam_hat * w.mean())
    th = mmc(lam, 1 / mean_service, c)
    name = f"M/M/{c} stage (λ={lam}/d, 1/μ={mean_service} d)"
    theory = {
        "wq": ("mean wait Wq (Erlang C), d", th.wq),
        "w": ("mean sojourn W, d", th.w),
        "pw": ("P(wait) (Erlang C)", th.p_wait),
        "lq": ("queue length Lq", th.lq),
        "l": ("number in system L", th.l),
        "little": ("Little's law L − λW", 0.0),
    }
    return [
        _interval(f"{name}: {label}", value, replication_ci(np.array(stats[k]), QUEUE_LEVEL))
        for k, (label, value) in theory.items()
    ]


def queue_tandem(
    lam: float = 0.8, units: int = 24, weeks: int = 260, warm: int = 40, seed: int = 3
) -> list[Result]:
    """The six-stage loop with M/M/∞ delays is a Jackson tandem: Σ W_s + Σ d_s end to end,
    and each stage its own M/M/c sojourn (Burke's theorem)."""
    service = np.array([0.5, 0.5, 2.0, 3.0, 1.0, 0.5])
    cs = np.array([1, 1, 2, 3, 1, 1])
    delay = np.array([1.0, 2.0, 5.0, 15.0, 10.0, 3.0])
    cfg = LoopConfig.queues_only(PetitionParams(), service, delay)
    r = ref.poisson_loop(cfg, np.repeat(cs[:, None], units, axis=1), lam, units, weeks, seed).rec
    # Petitions entering late would bias towards short sojourns (only fast ones close).
    t0, t_end = 7.0 * warm, 7.0 * (weeks - 30)
    sel = (r.entry[:, 0] >= t0) & (r.entry[:, 0] < t_end) & (r.stage == CLOSED)
    per_unit = [sel & (r.unit == u) for u in range(units)]
    total = [(r.exit[:, N_STAGES - 1] - r.entry[:, 0])[m].mean() for m in per_unit]
    rows = [
        _interval(
            f"tandem of 6 stages (λ={lam}/d): end-to-end sojourn, d",
            tandem_sojourn(lam, 1 / service, cs, delay),
            replication_ci(np.array(total), QUEUE_LEVEL),
        )
    ]
    for s in range(N_STAGES):
        per = [(r.done[:, s] - r.entry[:, s])[m].mean() for m in per_unit]
        rows.append(
            _interval(
                f"tandem stage {s + 1}: M/M/{cs[s]} sojourn W, d",
                mmc(lam, 1 / service[s], int(cs[s])).w,
                replication_ci(np.array(per), QUEUE_LEVEL),
            )
        )
    return rows
