"""The metrics of social stability: petitions filed and closed, their stages and outcomes, the
stability index, and the cadres at work (registered by :mod:`~mergesim.metrics.registry`).

The petition metrics of a window are read from the petition loop's summary
(:data:`PETITION_KEYS`: metric key → key of ``petition_summary``); the others are weekly
values the tracker records.
"""

from __future__ import annotations

from collections.abc import Callable

from mergesim.mechanisms.petitions import STAGE_LABELS, STAGES

#: Petition-summary keys behind the petition metrics (metric key → petition_summary key).
PETITION_KEYS = {
    "petitions_per10k": "petitions_all_per10k",
    **{
        k: k
        for k in (
            "petitions_individual_per10k",
            "petitions_collective_per10k",
            "petitions_first_per10k",
            "days_to_close_mean",
            "days_to_close_p90",
            "closed_within_60_share",
            "closed_within_90_share",
            "resolved_share",
            "repeat_share",
            "escalation_share",
            "accept_overdue_share",
            "conclude_overdue_share",
            "incidents_per10k",
            "repeats_per10k",
        )
    },
    "beyond_county_per10k": "beyond_per10k",
}


def register(add: Callable[..., None]) -> None:
    """Add the petition, stability and cadre metrics to the registry (``add(key, unit,
    formula, doc, family)``)."""
    rate = "per 10,000 simulated villagers per year: count × 10,000 / villagers × 365.25 / days"
    add(
        "petitions_per10k",
        "petitions/10,000/year",
        f"petitions filed in the period {rate}",
        "All filings: individual and collective, first filings, repeats and escalations.",
        "petition",
    )
    add(
        "petitions_individual_per10k",
        "petitions/10,000/year",
        f"individual petitions filed {rate}",
        "Individual petitions.",
        "petition",
    )
    add(
        "petitions_collective_per10k",
        "petitions/10,000/year",
        f"collective petitions filed (each counts once) {rate}",
        "Collective petitions (a village's aggrieved acting together).",
        "petition",
    )
    add(
        "petitions_first_per10k",
        "petitions/10,000/year",
        f"first filings (not repeats or escalations) {rate}",
        "New grievances reaching the petition system.",
        "petition",
    )
    close = "over petitions closed in the period"
    add(
        "days_to_close_mean",
        "days",
        f"mean of (closed − filed) {close}",
        "Time through the six-step loop.",
        "petition",
    )
    add(
        "days_to_close_p90",
        "days",
        f"90th percentile of (closed − filed) {close}",
        "Time to close of the slowest tenth.",
        "petition",
    )
    add(
        "closed_within_60_share",
        "-",
        f"share with closed − filed ≤ petitions.conclude_days {close}",
        "Closed within the statutory 60 days.",
        "petition",
    )
    add(
        "closed_within_90_share",
        "-",
        "of the petitions filed in the period at least 90 days before the records are read "
        "(the end of the run for a window; none for a single week), the share with closed − "
        "filed ≤ 90 days (the 60-day deadline plus the 30-day extension); a filing cohort, "
        "so petitions still waiting count as late",
        "Filed petitions closed within 90 days.",
        "petition",
    )
    add(
        "beyond_county_per10k",
        "petitions/10,000/year",
        f"petitions closed in the period that went beyond the county (to the city or "
        f"province: escalated from the county bureau, or straight from a township) {rate}",
        "越级访: petitions taken beyond the county.",
        "petition",
    )
    add(
        "incidents_per10k",
        "incidents/10,000/year",
        f"collective petitions that became collective incidents in the period (closed "
        f"unresolved, or open past petitions.incident_overdue_days beyond the deadline; "
        f"probability petitions.incident_prob) {rate}",
        "群体性事件: collective incidents.",
        "petition",
    )
    add(
        "repeats_per10k",
        "petitions/10,000/year",
        f"repeat filings (a closed petition filed again at the same level) {rate}",
        "Repeat petitions.",
        "petition",
    )
    for key, what in (
        ("resolved", "resolved (substantively: every closed petition got a reply)"),
        ("repeat", "repeated (filed again)"),
        ("escalation", "escalated (to the county, or beyond it)"),
    ):
        add(
            f"{key}_share",
            "-",
            f"share of outcome '{what}' {close}",
            f"Outcome at close: {what}.",
            "petition",
        )
    add(
        "accept_overdue_share",
        "-",
        "petitions accepted in the period that took more than "
        "accept_days from filing / petitions accepted",
        "Acceptance decided late (15-day rule).",
        "petition",
    )
    add(
        "conclude_overdue_share",
        "-",
        "petitions concluded in the period that took more than "
        "conclude_days (+ extension_days if extended) from acceptance / petitions concluded",
        "Concluded late (60 + 30-day rule).",
        "petition",
    )
    add(
        "stability_index",
        "-",
        "1 − Σ w_j x_j / Σ w_j over seven pressures: rates r → r / (r + half) "
        "(petitions_per10k, petitions_collective_per10k, beyond_county_per10k, "
        "incidents_per10k, and aggrieved_share), shares as they are (1 − "
        "closed_within_60_share, escalation_share); weights and half-way scales from the "
        "[stability] section; NaN terms left out",
        "Composite stability (1 = no petitions, nobody aggrieved, all closed in time, none "
        "escalated, no incident); the components are the headline metrics.",
        "petition",
    )
    per10k = "per 10,000 simulated villagers at the end of the week"
    add(
        "backlog_per10k",
        "petitions/10,000",
        f"open petitions (filed, not closed) {per10k}",
        "Petition backlog.",
        "flow",
    )
    for name, label in zip(STAGES, STAGE_LABELS, strict=True):
        add(
            f"backlog_{name}_per10k",
            "petitions/10,000",
            f"open petitions in stage '{label}' (waiting or in service or its delay) {per10k}",
            f"Backlog of stage {label}.",
            "flow",
        )
    add(
        "open_overdue_per10k",
        "petitions/10,000",
        f"open petitions past a statutory deadline {per10k}",
        "Overdue backlog.",
        "flow",
    )
    add(
        "grievance_mean",
        "-",
        "mean grievance (0–1) over villagers at the end of the week",
        "Mean grievance.",
        "flow",
    )
    add(
        "aggrieved_share",
        "-",
        "villagers whose grievance exceeds their petition threshold / villagers",
        "Share of villagers ready to petition.",
        "flow",
    )
    add(
        "petition_caseload_per_cadre",
        "petitions/cadre",
        "open township-level petitions / "
        "servers of the townships' six stages in force this week (full scale: the cadres' "
        "petition staff with at least petitions.min_servers per stage, or "
        "petitions.servers_township when staffing = fixed, plus enforcement teams and task "
        "forces at work; petitions scaled by 1/scale)",
        "Caseload per petition server.",
        "flow",
    )
    add(
        "taskforces_active",
        "task forces",
        "units with a task force (专班) at work this week (called by a caseload above "
        "petitions.taskforce_trigger or a collective incident)",
        "Task forces at work.",
        "flow",
    )
    add(
        "cadre_competence_mean",
        "relative productivity",
        "mean competence of cadres at work in "
        "the township and village system (1 = a typical pre-reform cadre)",
        "Cadre competence (training raises it).",
        "flow",
    )
    add(
        "cadres_at_work",
        "cadres",
        "persons holding a township, village or group post, or a transitional post",
        "Cadres at work (full county).",
        "flow",
    )
