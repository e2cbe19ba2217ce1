"""Scenario discovery: under which assumption values the reform's effect passes a threshold.

An experiment with a ``[discovery]`` section (:class:`mergesim.sweep.discovery.DiscoveryParams`,
e.g. ``experiments/levers_discovery.toml``) runs two scenarios — the reform and its
counterfactual — at every point of a design over assumption values, with the same seed for
replicate ``k`` everywhere (common random numbers). Here, per design point:

1. the **paired effect** (:func:`paired_effects`): reform − counterfactual, run by run on the
   same point, replicate and seed, averaged over the replicates;
2. a point is a **case** when that effect is above the outcome's threshold;
3. **PRIM** (Friedman and Fisher 1999; the ``prim`` package of Project Platypus, the standalone
   copy of EMA Workbench's implementation) peels the design's box of assumption values towards
   the cases (:func:`find_boxes`). Of the boxes on its peeling and pasting trajectory, the one
   reported is the box of highest coverage whose density is at least ``min_density`` (ties:
   fewer restricted dimensions, then larger mass); with ``boxes`` > 1 PRIM looks for the next
   box among the points left outside (covering).

*Coverage*: the share of all cases inside the box; *density*: the share of the box's points
that are cases; *mass*: the share of all design points inside the box. A box side PRIM did not
peel (it lies at the sampled minimum or maximum) is reported at the factor's range end.

No case, or every point a case, is an answer, not an error: no box, and the report says so.
Everything here is a pure function of the runs table; PRIM is imported on first use (the
optional extra ``mergesim[discovery]``).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mergesim.plotting.intervals import fmt_sig
from mergesim.plotting.labels import factor_label, metric_label

#: Columns of ``tables/prim_boxes.csv``: one row per restricted dimension of a box.
#: ``n_cases`` and ``n_points`` count the cases and the design points of the whole analysis
#: (coverage × n_cases cases and mass × n_points points lie inside the box).
BOX_COLUMNS = [
    "outcome",
    "threshold",
    "box",
    "coverage",
    "density",
    "mass",
    "n_cases",
    "n_points",
    "param",
    "lo",
    "hi",
]
#: What became of an outcome's search.
NO_POINTS, NO_CASES, ALL_CASES, NO_BOX, BOXES, NO_PRIM = (
    "no points",
    "no cases",
    "all cases",
    "no box",
    "boxes",
    "no prim",
)


@dataclass
class Box:
    """One PRIM box: its statistics and its limits on the restricted dimensions."""

    coverage: float
    density: float
    mass: float
    limits: dict[str, tuple[float, float]]


@dataclass
class Discovery:
    """The result of scenario discovery for one outcome.

    Attributes:
        outcome: The summary metric.
        threshold: A point is a case when its effect is above this.
        status: :data:`BOXES`, :data:`NO_CASES`, :data:`ALL_CASES`, :data:`NO_BOX`,
            :data:`NO_POINTS` or :data:`NO_PRIM` (the extra is not installed).
        n_points: Design points with a finite paired effect.
        n_cases: Of them, the cases.
        boxes: The boxes found (empty unless status is :data:`BOXES`).
        best_density: Highest density on the first trajectory (for :data:`NO_BOX`).
    """

    outcome: str
    threshold: float
    status: str
    n_points: int
    n_cases: int
    boxes: list[Box] = field(default_factory=list)
    best_density: float = math.nan


def paired_effects(
    runs: pd.DataFrame, outcome: str, reform: str, counterfactual: str, params: Sequence[str]
) -> pd.DataFrame:
    """Per design point: the mean over replicates of (reform − counterfactual) on ``outcome``.

    Runs pair on the same point, replicate and (when the table has it) seed; only finished
    runs with a finite value enter, and a replicate missing in either scenario is left out.

    Args:
        runs: The tidy runs table (``scenario``, ``point``, ``replicate``, ``status``, the
            factor columns and the metric columns).
        outcome: The summary metric (a runs-table column).
        reform, counterfactual: Scenario labels.
        params: Factor keys to carry (the assumption values of each point).

    Returns:
        Columns ``point``, ``*params``, ``effect``, ``n_pairs``; one row per point with at
        least one pair (none when ``outcome`` is not a column).
    """
    cols = ["point", *params, "effect", "n_pairs"]
    if outcome not in runs.columns:
        return pd.DataFrame(columns=cols)
    ok = runs[runs["scenario"].astype(str).isin([reform, counterfactual])]
    if "status" in ok:
        ok = ok[ok["status"] == "ok"]
    ok = ok.assign(_v=pd.to_numeric(ok[outcome], errors="coerce"))
    ok = ok[np.isfinite(ok["_v"].to_numpy(dtype=float))]
    keys = ["point", "replicate"] + (["seed"] if "seed" in ok.columns else [])
    ok = ok.assign(**{k: ok[k].astype(str) for k in keys[1:]})
    wide = ok.pivot_table(index=keys, columns="scenario", values="_v", aggfunc="first")
    if reform not in wide or counterfactual not in wide:
        return pd.DataFrame(columns=cols)
    diff = (wide[reform] - wide[counterfactual]).dropna()
    per_point = diff.groupby(level="point").agg(["mean", "size"])
    values = ok.drop_duplicates("point").set_index("point")[list(params)]
    out = values.join(per_point, how="inner").rename(columns={"mean": "effect", "size": "n_pairs"})
    return out.reset_index()[cols].sort_values("point", ignore_index=True)


def load_prim() -> Any:
    """The ``prim`` package, or None when the optional extra is not installed."""
    # PRIM is the optional extra mergesim[discovery]: imported only when a report needs it.
    try:
        return importlib.import_module("prim")
    except ImportError:
        return None


def _pick(trajectory: pd.DataFrame, min_density: float) -> int | None:
    """The trajectory index of the reported box (see the module docstring), or None."""
    ok = trajectory[trajectory["density"] >= min_density - 1e-12]
    if ok.empty:
        return None
    order = ok.assign(_i=np.arange(len(ok))).sort_values(
        ["coverage", "res dim", "mass", "_i"], ascending=[False, True, False, True]
    )
    return int(order.index[0])


def find_boxes(
    x: pd.DataFrame,
    cases: np.ndarray,
    ranges: Mapping[str, tuple[float, float]],
    *,
    peel_alpha: float,
    paste_alpha: float,
    min_mass: float,
    min_density: float,
    boxes: int,
    prim_module: Any = None,
) -> tuple[list[Box], float]:
    """PRIM boxes of ``x`` (one column per assumption) around the ``cases``.

    Args:
        x: Assumption values, one row per design point.
        cases: Boolean, one per row: the point is a case. Needs both cases and non-cases.
        ranges: Each column's full range (a side PRIM did not peel is reported at its end).
        peel_alpha, paste_alpha, min_mass: PRIM's settings (``mass_min`` in ``prim``).
        min_density: The box rule's least density.
        boxes: Boxes at most.
        prim_module: The ``prim`` package (default: imported).

    Returns:
        The boxes in the order found, and the highest density on the first trajectory.
    """
    prim = prim_module or load_prim()
    data = x.astype(float).reset_index(drop=True)
    # Integer assumptions (weeks, counts) as integers: PRIM then peels them at values the
    # factor takes (``k >= 3``, not ``k >= 2.5``).
    whole = [c for c in data.columns if np.all(np.mod(data[c].to_numpy(), 1.0) == 0)]
    data = data.astype({c: np.int64 for c in whole})
    p = prim.Prim(
        data,
        np.asarray(cases, dtype=bool),
        peel_alpha=peel_alpha,
        paste_alpha=paste_alpha,
        mass_min=min_mass,
    )
    found: list[Box] = []
    best = math.nan
    lo_seen, hi_seen = data.min(), data.max()
    for _ in range(boxes):
        box = p.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory
        if not found:
            best = float(traj["density"].max())
        i = _pick(traj, min_density)
        if i is None:
            break
        box.select(i)
        limits = {}
        for name, row in box.limits.iterrows():
            lo, hi = float(row["min"]), float(row["max"])
            full = ranges.get(str(name), (lo_seen[name], hi_seen[name]))
            limits[str(name)] = (
                float(full[0]) if lo <= lo_seen[name] else lo,
                float(full[1]) if hi >= hi_seen[name] else hi,
            )
        found.append(Box(float(box.coverage), float(box.density), float(box.mass), limits))
        if box.yi.shape[0] >= data.shape[0]:
            break  # the whole design: nothing left outside to cover
    return found, best


def discover(
    runs: pd.DataFrame,
    settings: Mapping[str, Any],
    ranges: Mapping[str, tuple[float, float]],
    *,
    prim_module: Any = None,
) -> list[Discovery]:
    """Scenario discovery for every outcome of a ``[discovery]`` section.

    Args:
        runs: The tidy runs table.
        settings: The section (:class:`mergesim.sweep.discovery.DiscoveryParams` as a dict).
        ranges: The numeric factors (the assumptions) and their full ranges.
        prim_module: The ``prim`` package (default: imported; None installed: status
            :data:`NO_PRIM` wherever PRIM would run).

    Returns:
        One :class:`Discovery` per outcome, in the section's order.
    """
    params = [k for k in ranges if k in runs.columns]
    prim = prim_module or load_prim()
    out = []
    for outcome, threshold in zip(settings["outcomes"], settings["thresholds"], strict=True):
        eff = paired_effects(runs, outcome, settings["reform"], settings["counterfactual"], params)
        cases = eff["effect"].to_numpy(dtype=float) > float(threshold)
        n, k = len(eff), int(cases.sum())
        res = Discovery(outcome, float(threshold), BOXES, n, k)
        if n == 0:
            res.status = NO_POINTS
        elif k == 0:
            res.status = NO_CASES
        elif k == n:
            res.status = ALL_CASES
        elif prim is None:
            res.status = NO_PRIM
        else:
            res.boxes, res.best_density = find_boxes(
                eff[params],
                cases,
                ranges,
                peel_alpha=settings["peel_alpha"],
                paste_alpha=settings["paste_alpha"],
                min_mass=settings["min_mass"],
                min_density=settings["min_density"],
                boxes=settings["boxes"],
                prim_module=prim,
            )
            res.status = BOXES if res.boxes else NO_BOX
        out.append(res)
    return out


def box_table(results: Sequence[Discovery]) -> pd.DataFrame:
    """``tables/prim_boxes.csv``: :data:`BOX_COLUMNS`, one row per restricted dimension."""
    rows = [
        {
            "outcome": r.outcome,
            "threshold": r.threshold,
            "box": b,
            "coverage": box.coverage,
            "density": box.density,
            "mass": box.mass,
            "n_cases": r.n_cases,
            "n_points": r.n_points,
            "param": key,
            "lo": lo,
            "hi": hi,
        }
        for r in results
        for b, box in enumerate(r.boxes, start=1)
        for key, (lo, hi) in box.limits.items()
    ]
    return pd.DataFrame(rows, columns=BOX_COLUMNS)


#: Columns of ``tables/prim_searches.csv``: one row per outcome searched, boxes or not (so a
#: reader of the box table knows which searches found none, and why).
SEARCH_COLUMNS = [
    "outcome",
    "threshold",
    "status",
    "n_points",
    "n_cases",
    "best_density",
    "min_density",
]


def search_table(results: Sequence[Discovery], min_density: float) -> pd.DataFrame:
    """``tables/prim_searches.csv``: :data:`SEARCH_COLUMNS`, one row per outcome searched.

    Args:
        results: The searches (:func:`discover`).
        min_density: The density a box had to reach to be reported (``[discovery]``).
    """
    rows = [
        {
            "outcome": r.outcome,
            "threshold": r.threshold,
            "status": r.status,
            "n_points": r.n_points,
            "n_cases": r.n_cases,
            "best_density": r.best_density,
            "min_density": min_density,
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=SEARCH_COLUMNS)


def status_text(result: Discovery | Any, min_density: float) -> str:
    """What an outcome's search came to, in one sentence.

    Args:
        result: A :class:`Discovery`, or a row of :func:`search_table` (same attribute names).
        min_density: The density a box must reach to be reported.
    """
    status, cases, points = result.status, int(result.n_cases), int(result.n_points)
    counts = f"{cases} of {points} design points are cases"
    if status == NO_POINTS:
        return "No design point has a paired effect (no finished pair of runs): no box."
    if status == NO_CASES:
        return f"{counts}: the effect is above the threshold nowhere in the design; no box."
    if status == ALL_CASES:
        return (
            f"{counts}: the effect is above the threshold everywhere in the design, whatever "
            "the assumptions; no box."
        )
    if status == NO_PRIM:
        return f"{counts}. PRIM is not installed (pip install 'mergesim[discovery]'): no box."
    if status == NO_BOX:
        return (
            f"{counts}; no box on PRIM's trajectory reaches density {min_density:g} (the "
            f"densest: {_pct(result.best_density)}): no box."
        )
    return f"{counts}."


def box_figure_data(
    result: Discovery, ranges: Mapping[str, tuple[float, float]], labels: Mapping[str, str]
) -> pd.DataFrame:
    """What the box figure draws: per box and restricted dimension, its limits on the
    factor's full range scaled to [0, 1], with the axis label (name and unit).

    Returns:
        Columns ``box``, ``param``, ``label``, ``lo``, ``hi``, ``full_lo``, ``full_hi``,
        ``lo01``, ``hi01``, ``coverage``, ``density``; empty without boxes.
    """
    rows = []
    for b, box in enumerate(result.boxes, start=1):
        for key, (lo, hi) in box.limits.items():
            f_lo, f_hi = ranges[key]
            span = (f_hi - f_lo) or 1.0
            rows.append(
                {
                    "box": b,
                    "param": key,
                    "label": factor_label(key, labels.get(key)),
                    "lo": lo,
                    "hi": hi,
                    "full_lo": f_lo,
                    "full_hi": f_hi,
                    "lo01": (lo - f_lo) / span,
                    "hi01": (hi - f_lo) / span,
                    "coverage": box.coverage,
                    "density": box.density,
                }
            )
    cols = ["box", "param", "label", "lo", "hi", "full_lo", "full_hi", "lo01", "hi01"]
    return pd.DataFrame(rows, columns=[*cols, "coverage", "density"])


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def discovery_markdown(
    results: Sequence[Discovery],
    settings: Mapping[str, Any],
    labels: Mapping[str, str],
    figures: Mapping[str, str] | None = None,
) -> list[str]:
    """The report's ``## Scenario discovery`` section (empty without results).

    Args:
        results: :func:`discover`'s results.
        settings: The ``[discovery]`` section.
        labels: Factor key → short name.
        figures: Outcome → the box figure's path relative to the report, if drawn.
    """
    if not results:
        return []
    figures = figures or {}
    out = [
        "## Scenario discovery",
        "",
        f"Per design point, the paired effect of **{settings['reform']}** − "
        f"**{settings['counterfactual']}** (same point, replicate and seed; mean over the "
        "replicates). A point is a *case* when that effect is above the threshold. PRIM "
        f"(peel α = {settings['peel_alpha']:g}, paste α = {settings['paste_alpha']:g}, "
        f"minimum mass {settings['min_mass']:g}) reports, of the boxes on its trajectory with "
        f"density ≥ {settings['min_density']:g}, the one of highest coverage"
        + (f"; up to {settings['boxes']} boxes per outcome" if settings["boxes"] > 1 else "")
        + ". *Coverage*: share of the cases inside the box; *density*: share of the box's "
        "points that are cases; *mass*: share of all points inside it. Full tables: "
        "`tables/prim_boxes.csv` (the boxes) and `tables/prim_searches.csv` (every search, "
        "boxes or not).",
        "",
    ]
    for r in results:
        head = f"### {metric_label(r.outcome)} (`{r.outcome}`): effect > {fmt_sig(r.threshold)}"
        out += [head, ""]
        if r.status != BOXES:
            out += [status_text(r, settings["min_density"]), ""]
            continue
        out += [f"{r.n_cases} of {r.n_points} design points are cases.", ""]
        out += [
            "| box | coverage | density | mass | restricted assumptions |",
            "|---|---|---|---|---|",
        ]
        for b, box in enumerate(r.boxes, start=1):
            lims = "; ".join(
                f"{factor_label(k, labels.get(k))} in [{fmt_sig(lo)}, {fmt_sig(hi)}]"
                for k, (lo, hi) in box.limits.items()
            )
            out.append(
                f"| {b} | {_pct(box.coverage)} | {_pct(box.density)} | {_pct(box.mass)} | "
                f"{lims or 'none: the whole design'} |"
            )
        out.append("")
        if r.outcome in figures:
            out += [f"![PRIM box: {r.outcome}]({figures[r.outcome]})", ""]
    return out
