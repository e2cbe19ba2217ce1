"""Calibration bands of the cadre defaults on the seed county against the report.

The report's cadre figures (DOMAIN.md §3) as bands; the defaults of ``[cadres]`` marked
"calibrated" were tuned (by hand, over the candidate-pool composition and the ranking rules —
never by assigning outcomes) until every band held in each seed and on average. The validation
suite checks them (``mergesim validate --model``, row "cadres: ..."); to try other values over
other seeds while calibrating::

    .venv/bin/python scripts/cadre_bands.py                      # seeds 20191201, 1..4
    .venv/bin/python scripts/cadre_bands.py 1 2 3 --set cadres.one_shoulder=false

Each seed builds its own synthetic county and policy plan (``Scenario(seed=s)``), synthesises
the cadre pool from the stream ``"cadres"`` (as the mechanism does) and applies the reform.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.mechanisms.cadres import metrics as cm
from mergesim.mechanisms.cadres import select_and_place, synthesize_pool
from mergesim.plans import make_plan
from mergesim.rng import Streams

#: Default seeds of the check (the scenario's own seed and four more).
SEEDS = (20191201, 1, 2, 3, 4)

#: metric → (low, high, report figure). Shares as fractions, age change in years.
BANDS: dict[str, tuple[float, float, str]] = {
    "leader_age_change": (-2.5, -1.5, "township leaders' mean age −2 years"),
    "secretary_high_school": (1.0, 1.0, "every temporary secretary ≥ high school"),
    "secretary_veteran_graduate": (0.08, 0.12, "veterans + returning graduates 10.2 %"),
    "group_former_cadre": (0.135, 0.195, "new group leaders: former village cadres 16.5 %"),
    "group_migrant": (0.11, 0.17, "new group leaders: returning migrant workers 14 %"),
    "group_party_reserve": (0.318, 0.378, "new group leaders: party members/reserve 34.8 %"),
}


def seed_metrics(scenario: Scenario) -> dict[str, float]:
    """The calibration metrics of one scenario (its county, plan and cadre stream)."""
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    plan = make_plan(county, scenario, streams)
    rng = streams.generator("cadres")
    pool = synthesize_pool(county, plan, scenario.cadres, rng)
    after = select_and_place(pool, county, plan, scenario.cadres, rng)
    before_age, after_age = cm.township_leader_age(after)
    groups = cm.group_leader_origin_shares(after)
    return {
        "leader_age_change": after_age - before_age,
        "secretary_high_school": cm.secretary_education_share(after),
        "secretary_veteran_graduate": cm.secretary_origin_share(after),
        "group_former_cadre": groups["former_cadre"],
        "group_migrant": groups["migrant"],
        "group_party_reserve": groups["party_reserve"],
    }


def check(
    seeds: tuple[int, ...] = SEEDS, base: Scenario | None = None
) -> tuple[dict[int, dict[str, float]], dict[str, float], list[str]]:
    """Metrics per seed, their mean, and the list of bands missed (empty when all hold).

    Args:
        seeds: Root seeds (each gives its own county, plan and pool).
        base: Scenario to vary the seed of (default: ``Scenario()``, the seed county).
    """
    base = base or Scenario()
    per_seed = {s: seed_metrics(replace(base, seed=int(s))) for s in seeds}
    mean = {k: float(np.mean([m[k] for m in per_seed.values()])) for k in BANDS}
    missed = []
    for label, metrics in [*((f"seed {s}", m) for s, m in per_seed.items()), ("mean", mean)]:
        for k, (lo, hi, _) in BANDS.items():
            if not lo - 1e-12 <= metrics[k] <= hi + 1e-12:
                missed.append(f"{label}: {k} = {metrics[k]:.4f} outside [{lo}, {hi}]")
    return per_seed, mean, missed


def format_table(per_seed: dict[int, dict[str, float]], mean: dict[str, float]) -> str:
    """A plain-text table: one row per metric, one column per seed, the mean and the band."""
    cols = [str(s) for s in per_seed] + ["mean", "band"]
    lines = ["metric".ljust(28) + "".join(c.rjust(10) for c in cols[:-1]) + "  band"]
    for k, (lo, hi, _) in BANDS.items():
        vals = [per_seed[s][k] for s in per_seed] + [mean[k]]
        lines.append(k.ljust(28) + "".join(f"{v:10.4f}" for v in vals) + f"  [{lo}, {hi}]")
    return "\n".join(lines)
