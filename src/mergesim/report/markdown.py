"""``report.md`` of a sweep's results folder, its tables as CSV, its figures and README.

:func:`finalize_results` is what ``mergesim sweep`` draws after the runs and ``mergesim plot``
redraws on demand (both through :mod:`mergesim.api`), from the stored files alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mergesim.io import atomic_write_text
from mergesim.plotting import compare as pc
from mergesim.plotting.intervals import FEW_REPLICATES
from mergesim.plotting.labels import scale_warnings
from mergesim.report import levers, robustness, tables
from mergesim.report.discovery_files import write_discovery
from mergesim.report.figures import BACKLOG, Drawn, draw_change_maps, draw_figures
from mergesim.report.province import province_section
from mergesim.report.summary import optional_table, summary_markdown
from mergesim.results import FactorInfo, Study, read_manifest, read_runs, read_timeseries
from mergesim.results.layout import FIGURES_DIR, REPORT_MD, TABLES_DIR, write_readme

log = logging.getLogger(__name__)


def finalize_results(
    root: str | Path,
    study: Study,
    indices=None,
    notes: Sequence[str] = (),
    *,
    convergence=None,
    formats: Sequence[str] | None = None,
) -> list[Path]:
    """Figures, tables (CSV), ``report.md`` and ``README.md`` of a results folder.

    Args:
        root: The results folder (runs table, weekly table, run folders, geometry).
        study: What ran (:func:`mergesim.sweep.study` of its experiment).
        indices: Sensitivity indices with their verdicts (Sobol/Morris designs), or None.
        notes: Lines about the sensitivity analysis (sample size, metrics left out).
        convergence: The indices on nested sub-designs, or None.
        formats: Image formats (default: the study's).

    Returns:
        The files written.

    Raises:
        UserError: The folder has no runs table.
    """
    root = Path(root)
    t0 = time.perf_counter()
    formats = tuple(formats or study.formats)
    factors = [(f.key, f.label) for f in study.factors]
    runs = pc.label_groups(
        read_runs(root), factors, study.baseline, pair_points=study.design == "factorial"
    )
    ts = read_timeseries(root, columns=[*study.weekly, *BACKLOG])
    ts = pc.tag_groups(ts, runs)
    # Sobol/Morris designs are summarised by their indices; responses over a Saltelli sample
    # or Morris trajectories would only repeat them less clearly.
    log.info("drawing the figures of %s", root)
    drawn = draw_figures(
        root,
        runs,
        ts,
        metrics=study.metrics,
        weekly=study.weekly,
        factors=factors,
        formats=formats,
        response=study.response and study.design in ("factorial", "lhs"),
        heatmap=study.design == "factorial",
        indices=indices,
        convergence=convergence,
        method=study.design,
        minimum=study.min_samples,
    )
    draw_change_maps(root, runs, formats, drawn)
    table = tables.metric_table(runs, study.metrics)
    files = [tables.write_table(root, "metrics", tables.csv_table(table, factors, runs))]
    # A levers experiment (its scenarios named by mergesim.report.levers' convention) also
    # gets each measure's paired effect and the decomposition of the reform's effect.
    lever_rows = levers.lever_table(runs, study.metrics)
    decomp = levers.decomposition(runs, study.metrics)
    if len(lever_rows):
        files.append(tables.write_table(root, "levers", lever_rows))
    if len(decomp):
        files.append(tables.write_table(root, "decomposition", decomp))
    if indices is not None:
        files.append(tables.write_table(root, "sensitivity", indices))
        if study.design == "morris":  # the ranking a robustness stage reads
            files.append(tables.write_table(root, "morris", robustness.morris_table(indices)))
    # The lever table at the ends of the assumptions' plausible ranges (a robustness stage).
    rob_files, rob_lines = robustness.write_robustness(root, lever_rows, study.metrics)
    files += rob_files
    # An experiment with [discovery]: PRIM boxes of the assumptions (tables, figures, section).
    disc_files, disc_lines = write_discovery(root, study, runs, formats)
    drawn.files += levers.draw_lever_figures(root, lever_rows, formats)
    # A province experiment's folder holds its counties: their tables, maps and section.
    province = province_section(root, runs, study.metrics, formats)
    files += drawn.files + disc_files + province.files
    files.append(
        write_report(
            root,
            study,
            runs,
            table,
            drawn,
            indices,
            notes,
            [
                *province.lines,
                *_lever_summary(root, lever_rows, decomp),
                *levers.levers_markdown(lever_rows, decomp),
                *rob_lines,
                *disc_lines,
            ],
        )
    )
    files.append(write_readme(root, "sweep", f"Results of the experiment '{study.name}'"))
    drop_stale(root / FIGURES_DIR, files)
    log.info("%d figures and report.md in %.1f s", len(drawn.files), time.perf_counter() - t0)
    return files


def _lever_summary(root: Path, lever_rows: pd.DataFrame, decomp: pd.DataFrame) -> list[str]:
    """The levers part's plain-language summary, with the robustness labels and PRIM boxes
    when their tables are in the folder."""
    tab = root / TABLES_DIR
    return summary_markdown(
        lever_rows,
        decomp,
        optional_table(tab / "robustness.csv"),
        optional_table(tab / "prim_boxes.csv"),
        optional_table(tab / "prim_searches.csv"),
    )


def drop_stale(folder: Path, keep: list[Path]) -> None:
    """Remove figures an earlier draw left that this one did not write (figures/ is ours)."""
    keep_set = {p.resolve() for p in keep}
    for p in folder.glob("*"):
        if p.suffix in (".png", ".svg", ".pdf") and p.resolve() not in keep_set:
            p.unlink(missing_ok=True)


def _n(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def _levels_run(study: Study, factor: FactorInfo, runs: pd.DataFrame) -> str:
    """A factorial factor's levels that ran (a smoke version keeps only some), else as filed."""
    if study.design != "factorial" or factor.key not in runs:
        return factor.levels
    vals = pd.unique(runs[factor.key].dropna())
    return ", ".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in sorted(vals))


