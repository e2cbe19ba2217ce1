"""The weekly tracker: this week's metrics, the window summaries and the DataCollector's
reporters (reads the model's mechanisms as attributes, never imports the model)."""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.config.schema import StabilityParams
from mergesim.mechanisms.grievance import grievance_metrics
from mergesim.mechanisms.petitions import (
    CLOSED,
    STAGES,
    Level,
    petition_summary,
    stability_index,
)
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, WINDOWS
from mergesim.metrics.affairs import VISIT_FLOWS
from mergesim.metrics.conflict import ConflictTracker
from mergesim.metrics.formulas import affair_metrics, coverage_share, worst_decile
from mergesim.metrics.pool import AffairPool
from mergesim.metrics.registry import COVERAGE_THRESHOLDS, METRICS
from mergesim.metrics.stability import PETITION_KEYS
from mergesim.plans.roles import GROUPS

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


def _current(key: str, model: MergerModel) -> float:
    return model.tracker.current[key]


def model_reporters() -> dict[str, Any]:
    """DataCollector model reporters: one per metric (they read the tracker's week values)."""
    return {key: partial(_current, key) for key in METRICS}


class Tracker:
    """Computes the week's metrics and keeps what the summary windows need.

    Attributes:
        current: This week's metric values (key → float).
        history: One dict per simulated week: ``week``, ``phase`` and every metric.
        pools: Served affairs per summary window, as sums (:class:`AffairPool`: memory that
            does not grow with villagers or weeks).
        village_travel: Round-trip minutes per village summed over each window.
    """

    def __init__(self, model: MergerModel):
        v = model.villagers
        nv = model.county.n_villages
        self.factor = model.config.villagers.no_vehicle_factor
        self.village_pop = np.bincount(v.village, minlength=nv)
        self.n_vehicle = np.bincount(v.village[v.vehicle], minlength=nv)
        self.n_without = self.village_pop - self.n_vehicle
        self.masks = model.units.group_masks(model.county)
        self.current: dict[str, float] = {}
        self.history: list[dict[str, Any]] = []
        self.pools = {w: AffairPool(nv) for w in WINDOWS}
        self.village_travel = {w: np.zeros(nv) for w in WINDOWS}
        self._cov_key: int | None = None
        self._cov: dict[str, float] = {}
        self._loop = model.petitions.loop
        self._n = v.n
        self._stability = model.config.stability
        self.conflict = ConflictTracker(model)

    def coverage(self, model: MergerModel) -> dict[str, float]:
        """Coverage metrics of the routing in force (cached until the routing changes)."""
        r = model.services.routing
        if self._cov_key == model.services.routing_version:
            return self._cov
        out = {}
        for what, mins in (("admin", r.centre_minutes), ("clinic", r.clinic_minutes)):
            for lim in COVERAGE_THRESHOLDS:
                out[f"coverage_{what}_{lim}"] = coverage_share(
                    mins, self.n_vehicle, self.n_without, self.factor, lim
                )
            for g, _ in GROUPS:
                out[f"coverage_{what}_30_{g}"] = coverage_share(
                    mins, self.n_vehicle, self.n_without, self.factor, 30, self.masks[g]
                )
        out["access_min_mean"] = float(model.villagers.access_now.mean(dtype=float))
        self._cov_key, self._cov = model.services.routing_version, out
        return out

    def record(self, model: MergerModel) -> None:
        """Compute this week's metrics and file the week's affairs into its window."""
        s = model.services
        done = s.done
        vals = affair_metrics(done, self.village_pop, self.masks)
        vals.update(self.coverage(model))
        per = 1000.0 / max(model.villagers.n, 1)
        wc = s.week_counts
        for key in ("new", "served", "deferred", "turned_away", "given_up"):
            vals[f"{'new_needs' if key == 'new' else key}_per_1000"] = wc[key] * per
        for key, _ in VISIT_FLOWS:
            vals[f"{key}_per_1000"] = wc[key] * per
        vals["overloaded_points"] = float(np.count_nonzero(s.over_weeks))
        vals["overload_weeks_max"] = float(s.over_weeks.max(initial=0))
        vals["waiting_per_1000"] = s.waiting * per
        vals["travel_min_per_villager"] = float(s.village_travel.sum()) / max(model.villagers.n, 1)
        vals.update(stability_week(model))
        vals.update(self.conflict.week(model))
        self.current = vals
        w = model.timeline.window_of(model.week)
        self.history.append(
            {"week": model.week, "phase": model.phase.name.lower(), "window": w or "", **vals}
        )
        if w is not None:
            self.pools[w].add(done)
            self.village_travel[w] += s.village_travel

    def _petition_window(self, weeks: list[dict[str, Any]]) -> dict[str, float]:
        """Petition metrics over the days of a window's weeks (from the records)."""
        t0 = weeks[0]["week"] * DAYS_PER_WEEK
        t1 = (weeks[-1]["week"] + 1) * DAYS_PER_WEEK
        ps = petition_summary(self._loop, t0, t1, self._n)
        return {k: float(ps[v]) for k, v in PETITION_KEYS.items()}

    def window_weeks(self, window: str) -> list[dict[str, Any]]:
        return [h for h in self.history if h["window"] == window]

    def summary(self) -> dict[str, dict[str, float | None]]:
        """Metric values per window and the post − pre change (NaN → None)."""
        out: dict[str, dict[str, float | None]] = {}
        for w in WINDOWS:
            weeks = self.window_weeks(w)
            if not weeks:
                out[w] = dict.fromkeys(METRICS)
                continue
            pooled = self.pools[w].metrics(self.village_pop, self.masks, worst_decile)
            pooled.update(self._petition_window(weeks))
            vals = {}
            for key, m in METRICS.items():
                if key == "stability_index":
                    continue  # from the window's values, below
                if m.family in ("affair", "petition"):
                    vals[key] = pooled[key]
                else:
                    vals[key] = _finite_mean([h[key] for h in weeks])
            vals["stability_index"] = _stability_index(vals, self._stability)
            out[w] = vals
        out["change"] = {
            k: out["post"][k] - out["pre"][k]
            if out["post"][k] is not None and out["pre"][k] is not None
            else None
            for k in METRICS
        }
        return {w: {k: _clean(v) for k, v in d.items()} for w, d in out.items()}

    def village_access(self, access: np.ndarray, villages: np.ndarray) -> np.ndarray:
        """Mean of a per-villager array (e.g. ``access_now``) per village (NaN if empty)."""
        tot = np.bincount(villages, weights=access, minlength=len(self.village_pop))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.village_pop > 0, tot / np.maximum(self.village_pop, 1), np.nan)

    def village_burden(self, window: str) -> np.ndarray:
        """Mean weekly round-trip travel minutes per villager of each village in ``window``."""
        weeks = max(len(self.window_weeks(window)), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                self.village_pop > 0,
                self.village_travel[window] / weeks / np.maximum(self.village_pop, 1),
                np.nan,
            )


