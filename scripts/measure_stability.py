"""Paired effects of the grievance-side stability measures, with 95 % confidence intervals.

Each measure's effect is the seed county *with* the measure minus the seed county *without* it,
on the same seeds (common random numbers: the paired difference removes the shared noise), for
the post-reform window's petitions per 10,000 a year, share of villagers above their petition
threshold, and mean grievance. The 95 % interval is ``mean ± t(0.975, n−1) × sd / √n`` of the
paired differences.

Measures (the seed county has them all; "without" switches one off):

* ``communication`` — talks, courtyard meetings, broadcasts (``communication.enabled``);
* ``risk_watch`` — the risk watch's targeting against meetings and talks at random
  (``communication.targeting = random``);
* ``risk_watch_ex_ante`` — ranking by ex-ante risk and the rise, against the rise alone
  (``targeting = rise``);
* ``collective_kept``, ``land_rights_kept``, ``policies_kept``, ``poverty_support_kept``,
  ``infrastructure_kept``, ``transition_pay_kept`` — each guarantee held against broken.

``--check-mechanics`` instead compares ``seed_county_no_guarantees`` with every perceived-loss
parameter (``guarantees.*_loss``) at 0 against the seed county (does breaking the guarantees
raise post-window petitions by more than 3 standard deviations of the paired differences
through the mechanics alone?), splits that rise into the grievance side's guarantees and the
others, and compares the mean grievance of villages merged from 3 or more old villages with
those merged from 2.

Usage::

    .venv/bin/python scripts/measure_stability.py [--scale 0.25] [--seeds 5] [--jobs 2]
        [--measures communication,risk_watch,...] [--check-mechanics] [--out FILE.csv]
        [--cache RUNS.jsonl]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from scipy import stats

from mergesim.config import load_scenario
from mergesim.mechanisms.grievance import GUARANTEES
from mergesim.model import MergerModel

ROOT = Path(__file__).resolve().parents[1]
SEED_FILE = ROOT / "scenarios" / "seed_county.toml"
NO_GUARANTEES = ROOT / "scenarios" / "seed_county_no_guarantees.toml"
OUTCOMES = ("petitions_per10k", "aggrieved_share", "grievance_mean")
EXTRA = ("grievance_mean_merged2", "grievance_mean_merged3plus")
#: Measure → the overrides that switch it off.
MEASURES: dict[str, tuple[str, ...]] = {
    "communication": ("communication.enabled=false",),
    "risk_watch": ("communication.targeting=random",),
    "risk_watch_ex_ante": ("communication.targeting=rise",),
    **{
        g: (f"guarantees.{g}=false",)
        for g in (
            "collective_kept",
            "land_rights_kept",
            "policies_kept",
            "poverty_support_kept",
            "infrastructure_kept",
            "transition_pay_kept",
        )
    },
}
#: Guarantees whose mechanics live in the grievance mechanism (the rest: services, cadres).
GRIEVANCE_SIDE = (
    "collective_kept",
    "land_rights_kept",
    "policies_kept",
    "poverty_support_kept",
    "infrastructure_kept",
    "transition_pay_kept",
)
NO_PERCEIVED = tuple(f"guarantees.{loss}=0" for _, loss, _ in GUARANTEES)


def run_one(path: str, overrides: tuple[str, ...], scale: float, seed: int) -> dict[str, float]:
    """Post-window outcomes of one run."""
    sc = load_scenario(path, [*overrides, f"villagers.scale={scale}"])
    s = MergerModel(sc, rng=seed).run().summary()
    return {k: s["post"][k] for k in (*OUTCOMES, *EXTRA)}


def _key(path: str, overrides: tuple[str, ...], scale: float, seed: int) -> str:
    return json.dumps([Path(path).name, sorted(overrides), scale, seed])


def _read_cache(cache: Path | None) -> dict[str, dict[str, float]]:
    if cache is None or not cache.exists():
        return {}
    done = {}
    for line in cache.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            done[row["key"]] = row["outcomes"]
    return done


def run_cases(
    cases: dict[str, tuple[str, tuple[str, ...]]],
    scale: float,
    seeds: list[int],
    jobs: int,
    cache: Path | None = None,
) -> dict[str, list[dict[str, float]]]:
    """``{case: [outcomes per seed]}`` for ``{case: (scenario file, overrides)}``.

    With ``cache``, each run's outcomes are appended to that JSON-lines file as it finishes
    and runs already there are not repeated (an interrupted measurement resumes).
    """
    todo = [(c, p, o, s) for c, (p, o) in cases.items() for s in seeds]
    done = _read_cache(cache)
    keys = [_key(p, o, scale, s) for _, p, o, s in todo]
    with ProcessPoolExecutor(max_workers=jobs) as ex:
        futs = {
            ex.submit(run_one, p, o, scale, s): k
            for (_, p, o, s), k in zip(todo, keys, strict=True)
            if k not in done
        }
        for f in as_completed(futs):
            done[futs[f]] = f.result()
            if cache is not None:
                with cache.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"key": futs[f], "outcomes": done[futs[f]]}) + "\n")
    out: dict[str, list[dict[str, float]]] = {c: [] for c in cases}
    for (c, *_), k in zip(todo, keys, strict=True):
        out[c].append(done[k])
    return out


def paired(a: list[dict], b: list[dict], key: str) -> tuple[float, float, float, float]:
    """Mean, sd and 95 % CI of the per-seed differences ``a − b``."""
    d = np.array([x[key] - y[key] for x, y in zip(a, b, strict=True)], dtype=float)
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else float("nan")
    half = float(stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
    return mean, sd, mean - half, mean + half


def measures_table(res: dict, names: list[str]) -> list[dict]:
    rows = []
    for name in names:
        row = {"measure": name}
        for key in OUTCOMES:
            mean, _, lo, hi = paired(res["seed"], res[name], key)
            row[key] = mean
            row[f"{key}_lo"] = lo
            row[f"{key}_hi"] = hi
        rows.append(row)
    return rows


def print_measures(rows: list[dict]) -> None:
    fmt = {"petitions_per10k": "{:+.1f}", "aggrieved_share": "{:+.5f}", "grievance_mean": "{:+.4f}"}
    print(
        "| measure (with − without) | petitions /10k/yr [95 % CI] | aggrieved share | grievance |"
    )
    print("|---|---|---|---|")
    for r in rows:
        cells = []
        for k in OUTCOMES:
            f = fmt[k]
            cells.append(f"{f.format(r[k])} [{f.format(r[k + '_lo'])}, {f.format(r[k + '_hi'])}]")
        print(f"| {r['measure']} | " + " | ".join(cells) + " |")


def check_mechanics(scale: float, seeds: list[int], jobs: int, cache: Path | None) -> int:
    # The grievance side's guarantees kept (transition_pay_kept also keeps the cadre pool's
    # pay until the election).
    mine = tuple(f"guarantees.{g}=true" for g in GRIEVANCE_SIDE)
    cases = {
        "seed": (str(SEED_FILE), ()),
        "broken_mechanics": (str(NO_GUARANTEES), NO_PERCEIVED),
        "broken_mechanics_others_only": (str(NO_GUARANTEES), (*NO_PERCEIVED, *mine)),
    }
    res = run_cases(cases, scale, seeds, jobs, cache)
    ok = True
    for case in ("broken_mechanics", "broken_mechanics_others_only"):
        mean, sd, lo, hi = paired(res[case], res["seed"], "petitions_per10k")
        z = mean / sd if sd > 0 else float("inf")
        print(
            f"{case} − seed, post petitions /10k/yr: mean {mean:+.1f} sd {sd:.1f} "
            f"(mean/sd {z:.1f}) 95 % CI [{lo:+.1f}, {hi:+.1f}]"
        )
        if case == "broken_mechanics":
            ok = mean > 3 * sd
    mean, _, lo, hi = paired(
        res["broken_mechanics"], res["broken_mechanics_others_only"], "petitions_per10k"
    )
    print(f"grievance-side guarantees' share of that rise: {mean:+.1f} [{lo:+.1f}, {hi:+.1f}]")
    for case in ("seed", "broken_mechanics"):
        mean, sd, lo, hi = paired(res[case], res[case], "grievance_mean_merged3plus")
        d = [x["grievance_mean_merged3plus"] - x["grievance_mean_merged2"] for x in res[case]]
        d = np.array(d)
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        print(
            f"{case}: mean grievance merged from 3+ minus from 2: {d.mean():+.4f} "
            f"[{d.mean() - half:+.4f}, {d.mean() + half:+.4f}] "
            f"(3+: {np.mean([x['grievance_mean_merged3plus'] for x in res[case]]):.4f}, "
            f"2: {np.mean([x['grievance_mean_merged2'] for x in res[case]]):.4f})"
        )
    print("mechanics alone raise petitions by more than 3 sd:", "yes" if ok else "NO")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--measures", default=",".join(MEASURES))
    ap.add_argument("--check-mechanics", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="write the table as CSV")
    ap.add_argument(
        "--cache", type=Path, default=None, help="JSON-lines file of finished runs (resumable)"
    )
    args = ap.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    t0 = time.time()
    if args.check_mechanics:
        rc = check_mechanics(args.scale, seeds, args.jobs, args.cache)
        print(f"({time.time() - t0:.0f} s)")
        return rc
    names = [m for m in args.measures.split(",") if m]
    unknown = [m for m in names if m not in MEASURES]
    if unknown:
        print(f"unknown measure {unknown[0]!r}; allowed: {', '.join(MEASURES)}", file=sys.stderr)
        return 2
    cases = {"seed": (str(SEED_FILE), ())}
    cases.update({m: (str(SEED_FILE), MEASURES[m]) for m in names})
    res = run_cases(cases, args.scale, seeds, args.jobs, args.cache)
    rows = measures_table(res, names)
    print(f"scale {args.scale:g}, seeds {seeds}, post-reform window; effect = with − without")
    print_measures(rows)
    if args.out is not None:
        with args.out.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    print(f"({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
