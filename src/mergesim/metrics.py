"""Every outcome metric of mergesim in one place: key, unit, formula, how it is computed.

Four families, by how a summary window (pre-reform, transition, post-reform; see
:mod:`mergesim.mechanisms.timeline`) aggregates them:

* **affair** metrics describe the affairs *served* in a period (one record per need: its trips,
  round-trip travel minutes summed over all trips, whether it was handled in the village). Weekly
  values use that week's affairs; a window's value is recomputed from all affairs served in it
  (so a window's p90 is the p90 of its affairs, not a mean of weekly p90s).
* **coverage** metrics describe the service configuration in force: the share of villagers
  whose one-way trip (own mode of travel) to a point is within a threshold. Window value: mean
  of the weekly values.
* **flow** metrics count needs per 1,000 simulated villagers a week (new, served, turned away,
  ...), the travel burden per villager, the petition backlog, grievance and the cadres at work.
  Window value: mean of the weekly values.
* **petition** metrics describe the petitions *filed* (rates) or *closed* (times to close,
  outcomes) in a period, recomputed from the petition records over the period's days
  (:func:`mergesim.mechanisms.petitions.metrics.petition_summary`); ``stability_index`` is
  computed from the period's petition and grievance values
  (:func:`mergesim.mechanisms.petitions.metrics.stability_index`, weights and references in
  the scenario's ``stability`` section).

Rates are per affair, per villager or per 1,000 villagers, so runs at different
``villagers.scale`` are comparable. Capacity effects (turn-aways, trips, waits) converge only as
the scale grows: a point's weekly capacity is ``scale`` times its full-scale capacity, and with
a handful of affairs a week the small-number queueing of a sampled county turns more villagers
away than the full county would (at the seed county's defaults: scale 0.1 gives travel per affair
within about 2 % of full scale, but turn-aways per 1,000 villagers of 0.4–0.5 instead of < 0.01;
run at full scale for queue metrics). Groups (``*_absorbed_villages``, ...) are the old-unit
breakdowns of :mod:`mergesim.plans.roles`. Missing values (no affair of a kind in a week)
are NaN in the time series and ``null`` in ``summary.json``.

``docs/metrics.md`` is generated from :data:`METRICS` by ``scripts/gen_metrics_docs.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.config.schema import StabilityParams
from mergesim.mechanisms.cadres import TOWNSHIP_CHANNELS, VILLAGE_CHANNELS
from mergesim.mechanisms.cadres import Outcome as CadreOutcome
from mergesim.mechanisms.grievance import grievance_metrics
from mergesim.mechanisms.needs import NEED_NAMES, NeedKind
from mergesim.mechanisms.petitions import (
    CLOSED,
    STAGE_LABELS,
    STAGES,
    Level,
    petition_summary,
    stability_index,
)
from mergesim.mechanisms.services import Done
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, WINDOWS
from mergesim.plans.roles import GROUPS

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

COVERAGE_THRESHOLDS = (30, 60)  # one-way minutes


@dataclass(frozen=True)
class Metric:
    """One metric: its key, unit, formula and meaning, and how windows aggregate it."""

    key: str
    unit: str
    formula: str
    doc: str
    family: str  # "affair", "coverage", "flow" or "petition"
    label: str = ""  # short name for figures and the app ("": name it by ``doc``)

    @property
    def name(self) -> str:
        """Short name: :attr:`label`, or the first sentence of :attr:`doc`."""
        return self.label or self.doc.split(". ")[0].rstrip(".")


#: Short names of the headline metrics (figures, the app); the others are named by their doc.
LABELS = {
    "travel_min_mean": "Travel per affair",
    "travel_min_mean_admin": "Travel per administrative affair",
    "coverage_admin_30": "Villagers within 30 min of their service centre",
    "coverage_clinic_30": "Villagers within 30 min of a health centre",
    "one_trip_share": "Affairs done in one trip",
    "admin_in_village_share": "Administrative affairs done in the village",
    "wait_weeks_mean": "Wait from need to service",
    "access_min_mean": "Expected travel burden",
    "petitions_per10k": "Petitions filed",
    "grievance_mean": "Mean grievance",
    "aggrieved_share": "Villagers ready to petition",
    "stability_index": "Stability index",
}


def _build() -> dict[str, Metric]:
    out: list[Metric] = []

    def add(key, unit, formula, doc, family):
        out.append(Metric(key, unit, formula, doc, family, LABELS.get(key, "")))

    trav = "round-trip travel minutes of an affair, summed over all its trips"
    add("travel_min_mean", "min", f"mean over served affairs of ({trav})",
        "Travel burden per affair, all kinds.", "affair")
    add("travel_min_p90", "min", f"90th percentile (linear interpolation) of ({trav})",
        "Travel burden of the worst-served tenth of affairs.", "affair")
    for k in NEED_NAMES:
        add(f"travel_min_mean_{k}", "min", f"mean of ({trav}) over served {k} affairs",
            f"Travel burden per {k} affair.", "affair")
        add(f"travel_min_p90_{k}", "min", f"90th percentile of ({trav}) over served {k} affairs",
            f"90th-percentile travel per {k} affair.", "affair")
    add("trips_mean", "trips", "mean trips per served affair",
        "Trips per affair (1 = done on the first trip).", "affair")
    add("one_trip_share", "-", "served affairs done in one trip / served affairs",
        "跑一次: share of affairs done in one trip.", "affair")
    add("admin_trips_mean", "trips", "mean trips per served administrative affair",
        "Trips per administrative affair.", "affair")
    add("admin_one_trip_share", "-", "administrative affairs done in one trip / administrative "
        "affairs served", "跑一次 for administrative affairs.", "affair")
    add("admin_in_village_share", "-", "administrative affairs served by a village office, "
        "room, agency service or duty team / administrative affairs served",
        "不出村: share of administrative affairs handled without leaving the (administrative) "
        "village.", "affair")
    add("wait_weeks_mean", "weeks", "mean over served affairs of (week served − week the need "
        "arose)", "Delay from need to service (put-off trips and turned-away trips).", "affair")
    add("travel_gini", "-", "Gini coefficient of per-affair travel minutes: "
        "Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄)", "Inequality of travel burden across affairs.", "affair")
    add("travel_worst_decile_min", "min", "villages ranked by mean per-affair travel, worst "
        "first; population-weighted mean of village means over the worst 10 % of villagers "
        "(the boundary village counted in part)", "Travel burden of the worst-off decile.",
        "affair")
    for g, desc in GROUPS:
        add(f"travel_min_mean_{g}", "min", f"mean of ({trav}) over affairs of {desc}",
            f"Travel per affair, {desc}.", "affair")
        add(f"admin_travel_min_mean_{g}", "min", f"mean of ({trav}) over administrative affairs "
            f"of {desc}", f"Administrative travel per affair, {desc}.", "affair")
        add(f"one_trip_share_{g}", "-", f"affairs done in one trip / affairs served, {desc}",
            f"跑一次, {desc}.", "affair")
    for what, target in (("admin", "own township's service centre (the point handling every "
                          "administrative affair)"),
                         ("clinic", "nearest open township health centre or higher")):
        for m in COVERAGE_THRESHOLDS:
            add(f"coverage_{what}_{m}", "-", f"villagers whose one-way minutes to the {target}, "
                f"in their own mode, are ≤ {m} / villagers", f"Coverage within {m} minutes of "
                f"the {target}.", "coverage")
        for g, desc in GROUPS:
            add(f"coverage_{what}_30_{g}", "-", f"coverage_{what}_30 among villagers of {desc}",
                f"30-minute {what} coverage, {desc}.", "coverage")
    add("access_min_mean", "min/person/week", "mean over villagers of Σ_kind rate × 2 × expected "
        "one-way minutes (own mode) to the point routing sends them to, first trips only",
        "Expected weekly travel burden of the service configuration.", "coverage")
    per = "per 1,000 simulated villagers this week"
    for key, doc in (("new_needs", "needs that arose"), ("served", "needs served"),
                     ("deferred", "trips put off (long trip, unwilling)"),
                     ("turned_away", "trips that ended turned away at a full point (跑多次)"),
                     ("given_up", "needs given up (no open point, or max_trips reached)"),
                     ("waiting", "needs waiting at the end of the week")):
        add(f"{key}_per_1000", "needs/1000 persons", f"{doc} {per}", f"Flow: {doc}.", "flow")
    add("travel_min_per_villager", "min/person/week", "round-trip minutes of all trips this "
        "week (served or turned away) / villagers", "Realised weekly travel burden.", "flow")
    _stability(add)
    return {m.key: m for m in out}


@dataclass(frozen=True)
class RunMetric:
    """A metric of the whole run (not per window): a key of ``summary.json``'s ``cadres``."""

    key: str
    unit: str
    doc: str


