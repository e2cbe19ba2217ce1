"""The validation suite: mergesim against independent references (``mergesim validate --model``).

Every check is a function returning :class:`Result` rows (check, reference, ours, tolerance,
pass). The pytest suite in ``tests/validation/`` asserts each row passes; the command prints
them all as one table and exits 1 if any fails. The checks:

* **travel** — csgraph travel times (:mod:`mergesim.county.travel`) equal networkx's Dijkstra
  on the seed county (generated) and on the real example county;
* **coverage** — the routing tables
  (:func:`~mergesim.mechanisms.services.routing.build_routing`) and
  :func:`~mergesim.metrics.coverage_share` equal a brute-force computation (Floyd–Warshall
  all-pairs minutes, then every villager counted one by one), before and after the reform;
  and, with the optional ``access`` extra, PySAL ``access``'s catchment counts;
* **queueing** — a petition stage is M/M/c (Erlang C wait, queue length, Little's law) and the
  six-stage loop a Jackson tandem, inside confidence intervals over independent replications
  of the simulation itself; the intervals are Bonferroni-corrected so that the whole family of
  :data:`QUEUE_INTERVALS` interval checks holds at ``1 − QUEUE_FAMILY_ALPHA``;
* **plan bands** — the seed county's policy plan reproduces the report's structure;
* **cadre bands** — :func:`mergesim.validation.cadre_bands.check`.

* **stylised facts** — :data:`STYLISED_FACTS`, direction checks from the amalgamation
  literature (:mod:`mergesim.validation.stylised`); append check functions to it and the
  command and ``tests/validation/test_stylised_facts.py`` pick them up.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from mergesim.config import Scenario, apply_overrides, load_scenario
from mergesim.config.schema import PetitionParams
from mergesim.county import build_county
from mergesim.county.travel import minutes_to_assigned, nearest, travel_table
from mergesim.errors import UserError
from mergesim.mechanisms.petitions import CLOSED, N_STAGES, LoopConfig
from mergesim.mechanisms.services import PointIndex, build_routing, configure, layout, local_minutes
from mergesim.metrics import COVERAGE_THRESHOLDS, coverage_share
from mergesim.plans import make_plan
from mergesim.plans.assess import PlanResult, assess_plan
from mergesim.plans.roles import UnitStatus
from mergesim.rng import Streams
from mergesim.validation import cadre_bands as bands
from mergesim.validation import references as ref
from mergesim.validation.queueing import mmc, replication_ci, tandem_sojourn
from mergesim.validation.result import Result, scenario_path
from mergesim.validation.stylised import FACTS

__all__ = ["CheckFn", "Result", "format_table", "scenario_path", "validate_model"]

#: Family-wise error rate of the queueing interval checks (all of them together).
QUEUE_FAMILY_ALPHA = 0.01
#: Simultaneous interval checks: six for one M/M/c stage, seven for the tandem loop.
QUEUE_INTERVALS = 6 + 7
#: Confidence level of each interval (Bonferroni).
QUEUE_LEVEL = 1.0 - QUEUE_FAMILY_ALPHA / QUEUE_INTERVALS

#: Deterministic comparisons (travel, coverage): absolute tolerance in minutes or shares.
EXACT_ATOL = 1e-9


CheckFn = Callable[[], list[Result]]


def _fmt(x: float, digits: int = 4) -> str:
    return "inf" if math.isinf(x) else f"{x:.{digits}f}"


def _finite_mean(a: np.ndarray) -> float:
    fin = np.isfinite(a)
    return float(a[fin].mean()) if fin.any() else math.inf


def _same(
    check: str, reference: np.ndarray, ours: np.ndarray, unit: str = "min", extra_ok: bool = True
) -> Result:
    """Element-wise equality of two arrays (unreachable = inf in both); shows their means."""
    reference, ours = np.asarray(reference, float), np.asarray(ours, float)
    same_inf = np.array_equal(np.isinf(reference), np.isinf(ours))
    fin = np.isfinite(reference) & np.isfinite(ours)
    diff = float(np.max(np.abs(reference[fin] - ours[fin]), initial=0.0))
    ok = bool(same_inf and diff <= EXACT_ATOL and extra_ok)
    return Result(
        check,
        f"{_fmt(_finite_mean(reference))} {unit} (mean of {reference.size:,})",
        f"{_fmt(_finite_mean(ours))} {unit}",
        f"max |Δ| ≤ {EXACT_ATOL:g} (got {diff:.1e})",
        ok,
    )


def _close(check: str, reference: float, ours: float, digits: int = 6) -> Result:
    diff = abs(reference - ours)
    return Result(
        check,
        _fmt(reference, digits),
        _fmt(ours, digits),
        f"|Δ| ≤ {EXACT_ATOL:g} (got {diff:.1e})",
        bool(diff <= EXACT_ATOL),
    )


def _band(check: str, reference: str, value: float, lo: float, hi: float) -> Result:
    shown = f"{value:,}" if isinstance(value, int) else f"{value:.3f}"
    band = f"= {lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
    return Result(check, reference, shown, band, bool(lo <= value <= hi))


def _interval(check: str, reference: float, ci: tuple[float, float]) -> Result:
    mean, half = ci
    return Result(
        check,
        f"{reference:.4f}",
        f"{mean:.4f} ± {half:.4f}",
        f"{100 * QUEUE_LEVEL:.2f} % CI (Bonferroni, {QUEUE_INTERVALS})",
        bool(abs(mean - reference) <= half),
    )


@functools.cache
def seed_plan() -> PlanResult:
    """The seed county's plan, checked (built once per process)."""
    return assess_plan(load_scenario(scenario_path("seed_county.toml")))


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
        _same(
            f"travel table, {label} ({len(sources)} sources × {n:,})",
            ref.nx_table(g, sources, n),
            travel_table(roads, sources),
        )
    ]
    minutes, which = nearest(roads, points)
    # The point nearest() names must lie at the distance it reports.
    at = travel_table(roads, points)[np.searchsorted(points, which), np.arange(n)]
    rows.append(
        _same(
            f"nearest of {len(points)} points, {label}",
            ref.nx_nearest(g, points, n),
            minutes,
            extra_ok=bool(np.allclose(at, minutes, rtol=0, atol=EXACT_ATOL)),
        )
    )
    seat = county.township_seat[county.township]
    own = ref.nx_table(g, county.township_seat, n)[county.township, np.arange(n)]
    rows.append(
        _same(f"minutes to own township seat, {label}", own, minutes_to_assigned(roads, seat))
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
            rows.append(_same(f"{phase}: minutes to {what} point, per village", ref_min, ours_min))
            people = ref.per_person_minutes(ref_min, n_veh, n_wo, f)
            own = (np.sum(n_veh * ours_min) + f * np.sum(n_wo * ours_min)) / people.size
            rows.append(
                _close(
                    f"{phase}: mean own-mode minutes to {what} point",
                    float(people.mean()),
                    float(own),
                    4,
                )
            )
            for lim in COVERAGE_THRESHOLDS:
                rows.append(
                    _close(
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
            _close(
                f"post: coverage_clinic_{lim} vs PySAL access",
                covered / float(county.population.sum()),
                coverage_share(routing.clinic_minutes, n_veh, n_wo, f, lim),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Petition stage queues: M/M/c and the Jackson tandem
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# The seed county's report bands
# ---------------------------------------------------------------------------------------------


def plan_bands() -> list[Result]:
    """The seed county's policy plan against the report's structure (merges, exemptions, ×2)."""
    res = seed_plan()
    sm = res.summary
    rows = [
        _band("plan: townships before", "60", sm["townships_before"], 60, 60),
        Result(
            "plan: border townships kept",
            "8 of 8",
            f"{sm['border_townships_kept']} of {sm['border_townships']}",
            "all 8 kept",
            sm["border_townships"] == 8 and sm["border_townships_kept"] == 8,
        ),
        _band("plan: townships abolished", "about 30", sm["townships_abolished"], 28, 32),
        _band("plan: villages before", "about 1,050", sm["villages_before"], 1000, 1100),
        Result(
            "plan: border villages kept",
            "72 of 72",
            f"{sm['border_villages_kept']} of {sm['border_villages']}",
            "all 72 kept",
            sm["border_villages"] == 72 and sm["border_villages_kept"] == 72,
        ),
        _band("plan: villages merged away", "549", sm["villages_merged_away"], 500, 600),
        _band("plan: merged villages", "383", sm["merged_villages"], 345, 420),
    ]
    for key in (
        "village_pop_ratio",
        "village_area_ratio",
        "township_pop_ratio",
        "township_area_ratio",
    ):
        rows.append(_band(f"plan: {key}", "about 2 (double-doubling)", float(sm[key]), 1.8, 2.4))
    n_ok = sum(c.ok for c in res.checks)
    failed = [c.name for c in res.checks if not c.ok]
    rows.append(
        Result(
            "plan: plan checks (partition, conservation, contiguity, ...)",
            "all pass",
            f"{n_ok} of {len(res.checks)} pass"
            + (f" (failed: {', '.join(failed)})" if failed else ""),
            "all",
            not failed,
        )
    )
    return rows


def cadre_bands() -> list[Result]:
    """The cadre calibration bands in every default seed and on average."""
    per_seed, mean, missed = bands.check()
    rows = []
    for key, (lo, hi, figure) in bands.BANDS.items():
        vals = [m[key] for m in per_seed.values()]
        bad = [line for line in missed if f": {key} = " in line]
        rows.append(
            Result(
                f"cadres: {key}",
                figure,
                f"mean {mean[key]:.4f} (seeds {min(vals):.4f}–{max(vals):.4f})",
                f"[{lo}, {hi}] in {len(bands.SEEDS)} seeds and mean",
                not bad,
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The registry and the table
# ---------------------------------------------------------------------------------------------

#: The checks of ``mergesim validate --model``, in table order.
CHECKS: list[CheckFn] = [
    travel_generated,
    travel_real,
    coverage_brute_force,
    coverage_access,
    queue_single_stage,
    queue_tandem,
    plan_bands,
    cadre_bands,
]

#: Direction checks of the model's stylised facts (travel rises most for absorbed and
#: peripheral villages; without service retention the worst-off decile loses most): see
#: :mod:`mergesim.validation.stylised`. Each is ``() -> list[Result]``.
STYLISED_FACTS: list[CheckFn] = list(FACTS)


def all_checks() -> list[CheckFn]:
    """Every registered check function: :data:`CHECKS`, then :data:`STYLISED_FACTS`."""
    return [*CHECKS, *STYLISED_FACTS]


def run_checks(checks: list[CheckFn] | None = None) -> list[Result]:
    """Run ``checks`` (default :func:`all_checks`) and collect their rows.

    A check that crashes becomes one failed row with its error, so one broken component does
    not hide the others' results (pytest calls the functions directly and shows the
    traceback). A :class:`~mergesim.errors.UserError` (e.g. no scenarios folder) propagates.
    """
    rows: list[Result] = []
    for fn in all_checks() if checks is None else checks:
        try:
            rows.extend(fn())
        except UserError:
            raise
        except Exception as err:  # noqa: BLE001 - reported as a failed check
            rows.append(
                Result(fn.__name__, "-", f"error: {type(err).__name__}: {err}"[:200], "-", False)
            )
    return rows


COLUMNS = ("check", "reference", "ours", "tolerance", "pass")


def format_table(rows: list[Result]) -> str:
    """The rows as a plain-text table with a header and a one-line tally."""
    mark = {True: "ok", False: "FAIL", None: "skip"}
    cells = [(r.check, r.reference, r.ours, r.tolerance, mark[r.ok]) for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(COLUMNS)]

    def line(values) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(COLUMNS), line("-" * w for w in widths), *(line(c) for c in cells)]
    n_fail = sum(r.ok is False for r in rows)
    n_skip = sum(r.ok is None for r in rows)
    out += [
        "",
        f"{len(rows)} checks: {len(rows) - n_fail - n_skip} pass, {n_fail} fail, {n_skip} skipped",
    ]
    return "\n".join(out)


def validate_model(checks: list[CheckFn] | None = None) -> tuple[str, bool]:
    """Run the suite; return the printed table and whether every check passed (skips pass).

    Raises:
        UserError: The shipped scenarios cannot be found.
    """
    t0 = time.perf_counter()
    rows = run_checks(checks)
    ok = all(r.ok is not False for r in rows)
    return format_table(rows) + f" ({time.perf_counter() - t0:.1f} s)", ok
