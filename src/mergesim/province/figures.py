"""The county map of an outcome (choropleth) over the province's stored map.

:func:`choropleth_data` (pure) pairs each county's polygon with its value; :func:`choropleth`
draws it: a sequential colour scale labelled from the metrics registry, counties without a
finished run hatched grey, border counties outlined in black.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as PolygonPatch
from shapely.geometry import MultiPolygon, Polygon

from mergesim.plotting.figures import figure_axes
from mergesim.plotting.labels import metric_label

#: Figure size (inches).
SIZE = (6.4, 5.6)
_CMAP = "viridis"


def _rings(geom) -> list[np.ndarray]:
    """Exterior rings of a polygon or multipolygon (holes do not occur in a Voronoi map)."""
    parts = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    return [np.asarray(p.exterior.coords) for p in parts if isinstance(p, Polygon)]


def choropleth_data(
    cells: Mapping[str, object], counties: pd.DataFrame, metric: str
) -> pd.DataFrame:
    """One row per county with a polygon: ``county, value, border, geometry`` (value NaN
    where the county has no finished run)."""
    rows = []
    for _, r in counties.iterrows():
        geom = cells.get(str(r["county"]))
        if geom is None:
            continue
        value = r[metric] if metric in counties.columns else np.nan
        rows.append(
            {
                "county": str(r["county"]),
                "value": float(value),
                "border": bool(r["border"]),
                "geometry": geom,
            }
        )
    return pd.DataFrame(rows, columns=["county", "value", "border", "geometry"])


def choropleth(
    cells: Mapping[str, object],
    counties: pd.DataFrame,
    metric: str,
    *,
    outline=None,
    ax: Axes | None = None,
) -> Figure:
    """Draw ``metric`` per county on the province's map.

    Args:
        cells: County label → polygon (:func:`mergesim.province.geometry.read_geojson`).
        counties: The county table with the metric's column (:func:`county_table`).
        metric: A summary metric (``window.key``).
        outline: The province's outline, drawn on top (optional).
        ax: Axes to draw on (default: a new figure).

    Returns:
        The figure.
    """
    fig, ax = figure_axes(ax, SIZE)
    data = choropleth_data(cells, counties, metric)
    vals = data["value"].to_numpy(dtype=float)
    fin = vals[np.isfinite(vals)]
    lo, hi = (float(fin.min()), float(fin.max())) if len(fin) else (0.0, 1.0)
    norm = Normalize(lo, hi if hi > lo else lo + 1e-9)
    mapper = ScalarMappable(norm=norm, cmap=_CMAP)
    for _, r in data.iterrows():
        ok = np.isfinite(r["value"])
        for ring in _rings(r["geometry"]):
            ax.add_patch(
                PolygonPatch(
                    ring,
                    closed=True,
                    facecolor=mapper.to_rgba(r["value"]) if ok else "0.85",
                    hatch=None if ok else "///",
                    edgecolor="black" if r["border"] else "white",
                    linewidth=0.9 if r["border"] else 0.5,
                )
            )
    if outline is not None:
        for ring in _rings(outline):
            ax.plot(ring[:, 0], ring[:, 1], color="black", linewidth=1.2)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    missing = int((~np.isfinite(vals)).sum())
    note = f"; {missing} without a finished run (hatched)" if missing else ""
    ax.set_title(f"{len(data)} counties; border counties outlined{note}", fontsize=9)
    fig.colorbar(mapper, ax=ax, label=metric_label(metric), shrink=0.8)
    return fig