def _what_ran(study: Study, runs: pd.DataFrame, man: dict) -> list[str]:
    counts = runs["status"].value_counts().to_dict()
    out = [
        f"- experiment: `{man.get('experiment_file', study.experiment_file)}`"
        f"{' (smoke version)' if study.smoke or man.get('smoke') else ''}; resolved "
        "copy `experiment.toml`, scenarios in `scenarios/`",
        f"- design: **{study.design}**, {_n(runs['point'].nunique(), 'point')} × "
        f"{_n(study.replications, 'replication')} × "
        f"{_n(len(study.scenarios), 'scenario')} = {_n(len(runs), 'run')} "
        f"({', '.join(f'{v} {k}' for k, v in counts.items())})",
    ]
    for ref in study.scenarios:
        sets = ", ".join(f"`{k}={v!r}`" for k, v in ref.sets.items())
        base = " (baseline)" if ref.label == study.baseline else ""
        out.append(
            f"- scenario **{ref.label}**{base}: `{ref.file}`" + (f" with {sets}" if sets else "")
        )
    out += [
        f"- factor `{f.key}` ({f.label}, {f.unit}): {_levels_run(study, f, runs)}"
        for f in study.factors
    ]
    if study.overrides:
        out.append(
            "- set on every run: " + ", ".join(f"`{k}={v!r}`" for k, v in study.overrides.items())
        )
    scale = tables.run_scale(runs)
    if scale is not None:
        out.append(f"- villagers simulated: `villagers.scale` = {scale:g} of the population")
    out.append(
        f"- seeds: root seed {study.seed}; replicate k uses the same seed in every "
        "scenario and point (paired replicates, common random numbers)"
    )
    v = man.get("versions", {})
    out.append(
        f"- code: mergesim {v.get('mergesim')}, git {str(man.get('git_commit'))[:12]}, "
        f"Python {v.get('python')}, Mesa {v.get('mesa')}, NumPy {v.get('numpy')}; "
        f"started {man.get('started', '?')}, state {man.get('state', '?')}"
    )
    return out


