"""High-level API behind the command line: one function per command, files included.

The CLI only parses arguments and calls these; notebooks and scripts can call them directly.
Every result file is written atomically and only after all computation succeeded, so a user
mistake never leaves a half-written result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mergesim.app.server import DEFAULT_HOST, DEFAULT_PORT, serve
from mergesim.county.county import County
from mergesim.plans.checks import Check
from mergesim.plans.plan import Plan

#: Summary keys printed by ``mergesim plan``, in order.
PLAN_TABLE_KEYS = (
    "townships_before", "townships_after", "townships_abolished", "villages_before",
    "villages_after", "merged_villages", "villages_merged_away", "border_townships_kept",
    "border_villages_kept", "heritage_kept", "village_pop_ratio", "village_area_ratio",
    "township_pop_ratio", "township_area_ratio", "villages_per_new_near_seat",
    "villages_per_new_far", "villages_per_new_plain", "villages_per_new_mountain", "seed",
)


@dataclass
class PlanResult:
    """What :func:`plan_scenario` produced."""

    county: County
    plan: Plan
    summary: dict
    checks: list[Check]
    out: Path | None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def all_checks_ok(self) -> bool:
        """Whether every plan check passed."""
        return all(c.ok for c in self.checks)

    def report(self) -> str:
        """The summary and checks as a plain-text table."""
        s = self.summary
        width = max(len(k) for k in PLAN_TABLE_KEYS)
        lines = [f"plan '{s['method']}' for county '{self.county.name}' "
                 f"({self.seconds:.2f} s)", ""]
        lines += [f"  {k:<{width}}  {s[k]}" for k in PLAN_TABLE_KEYS if k in s]
        lines += ["", "checks:"]
        lines += [f"  [{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}" for c in self.checks]
        if s.get("notes"):
            lines += ["", "notes:"] + [f"  - {n}" for n in s["notes"]]
        if self.out is not None:
            lines += ["", f"wrote {len(self.files)} files to {self.out}"]
        return "\n".join(lines)


def plan_scenario(
    scenario_path: str | Path,
    *,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    maps: bool = True,
    write: bool = True,
) -> PlanResult:
    """Build a scenario's county and plan, check it, and write the plan files.

    Writes to ``out`` (default ``results/<scenario name>``): ``plan_summary.json``,
    ``plan.csv``, ``scenario.toml`` (resolved) and, with ``maps``, ``map_before.png`` and
    ``map_after.png``.

    Args:
        scenario_path: Scenario TOML file.
        overrides: ``key=value`` strings, as given to ``--set``.
        out: Output folder.
        maps: Draw the maps.
        write: Write files (False: compute only).

    Raises:
        mergesim.errors.UserError: Bad scenario or data (one line).
    """
    from mergesim.config import dump_scenario, load_scenario
    from mergesim.county import build_county
    from mergesim.io import atomic_write_json
    from mergesim.plans import make_plan, plan_checks, summarize
    from mergesim.plans.from_file import write_plan_csv
    from mergesim.rng import Streams

    t0 = time.perf_counter()
    scenario = load_scenario(scenario_path, overrides)
    streams = Streams(scenario.seed)
    county = build_county(scenario, streams)
    plan = make_plan(county, scenario, streams)
    summary = summarize(county, plan)
    summary["scenario"] = scenario.name
    checks = plan_checks(county, plan, scenario)
    summary["checks"] = {c.name: {"ok": c.ok, "detail": c.detail} for c in checks}
    ensemble_rows: list[dict] = []
    if scenario.plan.method == "ensemble":
        ensemble_rows, spread, failed = _ensemble(county, scenario, streams)
        summary["ensemble"] = spread
        if failed:
            checks.append(Check("ensemble checks", False,
                                f"members failing a check: {', '.join(map(str, failed))}"))
        else:
            checks.append(Check("ensemble checks", True,
                                f"all {len(ensemble_rows)} members pass every check"))
    figs = {}
    if maps and write:
        from mergesim.plotting.maps import plot_county_map

        figs["map_before.png"] = plot_county_map(county, None,
                                                 title=f"{county.name}: before the merger")
        figs["map_after.png"] = plot_county_map(
            county, plan, title=f"{county.name}: after the '{plan.method}' plan")
    seconds = time.perf_counter() - t0
    result = PlanResult(county, plan, summary, checks, None, seconds=seconds)
    if not write:
        return result
    from mergesim.plotting.maps import save_figure

    out_dir = Path(out) if out is not None else Path("results") / scenario.name
    files = [out_dir / "plan_summary.json", out_dir / "plan.csv", out_dir / "scenario.toml"]
    atomic_write_json(files[0], summary)
    write_plan_csv(county, plan, files[1])
    dump_scenario(scenario, files[2])
    if ensemble_rows:
        from mergesim.io import atomic_write_text

        cols = list(ensemble_rows[0])
        text = ",".join(cols) + "\n" + "".join(
            ",".join(str(r[c]) for c in cols) + "\n" for r in ensemble_rows)
        files.append(out_dir / "ensemble_summary.csv")
        atomic_write_text(files[-1], text)
    for name, fig in figs.items():
        files.append(save_figure(fig, out_dir / name))
    result.out, result.files = out_dir, files
    return result


def _ensemble(county: County, scenario, streams) -> tuple[list[dict], dict, list[int]]:
    """Summaries of every ensemble member, their spread (min/mean/max) and failing members."""
    import numpy as np

    from mergesim.plans import plan_checks, summarize
    from mergesim.plans.ensemble import ensemble_plans

    rows, failed = [], []
    for k, plan in enumerate(ensemble_plans(county, scenario.plan, streams)):
        sm = summarize(county, plan)
        rows.append({"member": k, **{key: sm[key] for key in PLAN_TABLE_KEYS}})
        if not all(c.ok for c in plan_checks(county, plan, scenario)):
            failed.append(k)
    spread = {}
    for key in PLAN_TABLE_KEYS:
        if key == "seed":
            continue
        v = np.array([r[key] for r in rows], dtype=float)
        spread[key] = {"min": float(v.min()), "mean": round(float(v.mean()), 4),
                       "max": float(v.max())}
    return rows, spread, failed


#: Summary keys printed by ``mergesim run`` (pre → post), when present.
RUN_TABLE_KEYS = (
    "travel_min_mean_admin", "travel_min_p90_admin", "travel_min_mean", "travel_min_p90",
    "coverage_admin_30", "coverage_admin_60", "coverage_clinic_30", "admin_in_village_share",
    "one_trip_share", "trips_mean", "travel_gini", "travel_worst_decile_min",
    "admin_travel_min_mean_absorbed_villages", "admin_travel_min_mean_periphery_villages",
    "petitions_per10k", "petitions_collective_per10k", "days_to_close_mean",
    "closed_within_60_share", "grievance_mean", "aggrieved_share", "stability_index",
)
#: Cadre lines of the run report: (label, path in summary["cadres"]).
CADRE_TABLE_KEYS = (
    ("township leaders' mean age change (years)", ("township_leader_age", "change")),
    ("secretaries with high school or more", ("secretary_high_school_share",)),
    ("veterans + graduates among secretaries", ("secretary_veteran_graduate_share",)),
    ("administrative cost change (%)", ("cost_change_pct", "total")),
)


def run_scenario_cli(
    scenario_path: str | Path,
    *,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    scale: float | None = None,
    seed: int | None = None,
) -> str:
    """Load, validate, run and write one simulation; return a short text report.

    The scenario is fully validated before anything is written; results go to ``out``
    (default ``results/<scenario name>``).
    """
    import sys

    from mergesim.config import load_scenario
    from mergesim.errors import ScenarioError
    from mergesim.run import run_scenario

    scenario = load_scenario(scenario_path, overrides)
    if scale is not None and not 0 < scale <= 1:
        raise ScenarioError(f"value {scale} is out of range; allowed: 0 < scale <= 1",
                            source="command line", key="--scale")
    if seed is not None and seed < 0:
        raise ScenarioError(f"value {seed} is out of range; allowed: >= 0",
                            source="command line", key="--seed")
    out_dir = Path(out) if out is not None else Path("results") / scenario.name
    t0 = time.perf_counter()
    summary = run_scenario(scenario, out_dir, scale=scale, seed=seed,
                           progress=sys.stderr.isatty())
    lines = [f"run '{scenario.name}' finished in {time.perf_counter() - t0:.1f} s", ""]
    lines += ["  metric (pre-reform -> post-reform window)", *_pre_post_table(summary)]
    lines += ["", *_cadre_lines(summary.get("cadres") or {})]
    lines += ["", f"results in {out_dir}"]
    return "\n".join(lines)


def _cadre_lines(cadres: dict) -> list[str]:
    """The cadre headline figures of a run summary, one line each."""
    rows = []
    for label, path in CADRE_TABLE_KEYS:
        v: Any = cadres
        for k in path:
            v = v.get(k) if isinstance(v, dict) else None
        if v is not None:
            rows.append((label, f"{v:.3f}" if isinstance(v, float) else str(v)))
    width = max((len(lab) for lab, _ in rows), default=0)
    return [f"  {lab:<{width}}  {v}" for lab, v in rows]


def _pre_post_table(summary: dict) -> list[str]:
    """Rows ``key  pre -> post`` for the headline metrics found in a run summary."""
    pre, post = summary.get("pre", {}), summary.get("post", {})
    if not isinstance(pre, dict) or not isinstance(post, dict):
        return []
    keys = [k for k in RUN_TABLE_KEYS if k in pre or k in post] or sorted(pre)[:12]
    width = max((len(k) for k in keys), default=0)

    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    return [f"  {k:<{width}}  {fmt(pre.get(k))} -> {fmt(post.get(k))}" for k in keys]


def app(
    scenario_path: str | Path | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    results: str | Path = "results",
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the browser app (``mergesim app``) until interrupted; see :mod:`mergesim.app`.

    Args:
        scenario_path: Scenario file (None: the seed county's defaults).
        host: Address to listen on (the default serves this machine only).
        port: Port (0: a free one).
        results: Folder the results browser opens first.
        ready: Called with the page's address once the port is open.

    Raises:
        mergesim.errors.UserError: The ``app`` extra is missing, a bad scenario file or a port
            that cannot be opened (one line each).
    """
    serve(scenario_path, host=host, port=port, results=results, ready=ready)
