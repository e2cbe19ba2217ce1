"""The metrics registry: every metric's key, label, unit, formula and family (one place).

See :mod:`mergesim.metrics` for the families and how windows aggregate them;
``docs/metrics.md`` is generated from :data:`METRICS` and :data:`RUN_METRICS` by
``scripts/gen_metrics_docs.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.schema import AFFAIR_NAMES
from mergesim.mechanisms.cadres import TOWNSHIP_CHANNELS, VILLAGE_CHANNELS
from mergesim.mechanisms.cadres import Outcome as CadreOutcome
from mergesim.mechanisms.needs import NEED_NAMES
from mergesim.mechanisms.petitions import STAGE_LABELS, STAGES
from mergesim.metrics import affairs, stability
from mergesim.metrics.conflict import CONFLICT_LABELS, add_conflict
from mergesim.plans.roles import GROUPS

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
    #: ``villagers.scale`` below which the metric is documented as biased (None: scale-free
    #: up to sampling noise); a sweep below it warns (:data:`MIN_SCALE`).
    min_scale: float | None = None

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
    "petitions_collective_per10k": "Collective petitions filed",
    "beyond_county_per10k": "Petitions taken beyond the county",
    "incidents_per10k": "Collective incidents",
    "days_to_close_mean": "Days to close a petition",
    "closed_within_90_share": "Petitions closed within 90 days",
    "resolved_share": "Petitions resolved",
    "escalation_share": "Petitions escalated",
    "grievance_mean": "Mean grievance",
    "aggrieved_share": "Villagers ready to petition",
    "stability_index": "Stability index",
    **affairs.LABELS,
    **CONFLICT_LABELS,
    "taskforces_active": "Task forces at work",
}


# -- readable labels of every other metric (statistics: figures never print a raw key) ----------
def _family_labels() -> dict[str, str]:
    """Labels of the metrics not named above: the families generated per kind of need, outcome
    group and petition stage, and the rest (English, so figures need no CJK font)."""
    out = {
        "travel_min_p90": "Travel per affair, 90th percentile",
        "trips_mean": "Trips per affair",
        "admin_trips_mean": "Trips per administrative affair",
        "admin_one_trip_share": "Administrative affairs done in one trip",
        "travel_gini": "Inequality (Gini) of travel per affair",
        "travel_worst_decile_min": "Travel of the worst-off tenth of villagers",
        "coverage_admin_60": "Villagers within 60 min of their service centre",
        "coverage_clinic_60": "Villagers within 60 min of a health centre",
        "new_needs_per_1000": "New needs",
        "served_per_1000": "Needs served",
        "deferred_per_1000": "Trips put off",
        "turned_away_per_1000": "Trips turned away at a full point",
        "given_up_per_1000": "Needs given up",
        "waiting_per_1000": "Needs waiting",
        "travel_min_per_villager": "Realised travel per villager",
        "petitions_individual_per10k": "Individual petitions",
        "petitions_collective_per10k": "Collective petitions",
        "petitions_first_per10k": "First filings of petitions",
        "days_to_close_mean": "Days to close a petition",
        "days_to_close_p90": "Days to close a petition, 90th percentile",
        "closed_within_60_share": "Petitions closed within 60 days",
        "resolved_share": "Petitions resolved at close",
        "repeat_share": "Petitions filed again",
        "escalation_share": "Petitions escalated",
        "accept_overdue_share": "Petitions accepted late",
        "conclude_overdue_share": "Petitions concluded late",
        "backlog_per10k": "Open petitions",
        "open_overdue_per10k": "Open petitions past a deadline",
        "petition_caseload_per_cadre": "Open petitions per petition server",
        "cadre_competence_mean": "Cadre competence",
        "cadres_at_work": "Cadres at work",
    }
    for k in NEED_NAMES:
        kind = k.replace("_", " ")
        out.setdefault(f"travel_min_mean_{k}", f"Travel per {kind} affair")
        out.setdefault(f"travel_min_p90_{k}", f"Travel per {kind} affair, 90th percentile")
    for a in AFFAIR_NAMES:
        out[f"admin_one_trip_share_{a}"] = (
            f"{a.replace('_', ' ').capitalize()} affairs done in one trip"
        )
    for g, desc in GROUPS:
        out[f"admin_one_trip_share_{g}"] = f"Administrative affairs done in one trip, {desc}"
        out[f"admin_in_village_share_{g}"] = f"Administrative affairs done in the village, {desc}"
        out[f"travel_min_mean_{g}"] = f"Travel per affair, {desc}"
        out[f"admin_travel_min_mean_{g}"] = f"Travel per administrative affair, {desc}"
        out[f"one_trip_share_{g}"] = f"Affairs done in one trip, {desc}"
        for what, where in (("admin", "their service centre"), ("clinic", "a health centre")):
            out[f"coverage_{what}_30_{g}"] = f"Villagers within 30 min of {where}, {desc}"
    for name, label in zip(STAGES, STAGE_LABELS, strict=True):
        out[f"backlog_{name}_per10k"] = f"Open petitions at stage '{label}'"
    return out


LABELS.update({k: v for k, v in _family_labels().items() if k not in LABELS})


# -- scale limits (statistics) -----------------------------------------------------------------
#: The scale at which queue metrics are trustworthy. A point's weekly capacity is ``scale`` times
#: its full-scale capacity and a petition stage gets ``⌈c × scale⌉`` servers
#: (:mod:`mergesim.mechanisms.petitions.staffing`), so turn-aways, re-trips, waits, backlogs and
#: times to close differ from the full county's below scale 1 (at scale 0.1: turn-aways per
#: 1,000 villagers of 0.4–0.5 instead of < 0.01; see :mod:`mergesim.metrics`).
QUEUE_MIN_SCALE = 1.0
#: Metric key → the scale below which it is biased (the queue metrics).
MIN_SCALE = dict.fromkeys(
    (
        "trips_mean",
        "one_trip_share",
        "admin_trips_mean",
        "admin_one_trip_share",
        "wait_weeks_mean",
        "turned_away_per_1000",
        "waiting_per_1000",
        "days_to_close_mean",
        "days_to_close_p90",
        "closed_within_60_share",
        "accept_overdue_share",
        "conclude_overdue_share",
        "stability_index",
        "backlog_per10k",
        "open_overdue_per10k",
        "petition_caseload_per_cadre",
    ),
    QUEUE_MIN_SCALE,
)


def _min_scale(key: str) -> float | None:
    """The scale limit of a metric key (group and stage variants follow their base metric)."""
    if key in MIN_SCALE:
        return MIN_SCALE[key]
    if key.startswith("one_trip_share_") or (
        key.startswith("backlog_") and key.endswith("_per10k")
    ):
        return QUEUE_MIN_SCALE
    return None


def _build() -> dict[str, Metric]:
    out: list[Metric] = []

    def add(key, unit, formula, doc, family):
        out.append(Metric(key, unit, formula, doc, family, LABELS.get(key, ""), _min_scale(key)))

    trav = "round-trip travel minutes of an affair, summed over all its trips"
    add(
        "travel_min_mean",
        "min",
        f"mean over served affairs of ({trav})",
        "Travel burden per affair, all kinds.",
        "affair",
    )
    add(
        "travel_min_p90",
        "min",
        f"90th percentile (linear interpolation) of ({trav})",
        "Travel burden of the worst-served tenth of affairs.",
        "affair",
    )
    for k in NEED_NAMES:
        add(
            f"travel_min_mean_{k}",
            "min",
            f"mean of ({trav}) over served {k} affairs",
            f"Travel burden per {k} affair.",
            "affair",
        )
        add(
            f"travel_min_p90_{k}",
            "min",
            f"90th percentile of ({trav}) over served {k} affairs",
            f"90th-percentile travel per {k} affair.",
            "affair",
        )
    add(
        "trips_mean",
        "trips",
        "mean trips per served affair",
        "Trips per affair (1 = done on the first trip).",
        "affair",
    )
    add(
        "one_trip_share",
        "-",
        "served affairs done in one trip / served affairs",
        "跑一次: share of affairs done in one trip.",
        "affair",
    )
    add(
        "admin_trips_mean",
        "trips",
        "mean trips per served administrative affair",
        "Trips per administrative affair.",
        "affair",
    )
    add(
        "admin_one_trip_share",
        "-",
        "administrative affairs done in one trip / administrative affairs served",
        "跑一次 for administrative affairs.",
        "affair",
    )
    add(
        "admin_in_village_share",
        "-",
        "administrative affairs served by a village office, "
        "room, agency service or duty team / administrative affairs served",
        "不出村: share of administrative affairs handled without leaving the (administrative) "
        "village.",
        "affair",
    )
    add(
        "wait_weeks_mean",
        "weeks",
        "mean over served affairs of (week served − week the need arose)",
        "Delay from need to service (put-off trips and turned-away trips).",
        "affair",
    )
    add(
        "travel_gini",
        "-",
        "Gini coefficient of per-affair travel minutes: Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄)",
        "Inequality of travel burden across affairs.",
        "affair",
    )
    add(
        "travel_worst_decile_min",
        "min",
        "villages ranked by mean per-affair travel, worst "
        "first; population-weighted mean of village means over the worst 10 % of villagers "
        "(the boundary village counted in part)",
        "Travel burden of the worst-off decile.",
        "affair",
    )
    for g, desc in GROUPS:
        add(
            f"travel_min_mean_{g}",
            "min",
            f"mean of ({trav}) over affairs of {desc}",
            f"Travel per affair, {desc}.",
            "affair",
        )
        add(
            f"admin_travel_min_mean_{g}",
            "min",
            f"mean of ({trav}) over administrative affairs of {desc}",
            f"Administrative travel per affair, {desc}.",
            "affair",
        )
        add(
            f"one_trip_share_{g}",
            "-",
            f"affairs done in one trip / affairs served, {desc}",
            f"跑一次, {desc}.",
            "affair",
        )
    affairs.register(add)  # days to done, affair types, outcome groups, visit flows
    for what, target in (
        ("admin", "own township's service centre (the point handling every administrative affair)"),
        ("clinic", "nearest open township health centre or higher"),
    ):
        for m in COVERAGE_THRESHOLDS:
            add(
                f"coverage_{what}_{m}",
                "-",
                f"villagers whose one-way minutes to the {target}, "
                f"in their own mode, are ≤ {m} / villagers",
                f"Coverage within {m} minutes of the {target}.",
                "coverage",
            )
        for g, desc in GROUPS:
            add(
                f"coverage_{what}_30_{g}",
                "-",
                f"coverage_{what}_30 among villagers of {desc}",
                f"30-minute {what} coverage, {desc}.",
                "coverage",
            )
    add(
        "access_min_mean",
        "min/person/week",
        "mean over villagers of Σ_kind rate × 2 × expected "
        "one-way minutes (own mode) to the point routing sends them to, first trips only",
        "Expected weekly travel burden of the service configuration.",
        "coverage",
    )
    per = "per 1,000 simulated villagers this week"
    for key, doc in (
        ("new_needs", "needs that arose"),
        ("served", "needs served"),
        ("deferred", "trips put off (long trip, unwilling)"),
        ("turned_away", "trips that ended turned away at a full point (跑多次)"),
        ("given_up", "needs given up (no open point, or max_trips reached)"),
        ("waiting", "needs waiting at the end of the week"),
    ):
        add(f"{key}_per_1000", "needs/1000 persons", f"{doc} {per}", f"Flow: {doc}.", "flow")
    add(
        "travel_min_per_villager",
        "min/person/week",
        "round-trip minutes of all trips this week (served or turned away) / villagers",
        "Realised weekly travel burden.",
        "flow",
    )
    stability.register(add)  # petitions, stability, cadres at work (metrics/stability.py)
    add_conflict(add)  # grievance and conflict metrics (metrics/conflict.py)
    return {m.key: m for m in out}


@dataclass(frozen=True)
class RunMetric:
    """A metric of the whole run (not per window): a key of ``summary.json``'s ``cadres``."""

    key: str
    unit: str
    doc: str


