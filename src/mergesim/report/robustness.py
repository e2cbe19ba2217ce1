"""Robustness of the lever table: each lever's effect at the ends of the influential
assumptions' plausible ranges, and its label; the Morris ranking of the assumptions.

The robustness stage of a levers experiment (:mod:`mergesim.sweep.robustness`) reran its
scenarios with each tested assumption at the low and the high end of its plausible range, into
``<out>/robustness/<key>-<end>/``. Here the lever table (:func:`mergesim.report.levers.
lever_table`) is recomputed at every end and compared with the nominal one.

**Labels** of a lever × context × metric (``tables/robustness.csv``):

* ``no clear effect``: the nominal effect's 95 % interval covers zero (``ci_lo <= 0 <=
  ci_hi``, an exact zero or an interval that is not finite included): its sign is not
  established, so it cannot be robust. ``depends_on`` still lists the keys whose ends flip
  its sign.
* ``depends on <k1>; <k2>``: the sign of the effect (+, − or 0) at the low or the high end of
  a key differs from the nominal sign; ``depends_on`` lists every such key (';'-joined, in the
  order tested).
* ``robust``: the sign is the same at the nominal values and at every end that has an effect.
* ``not tested``: no end has a finite effect (a metric missing at the ends).

An end without a finite effect is left out of the comparison (``n_ends`` counts those
compared). The ends run at the stage's own scale and replications (``robustness/plan.json``,
stated in the report), usually smaller than the nominal table's: only the signs are compared.

**Morris ranking** (``tables/morris.csv`` of a Morris results folder): per outcome, μ* of each
assumption (elementary effects per full plausible range) and ``mu_star_norm`` = μ* over the
largest μ* of that outcome (1 = the most influential).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mergesim.errors import UserError
from mergesim.plotting import compare as pc
from mergesim.plotting.intervals import fmt_sig
from mergesim.plotting.labels import metric_label
from mergesim.report import levers, tables
from mergesim.results import read_runs

#: The robustness stage's folder and plan (as :mod:`mergesim.sweep.robustness` writes them).
FOLDER, PLAN = "robustness", "plan.json"
ROBUST, NO_CLEAR, NOT_TESTED, DEPENDS = "robust", "no clear effect", "not tested", "depends on "
KEYS = ["measure", "context", "metric"]
ROBUSTNESS_COLUMNS = [
    "measure",
    "context",
    "metric",
    "outcome_group",
    "n_pairs",
    "effect",
    "ci_lo",
    "ci_hi",
    "label",
    "depends_on",
    "n_ends",
]
END_COLUMNS = [*KEYS, "key", "end", "value", "n_pairs", "effect", "ci_lo", "ci_hi"]
MORRIS_COLUMNS = ["key", "metric", "mu_star", "mu_star_norm", "sigma", "mu_star_conf"]


def sign(x: float) -> float:
    """+1, −1 or 0; NaN for a value that is not finite."""
    return float(np.sign(x)) if math.isfinite(x) else math.nan


def covers_zero(lo: float, hi: float) -> bool:
    """Whether the interval ``[lo, hi]`` fails to exclude zero (or is not finite)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return True
    return lo <= 0.0 <= hi


def label_of(
    effect: float, lo: float, hi: float, ends: Sequence[tuple[str, float]]
) -> tuple[str, str, int]:
    """The label of one effect (see the module docstring).

    Args:
        effect, lo, hi: The nominal effect and its 95 % interval.
        ends: ``(key, effect at one end)`` for every end tested.

    Returns:
        ``(label, depends_on, n_ends)``: depends_on is the ';'-joined keys whose ends flip the
        sign (in the order of ``ends``), n_ends the ends with a finite effect.
    """
    s0 = sign(effect)
    compared = [(k, sign(e)) for k, e in ends if math.isfinite(e)]
    flips = list(dict.fromkeys(k for k, s in compared if s != s0))
    depends = ";".join(flips)
    if covers_zero(lo, hi) or math.isnan(s0):
        return NO_CLEAR, depends, len(compared)
    if not compared:
        return NOT_TESTED, depends, 0
    if flips:
        return DEPENDS + "; ".join(flips), depends, len(compared)
    return ROBUST, "", len(compared)


