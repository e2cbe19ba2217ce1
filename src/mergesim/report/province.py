"""The report's province section: county and pooled tables, county maps, ``## Province``.

Drawn for a results folder holding a province (``province.csv`` and ``province.geojson``,
written by the sweep of a province experiment); other folders get nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mergesim.plotting.figures import save_figure
from mergesim.plotting.intervals import fmt_estimate, fmt_sig
from mergesim.plotting.labels import metric_label
from mergesim.province import PROVINCE_CSV, PROVINCE_GEOJSON
from mergesim.province.figures import choropleth
from mergesim.province.geometry import read_geojson
from mergesim.province.tables import county_table, pooled_table, province_totals
from mergesim.report.tables import write_table
from mergesim.results.layout import FIGURES_DIR

#: County maps drawn at most (the first metrics of the study).
MAX_MAPS = 6


@dataclass
class ProvinceSection:
    """What the province section adds: Markdown lines and the files written."""

    lines: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def read_counties(root: Path) -> pd.DataFrame | None:
    """The stored county table, or None for a folder without a province."""
    path = Path(root) / PROVINCE_CSV
    if not path.is_file() or not (Path(root) / PROVINCE_GEOJSON).is_file():
        return None
    return pd.read_csv(path, dtype={"county": str})


def province_section(
    root: str | Path, runs: pd.DataFrame, metrics: Sequence[str], formats: Sequence[str]
) -> ProvinceSection:
    """Write the province tables and maps of ``root``; return the report's lines."""
    root = Path(root)
    counties = read_counties(root)
    if counties is None:
        return ProvinceSection()
    ct = county_table(counties, runs, metrics)
    pooled = pooled_table(ct, metrics, runs)
    files = [
        write_table(root, "province_counties", ct),
        write_table(root, "province_pooled", pooled),
    ]
    cells, outline = read_geojson(root / PROVINCE_GEOJSON)
    maps = []
    for m in list(metrics)[:MAX_MAPS]:
        fig = choropleth(cells, ct, m, outline=outline)
        stem = "province_map_" + m.replace(".", "_")
        for fmt in formats:
            files.append(save_figure(fig, root / FIGURES_DIR / f"{stem}.{fmt}"))
        maps.append((m, stem))
    return ProvinceSection(_lines(ct, pooled, metrics, maps, formats), files)


def _lines(
    ct: pd.DataFrame,
    pooled: pd.DataFrame,
    metrics: Sequence[str],
    maps: list[tuple[str, str]],
    formats: Sequence[str],
) -> list[str]:
    tot = province_totals(ct)
    out = ["## Province", ""]
    realised = ""
    if "plan.villages_after" in tot:
        realised = (
            f" The plans of the {tot['counties_run']} counties run realised "
            f"{tot['plan.townships_after']:,.0f} townships and {tot['plan.villages_after']:,.0f} "
            "villages after the reform (their targets are the plan's factors, before / after)."
        )
    terr = ", ".join(f"{k} {v}" for k, v in ct["terrain"].value_counts().sort_index().items())
    out += [
        f"{tot['counties']} counties ({terr}; {tot['border_counties']} on the province's "
        f"outline, with border townships and villages), {tot['population']:,} people: "
        f"{tot['townships']:,} townships to merge into {tot['townships_after']:,} and "
        f"{tot['villages']:,} villages into {tot['villages_after']:,} (the counties' targets)."
        + realised,
        "",
        "Counties are the units: each county's value is the mean of its finished runs; a "
        "group's value is the mean over its counties with a 95 % Student-t interval across "
        "them (on the logit for shares), so the interval holds the spread between counties. "
        "Size class: below (small) or at least (large) the province's median villages per "
        "county. Every county: `tables/province_counties.csv`; every group: "
        "`tables/province_pooled.csv`.",
        "",
    ]
    for m in metrics:
        part = pooled[(pooled["metric"] == m) & pooled["grouping"].isin(["type", "all"])]
        out += [f"**{metric_label(m)}** (`{m}`)", "", "| county type | counties | mean [95 % CI] |"]
        out.append("|---|---:|---|")
        for _, r in part.iterrows():
            est = (
                fmt_estimate(r["mean"], r["ci_lo"], r["ci_hi"], int(r["n"]))
                if r["n"] >= 2
                else (fmt_sig(r["mean"]) if r["n"] == 1 else "–")
            )
            out.append(f"| {r['group']} | {r['n']} of {r['counties']} | {est} |")
        out.append("")
    shown = [f for f in formats if f in ("png", "svg")]
    if maps and shown:
        out += ["County maps (border counties outlined):", ""]
        out += [f"![{stem}]({FIGURES_DIR}/{stem}.{shown[0]})" for _, stem in maps]
        out.append("")
    return out
