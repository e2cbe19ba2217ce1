"""The report's cadre figures on the seed county, over five seeds: bands, directions, rules.

The report's cadre figures (docs/domain.md §3), each in one of three kinds:

* :data:`BANDS` — **calibration targets**: defaults of ``[cadres]`` were fitted (by hand, over
  the candidate-pool composition and the ranking rules — never by assigning outcomes) so that
  each holds in every seed and on average; the knobs of each target are listed in
  :data:`mergesim.validation.catalogue.FIGURES`;
* :data:`DIRECTIONS` — **validation**: figures no parameter was fitted to (masked values, so
  only their direction is compared) and the teams' fill;
* :data:`RULES` — rules of the report the model applies as written (verification).

:data:`DIAGNOSTICS` are shown by the script but compare nothing (township *leaders'* age change:
not a report figure). The suite (``mergesim validate --model``) turns each into rows; to try
other values over other seeds while calibrating::

    .venv/bin/python scripts/cadre_bands.py                      # seeds 20191201, 1..4
    .venv/bin/python scripts/cadre_bands.py 1 2 3 --set cadres.young_leaders=5
    .venv/bin/python scripts/cadre_bands.py --scan cadres.leader_youth_weight=0.004,0.01

Each seed builds its own synthetic county and policy plan (``Scenario(seed=s)``), synthesises
the cadre pool from the stream ``"cadres"`` (as the mechanism does) and applies the reform.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.mechanisms.cadres import metrics as cm
from mergesim.mechanisms.cadres import select_and_place, synthesize_pool
from mergesim.mechanisms.cadres.pool import SECRETARY_POSTS, TOWNSHIP_POSTS, CadrePool, Post
from mergesim.plans import make_plan
from mergesim.plans.plan import Plan
from mergesim.rng import Streams

#: Default seeds of the check (the scenario's own seed and four more).
SEEDS = (20191201, 1, 2, 3, 4)


@dataclass(frozen=True)
class Band:
    """A calibration band, a required value (:data:`RULES`) or a direction.

    Attributes:
        lo, hi: The closed band (shares as fractions, ages in years); ignored for a direction.
        target: The report's figure as a number (the band's reference), or None (direction).
        figure: Id of the report's figure (:mod:`mergesim.validation.catalogue`).
        label: What the metric is, for the tables.
        sign: +1 (must be > 0) or −1 (must be < 0) for a direction; 0 for a band.
    """

    lo: float
    hi: float
    target: float | None
    figure: str
    label: str
    sign: int = 0

    def holds(self, value: float) -> bool:
        """Whether ``value`` keeps to the band or direction (NaN never does)."""
        if self.sign:
            return bool(self.sign * value > 0)
        return bool(self.lo - 1e-12 <= value <= self.hi + 1e-12)


#: Calibration targets: metric → band in every seed and on average.
BANDS: dict[str, Band] = {
    "township_cadre_age_change": Band(
        -2.5, -1.5, -2.0, "township_cadre_age", "township cadres' mean age change, years"
    ),
    "secretary_veteran_graduate": Band(
        0.08,
        0.12,
        0.102,
        "secretary_veteran_graduate",
        "veterans + returning graduates among temporary secretaries",
    ),
    "group_former_cadre": Band(
        0.135, 0.195, 0.165, "group_former_cadre", "new group leaders: former village cadres"
    ),
    "group_migrant": Band(
        0.11, 0.17, 0.14, "group_migrant", "new group leaders: returning migrant workers"
    ),
    "group_party_reserve": Band(
        0.318,
        0.378,
        0.348,
        "group_party_reserve",
        "new group leaders: party members / reserve cadres",
    ),
}

#: Validation: report figures not fitted to (direction or fill), in every seed and on average.
DIRECTIONS: dict[str, Band] = {
    "bachelor_share_change": Band(
        0.0,
        np.inf,
        None,
        "bachelor_share",
        "bachelor's share among township cadres, after − before",
        sign=1,
    ),
    "secretary_age_change": Band(
        -np.inf,
        0.0,
        None,
        "secretary_age",
        "temporary secretaries' mean age − their villages' secretaries' before, years",
        sign=-1,
    ),
    "leader_posts_filled": Band(
        1.0, 1.0, 1.0, "teams_full", "township leadership posts filled (share of posts)"
    ),
}

#: Verification: rules of the report the model applies as written.
RULES: dict[str, Band] = {
    "secretary_high_school": Band(
        1.0,
        1.0,
        1.0,
        "secretary_education",
        "temporary secretaries with high school or more (floor, send-down)",
    ),
    "secretary_one_shoulder": Band(
        1.0,
        1.0,
        1.0,
        "one_shoulder",
        "temporary secretaries who also head the village committee (一肩挑)",
    ),
}

#: Shown by the script, compared with nothing.
DIAGNOSTICS = ("leader_age_change", "staff_age_change")

#: Every metric with a band, by kind.
ALL_BANDS: dict[str, Band] = {**BANDS, **DIRECTIONS, **RULES}


def _mean_age(pool: CadrePool, mask: np.ndarray) -> float:
    return float(pool.age[mask].mean()) if mask.any() else float("nan")


def _change(pool: CadrePool, before: np.ndarray, after: np.ndarray) -> float:
    return _mean_age(pool, after) - _mean_age(pool, before)


def leader_posts(plan: Plan, scenario: Scenario) -> int:
    """Township leadership posts after the reform: a merged team's size for merged townships,
    the old team's for the others."""
    members = np.bincount(plan.township_to_new, minlength=plan.n_new_townships)
    p = scenario.cadres
    return int(np.where(members > 1, p.township_leaders_merged, p.township_leaders).sum())


