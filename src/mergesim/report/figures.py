"""Every figure of a results folder (or a comparison), one group per design point.

:func:`draw_figures` draws from the tidy tables (runs labelled by
:func:`mergesim.plotting.compare.label_groups`, the weekly table tagged with the same groups),
the sensitivity tables it is given and each run's per-village table on the stored county
geometry; it never rebuilds a county or imports the sweep. A figure that compares groups is
drawn only when the groups differ in what it shows; the report lists what was left out and why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mergesim.mechanisms.petitions import STAGES
from mergesim.plotting import compare as pc
from mergesim.plotting import panels
from mergesim.plotting.figures import save_figure
from mergesim.plotting.forest import plot_bands, plot_final
from mergesim.plotting.labels import metric_name
from mergesim.plotting.response import plot_heatmaps, plot_response
from mergesim.plotting.sensitivity import plot_convergence, plot_indices
from mergesim.plotting.timeseries import travel_change_data
from mergesim.results import geometry_dir, read_geometry, read_villages
from mergesim.results.layout import FIGURES_DIR

log = logging.getLogger(__name__)

MAX_RESPONSE_METRICS = 4  # response plots per factor: the first metrics of the experiment
MAX_PANEL_GROUPS = 12  # bands, channels, pipeline and maps: one panel or bar per group
#: Weekly backlog columns of the petition pipeline.
BACKLOG = tuple(f"backlog_{s}_per10k" for s in STAGES)


@dataclass
class Drawn:
    """What :func:`draw_figures` wrote, and the figures it left out (one line each)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """A file-name-safe version of ``text``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")


def save(fig, root: Path, name: str, formats: Sequence[str]) -> list[Path]:
    """Save ``fig`` as ``root/figures/<name>.<fmt>`` for every format."""
    return [save_figure(fig, root / FIGURES_DIR / f"{slug(name)}.{fmt}") for fmt in formats]


def group_weeks(runs: pd.DataFrame) -> dict[str, tuple[int | None, int | None]]:
    """Each group's reform week and end of transition (from its first ok run's summary)."""
    out: dict[str, tuple[int | None, int | None]] = {}
    if "timeline.reform_week" not in runs:
        return out
    ok = runs[runs["status"] == "ok"].dropna(subset=["timeline.reform_week"])
    for grp, part in ok.groupby(pc.GROUP, sort=False):
        end = part["timeline.transition_end"].iloc[0] if "timeline.transition_end" in part else None
        reform = int(part["timeline.reform_week"].iloc[0])
        out[str(grp)] = (reform, None if end is None or pd.isna(end) else int(end))
    return out


def draw_figures(
    root: Path,
    runs: pd.DataFrame,
    ts: pd.DataFrame,
    *,
    metrics: Sequence[str],
    weekly: Sequence[str],
    factors: Sequence[tuple[str, str]],
    formats: Sequence[str],
    response: bool,
    heatmap: bool = False,
    indices=None,
    convergence=None,
    method: str = "",
    minimum: int | None = None,
    scenario: str = "scenario",
) -> Drawn:
    """Every comparison figure of one results folder (or comparison) into ``root/figures``.

    Args:
        root: The folder.
        runs: The runs table with ``group`` and ``base_group``.
        ts: The weekly table with ``group`` (:func:`~mergesim.plotting.compare.tag_groups`).
        metrics: Compared metrics (``window.metric`` or run metrics).
        weekly: Weekly metrics drawn as bands.
        factors: ``(key, label)`` of the factors.
        formats: Image formats.
        response: Draw responses over the factors (and heat maps with ``heatmap``).
        indices, convergence, method, minimum: Sensitivity tables, the design method and
            its documented minimum sample.
        scenario: The column naming the scenario.
    """
    out = Drawn()
    names = pc.groups(runs)
    weeks = group_weeks(runs)
    baseline = next((b for b in runs[pc.BASE] if isinstance(b, str)), names[0] if names else "")
    for m in weekly:
        data = pc.band_data(ts, m)
        if not len(data):
            continue
        if data["group"].nunique() > MAX_PANEL_GROUPS:
            out.skipped.append(
                f"weekly bands of {metric_name(m)}: {data['group'].nunique()} design points "
                f"(more than {MAX_PANEL_GROUPS}); see the weekly table"
            )
            continue
        fig = plot_bands(data, m, weeks=weeks, baseline=baseline)
        out.files += save(fig, root, f"bands_{m}", formats)
    for m in metrics if method not in ("sobol", "morris") else ():
        final = pc.final_data(runs, m)
        if len(final) > 3 * MAX_PANEL_GROUPS:
            out.skipped.append(
                f"forest plot of {metric_name(m)}: {len(final)} design points; see "
                "tables/metrics.csv and the response figures"
            )
            continue
        paired = pc.paired_data(runs, m)
        fig = plot_final(final, m, paired=paired if len(paired) else None)
        out.files += save(fig, root, f"final_{m}", formats)
    if response and factors:
        out.files += _responses(root, runs, metrics, factors, formats, heatmap, scenario)
    _stability_figures(root, runs, ts, out, formats)
    if indices is not None:
        for m in dict.fromkeys(indices["metric"]):
            out.files += save(plot_indices(indices, method, m), root, f"{method}_{m}", formats)
            if convergence is not None and (convergence["metric"] == m).any():
                fig = plot_convergence(convergence, method, m, minimum=minimum)
                out.files += save(fig, root, f"{method}_convergence_{m}", formats)
    return out


def _responses(root, runs, metrics, factors, formats, heatmap: bool, scenario: str) -> list[Path]:
    files: list[Path] = []
    for key, label in factors:
        for m in metrics[:MAX_RESPONSE_METRICS]:
            data = pc.response_data(runs, m, key, factors, scenario=scenario)
            if len(data) and data["x"].nunique() > 1:
                fig = plot_response(data, m, key, factor_name=label)
                files += save(fig, root, f"response_{key}_{m}", formats)
    levels = {k: runs[k].nunique() for k, _ in factors if k in runs}
    if heatmap and len(factors) >= 2 and all(levels.get(k, 99) <= 12 for k, _ in factors[:2]):
        (fx, lx), (fy, ly) = factors[0], factors[1]
        for m in metrics[:MAX_RESPONSE_METRICS]:
            panels_ = pc.heatmap_data(runs, m, fx, fy, factors, scenario=scenario)
            if panels_:
                fig = plot_heatmaps(panels_, m, fx, fy, fx_name=lx, fy_name=ly)
                files += save(fig, root, f"heatmap_{fx}_{fy}_{m}", formats)
    return files


def _stability_figures(root: Path, runs, ts, out: Drawn, formats: Sequence[str]) -> None:
    """Cadre placement channels and the petition pipeline per design point, when there are few
    enough to read and they differ between the points compared."""
    n = len(pc.groups(runs))
    if runs.empty or n > MAX_PANEL_GROUPS:
        if n > MAX_PANEL_GROUPS:
            out.skipped.append(
                f"cadre channels, petition pipeline and travel-change maps: {n} design points "
                f"(more than {MAX_PANEL_GROUPS})"
            )
        return
    ok = runs[runs["status"] == "ok"]
    tab = panels.channel_table(ok, by=pc.GROUP)
    if not tab.empty and np.nansum(tab.to_numpy(float)) > 0:
        if panels.varies([row for _, row in tab.iterrows()]):
            fig = panels.plot_channels_by_group(tab)
            out.files += save(fig, root, "cadre_channels", formats)
        else:
            out.skipped.append("cadre channels: the same at every design point compared")
    pipe = panels.pipeline_data(ts, by=pc.GROUP)
    if pipe:
        if panels.varies([d["backlog"] for d in pipe.values()]):
            reform = {g: w[0] for g, w in group_weeks(runs).items() if w[0] is not None}
            fig = panels.plot_pipeline_by_group(pipe, reform)
            out.files += save(fig, root, "petition_pipeline", formats)
        else:
            out.skipped.append("petition pipeline: the same at every design point compared")


def change_map_groups(root: Path, runs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per design point, the mean change in expected travel per village over its replicates,
    drawn on its county's stored geometry (``travel_change_data`` of
    :mod:`mergesim.plotting.timeseries`), with the township boundaries and seats after the
    reform (from the point's first run's village table).

    None when there are more than :data:`MAX_PANEL_GROUPS` points. A point is left out when
    none of its runs stored a village table or its county has no stored geometry (a folder
    written before geometry was stored).
    """
    ok = runs[runs["status"] == "ok"]
    if ok.empty or ok[pc.GROUP].nunique() > MAX_PANEL_GROUPS or "county" not in ok:
        return {}
    layers: dict[str, Any] = {}
    out: dict[str, dict[str, Any]] = {}
    for grp, part in ok.groupby(pc.GROUP, sort=False):
        tables = [
            df.sort_values("village_index")
            for df in (read_villages(root, rid) for rid in part["run_id"])
            if df is not None
        ]
        key = part["county"].iloc[0]
        if not tables or not isinstance(key, str):
            continue
        if key not in layers:
            layers[key] = read_geometry(geometry_dir(root, key))
        layer = layers[key]
        if layer is None or any(len(t) != len(layer.shapes) for t in tables):
            continue
        stack = np.vstack([t["access_change"].to_numpy(float) for t in tables])
        seen = np.isfinite(stack).sum(axis=0)  # villages without villagers are NaN
        mean = np.where(seen > 0, np.nansum(stack, axis=0) / np.maximum(seen, 1), np.nan)
        first = tables[0]
        township = first["new_township_index"].to_numpy() if "new_township_index" in first else None
        seats = (
            np.flatnonzero(first["new_township_seat"].to_numpy(bool))
            if "new_township_seat" in first
            else None
        )
        out[str(grp)] = travel_change_data(layer, mean, township=township, seats=seats)
    return out


def draw_change_maps(root: Path, runs: pd.DataFrame, formats: Sequence[str], out: Drawn) -> None:
    """The travel-change maps of every design point in one figure (when they differ)."""
    maps = change_map_groups(root, runs)
    if not maps:
        return
    if not panels.varies([m["change"] for m in maps.values()]):
        out.skipped.append("travel-change maps: the same at every design point compared")
        return
    out.files += save(panels.plot_change_maps(maps), root, "travel_change_maps", formats)