def _method_text(study: Study, runs: pd.DataFrame) -> list[str]:
    n_groups = len(pc.groups(runs))
    pairs = runs[pc.BASE].notna().any()
    text = [
        f"One row per **design point** ({_n(n_groups, 'point')}: a scenario with its factor "
        "values); only a point's replicates pool, never different factor levels. *mean*: "
        "mean over the point's replicates with its 95 % interval — Student-t, or for shares "
        "(dimensionless values in [0, 1]) Student-t on the logit, which stays inside [0, 1]. "
    ]
    if pairs:
        text.append(
            "*Δ*: mean paired difference from the point's *baseline* (same replicate, hence "
            "the same seed: common random numbers) with its Student-t interval. "
        )
    elif study.design == "lhs" and len(study.scenarios) == 1:
        text.append(
            "A Latin hypercube has no baseline point: the response figures show the effects. "
        )
    text.append(
        f"**few**: fewer than {FEW_REPLICATES} replicates — the interval rests on normality "
        "of so few values and is wide. Three significant figures; full precision in "
        "`tables/metrics.csv`."
    )
    return ["".join(text), ""]


def write_report(
    root: Path,
    study: Study,
    runs: pd.DataFrame,
    table: pd.DataFrame,
    drawn: Drawn,
    indices=None,
    notes: Sequence[str] = (),
    lever_lines: Sequence[str] = (),
) -> Path:
    """Write ``root/report.md``: what ran, the levers (a levers experiment), the metric
    tables, sensitivity, figures, runs not finished, how to reproduce."""
    man = read_manifest(root)
    out = [f"# {study.name}", "", study.description or "(no description)", "", "## What was run"]
    out += ["", *_what_ran(study, runs, man), ""]
    out += [*lever_lines, "## Metrics by design point", ""]
    if study.design not in ("sobol", "morris"):
        out += _method_text(study, runs)
    scale = tables.run_scale(runs)
    warn = scale_warnings([*study.metrics, *study.weekly], scale) if scale is not None else []
    if warn:
        out += [f"> **Warning:** {w}." for w in warn] + [""]
    if study.design in ("sobol", "morris"):
        out += [
            f"The {len(pc.groups(runs))} design points of the {study.design} sample are "
            "summarised by the sensitivity indices below; each point's values are in "
            "`tables/metrics.csv`.",
            "",
        ]
    else:
        for m in study.metrics:
            out += tables.metric_markdown(table, m, scale)
    if indices is not None or notes:
        out += [f"## Sensitivity ({study.design})", ""]
        out += [f"> **Warning:** {n}." if "minimum" in n else f"- note: {n}" for n in notes]
        out.append("")
        if indices is not None:
            out += [
                "Indices with SALib's 95 % bootstrap intervals. An index is **UNRELIABLE** when "
                "the sample is below the documented minimum, its interval is wider than the "
                "index, a Sobol index lies outside [0, 1] by more than its interval, or it has "
                "no finite interval (docs/experiments.md). Full table: "
                "`tables/sensitivity.csv`. "
                + (
                    "Convergence over nested sub-designs: the `*_convergence_*` figures."
                    if any("_convergence_" in f.stem for f in drawn.files)
                    else "No convergence figure: the sample is too small to split into "
                    "nested sub-designs (Sobol: N ≥ 8, Morris: r ≥ 4)."
                ),
                "",
            ]
            out += tables.sensitivity_markdown(indices, study.design)
    imgs = [f for f in drawn.files if f.suffix in (".png", ".svg")]
    seen: set[str] = set()
    if imgs or drawn.skipped:
        out += ["## Figures", ""]
        for f in imgs:
            if f.stem not in seen:
                seen.add(f.stem)
                out += [f"![{f.stem}]({FIGURES_DIR}/{f.name})", ""]
        if drawn.skipped:
            out += ["Not drawn:", ""] + [f"- {s}" for s in drawn.skipped] + [""]
    failed = runs[runs["status"] != "ok"]
    if len(failed):
        out += ["## Runs not finished", ""]
        for _, r in failed.head(20).iterrows():
            out.append(
                f"- `{r['run_id']}` ({r[pc.GROUP]}, replicate {r['replicate']}): "
                f"{r['status']} — {r.get('error') or ''}"
            )
        if len(failed) > 20:
            out.append(f"- … and {len(failed) - 20} more (see manifest.json)")
        out.append("")
    out += [
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
    return atomic_write_text(root / REPORT_MD, "\n".join(out))
