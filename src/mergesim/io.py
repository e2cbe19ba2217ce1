"""Atomic file writes and flat tables: the one writer every result file goes through.

A result file is either complete or absent, never half-written: :func:`atomic_path` hands out
a temporary path beside the destination and renames it onto the destination (``os.replace``,
atomic on one file system) only when the block succeeds. Text, bytes, JSON, figures and tables
(pandas, pyarrow) are all written through it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto ``path`` when the block succeeds.

    Missing parent folders are created. If the block raises, the temporary file is removed and
    ``path`` is left as it was. The temporary file is named ``.<name>.<random>.tmp``, so a
    folder can be cleaned of the leftovers of a killed process by that pattern.

    Example:
        >>> with atomic_path(tmp_dir / "runs.csv") as tmp:  # doctest: +SKIP
        ...     table.to_csv(tmp, index=False)
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp creates 0600; give the result the permissions a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, line endings as given) to ``path`` atomically; return the path."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return Path(path)


def atomic_write_json(path: str | os.PathLike[str], data: Any, *, compact: bool = False) -> Path:
    """Write ``data`` as JSON atomically; NaN and infinities become ``null``.

    The guard of every JSON result: :func:`json_safe` maps non-finite floats (NumPy's too) to
    None, and ``allow_nan=False`` refuses any that slipped past, so ``summary.json`` never
    holds the invalid tokens ``NaN`` or ``Infinity``.

    Args:
        path: Destination file.
        data: Dicts, lists and scalars (NumPy scalars and arrays included).
        compact: No indentation or spaces (large files such as GeoJSON); default pretty.
    """
    fmt: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
    text = json.dumps(json_safe(data), ensure_ascii=False, default=_default, allow_nan=False, **fmt)
    return atomic_write_text(path, text + "\n")


def finite_cells(table: Any) -> Any:
    """A pandas DataFrame with infinities as missing values (empty cells in CSV, nulls in
    Parquet): the guard every results table passes before it is written, so ``inf`` never
    reaches ``runs.csv`` or a figure drawn from it (NaN is already an empty cell)."""
    return table.replace([math.inf, -math.inf], math.nan)


def json_safe(o: Any) -> Any:
    """``o`` with NumPy scalars as Python values and non-finite floats as None (JSON has no
    NaN: ``json.dumps`` would write the invalid token ``NaN``)."""
    if isinstance(o, dict):
        return {k: json_safe(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [json_safe(v) for v in o]
    if hasattr(o, "item") and getattr(o, "ndim", 1) == 0:
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def flatten(
    tree: Any, prefix: str = "", *, lists: Literal["keep", "index", "drop"] = "keep"
) -> dict[str, Any]:
    """Nested dicts as one flat dict with dotted keys: ``{"a": {"b": 1}}`` → ``{"a.b": 1}``.

    The one flattener of nested tables: experiment files' dotted override tables
    (``lists="keep"``: a list is a value), run summaries as table columns (``"drop"``: lists
    are not table cells) and the regression baseline (``"index"``: ``{"a": [5]}`` →
    ``{"a.0": 5}``). Leaves are returned unchanged.

    Args:
        tree: A dict (a non-dict gives ``{prefix without its dot: tree}``).
        prefix: Prepended to every key (end it with ``"."``).
        lists: What to do with lists and tuples.
    """
    out: dict[str, Any] = {}
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.update(flatten(v, f"{prefix}{k}.", lists=lists))
    elif isinstance(tree, list | tuple) and lists != "keep":
        if lists == "index":
            for i, v in enumerate(tree):
                out.update(flatten(v, f"{prefix}{i}.", lists=lists))
    else:
        out[prefix.removesuffix(".")] = tree
    return out


def _default(o: Any) -> Any:
    # NumPy scalars and arrays appear in summaries; JSON wants plain Python values.
    if hasattr(o, "item") and getattr(o, "ndim", 1) == 0:
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _umask() -> int:
    # os.umask can only be read by setting it; restore it at once.
    mask = os.umask(0)
    os.umask(mask)
    return mask
