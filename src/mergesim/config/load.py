"""Reading, layering, overriding and writing scenarios.

A scenario file is TOML. A top-level ``extends = "other.toml"`` names a parent file (relative
to the extending file; chains allowed, cycles rejected); the child's tables are deep-merged over
the parent's key by key, and lists are replaced, not merged. ``--set key=value`` overrides come
last. The merged table is validated by :func:`~mergesim.config.params.build_section`, so every
mistake is a one-line :class:`~mergesim.errors.ScenarioError` naming the file that set the bad
key.

Data paths (parameters whose unit is ``"path"``) are made absolute as each layer is merged,
relative to the folder of the file that set them, so a path in a parent file still points next
to the parent after a child in another folder extends it.

Everything here walks the dataclasses of :mod:`mergesim.config.schema` generically: a new section
or parameter needs no change in this module.

Files are read with :func:`~mergesim.config.toml_io.read_toml`, mergesim's one TOML reader, and
the resolved scenario is written with :func:`~mergesim.config.toml_io.render_toml` (both
re-exported here).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import os
import tomllib
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mergesim.config.params import build_section, iter_params, spec_of, unknown_key_message
from mergesim.config.schema import Scenario, VillagerParams
from mergesim.config.toml_io import (
    KEY_PART,
    format_toml_value,
    printable,
    read_toml,
    render_toml,
    toml_string,
)
from mergesim.errors import ScenarioError
from mergesim.io import atomic_write_text

__all__ = [
    "apply_overrides",
    "dump_scenario",
    "format_toml_value",
    "load_scenario",
    "load_scenario_dict",
    "parse_override",
    "read_toml",
    "render_toml",
    "scenario_to_dict",
]

#: Where a leaf key's value came from: dotted key -> file name, ``"--set"`` or another source.
_Provenance = dict[str, str]

#: Longest ``extends`` chain (files above the one given). Real scenarios use two or three
#: levels; a deeper chain is a generated or looping set of files, refused before Python's
#: recursion limit (about 1,000 frames) turns it into a traceback.
MAX_EXTENDS_DEPTH = 32


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read a scenario file, resolve ``extends``, apply ``--set`` overrides and validate.

    ``name`` defaults to the stem of ``path`` when this file itself does not set it (an
    inherited name is not used, so that a child scenario gets its own results folder).

    Args:
        path: The scenario TOML file.
        overrides: ``key=value`` strings as given to ``--set``, e.g. ``"plan.method=uniform"``;
            the value is read as a TOML value, or as a bare string if it is not one. A relative
            data path given here is taken from the current working directory, as a shell user
            expects.

    Returns:
        The validated scenario; ``base_dir`` is the absolute folder of ``path``.

    Raises:
        ScenarioError: Missing or malformed file, bad ``extends``, unknown key, wrong type, value
            out of range, or a malformed ``--set`` item (one line each).
    """
    path = Path(path)
    top = read_toml(path)
    source = printable(str(path))
    prov: _Provenance = {}
    data = _resolve_layers(
        top, source, Path(os.path.abspath(path)).parent, [path.resolve()], [source], prov
    )
    if "name" not in top:
        data["name"] = path.stem
        prov["name"] = source
    cwd = Path.cwd()
    for item in overrides:
        key, value = parse_override(item)
        parts = key.split(".")
        _check_key_path(parts, source="--set")
        layer = _nest(parts, value)
        _absolutize_paths(layer, cwd)
        _merge(data, layer, "--set", prov)
    return _build(data, source, prov, base_dir=str(Path(os.path.abspath(path)).parent))