def _run_metrics() -> dict[str, RunMetric]:
    out = [
        RunMetric("cadres.township_leader_age.before", "years",
                  "Mean age of township leaders before the reform."),
        RunMetric("cadres.township_leader_age.after", "years",
                  "Mean age of township leaders after the reform."),
        RunMetric("cadres.township_leader_age.change", "years",
                  "Change of township leaders' mean age (report: −2)."),
        RunMetric("cadres.township_leader_education.after.bachelor_plus", "-",
                  "Share of township leaders with a bachelor's degree or more, after."),
        RunMetric("cadres.secretary_high_school_share", "-",
                  "Village secretaries appointed at the reform with at least high school "
                  "(report: all)."),
        RunMetric("cadres.secretary_veteran_graduate_share", "-",
                  "Returned veterans and graduates among the new secretaries (report: 10.2 %)."),
        RunMetric("cadres.group_leader_origins.former_cadre", "-",
                  "Former village cadres among new villager-group leaders (report: 16.5 %)."),
        RunMetric("cadres.group_leader_origins.migrant", "-",
                  "Returning migrant workers among new group leaders (report: 14 %)."),
        RunMetric("cadres.group_leader_origins.party_reserve", "-",
                  "Party members and reserve cadres among new group leaders (report: 34.8 %)."),
        RunMetric("cadres.in_post", "cadres", "Persons holding a post after the reform."),
        RunMetric("cadres.training_sessions", "person-times", "Training sessions given."),
        RunMetric("cadres.competence.now", "relative productivity",
                  "Mean competence of cadres at work, end of run (1 = a typical "
                  "pre-reform cadre)."),
        RunMetric("cadres.cost_before.total", "yuan/week",
                  "Administrative cost before the reform (salaries, offices, points)."),
        RunMetric("cadres.cost_after.total", "yuan/week",
                  "Administrative cost after the transition (steady state)."),
        RunMetric("cadres.cost_change_pct.total", "%", "Change of the administrative cost."),
        RunMetric("cadres.cost_change_pct.salaries", "%", "Change of the salary bill."),
        RunMetric("cadres.transition_cost_total", "yuan",
                  "One-off transition cost: kept pay and transitional posts until the election."),
    ]
    for o in (*TOWNSHIP_CHANNELS, *VILLAGE_CHANNELS, CadreOutcome.GROUP_DEPARTED,
              CadreOutcome.DISMISSED):
        name = o.name.lower()
        out.append(RunMetric(f"cadres.channels.{name}", "cadres",
                             f"Cadres placed through the channel '{name}' at the reform."))
    return {m.key: m for m in out}


