"""The data behind the comparison tables and figures: one group per **design point**.

A design point is a scenario with its factor values; its runs are replicates (one seed each,
the same seeds at every point: common random numbers). Everything here groups by design point
and pools only replicates — never different factor levels — and compares a point with its
baseline point by **paired** differences (run ``k`` minus the baseline's run ``k``, same seed).

:func:`label_groups` gives every run its group (a readable label of the point) and the group of
its baseline; the pure ``*_data`` functions turn the tidy runs table (one row per run) or the
weekly table into small DataFrames; the figures are drawn by :mod:`mergesim.plotting.forest`,
:mod:`~mergesim.plotting.response` and :mod:`~mergesim.plotting.sensitivity`. Intervals:
:mod:`mergesim.plotting.intervals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mergesim.plotting.intervals import LEVEL, estimate, is_share, t_interval
from mergesim.plotting.labels import raw_unit

#: Columns :func:`label_groups` adds to a runs table.
GROUP, BASE = "group", "base_group"
#: Response series drawn as lines at most (more: the points alone, one colour per scenario).
MAX_SERIES = 8


def level_text(v: Any) -> str:
    """A factor level as the experiment states it (``1.5``, ``3``, ``on``)."""
    if isinstance(v, float | np.floating):
        return f"{float(v):.6g}"
    if isinstance(v, bool | np.bool_):
        return "on" if v else "off"
    return str(v)


def point_text(values: dict[str, Any], labels: dict[str, str]) -> str:
    """A design point in words: ``"agency service = off, transition = 13"``."""
    return ", ".join(f"{labels.get(k, k)} = {level_text(v)}" for k, v in values.items())


def label_groups(
    runs: pd.DataFrame,
    factors: Sequence[tuple[str, str]] = (),
    baseline: str | None = None,
    *,
    pair_points: bool = True,
    scenario: str = "scenario",
) -> pd.DataFrame:
    """The runs table with a ``group`` (its design point) and a ``base_group`` column.

    Args:
        runs: One row per run with columns ``scenario``, ``point`` and the factor keys.
        factors: ``(key, label)`` of the factors (runs-table columns).
        baseline: The baseline scenario (default: the first).
        pair_points: With one scenario, compare every point with the first point (paired on
            the replicate): meaningful for factorial levels, not for a random sample.
        scenario: The column naming the scenario (``group`` in a comparison of folders).

    Returns:
        A copy with ``group``: the scenario's label (one point), ``"label = value, …"`` (one
        scenario, several points) or ``"scenario · label = value, …"``; and ``base_group``:
        the baseline scenario's group at the same factor values when there are several
        scenarios, the first point's group when ``pair_points`` (one scenario), else None.
        A group is never its own baseline (its ``base_group`` is None).
    """
    runs = runs.copy()
    keys = [k for k, _ in factors if k in runs.columns]
    labels = dict(factors)
    scens = list(dict.fromkeys(runs[scenario].astype(str)))
    baseline = baseline if baseline in scens else (scens[0] if scens else None)
    vals = [tuple(row) for row in runs[keys].itertuples(index=False)] if keys else [()] * len(runs)
    several_points = len(set(map(repr, vals))) > 1
    names = []
    for s, v in zip(runs[scenario].astype(str), vals, strict=True):
        if not several_points:
            names.append(s)
            continue
        text = point_text(dict(zip(keys, v, strict=True)), labels)
        names.append(f"{s} · {text}" if len(scens) > 1 else text)
    runs[GROUP] = names
    key_of = {n: repr(v) for n, v in zip(names, vals, strict=True)}
    scen_of = dict(zip(names, runs[scenario].astype(str), strict=True))
    if len(scens) > 1:
        by_point = {key_of[n]: n for n in dict.fromkeys(names) if scen_of[n] == baseline}
        base = [by_point.get(key_of[n]) for n in names]
    elif several_points and pair_points:
        first = names[0]
        base = [first] * len(names)
    else:
        base = [None] * len(names)
    runs[BASE] = [b if b != n else None for n, b in zip(names, base, strict=True)]
    return runs


def groups(runs: pd.DataFrame) -> list[str]:
    """The groups in order of appearance."""
    return list(dict.fromkeys(runs[GROUP]))


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"] if "status" in runs else runs


def share_metric(runs: pd.DataFrame, metric: str) -> bool:
    """Whether ``metric`` is treated as a share (logit intervals; see
    :mod:`~mergesim.plotting.intervals`): dimensionless in the registry, values in [0, 1],
    and not a change between windows."""
    if metric.startswith("change.") or metric not in runs:
        return False
    return is_share(_ok(runs)[metric].to_numpy(dtype=float), raw_unit(metric))


# ---------------------------------------------------------------------------------------------
# Tables of final values
# ---------------------------------------------------------------------------------------------

FINAL_COLUMNS = ["group", "n", "mean", "ci_lo", "ci_hi", "method", "values"]


def final_data(runs: pd.DataFrame, metric: str, *, level: float = LEVEL) -> pd.DataFrame:
    """Mean and interval of ``metric`` per group over its ok replicates.

    Returns:
        DataFrame with ``group, n, mean, ci_lo, ci_hi, method, values`` (the replicate values,
        for the forest plot), groups in order of appearance.
    """
    ok = _ok(runs)
    share = share_metric(runs, metric)
    by = (
        {g: part.to_numpy(dtype=float) for g, part in ok.groupby(GROUP, sort=False)[metric]}
        if metric in ok
        else {}
    )
    rows = []
    for grp in groups(runs):
        x = by.get(grp, np.array([]))
        e = estimate(x, share=share, level=level)
        rows.append(
            {
                "group": grp,
                "n": e.n,
                "mean": e.mean,
                "ci_lo": e.lo,
                "ci_hi": e.hi,
                "method": e.method,
                "values": x[np.isfinite(x)],
            }
        )
    return pd.DataFrame(rows, columns=FINAL_COLUMNS)


PAIRED_COLUMNS = ["group", "baseline", "n_pairs", "mean_diff", "ci_lo", "ci_hi", "diffs"]


def paired_data(
    runs: pd.DataFrame,
    metric: str,
    *,
    pair_on: tuple[str, ...] = ("replicate",),
    level: float = LEVEL,
) -> pd.DataFrame:
    """Paired differences of ``metric``: each group minus its ``base_group``.

    A run is matched with the baseline group's run with equal ``pair_on`` values (the
    replicate, hence the seed); pairs where either run failed are left out.

    Returns:
        DataFrame with ``group, baseline, n_pairs, mean_diff, ci_lo, ci_hi, diffs`` for every
        group with a baseline (t interval of the mean difference).
    """
    ok = _ok(runs)
    rows = []
    firsts = runs.drop_duplicates(GROUP)
    wide = None
    if metric in ok and len(ok):
        # One column per group, one row per pair key: a difference is two columns' rows.
        wide = ok.pivot_table(index=list(pair_on), columns=GROUP, values=metric, aggfunc="first")
    for grp, base in zip(firsts[GROUP], firsts[BASE], strict=True):
        if base is None or (isinstance(base, float) and np.isnan(base)):
            continue
        d = np.array([])
        if wide is not None and grp in wide and base in wide:
            d = (wide[grp] - wide[base]).to_numpy(dtype=float)
            d = d[np.isfinite(d)]
        m, a, b = t_interval(d, level)
        rows.append(
            {
                "group": grp,
                "baseline": base,
                "n_pairs": len(d),
                "mean_diff": m,
                "ci_lo": a,
                "ci_hi": b,
                "diffs": d,
            }
        )
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Weekly bands
# ---------------------------------------------------------------------------------------------


def tag_groups(ts: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """The weekly table with each run's ``group`` (from the runs table, by ``run_id``)."""
    if ts.empty or "run_id" not in ts:
        return ts.assign(**{GROUP: pd.Series(dtype=str)})
    of = dict(zip(runs["run_id"], runs[GROUP], strict=True))
    return ts.assign(**{GROUP: ts["run_id"].map(of)}).dropna(subset=[GROUP])


