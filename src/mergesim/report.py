"""Figures and ``report.md`` for a sweep's results folder, and comparisons across folders.

:func:`finalize_results` is what ``mergesim sweep`` draws after the runs and ``mergesim plot``
redraws on demand (both through :mod:`mergesim.api`): from the stored files alone — the runs
and weekly tables, each run's per-village table and the stored county geometry; no
simulation, no county rebuilt — it draws every figure into ``figures/`` and writes
``report.md``: what was run, a headline table of metrics per scenario with 95 % intervals and
paired differences against the baseline, the sensitivity indices it is given, the figures,
failed runs, and the exact command that reproduces the results. :func:`compare_results` does
the same across several results folders.

What ran comes in as a :class:`~mergesim.results.Study` and the indices as a table, both from
the caller: the report reads results folders and never imports the sweep.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mergesim.errors import UserError
from mergesim.io import atomic_write_text
from mergesim.mechanisms.petitions import STAGES
from mergesim.plotting import compare as pc
from mergesim.plotting import panels
from mergesim.plotting.figures import save_figure
from mergesim.plotting.timeseries import travel_change_data
from mergesim.results import (
    Study,
    geometry_dir,
    read_geometry,
    read_manifest,
    read_runs,
    read_timeseries,
    read_villages,
)

MAX_RESPONSE_METRICS = 4  # response plots per factor: the first metrics of the experiment
MAX_PANEL_GROUPS = 12  # channel and pipeline panels: one bar / panel per group


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")


def _save(fig, root: Path, name: str, formats: Sequence[str]) -> list[Path]:
    return [save_figure(fig, root / "figures" / f"{_slug(name)}.{fmt}") for fmt in formats]


def _fmt(m: float, lo: float, hi: float) -> str:
    if not math.isfinite(m):
        return "–"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{m:.4g}"
    return f"{m:.4g} [{lo:.4g}, {hi:.4g}]"


def _reform_weeks(runs, by: str = "scenario") -> tuple[dict[str, int], int | None]:
    weeks: dict[str, int] = {}
    end = None
    if "timeline.reform_week" in runs:
        ok = runs[runs["status"] == "ok"].dropna(subset=["timeline.reform_week"])
        for grp, part in ok.groupby(by, sort=False):
            weeks[str(grp)] = int(part["timeline.reform_week"].iloc[0])
        if "timeline.transition_end" in ok and len(ok):
            end = int(ok["timeline.transition_end"].iloc[0])
    return weeks, end


def draw_figures(
    root: Path,
    runs,
    ts,
    *,
    metrics: Sequence[str],
    weekly: Sequence[str],
    baseline: str,
    factors: list[tuple[str, str]],
    formats: Sequence[str],
    response: bool,
    heatmap: bool = False,
    by: str = "scenario",
    indices=None,
    method: str = "",
) -> list[Path]:
    """Every comparison figure of one results folder (or comparison) into ``root/figures``."""
    files: list[Path] = []
    groups = list(dict.fromkeys(runs[by]))
    reform, end = _reform_weeks(runs, by)
    for m in weekly:
        data = pc.band_data(ts, m, by=by)
        if len(data):
            files += _save(
                pc.plot_bands(data, m, reform_weeks=reform, transition_end=end),
                root,
                f"bands_{m}",
                formats,
            )
    for m in metrics:
        final = pc.final_data(runs, m, by=by)
        paired = pc.paired_data(runs, m, baseline, by=by) if len(groups) > 1 else None
        files += _save(
            pc.plot_final(final, m, paired=paired, baseline=baseline), root, f"final_{m}", formats
        )
    if response and factors:
        for key, label in factors:
            for m in metrics[:MAX_RESPONSE_METRICS]:
                data = pc.response_data(runs, m, key, by=by)
                if len(data):
                    files += _save(
                        pc.plot_response(data, m, key, factor_name=label),
                        root,
                        f"response_{key}_{m}",
                        formats,
                    )
        if (
            heatmap
            and len(factors) >= 2
            and runs[factors[0][0]].nunique() <= 12
            and runs[factors[1][0]].nunique() <= 12
        ):
            (fx, _), (fy, _) = factors[0], factors[1]
            for m in metrics[:MAX_RESPONSE_METRICS]:
                pivot = pc.heatmap_data(runs, m, fx, fy)
                if pivot.size:
                    files += _save(
                        pc.plot_heatmap(pivot, m, fx, fy), root, f"heatmap_{fx}_{fy}_{m}", formats
                    )
    files += _stability_figures(root, runs, ts, reform, by, formats)
    if indices is not None:
        for m in dict.fromkeys(indices["metric"]):
            files += _save(pc.plot_indices(indices, method, m), root, f"{method}_{m}", formats)
    return files


def _stability_figures(
    root: Path, runs, ts, reform: dict[str, int], by: str, formats: Sequence[str]
) -> list[Path]:
    """Cadre placement channels and the petition pipeline per group (when there are few
    enough groups to read: a factor sweep with dozens of points gets neither)."""
    files: list[Path] = []
    if runs.empty or runs[by].nunique() > MAX_PANEL_GROUPS:
        return files
    tab = panels.channel_table(runs, by=by)
    if not tab.empty and np.nansum(tab.to_numpy(float)) > 0:
        files += _save(panels.plot_channels_by_group(tab), root, "cadre_channels", formats)
    pipe = panels.pipeline_data(ts, by=by)
    if pipe:
        files += _save(
            panels.plot_pipeline_by_group(pipe, reform), root, "petition_pipeline", formats
        )
    return files


def change_map_groups(root: Path, study: Study, runs) -> dict[str, dict[str, Any]]:
    """Per group, the mean change in expected travel per village over its runs, drawn on its
    county's stored geometry (``travel_change_data`` of :mod:`mergesim.plotting.timeseries`).

    Groups are the scenarios, or (scenario, point) when the design has several points; none
    when there are more than :data:`MAX_PANEL_GROUPS`. A group is left out when none of its
    runs stored a village table or its county has no stored geometry (a folder written before
    geometry was stored). Township boundaries and seats are the group's after the reform (from
    its first run's village table).
    """
    ok = runs[runs["status"] == "ok"]
    several = ok["point"].nunique() > 1
    keys = list(dict.fromkeys(zip(ok["scenario"], ok["point"], strict=True)))
    n_groups = len(keys) if several else ok["scenario"].nunique()
    if ok.empty or n_groups > MAX_PANEL_GROUPS or "county" not in ok:
        return {}
    layers: dict[str, Any] = {}
    out: dict[str, dict[str, Any]] = {}
    for grp, part in ok.groupby(["scenario", "point"] if several else "scenario", sort=False):
        label, point = grp if several else (grp, part["point"].iloc[0])
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
        name = str(label)
        if several:
            vals = ", ".join(
                f"{f.label} = {_cell(part[f.key].iloc[0])}" for f in study.factors if f.key in part
            )
            name = f"{label} · point {point}" + (f" ({vals})" if vals else "")
        out[name] = travel_change_data(layer, mean, township=township, seats=seats)
    return out


def finalize_results(
    root: str | Path, study: Study, indices=None, notes: Sequence[str] = ()
) -> list[Path]:
    """Figures and report.md of a results folder, from its stored files.

    Args:
        root: The results folder (runs table, weekly table, run folders, geometry).
        study: What ran (:func:`mergesim.sweep.study` of its experiment).
        indices: Sensitivity indices to show and plot (Sobol/Morris designs), or None.
        notes: Lines about metrics the sensitivity analysis left out.

    Returns:
        The files written.

    Raises:
        UserError: The folder has no runs table.
    """
    root = Path(root)
    runs = read_runs(root)
    ts = read_timeseries(root, columns=[*study.weekly, *(f"backlog_{s}_per10k" for s in STAGES)])
    factors = [(f.key, f.label) for f in study.factors]
    # Sobol/Morris designs are summarised by their indices; response curves over a Saltelli
    # sample or Morris trajectories would only repeat them less clearly.
    response = study.response and study.design in ("factorial", "lhs")
    files = draw_figures(
        root,
        runs,
        ts,
        metrics=study.metrics,
        weekly=study.weekly,
        baseline=study.baseline,
        factors=factors,
        formats=study.formats,
        response=response,
        heatmap=study.design == "factorial",
        indices=indices,
        method=study.design,
    )
    maps = change_map_groups(root, study, runs)
    if maps:
        files += _save(panels.plot_change_maps(maps), root, "travel_change_maps", study.formats)
    files.append(write_report(root, study, runs, files, indices, notes))
    _drop_stale(root / "figures", files)
    return files


def _drop_stale(folder: Path, keep: list[Path]) -> None:
    """Remove figures an earlier draw left that this one did not write (figures/ is ours)."""
    keep_set = {p.resolve() for p in keep}
    for p in folder.glob("*"):
        if p.suffix in (".png", ".svg", ".pdf") and p.resolve() not in keep_set:
            p.unlink(missing_ok=True)


def headline_table(runs, metrics: Sequence[str], baseline: str, by: str = "scenario") -> list[str]:
    """Markdown rows: one per metric, mean [95 % CI] per group and paired Δ vs the baseline."""
    groups = list(dict.fromkeys(runs[by]))
    others = [g for g in groups if g != baseline]
    head = ["metric", *[str(g) for g in groups], *[f"Δ {g} − {baseline}" for g in others]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in metrics:
        fin = pc.final_data(runs, m, by=by).set_index("group")
        cells = [_fmt(*fin.loc[g, ["mean", "ci_lo", "ci_hi"]]) for g in groups]
        if others:
            pd_ = pc.paired_data(runs, m, baseline, by=by).set_index("group")
            cells += [_fmt(*pd_.loc[g, ["mean_diff", "ci_lo", "ci_hi"]]) for g in others]
        lines.append(f"| {pc.metric_label(m)} | " + " | ".join(cells) + " |")
    return lines


def _point_table(runs, study: Study, metrics: Sequence[str]) -> list[str]:
    keys = [f.key for f in study.factors]
    ok = runs[runs["status"] == "ok"]
    head = ["scenario", *[f.label for f in study.factors], *metrics]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (scen, _pt), part in ok.groupby(["scenario", "point"], sort=False):
        vals = [_cell(part[k].iloc[0]) for k in keys]
        cells = [
            _fmt(*pc.t_interval(part[m].to_numpy(dtype=float))) if m in part else "–"
            for m in metrics
        ]
        lines.append("| " + " | ".join([str(scen), *vals, *cells]) + " |")
    return lines


def _cell(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def write_report(
    root: Path, study: Study, runs, figures: list[Path], indices=None, notes: Sequence[str] = ()
) -> Path:
    """Write ``root/report.md`` (see the module docstring)."""
    man = read_manifest(root)
    counts = runs["status"].value_counts().to_dict()
    out = [
        f"# {study.name}",
        "",
        study.description or "(no description)",
        "",
        "## What was run",
        "",
    ]
    out.append(
        f"- experiment: `{man.get('experiment_file', study.experiment_file)}`"
        f"{' (smoke version)' if study.smoke or man.get('smoke') else ''}; resolved "
        "copy `experiment.toml`, scenarios in `scenarios/`"
    )
    out.append(
        f"- design: **{study.design}**, {_n(runs['point'].nunique(), 'point')} × "
        f"{_n(study.replications, 'replication')} × "
        f"{_n(len(study.scenarios), 'scenario')} = {_n(len(runs), 'run')} "
        f"({', '.join(f'{v} {k}' for k, v in counts.items())})"
    )
    for ref in study.scenarios:
        sets = ", ".join(f"`{k}={v!r}`" for k, v in ref.sets.items())
        base = " (baseline)" if ref.label == study.baseline else ""
        out.append(
            f"- scenario **{ref.label}**{base}: `{ref.file}`" + (f" with {sets}" if sets else "")
        )
    for f in study.factors:
        out.append(f"- factor `{f.key}` ({f.unit}): {f.levels}")
    if study.overrides:
        out.append(
            "- set on every run: " + ", ".join(f"`{k}={v!r}`" for k, v in study.overrides.items())
        )
    out.append(
        f"- seeds: root seed {study.seed}; replicate k uses the same seed in every "
        "scenario and point (paired replicates)"
    )
    v = man.get("versions", {})
    out.append(
        f"- code: mergesim {v.get('mergesim')}, git {str(man.get('git_commit'))[:12]}, "
        f"Python {v.get('python')}, Mesa {v.get('mesa')}, NumPy {v.get('numpy')}; "
        f"started {man.get('started', '?')}, state {man.get('state', '?')}"
    )
    out += [
        "",
        "## Headline metrics",
        "",
        f"Mean over runs with 95 % Student-t interval; Δ columns are paired differences "
        f"against **{study.baseline}** (same point and replicate, hence the same seed).",
        "",
    ]
    out += headline_table(runs, study.metrics, study.baseline)
    if study.factors and study.design == "factorial" and runs["point"].nunique() <= 40:
        out += ["", "### Per point", ""] + _point_table(runs, study, study.metrics)
    if indices is not None or notes:
        out += ["", f"## Sensitivity ({study.design})", ""]
        if indices is not None:
            cols = [c for c in indices.columns if c not in ("label",)]
            out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            for _, row in indices.iterrows():
                out.append(
                    "| "
                    + " | ".join(
                        f"{row[c]:.3g}" if isinstance(row[c], float) else str(row[c]) for c in cols
                    )
                    + " |"
                )
        out += [f"- note: {n}" for n in notes]
    imgs = [f for f in figures if f.suffix in (".png", ".svg") and "figures" in f.parts]
    seen: set[str] = set()
    if imgs:
        out += ["", "## Figures", ""]
        for f in imgs:
            if f.stem in seen:
                continue
            seen.add(f.stem)
            out += [f"![{f.stem}](figures/{f.name})", ""]
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        out += ["", "## Runs not finished", ""]
        for _, r in failed.head(20).iterrows():
            out.append(
                f"- `{r['run_id']}` ({r['scenario']}, point {r['point']}, replicate "
                f"{r['replicate']}): {r['status']} — {r.get('error') or ''}"
            )
        if len(failed) > 20:
            out.append(f"- … and {len(failed) - 20} more (see manifest.json)")
    out += [
        "",
        "## Reproduce",
        "",
        "```bash",
        man.get("command", "mergesim sweep ..."),
        f"# or, from the stored resolved files:\nmergesim sweep {root}/experiment.toml "
        f"--out {root}",
        f"# redraw figures and this report:\nmergesim plot {root}",
        "```",
        "",
    ]
    dest = root / "report.md"
    atomic_write_text(dest, "\n".join(out))
    return dest


def compare_results(
    paths: list[str | Path], out: str | Path | None = None, metrics: list[str] | None = None
) -> tuple[Path, str]:
    """Compare several results folders: tables, figures and ``compare.md`` in ``out``.

    Groups are the folders (``folder:scenario`` when a folder holds several scenarios); the
    first is the baseline of the paired differences (paired on point, replicate and seed).

    Returns:
        ``(out folder, the headline table as text)``.
    """
    if len(paths) < 2:
        raise UserError("compare needs at least two results folders", source="compare")
    frames, series = [], []
    wanted: list[str] = list(metrics or [])
    for p in map(Path, paths):
        runs = read_runs(p)
        multi = runs["scenario"].nunique() > 1
        runs = runs.assign(group=[f"{p.name}:{s}" if multi else p.name for s in runs["scenario"]])
        frames.append(runs)
        if not metrics:
            wanted += read_manifest(p).get("metrics", [])
        ts = read_timeseries(p, columns=[m.partition(".")[2] for m in dict.fromkeys(wanted)])
        series.append(
            ts.assign(group=[f"{p.name}:{s}" if multi else p.name for s in ts["scenario"]])
        )
    wanted = list(dict.fromkeys(wanted)) or ["post.travel_min_mean"]
    runs = pd.concat(frames, ignore_index=True)
    runs["seed"] = runs["seed"].astype(str)
    ts = pd.concat(series, ignore_index=True)
    baseline = str(runs["group"].iloc[0])
    dest = (
        Path(out)
        if out
        else Path("results") / ("compare_" + "_".join(Path(p).name for p in paths))[:120]
    )
    for m in wanted:
        if m not in runs:
            raise UserError(f"metric '{m}' is not in every runs table", source="compare")
    files = draw_figures(
        dest,
        runs,
        ts,
        metrics=wanted,
        weekly=list(dict.fromkeys(m.partition(".")[2] for m in wanted)),
        baseline=baseline,
        factors=[],
        formats=["png"],
        response=False,
        by="group",
    )
    # Pairs must share the seed as well as point and replicate (different root seeds: no pairs).
    table = headline_table(
        runs.assign(point=runs["point"].astype(str) + "/" + runs["seed"]),
        wanted,
        baseline,
        by="group",
    )
    text = "\n".join(table)
    lines = [
        f"# Comparison of {', '.join(map(str, paths))}",
        "",
        f"Baseline: **{baseline}**. Mean [95 % CI]; Δ = paired difference (same point, "
        "replicate and seed).",
        "",
        text,
        "",
        "## Figures",
        "",
    ]
    lines += [f"![{f.stem}](figures/{f.name})" for f in files]
    lines += [
        "",
        "## Reproduce",
        "",
        "```bash",
        "mergesim compare " + " ".join(map(str, paths)) + f" --out {dest}",
        "```",
        "",
    ]
    atomic_write_text(dest / "compare.md", "\n".join(lines))
    return dest, text