#: Run-level metrics a sweep can compare (keys of the flattened summary; full county).
RUN_METRICS: dict[str, RunMetric] = _run_metrics()


#: Petition-summary keys behind the petition metrics (metric key → petition_summary key).
PETITION_KEYS = {"petitions_per10k": "petitions_all_per10k", **{k: k for k in (
    "petitions_individual_per10k", "petitions_collective_per10k", "petitions_first_per10k",
    "days_to_close_mean", "days_to_close_p90", "closed_within_60_share", "resolved_share",
    "repeat_share", "escalation_share", "accept_overdue_share", "conclude_overdue_share")}}


def _stability(add) -> None:
    """The petition, grievance and cadre metrics."""
    rate = "per 10,000 simulated villagers per year: count × 10,000 / villagers × 365.25 / days"
    add("petitions_per10k", "petitions/10,000/year", f"petitions filed in the period {rate}",
        "All filings: individual and collective, first filings, repeats and escalations.",
        "petition")
    add("petitions_individual_per10k", "petitions/10,000/year",
        f"individual petitions filed {rate}", "Individual petitions.", "petition")
    add("petitions_collective_per10k", "petitions/10,000/year",
        f"collective petitions filed (each counts once) {rate}",
        "Collective petitions (a village's aggrieved acting together).", "petition")
    add("petitions_first_per10k", "petitions/10,000/year",
        f"first filings (not repeats or escalations) {rate}", "New grievances reaching the "
        "petition system.", "petition")
    close = "over petitions closed in the period"
    add("days_to_close_mean", "days", f"mean of (closed − filed) {close}",
        "Time through the six-step loop.", "petition")
    add("days_to_close_p90", "days", f"90th percentile of (closed − filed) {close}",
        "Time to close of the slowest tenth.", "petition")
    add("closed_within_60_share", "-", f"share with closed − filed ≤ petitions.conclude_days "
        f"{close}", "Closed within the statutory 60 days.", "petition")
    for key, what in (("resolved", "resolved"), ("repeat", "repeated (filed again)"),
                      ("escalation", "escalated (to the county, or beyond from the county)")):
        add(f"{key}_share", "-", f"share of outcome '{what}' {close}",
            f"Outcome at close: {what}.", "petition")
    add("accept_overdue_share", "-", "petitions accepted in the period that took more than "
        "accept_days from filing / petitions accepted", "Acceptance decided late (15-day "
        "rule).", "petition")
    add("conclude_overdue_share", "-", "petitions concluded in the period that took more than "
        "conclude_days (+ extension_days if extended) from acceptance / petitions concluded",
        "Concluded late (60 + 30-day rule).", "petition")
    add("stability_index", "-", "1 − Σ w_j x_j / Σ w_j with pressures x = (min(1, "
        "petitions_per10k / rate_ref), min(1, petitions_collective_per10k / collective_ref), "
        "min(1, aggrieved_share / aggrieved_ref), 1 − closed_within_60_share, "
        "escalation_share), weights w and references from the [stability] section; NaN terms "
        "left out", "Composite stability (1 = no petitions, nobody aggrieved, all closed in "
        "time, none escalated).", "petition")
    per10k = "per 10,000 simulated villagers at the end of the week"
    add("backlog_per10k", "petitions/10,000", f"open petitions (filed, not closed) {per10k}",
        "Petition backlog.", "flow")
    for name, label in zip(STAGES, STAGE_LABELS, strict=True):
        add(f"backlog_{name}_per10k", "petitions/10,000",
            f"open petitions in stage '{label}' (waiting or in service or its delay) {per10k}",
            f"Backlog of stage {label}.", "flow")
    add("open_overdue_per10k", "petitions/10,000", f"open petitions past a statutory deadline "
        f"{per10k}", "Overdue backlog.", "flow")
    add("grievance_mean", "-", "mean grievance (0–1) over villagers at the end of the week",
        "Mean grievance.", "flow")
    add("aggrieved_share", "-", "villagers whose grievance exceeds their petition threshold / "
        "villagers", "Share of villagers ready to petition.", "flow")
    add("petition_caseload_per_cadre", "petitions/cadre", "open township-level petitions / "
        "servers of the townships' six stages in force this week (full scale: the cadres' "
        "petition staff with at least petitions.min_servers per stage, or "
        "petitions.servers_township when staffing = fixed; petitions scaled by 1/scale)",
        "Caseload per petition server.", "flow")
    add("cadre_competence_mean", "relative productivity", "mean competence of cadres at work in "
        "the township and village system (1 = a typical pre-reform cadre)",
        "Cadre competence (training raises it).", "flow")
    add("cadres_at_work", "cadres", "persons holding a township, village or group post, or a "
        "transitional post", "Cadres at work (full county).", "flow")



