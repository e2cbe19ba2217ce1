"""County data tables: reading a CSV (or GeoJSON properties) into rows, and parsing cells.

A :class:`Table` holds the cells of a village or edges file under their *canonical* column
names (:mod:`mergesim.county.columns`), with the file's own name of each column used, how the
file writes numbers, and where each row came from ("line 5", "feature 3"), so that every
mistake is one :class:`~mergesim.errors.DataError` line naming the file, the column as the
file spells it, and the row.

Reading a CSV sniffs its delimiter (``,``, ``;``, tab or ``|``: the one that splits the header
into the most columns) and its decimal mark (:func:`mergesim.county.cells.sniff_decimal`).
Columns are found by the scenario's ``[county.columns]`` mapping first, then by the canonical
name, then by the aliases of the column table; :meth:`Table.describe` says in one line what was
used. Any decoding, parsing or OS error reading a file is one line too.
"""

from __future__ import annotations

import csv
import math
import stat
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mergesim.county.cells import NumberFormat, sniff_decimal
from mergesim.county.columns import (
    EDGE_COLUMNS,
    POSITION_PAIRS,
    VILLAGE_COLUMNS,
    Column,
    column,
)
from mergesim.errors import DataError

__all__ = [
    "Table",
    "check_file",
    "is_empty",
    "make_table",
    "parse_bools",
    "parse_choices",
    "parse_ids",
    "parse_numbers",
    "parse_texts",
    "read_csv",
    "read_text",
    "require",
]

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}
#: Delimiters tried, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass
class Table:
    """Rows of a village or edges file under canonical column names.

    Attributes:
        source: The file.
        columns: Canonical names of the columns found.
        rows: One dict per row: canonical name → raw cell.
        where: Where each row came from ("line 5" / "feature 3").
        kind: "column" (CSV) or "property" (GeoJSON), for messages.
        used: Canonical name → the file's name of that column.
        ignored: The file's columns that were not read.
        fmt: How the file writes numbers.
        delimiter: The CSV delimiter ("" for GeoJSON).
        decimal_reason: Why the decimal mark was chosen (for the report).
        spelling: The file's lower-case column name → as the file writes it (for messages).
    """

    source: str
    columns: list[str]
    rows: list[dict[str, object]]
    where: list[str]
    kind: str
    used: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    fmt: NumberFormat = field(default_factory=NumberFormat)
    delimiter: str = ""
    decimal_reason: str = "decimal point"
    spelling: dict[str, str] = field(default_factory=dict)

    def cells(self, column: str) -> list[object]:
        """The raw cells of canonical ``column`` (None where a row lacks it)."""
        return [r.get(column) for r in self.rows]

    def key(self, column: str | None) -> str | None:
        """The file's name of canonical ``column`` (the canonical name if it is absent)."""
        if column is None:
            return None
        name = self.used.get(column, column)
        return self.spelling.get(name, name)

    def error(self, message: str, column: str | None = None) -> DataError:
        """A one-line error naming this file and ``column`` as the file spells it."""
        return DataError(message, source=self.source, key=self.key(column))

    def describe(self, what: str) -> str:
        """One line: how many rows, which file column fed each canonical column, what was
        ignored, and how numbers were read."""
        cols = ", ".join(
            c if f == c else f"{c} = {self.spelling.get(f, f)!r}"
            for c, f in sorted(self.used.items(), key=_order)
        )
        parts = [f"{len(self.rows)} {what}; columns {cols}"]
        if self.ignored:
            ignored = ", ".join(self.spelling.get(h, h) for h in self.ignored)
            parts[-1] += f" (ignored: {ignored})"
        if self.delimiter:
            parts.append(f"delimiter {_DELIMITER_NAMES[self.delimiter]}")
        parts.append(self.decimal_reason)
        grouped = self.fmt.grouped_note()
        if grouped:
            parts.append(grouped)
        return "; ".join(parts)


_ORDER = {c.name: i for i, c in enumerate((*VILLAGE_COLUMNS, *EDGE_COLUMNS))}


