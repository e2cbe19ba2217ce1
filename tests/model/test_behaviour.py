"""Behaviour a researcher will check, on the seed county averaged over replications.

Directions, not tuned numbers: the `none` plan redeploys nobody and gives nobody a standing
loss (only the villagers' own service experience moves their grievance); breaking the
guarantees raises petitions; removing transition duty and agency service lengthens
administrative travel and raises petitions; more communication (full effort all along instead
of a 26-week campaign) lowers petitions and grievance.

Every case runs the same seeds, and background petitions come from their own random stream in
a number that does not depend on the state, so case-to-case differences are paired: what
differs is the reform-driven part. Runs are at ``villagers.scale = 0.05`` (40,000 villagers);
rates per 10,000 a year are scale-free. The county and plan of a scenario file are built
once and shared by its runs (a run seed varies behaviour, not geography, so the model would
build the same ones).
"""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.config import load_scenario
from mergesim.county import build_county
from mergesim.mechanisms.cadres import check_placement
from mergesim.model.model import MergerModel
from mergesim.plans import make_plan

# Whole runs of the model or of sweeps: the contributor loop (pytest -m "not slow") skips them.
pytestmark = pytest.mark.slow

SEEDS = (1, 2, 3)
SCALE = 0.05
_GUARANTEES = (
    "staffing_kept",
    "transfers_kept",
    "infrastructure_kept",
    "services_kept",
    "cadres_placed",
    "policies_kept",
    "land_rights_kept",
    "collective_kept",
    "poverty_support_kept",
    "transition_pay_kept",
)
CASES = {
    "seed": ("seed_county.toml", {}),
    "none": ("seed_county_none.toml", {}),
    "broken": ("seed_county.toml", {f"guarantees.{g}": False for g in _GUARANTEES}),
    "no_duty_agency": (
        "seed_county.toml",
        {"services.transition_duty": False, "services.agency_service": False},
    ),
    "no_comm": ("seed_county.toml", {"communication.enabled": False}),
    # Full communication effort all along, not only in the 26-week campaign.
    "more_comm": ("seed_county.toml", {"communication.routine_share": 1.0}),
}
#: The standing losses of the merger's conflict channels (metrics/conflict.py).
STANDING = tuple(
    f"hardship_{c}_mean" for c in ("rights", "assets", "representation", "seat_loss", "cadre")
)
#: Two years after the reform (the post window is its last 52 weeks): enough for the
#: directions, a third quicker than the default three.
TIMELINE = {"timeline.horizon_weeks": 104}


@pytest.fixture(scope="module")
def runs(request):
    """``{case: [(summary, history), ...]}`` over :data:`SEEDS`."""
    root = request.config.rootpath / "scenarios"
    out = {}
    geography = {}
    for case, (path, overrides) in CASES.items():
        sc = load_scenario(root / path)
        if path not in geography:
            county = build_county(sc)
            geography[path] = (county, make_plan(county, sc))
        county, plan = geography[path]
        out[case] = []
        for seed in SEEDS:
            m = MergerModel(
                sc,
                county=county,
                plan=plan,
                rng=seed,
                **{"villagers.scale": SCALE, **TIMELINE, **overrides},
            ).run()
            check_placement(m.cadres.pool)  # every person: exactly one post or channel
            summary = m.summary()
            assert sum(summary["cadres"]["channels"].values()) == m.cadres.pool.n
            m.petitions.loop.check()
            out[case].append((summary, m.tracker.history))
    return out


def mean(runs, case: str, window: str, key: str) -> float:
    return float(np.mean([s[window][key] for s, _ in runs[case]]))


def paired(runs, a: str, b: str, window: str, key: str) -> np.ndarray:
    """Per-seed differences ``a − b`` of a window metric."""
    return np.array(
        [
            sa[window][key] - sb[window][key]
            for (sa, _), (sb, _) in zip(runs[a], runs[b], strict=True)
        ]
    )


