"""Verification of the travel and coverage sub-models against independent references.

* **travel** — csgraph travel times (:mod:`mergesim.county.travel`) equal networkx's Dijkstra
  on the seed county (generated) and on the real example county;
* **coverage** — the routing tables
  (:func:`~mergesim.mechanisms.services.routing.build_routing`) and
  :func:`~mergesim.metrics.coverage_share` equal a brute-force computation (Floyd–Warshall
  all-pairs minutes, then every villager counted one by one), before and after the reform;
  and, with the optional ``access`` extra, PySAL ``access``'s catchment counts.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from mergesim.config import Scenario, apply_overrides, load_scenario
from mergesim.county import build_county
from mergesim.county.travel import minutes_to_assigned, nearest, travel_table
from mergesim.mechanisms.services import PointIndex, build_routing, configure, layout, local_minutes
from mergesim.metrics import COVERAGE_THRESHOLDS, coverage_share
from mergesim.plans import make_plan
from mergesim.plans.assess import PlanResult, assess_plan
from mergesim.plans.roles import UnitStatus
from mergesim.rng import Streams
from mergesim.validation import references as ref
from mergesim.validation.compare import EXACT_ATOL, close, same
from mergesim.validation.result import Result, scenario_path


@functools.cache
def seed_scenario() -> Scenario:
    """The seed county's scenario (``scenarios/seed_county.toml``), loaded once per process."""
    return load_scenario(scenario_path("seed_county.toml"))


@functools.cache
def seed_plan() -> PlanResult:
    """The seed county's plan, checked (built once per process)."""
    return assess_plan(seed_scenario())


@functools.cache
def real_county():
    """The real-data example county (``scenarios/example_real.toml``) and its plan."""
    res = assess_plan(load_scenario(scenario_path("example_real.toml")))
    return res.county, res.plan


# ---------------------------------------------------------------------------------------------
# Travel: csgraph against networkx
# ---------------------------------------------------------------------------------------------


def _travel_rows(label: str, county, sources: np.ndarray, points: np.ndarray) -> list[Result]:
    roads, n = county.road_matrix(), county.n_villages
    g = ref.nx_graph(county)
    rows = [
        same(
            f"travel table, {label} ({len(sources)} sources × {n:,})",
            ref.nx_table(g, sources, n),
            travel_table(roads, sources),
        )
    ]
    minutes, which = nearest(roads, points)
    # The point nearest() names must lie at the distance it reports.
    at = travel_table(roads, points)[np.searchsorted(points, which), np.arange(n)]
    rows.append(
        same(
            f"nearest of {len(points)} points, {label}",
            ref.nx_nearest(g, points, n),
            minutes,
            extra_ok=bool(np.allclose(at, minutes, rtol=0, atol=EXACT_ATOL)),
        )
    )
    seat = county.township_seat[county.township]
    own = ref.nx_table(g, county.township_seat, n)[county.township, np.arange(n)]
    rows.append(
        same(f"minutes to own township seat, {label}", own, minutes_to_assigned(roads, seat))
    )
    return rows


def travel_generated() -> list[Result]:
    """csgraph = networkx on the seed county (synthetic, ~1,050 villages)."""
    county = seed_plan().county
    points = np.unique(np.linspace(0, county.n_villages - 1, 12).astype(np.int64))
    return _travel_rows("seed county", county, county.township_seat, points)


def travel_real() -> list[Result]:
    """csgraph = networkx on the real example county, all pairs."""
    county, _ = real_county()
    points = np.unique(county.township_seat)
    return _travel_rows("example_real", county, np.arange(county.n_villages), points)


# ---------------------------------------------------------------------------------------------
# Coverage and minutes to the nearest point: routing + coverage_share against brute force
# ---------------------------------------------------------------------------------------------

#: The small synthetic county of the coverage checks (small enough for an O(n³) reference).
#: Abolished townships' points close after the reform, so "nearest open clinic" is no longer
#: the own township's seat for every village: the nearest-of-many search has work to do.
SMALL_COUNTY = {
    "seed": 7,
    "name": "validation_small",
    "county.villages": 120,
    "county.townships": 10,
    "county.population": 120 * 760,
    "county.area_km2": 120 * 2.1,
    "county.central_townships": 1,
    "county.corridors": 2,
    "border.townships": 1,
    "border.villages": 3,
    "heritage.townships": 0,
    "heritage.villages": 1,
    "services.keep_abolished_points": False,
}


