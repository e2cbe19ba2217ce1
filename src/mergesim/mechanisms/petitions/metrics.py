"""Petition metrics: pure functions of the records over a window of days.

Rates per 10,000 villagers a year of filings (:func:`petition_rates`) and of events —
escalations beyond the county, collective incidents (:func:`event_rates`); times to close and
the statutory clock (:func:`closing_metrics`); outcomes per cause (:func:`cause_table`); the
backlog per stage (:func:`backlog_by_stage`), the hot spots (:func:`hot_spots`), the
composite :func:`stability_index` (weights and scales in the ``stability`` section) and all of
them for one window (:func:`petition_summary`). The metric registry (:mod:`mergesim.metrics`)
names and documents the keys.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mergesim.config.schema import STABILITY_PRESSURES, StabilityParams
from mergesim.mechanisms.petitions.clock import LoopConfig, overdue_at
from mergesim.mechanisms.petitions.loop import PetitionLoop
from mergesim.mechanisms.petitions.records import (
    ACCEPT_STAGE,
    CAUSE_NAMES,
    CONCLUDE_STAGE,
    STAGES,
    Kind,
    Outcome,
    PetitionRecords,
)
from mergesim.mechanisms.timeline import DAYS_PER_YEAR

#: Days within which the run counts a filed petition as closed promptly (the statutory 60
#: days to conclude plus the 30-day extension).
PROMPT_DAYS = 90.0


def _in(x: np.ndarray, t0: float, t1: float) -> np.ndarray:
    return (x >= t0) & (x < t1)


def _per_10k_year(n_villagers: int, t0: float, t1: float) -> float:
    return 10_000.0 / max(n_villagers, 1) * DAYS_PER_YEAR / max(t1 - t0, 1e-12)


def _nan_stat(x: np.ndarray, fn: Callable[[np.ndarray], float]) -> float:
    return float(fn(x)) if len(x) else math.nan


def petition_rates(
    rec: PetitionRecords, t0: float, t1: float, n_villagers: int
) -> dict[str, float]:
    """Petitions filed in ``[t0, t1)`` per 10,000 villagers per year.

    Keys: ``individual``, ``collective``, ``all`` (every filing, repeats and escalations
    included), ``first`` (first filings only: no parent).
    """
    per = _per_10k_year(n_villagers, t0, t1)
    f = _in(rec.filed, t0, t1)
    return {
        "individual": per * np.count_nonzero(f & (rec.kind == Kind.INDIVIDUAL)),
        "collective": per * np.count_nonzero(f & (rec.kind == Kind.COLLECTIVE)),
        "all": per * np.count_nonzero(f),
        "first": per * np.count_nonzero(f & (rec.parent < 0)),
    }


def event_rates(rec: PetitionRecords, t0: float, t1: float, n_villagers: int) -> dict[str, float]:
    """Events in ``[t0, t1)`` per 10,000 villagers per year.

    Keys: ``beyond`` (petitions closed in the window and taken beyond the county — to the city
    or province, 越级访), ``incidents`` (collective petitions that became collective incidents
    in the window), ``repeats`` (repeat filings: children at the same level).
    """
    per = _per_10k_year(n_villagers, t0, t1)
    f = _in(rec.filed, t0, t1) & (rec.parent >= 0)
    par = rec.parent[f]
    return {
        "beyond": per * np.count_nonzero(_in(rec.closed, t0, t1) & rec.beyond),
        "incidents": per * np.count_nonzero(rec.incident & _in(rec.incident_t, t0, t1)),
        "repeats": per * np.count_nonzero(rec.level[f] == rec.level[par]),
    }


def backlog_by_stage(rec: PetitionRecords, t: float) -> dict[str, np.ndarray]:
    """Open petitions in each stage at time ``t``, from the timestamps (any past ``t``).

    Returns:
        ``{"in_stage": (6,), "waiting": (6,)}``: petitions that entered the stage and have not
        left it at ``t``, and those of them whose service has not started.
    """
    entry, start, exit_ = rec.entry, rec.start, rec.exit
    with np.errstate(invalid="ignore"):
        inside = (entry <= t) & ~(exit_ <= t)
        waiting = (entry <= t) & ~(start <= t)
    return {"in_stage": inside.sum(axis=0), "waiting": waiting.sum(axis=0)}


def closing_metrics(
    rec: PetitionRecords, t0: float, t1: float, cfg: LoopConfig, clock: float = math.inf
) -> dict[str, float]:
    """Days to close and the clock, for petitions closed (or accepted / concluded) in
    ``[t0, t1)``.

    Keys: ``closed`` (count), ``days_to_close_mean``, ``days_to_close_p90``,
    ``closed_within_60_share`` (closed − filed ≤ ``conclude_days``), ``closed_within_90_share``
    (a cohort, not a closing window: of the petitions *filed* in ``[t0, t1)`` at least
    :data:`PROMPT_DAYS` before ``clock`` — the time the records are read — the share closed
    within :data:`PROMPT_DAYS` of filing; unlike the closed-in-window shares it does not
    forget the petitions still waiting), outcome shares
    ``resolved_share``, ``unresolved_share``, ``repeat_share``, ``escalation_share`` (of the
    closed), ``accept_overdue_share`` (of those accepted in the window: took more than
    ``accept_days``), ``conclude_overdue_share`` (of those concluded in the window: more than
    ``conclude_days`` from acceptance, ``+ extension_days`` if extended), ``extension_used_share``
    (of those concluded: extended and past ``conclude_days``). NaN where nothing qualifies.
    The deadlines are ``cfg``'s (the loop's).
    """
    c = np.flatnonzero(_in(rec.closed, t0, t1))
    d = rec.closed[c] - rec.filed[c]
    out: dict[str, float] = {
        "closed": float(len(c)),
        "days_to_close_mean": _nan_stat(d, np.mean),
        "days_to_close_p90": _nan_stat(d, lambda x: np.percentile(x, 90)),
        "closed_within_60_share": _nan_stat(d <= cfg.conclude_days, np.mean),
    }
    cohort = np.flatnonzero(_in(rec.filed, t0, min(t1, clock - PROMPT_DAYS)))
    took = rec.closed[cohort] - rec.filed[cohort]
    out["closed_within_90_share"] = _nan_stat(
        np.nan_to_num(took, nan=np.inf) <= PROMPT_DAYS, np.mean
    )
    oc = rec.outcome[c]
    for name, o in (
        ("resolved", Outcome.RESOLVED),
        ("unresolved", Outcome.UNRESOLVED),
        ("repeat", Outcome.REPEATED),
        ("escalation", Outcome.ESCALATED),
    ):
        out[f"{name}_share"] = _nan_stat(oc == o, np.mean)
    acc_t = rec.exit[:, ACCEPT_STAGE]
    a = np.flatnonzero(_in(acc_t, t0, t1))
    out["accept_overdue_share"] = _nan_stat(acc_t[a] - rec.filed[a] > cfg.accept_days, np.mean)
    con_t = rec.exit[:, CONCLUDE_STAGE]
    k = np.flatnonzero(_in(con_t, t0, t1))
    took = con_t[k] - acc_t[k]
    ext = rec.extended[k]
    out["conclude_overdue_share"] = _nan_stat(
        took > cfg.conclude_days + cfg.extension_days * ext, np.mean
    )
    out["extension_used_share"] = _nan_stat(ext & (took > cfg.conclude_days), np.mean)
    return out


def hot_spots(
    rec: PetitionRecords,
    t0: float,
    t1: float,
    n_villages: int,
    township_of_village: np.ndarray,
    *,
    k: int,
    k_towns: int,
) -> dict[str, list[tuple[int, int]]]:
    """Villages and townships with the most petitions filed in ``[t0, t1)``.

    Every filing counts once (a collective petition once, repeats again). Ties break by the
    lower index. The model ranks as many as the risk watch holds
    (``communication.watch_villages``, ``watch_towns``; the report's 34 key villages and 5
    key towns) to compare the two.

    Args:
        rec: The petition records.
        t0, t1: The window (days).
        n_villages: Number of (old) villages.
        township_of_village: Township of each village (for the township ranking).
        k, k_towns: How many villages and townships to rank.

    Returns:
        ``{"villages": [(village, count), ...], "townships": [...]}``: the top ``k`` villages
        and ``k_towns`` townships with a count above 0.
    """
    f = _in(rec.filed, t0, t1) & (rec.village >= 0)
    counts = np.bincount(rec.village[f], minlength=n_villages)

    def top(cnt: np.ndarray, kk: int) -> list[tuple[int, int]]:
        o = np.lexsort((np.arange(len(cnt)), -cnt))[:kk]
        return [(int(i), int(cnt[i])) for i in o if cnt[i] > 0]

    tv = np.asarray(township_of_village, dtype=np.int64)
    t_counts = np.bincount(tv, weights=counts, minlength=int(tv.max()) + 1 if len(tv) else 0)
    return {"villages": top(counts, k), "townships": top(t_counts.astype(np.int64), k_towns)}


def saturating(x: float, half: float) -> float:
    """``x / (x + half)``: 0 at 0, one half at ``half``, increasing and below 1 for every
    finite ``x`` (NaN stays NaN)."""
    if not np.isfinite(x):
        return math.nan
    x = max(float(x), 0.0)
    return x / (x + half)


def stability_pressures(
    p: StabilityParams,
    *,
    rate_all: float,
    rate_collective: float,
    aggrieved_share: float,
    closed_within_60_share: float,
    escalation_share: float,
    rate_beyond: float,
    rate_incidents: float,
) -> dict[str, float]:
    """The seven pressures of the stability index, each in [0, 1) (NaN where unknown).

    Rates (per 10,000 villagers a year) and the aggrieved share enter through
    :func:`saturating` with the section's half-way scales; the share not closed within the
    statutory days and the escalation share enter as they are.
    """

    def share(x: float) -> float:
        return float(np.clip(x, 0.0, 1.0)) if np.isfinite(x) else math.nan

    return {
        "rate": saturating(rate_all, p.rate_half),
        "collective": saturating(rate_collective, p.collective_half),
        "aggrieved": saturating(aggrieved_share, p.aggrieved_half),
        "late": share(1.0 - closed_within_60_share),
        "escalation": share(escalation_share),
        "beyond": saturating(rate_beyond, p.beyond_half),
        "incident": saturating(rate_incidents, p.incident_half),
    }


def stability_index(p: StabilityParams, **components: float) -> float:
    """Composite stability index in (0, 1] (1 = no petitions, nobody aggrieved, all closed in
    time, nothing escalated, no incident).

    ``S = 1 − Σ_j w_j x_j / Σ_j w_j`` over the available pressures
    (:func:`stability_pressures`, keyword arguments as there), weights from the ``stability``
    section. A NaN pressure (e.g. nothing closed in the window) is left out of both sums.
    Because every rate enters through ``r / (r + half)``, the index keeps falling as the
    petition rate grows far beyond the background (it does not flatten below 5,000 petitions
    per 10,000 a year at the default ``rate_half``).
    """
    x = stability_pressures(p, **components)
    xs = np.array([x[k] for k in STABILITY_PRESSURES])
    w = np.array(p.weights(), dtype=float)
    ok = np.isfinite(xs)
    if not ok.any() or w[ok].sum() <= 0:
        return math.nan
    return float(1.0 - np.sum(w[ok] * xs[ok]) / w[ok].sum())


def cause_table(rec: PetitionRecords, t0: float, t1: float) -> dict[str, dict[str, float]]:
    """Per :class:`~mergesim.mechanisms.petitions.records.Cause`: petitions filed in
    ``[t0, t1)`` and, of those closed in it, the share substantively resolved (every closed
    petition was formally concluded with a reply)."""
    f = _in(rec.filed, t0, t1)
    c = _in(rec.closed, t0, t1)
    filed = np.bincount(rec.cause[f], minlength=len(CAUSE_NAMES))
    closed = np.bincount(rec.cause[c], minlength=len(CAUSE_NAMES))
    res = np.bincount(rec.cause[c & rec.resolved], minlength=len(CAUSE_NAMES))
    return {
        name: {
            "filed": int(filed[i]),
            "closed": int(closed[i]),
            "resolved_share": float(res[i] / closed[i]) if closed[i] else math.nan,
        }
        for i, name in enumerate(CAUSE_NAMES)
    }


def petition_summary(loop: PetitionLoop, t0: float, t1: float, n_villagers: int) -> dict[str, Any]:
    """Every petition metric of the window ``[t0, t1)`` (days) in one flat dict.

    Rates of filings and events (per 10,000 per year), closing and clock metrics (the
    90-day cohort read at the loop's clock), and the backlog per stage at ``t1``
    (``backlog_<stage>``; ``backlog`` in total) and open overdue petitions at ``t1``.
    """
    rec = loop.rec
    out: dict[str, Any] = {}
    for k, v in petition_rates(rec, t0, t1, n_villagers).items():
        out[f"petitions_{k}_per10k"] = v
    for k, v in event_rates(rec, t0, t1, n_villagers).items():
        out[f"{k}_per10k"] = v
    out.update(closing_metrics(rec, t0, t1, loop.cfg, loop.clock))
    t = min(t1, loop.clock)
    bl = backlog_by_stage(rec, t)
    for s, name in enumerate(STAGES):
        out[f"backlog_{name}"] = int(bl["in_stage"][s])
    out["backlog"] = int(bl["in_stage"].sum())
    open_ = np.flatnonzero((rec.filed < t) & ~(rec.closed <= t))
    out["open_overdue"] = int(overdue_at(rec, open_, t, loop.cfg).sum())
    return out
