"""What a results folder holds, for the app's results browser: its tables, figures and report.

A results folder is what ``mergesim run``, ``mergesim sweep`` or ``mergesim compare`` wrote
(see :mod:`mergesim.run` and :mod:`mergesim.sweep.store`). The browser lists the folder's
tables (CSV, gzipped CSV, Parquet) and figures (PNG) — at its top and one level down, so a
sweep's ``figures/`` are found — but not the per-run files under ``runs/``, which a sweep has
hundreds of (its tables gather them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

TABLE_SUFFIXES = (".csv", ".csv.gz", ".parquet")
FIGURE_SUFFIXES = (".png",)
#: Sub-folders not listed: one set of files per run (the folder's tables gather them).
SKIPPED_DIRS = ("runs",)
#: Files that mark a folder as a results folder.
MARKERS = (
    "summary.json",
    "runs.csv",
    "manifest.json",
    "report.md",
    "compare.md",
    "timeseries.csv",
    "plan_summary.json",
)
#: Rows of a table shown at most (the file keeps them all).
MAX_ROWS = 1000


@dataclass(frozen=True)
class Listing:
    """The files of a results folder worth showing, as paths relative to it."""

    folder: Path
    tables: tuple[str, ...]
    figures: tuple[str, ...]
    report: str | None


def _has_suffix(p: Path, suffixes: tuple[str, ...]) -> bool:
    return p.name.lower().endswith(suffixes)


def list_results(folder: str | Path) -> Listing:
    """Tables, figures and the report of ``folder`` (top level and one level down, sorted).

    Raises:
        FileNotFoundError: ``folder`` is not a folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder")
    files = [p for p in root.iterdir() if p.is_file()]
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        if sub.name not in SKIPPED_DIRS and not sub.name.startswith("."):
            files += [p for p in sub.iterdir() if p.is_file()]
    files = [p for p in files if not p.name.startswith(".")]

    def rel(p: Path) -> str:
        return p.relative_to(root).as_posix()

    tables = sorted(rel(p) for p in files if _has_suffix(p, TABLE_SUFFIXES))
    figures = sorted(rel(p) for p in files if _has_suffix(p, FIGURE_SUFFIXES))
    report = next((name for name in ("report.md", "compare.md") if (root / name).is_file()), None)
    return Listing(root, tuple(tables), tuple(figures), report)


def result_folders(base: str | Path, depth: int = 2) -> list[Path]:
    """Results folders under ``base`` (``base`` itself included), at most ``depth`` levels down.

    A results folder holds one of :data:`MARKERS`; the runs of a sweep are not listed.
    """
    base = Path(base)
    if not base.is_dir():
        return []
    out, level = [], [base]
    for _ in range(depth + 1):
        nxt = []
        for d in level:
            if any((d / m).is_file() for m in MARKERS):
                out.append(d)
            nxt += sorted(
                p
                for p in d.iterdir()
                if p.is_dir() and p.name not in SKIPPED_DIRS and not p.name.startswith(".")
            )
        level = nxt
    return sorted(out)


def read_table(path: str | Path, max_rows: int = MAX_ROWS) -> tuple[pd.DataFrame, int | None]:
    """The first ``max_rows`` rows of a table and its row count (None if not counted).

    CSV files (gzipped or not) are read up to ``max_rows``; Parquet needs ``pyarrow`` (the
    ``parquet`` extra) and is read whole.
    """
    path = Path(path)
    if path.name.lower().endswith(".parquet"):
        df = pd.read_parquet(path)
        return df.head(max_rows), len(df)
    df = pd.read_csv(path, nrows=max_rows + 1)
    if len(df) <= max_rows:
        return df, len(df)
    return df.head(max_rows), None