def load_scenario_dict(
    data: Mapping[str, Any], source: str = "<dict>", base_dir: str | Path = "."
) -> Scenario:
    """Build a validated scenario from a nested dict, as if it were a scenario file.

    Top-level keys may be dotted (``{"plan.method": "uniform"}``) as a shorthand for nested
    tables; they are applied after the plain keys, in order. ``extends`` works as in a file,
    relative to ``base_dir``.

    Args:
        data: The scenario table.
        source: Name used in error messages.
        base_dir: Folder that relative data paths (and ``extends``) are taken from.

    Raises:
        ScenarioError: Unknown key, wrong type, out-of-range value, bad ``extends``.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(f"expected a table of keys, got {data!r}", source=source)
    plain = {k: _plain_value(v) for k, v in data.items() if not (isinstance(k, str) and "." in k)}
    dotted = [(k, v) for k, v in data.items() if isinstance(k, str) and "." in k]
    directory = Path(os.path.abspath(base_dir))
    prov: _Provenance = {}
    merged = _resolve_layers(plain, source, directory, [], [source], prov)
    for key, value in dotted:
        parts = _split_key(key, source)
        _check_key_path(parts, source=source)
        layer = _nest(parts, _plain_value(value))
        _absolutize_paths(layer, directory)
        _merge(merged, layer, source, prov)
    return _build(merged, source, prov, base_dir=str(base_dir))


def apply_overrides(
    scenario: Scenario,
    overrides: Mapping[str, Any],
    source: str = "parameters",
    *,
    more: Sequence[tuple[Mapping[str, Any], str]] = (),
) -> Scenario:
    """A new validated scenario: ``scenario`` with dotted keys set to Python values.

    This is how ``mesa.batch_run`` parameters (``{"plan.method": "uniform"}``) land on a base
    scenario. NumPy scalars and arrays are accepted (converted to Python values); a dict value
    is deep-merged into the section it names. ``scenario`` itself is not changed.

    Args:
        scenario: A validated scenario.
        overrides: Dotted key -> value.
        source: Name used in error messages.
        more: Further ``(overrides, source)`` layers applied after ``overrides``, each key's
            mistakes blamed on its own source (``--set`` after an experiment file's tables);
            the scenario is validated once, after all layers.

    Returns:
        The new scenario, with ``scenario.base_dir``; a relative data path given here is taken
        from that folder.

    Raises:
        ScenarioError: Unknown key, wrong type or out-of-range value.
    """
    data = scenario_to_dict(scenario)
    prov: _Provenance = {}
    directory = Path(os.path.abspath(scenario.base_dir))
    for items, src in ((overrides, source), *more):
        for key, value in items.items():
            parts = _split_key(key, src)
            _check_key_path(parts, source=src)
            layer = _nest(parts, _plain_value(value))
            _absolutize_paths(layer, directory)
            _merge(data, layer, src, prov)
    return _build(data, source, prov, base_dir=scenario.base_dir)


def scenario_to_dict(s: Any) -> dict[str, Any]:
    """Every parameter of a scenario (or of one section) as nested dicts; no internal fields.

    List parameters (tuples in the frozen scenario) come out as new lists: the result is plain
    TOML/JSON data, and changing it never changes ``s``.
    """
    out: dict[str, Any] = {}
    for f in dataclasses.fields(s):
        if not f.init or f.metadata.get("internal"):
            continue
        value = getattr(s, f.name)
        if dataclasses.is_dataclass(value):
            out[f.name] = scenario_to_dict(value)
        else:
            out[f.name] = _as_lists(value)
    return out


def _as_lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_as_lists(v) for v in value]
    return copy.deepcopy(value)


def dump_scenario(s: Scenario, path: str | Path, notes: Sequence[str] = ()) -> Path:
    """Write the resolved scenario (every parameter) as TOML, atomically.

    Relative data paths are written as absolute paths (taken from ``s.base_dir``), so the file
    reproduces the run wherever it is stored; ``load_scenario(path) == s`` for any scenario
    read by :func:`load_scenario`.

    Args:
        s: A scenario.
        path: Output file; its folder is created if needed.
        notes: Lines written as comments below the header (e.g. the seed-county values a real
            county inherits, :func:`mergesim.config.inherited.inherited_note`).

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    data = scenario_to_dict(s)
    _absolutize_paths(data, Path(os.path.abspath(s.base_dir)))
    header = (
        # The name is escaped: a comment may not hold control characters or line breaks.
        f"# Resolved scenario {toml_string(s.name)} written by mergesim: every parameter,\n"
        "# data paths absolute. Run it again with `mergesim plan <this file>`.\n"
    )
    header += "".join(f"# note: {printable(n)}\n" for n in notes)
    path = Path(path)
    atomic_write_text(path, header + render_toml(data))
    return path


def scale_allowed() -> str:
    """The allowed ``villagers.scale`` values, as every message about ``--scale`` states them
    (the schema's range: one statement for the scenario key, ``run --scale`` and ``sweep
    --scale``)."""
    spec = next(spec_of(f) for f in dataclasses.fields(VillagerParams) if f.name == "scale")
    assert spec is not None and spec.lo is not None and spec.hi is not None
    return f"a value in [{spec.lo:g}, {spec.hi:g}] (villagers.scale: share of villagers simulated)"


def check_scale(value: float, source: str = "--scale") -> float:
    """``value`` if it is an allowed ``villagers.scale``.

    Raises:
        ScenarioError: Out of range or not finite (one line naming ``source``).
    """
    spec = next(spec_of(f) for f in dataclasses.fields(VillagerParams) if f.name == "scale")
    assert spec is not None and spec.lo is not None and spec.hi is not None
    if not spec.lo <= value <= spec.hi:  # NaN fails both comparisons
        raise ScenarioError(
            f"value {value:g} is out of range; allowed: {scale_allowed()}", source=source
        )
    return float(value)


def parse_override(item: str) -> tuple[str, Any]:
    """Split a ``--set`` item into its dotted key and value.

    The value is read as a TOML value (``3``, ``2.5``, ``true``, ``[1, 2]``, ``"text"``); if it
    is not one (``uniform``), or is a TOML date or time, which no parameter takes, it is kept
    as the bare string.

    Raises:
        ScenarioError: The item is not ``key=value`` with a dotted key of plain words.
    """
    key, sep, raw = item.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key or not all(KEY_PART.fullmatch(p) for p in key.split(".")):
        raise ScenarioError(
            f"bad override {item!r}; expected key=value, e.g. plan.method=uniform",
            source="--set",
        )
    try:
        parsed = tomllib.loads(f"v = {raw}")
    except tomllib.TOMLDecodeError:
        return key, raw
    # A value with a newline could smuggle in extra keys; then it is not one TOML value.
    if set(parsed) != {"v"} or not _is_plain(parsed["v"]):
        return key, raw
    return key, parsed["v"]


# ---------------------------------------------------------------------------------------------
# Reading and layering
# ---------------------------------------------------------------------------------------------


def _resolve_layers(
    data: Mapping[str, Any],
    source: str,
    directory: Path,
    chain: list[Path],
    names: list[str],
    prov: _Provenance,
) -> dict[str, Any]:
    """``data`` merged over its ``extends`` ancestors, paths absolute, provenance recorded."""
    layer = dict(data)
    parent = layer.pop("extends", None)
    merged: dict[str, Any] = {}
    if parent is not None:
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(
                f"value {parent!r} is not a file name; expected a path to a "
                "scenario file, relative to this file",
                source=source,
                key="extends",
            )
        target = directory / parent
        shown = printable(str(target))
        if len(chain) > MAX_EXTENDS_DEPTH:
            raise ScenarioError(
                f"extends chain deeper than {MAX_EXTENDS_DEPTH} files (from {names[0]}); "
                f"allowed: at most {MAX_EXTENDS_DEPTH} levels of extends",
                source=source,
                key="extends",
            )
        try:
            real, exists = target.resolve(), target.is_file()
        except RuntimeError:  # Path.resolve on a symlink loop (Python 3.12)
            raise ScenarioError(
                f"value {parent!r} is a symbolic link loop ({shown}); expected a scenario "
                "file path relative to this file",
                source=source,
                key="extends",
            ) from None
        except (OSError, ValueError):  # a NUL byte or an over-long name: no such file
            real, exists = None, False
        if real in chain:
            cycle = " -> ".join([*names, shown])
            raise ScenarioError(
                f"extends cycle: {cycle}; allowed: a chain without repeats",
                source=source,
                key="extends",
            )
        if real is None or not exists:
            raise ScenarioError(
                f"value {parent!r} names a missing file ({shown}); expected a "
                "scenario file path relative to this file",
                source=source,
                key="extends",
            )
        parent_data = read_toml(target)
        merged = _resolve_layers(
            parent_data,
            shown,
            Path(os.path.abspath(target)).parent,
            [*chain, real],
            [*names, shown],
            prov,
        )
    _check_keys(layer, Scenario, "", source)
    layer = copy.deepcopy(layer)
    _absolutize_paths(layer, directory)
    _merge(merged, layer, source, prov)
    return merged


def _merge(
    base: dict[str, Any], layer: Mapping[str, Any], source: str, prov: _Provenance, prefix: str = ""
) -> None:
    """Deep-merge ``layer`` into ``base``: tables key by key, anything else (lists too) replaced."""
    for key, value in layer.items():
        dotted = prefix + key
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value, source, prov, dotted + ".")
            continue
        base[key] = copy.deepcopy(dict(value) if isinstance(value, Mapping) else value)
        _record(prov, dotted, value, source)


