"""The scenario reference (``docs/scenarios.md``), generated from the schema.

The schema is the single place where parameters are declared, so the reference is rendered from
it rather than written by hand; ``scripts/gen_scenario_docs.py`` writes the file and a test
checks that the committed file is current.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Iterator
from typing import Any

from mergesim.config.params import default_of, spec_of, type_name
from mergesim.config.schema import Scenario
from mergesim.config.toml_io import format_toml_value

__all__ = ["render_reference"]

#: How to regenerate the file; quoted in its header and in the test's failure message.
REGENERATE = "python scripts/gen_scenario_docs.py"

_INTRO = f"""\
# Scenario reference

<!-- Generated from src/mergesim/config/schema.py and sections_*.py by
`{REGENERATE}`; do not edit. -->

Every key a scenario file (TOML) may set, by section. A key left out takes its default; an
unknown key, a value of the wrong type or a value out of range is rejected with one line naming
the file, the key, the value and what is allowed.

- `extends = "other.toml"` (top level) starts from another scenario file, relative to this one;
  tables are merged key by key, lists are replaced. Chains are allowed, cycles are not.
- `mergesim plan FILE --set key=value` overrides any key, e.g. `--set plan.method=uniform` or
  `--set needs.admin=[0.0,0.01,0.01]`; the value is read as TOML, else as a bare string.
- `name` defaults to the file's stem. Data paths (unit `path`) are relative to the file that
  sets them (a `--set` path: to the current directory).
- Sources: "report" marks a figure from the seed county's reform report, "assumption" a
  modelling choice; other sources are cited.
- "allowed" is what the model accepts; "plausible" is the narrower range a cited source
  supports, used by robustness analyses (empty where no source states one yet).
"""

_COLUMNS = ("key", "type", "default", "unit", "allowed", "plausible", "meaning", "source")


def render_reference() -> str:
    """The Markdown reference of every scenario key, one table per section."""
    parts = [_INTRO]
    for dotted, cls in _sections(Scenario, ""):
        rows = list(_rows(cls, dotted))
        if not rows:
            continue
        title, body = _doc_parts(cls)
        heading = "Top level" if not dotted else f"`[{dotted}]`"
        parts.append(f"## {heading} — {title}\n")
        if body:
            parts.append(body + "\n")
        parts.append("| " + " | ".join(_COLUMNS) + " |")
        parts.append("|" + "---|" * len(_COLUMNS))
        parts.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


def _sections(cls: type, prefix: str) -> Iterator[tuple[str, type]]:
    """``(dotted name, dataclass)`` of ``cls`` and every nested section, depth first."""
    yield prefix, cls
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.init and dataclasses.is_dataclass(hints[f.name]):
            yield from _sections(
                hints[f.name], f"{prefix}{f.name}" if not prefix else f"{prefix}.{f.name}"
            )


def _rows(cls: type, dotted: str) -> Iterator[tuple[str, ...]]:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        spec = spec_of(f)
        if not f.init or spec is None or dataclasses.is_dataclass(hints[f.name]):
            continue
        key = f"{dotted}.{f.name}" if dotted else f.name
        yield (
            f"`{key}`",
            type_name(hints[f.name]),
            f"`{_default_text(default_of(f))}`",
            spec.unit,
            spec.allowed(),
            spec.plausible_text(),
            spec.doc,
            spec.source,
        )


def _default_text(value: Any) -> str:
    if value is None:
        return "(unset)"
    try:
        return format_toml_value(value)
    except TypeError:
        return repr(value)


def _doc_parts(cls: type) -> tuple[str, str]:
    """First docstring line (the heading) and the rest (a paragraph); the class name if none."""
    doc = cls.__doc__ or ""
    # A dataclass without a docstring gets its signature as __doc__; that is no heading.
    if not doc or doc.startswith(cls.__name__ + "("):
        return cls.__name__, ""
    lines = inspect.cleandoc(doc).splitlines()
    body = " ".join(" ".join(lines[1:]).split())
    return lines[0].strip().rstrip("."), body


def _cell(text: str) -> str:
    # A pipe would end the cell and a newline the row.
    return " ".join(str(text).split()).replace("|", "\\|")
