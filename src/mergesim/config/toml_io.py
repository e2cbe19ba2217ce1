"""TOML text in and out: the one reader of mergesim and a small writer.

:func:`read_toml` reads every TOML file mergesim takes (scenario files, their ``extends``
parents, experiment files, ``mergesim list``), so an unreadable file gives the same one line
whichever command read it. :func:`render_toml` and :func:`format_toml_value` write the
resolved ``scenario.toml`` and ``experiment.toml`` of a results folder (tables, strings, bools,
ints, floats and lists: all a parameter can hold).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mergesim.errors import ScenarioError

__all__ = ["KEY_PART", "format_toml_value", "printable", "read_toml", "render_toml", "toml_string"]

#: A bare TOML key (and one part of a dotted scenario key).
KEY_PART = re.compile(r"[A-Za-z0-9_-]+")


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file (UTF-8, a leading byte-order mark allowed) as a dict.

    The one TOML reader of mergesim: scenario files, their ``extends`` parents and experiment
    files all come through here, so an unreadable file gives the same one line whichever
    command read it (the messages do not depend on what kind of file was expected).

    Args:
        path: The file; messages name it as given.

    Raises:
        ScenarioError: One line naming the file: missing, a folder, unreadable (permission or
            another OS error), not UTF-8 text, or malformed TOML (with tomllib's line and
            column).
    """
    source = printable(str(path))
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ScenarioError(
            "file not found; expected an existing TOML file", source=source
        ) from None
    except OSError as e:
        raise ScenarioError(
            f"cannot read the file ({e.strerror or e}); expected a TOML file", source=source
        ) from None
    except ValueError:  # a NUL byte in the name
        raise ScenarioError("not a valid file name; expected a TOML file", source=source) from None
    try:
        # utf-8-sig: editors on Windows often save a byte-order mark, which TOML itself forbids
        # but which carries no meaning; any other non-UTF-8 byte is an error.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ScenarioError(
            f"not UTF-8 text (byte 0x{raw[e.start]:02X} at offset {e.start}); "
            "save the file as UTF-8",
            source=source,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = " ".join(str(e).split())  # tomllib's "... (at line L, column C)", kept one line
        raise ScenarioError(f"malformed TOML: {msg}", source=source) from None


def printable(key: str) -> str:
    """A key or file name as printed in a message: quoted if it holds a line break or the like.

    Error messages are one line; a name from the data must not break it.
    """
    return key if key.isprintable() else repr(key)


# ---------------------------------------------------------------------------------------------
# A small TOML writer (tables, strings, bools, ints, floats, lists)
# ---------------------------------------------------------------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(s: str) -> str:
    """``s`` as a TOML basic string, quoted and escaped (control characters as ``\\uXXXX``)."""
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:  # TOML forbids raw control characters
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if KEY_PART.fullmatch(key) else toml_string(key)


def format_toml_value(value: Any) -> str:
    """One TOML value: a string, bool, int, float or (nested) list of those.

    Floats always keep a decimal point or an exponent (``2.0``, never ``2``), so they read back
    as floats.

    Raises:
        TypeError: A value TOML cannot hold here (None, a table inside a list, ...).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as a TOML value")


def render_toml(data: Mapping[str, Any]) -> str:
    """Nested dicts as a TOML document: top-level keys first, then one ``[table]`` per dict.

    A None value has no TOML spelling; it is written as a comment and so reads back as the
    parameter's default.
    """
    lines: list[str] = []
    _render_table(data, "", lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _render_table(data: Mapping[str, Any], prefix: str, lines: list[str]) -> None:
    for key, value in data.items():
        if isinstance(value, Mapping):
            continue
        if value is None:
            lines.append(f"# {_toml_key(key)} is unset (None)")
        else:
            lines.append(f"{_toml_key(key)} = {format_toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, Mapping):
            name = prefix + _toml_key(key)
            lines.extend(["", f"[{name}]"])
            _render_table(value, name + ".", lines)