def robustness_table(nominal: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    """Label every row of the nominal lever table by its effects at the ends.

    Args:
        nominal: The nominal lever table (:data:`mergesim.report.levers.LEVER_COLUMNS`).
        ends: :data:`END_COLUMNS`: the lever table at each end (``key``, ``end``).

    Returns:
        :data:`ROBUSTNESS_COLUMNS`, one row per nominal row, in its order.
    """
    by = {k: g for k, g in ends.groupby(KEYS, sort=False)} if len(ends) else {}
    rows = []
    for _, r in nominal.iterrows():
        at = by.get((r["measure"], r["context"], r["metric"]))
        pairs = [] if at is None else list(zip(at["key"], at["effect"].astype(float), strict=True))
        effect, lo, hi = (float(r[c]) for c in ("effect", "ci_lo", "ci_hi"))
        label, depends, n = label_of(effect, lo, hi, pairs)
        rows.append(
            {
                **{c: r[c] for c in ("measure", "context", "metric", "outcome_group", "n_pairs")},
                "effect": effect,
                "ci_lo": lo,
                "ci_hi": hi,
                "label": label,
                "depends_on": depends,
                "n_ends": n,
            }
        )
    return pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)


def read_plan(root: str | Path) -> dict[str, Any] | None:
    """The robustness stage's plan in a results folder, or None when it has none."""
    path = Path(root) / FOLDER / PLAN
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def end_tables(root: str | Path, plan: dict[str, Any], metrics: Sequence[str]) -> pd.DataFrame:
    """The lever table at every end of the plan whose runs table exists (:data:`END_COLUMNS`)."""
    parts = []
    for e in plan["ends"]:
        folder = Path(root) / FOLDER / e["folder"]
        try:
            runs = pc.label_groups(read_runs(folder), [], levers.SEED, pair_points=True)
        except UserError:  # an end that has not run: left out (the report says "not run")
            continue
        t = levers.lever_table(runs, metrics)
        if len(t):
            parts.append(t.assign(key=e["key"], end=e["end"], value=e["value"]))
    if not parts:
        return pd.DataFrame(columns=END_COLUMNS)
    return pd.concat(parts, ignore_index=True)[END_COLUMNS]


def morris_table(indices: pd.DataFrame) -> pd.DataFrame:
    """The Morris ranking (:data:`MORRIS_COLUMNS`) from a sweep's Morris indices
    (``metric, factor, mu_star, mu_star_conf, sigma``), most influential first per metric."""
    df = indices.rename(columns={"factor": "key"})
    top = df.groupby("metric")["mu_star"].transform("max")
    df = df.assign(mu_star_norm=np.where(top > 0, df["mu_star"] / top, np.nan))
    df = df.sort_values(["metric", "mu_star_norm"], ascending=[True, False], kind="stable")
    return df[MORRIS_COLUMNS].reset_index(drop=True)


def write_robustness(
    root: str | Path, nominal: pd.DataFrame, metrics: Sequence[str]
) -> tuple[list[Path], list[str]]:
    """``tables/robustness.csv`` (and ``robustness_ends.csv``, the Morris ranking used) and the
    report's "Robustness" section, when the folder has a robustness stage and a lever table.

    Returns:
        The files written and the Markdown lines (both empty without a robustness stage).
    """
    root = Path(root)
    plan = read_plan(root)
    if plan is None or not len(nominal):
        return [], []
    ends = end_tables(root, plan, metrics)
    rob = robustness_table(nominal, ends)
    files = [
        tables.write_table(root, "robustness", rob),
        tables.write_table(root, "robustness_ends", ends),
    ]
    morris = None
    if plan.get("morris") and Path(plan["morris"]).is_file():
        morris = pd.read_csv(plan["morris"])
        files.append(tables.write_table(root, "morris", morris))
    return files, robustness_markdown(rob, ends, plan, morris)