@functools.cache
def coverage_setup():
    """Small county, its plan, scenario and the routing before and after the reform."""
    s = apply_overrides(Scenario(), SMALL_COUNTY)
    streams = Streams(s.seed)
    county = build_county(s, streams)
    plan = make_plan(county, s, streams)
    units = UnitStatus.from_plan(county, plan)
    pts = layout(county, units, s.services)
    index = PointIndex.build(pts, county.n_villages, plan.n_new_villages, county.n_townships)
    local = local_minutes(county, s.villagers.local_kmh, s.roads.detour)
    roads = county.road_matrix()
    phases = {}
    for phase, reformed in (("pre", False), ("post", True)):
        configure(pts, county, units, s.services, reformed=reformed, duty_on=False, transfer=True)
        routing = build_routing(
            county,
            roads,
            units,
            pts,
            index,
            local,
            s.services.choice_candidates,
            reformed=reformed,
        )
        # Keep the point set the routing saw (configure changes pts in place).
        phases[phase] = (routing, pts.kind.copy(), pts.status.copy(), pts.village.copy())
    return county, plan, s, local, phases


def coverage_brute_force() -> list[Result]:
    """Coverage within 30/60 min and mean minutes to the point, against brute force."""
    county, plan, s, local, phases = coverage_setup()
    f = s.villagers.no_vehicle_factor
    n_veh, n_wo = ref.vehicle_counts(county.population, s.villagers.vehicle_share)
    rows = []
    for phase, (routing, kind, status, village) in phases.items():
        clinic, admin, _ = ref.reference_minutes(county, plan, local, kind, status, village, phase)
        for what, ours_min, ref_min in (
            ("clinic", routing.clinic_minutes, clinic),
            ("admin", routing.centre_minutes, admin),
        ):
            rows.append(same(f"{phase}: minutes to {what} point, per village", ref_min, ours_min))
            people = ref.per_person_minutes(ref_min, n_veh, n_wo, f)
            own = (np.sum(n_veh * ours_min) + f * np.sum(n_wo * ours_min)) / people.size
            rows.append(
                close(
                    f"{phase}: mean own-mode minutes to {what} point",
                    float(people.mean()),
                    float(own),
                    4,
                )
            )
            for lim in COVERAGE_THRESHOLDS:
                rows.append(
                    close(
                        f"{phase}: coverage_{what}_{lim}",
                        float(np.mean(people <= lim)),
                        coverage_share(ours_min, n_veh, n_wo, f, lim),
                    )
                )
    return rows


def coverage_access() -> list[Result]:
    """Nearest-clinic coverage after the reform against PySAL ``access`` catchments.

    A villager is covered within ``L`` minutes iff the step-weighted catchment sum of clinics
    within ``L`` (own-mode cost) is positive. Skipped without the optional ``access`` extra.
    """
    try:
        # PySAL access is the optional access extra.
        from access import Access, weights
    except ImportError:
        return [
            Result(
                "post: clinic coverage vs PySAL access",
                "-",
                "access not installed (pip install 'mergesim[access]')",
                "-",
                None,
            )
        ]
    county, plan, s, local, phases = coverage_setup()
    routing, kind, status, village = phases["post"]
    _, _, hosts = ref.reference_minutes(county, plan, local, kind, status, village, "post")
    f = s.villagers.no_vehicle_factor
    n_veh, n_wo = ref.vehicle_counts(county.population, s.villagers.vehicle_share)
    cost = local[:, None] + ref.floyd_warshall(county)[:, hosts]
    o, k = np.meshgrid(np.arange(county.n_villages), np.arange(len(hosts)), indexing="ij")
    rows = []
    for lim in COVERAGE_THRESHOLDS:
        covered = 0.0
        for count, factor in ((n_veh, 1.0), (n_wo, f)):
            costs = pd.DataFrame(
                {"origin": o.ravel(), "dest": k.ravel(), "cost": (cost * factor).ravel()}
            )
            acc = Access(
                demand_df=pd.DataFrame({"pop": count}),
                demand_value="pop",
                supply_df=pd.DataFrame({"clinics": np.ones(len(hosts))}),
                supply_value="clinics",
                cost_df=costs,
                cost_origin="origin",
                cost_dest="dest",
                cost_name="cost",
            )
            catch = acc.weighted_catchment(name="c", weight_fn=weights.step_fn({lim: 1}))
            reached = catch["c_clinics"].reindex(range(county.n_villages)).fillna(0.0) > 0
            covered += float(count[reached.to_numpy()].sum())
        rows.append(
            close(
                f"post: coverage_clinic_{lim} vs PySAL access",
                covered / float(county.population.sum()),
                coverage_share(routing.clinic_minutes, n_veh, n_wo, f, lim),
            )
        )
    return rows
