"""The layout of every results folder, described once: the writers take their file names from
here, and the ``README.md`` written into each folder is rendered from the same entries.

Three kinds of folder: a sweep's (``mergesim sweep``), a single run's (``mergesim run``) and a
comparison's (``mergesim compare``). :func:`readme_text` renders a folder's README;
``tests/sweep`` checks that every file a sweep writes is described here.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from mergesim.io import atomic_write_text

# -- names every writer uses ------------------------------------------------------------------

README = "README.md"
MANIFEST = "manifest.json"
EXPERIMENT_TOML = "experiment.toml"
SCENARIOS_DIR = "scenarios"
RUNS_DIR = "runs"
RUNS_CSV, RUNS_PARQUET = "runs.csv", "runs.parquet"
TIMESERIES_PARQUET, TIMESERIES_CSV_GZ = "timeseries.parquet", "timeseries.csv.gz"
RESULT_JSON = "result.json"
REPORT_MD, COMPARE_MD = "report.md", "compare.md"
FIGURES_DIR, TABLES_DIR = "figures", "tables"
SUMMARY_JSON, RUN_TIMESERIES, RUN_VILLAGES = "summary.json", "timeseries.csv", "villages.csv"
SCENARIO_TOML = "scenario.toml"
LOCK = ".lock"


@dataclass(frozen=True)
class Entry:
    """One file or folder of a results folder.

    Attributes:
        path: Its path inside the folder; ``*`` and ``<...>`` stand for any name.
        what: What it holds.
    """

    path: str

    what: str

    def matches(self, rel: str) -> bool:
        """Whether the relative path ``rel`` is this entry (or inside it, for a folder)."""
        pattern = self.path
        for token in ("<id>", "<label>", "<county key>", "<name>", "<fmt>", "<method>"):
            pattern = pattern.replace(token, "*")
        return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")


SWEEP_LAYOUT: tuple[Entry, ...] = (
    Entry(README, "this file: the folder's layout"),
    Entry(
        REPORT_MD,
        "the report: what ran, tables of every metric per design point with "
        "95 % intervals and paired differences against the baseline, sensitivity indices, "
        "figures, notes and the command that reproduces the results",
    ),
    Entry(
        f"{TABLES_DIR}/<name>.csv",
        "every table of report.md as CSV, full precision "
        "(metrics.csv: per metric and design point n, mean, interval and method; "
        "paired.csv: paired differences; sensitivity.csv: indices with their verdicts; "
        "levers.csv and decomposition.csv: a levers experiment's effect of each measure and "
        "the decomposition of the reform's effect, mergesim.report.levers; robustness.csv, "
        "robustness_ends.csv and morris.csv: each effect's robustness label, its effects at "
        "the ends of the tested assumptions, the Morris ranking, mergesim.report.robustness; "
        "prim_boxes.csv: an experiment with [discovery]: the PRIM boxes, one row per "
        "restricted assumption; prim_searches.csv: every outcome searched and what came of it, "
        "mergesim.report.discovery)",
    ),
    Entry(
        "robustness/<key>-<low|high>/",
        "a robustness stage's sub-studies (an experiment with [robustness]): its scenarios "
        "with the assumption at that end of its plausible range, each a results folder of its "
        "own; robustness/plan.json: what the stage ran and why those assumptions",
    ),
    Entry(
        f"{FIGURES_DIR}/<name>.<fmt>",
        "the figures (PNG, and SVG/PDF as the experiment's "
        "plots.formats or --formats ask): weekly bands, forest plots of final values with "
        "replicates and paired differences, responses to the factors, heat maps, "
        "sensitivity indices and their convergence, cadre channels, petition pipeline, "
        "maps of the change in travel burden; a levers experiment's levers_<metric>: each "
        "measure's effect with its interval in both contexts",
    ),
    Entry(
        EXPERIMENT_TOML,
        "the experiment as resolved (every setting; command-line sizes "
        "applied); `mergesim sweep experiment.toml --out .` resumes it",
    ),
    Entry(f"{SCENARIOS_DIR}/<label>.toml", "each base scenario as resolved (every parameter)"),
    Entry(
        MANIFEST,
        "versions, git commit, root seed, the command, the study's identity, "
        "per-run status, time and error",
    ),
    Entry(
        f"{RUNS_DIR}/<id>/{RESULT_JSON}",
        "one run: scenario label, design point, "
        "replicate, seed, county key, status, seconds, error and its summary (the source "
        "of truth for resuming)",
    ),
    Entry(f"{RUNS_DIR}/<id>/timeseries.csv.gz", "the run's weekly metrics"),
    Entry(
        f"{RUNS_DIR}/<id>/villages.csv.gz",
        "per village: roles and travel burden and "
        "access before and after the reform (the columns of `mergesim run`'s villages.csv)",
    ),
    Entry(
        "geometry/<county key>/",
        "the county of those runs as GeoJSON (villages, "
        "townships, merged villages, new townships), stored once per distinct county",
    ),
    Entry(
        RUNS_CSV,
        "the tidy runs table: one row per run of the design (scenario, point, "
        "replicate, seed, status, factor values, every summary metric)",
    ),
    Entry(RUNS_PARQUET, "the same as Parquet (with pyarrow)"),
    Entry(
        TIMESERIES_PARQUET,
        "weekly metrics of every finished run, tagged with run, scenario, point and replicate",
    ),
    Entry(TIMESERIES_CSV_GZ, "the same as gzipped CSV (without pyarrow)"),
    Entry(
        "sensitivity_<method>.csv",
        "Sobol or Morris indices with bootstrap intervals and verdicts (those designs only)",
    ),
    Entry("sensitivity_<method>_convergence.csv", "the indices on nested sub-designs"),
    Entry(LOCK, "held by a running sweep (no other sweep writes the folder meanwhile)"),
)

RUN_LAYOUT: tuple[Entry, ...] = (
    Entry(README, "this file: the folder's layout"),
    Entry(
        SUMMARY_JSON,
        "run facts and every metric per window (pre, transition, post, "
        "change), petition facts and the cadre metrics",
    ),
    Entry(RUN_TIMESERIES, "one row per week: week, phase, window and every weekly metric"),
    Entry(
        RUN_VILLAGES,
        "per village: old and new units, roles, travel burden (realised) "
        "and access (expected) before and after the reform",
    ),
    Entry(SCENARIO_TOML, "the resolved scenario (every parameter)"),
    Entry(
        "geometry/<name>.geojson",
        "the county and its plan as GeoJSON (villages, "
        "townships, merged villages, new townships), joined to villages.csv by `village`",
    ),
    Entry("travel_coverage.<fmt>", "weekly travel and coverage, reform week marked"),
    Entry(
        "travel_change_map.<fmt>",
        "change in expected travel burden per village, with the "
        "new townships' boundaries and seats",
    ),
    Entry("stability.<fmt>", "weekly petitions and grievance"),
    Entry("petition_pipeline.<fmt>", "open petitions per stage of the six-step loop"),
    Entry("cadre_channels.<fmt>", "where the cadres not kept went; posts before and after"),
)

COMPARE_LAYOUT: tuple[Entry, ...] = (
    Entry(README, "this file: the folder's layout"),
    Entry(
        COMPARE_MD,
        "the comparison: every metric per folder and design point with 95 % "
        "intervals and paired differences against the first folder",
    ),
    Entry(f"{TABLES_DIR}/<name>.csv", "the tables of compare.md as CSV, full precision"),
    Entry(f"{FIGURES_DIR}/<name>.<fmt>", "weekly bands and forest plots of the compared metrics"),
)

LAYOUTS = {"sweep": SWEEP_LAYOUT, "run": RUN_LAYOUT, "compare": COMPARE_LAYOUT}
_TITLES = {
    "sweep": "a sweep's results (`mergesim sweep`)",
    "run": "one run's results (`mergesim run`)",
    "compare": "a comparison of results folders (`mergesim compare`)",
}


def readme_text(kind: str, title: str = "") -> str:
    """The README of a results folder of ``kind`` (``sweep``, ``run`` or ``compare``)."""
    lines = [
        f"# {title or 'Results'}",
        "",
        f"This folder holds {_TITLES[kind]}. Written by mergesim; every file is written "
        "atomically (complete or absent). Layout:",
        "",
        "| path | what it holds |",
        "|---|---|",
    ]
    lines += [f"| `{e.path}` | {e.what} |" for e in LAYOUTS[kind]]
    lines += [
        "",
        "Metrics and their units: docs/metrics.md; experiment files: "
        "docs/experiments.md (in the mergesim source tree).",
        "",
    ]
    return "\n".join(lines)


def write_readme(root: str | Path, kind: str, title: str = "") -> Path:
    """Write ``root/README.md`` for a folder of ``kind``."""
    return atomic_write_text(Path(root) / README, readme_text(kind, title))


def undescribed(root: str | Path, kind: str) -> list[str]:
    """Files under ``root`` that no entry of the layout describes (relative paths)."""
    root = Path(root)
    entries = LAYOUTS[kind]
    return sorted(
        rel
        for p in root.rglob("*")
        if p.is_file()
        for rel in [p.relative_to(root).as_posix()]
        if not any(e.matches(rel) for e in entries)
    )