def band_data(ts: pd.DataFrame, metric: str, *, lo: float = 0.1, hi: float = 0.9):
    """Weekly quantile band of ``metric`` across a group's replicates.

    Args:
        ts: Long weekly table with columns ``group``, ``week`` and ``metric`` (one row per
            run and week; :func:`tag_groups`).
        metric: A weekly metric column (e.g. ``"travel_min_mean"``).
        lo, hi: Band quantiles (default 10 % and 90 %).

    Returns:
        DataFrame with ``group, week, lo, median, hi, n`` (n = runs with a value that week).
    """
    cols = ["group", "week", "lo", "median", "hi", "n"]
    if metric not in ts.columns or ts.empty:
        return pd.DataFrame(columns=cols)
    g = ts.groupby([GROUP, "week"], sort=False)[metric]
    out = pd.DataFrame(
        {"lo": g.quantile(lo), "median": g.median(), "hi": g.quantile(hi), "n": g.count()}
    ).reset_index()
    order = {k: i for i, k in enumerate(dict.fromkeys(ts[GROUP]))}
    out = out.sort_values([GROUP, "week"], key=lambda s: s.map(order) if s.name == GROUP else s)
    return out.reset_index(drop=True)[cols]


# ---------------------------------------------------------------------------------------------
# Responses over factors
# ---------------------------------------------------------------------------------------------