def _stability_index(vals: dict[str, float], p: StabilityParams) -> float:
    return stability_index(
        p,
        rate_all=vals["petitions_per10k"],
        rate_collective=vals["petitions_collective_per10k"],
        aggrieved_share=vals["aggrieved_share"],
        closed_within_60_share=vals["closed_within_60_share"],
        escalation_share=vals["escalation_share"],
        rate_beyond=vals["beyond_county_per10k"],
        rate_incidents=vals["incidents_per10k"],
    )


def stability_week(model: MergerModel) -> dict[str, float]:
    """This week's petition, grievance and cadre metrics (see :data:`METRICS`)."""
    loop, v = model.petitions.loop, model.villagers
    n = max(v.n, 1)
    t0 = model.week * DAYS_PER_WEEK
    ps = petition_summary(loop, t0, t0 + DAYS_PER_WEEK, n)
    out = {k: float(ps[src]) for k, src in PETITION_KEYS.items()}
    per = 10_000.0 / n
    out["backlog_per10k"] = ps["backlog"] * per
    for name in STAGES:
        out[f"backlog_{name}_per10k"] = ps[f"backlog_{name}"] * per
    out["open_overdue_per10k"] = ps["open_overdue"] * per
    # The grievance mechanism computed them at the end of its step (nothing changes grievance
    # after it in the week); computed here only for a model whose mechanism has no week yet.
    gw = getattr(model.grievance, "weekly", {})
    if "grievance_mean" in gw:
        out["grievance_mean"], out["aggrieved_share"] = gw["grievance_mean"], gw["aggrieved_share"]
    else:
        out.update(grievance_metrics(v.grievance, v.threshold))
    out["stability_index"] = _stability_index(out, model.config.stability)
    rec = loop.rec
    open_town = np.count_nonzero(
        (rec.stage < CLOSED) & (rec.level == Level.TOWNSHIP) & (rec.filed < loop.clock)
    )
    # The staffing in force: the townships' servers this week at full scale (the last unit
    # is the county bureau, which handles no township-level petition).
    staff = float(model.petitions.servers_full[:, :-1].sum())
    scale = model.petitions.scale
    out["petition_caseload_per_cadre"] = (
        open_town / scale / staff if staff > 0 and scale > 0 else math.nan
    )
    pool = model.cadres.pool
    work = pool.active
    out["cadre_competence_mean"] = float(pool.competence[work].mean()) if work.any() else math.nan
    out["cadres_at_work"] = float(np.count_nonzero(work))
    out["taskforces_active"] = float(model.petitions.weekly.get("taskforces", 0))
    return out


def _finite_mean(values: list[float]) -> float:
    """Mean of the finite values (NaN if none): weeks without a value do not count."""
    a = np.asarray(values, dtype=float)
    a = a[np.isfinite(a)]
    return float(a.mean()) if len(a) else math.nan


def _clean(v: float | None) -> float | None:
    if v is None or not math.isfinite(v):
        return None
    return float(v)


#: Why a metric of each family can be undefined (None in ``summary.json``): the cases it
#: averages over did not occur in the window.
UNDEFINED_REASONS = {
    "affair": "no affair of this kind was done in the window (no villager of the group, or "
    "no need of that kind)",
    "petition": "no petition reached this stage in the window",
    "coverage": "no week of the window had villagers to measure",
    "flow": "no week of the window gave a finite value",
}


def undefined_reasons(windows: dict[str, dict[str, float | None]]) -> list[str]:
    """``"window.metric: reason"`` for every metric a summary leaves undefined (None).

    A metric with nothing to average over (no petition closed, no villager of a group, a
    county too small at this scale) has no value; ``summary.json`` records None for it and
    this list says why, so an absent value is never silent. The ``change`` of a metric is
    undefined when its pre or post value is.
    """
    out = []
    for w, values in windows.items():
        for key, v in values.items():
            if v is not None:
                continue
            if w == "change":
                reason = "undefined in the pre or the post window"
            else:
                reason = UNDEFINED_REASONS.get(METRICS[key].family, "no finite value")
            out.append(f"{w}.{key}: {reason}")
    return out