def test_none_plan_redeploys_nobody_and_raises_no_reform_petitions(runs):
    for summary, history in runs["none"]:
        c = summary["cadres"]
        assert all(v == 0 for k, v in c["channels"].items() if k not in ("kept", "not_selected"))
        assert all(p["before"] == p["after"] for p in c["posts"].values())
        # No merger: none of its conflict channels reaches anyone, and no cadre is displaced.
        for key in STANDING:
            assert max(h[key] for h in history) == 0.0, key
        assert summary["grievance"]["cadres_displaced"] == 0
        # Grievance comes only from the villagers' own service experience (which drifts a
        # little with the services' queues), far below the reform's.
        assert max(h["aggrieved_share"] for h in history) < 1e-3
    assert mean(runs, "none", "post", "aggrieved_share") < 0.2 * mean(
        runs, "seed", "post", "aggrieved_share"
    )
    # Mean grievance is not compared here: at scale 0.05 a village point's weekly capacity is a
    # fraction of an affair, so the services turn villagers away at random and the access
    # accounts read that noise as loss in both cases (docs/services.md: access grievance needs
    # scale 0.25 or more). The next test compares it at 0.25.


@pytest.mark.parametrize("seed", [1])
def test_none_plan_grievance_below_the_reform_at_a_valid_scale(request, seed):
    """At scale 0.25 (where access grievance is valid) the ``none`` plan's mean post-reform
    grievance, from service experience alone, is below the reform's. A direction, not a size:
    measured (seed 1) 0.0125 vs 0.0207 in the second year, 0.0063 vs 0.0296 in the third."""
    root = request.config.rootpath / "scenarios"
    post = {}
    for case in ("seed", "none"):
        path, _ = CASES[case]
        m = MergerModel(
            load_scenario(root / path), rng=seed, **{"villagers.scale": 0.25, **TIMELINE}
        ).run()
        post[case] = m.summary()["post"]["grievance_mean"]
    assert post["none"] < post["seed"], post


def test_reform_raises_petitions_over_no_merger(runs):
    d = paired(runs, "seed", "none", "post", "petitions_first_per10k")
    assert (d > 0).all(), d


def test_broken_guarantees_raise_petitions(runs):
    for window in ("transition", "post"):
        d = paired(runs, "broken", "seed", window, "petitions_per10k")
        assert (d > 0).all(), (window, d)
    assert mean(runs, "broken", "post", "grievance_mean") > mean(
        runs, "seed", "post", "grievance_mean"
    )
    assert mean(runs, "broken", "post", "stability_index") < mean(
        runs, "seed", "post", "stability_index"
    )


def test_no_duty_no_agency_lengthens_admin_travel_and_raises_petitions(runs):
    for window in ("transition", "post"):
        d = paired(runs, "no_duty_agency", "seed", window, "travel_min_mean_admin")
        assert (d > 0).all(), (window, d)
    assert mean(runs, "no_duty_agency", "post", "petitions_per10k") > mean(
        runs, "seed", "post", "petitions_per10k"
    )
    # No transition duty and no agency: fewer affairs handled without leaving the village.
    assert mean(runs, "no_duty_agency", "post", "admin_in_village_share") < mean(
        runs, "seed", "post", "admin_in_village_share"
    )


def test_more_communication_lowers_petitions(runs):
    order = [mean(runs, c, "post", "petitions_per10k") for c in ("no_comm", "seed", "more_comm")]
    assert order[0] > order[1] > order[2], order
    g = [mean(runs, c, "post", "grievance_mean") for c in ("no_comm", "seed", "more_comm")]
    assert g[0] > g[1] > g[2], g


def test_petitions_conserved_in_every_run(runs):
    for case, rs in runs.items():
        for s, _ in rs:
            p = s["petitions"]
            assert p["filed"] == p["closed"] + p["open"] and p["filed"] > 0, case
            # The 34 hottest of 1,050 villages hold at least their proportional share of the
            # post-reform petitions, and no more than all of them.
            assert 34 / 1050 <= p["hot_villages_share"] <= 1.0, case
            assert 0.0 <= p["watch_hit_share"] <= 1.0, case
            assert len(p["hot_villages"]) <= 34 and len(p["hot_townships"]) <= 5
