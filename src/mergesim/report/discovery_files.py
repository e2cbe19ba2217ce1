"""Scenario discovery's files in a results folder: ``tables/prim_boxes.csv``, one box figure
per outcome with boxes, and the report's section (the numbers: :mod:`.discovery`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mergesim.plotting.boxes import plot_prim_box
from mergesim.plotting.intervals import fmt_sig
from mergesim.plotting.labels import metric_label
from mergesim.report import discovery as disc
from mergesim.report.figures import save
from mergesim.report.tables import write_table
from mergesim.results import Study
from mergesim.results.layout import FIGURES_DIR

log = logging.getLogger(__name__)


def write_discovery(
    root: Path, study: Study, runs: pd.DataFrame, formats: Sequence[str]
) -> tuple[list[Path], list[str]]:
    """Scenario discovery of a results folder whose study has a ``[discovery]`` section.

    Args:
        root: The results folder.
        study: What ran (its ``discovery`` settings and factor ranges).
        runs: The tidy runs table.
        formats: Image formats of the figures.

    Returns:
        The files written and the report's lines (both empty without ``[discovery]``).
    """
    settings = study.discovery
    if not settings or not settings.get("outcomes"):
        return [], []
    ranges = {f.key: f.range for f in study.factors if f.range is not None}
    labels = {f.key: f.label for f in study.factors}
    prim = disc.load_prim()
    if prim is None:
        log.warning("scenario discovery needs PRIM: pip install 'mergesim[discovery]'")
    results = disc.discover(runs, settings, ranges, prim_module=prim)
    files = [write_table(root, "prim_boxes", disc.box_table(results))]
    figures: dict[str, str] = {}
    for r in results:
        data = disc.box_figure_data(r, ranges, labels)
        if data.empty:
            continue
        title = f"{metric_label(r.outcome)}: reform effect > {fmt_sig(r.threshold)}"
        fig = plot_prim_box(data, title)
        saved = save(fig, root, f"prim_box_{r.outcome}", formats)
        files += saved
        shown = [p for p in saved if p.suffix in (".png", ".svg")]
        if shown:
            figures[r.outcome] = f"{FIGURES_DIR}/{shown[0].name}"
    return files, disc.discovery_markdown(results, settings, labels, figures)
