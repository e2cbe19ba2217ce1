"""Figures and ``report.md`` for a sweep's results folder, and comparisons across folders.

:func:`finalize_results` is what ``mergesim sweep`` runs at the end and ``mergesim plot``
re-runs on demand: from the stored tables alone (no simulation) it computes sensitivity
indices where the design has them, draws every figure into ``figures/`` and writes
``report.md`` — what was run, a headline table of metrics per scenario with 95 % intervals and
paired differences against the baseline, the figures, failed runs, and the exact command that
reproduces the results. :func:`compare_results` does the same across several results folders.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from mergesim.errors import UserError

MAX_RESPONSE_METRICS = 4  # response plots per factor: the first metrics of the experiment
MAX_PANEL_GROUPS = 12  # channel and pipeline panels: one bar / panel per group


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")


def _save(fig, root: Path, name: str, formats: list[str]) -> list[Path]:
    from mergesim.plotting.maps import save_figure

    return [save_figure(fig, root / "figures" / f"{_slug(name)}.{fmt}") for fmt in formats]


def _fmt(m: float, lo: float, hi: float) -> str:
    import math

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


def draw_figures(root: Path, runs, ts, *, metrics: list[str], weekly: list[str],
                 baseline: str, factors: list[tuple[str, str]], formats: list[str],
                 response: bool, heatmap: bool = False, by: str = "scenario", indices=None,
                 method: str = "") -> list[Path]:
    """Every comparison figure of one results folder (or comparison) into ``root/figures``."""
    from mergesim.plotting import compare as pc

    files: list[Path] = []
    groups = list(dict.fromkeys(runs[by]))
    reform, end = _reform_weeks(runs, by)
    for m in weekly:
        data = pc.band_data(ts, m, by=by)
        if len(data):
            files += _save(pc.plot_bands(data, m, reform_weeks=reform, transition_end=end),
                           root, f"bands_{m}", formats)
    for m in metrics:
        final = pc.final_data(runs, m, by=by)
        paired = pc.paired_data(runs, m, baseline, by=by) if len(groups) > 1 else None
        files += _save(pc.plot_final(final, m, paired=paired, baseline=baseline), root,
                       f"final_{m}", formats)
    if response and factors:
        for key, label in factors:
            for m in metrics[:MAX_RESPONSE_METRICS]:
                data = pc.response_data(runs, m, key, by=by)
                if len(data):
                    files += _save(pc.plot_response(data, m, key, factor_name=label), root,
                                   f"response_{key}_{m}", formats)
        if heatmap and len(factors) >= 2 and runs[factors[0][0]].nunique() <= 12 \
                and runs[factors[1][0]].nunique() <= 12:
            (fx, _), (fy, _) = factors[0], factors[1]
            for m in metrics[:MAX_RESPONSE_METRICS]:
                pivot = pc.heatmap_data(runs, m, fx, fy)
                if pivot.size:
                    files += _save(pc.plot_heatmap(pivot, m, fx, fy), root,
                                   f"heatmap_{fx}_{fy}_{m}", formats)
    files += _stability_figures(root, runs, ts, reform, by, formats)
    if indices is not None:
        for m in dict.fromkeys(indices["metric"]):
            files += _save(pc.plot_indices(indices, method, m), root, f"{method}_{m}", formats)
    return files


def _stability_figures(root: Path, runs, ts, reform: dict[str, int], by: str,
                       formats: list[str]) -> list[Path]:
    """Cadre placement channels and the petition pipeline per group (when there are few
    enough groups to read: a factor sweep with dozens of points gets neither)."""
    from mergesim.plotting import panels

    files: list[Path] = []
    if runs.empty or runs[by].nunique() > MAX_PANEL_GROUPS:
        return files
    tab = panels.channel_table(runs, by=by)
    if not tab.empty and np.nansum(tab.to_numpy(float)) > 0:
        files += _save(panels.plot_channels_by_group(tab), root, "cadre_channels", formats)
    pipe = panels.pipeline_data(ts, by=by)
    if pipe:
        files += _save(panels.plot_pipeline_by_group(pipe, reform), root, "petition_pipeline",
                       formats)
    return files


def change_map_groups(root: Path, exp, runs) -> dict[str, dict[str, Any]]:
    """Per group, the mean change in expected travel per village over its runs, with its
    county (``travel_change_data`` of :mod:`mergesim.plotting.timeseries`).

    Groups are the scenarios, or (scenario, point) when the design has several points; none
    when there are more than :data:`MAX_PANEL_GROUPS` or no run stored a village file. The
    county of a group is rebuilt from its first run's resolved scenario (milliseconds for
    data, about half a second for the synthetic seed county; one build per distinct county).
    """
    from mergesim.config import scenario_to_dict
    from mergesim.county import build_county
    from mergesim.plotting.timeseries import travel_change_data
    from mergesim.sweep.design import plan_runs
    from mergesim.sweep.store import read_villages

    ok = runs[runs["status"] == "ok"]
    several = ok["point"].nunique() > 1
    keys = list(dict.fromkeys(zip(ok["scenario"], ok["point"], strict=True)))
    n_groups = len(keys) if several else ok["scenario"].nunique()
    if ok.empty or n_groups > MAX_PANEL_GROUPS:
        return {}
    specs = {(r.label, r.point): r.scenario for r in plan_runs(exp)}
    counties: dict[str, Any] = {}
    out: dict[str, dict[str, Any]] = {}
    for grp, part in ok.groupby(["scenario", "point"] if several else "scenario", sort=False):
        label, point = (grp if several else (grp, part["point"].iloc[0]))
        changes = []
        for rid in part["run_id"]:
            df = read_villages(root, rid, ["village", "access_change"])
            if df is not None:
                changes.append(df.sort_values("village")["access_change"].to_numpy(float))
        scen = specs.get((label, int(point)))
        if not changes or scen is None:
            continue
        d = scenario_to_dict(scen)
        ckey = repr([d[k] for k in ("county", "terrain", "border", "heritage", "roads")]
                    + [scen.base_dir if scen.county.source != "synthetic" else ""])
        if ckey not in counties:
            counties[ckey] = build_county(scen)
        county = counties[ckey]
        if any(len(c) != county.n_villages for c in changes):
            continue
        stack = np.vstack(changes)
        seen = np.isfinite(stack).sum(axis=0)  # villages without villagers are NaN
        mean = np.where(seen > 0, np.nansum(stack, axis=0) / np.maximum(seen, 1), np.nan)
        name = str(label)
        if several:
            vals = ", ".join(f"{f.label} = {_cell(part[f.key].iloc[0])}" for f in exp.factors
                             if f.key in part)
            name = f"{label} · point {point}" + (f" ({vals})" if vals else "")
        out[name] = travel_change_data(county, np.zeros(county.n_villages), mean)
    return out


def _weekly_metrics(exp) -> list[str]:
    if exp.params.plots.timeseries:
        return list(exp.params.plots.timeseries)
    return list(dict.fromkeys(m.partition(".")[2] for m in exp.params.metrics))


def finalize_results(root: str | Path, *, exp=None) -> list[Path]:
    """Sensitivity tables, figures and report.md of a results folder, from its stored files.

    Args:
        root: The results folder (with experiment.toml, runs.csv and the time series).
        exp: The experiment (default: read from ``root/experiment.toml``).

    Returns:
        The files written.

    Raises:
        UserError: The folder is not a sweep's results folder.
    """
    from mergesim.sweep.experiment import load_experiment
    from mergesim.sweep.store import read_runs, read_timeseries

    root = Path(root)
    if not (root / "experiment.toml").is_file():
        raise UserError("not a sweep results folder (no experiment.toml)", source=str(root))
    if exp is None:
        exp = load_experiment(root / "experiment.toml")
    runs = read_runs(root)
    weekly = _weekly_metrics(exp)
    from mergesim.mechanisms.petitions import STAGES

    ts = read_timeseries(root, columns=weekly + [f"backlog_{s}_per10k" for s in STAGES])
    files: list[Path] = []
    indices, notes = None, []
    method = exp.params.design.method
    if method in ("sobol", "morris"):
        from mergesim.sweep.sensitivity import analyze_all

        indices, notes = analyze_all(exp, runs)
        if indices is not None:
            from mergesim.sweep.store import atomic_path

            files.append(root / f"sensitivity_{method}.csv")
            with atomic_path(files[-1]) as tmp:
                indices.to_csv(tmp, index=False)
    factors = [(f.key, f.label) for f in exp.factors]
    # Sobol/Morris designs are summarised by their indices; response curves over a Saltelli
    # sample or Morris trajectories would only repeat them less clearly.
    response = exp.params.plots.response and method in ("factorial", "lhs")
    files += draw_figures(root, runs, ts, metrics=exp.params.metrics, weekly=weekly,
                          baseline=exp.baseline, factors=factors,
                          formats=exp.params.plots.formats, response=response,
                          heatmap=method == "factorial", indices=indices, method=method)
    maps = change_map_groups(root, exp, runs)
    if maps:
        from mergesim.plotting.panels import plot_change_maps

        files += _save(plot_change_maps(maps), root, "travel_change_maps",
                       exp.params.plots.formats)
    files.append(write_report(root, exp, runs, files, indices, notes))
    _drop_stale(root / "figures", files)
    return files


def _drop_stale(folder: Path, keep: list[Path]) -> None:
    """Remove figures an earlier draw left that this one did not write (figures/ is ours)."""
    keep_set = {p.resolve() for p in keep}
    for p in folder.glob("*"):
        if p.suffix in (".png", ".svg", ".pdf") and p.resolve() not in keep_set:
            p.unlink(missing_ok=True)


def _manifest(root: Path) -> dict[str, Any]:
    try:
        return json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def headline_table(runs, metrics: list[str], baseline: str, by: str = "scenario") -> list[str]:
    """Markdown rows: one per metric, mean [95 % CI] per group and paired Δ vs the baseline."""
    from mergesim.plotting.compare import final_data, metric_label, paired_data

    groups = list(dict.fromkeys(runs[by]))
    others = [g for g in groups if g != baseline]
    head = ["metric", *[str(g) for g in groups], *[f"Δ {g} − {baseline}" for g in others]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in metrics:
        fin = final_data(runs, m, by=by).set_index("group")
        cells = [_fmt(*fin.loc[g, ["mean", "ci_lo", "ci_hi"]]) for g in groups]
        if others:
            pd_ = paired_data(runs, m, baseline, by=by).set_index("group")
            cells += [_fmt(*pd_.loc[g, ["mean_diff", "ci_lo", "ci_hi"]]) for g in others]
        lines.append(f"| {metric_label(m)} | " + " | ".join(cells) + " |")
    return lines


def _point_table(runs, exp, metrics: list[str]) -> list[str]:
    from mergesim.plotting.compare import t_interval

    keys = [f.key for f in exp.factors]
    ok = runs[runs["status"] == "ok"]
    head = ["scenario", *[f.label for f in exp.factors], *metrics]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (scen, _pt), part in ok.groupby(["scenario", "point"], sort=False):
        vals = [_cell(part[k].iloc[0]) for k in keys]
        cells = [_fmt(*t_interval(part[m].to_numpy(dtype=float))) if m in part else "–"
                 for m in metrics]
        lines.append("| " + " | ".join([str(scen), *vals, *cells]) + " |")
    return lines


def _cell(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def write_report(root: Path, exp, runs, figures: list[Path], indices=None,
                 notes: list[str] | None = None) -> Path:
    """Write ``root/report.md`` (see the module docstring)."""
    from mergesim.io import atomic_write_text

    man = _manifest(root)
    counts = runs["status"].value_counts().to_dict()
    p = exp.params
    out = [f"# {exp.name}", "", p.description or "(no description)", "", "## What was run", ""]
    out.append(f"- experiment: `{man.get('experiment_file', exp.path)}`"
               f"{' (smoke version)' if exp.smoke or man.get('smoke') else ''}; resolved copy "
               "`experiment.toml`, scenarios in `scenarios/`")
    out.append(f"- design: **{p.design.method}**, {_n(runs['point'].nunique(), 'point')} × "
               f"{_n(p.replications, 'replication')} × {_n(len(exp.scenarios), 'scenario')} = "
               f"{_n(len(runs), 'run')} ({', '.join(f'{v} {k}' for k, v in counts.items())})")
    for ref in exp.scenarios:
        sets = ", ".join(f"`{k}={v!r}`" for k, v in ref.overrides.items())
        base = " (baseline)" if ref.label == exp.baseline else ""
        out.append(f"- scenario **{ref.label}**{base}: `{ref.path.name}`"
                   + (f" with {sets}" if sets else ""))
    for f in exp.factors:
        lv = (", ".join(map(str, f.values)) if f.values else
              f"[{f.range[0]:g}, {f.range[1]:g}]{' log' if f.log else ''}"
              + (f", {f.steps} levels" if p.design.method == "factorial" else ""))
        out.append(f"- factor `{f.key}` ({f.unit}): {lv}")
    if exp.overrides:
        out.append("- set on every run: " + ", ".join(f"`{k}={v!r}`"
                                                   for k, v in exp.overrides.items()))
    out.append(f"- seeds: root seed {p.seed}; replicate k uses the same seed in every scenario "
               "and point (paired replicates)")
    v = man.get("versions", {})
    out.append(f"- code: mergesim {v.get('mergesim')}, git {str(man.get('git_commit'))[:12]}, "
               f"Python {v.get('python')}, Mesa {v.get('mesa')}, NumPy {v.get('numpy')}; "
               f"started {man.get('started', '?')}, state {man.get('state', '?')}")
    out += ["", "## Headline metrics", "",
            f"Mean over runs with 95 % Student-t interval; Δ columns are paired differences "
            f"against **{exp.baseline}** (same point and replicate, hence the same seed).", ""]
    out += headline_table(runs, p.metrics, exp.baseline)
    if exp.factors and p.design.method == "factorial" and runs["point"].nunique() <= 40:
        out += ["", "### Per point", ""] + _point_table(runs, exp, p.metrics)
    if indices is not None or notes:
        out += ["", f"## Sensitivity ({p.design.method})", ""]
        if indices is not None:
            cols = [c for c in indices.columns if c not in ("label",)]
            out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            for _, row in indices.iterrows():
                out.append("| " + " | ".join(f"{row[c]:.3g}" if isinstance(row[c], float)
                                             else str(row[c]) for c in cols) + " |")
        out += [f"- note: {n}" for n in notes or []]
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
            out.append(f"- `{r['run_id']}` ({r['scenario']}, point {r['point']}, replicate "
                       f"{r['replicate']}): {r['status']} — {r.get('error') or ''}")
        if len(failed) > 20:
            out.append(f"- … and {len(failed) - 20} more (see manifest.json)")
    out += ["", "## Reproduce", "", "```bash", man.get("command", "mergesim sweep ..."),
            f"# or, from the stored resolved files:\nmergesim sweep {root}/experiment.toml "
            f"--out {root}", f"# redraw figures and this report:\nmergesim plot {root}", "```",
            ""]
    dest = root / "report.md"
    atomic_write_text(dest, "\n".join(out))
    return dest


def compare_results(paths: list[str | Path], out: str | Path | None = None,
                    metrics: list[str] | None = None) -> tuple[Path, str]:
    """Compare several results folders: tables, figures and ``compare.md`` in ``out``.

    Groups are the folders (``folder:scenario`` when a folder holds several scenarios); the
    first is the baseline of the paired differences (paired on point, replicate and seed).

    Returns:
        ``(out folder, the headline table as text)``.
    """
    import pandas as pd

    from mergesim.io import atomic_write_text
    from mergesim.sweep.store import read_runs, read_timeseries

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
            wanted += _manifest(p).get("metrics", [])
        ts = read_timeseries(p, columns=[m.partition(".")[2] for m in dict.fromkeys(wanted)])
        series.append(ts.assign(group=[f"{p.name}:{s}" if multi else p.name
                                       for s in ts["scenario"]]))
    wanted = list(dict.fromkeys(wanted)) or ["post.travel_min_mean"]
    runs = pd.concat(frames, ignore_index=True)
    runs["seed"] = runs["seed"].astype(str)
    ts = pd.concat(series, ignore_index=True)
    baseline = str(runs["group"].iloc[0])
    dest = Path(out) if out else Path("results") / ("compare_" + "_".join(Path(p).name
                                                                         for p in paths))[:120]
    for m in wanted:
        if m not in runs:
            raise UserError(f"metric '{m}' is not in every runs table", source="compare")
    files = draw_figures(dest, runs, ts, metrics=wanted,
                         weekly=list(dict.fromkeys(m.partition(".")[2] for m in wanted)),
                         baseline=baseline, factors=[], formats=["png"], response=False,
                         by="group")
    # Pairs must share the seed as well as point and replicate (different root seeds: no pairs).
    table = headline_table(runs.assign(point=runs["point"].astype(str) + "/" + runs["seed"]),
                           wanted, baseline, by="group")
    text = "\n".join(table)
    lines = [f"# Comparison of {', '.join(map(str, paths))}", "",
             f"Baseline: **{baseline}**. Mean [95 % CI]; Δ = paired difference (same point, "
             "replicate and seed).", "", text, "", "## Figures", ""]
    lines += [f"![{f.stem}](figures/{f.name})" for f in files]
    lines += ["", "## Reproduce", "", "```bash",
              "mergesim compare " + " ".join(map(str, paths)) + f" --out {dest}", "```", ""]
    atomic_write_text(dest / "compare.md", "\n".join(lines))
    return dest, text