def _order(item: tuple[str, str]) -> int:
    return _ORDER.get(item[0], len(_ORDER))


def _resolve(
    header: Sequence[str],
    spec: Sequence[Column],
    mapping: Mapping[str, str],
    *,
    source: str,
    mapping_key: str,
    spelling: Mapping[str, str],
) -> dict[str, str]:
    """Canonical name → file column: the mapping, then the canonical name, then aliases."""
    present = {h: h for h in header if h}
    used: dict[str, str] = {}
    for canonical, wanted in mapping.items():
        if not wanted:
            continue
        w = wanted.strip().lower()
        if w not in present:
            raise DataError(
                f"column {wanted!r} named by {mapping_key}.{canonical} is not in the file; "
                f"found: {', '.join(spelling.get(h, h) for h in header if h) or '(none)'}",
                source=source,
                key=f"{mapping_key}.{canonical}",
            )
        used[canonical] = w
    taken = set(used.values())
    for col in spec:
        if col.name in used:
            continue
        for cand in (col.name, *col.aliases):
            if cand in present and cand not in taken:
                used[col.name] = cand
                taken.add(cand)
                break
    return used


def make_table(
    source: str,
    header: Sequence[str],
    raw: list[dict[str, object]],
    where: list[str],
    *,
    kind: str,
    spec: Sequence[Column],
    mapping: Mapping[str, str] | None = None,
    delimiter: str = "",
    mapping_key: str = "county.columns",
    spelling: Mapping[str, str] | None = None,
) -> Table:
    """A :class:`Table` of raw rows keyed by the file's (lower-case) column names.

    Args:
        source: The file, for messages.
        header: The file's column names, lower case.
        raw: The rows, keyed by those names.
        where: Where each row came from.
        kind: "column" (CSV) or "property" (GeoJSON).
        spec: The columns that may be read (:data:`~mergesim.county.columns.VILLAGE_COLUMNS`
            or :data:`~mergesim.county.columns.EDGE_COLUMNS`).
        mapping: Canonical name → file column (the scenario's ``[county.columns]``).
        delimiter: The CSV delimiter ("" for GeoJSON).
        mapping_key: Scenario key of ``mapping``, for messages.
        spelling: Lower-case column name → as the file writes it (default: as given).

    Raises:
        DataError: A mapped column is missing, or the numbers mix decimal conventions.
    """
    spelling = dict(spelling or {})
    used = _resolve(
        header, spec, mapping or {}, source=source, mapping_key=mapping_key, spelling=spelling
    )
    rows = [{c: r.get(f) for c, f in used.items()} for r in raw]
    ignored = [h for h in header if h and h not in used.values()]
    table = Table(
        source, list(used), rows, where, kind, used, ignored, delimiter=delimiter, spelling=spelling
    )
    numeric = [c.name for c in spec if c.type in ("number", "integer") and c.name in used]
    texts = (str(r[c]) for r in rows for c in numeric if isinstance(r.get(c), str))
    try:
        mark, reason = sniff_decimal(texts, delimiter)
    except ValueError as e:
        raise DataError(str(e), source=source) from None
    table.fmt, table.decimal_reason = NumberFormat(mark), reason
    return table