def _record(prov: _Provenance, key: str, value: Any, source: str) -> None:
    prov[key] = source
    if isinstance(value, Mapping):
        for k, v in value.items():
            _record(prov, f"{key}.{k}", v, source)


def _nest(parts: list[str], value: Any) -> dict[str, Any]:
    """``["a", "b"], v`` -> ``{"a": {"b": v}}``."""
    out: Any = value
    for part in reversed(parts):
        out = {part: out}
    return out


def _split_key(key: Any, source: str) -> list[str]:
    if not isinstance(key, str) or not all(KEY_PART.fullmatch(p) for p in key.split(".")):
        raise ScenarioError(
            f"bad key {key!r}; expected a dotted key such as 'plan.method'", source=source
        )
    return key.split(".")


def _plain_value(value: Any) -> Any:
    """NumPy scalars and arrays (as ``mesa.batch_run`` passes them) and tuples as Python values."""
    if type(value).__module__ == "numpy":
        if hasattr(value, "tolist"):
            return _plain_value(value.tolist())
    if isinstance(value, tuple | list):
        return [_plain_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain_value(v) for k, v in value.items()}
    return value


def _is_plain(value: Any) -> bool:
    """True for the TOML values a parameter can take (no dates or times)."""
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(v) for v in value.values())
    return isinstance(value, bool | int | float | str)