def _run_metrics() -> dict[str, RunMetric]:
    out = [
        RunMetric(
            "cadres.township_leader_age.before",
            "years",
            "Mean age of township leaders before the reform.",
        ),
        RunMetric(
            "cadres.township_leader_age.after",
            "years",
            "Mean age of township leaders after the reform.",
        ),
        RunMetric(
            "cadres.township_leader_age.change",
            "years",
            "Change of township leaders' mean age (report: −2).",
        ),
        RunMetric(
            "cadres.township_leader_education.after.bachelor_plus",
            "-",
            "Share of township leaders with a bachelor's degree or more, after.",
        ),
        RunMetric(
            "cadres.secretary_high_school_share",
            "-",
            "Village secretaries appointed at the reform with at least high school (report: all).",
        ),
        RunMetric(
            "cadres.secretary_veteran_graduate_share",
            "-",
            "Returned veterans and graduates among the new secretaries (report: 10.2 %).",
        ),
        RunMetric(
            "cadres.group_leader_origins.former_cadre",
            "-",
            "Former village cadres among new villager-group leaders (report: 16.5 %).",
        ),
        RunMetric(
            "cadres.group_leader_origins.migrant",
            "-",
            "Returning migrant workers among new group leaders (report: 14 %).",
        ),
        RunMetric(
            "cadres.group_leader_origins.party_reserve",
            "-",
            "Party members and reserve cadres among new group leaders (report: 34.8 %).",
        ),
        RunMetric("cadres.in_post", "cadres", "Persons holding a post after the reform."),
        RunMetric("cadres.training_sessions", "person-times", "Training sessions given."),
        RunMetric(
            "cadres.competence.now",
            "relative productivity",
            "Mean competence of cadres at work, end of run (1 = a typical pre-reform cadre).",
        ),
        RunMetric(
            "cadres.cost_before.total",
            "yuan/week",
            "Administrative cost before the reform (salaries, offices, points).",
        ),
        RunMetric(
            "cadres.cost_after.total",
            "yuan/week",
            "Administrative cost after the transition (steady state).",
        ),
        RunMetric("cadres.cost_change_pct.total", "%", "Change of the administrative cost."),
        RunMetric("cadres.cost_change_pct.salaries", "%", "Change of the salary bill."),
        RunMetric(
            "cadres.transition_cost_total",
            "yuan",
            "One-off transition cost: kept pay and transitional posts until the election.",
        ),
    ]
    for o in (
        *TOWNSHIP_CHANNELS,
        *VILLAGE_CHANNELS,
        CadreOutcome.GROUP_DEPARTED,
        CadreOutcome.DISMISSED,
    ):
        name = o.name.lower()
        out.append(
            RunMetric(
                f"cadres.channels.{name}",
                "cadres",
                f"Cadres placed through the channel '{name}' at the reform.",
            )
        )
    return {m.key: m for m in out}