def require(
    table: Table, spec: Sequence[Column], *, positions: bool, what: str, hint: str = ""
) -> None:
    """Check that ``table`` has the required columns of ``spec`` (and, with ``positions``, a
    position pair) and at least one row; ``hint`` ends the message (how to name others)."""
    missing = [c.name for c in spec if c.required == "yes" and c.name not in table.columns]
    no_pos = positions and not any(
        a in table.columns and b in table.columns for a, b in POSITION_PAIRS
    )
    if no_pos:
        missing.append("lon,lat or x,y")
    if missing:
        found = ", ".join(table.spelling.get(h, h) for h in [*table.used.values(), *table.ignored])
        found = found or "(none)"
        required = ", ".join(c.name for c in spec if c.required == "yes")
        aliases = "; ".join(
            f"{c.name}: {', '.join(c.aliases)}"
            for c in spec
            if c.name in missing or (c.name in ("lon", "lat") and no_pos)
            if c.aliases
        )
        raise table.error(
            f"missing required {table.kind}(s) {', '.join(missing)}; found: {found}; "
            f"required: {required}"
            + (" and lon,lat (degrees) or x,y (km)" if positions else "")
            + (f"; also read as: {aliases}" if aliases else "")
            + hint,
            missing[0],
        )
    if not table.rows:
        raise table.error(f"no {what}: the file has a header but no rows")


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def check_file(path: Path) -> None:
    """Raise a one-line :class:`DataError` unless ``path`` is an existing regular file
    (a missing file, a folder, a symlink loop and a name too long each say so)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DataError("file not found", source=str(path)) from None
    except OSError as e:  # a symlink loop, a name too long, a path through a file …
        raise DataError(f"cannot read the file ({e.strerror or e})", source=str(path)) from None
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise DataError(f"is not a file ({what})", source=str(path))


def read_text(path: Path) -> str:
    """The text of a data file (UTF-8, optional byte-order mark); one line if unreadable.

    A NUL byte (a binary or damaged file, or a UTF-16 export) is refused with its line.
    """
    check_file(path)
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark before the header.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(
            f"not UTF-8 text (byte {e.start}); save the file as UTF-8", source=str(path)
        ) from None
    except OSError as e:  # e.g. no permission to read it
        raise DataError(f"cannot read the file ({e.strerror or e})", source=str(path)) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DataError(
            f"line {line}: holds a NUL byte; the file is binary, damaged or not UTF-8 (save it "
            "as UTF-8 text)",
            source=str(path),
        )
    return text


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header (first non-blank line) into the most fields."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    best, best_n = ",", 1
    for d in DELIMITERS:
        try:
            n = len(next(csv.reader([first], delimiter=d), []))
        except csv.Error:
            continue
        if n > best_n:
            best, best_n = d, n
    return best


def read_csv(
    path: Path,
) -> tuple[list[str], list[dict[str, object]], list[str], str, dict[str, str]]:
    """Header (lower-cased), non-blank rows and their 1-based line labels, the delimiter, and
    each lower-cased column name as the file writes it (for messages).

    Raises:
        DataError: Unreadable, empty or malformed file (one line, with the line number).
    """
    text = read_text(path)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header: list[str] | None = None
    spelling: dict[str, str] = {}
    rows: list[dict[str, object]] = []
    where: list[str] = []
    try:
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue  # blank lines carry no village
            if header is None:
                header = [h.strip().lower() for h in raw]
                spelling = {h.strip().lower(): h.strip() for h in raw}
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
                    f"{len(header)} (delimiter {_DELIMITER_NAMES[delimiter]}); quote values "
                    "that contain the delimiter",
                    source=str(path),
                )
            rows.append({h: v for h, v in zip(header, raw, strict=False) if h})
            where.append(f"line {reader.line_num}")
    except csv.Error as e:  # e.g. a field larger than the csv module's limit
        raise DataError(f"line {reader.line_num}: malformed CSV ({e})", source=str(path)) from None
    if header is None:
        raise DataError("empty file: no header and no rows", source=str(path))
    return header, rows, where, delimiter, spelling


# ---------------------------------------------------------------------------------------------
# Cell parsing
# ---------------------------------------------------------------------------------------------


def is_empty(v: object) -> bool:
    """The cell is absent or blank."""
    return v is None or (isinstance(v, str) and not v.strip())


def _range_error(table: Table, i: int, col: Column, v: object) -> DataError:
    why = f" ({col.why})" if col.why else ""
    hint = ""
    if col.name == "population" and table.fmt.number(v, "") == 0:
        hint = "; GeoNames writes 0 for an unknown population: fill in an estimate or drop the row"
    return table.error(
        f"{table.where[i]}: {table.key(col.name)} {v!r} is out of range; allowed: "
        f"{col.allowed()}{why}{hint}",
        col.name,
    )


def parse_numbers(
    table: Table, col: Column | str, *, required: bool = False, default: float = np.nan
) -> np.ndarray:
    """A numeric column, checked finite and within the column's limits; empty cells are
    ``default`` (or an error when ``required``)."""
    col = column(col) if isinstance(col, str) else col
    name = table.key(col.name)
    out = np.full(len(table.rows), default, dtype=float)
    for i, v in enumerate(table.cells(col.name)):
        if is_empty(v):
            if required:
                raise table.error(f"{table.where[i]}: empty {name}; a number is required", col.name)
            continue
        f = table.fmt.number(v, name or col.name)
        if f is None or not math.isfinite(f):
            comma = " (this file writes decimals with a comma)" if table.fmt.decimal == "," else ""
            raise table.error(
                f"{table.where[i]}: {name} {v!r} is not a finite number{comma}", col.name
            )
        lo_bad = col.lo is not None and (f <= col.lo if col.lo_open else f < col.lo)
        if lo_bad or (col.hi is not None and f > col.hi):
            raise _range_error(table, i, col, v)
        out[i] = f
    return out


def parse_ids(table: Table, col: Column | str = "id") -> np.ndarray:
    """An id column: exact integers within the column's limits (int64).

    Raises:
        DataError: Empty, fractional, non-numeric or out-of-range ids (duplicates are the
            caller's to check: edges repeat ids).
    """
    col = column(col) if isinstance(col, str) else col
    name = table.key(col.name)
    ids = np.empty(len(table.rows), dtype=np.int64)
    for i, v in enumerate(table.cells(col.name)):
        d = None if is_empty(v) else table.fmt.exact(v, name or col.name)
        if d is None or d != d.to_integral_value():
            raise table.error(f"{table.where[i]}: {name} {v!r} is not a whole number", col.name)
        if (col.lo is not None and d < col.lo) or (col.hi is not None and d > col.hi):
            raise _range_error(table, i, col, v)
        ids[i] = int(d)
    return ids


def parse_texts(table: Table, col: str, default: Sequence[str] | None = None) -> np.ndarray:
    """A text column (stripped), refusing control characters; empty cells take ``default``."""
    out = []
    for i, v in enumerate(table.cells(col)):
        if is_empty(v):
            out.append("" if default is None else str(default[i]))
            continue
        s = str(v).strip()
        bad = next((c for c in s if unicodedata.category(c) == "Cc"), None)
        if bad is not None:
            raise table.error(
                f"{table.where[i]}: {table.key(col)} holds a control character "
                f"(U+{ord(bad):04X}); remove it",
                col,
            )
        out.append(s)
    return np.array(out, dtype=str)


def parse_bools(table: Table, col: str) -> np.ndarray:
    """A yes/no column (empty: no)."""
    out = np.zeros(len(table.rows), dtype=bool)
    for i, v in enumerate(table.cells(col)):
        if is_empty(v):
            continue
        if isinstance(v, bool):
            out[i] = v
            continue
        s = str(v).strip().lower()
        if s.endswith(".0") or s.endswith(",0"):
            s = s[:-2]  # spreadsheets write 1 as 1.0
        if s in _TRUE:
            out[i] = True
        elif s not in _FALSE:
            raise table.error(
                f"{table.where[i]}: {table.key(col)} {v!r} is not a yes/no value; "
                "allowed: 0, 1, true, false, yes, no",
                col,
            )
    return out


def parse_choices(table: Table, col: str, allowed: tuple[str, ...]) -> list[str | None]:
    """A categorical column (empty: None)."""
    out: list[str | None] = []
    for i, v in enumerate(table.cells(col)):
        if is_empty(v):
            out.append(None)
            continue
        s = str(v).strip().lower()
        if s not in allowed:
            raise table.error(
                f"{table.where[i]}: {table.key(col)} {v!r} is unknown; allowed: "
                f"{', '.join(allowed)}",
                col,
            )
        out.append(s)
    return out
