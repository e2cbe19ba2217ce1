"""The machinery behind the scenario schema: typed, documented, validated parameters.

Every parameter is a dataclass field created with :func:`param`, which records its unit, its
allowed range or choices, a one-line meaning and its source (the report, the literature, or a
stated assumption). :func:`build_section` turns a plain dict (from TOML) into a section object,
checking every key and value and raising :class:`~mergesim.errors.ScenarioError` with one line
naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from dataclasses import MISSING, dataclass, field
from typing import Any

from mergesim.errors import ScenarioError


@dataclass(frozen=True)
class Spec:
    """What a parameter means and which values it takes."""

    unit: str
    doc: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[Any, ...] | None = None
    source: str = "assumption"

    def allowed(self) -> str:
        """Human description of the allowed values."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.lo is not None and self.hi is not None:
            return f"a value in [{self.lo}, {self.hi}]"
        if self.lo is not None:
            return f"a value >= {self.lo}"
        if self.hi is not None:
            return f"a value <= {self.hi}"
        return "any value of the right type"


def param(
    default: Any,
    unit: str,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[Any, ...] | None = None,
    source: str = "assumption",
) -> Any:
    """Declare a scenario parameter (a dataclass field with its documentation).

    Args:
        default: The default value; lists are copied per instance.
        unit: Unit of measurement ("-" for dimensionless, "km", "min", "weeks", ...).
        doc: One-line meaning.
        lo: Inclusive lower bound for numbers (or for every element of a list of numbers).
        hi: Inclusive upper bound.
        choices: Allowed values for a categorical parameter.
        source: Where the default comes from: "report" (the seed report), a citation, or
            "assumption".
    """
    spec = Spec(unit=unit, doc=doc, lo=lo, hi=hi, choices=choices, source=source)
    if isinstance(default, list):
        return field(default_factory=lambda d=default: list(d), metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


def spec_of(f: dataclasses.Field) -> Spec | None:
    """The :class:`Spec` of a field, or None for sub-sections."""
    return f.metadata.get("spec")


def _type_name(tp: Any) -> str:
    if tp is bool:
        return "true/false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    origin = typing.get_origin(tp)
    if origin is list:
        (inner,) = typing.get_args(tp)
        return f"a list of {_type_name(inner).removeprefix('a ').removeprefix('an ')}s"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    return str(tp)


def _coerce(tp: Any, value: Any) -> Any:
    """Coerce ``value`` to ``tp`` or raise TypeError. Ints are accepted for floats, never bools."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        for a in args:
            if a is type(None):
                continue
            try:
                return _coerce(a, value)
            except TypeError:
                continue
        raise TypeError
    if origin is list:
        (inner,) = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            raise TypeError
        return [_coerce(inner, v) for v in value]
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise TypeError
    if tp is int:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise TypeError
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError
        if math.isnan(value):
            raise TypeError
        return float(value)
    if tp is str:
        if isinstance(value, str):
            return value
        raise TypeError
    raise TypeError


def _check_range(spec: Spec, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for v in values:
        if v is None:
            continue
        if spec.choices is not None and v not in spec.choices:
            return False
        if isinstance(v, int | float) and not isinstance(v, bool):
            if spec.lo is not None and v < spec.lo:
                return False
            if spec.hi is not None and v > spec.hi:
                return False
    return True


def unknown_key_message(key: str, valid: list[str]) -> str:
    """One line for an unknown key, with a "did you mean" suggestion when one is close."""
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown key{hint} valid keys: {', '.join(sorted(valid))}"


def build_section(cls: type, data: Any, *, source: str, prefix: str = "") -> Any:
    """Build dataclass ``cls`` from ``data`` (a dict), validating keys, types and ranges.

    Nested dataclass fields are built recursively from sub-tables.

    Args:
        cls: A dataclass whose fields were declared with :func:`param` (or are sub-sections).
        data: The table read from TOML (after ``extends`` and ``--set`` were applied).
        source: File name for error messages.
        prefix: Dotted prefix of this section for error messages.

    Raises:
        ScenarioError: Unknown key, wrong type or value out of range.
    """
    if not isinstance(data, dict):
        raise ScenarioError(
            f"expected a table of keys, got {data!r}", source=source, key=prefix.rstrip(".") or None
        )
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in data:
        if key not in fields:
            raise ScenarioError(
                unknown_key_message(key, list(fields)), source=source, key=prefix + key
            )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        tp = hints[name]
        if dataclasses.is_dataclass(tp):
            kwargs[name] = build_section(
                tp, data.get(name, {}), source=source, prefix=f"{prefix}{name}."
            )
            continue
        if name not in data:
            continue
        value = data[name]
        spec = spec_of(f)
        try:
            value = _coerce(tp, value)
        except TypeError:
            raise ScenarioError(
                f"value {value!r} has the wrong type; expected {_type_name(tp)}",
                source=source,
                key=prefix + name,
            ) from None
        if spec is not None and not _check_range(spec, value):
            raise ScenarioError(
                f"value {value!r} is out of range; allowed: {spec.allowed()}"
                + (f" ({spec.unit})" if spec.unit not in ("-", "") else ""),
                source=source,
                key=prefix + name,
            )
        kwargs[name] = value
    obj = cls(**kwargs)
    check = getattr(obj, "check", None)
    if check is not None:
        problem = check()
        if problem:
            key, msg = problem
            raise ScenarioError(msg, source=source, key=prefix + key)
    return obj


def iter_params(cls: type, prefix: str = ""):
    """Yield ``(dotted_key, type, default, Spec)`` for every parameter of ``cls``, depth first."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            yield from iter_params(tp, prefix=f"{prefix}{f.name}.")
            continue
        spec = spec_of(f)
        if spec is None:
            continue
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:
            default = None
        yield prefix + f.name, tp, default, spec


def type_name(tp: Any) -> str:
    """Public alias used by the docs generator."""
    return _type_name(tp)
