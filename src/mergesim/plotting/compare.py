"""Plots that compare scenarios and factor levels across the runs of a sweep.

Two layers, as in :mod:`mergesim.plotting.maps`: pure ``*_data`` functions turn the tidy runs
table (one row per run) or the weekly time series into small DataFrames (testable without
drawing), and ``plot_*`` functions draw them on a :class:`~matplotlib.figure.Figure` (a new
one when ``ax`` is None). pyplot is never used, so nothing needs a display.

Intervals: means carry Student-t confidence intervals over replicates (runs are independent
replicates; CRN only correlates *different* scenarios). Differences against the baseline are
**paired**: run ``(point, replicate)`` of a scenario minus the same ``(point, replicate)`` of
the baseline, which used the same seed, so shared noise cancels.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import stats

from mergesim.config.params import iter_params
from mergesim.config.schema import Scenario
from mergesim.metrics import METRICS, RUN_METRICS
from mergesim.plotting.figures import colours, figure_axes

WINDOW_NAMES = {
    "pre": "pre-reform window",
    "transition": "transition window",
    "post": "post-reform window",
    "change": "change post − pre",
}


# ---------------------------------------------------------------------------------------------
# Labels with units
# ---------------------------------------------------------------------------------------------


def metric_label(metric: str) -> str:
    """Axis label of a metric with its unit, e.g. ``'post.travel_min_mean'`` →
    ``'travel_min_mean, post-reform window (min)'`` (no unit shown for dimensionless ones)."""
    head, _, rest = metric.partition(".")
    window, key = (head, rest) if head in WINDOW_NAMES and rest else ("", metric)
    unit = _unit(key)
    text = key + (f", {WINDOW_NAMES[window]}" if window else "")
    return f"{text} ({unit})" if unit and unit != "-" else text


def _unit(key: str) -> str:
    """Unit of a window metric or a run metric ('' if unknown)."""
    m = METRICS.get(key) or RUN_METRICS.get(key)
    return m.unit if m is not None else ""


def metric_unit(metric: str) -> str:
    """The unit of a metric ('' for dimensionless or unknown ones)."""
    head, _, rest = metric.partition(".")
    key = rest if head in WINDOW_NAMES and rest else metric
    unit = _unit(key)
    return "" if unit == "-" else unit


@functools.cache
def _param_units() -> dict[str, str]:
    """Unit of every dotted scenario key, from the schema."""
    return {key: spec.unit for key, _, _, spec in iter_params(Scenario) if spec is not None}


def factor_label(key: str, label: str | None = None) -> str:
    """Axis label of a factor (scenario key) with its unit from the schema."""
    unit = _param_units().get(key, "")
    name = label or key
    return f"{name} ({unit})" if unit and unit not in ("-", "path") else name


#: Size (inches) of one comparison panel.
PANEL_SIZE = (7.5, 4.0)


def t_interval(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of finite values of ``x`` (NaN if fewer than 2)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    h = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - h, m + h


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def band_data(ts, metric: str, *, by: str = "scenario", lo: float = 0.1, hi: float = 0.9):
    """Weekly quantile band of ``metric`` across runs, per group.

    Args:
        ts: Long weekly table with columns ``by``, ``week``, ``metric`` (one row per run-week).
        metric: A weekly metric column (e.g. ``"travel_min_mean"``).
        by: Grouping column.
        lo, hi: Band quantiles (default 10 % and 90 %).

    Returns:
        DataFrame with ``group, week, lo, median, hi, n`` (n = runs with a value that week).
    """
    if metric not in ts.columns or ts.empty:
        return pd.DataFrame(columns=["group", "week", "lo", "median", "hi", "n"])
    g = ts.groupby([by, "week"], sort=False)[metric]
    out = (
        pd.DataFrame(
            {"lo": g.quantile(lo), "median": g.median(), "hi": g.quantile(hi), "n": g.count()}
        )
        .reset_index()
        .rename(columns={by: "group"})
    )
    order = {k: i for i, k in enumerate(dict.fromkeys(ts[by]))}
    return out.sort_values(
        ["group", "week"], key=lambda s: s.map(order) if s.name == "group" else s
    ).reset_index(drop=True)


def final_data(runs, metric: str, *, by: str = "scenario", level: float = 0.95):
    """Mean and confidence interval of ``metric`` per group over ok runs.

    Returns:
        DataFrame with ``group, n, mean, ci_lo, ci_hi`` in the groups' order of appearance.
    """
    ok = runs[runs["status"] == "ok"]
    rows = []
    for grp in dict.fromkeys(runs[by]):
        x = ok.loc[ok[by] == grp, metric].to_numpy(dtype=float) if metric in ok else np.array([])
        m, a, b = t_interval(x, level)
        rows.append(
            {"group": grp, "n": int(np.isfinite(x).sum()), "mean": m, "ci_lo": a, "ci_hi": b}
        )
    return pd.DataFrame(rows, columns=["group", "n", "mean", "ci_lo", "ci_hi"])


def paired_data(
    runs,
    metric: str,
    baseline: str,
    *,
    by: str = "scenario",
    pair_on: tuple[str, ...] = ("point", "replicate"),
    level: float = 0.95,
):
    """Paired differences of ``metric`` against ``baseline``: mean and CI per group.

    Each run of a group is matched with the baseline's run with the same ``pair_on`` values
    (same point and replicate, hence the same seed); pairs where either run failed are left
    out.

    Returns:
        DataFrame with ``group, n_pairs, mean_diff, ci_lo, ci_hi`` (the baseline excluded).
    """
    ok = runs[runs["status"] == "ok"]
    base = ok[ok[by] == baseline].set_index(list(pair_on))[metric] if metric in ok else None
    rows = []
    for grp in dict.fromkeys(runs[by]):
        if grp == baseline:
            continue
        if base is None:
            d = np.array([])
        else:
            other = ok[ok[by] == grp].set_index(list(pair_on))[metric]
            joined = pd.concat([other.rename("x"), base.rename("b")], axis=1, join="inner")
            d = (joined["x"] - joined["b"]).to_numpy(dtype=float)
        m, a, b = t_interval(d, level)
        rows.append(
            {
                "group": grp,
                "n_pairs": int(np.isfinite(d).sum()),
                "mean_diff": m,
                "ci_lo": a,
                "ci_hi": b,
            }
        )
    return pd.DataFrame(rows, columns=["group", "n_pairs", "mean_diff", "ci_lo", "ci_hi"])


def response_data(
    runs, metric: str, factor: str, *, by: str = "scenario", bins: int = 8, level: float = 0.95
):
    """Mean of ``metric`` (with CI) against the levels of ``factor``, per group.

    Levels are kept as they are when there are at most 12 of them, or when they are
    integers (plan numbers, weeks); a continuous factor (LHS) is cut into ``bins`` quantile
    bins, each shown at its mean factor value.

    Returns:
        DataFrame with ``group, x, mean, ci_lo, ci_hi, n``.
    """
    ok = runs[(runs["status"] == "ok")].copy()
    if factor not in ok or metric not in ok:
        return pd.DataFrame(columns=["group", "x", "mean", "ci_lo", "ci_hi", "n"])
    levels = ok[factor].nunique()
    numeric = pd.api.types.is_numeric_dtype(ok[factor]) and not pd.api.types.is_bool_dtype(
        ok[factor]
    )
    integer = numeric and bool(np.all(np.mod(ok[factor].to_numpy(dtype=float), 1) == 0))
    if levels > 12 and numeric and not (integer and levels <= 100):
        ok["_bin"] = pd.qcut(ok[factor], q=min(bins, levels), duplicates="drop")
        key = "_bin"
    else:
        key = factor
    rows = []
    for grp in dict.fromkeys(runs[by]):
        sub = ok[ok[by] == grp]
        for lvl, part in sub.groupby(key, sort=True, observed=True):
            m, a, b = t_interval(part[metric].to_numpy(dtype=float), level)
            x = float(part[factor].mean()) if key == "_bin" else lvl
            rows.append({"group": grp, "x": x, "mean": m, "ci_lo": a, "ci_hi": b, "n": len(part)})
    return pd.DataFrame(rows, columns=["group", "x", "mean", "ci_lo", "ci_hi", "n"])


def heatmap_data(runs, metric: str, fx: str, fy: str):
    """Mean of ``metric`` over ok runs for each (``fy``, ``fx``) pair of levels (a pivot)."""
    ok = runs[runs["status"] == "ok"]
    return ok.pivot_table(index=fy, columns=fx, values=metric, aggfunc="mean")


# ---------------------------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------------------------


def plot_bands(
    data,
    metric: str,
    *,
    reform_weeks: dict[str, int] | None = None,
    transition_end: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Weekly median and 10–90 % band per group, one colour each, the reform week marked."""
    fig, ax = figure_axes(ax, (9.5, 4.0))
    groups = list(dict.fromkeys(data["group"]))
    reform_weeks = reform_weeks or {}
    marked = set()
    for grp, col in zip(groups, colours(len(groups)), strict=True):
        d = data[data["group"] == grp]
        ax.fill_between(d["week"], d["lo"], d["hi"], color=col, alpha=0.2, lw=0)
        ax.plot(d["week"], d["median"], color=col, lw=1.4, label=f"{grp} (median, 10–90 %)")
        rw = reform_weeks.get(grp)
        if rw is not None and rw not in marked:
            ax.axvline(
                rw, color="crimson", lw=1.0, ls="--", label="reform week" if not marked else None
            )
            marked.add(rw)
    if transition_end is not None and marked:
        ax.axvspan(min(marked), transition_end, color="0.92", zorder=0, label="transition")
    ax.set_xlabel("week")
    ax.set_ylabel(metric_label(metric))
    ax.set_title(title or f"{metric}: weekly median and 10–90 % band across replications")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def plot_final(
    final,
    metric: str,
    *,
    paired=None,
    baseline: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Per-group mean with CI; with ``paired``, a second panel of paired differences."""
    if ax is None:
        fig = Figure(
            figsize=(11.0 if paired is not None else 6.0, 0.45 * len(final) + 1.8),
            layout="constrained",
        )
        axes = fig.subplots(1, 2 if paired is not None else 1, squeeze=False)[0]
    else:
        fig, axes = ax.get_figure(), [ax]
    y = np.arange(len(final))
    cols = colours(len(final))
    a0 = axes[0]
    err = _err(final["mean"], final["ci_lo"], final["ci_hi"])
    a0.errorbar(final["mean"], y, xerr=err, fmt="none", ecolor="0.3", capsize=3)
    a0.scatter(final["mean"], y, c=cols, zorder=3)
    a0.set_yticks(y, [f"{g} (n={n})" for g, n in zip(final["group"], final["n"], strict=True)])
    a0.set_ylim(len(final) - 0.5, -0.5)  # first group on top, rows evenly spaced
    a0.set_xlabel(metric_label(metric))
    a0.set_title(title or "mean over replications, 95 % CI")
    if paired is not None and len(axes) > 1:
        a1 = axes[1]
        yp = np.arange(len(paired))
        a1.axvline(0, color="0.5", lw=0.8)
        a1.errorbar(
            paired["mean_diff"],
            yp,
            xerr=_err(paired["mean_diff"], paired["ci_lo"], paired["ci_hi"]),
            fmt="o",
            color="k",
            capsize=3,
        )
        a1.set_yticks(
            yp,
            [f"{g} (pairs={n})" for g, n in zip(paired["group"], paired["n_pairs"], strict=True)],
        )
        a1.set_ylim(len(paired) - 0.5, -0.5)
        unit = metric_unit(metric)
        a1.set_xlabel(f"difference from {baseline}" + (f" ({unit})" if unit else ""))
        a1.set_title("paired difference vs the baseline, 95 % CI")
        if ax is None:
            fig.suptitle(metric_label(metric))
    return fig


def _err(mean, lo, hi) -> np.ndarray:
    m, a, b = (np.asarray(v, dtype=float) for v in (mean, lo, hi))
    return np.nan_to_num(np.vstack([m - a, b - m]), nan=0.0)


def plot_response(
    data, metric: str, factor: str, *, factor_name: str | None = None, ax: Axes | None = None
) -> Figure:
    """Mean of ``metric`` with CI against a factor, one line per group."""
    fig, ax = figure_axes(ax, PANEL_SIZE)
    groups = list(dict.fromkeys(data["group"]))
    categorical = not all(
        isinstance(x, int | float | np.number) and not isinstance(x, bool) for x in data["x"]
    )
    ticks: list[Any] = list(dict.fromkeys(data["x"])) if categorical else []
    for grp, col in zip(groups, colours(len(groups)), strict=True):
        d = data[data["group"] == grp]
        x = [ticks.index(v) for v in d["x"]] if categorical else d["x"].to_numpy(dtype=float)
        ax.errorbar(
            x,
            d["mean"],
            yerr=_err(d["mean"], d["ci_lo"], d["ci_hi"]),
            color=col,
            marker="o",
            capsize=3,
            label=str(grp),
        )
    if categorical:
        ax.set_xticks(range(len(ticks)), [str(t) for t in ticks])
    ax.set_xlabel(factor_label(factor, factor_name))
    ax.set_ylabel(metric_label(metric))
    ax.set_title(f"{metric} against {factor_name or factor} (mean, 95 % CI)")
    if len(groups) > 1:
        ax.legend(fontsize=7, frameon=False)
    return fig


def plot_heatmap(pivot, metric: str, fx: str, fy: str, *, ax: Axes | None = None) -> Figure:
    """Mean of ``metric`` over two factors as an annotated heat map."""
    fig, ax = figure_axes(ax, (6.5, 5.0))
    z = pivot.to_numpy(dtype=float)
    im = ax.imshow(z, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(
        range(z.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pivot.columns]
    )
    ax.set_yticks(
        range(z.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pivot.index]
    )
    if z.size <= 100:
        mid = np.nanmean(z) if np.isfinite(z).any() else 0.0
        for (i, j), v in np.ndenumerate(z):
            if np.isfinite(v):
                ax.text(
                    j,
                    i,
                    f"{v:.3g}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v < mid else "black",
                )
    ax.set_xlabel(factor_label(fx))
    ax.set_ylabel(factor_label(fy))
    fig.colorbar(im, ax=ax, label=metric_label(metric))
    ax.set_title(f"{metric}: mean over runs")
    return fig


def plot_indices(indices, method: str, metric: str, *, ax: Axes | None = None) -> Figure:
    """Sobol (S1, ST) or Morris (μ*, σ) indices of one metric as a bar chart with CIs."""
    d = indices[indices["metric"] == metric]
    fig, ax = figure_axes(ax, (7.0, 0.45 * len(d) + 2.0))
    y = np.arange(len(d))
    if method == "sobol":
        series = (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total order ST"))
        xlabel = "Sobol index (share of output variance)"
    else:
        series = (
            ("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)"),
            ("sigma", None, "σ (interactions, non-linearity)"),
        )
        xlabel = f"elementary effect per factor range, {metric_label(metric)}"
    h = 0.38
    for k, (col, conf, lab) in enumerate(series):
        err = None if conf is None else np.nan_to_num(d[conf].to_numpy(dtype=float))
        ax.barh(
            y + (k - 0.5) * h,
            d[col].to_numpy(dtype=float),
            height=h,
            xerr=err,
            capsize=2,
            label=lab,
        )
    ax.set_yticks(y, list(d["label"]))
    ax.invert_yaxis()
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_title(f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity of {metric}")
    ax.legend(fontsize=7, frameon=False)
    return fig
