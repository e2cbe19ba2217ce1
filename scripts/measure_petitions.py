"""Paired effects of the stability measures on petitions, services and cost, with 95 % CIs.

Usage::

    .venv/bin/python scripts/measure_petitions.py [--scenario scenarios/seed_county.toml]
        [--seeds 5] [--scale 0.25] [--workers 2] [--out results/measures.md]
        [--cache results/measures.jsonl]

Each measure is switched off (or its guarantee broken) in a variant of the scenario; the
variant and the scenario run on the same seeds (common random numbers: every mechanism draws
from its own named stream), and the table gives, per outcome, the mean paired difference
``variant − scenario`` over the seeds with a 95 % t-interval (n − 1 degrees of freedom).
Outcomes are the post-reform window's (``summary.json``'s ``post``) and the run's cadre costs.
A difference whose interval excludes 0 is marked ``*``. With ``--cache`` each finished run is
appended to a JSON-lines file as it completes and reused when the script is run again with the
same scenario, scale, seed and overrides, so an interrupted measurement resumes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from scipy import stats

from mergesim.config import load_scenario
from mergesim.model import MergerModel

#: Measure → the overrides that remove it (or break its guarantee), and its causal path.
MEASURES: dict[str, tuple[dict[str, object], str]] = {
    "training": (
        {"cadres.training_person_times": 0},
        "competence → points' capacity and completion odds; petition speed and resolution",
    ),
    "screening": (
        {"cadres.screen": False},
        "disqualified cadres in post → working competence × misconduct_factor",
    ),
    "one_shoulder": (
        {"cadres.one_shoulder": False},
        "a separate director → narrower span (completion odds), higher pay",
    ),
    "enforcement_teams": (
        {"petitions.enforcement_towns": 0},
        "servers at verification and handling in 10 townships → waits, caseload, resolution",
    ),
    "task_forces": (
        {"petitions.taskforce": False},
        "servers where the caseload or an incident calls them → waits, caseload, resolution",
    ),
    "deadline_priority": (
        {"petitions.priority": "fcfs"},
        "queue order by statutory deadline → overdue shares, days to close",
    ),
    "transition_pay": (
        {"guarantees.transition_pay_kept": False},
        "kept pay stops at the reform → transition cost; displaced cadres' grievance",
    ),
    "cadres_placed": (
        {"guarantees.cadres_placed": False},
        "unplaced cadres → fewer petition servers and service staff; cost; grievance",
    ),
}

#: Outcome → (label, path in the summary).
OUTCOMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "petitions_per10k": ("petitions /10k/yr", ("post", "petitions_per10k")),
    "resolved_share": ("resolved share", ("post", "resolved_share")),
    "days_to_close_mean": ("days to close", ("post", "days_to_close_mean")),
    "closed_within_90_share": ("closed ≤ 90 d", ("post", "closed_within_90_share")),
    "conclude_overdue_share": ("concluded late", ("post", "conclude_overdue_share")),
    "beyond_county_per10k": ("beyond county /10k/yr", ("post", "beyond_county_per10k")),
    "incidents_per10k": ("incidents /10k/yr", ("post", "incidents_per10k")),
    "aggrieved_share": ("aggrieved share", ("post", "aggrieved_share")),
    "stability_index": ("stability index", ("post", "stability_index")),
    "admin_trips_mean": ("trips per admin affair", ("post", "admin_trips_mean")),
    "turned_away_per_1000": ("turned away /1000/wk", ("post", "turned_away_per_1000")),
    "cadre_competence_mean": ("cadre competence", ("post", "cadre_competence_mean")),
    "cost_after": ("cost after (yuan/wk)", ("cadres", "cost_after", "total")),
    "transition_cost": ("transition cost (yuan)", ("cadres", "transition_cost_total")),
}


def _get(summary: dict, path: tuple[str, ...]) -> float:
    v: object = summary
    for k in path:
        v = v.get(k) if isinstance(v, dict) else None
    return float(v) if isinstance(v, int | float) else math.nan


def run_one(args: tuple[str, float, int, dict[str, object]]) -> dict[str, float]:
    """One run: the outcomes of ``scenario`` at ``scale`` and ``seed`` with ``overrides``."""
    scenario, scale, seed, overrides = args
    sets = [f"villagers.scale={scale}", *(f"{k}={_toml(v)}" for k, v in overrides.items())]
    summary = MergerModel(load_scenario(scenario, sets), rng=seed).run().summary()
    out = {k: _get(summary, path) for k, (_, path) in OUTCOMES.items()}
    out["saturated"] = float(bool(summary["petitions"]["saturation"]["saturated"]))
    return out


def _toml(v: object) -> str:
    return str(v).lower() if isinstance(v, bool) else (f'"{v}"' if isinstance(v, str) else str(v))


def paired(base: list[dict], variant: list[dict], key: str) -> tuple[float, float]:
    """Mean paired difference ``variant − base`` and its 95 % t half-width (NaN-safe)."""
    d = np.array([v[key] - b[key] for b, v in zip(base, variant, strict=True)], dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return (float(d.mean()) if len(d) else math.nan), math.nan
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    return float(d.mean()), float(half)


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    a = abs(x)
    if a >= 1e5:
        return f"{x:.3g}"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.4f}"


def table(base: list[dict], results: dict[str, list[dict]]) -> list[str]:
    """Markdown: the scenario's means, then one row per measure with its paired effects."""
    keys = list(OUTCOMES)
    head = "| measure (removed) | " + " | ".join(OUTCOMES[k][0] for k in keys) + " |"
    lines = [head, "|" + "---|" * (len(keys) + 1)]
    means = [float(np.nanmean([b[k] for b in base])) for k in keys]
    lines.append("| *scenario mean* | " + " | ".join(_fmt(m) for m in means) + " |")
    for name, variant in results.items():
        cells = []
        for k in keys:
            m, h = paired(base, variant, k)
            star = "*" if math.isfinite(h) and abs(m) > h else ""
            cells.append(f"{_fmt(m)} ± {_fmt(h)}{star}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _job_key(job: tuple[str, float, int, dict[str, object]]) -> str:
    scenario, scale, seed, overrides = job
    return json.dumps([scenario, scale, seed, sorted(overrides.items())], default=str)


def _run_all(
    jobs: list[tuple[str, float, int, dict[str, object]]], workers: int, cache: Path | None
) -> list[dict[str, float]]:
    """The outcomes of every job, in order; runs found in ``cache`` are not run again."""
    done: dict[str, dict[str, float]] = {}
    if cache is not None and cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                done[row["key"]] = row["out"]
    todo = [j for j in jobs if _job_key(j) not in done]
    if todo:
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(max_workers=workers) as ex:
            futures = {ex.submit(run_one, j): _job_key(j) for j in todo}
            for fut in as_completed(futures):
                key, res = futures[fut], fut.result()
                done[key] = res
                if cache is not None:
                    with cache.open("a", encoding="utf-8") as f:
                        f.write(json.dumps({"key": key, "out": res}) + "\n")
    return [done[_job_key(j)] for j in jobs]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="scenarios/seed_county.toml")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--measures", nargs="*", default=list(MEASURES), choices=list(MEASURES))
    ap.add_argument("--out", default=None, help="also write the table (markdown) here")
    ap.add_argument("--cache", default=None, help="JSON-lines file of finished runs (resumable)")
    a = ap.parse_args(argv)
    seeds = list(range(1, a.seeds + 1))
    jobs = [(a.scenario, a.scale, s, {}) for s in seeds]
    for name in a.measures:
        jobs += [(a.scenario, a.scale, s, MEASURES[name][0]) for s in seeds]
    t0 = time.perf_counter()
    out = _run_all(jobs, a.workers, Path(a.cache) if a.cache else None)
    n = len(seeds)
    base = out[:n]
    results = {name: out[n * (i + 1) : n * (i + 2)] for i, name in enumerate(a.measures)}
    lines = [
        f"Paired effects (variant − scenario) of removing each measure: {a.scenario}, "
        f"scale {a.scale}, seeds {seeds}; mean ± 95 % CI half-width, * = CI excludes 0; "
        f"{len(jobs)} runs in {time.perf_counter() - t0:.0f} s.",
        "",
        *table(base, results),
        "",
        "Causal paths:",
        *(f"- {name}: {MEASURES[name][1]}" for name in a.measures),
        "",
        f"Saturated runs (scenario): {int(sum(b['saturated'] for b in base))}/{n}",
    ]
    text = "\n".join(lines)
    print(text)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