METRICS: dict[str, Metric] = _build()


# ---------------------------------------------------------------------------------------------
# Formulas
# ---------------------------------------------------------------------------------------------


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal; NaN for no values or zero sum)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return math.nan
    i = np.arange(1, n + 1)
    return float(2.0 * np.dot(i, x) / (n * x.sum()) - (n + 1.0) / n)


def worst_decile(mean_by_village: np.ndarray, weight: np.ndarray, share: float = 0.1) -> float:
    """Weighted mean of the worst ``share`` of weight, ranked by ``mean_by_village`` (NaN-free)."""
    ok = (weight > 0) & np.isfinite(mean_by_village)
    m, w = mean_by_village[ok], weight[ok].astype(float)
    if len(m) == 0:
        return math.nan
    order = np.argsort(-m, kind="stable")
    m, w = m[order], w[order]
    target = share * w.sum()
    before = np.concatenate([[0.0], np.cumsum(w)[:-1]])
    take = np.clip(target - before, 0.0, w)
    return float(np.dot(take, m) / target)


def _mean(num: float, den: float) -> float:
    return float(num / den) if den > 0 else math.nan


def affair_metrics(done: Done, village_pop: np.ndarray,
                   masks: dict[str, np.ndarray]) -> dict[str, float]:
    """The affair metrics of a set of served affairs (see :data:`METRICS`).

    Args:
        done: Served affairs.
        village_pop: Simulated villagers per village (weights of the worst decile).
        masks: Village mask of each breakdown group.
    """
    out: dict[str, float] = {}
    t = done.travel.astype(float)
    n = done.n
    nv = len(village_pop)
    out["travel_min_mean"] = _mean(t.sum(), n)
    out["travel_min_p90"] = float(np.percentile(t, 90)) if n else math.nan
    for k in NeedKind:
        tk = t[done.kind == k]
        name = NEED_NAMES[k]
        out[f"travel_min_mean_{name}"] = _mean(tk.sum(), len(tk))
        out[f"travel_min_p90_{name}"] = float(np.percentile(tk, 90)) if len(tk) else math.nan
    one = done.trips == 1
    adm = done.kind == NeedKind.ADMIN
    out["trips_mean"] = _mean(done.trips.sum(), n)
    out["one_trip_share"] = _mean(one.sum(), n)
    out["admin_trips_mean"] = _mean(done.trips[adm].sum(), adm.sum())
    out["admin_one_trip_share"] = _mean((one & adm).sum(), adm.sum())
    out["admin_in_village_share"] = _mean((done.in_village & adm).sum(), adm.sum())
    out["wait_weeks_mean"] = _mean(done.wait.sum(), n)
    out["travel_gini"] = gini(t)
    v = done.village
    cnt = np.bincount(v, minlength=nv).astype(float)
    tsum = np.bincount(v, weights=t, minlength=nv)
    with np.errstate(invalid="ignore", divide="ignore"):
        vmean = np.where(cnt > 0, tsum / np.maximum(cnt, 1), np.nan)
    out["travel_worst_decile_min"] = worst_decile(vmean, np.where(cnt > 0, village_pop, 0))
    acnt = np.bincount(v[adm], minlength=nv).astype(float)
    asum = np.bincount(v[adm], weights=t[adm], minlength=nv)
    ocnt = np.bincount(v[one], minlength=nv).astype(float)
    for g, _ in GROUPS:
        m = masks[g]
        out[f"travel_min_mean_{g}"] = _mean(tsum[m].sum(), cnt[m].sum())
        out[f"admin_travel_min_mean_{g}"] = _mean(asum[m].sum(), acnt[m].sum())
        out[f"one_trip_share_{g}"] = _mean(ocnt[m].sum(), cnt[m].sum())
    return out


