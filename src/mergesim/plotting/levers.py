"""Forest figure of the lever table: each measure's paired effect on one outcome, with its 95 %
interval, in both contexts (the seed county minus the measure; the merger alone plus it).

One figure per compared metric: a metric already names its outcome group (travel of the
absorbed villages, of the far tercile, …), so the groups are told apart by figure, and one
panel holds one row per measure (24 in the levers experiment, within the report's cap of
rows per forest panel) with one marker per context, offset within the row. Rows are sorted by
the effect in the first context; a filled marker is an interval that excludes zero, a hollow
one an interval that covers it. Data: :func:`lever_forest_data` (a pure function of the lever
table, ``tables/levers.csv``); names and units from the metrics registry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mergesim.plotting.figures import colours, figure_axes
from mergesim.plotting.intervals import FEW_REPLICATES, LEVEL
from mergesim.plotting.labels import metric_label, with_unit

#: Readable names of the levers experiment's measures (scenario label suffixes); a measure not
#: listed is printed with its underscores as spaces.
MEASURE_NAMES = {
    "agency_service": "village agency service",
    "village_rooms": "convenience rooms in merged villages",
    "transition_duty": "transition duty teams",
    "seat_stations": "stations at abolished seats",
    "keep_abolished_points": "abolished townships' points kept",
    "health_network": '"1 + 4 + N" health network',
    "devolved_stations": "devolved county stations",
    "enforcement_teams": "law-enforcement teams",
    "communication": "communication",
    "risk_watch": "risk watch (targeted talks)",
    "staffing_kept": "guarantee: staffing kept",
    "transfers_kept": "guarantee: transfers kept",
    "infrastructure_kept": "guarantee: infrastructure kept",
    "services_kept": "guarantee: services not lowered",
    "cadres_placed": "guarantee: cadres placed",
    "policies_kept": "guarantee: policies unchanged",
    "land_rights_kept": "guarantee: land rights unchanged",
    "collective_kept": "guarantee: collective interests",
    "poverty_support_kept": "guarantee: poverty support",
    "transition_pay": "transition pay",
    "training": "training programme",
    "screening": "candidate screening",
    "policy_plan": "policy plan (vs uniform)",
    "border_exemptions": "border exemptions",
}
#: How the legend names the lever table's contexts.
CONTEXT_LEGEND = {
    "seed": "seed county, measure removed",
    "merger alone": "merger alone, measure added or removed",
}
#: Vertical offset of each context's marker within its measure's row.
OFFSET = 0.17
#: Height (inches) of one measure's row.
ROW_HEIGHT = 0.3

FOREST_COLUMNS = ["measure", "name", "context", "row", "effect", "ci_lo", "ci_hi", "n_pairs"]


def measure_name(measure: str) -> str:
    """The readable name of a measure (:data:`MEASURE_NAMES`, else underscores as spaces)."""
    return MEASURE_NAMES.get(measure, measure.replace("_", " "))


def lever_forest_data(levers: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of one metric's lever forest figure.

    Args:
        levers: The lever table (:data:`mergesim.report.levers.LEVER_COLUMNS`).
        metric: The compared metric.

    Returns:
        :data:`FOREST_COLUMNS`, one row per measure and context; ``row`` numbers the measures
        from the top, sorted by the effect in the table's first context (largest first;
        measures without a finite effect there last, by their effect in the other context).
    """
    part = levers[levers["metric"] == metric]
    if part.empty:
        return pd.DataFrame(columns=FOREST_COLUMNS)
    contexts = list(dict.fromkeys(part["context"]))
    wide = part.pivot_table(index="measure", columns="context", values="effect", aggfunc="first")
    keys = [wide[c] if c in wide else pd.Series(np.nan, index=wide.index) for c in contexts]
    order = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    order = order.sort_values(list(order.columns), ascending=False, na_position="last")
    rows = {m: i for i, m in enumerate(order.index)}
    out = part.assign(
        name=part["measure"].map(measure_name),
        row=part["measure"].map(rows),
        n_pairs=part["n_pairs"].astype(int),
        _ctx=part["context"].map(contexts.index),
    )
    return out.sort_values(["row", "_ctx"])[FOREST_COLUMNS].reset_index(drop=True)


def plot_lever_forest(data: pd.DataFrame, metric: str, *, ax: Axes | None = None) -> Figure:
    """Each measure's effect on ``metric`` with its interval, one marker per context.

    Args:
        data: :func:`lever_forest_data`.
        metric: The compared metric (its name and unit label the axis and title).
        ax: Axes to draw on (default: a new figure sized to the rows).
    """
    n_rows = int(data["row"].max()) + 1 if len(data) else 0
    fig, ax = figure_axes(ax, (8.0, ROW_HEIGHT * n_rows + 1.8))
    contexts = list(dict.fromkeys(data["context"]))
    cols = colours(max(len(contexts), 1))
    markers = ("o", "D", "s", "^")
    offsets = np.linspace(-OFFSET, OFFSET, len(contexts)) if len(contexts) > 1 else [0.0]
    ax.axvline(0.0, color="0.45", lw=0.9, zorder=1)
    for i, ctx in enumerate(contexts):
        d = data[data["context"] == ctx]
        y = d["row"].to_numpy(float) + offsets[i]
        eff, lo, hi = (d[c].to_numpy(float) for c in ("effect", "ci_lo", "ci_hi"))
        err = np.nan_to_num(np.vstack([eff - lo, hi - eff]), nan=0.0)
        ax.errorbar(eff, y, xerr=err, fmt="none", ecolor=cols[i], elinewidth=1.2, capsize=2)
        clear = (lo > 0) | (hi < 0)
        ax.scatter(
            eff[clear],
            y[clear],
            color=cols[i],
            marker=markers[i % 4],
            s=30,
            zorder=3,
            label=f"{CONTEXT_LEGEND.get(ctx, ctx)}:\ninterval excludes 0",
        )
        ax.scatter(
            eff[~clear],
            y[~clear],
            facecolors="white",
            edgecolors=cols[i],
            marker=markers[i % 4],
            s=30,
            zorder=3,
            label=f"{CONTEXT_LEGEND.get(ctx, ctx)}:\ninterval covers 0",
        )
    names = data.drop_duplicates("row").sort_values("row")
    ax.set_yticks(names["row"].to_numpy(), list(names["name"]), fontsize=8)
    ax.set_ylim(n_rows - 0.5, -0.5)  # the largest effect on top
    for r in range(0, n_rows, 2):  # banded rows guide the eye from a name to its markers
        ax.axhspan(r - 0.5, r + 0.5, color="0.95", zorder=0, lw=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.set_xlabel(with_unit("effect of the measure: with it − without it", metric))
    pct = f"{LEVEL:.0%}".replace("%", " %")
    n = data["n_pairs"].astype(int)
    pairs = f"{n.min()}" if len(n) and n.min() == n.max() else f"{n.min()}–{n.max()}"
    few = ", few" if len(n) and n.min() < FEW_REPLICATES else ""
    ax.set_title(
        f"{metric_label(metric)}\npaired effect (same seeds), {pct} t interval; "
        f"n = {pairs} replicate pairs{few}",
        fontsize=9,
    )
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