# ---------------------------------------------------------------------------------------------
# Walking the schema
# ---------------------------------------------------------------------------------------------


@functools.cache
def _public_fields(cls: type) -> dict[str, Any]:
    """Name -> type of the user-settable fields of a section (``base_dir`` and kin left out)."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(cls)
        if f.init and not f.metadata.get("internal")
    }


@functools.cache
def _path_keys(cls: type = Scenario) -> tuple[str, ...]:
    return tuple(key for key, _tp, _default, spec in iter_params(cls) if spec.unit == "path")


def _check_keys(data: Mapping[Any, Any], cls: type, prefix: str, source: str) -> None:
    """Reject unknown, internal and non-string keys before the validator sees them.

    ``build_section`` would accept the internal ``base_dir`` and trip over a non-string key, so
    key names are checked here against the public fields of each section.
    """
    fields = _public_fields(cls)
    for key, value in data.items():
        if not isinstance(key, str):
            raise ScenarioError(
                f"key {key!r} is not a string; expected one of {', '.join(sorted(fields))}",
                source=source,
                key=prefix.rstrip(".") or None,
            )
        if cls is Scenario and not prefix and key == "extends":
            continue
        if key not in fields:
            raise ScenarioError(
                unknown_key_message(printable(key), list(fields)),
                source=source,
                key=prefix + printable(key),
            )
        tp = fields[key]
        if dataclasses.is_dataclass(tp) and isinstance(value, Mapping):
            _check_keys(value, tp, f"{prefix}{key}.", source)


def _check_key_path(parts: list[str], *, source: str) -> None:
    """Check that a dotted override key names a parameter or a section of the schema."""
    cls: type = Scenario
    for i, part in enumerate(parts):
        fields = _public_fields(cls)
        here = ".".join(parts[: i + 1])
        if part not in fields:
            raise ScenarioError(unknown_key_message(part, list(fields)), source=source, key=here)
        tp = fields[part]
        if i + 1 < len(parts):
            if not dataclasses.is_dataclass(tp):
                raise ScenarioError(
                    f"{here} is a parameter, not a table; it has no key {parts[i + 1]!r}",
                    source=source,
                    key=".".join(parts),
                )
            cls = tp


def _absolutize_paths(data: dict[str, Any], directory: Path) -> None:
    """Make relative data paths in ``data`` absolute, taken from ``directory`` (in place)."""
    for key in _path_keys():
        *head, last = key.split(".")
        node: Any = data
        for part in head:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        value = node.get(last)
        if isinstance(value, str) and value and not os.path.isabs(value):
            node[last] = os.path.normpath(os.path.join(directory, value))


def _build(data: dict[str, Any], source: str, prov: _Provenance, *, base_dir: str) -> Scenario:
    """Validate ``data``; an error names the file (or ``--set``) that set the key at fault."""
    try:
        _check_keys(data, Scenario, "", source)  # rejects a user's base_dir, set here
        return build_section(Scenario, {**data, "base_dir": base_dir}, source=source)
    except ScenarioError as e:
        origin = _origin(prov, e.key) or source
        if origin == e.source:
            raise
        raise ScenarioError(e.message, source=origin, key=e.key) from None


def _origin(prov: _Provenance, key: str | None) -> str | None:
    """The source of ``key`` or of its nearest recorded parent table."""
    while key:
        if key in prov:
            return prov[key]
        key = key.rpartition(".")[0]
    return None
