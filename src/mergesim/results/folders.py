"""A ``mergesim run`` folder read as a sweep of one run, so ``mergesim compare`` and
``mergesim plot`` take either kind of folder.

A run folder (:data:`~mergesim.results.layout.RUN_LAYOUT`) becomes a runs table of one row —
scenario (the scenario's name), point 0, replicate 0, its seed, status ``ok`` and the
flattened summary, the columns of a sweep's ``runs.csv`` — and its ``timeseries.csv`` the
weekly table of that run.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from mergesim.errors import UserError
from mergesim.io import flatten
from mergesim.results.layout import (
    EXPERIMENT_TOML,
    RUN_TIMESERIES,
    RUNS_CSV,
    RUNS_PARQUET,
    SUMMARY_JSON,
)

#: What a damaged results file raises when read: pandas' parser errors, pyarrow's
#: ``ArrowInvalid`` and Unicode errors are ValueErrors; OS errors (a folder, a symlink loop,
#: a bad gzip header); a truncated gzip stream (EOFError, zlib.error); a Parquet feature
#: pyarrow lacks (NotImplementedError).
DAMAGED = (ValueError, OSError, EOFError, zlib.error, NotImplementedError)


def read_table[T](path: str | Path, reader: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``reader(path, *args, **kwargs)`` with a damaged or unreadable file as one line.

    Every read of a results table (runs, weekly series, villages, summaries) goes through
    here, so ``mergesim compare`` and ``mergesim plot`` never show a parser's traceback.

    Raises:
        UserError: The file cannot be read or parsed (one line naming it).
    """
    try:
        return reader(path, *args, **kwargs)
    except DAMAGED as err:
        reason = " ".join(str(err).split())[:200] or type(err).__name__
        raise UserError(
            f"cannot read this results file ({reason}); it is damaged or not mergesim's: "
            "re-run the command that wrote it (a sweep resumes) or remove it",
            source=str(path),
        ) from None


def need_columns(df: pd.DataFrame, columns: Iterable[str], path: str | Path) -> pd.DataFrame:
    """``df`` if it has ``columns``.

    Raises:
        UserError: A column is missing: the file is damaged or not mergesim's (one line).
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise UserError(
            f"cannot read this results file (no column {', '.join(missing)}); it is damaged "
            "or not mergesim's: re-run the command that wrote it or remove it",
            source=str(path),
        )
    return df


def summary_columns(summary: dict[str, Any]) -> dict[str, Any]:
    """A run summary as runs-table cells: dotted keys, lists left out, None as NaN."""
    return {k: math.nan if v is None else v for k, v in flatten(summary, lists="drop").items()}


def folder_kind(root: str | Path) -> str | None:
    """``"sweep"`` (a runs table or an experiment), ``"run"`` (a summary.json) or None."""
    root = Path(root)
    if any((root / n).is_file() for n in (RUNS_CSV, RUNS_PARQUET, EXPERIMENT_TOML)):
        return "sweep"
    if (root / SUMMARY_JSON).is_file():
        return "run"
    return None


def read_summary(root: str | Path) -> dict[str, Any]:
    """A run folder's ``summary.json``.

    Raises:
        UserError: Missing or unreadable (one line).
    """
    path = Path(root) / SUMMARY_JSON
    if not path.is_file():
        raise UserError(
            "not a results folder: no runs table (runs.csv) and no summary.json",
            source=str(root),
        )
    data = read_table(path, lambda p: json.loads(Path(p).read_text(encoding="utf-8")))
    if not isinstance(data, dict):
        raise UserError("cannot read this results file (not a JSON object)", source=str(path))
    return data


def run_folder_runs(root: str | Path) -> pd.DataFrame:
    """The runs table of a ``mergesim run`` folder: one row (see the module docstring)."""
    root = Path(root)
    summary = read_summary(root)
    row: dict[str, Any] = {
        "run_id": root.resolve().name,
        "scenario": str(summary.get("scenario") or root.name),
        "point": 0,
        "replicate": 0,
        "seed": str(summary.get("seed", "")),
        "status": "ok",
        "seconds": math.nan,
        "error": None,
        "county": None,
    }
    for k, v in summary_columns(summary).items():
        row.setdefault(k, v)
    return pd.DataFrame([row])


def run_folder_timeseries(root: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A run folder's weekly table, tagged like a sweep's (run_id, scenario, point,
    replicate); only ``columns`` (and the tags and week) if given."""
    root = Path(root)
    path = root / RUN_TIMESERIES
    runs = run_folder_runs(root)
    tags = {c: runs[c].iloc[0] for c in ("run_id", "scenario", "point", "replicate")}
    if not path.is_file():
        return pd.DataFrame(columns=[*tags, "week"])
    keep = None if columns is None else {"week", *columns}
    df = read_table(path, pd.read_csv, usecols=None if keep is None else lambda c: c in keep)
    return pd.concat([pd.DataFrame(tags, index=df.index), df], axis=1)
