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
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            "not a results folder: no runs table (runs.csv) and no summary.json",
            source=str(root),
        ) from None
    except json.JSONDecodeError as err:
        raise UserError(f"unreadable summary.json ({err.msg})", source=str(path)) from None


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
    df = pd.read_csv(path, usecols=None if keep is None else lambda c: c in keep)
    return pd.concat([pd.DataFrame(tags, index=df.index), df], axis=1)