def pool_metrics(after: CadrePool, plan: Plan, scenario: Scenario) -> dict[str, float]:
    """Every metric of :data:`ALL_BANDS` and :data:`DIAGNOSTICS` from a reformed pool."""
    town0, town = np.isin(after.post0, TOWNSHIP_POSTS), np.isin(after.post, TOWNSHIP_POSTS)
    sec0 = np.isin(after.post0, SECRETARY_POSTS) & after.reselected
    sec = np.isin(after.post, SECRETARY_POSTS) & after.reselected
    groups = cm.group_leader_origin_shares(after)
    edu_before, edu_after = cm.education_shares(after, TOWNSHIP_POSTS)
    return {
        "township_cadre_age_change": _change(after, town0, town),
        "secretary_veteran_graduate": cm.secretary_origin_share(after),
        "group_former_cadre": groups["former_cadre"],
        "group_migrant": groups["migrant"],
        "group_party_reserve": groups["party_reserve"],
        "bachelor_share_change": float(edu_after[3] - edu_before[3]),
        "secretary_age_change": _change(after, sec0, sec),
        "leader_posts_filled": int((after.post == Post.TOWNSHIP_LEADER).sum())
        / leader_posts(plan, scenario),
        "secretary_high_school": cm.secretary_education_share(after),
        "secretary_one_shoulder": float(np.mean(after.post[sec] == Post.SECRETARY_DIRECTOR))
        if sec.any()
        else float("nan"),
        "leader_age_change": _change(
            after, after.post0 == Post.TOWNSHIP_LEADER, after.post == Post.TOWNSHIP_LEADER
        ),
        "staff_age_change": _change(
            after, after.post0 == Post.TOWNSHIP_STAFF, after.post == Post.TOWNSHIP_STAFF
        ),
    }


def seed_metrics(scenario: Scenario) -> dict[str, float]:
    """The cadre metrics of one scenario (its county, plan and cadre stream)."""
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    plan = make_plan(county, scenario, streams)
    rng = streams.generator("cadres")
    pool = synthesize_pool(county, plan, scenario.cadres, rng)
    after = select_and_place(pool, county, plan, scenario.cadres, rng)
    return pool_metrics(after, plan, scenario)


def outside(metrics: dict[str, float], bands: dict[str, Band]) -> list[str]:
    """The metrics of ``bands`` outside their band (NaN counts as outside)."""
    return [k for k, b in bands.items() if not b.holds(metrics[k])]


def check(
    seeds: tuple[int, ...] = SEEDS, base: Scenario | None = None
) -> tuple[dict[int, dict[str, float]], dict[str, float], list[str]]:
    """Metrics per seed, their mean, and the calibration bands missed (empty when all hold).

    Args:
        seeds: Root seeds (each gives its own county, plan and pool).
        base: Scenario to vary the seed of (default: ``Scenario()``, the seed county).

    Returns:
        ``(per_seed, mean, missed)``: ``missed`` has one line per seed (and the mean) outside
        a band of :data:`BANDS`; use :func:`outside` for :data:`DIRECTIONS` and :data:`RULES`.
    """
    base = base or Scenario()
    per_seed = {s: seed_metrics(replace(base, seed=int(s))) for s in seeds}
    keys = [*ALL_BANDS, *DIAGNOSTICS]
    mean = {k: float(np.mean([m[k] for m in per_seed.values()])) for k in keys}
    missed = []
    for label, metrics in [*((f"seed {s}", m) for s, m in per_seed.items()), ("mean", mean)]:
        for k in outside(metrics, BANDS):
            b = BANDS[k]
            missed.append(f"{label}: {k} = {metrics[k]:.4f} outside [{b.lo}, {b.hi}]")
    return per_seed, mean, missed


def band_text(b: Band) -> str:
    """The band as text: ``[lo, hi]``, ``= v``, ``> 0`` or ``< 0``."""
    if b.sign:
        return "> 0" if b.sign > 0 else "< 0"
    return f"= {b.lo:g}" if b.lo == b.hi else f"[{b.lo:g}, {b.hi:g}]"


def format_table(per_seed: dict[int, dict[str, float]], mean: dict[str, float]) -> str:
    """A plain-text table: one row per metric (by kind), one column per seed, the mean and the
    band with whether the seeds and the mean keep to it."""
    cols = [str(s) for s in per_seed] + ["mean"]
    head = "metric".ljust(28) + "".join(c.rjust(10) for c in cols) + "  band"
    lines = []
    for title, bands in (
        ("calibration targets", BANDS),
        ("validation (not fitted)", DIRECTIONS),
        ("rules", RULES),
    ):
        lines += [f"-- {title}", head]
        for k, b in bands.items():
            vals = [per_seed[s][k] for s in per_seed] + [mean[k]]
            held = not any(k in outside(m, {k: b}) for m in [*per_seed.values(), mean])
            lines.append(
                k.ljust(28)
                + "".join(f"{v:10.4f}" for v in vals)
                + f"  {band_text(b)} {'ok' if held else 'MISSED'}"
            )
    lines += ["-- diagnostics (no band)", head]
    for k in DIAGNOSTICS:
        vals = [per_seed[s][k] for s in per_seed] + [mean[k]]
        lines.append(k.ljust(28) + "".join(f"{v:10.4f}" for v in vals))
    return "\n".join(lines)