RESPONSE_COLUMNS = ["series", "x", "mean", "ci_lo", "ci_hi", "n", "values", "lines"]


def response_data(
    runs: pd.DataFrame,
    metric: str,
    factor: str,
    factors: Sequence[tuple[str, str]] = (),
    *,
    scenario: str = "scenario",
    level: float = LEVEL,
) -> pd.DataFrame:
    """Mean of ``metric`` (with its interval) at each design point, against ``factor``.

    Each point is one row (its replicates pooled, nothing else). Points that differ only in
    ``factor`` form a series (the scenario and the other factors' values), drawn as a line;
    when there are more than :data:`MAX_SERIES` series, or series of a single point (a random
    sample), the points are drawn alone, one series per scenario (``lines`` False).

    Returns:
        DataFrame with ``series, x, mean, ci_lo, ci_hi, n, values, lines``.
    """
    ok = _ok(runs)
    if factor not in ok or metric not in ok or ok.empty:
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    labels = dict(factors)
    others = [k for k, _ in factors if k != factor and k in ok]
    share = share_metric(runs, metric)
    several = ok[scenario].nunique() > 1
    rows = []
    for _, part in ok.groupby(GROUP, sort=False):
        first = part.iloc[0]
        other = point_text({k: first[k] for k in others}, labels)
        head = str(first[scenario]) if several else ""
        series = " · ".join(t for t in (head, other) if t) or str(first[scenario])
        e = estimate(part[metric].to_numpy(dtype=float), share=share, level=level)
        x = part[metric].to_numpy(dtype=float)
        rows.append(
            {
                "series": series,
                "scenario": str(first[scenario]),
                "x": first[factor],
                "mean": e.mean,
                "ci_lo": e.lo,
                "ci_hi": e.hi,
                "n": e.n,
                "values": x[np.isfinite(x)],
            }
        )
    out = pd.DataFrame(rows)
    sizes = out.groupby("series", sort=False).size()
    lines = len(sizes) <= MAX_SERIES and bool((sizes > 1).all())
    if not lines:
        out["series"] = out["scenario"]
    out["lines"] = lines
    if lines or pd.api.types.is_numeric_dtype(out["x"]):
        out = out.sort_values(["series", "x"], kind="stable", key=_series_order(out))
    return out[RESPONSE_COLUMNS].reset_index(drop=True)


def _series_order(df: pd.DataFrame):
    order = {k: i for i, k in enumerate(dict.fromkeys(df["series"]))}
    return lambda s: s.map(order) if s.name == "series" else s


#: Heat-map panels drawn at most (one per combination of the other factors).
MAX_HEATMAPS = 6


def heatmap_data(
    runs: pd.DataFrame,
    metric: str,
    fx: str,
    fy: str,
    factors: Sequence[tuple[str, str]] = (),
    *,
    scenario: str = "scenario",
) -> list[tuple[str, pd.DataFrame]]:
    """Mean of ``metric`` over the replicates of each (``fy``, ``fx``) cell, one panel per
    scenario and combination of the other factors (so a cell is one design point).

    Returns:
        ``[(panel title, pivot), …]`` (empty when there would be more than
        :data:`MAX_HEATMAPS` panels).
    """
    ok = _ok(runs)
    if metric not in ok or ok.empty:
        return []
    labels = dict(factors)
    others = [k for k, _ in factors if k not in (fx, fy) and k in ok]
    keys = ([scenario] if ok[scenario].nunique() > 1 else []) + others
    parts = ok.groupby(keys, sort=False) if keys else [((), ok)]
    panels = []
    for key, part in parts:
        key = key if isinstance(key, tuple) else (key,)
        named = dict(zip(keys, key, strict=True))
        head = str(named.pop(scenario)) if scenario in named else ""
        title = " · ".join(t for t in (head, point_text(named, labels)) if t)
        pivot = part.pivot_table(index=fy, columns=fx, values=metric, aggfunc="mean")
        panels.append((title, pivot))
    return panels if len(panels) <= MAX_HEATMAPS else []
