"""Scenario discovery's files in a results folder: ``tables/prim_boxes.csv``, one box figure
per outcome with boxes, and the report's section (the numbers: :mod:`.discovery`)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mergesim.plotting.boxes import plot_prim_box
from mergesim.plotting.intervals import fmt_sig
from mergesim.plotting.labels import metric_label
from mergesim.report import discovery as disc
from mergesim.report.figures import save
from mergesim.report.summary import optional_table, prim_sentences
from mergesim.report.tables import write_table
from mergesim.results import Study
from mergesim.results.layout import FIGURES_DIR, TABLES_DIR

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
    if settings.get("include"):
        return include_discovery(root, Path(settings["include"]))
    if not settings or not settings.get("outcomes"):
        return [], []
    ranges = {f.key: f.range for f in study.factors if f.range is not None}
    labels = {f.key: f.label for f in study.factors}
    prim = disc.load_prim()
    if prim is None:
        log.warning("scenario discovery needs PRIM: pip install 'mergesim[discovery]'")
    results = disc.discover(runs, settings, ranges, prim_module=prim)
    files = [
        write_table(root, "prim_boxes", disc.box_table(results)),
        write_table(root, "prim_searches", disc.search_table(results, settings["min_density"])),
    ]
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


def include_discovery(root: Path, source: Path) -> tuple[list[Path], list[str]]:
    """Show another results folder's PRIM boxes in this one: its ``tables/prim_boxes.csv`` and
    box figures are copied in (so the folder stands alone) and the section names where they
    come from. Without that folder's table the section says what to run; it is not an error
    (the experiments may run in either order).

    Args:
        root: This results folder.
        source: The discovery experiment's results folder (absolute).

    Returns:
        The files written and the report's lines.
    """
    table = source / TABLES_DIR / "prim_boxes.csv"
    if not table.is_file():
        log.warning("no scenario discovery results at %s: its boxes are not in the report", table)
        return [], [
            "## Scenario discovery",
            "",
            f"No PRIM boxes yet: `{table}` does not exist. Run the discovery experiment "
            "(`mergesim sweep experiments/levers_discovery.toml`), then redraw this report "
            f"(`mergesim plot {root}`).",
            "",
        ]
    prim = pd.read_csv(table)
    files = [write_table(root, "prim_boxes", prim)]
    searches = optional_table(source / TABLES_DIR / "prim_searches.csv")
    if searches is not None:
        files.append(write_table(root, "prim_searches", searches))
    figures = []
    (root / FIGURES_DIR).mkdir(parents=True, exist_ok=True)
    for fig in sorted((source / FIGURES_DIR).glob("prim_box_*")):
        dest = root / FIGURES_DIR / fig.name
        shutil.copyfile(fig, dest)
        files.append(dest)
        if fig.suffix in (".png", ".svg"):
            figures.append(f"{FIGURES_DIR}/{fig.name}")
    section = report_section(source / "report.md", "## Scenario discovery")
    lines = [
        "## Scenario discovery",
        "",
        f"From the scenario-discovery run in `{source}` (its report.md; the table and box "
        "figures are copied into this folder).",
        "",
    ]
    if section:
        return files, lines + section
    lines += prim_sentences(prim, searches) or ["- No outcome has a box."]
    lines += ["", *[f"![PRIM box]({f})" for f in figures]]
    return files, lines


def report_section(report: Path, heading: str) -> list[str]:
    """The lines of one ``## `` section of a report.md, without its heading (empty when the
    file or the section is missing)."""
    if not report.is_file():
        return []
    lines = report.read_text(encoding="utf-8").splitlines()
    if heading not in lines:
        return []
    body = []
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("## "):
            break
        body.append(line)
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    return [*body, ""] if body else []
