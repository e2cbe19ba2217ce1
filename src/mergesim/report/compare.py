"""``mergesim compare``: several results folders — sweeps or single runs — side by side.

Each folder's runs are grouped by design point as in its own report (a folder with one point is
one group, named after the folder; otherwise ``folder: point``). The first folder is the
baseline: a group of another folder is compared, by paired differences on the replicate and
the seed (different root seeds: no pairs), with the first folder's group of the same design
point when it has one, else with the first folder's first group.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mergesim.errors import UserError
from mergesim.io import atomic_write_text
from mergesim.plotting import compare as pc
from mergesim.report import tables
from mergesim.report.figures import draw_figures
from mergesim.results import read_manifest, read_runs, read_timeseries
from mergesim.results.layout import COMPARE_MD, FIGURES_DIR, write_readme

#: Metrics compared when neither the command nor the folders name any.
DEFAULT_METRICS = ("post.travel_min_mean",)


def _names(paths: Sequence[Path]) -> list[str]:
    """Short distinct names of the folders (their names, with the parent where they clash)."""
    names = [p.name for p in paths]
    return [f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 else p.name for p in paths]


def _folder_runs(path: Path, name: str) -> pd.DataFrame:
    man = read_manifest(path)
    runs = read_runs(path)
    labels = man.get("factor_labels") or {}
    factors = [(k, labels.get(k, k)) for k in man.get("factors", []) if k in runs]
    runs = pc.label_groups(runs, factors, man.get("baseline"), pair_points=False)
    several = runs[pc.GROUP].nunique() > 1
    runs["point_group"] = runs[pc.GROUP]
    runs[pc.GROUP] = [f"{name}: {g}" if several else name for g in runs[pc.GROUP]]
    runs["folder"] = name
    return runs


def compare_results(
    paths: Sequence[str | Path],
    out: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    formats: Sequence[str] = ("png",),
) -> tuple[Path, str]:
    """Compare results folders: tables (CSV), figures and ``compare.md`` in ``out``.

    Args:
        paths: Two or more results folders (``mergesim sweep`` or ``mergesim run``).
        out: Output folder (default ``results/compare_<names>``).
        metrics: Compared metrics (default: the folders' own, else ``post.travel_min_mean``).
        formats: Image formats.

    Returns:
        ``(out folder, the tables as Markdown text)``.

    Raises:
        UserError: Fewer than two folders, a folder that is not a results folder, or a metric
            missing from a folder's runs.
    """
    if len(paths) < 2:
        raise UserError("compare needs at least two results folders", source="compare")
    paths = [Path(p) for p in paths]
    names = _names(paths)
    frames = [_folder_runs(p, n) for p, n in zip(paths, names, strict=True)]
    wanted = list(metrics or [])
    if not wanted:
        for p in paths:
            wanted += read_manifest(p).get("metrics", [])
    wanted = list(dict.fromkeys(wanted)) or list(DEFAULT_METRICS)
    weekly = list(dict.fromkeys(m.partition(".")[2] for m in wanted if "." in m))
    for p, runs in zip(paths, frames, strict=True):
        for m in wanted:
            if m not in runs:
                raise UserError(f"metric '{m}' is not in the runs of {p}", source="compare")
    first = frames[0]
    by_point = dict(zip(first["point_group"], first[pc.GROUP], strict=True))
    top = first[pc.GROUP].iloc[0]
    for runs in frames[1:]:
        runs[pc.BASE] = [by_point.get(g, top) for g in runs["point_group"]]
    first[pc.BASE] = None
    runs = pd.concat(frames, ignore_index=True)
    runs["seed"] = runs["seed"].astype(str)
    series = []
    for p, part in zip(paths, frames, strict=True):
        series.append(pc.tag_groups(read_timeseries(p, columns=weekly), part))
    ts = pd.concat(series, ignore_index=True)
    dest = Path(out) if out else Path("results") / ("compare_" + "_".join(names))[:120]
    # Pairs share the replicate and the seed: runs with different root seeds do not pair.
    paired_runs = runs.assign(replicate=runs["replicate"].astype(str) + "/" + runs["seed"])
    drawn = draw_figures(
        dest,
        paired_runs,
        ts,
        metrics=wanted,
        weekly=weekly,
        factors=[],
        formats=formats,
        response=False,
    )
    table = tables.metric_table(paired_runs, wanted)
    files = [tables.write_table(dest, "metrics", table)]
    body: list[str] = []
    for m in wanted:
        body += tables.metric_markdown(table, m, tables.run_scale(runs))
    text = "\n".join(body)
    lines = [
        f"# Comparison of {', '.join(map(str, paths))}",
        "",
        f"Baseline: the first folder, **{names[0]}**. One row per folder and design point; "
        "mean [95 % CI] over its replicates (Student-t; on the logit for shares); Δ: paired "
        "difference (same replicate and seed) from the baseline's run of the same design "
        "point, or from its first point. *few*: fewer than 5 replicates.",
        "",
        text,
        "## Figures",
        "",
    ]
    lines += [f"![{f.stem}]({FIGURES_DIR}/{f.name})" for f in drawn.files if f.suffix == ".png"]
    if drawn.skipped:
        lines += ["", "Not drawn:", ""] + [f"- {s}" for s in drawn.skipped]
    lines += [
        "",
        "## Reproduce",
        "",
        "```bash",
        "mergesim compare " + " ".join(map(str, paths)) + f" --out {dest}",
        "```",
        "",
    ]
    files.append(atomic_write_text(dest / COMPARE_MD, "\n".join(lines)))
    files.append(write_readme(dest, "compare", "Comparison of results folders"))
    return dest, text
