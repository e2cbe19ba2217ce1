"""Measure the service measures on paired seeds: the figures the services model is judged by.

Usage::

    .venv/bin/python scripts/measure_services.py [--seeds 1 2 3 4 5] [--scale 0.25]
                                                 [--jobs 2] [--out results/services.json]
                                                 [--cache DIR] [--cases seed no_rooms ...]

Runs the seed county (``scenarios/seed_county.toml``) and, on the same seeds (same county, plan
and needs: common random numbers), each service measure switched off — convenience rooms,
transition duty teams, village agency service, convenience stations at the abolished seats, the
devolved county stations — plus the companion-free merger (``seed_county_merger_only.toml``), and
``seed_county_close_points.toml`` with and without staff rebalancing. It prints:

* the pre-reform administrative one-trip share (mean and range over seeds) against the band
  documented in ``docs/services.md``;
* for each switch, the paired effect of switching it off (off − on) on the administrative
  one-trip share, days from need to done and travel per affair, in the window where the measure
  acts (the transition window for the duty teams, the post-reform window for the others): mean,
  sd of the paired differences, 95 % t interval, and whether |mean| exceeds 2 sd;
* agency affairs' mean days to done and the affairs telecom outlets handled;
* the longest run of weeks any point stayed above 1.2 × its capacity in the closure scenario,
  with and without rebalancing;
* whether ``summary.json``'s windows carry the outcome groups (border villages, former seats).

Each run is a full timeline (26 warm-up weeks, 156 after the reform); at scale 0.25 a run takes
about 16 s of CPU. With ``--cache DIR`` each run's figures are kept in ``DIR``: runs are done
seed by seed, and an interrupted measurement, re-run with the seeds it finished, reads them back.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from mergesim.config import load_scenario
from mergesim.mechanisms.services import Done, PointKind
from mergesim.model.model import MergerModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
#: Pre-reform administrative one-trip share band (see docs/services.md for the sources).
BAND = (0.60, 0.85)
CASES: dict[str, tuple[str, dict]] = {
    "seed": ("seed_county.toml", {}),
    "no_rooms": ("seed_county.toml", {"services.village_rooms": False}),
    "no_duty": ("seed_county.toml", {"services.transition_duty": False}),
    "no_agency": ("seed_county.toml", {"services.agency_service": False}),
    "no_stations": ("seed_county.toml", {"services.seat_stations": False}),
    "no_devolved": ("seed_county.toml", {"services.devolved_stations": False}),
    "merger_only": ("seed_county_merger_only.toml", {}),
    "close": ("seed_county_close_points.toml", {}),
    "close_no_rebalance": ("seed_county_close_points.toml", {"services.rebalance_staff": False}),
}
#: (switch, case with it off, window where it acts)
SWITCHES = (
    ("village_rooms", "no_rooms", "post"),
    ("transition_duty", "no_duty", "transition"),
    ("agency_service", "no_agency", "post"),
    ("seat_stations", "no_stations", "post"),
    ("devolved_stations", "no_devolved", "post"),
    ("companion measures (merger only)", "merger_only", "post"),
)
OUTCOMES = ("admin_one_trip_share", "admin_days_mean", "travel_min_mean_admin")
GROUPS_REQUIRED = ("border_villages", "former_seats", "far_tercile", "absorbed_villages")
#: Two-sided 95 % Student t quantiles by degrees of freedom (n − 1).
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def run_case(case: str, seed: int, scale: float, cache: Path | None = None) -> dict:
    """One run: the figures this script reports (read from / written to ``cache`` if given)."""
    if cache is not None:
        f = cache / f"{case}_s{seed}_x{scale:g}.json"
        if f.exists():
            return json.loads(f.read_text(encoding="utf-8"))
        out = run_case(case, seed, scale)
        f.write_text(json.dumps(out), encoding="utf-8")
        return out
    path, overrides = CASES[case]
    sc = load_scenario(SCENARIOS / path)
    m = MergerModel(sc, rng=seed, **{"villagers.scale": scale, **overrides}).run()
    s = m.summary()
    post = Done.concat(m.tracker.parts["post"])
    return {
        "case": case,
        "seed": seed,
        "windows": {
            w: {k: s[w][k] for k in (*OUTCOMES, "agency_days_mean")}
            for w in ("pre", "transition", "post")
        },
        "telecom_handled_post": int(np.count_nonzero(post.handler == PointKind.TELECOM)),
        "overload_max_weeks": s["services"]["overload"]["max_weeks"],
        "overload_kind": s["services"]["overload"]["kind"],
        "not_lowered": s["guarantees"]["services_not_lowered"],
        "groups_present": all(
            f"admin_one_trip_share_{g}" in s["post"] and f"admin_days_mean_{g}" in s["post"]
            for g in GROUPS_REQUIRED
        ),
    }


def paired(runs: dict, on: str, off: str, window: str, key: str) -> dict:
    """Paired effect of switching off (off − on) over the seeds."""
    d = np.array(
        [
            b["windows"][window][key] - a["windows"][window][key]
            for a, b in zip(runs[on], runs[off], strict=True)
        ],
        dtype=float,
    )
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    half = T95.get(n - 1, 1.96) * sd / math.sqrt(n) if n > 1 else math.nan
    return {
        "mean": mean,
        "sd": sd,
        "ci95": [mean - half, mean + half],
        "beyond_2sd": bool(abs(mean) > 2 * sd) if n > 1 else False,
        "diffs": d.tolist(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--out", type=Path, default=None, help="also write the figures as JSON")
    ap.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="directory keeping each run's figures: an interrupted measurement resumes",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
    # seed-major: an interrupted measurement has every case on its first seeds
    tasks = [(c, s, args.scale, args.cache) for s in args.seeds for c in args.cases]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            results = list(ex.map(run_case, *zip(*tasks, strict=True)))
    else:
        results = [run_case(*t) for t in tasks]
    runs: dict[str, list[dict]] = {c: [] for c in args.cases}
    for r in sorted(results, key=lambda r: r["seed"]):
        runs[r["case"]].append(r)
    out: dict = {"seeds": args.seeds, "scale": args.scale, "band": list(BAND)}
    print(f"{len(tasks)} runs, {time.perf_counter() - t0:.0f} s, scale {args.scale:g}")
    if "seed" in runs:
        pre = [r["windows"]["pre"]["admin_one_trip_share"] for r in runs["seed"]]
        inside = all(BAND[0] <= x <= BAND[1] for x in pre)
        out["pre_admin_one_trip_share"] = {"values": pre, "inside_band": inside}
        print(
            f"pre-reform admin one-trip share: mean {np.mean(pre):.3f} "
            f"(range {min(pre):.3f}–{max(pre):.3f}); band {BAND}: {'inside' if inside else 'OUT'}"
        )
        agency = [r["windows"]["post"]["agency_days_mean"] for r in runs["seed"]]
        tele = [r["telecom_handled_post"] for r in runs["seed"]]
        out["agency_days_mean_post"] = agency
        out["telecom_handled_post"] = tele
        out["groups_present"] = all(r["groups_present"] for r in runs["seed"])
        out["not_lowered"] = runs["seed"][0]["not_lowered"]
        print(f"agency affairs, mean days to done (post): {np.round(agency, 2).tolist()}")
        print(f"telecom affairs handled (post window, run scale): {tele}")
        print(f"summary has the outcome groups {GROUPS_REQUIRED}: {out['groups_present']}")
        print(f"services not lowered (seed, end of run): {out['not_lowered']}")
        effects = {}
        print("\nswitch off − on (paired over seeds): mean [95 % CI] (sd) ; * = |mean| > 2 sd")
        for switch, off, window in SWITCHES:
            if off not in runs:
                continue
            effects[switch] = {"window": window}
            print(f"  {switch}  ({window} window)")
            for key in OUTCOMES:
                e = paired(runs, "seed", off, window, key)
                effects[switch][key] = e
                flag = "*" if e["beyond_2sd"] else " "
                print(
                    f"    {key:24s} {e['mean']:+9.4f} [{e['ci95'][0]:+.4f}, {e['ci95'][1]:+.4f}]"
                    f" ({e['sd']:.4f}) {flag}"
                )
        out["effects"] = effects
    for case in ("close", "close_no_rebalance"):
        if case in runs:
            weeks = [r["overload_max_weeks"] for r in runs[case]]
            kinds = [r["overload_kind"] for r in runs[case]]
            out[f"{case}_overload_max_weeks"] = weeks
            print(f"{case}: longest overload (weeks > 1.2 × capacity) per seed {weeks} {kinds}")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
