"""The province tables: one row per county, and counties pooled by type.

Counties are the units. A county's value of a metric is the mean over its finished replicates
(usually one); a type's (terrain × size class) pooled value is the mean over its counties, with
a 95 % Student-t interval across those counties (on the logit for shares) — an interval for the
mean county of that type in this province, which holds the spread between counties, not only
the replicate noise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mergesim.plotting.compare import share_metric
from mergesim.plotting.intervals import estimate

#: Plan counts a run records (realised by the plan), beside the counties' targets.
PLAN_COLUMNS = (
    "plan.townships_before",
    "plan.townships_after",
    "plan.villages_before",
    "plan.villages_after",
)
#: Size classes: below or at/above the province's median villages per county.
SIZE_CLASSES = ("small", "large")


def size_class(villages: pd.Series) -> pd.Series:
    """``small`` below the province's median villages per county, else ``large``."""
    med = float(np.median(villages.to_numpy(dtype=float)))
    return pd.Series(np.where(villages < med, "small", "large"), index=villages.index)


def county_table(
    counties: pd.DataFrame, runs: pd.DataFrame, metrics: Sequence[str]
) -> pd.DataFrame:
    """Per county: its attributes, its type, the plan's realised counts, the runs finished and
    each metric's mean over the county's finished runs (NaN where none finished).

    Args:
        counties: The province's county table (``province.csv``).
        runs: The sweep's runs table (``scenario`` holds the county label).
        metrics: Summary metric columns.
    """
    ok = runs[runs["status"] == "ok"]
    cols = [c for c in (*PLAN_COLUMNS, *metrics) if c in ok.columns]
    means = ok.groupby("scenario")[cols].mean(numeric_only=True) if cols else pd.DataFrame()
    n_ok = ok.groupby("scenario").size().rename("runs_ok")
    out = counties.copy()
    out["size_class"] = size_class(out["villages"])
    out["type"] = out["terrain"] + " · " + out["size_class"]
    out = out.join(n_ok, on="county").join(means, on="county")
    out["runs_ok"] = out["runs_ok"].fillna(0).astype(int)
    for m in metrics:
        if m not in out.columns:
            out[m] = np.nan
    return out


def _groupings(ct: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(grouping, group, counties): every type, each terrain, each size class, all."""
    out = [("type", str(k), part) for k, part in ct.groupby("type", sort=True)]
    out += [("terrain", str(k), part) for k, part in ct.groupby("terrain", sort=True)]
    out += [("size", str(k), part) for k, part in ct.groupby("size_class", sort=True)]
    out.append(("all", "all counties", ct))
    return out


def pooled_table(ct: pd.DataFrame, metrics: Sequence[str], runs: pd.DataFrame) -> pd.DataFrame:
    """Counties pooled by type, terrain, size class and all together, per metric.

    Returns:
        One row per metric and group: ``metric, grouping, group, counties, n, mean, ci_lo,
        ci_hi, method`` (``counties`` in the group, ``n`` of them with a value).
    """
    rows = []
    for m in metrics:
        share = share_metric(runs, m) if m in runs.columns else False
        for grouping, group, part in _groupings(ct):
            e = estimate(part[m].to_numpy(dtype=float), share=share)
            rows.append(
                {
                    "metric": m,
                    "grouping": grouping,
                    "group": group,
                    "counties": len(part),
                    "n": e.n,
                    "mean": e.mean,
                    "ci_lo": e.lo,
                    "ci_hi": e.hi,
                    "method": e.method,
                }
            )
    return pd.DataFrame(rows)


def province_totals(ct: pd.DataFrame) -> dict[str, float]:
    """Totals of the province: counties, townships and villages before and after (the
    counties' targets, and what the plans of the finished runs realised)."""
    out = {
        "counties": len(ct),
        "border_counties": int(ct["border"].astype(bool).sum()),
        "population": int(ct["population"].sum()),
        "townships": int(ct["townships"].sum()),
        "townships_after": int(ct["townships_after"].sum()),
        "villages": int(ct["villages"].sum()),
        "villages_after": int(ct["villages_after"].sum()),
    }
    done = ct[ct["runs_ok"] > 0]
    for col in ("plan.townships_after", "plan.villages_after"):
        if col in done.columns and len(done):
            out[col] = float(done[col].sum())
    out["counties_run"] = len(done)
    return out
