"""The metrics of 跑一次 and 不出村: realised days from need to done, travel and trips per affair,
by administrative affair type and by outcome group, and how the visits end.

Registry entries (:func:`register`) live here; :mod:`mergesim.metrics.registry` includes
them, and :class:`mergesim.metrics.pool.AffairPool` computes them from the served affairs' sums.

Outcome groups are those of :mod:`mergesim.plans.roles` (absorbed villages, former township
seats, border villages, the far tercile, ...); "all" is the unsuffixed metric, and the worst
decile is the population-weighted mean of village means over the worst-off 10 % of villagers.
"""

from __future__ import annotations

from collections.abc import Callable

from mergesim.config.schema import AFFAIR_NAMES
from mergesim.plans.roles import GROUPS

#: Flow counts of the visits (services ``week_counts`` keys beyond the original five).
VISIT_FLOWS = (
    ("absent", "trips that found the official absent"),
    ("referred", "trips referred up a level (the point could neither finish nor forward)"),
    ("docs_missing", "trips that failed for missing documents"),
    ("handed_over", "affairs handed to a village carrier (agency, room, duty team)"),
)
#: Short names for figures.
LABELS = {
    "days_mean": "Days from need to done",
    "admin_days_mean": "Days from need to done, administrative",
    "admin_one_trip_share": "Administrative affairs done in one trip",
    "admin_failed_trips_mean": "Failed trips per administrative affair",
    "agency_days_mean": "Days to done of agency affairs",
    "admin_agency_share": "Administrative affairs carried by the agency",
    "admin_county_share": "Administrative affairs finished at the county",
}


def register(add: Callable[..., None]) -> None:
    """Add the service metrics to the registry (``add(key, unit, formula, doc, family)``)."""
    days = "days from the need arising to the affair done (weeks waited × 7, the wait for an "
    days += "open day, a carrier's turnaround, forwarding and processing)"
    trav = "round-trip travel minutes of an affair, summed over all its trips"
    add(
        "days_mean",
        "days",
        f"mean over served affairs of ({days})",
        "Days from need to done.",
        "affair",
    )
    add(
        "admin_days_mean",
        "days",
        f"mean of ({days}) over administrative affairs",
        "Days from need to done, administrative affairs.",
        "affair",
    )
    add(
        "admin_failed_trips_mean",
        "trips",
        "mean over administrative affairs of the trips that ended without the affair done "
        "(official absent, turned away, referred, documents missing)",
        "Failed trips per administrative affair.",
        "affair",
    )
    add(
        "admin_travel_worst_decile_min",
        "min",
        "villages ranked by mean administrative travel per affair, worst first; "
        "population-weighted mean over the worst 10 % of villagers",
        "Administrative travel of the worst-off decile.",
        "affair",
    )
    add(
        "admin_days_worst_decile",
        "days",
        "villages ranked by mean administrative days to done, worst first; population-weighted "
        "mean over the worst 10 % of villagers",
        "Administrative days to done of the worst-off decile.",
        "affair",
    )
    for key, kinds, what in (
        ("admin_agency_share", "agency", "carried by the village agency service (代办)"),
        ("admin_carried_share", "agency, room or duty team", "carried by a village carrier"),
        ("admin_county_share", "county centre", "finished at the county service centre"),
    ):
        add(
            key,
            "-",
            f"administrative affairs whose handler is the {kinds} / administrative affairs",
            f"Share of administrative affairs {what}.",
            "affair",
        )
    add(
        "agency_days_mean",
        "days",
        f"mean of ({days}) over affairs carried by the agency service",
        "Days to done of agency affairs (turnaround included).",
        "affair",
    )
    for name in AFFAIR_NAMES:
        what = name.replace("_", " ")
        add(
            f"admin_one_trip_share_{name}",
            "-",
            f"{what} affairs done in one trip / {what} affairs served",
            f"跑一次, {what} affairs.",
            "affair",
        )
        add(
            f"admin_travel_min_mean_{name}",
            "min",
            f"mean of ({trav}) over {what} affairs",
            f"Travel per {what} affair.",
            "affair",
        )
        add(
            f"admin_days_mean_{name}",
            "days",
            f"mean of ({days}) over {what} affairs",
            f"Days from need to done, {what} affairs.",
            "affair",
        )
    for g, desc in GROUPS:
        add(
            f"admin_one_trip_share_{g}",
            "-",
            f"administrative affairs done in one trip / administrative affairs served, {desc}",
            f"跑一次 for administrative affairs, {desc}.",
            "affair",
        )
        add(
            f"admin_days_mean_{g}",
            "days",
            f"mean of ({days}) over administrative affairs of {desc}",
            f"Administrative days from need to done, {desc}.",
            "affair",
        )
        add(
            f"admin_in_village_share_{g}",
            "-",
            f"administrative affairs handled by a village-level point / administrative "
            f"affairs served, {desc}",
            f"不出村, {desc}.",
            "affair",
        )
    per = "per 1,000 simulated villagers this week"
    for key, doc in VISIT_FLOWS:
        add(f"{key}_per_1000", "needs/1000 persons", f"{doc} {per}", f"Flow: {doc}.", "flow")
    add(
        "overloaded_points",
        "points",
        "open points whose arrivals this week exceed 1.2 × their weekly capacity",
        "Points overloaded this week.",
        "flow",
    )
    add(
        "overload_weeks_max",
        "weeks",
        "longest current run of consecutive weeks any open point has been overloaded",
        "Longest current overload of a point.",
        "flow",
    )