def coverage_share(minutes: np.ndarray, n_vehicle: np.ndarray, n_without: np.ndarray,
                   factor: float, limit: float, mask: np.ndarray | None = None) -> float:
    """Share of villagers within ``limit`` one-way minutes in their own mode.

    Args:
        minutes: One-way vehicle minutes per village (inf if unreachable).
        n_vehicle, n_without: Villagers per village with and without a vehicle.
        factor: Travel-time multiplier without a vehicle.
        limit: Threshold (minutes).
        mask: Optional village subset.
    """
    if mask is not None:
        minutes, n_vehicle, n_without = minutes[mask], n_vehicle[mask], n_without[mask]
    total = n_vehicle.sum() + n_without.sum()
    inside = n_vehicle[minutes <= limit].sum() + n_without[minutes * factor <= limit].sum()
    return _mean(inside, total)


# ---------------------------------------------------------------------------------------------
# Weekly tracking and the summary
# ---------------------------------------------------------------------------------------------


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
        parts: Served affairs per summary window (lists of :class:`Done`).
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
        self.parts: dict[str, list[Done]] = {w: [] for w in WINDOWS}
        self.village_travel = {w: np.zeros(nv) for w in WINDOWS}
        self._cov_key: int | None = None
        self._cov: dict[str, float] = {}
        self._loop = model.petitions.loop
        self._n = v.n
        self._stability = model.config.stability

    def coverage(self, model: MergerModel) -> dict[str, float]:
        """Coverage metrics of the routing in force (cached until the routing changes)."""
        r = model.services.routing
        if self._cov_key == model.services.routing_version:
            return self._cov
        out = {}
        for what, mins in (("admin", r.centre_minutes), ("clinic", r.clinic_minutes)):
            for lim in COVERAGE_THRESHOLDS:
                out[f"coverage_{what}_{lim}"] = coverage_share(
                    mins, self.n_vehicle, self.n_without, self.factor, lim)
            for g, _ in GROUPS:
                out[f"coverage_{what}_30_{g}"] = coverage_share(
                    mins, self.n_vehicle, self.n_without, self.factor, 30, self.masks[g])
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
        vals["waiting_per_1000"] = s.waiting * per
        vals["travel_min_per_villager"] = float(s.village_travel.sum()) / max(model.villagers.n, 1)
        vals.update(stability_week(model))
        self.current = vals
        w = model.timeline.window_of(model.week)
        self.history.append({"week": model.week, "phase": model.phase.name.lower(),
                             "window": w or "", **vals})
        if w is not None:
            self.parts[w].append(done)
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
            pooled = affair_metrics(Done.concat(self.parts[w]), self.village_pop, self.masks)
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
        out["change"] = {k: out["post"][k] - out["pre"][k]
                         if out["post"][k] is not None and out["pre"][k] is not None else None
                         for k in METRICS}
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
            return np.where(self.village_pop > 0,
                            self.village_travel[window] / weeks / np.maximum(self.village_pop, 1),
                            np.nan)


