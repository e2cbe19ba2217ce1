"""County data tables: reading a CSV (or GeoJSON properties) into rows, and parsing cells.

A :class:`Table` holds the raw cells of a village or edges file with where each row came from
("line 5", "feature 3"), so that every mistake is one :class:`~mergesim.errors.DataError` line
naming the file, the column and the row. The columns expected are listed in
:mod:`mergesim.county.columns`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mergesim.county.columns import REQUIRED_VILLAGE
from mergesim.errors import DataError

__all__ = [
    "Table",
    "as_float",
    "check_file",
    "is_empty",
    "parse_bools",
    "parse_choices",
    "parse_ids",
    "parse_numbers",
    "read_csv_rows",
    "read_text",
    "read_village_csv",
]

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    """Rows of a village or edges file as raw cells, with where each row came from."""

    source: str
    columns: list[str]
    rows: list[dict[str, object]]
    where: list[str]  # "line 5" / "feature 3"
    kind: str  # "column" (CSV) or "property" (GeoJSON), for messages

    def cells(self, column: str) -> list[object]:
        """The raw cells of ``column`` (None where a row lacks it)."""
        return [r.get(column) for r in self.rows]

    def error(self, message: str, column: str | None = None) -> DataError:
        """A one-line error naming this file and ``column``."""
        return DataError(message, source=self.source, key=column)


def check_file(path: Path) -> None:
    """Raise a one-line :class:`DataError` unless ``path`` is an existing file."""
    if not path.exists():
        raise DataError("file not found", source=str(path))
    if not path.is_file():
        raise DataError("is not a file", source=str(path))


def read_text(path: Path) -> str:
    """The text of a data file (UTF-8, optional byte-order mark); one line if unreadable."""
    check_file(path)
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark before the header.
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(
            f"not UTF-8 text (byte {e.start}); save the file as UTF-8", source=str(path)
        ) from None
    except OSError as e:  # e.g. no permission to read it
        raise DataError(f"cannot read the file ({e.strerror or e})", source=str(path)) from None


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, object]], list[str]]:
    """Header (lower-cased) and non-blank rows of a CSV, with 1-based line labels."""
    text = read_text(path)
    reader = csv.reader(text.splitlines(keepends=True))
    header: list[str] | None = None
    rows: list[dict[str, object]] = []
    where: list[str] = []
    try:
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue  # blank lines carry no village
            if header is None:
                header = [h.strip().lower() for h in raw]
                dup = sorted({h for h in header if h and header.count(h) > 1})
                if dup:
                    raise DataError(
                        f"line {reader.line_num}: header repeats column(s) {', '.join(dup)}",
                        source=str(path),
                        key=dup[0],
                    )
                continue
            if len(raw) > len(header):
                raise DataError(
                    f"line {reader.line_num}: {len(raw)} fields but the header has "
                    f"{len(header)}; quote values that contain commas",
                    source=str(path),
                )
            rows.append({h: v for h, v in zip(header, raw, strict=False) if h})
            where.append(f"line {reader.line_num}")
    except csv.Error as e:
        raise DataError(f"line {reader.line_num}: malformed CSV ({e})", source=str(path)) from None
    if header is None:
        raise DataError("empty file: no header and no rows", source=str(path))
    return header, rows, where


def read_village_csv(path: Path) -> Table:
    """A villages CSV as a :class:`Table`, with its required columns checked."""
    header, rows, where = read_csv_rows(path)
    table = Table(str(path), header, rows, where, "column")
    missing = [c for c in REQUIRED_VILLAGE if c not in header]
    has_xy = "x" in header and "y" in header
    has_ll = "lon" in header and "lat" in header
    if not (has_xy or has_ll):
        missing.append("x,y or lon,lat")
    if missing:
        raise table.error(
            f"missing required column(s) {', '.join(missing)}; found: {', '.join(header)}; "
            f"required: {', '.join(REQUIRED_VILLAGE)} and x,y (km) or lon,lat (degrees)",
            missing[0],
        )
    if not rows:
        raise table.error("no villages: the file has a header but no rows")
    return table


# ---------------------------------------------------------------------------------------------
# Cell parsing
# ---------------------------------------------------------------------------------------------


def is_empty(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def as_float(v: object) -> float | None:
    """A cell as a float, or None if it is not a number."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def parse_numbers(
    table: Table,
    column: str,
    *,
    required: bool = False,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    default: float = np.nan,
) -> np.ndarray:
    """A numeric column; empty cells are ``default`` (or an error when ``required``)."""
    out = np.full(len(table.rows), default, dtype=float)
    for i, v in enumerate(table.cells(column)):
        if is_empty(v):
            if required:
                raise table.error(f"{table.where[i]}: empty {column}; a number is required", column)
            continue
        f = as_float(v)
        if f is None or not math.isfinite(f):
            raise table.error(f"{table.where[i]}: {column} {v!r} is not a finite number", column)
        bad_lo = lo is not None and (f <= lo if lo_open else f < lo)
        if bad_lo or (hi is not None and f > hi):
            rng = (f"> {lo:g}" if lo_open else f">= {lo:g}") if lo is not None else ""
            if hi is not None:
                rng = f"{rng} and <= {hi:g}" if rng else f"<= {hi:g}"
            raise table.error(
                f"{table.where[i]}: {column} {v!r} is out of range; allowed: {rng}", column
            )
        out[i] = f
    return out


def parse_bools(table: Table, column: str) -> np.ndarray:
    out = np.zeros(len(table.rows), dtype=bool)
    for i, v in enumerate(table.cells(column)):
        if is_empty(v):
            continue
        if isinstance(v, bool):
            out[i] = v
            continue
        s = str(v).strip().lower()
        if s.endswith(".0"):
            s = s[:-2]  # spreadsheets write 1 as 1.0
        if s in _TRUE:
            out[i] = True
        elif s not in _FALSE:
            raise table.error(
                f"{table.where[i]}: {column} {v!r} is not a yes/no value; "
                "allowed: 0, 1, true, false, yes, no",
                column,
            )
    return out


def parse_choices(table: Table, column: str, allowed: tuple[str, ...]) -> list[str | None]:
    out: list[str | None] = []
    for i, v in enumerate(table.cells(column)):
        if is_empty(v):
            out.append(None)
            continue
        s = str(v).strip().lower()
        if s not in allowed:
            raise table.error(
                f"{table.where[i]}: {column} {v!r} is unknown; allowed: {', '.join(allowed)}",
                column,
            )
        out.append(s)
    return out


def parse_ids(table: Table) -> np.ndarray:
    ids = np.empty(len(table.rows), dtype=np.int64)
    for i, v in enumerate(table.cells("id")):
        f = as_float(v)
        if is_empty(v) or f is None or not math.isfinite(f) or f != int(f):
            raise table.error(f"{table.where[i]}: id {v!r} is not an integer", "id")
        ids[i] = int(f)
    seen: dict[int, int] = {}
    for i, v in enumerate(ids.tolist()):
        if v in seen:
            lines = [table.where[j] for j in np.flatnonzero(ids == v)]
            raise table.error(
                f"duplicate id {v} on {' and '.join(lines)}; ids must be unique", "id"
            )
        seen[v] = i
    return ids