def robustness_markdown(
    rob: pd.DataFrame, ends: pd.DataFrame, plan: dict[str, Any], morris: pd.DataFrame | None
) -> list[str]:
    """The "Robustness" section: what ran, the labels per measure and context, the keys that
    flip effects, and the Morris ranking used."""
    done = sorted({(k, e) for k, e in zip(ends.get("key", []), ends.get("end", []), strict=True)})
    end_text = ", ".join(
        f"`{e['key']}` = {e['value']:g} ({e['end']})"
        + ("" if (e["key"], e["end"]) in done else " — not run")
        for e in plan["ends"]
    )
    over = ", ".join(f"`{k}` = {v}" for k, v in plan.get("overrides", {}).items())
    out = [
        "## Robustness",
        "",
        f"Assumptions tested: {', '.join(f'`{k}`' for k in plan['keys'])} ({plan['chosen']}). "
        f"Ends of their plausible ranges: {end_text}. Each end reran "
        f"{len(plan['scenarios'])} scenarios × {plan['replications']} "
        f"replicate{'' if plan['replications'] == 1 else 's'} (the nominal "
        f"study's first seeds){'; set on every end run: ' + over if over else ''}. Only the "
        "signs of the end effects are compared with the nominal table (the ends run smaller).",
        "",
        "Labels: **robust** — the sign of the effect holds at every end; **depends on X** — it "
        "flips at an end of X; **no clear effect** — the nominal 95 % interval covers 0; "
        "**not tested** — no end has the metric. Full table: `tables/robustness.csv` (the end "
        "effects: `tables/robustness_ends.csv`).",
        "",
    ]
    if len(rob):
        kinds = [ROBUST, "depends", NO_CLEAR, NOT_TESTED]
        kind = rob["label"].where(~rob["label"].str.startswith(DEPENDS), "depends")
        counts = pd.crosstab([rob["measure"], rob["context"]], kind).reindex(
            columns=kinds, fill_value=0
        )
        order = list(dict.fromkeys(zip(rob["measure"], rob["context"], strict=True)))
        out += ["| measure | context | " + " | ".join(kinds) + " |", "|---" * 6 + "|"]
        for m, c in order:
            row = counts.loc[(m, c)]
            out.append(f"| {m} | {c} | " + " | ".join(str(int(row[k])) for k in kinds) + " |")
        out.append("")
        flips = rob.loc[rob["depends_on"] != "", "depends_on"].str.split(";").explode()
        if len(flips):
            out += ["Effects whose sign an end flips, per assumption: "]
            n = flips.value_counts()
            out[-1] += ", ".join(f"`{k}` {v}" for k, v in n.items()) + "."
            out.append("")
        headline = rob[(rob["label"] != ROBUST) & (rob["label"] != NO_CLEAR)].head(20)
        if len(headline):
            out += ["| measure | context | metric | effect [95 % CI] | label |", "|---" * 5 + "|"]
            for _, r in headline.iterrows():
                cell = f"{fmt_sig(r['effect'])} [{fmt_sig(r['ci_lo'])}, {fmt_sig(r['ci_hi'])}]"
                out.append(
                    f"| {r['measure']} | {r['context']} | {metric_label(r['metric'])} | "
                    f"{cell} | {r['label']} |"
                )
            out.append("")
    if morris is not None and len(morris):
        out += ["### Morris ranking of the assumptions", "", _morris_lines(morris), ""]
    return out


def _morris_lines(morris: pd.DataFrame) -> str:
    wide = morris.pivot_table(index="key", columns="metric", values="mu_star_norm")
    wide = wide.loc[wide.max(axis=1).sort_values(ascending=False).index]
    head = "| assumption | " + " | ".join(f"`{m}`" for m in wide.columns) + " |"
    lines = [head, "|---" * (len(wide.columns) + 1) + "|"]
    for k, row in wide.iterrows():
        lines.append(f"| `{k}` | " + " | ".join(fmt_sig(v) for v in row) + " |")
    return "\n".join(lines) + "\n\nμ* normalised per outcome (1 = the most influential)."