def _stability_index(vals: dict[str, float], p: StabilityParams) -> float:
    return stability_index(vals["petitions_per10k"], vals["petitions_collective_per10k"],
                           vals["aggrieved_share"], vals["closed_within_60_share"],
                           vals["escalation_share"], p)


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
    out.update(grievance_metrics(v.grievance, v.threshold))
    out["stability_index"] = _stability_index(out, model.config.stability)
    rec = loop.rec
    open_town = np.count_nonzero((rec.stage < CLOSED) & (rec.level == Level.TOWNSHIP)
                                 & (rec.filed < loop.clock))
    # The staffing in force: the townships' servers this week at full scale (the last unit
    # is the county bureau, which handles no township-level petition).
    staff = float(model.petitions.servers_full[:, :-1].sum())
    scale = model.petitions.scale
    out["petition_caseload_per_cadre"] = (open_town / scale / staff
                                          if staff > 0 and scale > 0 else math.nan)
    pool = model.cadres.pool
    work = pool.active
    out["cadre_competence_mean"] = float(pool.competence[work].mean()) if work.any() else math.nan
    out["cadres_at_work"] = float(np.count_nonzero(work))
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


# ---------------------------------------------------------------------------------------------
# Documentation
# ---------------------------------------------------------------------------------------------


def metrics_markdown() -> str:
    """The text of ``docs/metrics.md`` (generated; do not edit the file by hand)."""
    lines = [
        "# Metrics",
        "",
        "<!-- Generated by scripts/gen_metrics_docs.py from src/mergesim/metrics.py; "
        "do not edit. -->",
        "",
        (__doc__ or "").split("\n\n", 1)[1].split("``docs/metrics.md``")[0].strip(),
        "",
    ]
    for family, title in (("affair", "Affair metrics"), ("coverage", "Coverage metrics"),
                          ("flow", "Flow metrics"), ("petition", "Petition metrics")):
        lines += [f"## {title}", "", "| key | unit | formula | meaning |", "|---|---|---|---|"]
        for m in METRICS.values():
            if m.family == family:
                lines.append(f"| `{m.key}` | {m.unit} | {m.formula} | {m.doc} |")
        lines.append("")
    lines += ["## Run metrics (cadres)", "",
              "Whole-run values from `summary.json`'s `cadres` section (full county, whatever "
              "the villager scale); a sweep compares them under these keys.", "",
              "| key | unit | meaning |", "|---|---|---|"]
    lines += [f"| `{m.key}` | {m.unit} | {m.doc} |" for m in RUN_METRICS.values()]
    lines.append("")
    lines += [
        "## Summary windows",
        "",
        "`summary.json` holds each metric for the windows `pre` (warm-up after burn-in), "
        "`transition` and `post` (the last `timeline.post_window_weeks` weeks), and `change` "
        "= post − pre.",
        "",
    ]
    return "\n".join(lines)