#: Run-level metrics a sweep can compare (keys of the flattened summary; full county).
RUN_METRICS: dict[str, RunMetric] = _run_metrics()


METRICS: dict[str, Metric] = _build()


def metrics_markdown(intro: str) -> str:
    """The text of ``docs/metrics.md`` after ``intro`` (generated; never edit the file)."""
    lines = [
        "# Metrics",
        "",
        "<!-- Generated by scripts/gen_metrics_docs.py from src/mergesim/metrics/; "
        "do not edit. -->",
        "",
        intro,
        "",
    ]
    for family, title in (
        ("affair", "Affair metrics"),
        ("coverage", "Coverage metrics"),
        ("flow", "Flow metrics"),
        ("petition", "Petition metrics"),
    ):
        lines += [f"## {title}", "", "| key | unit | formula | meaning |", "|---|---|---|---|"]
        for m in METRICS.values():
            if m.family == family:
                doc = m.doc + (
                    f" *Biased below `villagers.scale` = {m.min_scale:g} (a queue metric).*"
                    if m.min_scale is not None
                    else ""
                )
                lines.append(f"| `{m.key}` | {m.unit} | {m.formula} | {doc} |")
        lines.append("")
    lines += [
        "## Run metrics (cadres)",
        "",
        "Whole-run values from `summary.json`'s `cadres` section (full county, whatever "
        "the villager scale); a sweep compares them under these keys.",
        "",
        "| key | unit | meaning |",
        "|---|---|---|",
    ]
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
