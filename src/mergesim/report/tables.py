"""The report's tables: every compared metric per design point, paired differences against the
baseline, and the sensitivity indices with their verdicts — as DataFrames (written as CSV,
full precision) and as Markdown (three significant figures, few replicates marked).

The runs table must carry the ``group`` and ``base_group`` columns of
:func:`mergesim.plotting.compare.label_groups`: only replicates of one design point pool.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mergesim.io import atomic_path, finite_cells
from mergesim.plotting import compare as pc
from mergesim.plotting.intervals import FEW_REPLICATES, fmt_estimate, fmt_sig
from mergesim.plotting.labels import metric_label, min_scale, scale_warnings
from mergesim.results.layout import TABLES_DIR

#: Design points shown in a Markdown table at most (all of them are in the CSV).
MAX_TABLE_GROUPS = 40
#: How a table's interval method is named.
METHODS = {"t": "Student-t", "logit-t": "Student-t on the logit (a share)"}


def metric_table(runs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Per metric and design point: ``n, mean, ci_lo, ci_hi, method, few`` and the paired
    difference from the point's baseline (``baseline, n_pairs, diff, diff_lo, diff_hi``).

    Returns:
        One row per metric and group, in the groups' order.
    """
    rows = []
    for m in metrics:
        fin = pc.final_data(runs, m).set_index("group")
        pair = pc.paired_data(runs, m).set_index("group")
        for g in fin.index:
            f = fin.loc[g]
            row = {
                "metric": m,
                "group": g,
                "n": int(f["n"]),
                "mean": f["mean"],
                "ci_lo": f["ci_lo"],
                "ci_hi": f["ci_hi"],
                "method": f["method"],
                "few": int(f["n"]) < FEW_REPLICATES,
                "baseline": None,
                "n_pairs": 0,
                "diff": math.nan,
                "diff_lo": math.nan,
                "diff_hi": math.nan,
            }
            if g in pair.index:
                p = pair.loc[g]
                row.update(
                    baseline=p["baseline"],
                    n_pairs=int(p["n_pairs"]),
                    diff=p["mean_diff"],
                    diff_lo=p["ci_lo"],
                    diff_hi=p["ci_hi"],
                )
            rows.append(row)
    return pd.DataFrame(rows)


def metric_markdown(table: pd.DataFrame, metric: str, scale: float | None = None) -> list[str]:
    """The Markdown of one metric: a heading, notes and one row per design point."""
    part = table[table["metric"] == metric]
    out = [f"### {metric_label(metric)}", ""]
    if part.empty:
        return out + ["(no value)", ""]
    methods = sorted(set(part["method"]))
    out.append(
        f"`{metric}` — 95 % interval: {', '.join(METHODS.get(x, x) for x in methods)} over "
        "replicates"
        + ("; Δ: paired difference (same seed), Student-t" if part["n_pairs"].any() else "")
        + "."
    )
    if scale is not None:
        out += [f"**Warning:** {w}." for w in scale_warnings([metric], scale)]
    out.append("")
    pairs = bool(part["n_pairs"].any())
    head = ["design point", "n", "mean [95 % CI]"]
    if pairs:
        head += ["baseline", "Δ [95 % CI]"]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in part.head(MAX_TABLE_GROUPS).iterrows():
        n = int(r["n"])
        cells = [str(r["group"]), f"{n}" + (" (few)" if n < FEW_REPLICATES else ""),
                 fmt_estimate(r["mean"], r["ci_lo"], r["ci_hi"])]  # fmt: skip
        if pairs:
            if r["baseline"] is None or (isinstance(r["baseline"], float)):
                cells += ["–", "–"]
            else:
                cells += [
                    str(r["baseline"]),
                    fmt_estimate(r["diff"], r["diff_lo"], r["diff_hi"], int(r["n_pairs"])),
                ]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if len(part) > MAX_TABLE_GROUPS:
        out.append(
            f"| … {len(part) - MAX_TABLE_GROUPS} more design points in "
            f"{TABLES_DIR}/metrics.csv |" + " |" * (len(head) - 1)
        )
    return out + [""]


def biased_metrics(metrics: Sequence[str], scale: float | None) -> list[str]:
    """The metrics documented as biased at ``scale`` (below their registry ``min_scale``)."""
    if scale is None:
        return []
    return [m for m in metrics if (lim := min_scale(m)) is not None and scale < lim]


def run_scale(runs: pd.DataFrame) -> float | None:
    """The smallest ``villagers.scale`` of the ok runs (the summary's ``scale``), or None."""
    if "scale" not in runs:
        return None
    x = pd.to_numeric(runs.loc[runs["status"] == "ok", "scale"], errors="coerce")
    x = x[np.isfinite(x)]
    return float(x.min()) if len(x) else None


# ---------------------------------------------------------------------------------------------
# Sensitivity
# ---------------------------------------------------------------------------------------------

#: Index columns of each method in the report: (index, half-width, heading).
SENSITIVITY = {
    "sobol": (("S1", "S1_conf", "S1 [95 % CI]"), ("ST", "ST_conf", "ST [95 % CI]")),
    "morris": (("mu_star", "mu_star_conf", "μ* [95 % CI]"), ("sigma", None, "σ")),
}


def sensitivity_markdown(indices: pd.DataFrame, method: str) -> list[str]:
    """One table per metric: each factor's indices with their bootstrap intervals and, for an
    unreliable index, **UNRELIABLE** and the reasons."""
    out = []
    for metric in dict.fromkeys(indices["metric"]):
        d = indices[indices["metric"] == metric]
        n = int(d["samples"].iloc[0]) if "samples" in d else None
        size = f" ({'N' if method == 'sobol' else 'r'} = {n})" if n is not None else ""
        out += [f"### {metric_label(metric)}{size}", ""]
        cols = SENSITIVITY[method]
        head = ["factor", *[h for _, _, h in cols], "verdict"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for _, r in d.iterrows():
            cells = [str(r["label"])]
            why = []
            for col, conf, _ in cols:
                if conf is None:
                    cells.append(fmt_sig(r[col]))
                    continue
                c = r[conf]
                cells.append(fmt_estimate(r[col], r[col] - c, r[col] + c))
                reason = str(r.get(f"{col}_unreliable") or "")
                if reason and reason != "nan":
                    why.append(f"{col}: {reason}")
            cells.append("**UNRELIABLE** — " + "; ".join(why) if why else "ok")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return out


def write_table(root: Path, name: str, table: pd.DataFrame) -> Path:
    """Write ``root/tables/<name>.csv`` (full precision); return the path."""
    dest = Path(root) / TABLES_DIR / f"{name}.csv"
    with atomic_path(dest) as tmp:
        finite_cells(table).to_csv(tmp, index=False)
    return dest


def csv_table(table: pd.DataFrame, factors: Sequence[tuple[str, str]], runs) -> pd.DataFrame:
    """The metric table for CSV: scenario, point and the factor values of each group in front."""
    first = runs.drop_duplicates(pc.GROUP).set_index(pc.GROUP)
    keys = [k for k, _ in factors if k in first.columns]
    lead = first[["scenario", "point", *keys]]
    out = table.join(lead, on="group")
    front = ["metric", "group", "scenario", "point", *keys]
    return out[front + [c for c in table.columns if c not in front]]
