"""The machinery behind the scenario schema: typed, documented, validated parameters.

Every parameter is a dataclass field created with :func:`param`, which records its unit, its
allowed range or choices, its plausible range, a one-line meaning and its source (the report,
the literature, or a stated assumption). :func:`build_section` turns a plain dict (from TOML)
into a section object, checking every key and value and raising
:class:`~mergesim.errors.ScenarioError` with one line naming the key, the value and what is
allowed.

Scenario sections are frozen dataclasses deriving from :class:`Section`, which validates every
field on construction: ``dataclasses.replace(section, key=value)`` builds a new, validated
section, and a list parameter is stored as a tuple, so a validated scenario cannot be changed
behind the validator's back.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, dataclass, field
from typing import Any

from mergesim.errors import ScenarioError


@dataclass(frozen=True)
class Spec:
    """What a parameter means and which values it takes.

    ``lo``/``hi`` bound the values the model accepts at all; ``plausible`` is the narrower
    range that the evidence supports (a source states it), used by robustness analyses. It lies
    inside the allowed range; None where no source states one yet.
    """

    unit: str
    doc: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[Any, ...] | None = None
    source: str = "assumption"
    plausible: tuple[float, float] | None = None

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

    def plausible_text(self) -> str:
        """The plausible range as ``[lo, hi]``, or "" when none is stated."""
        if self.plausible is None:
            return ""
        return f"[{self.plausible[0]:g}, {self.plausible[1]:g}]"


def param(
    default: Any,
    unit: str,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[Any, ...] | None = None,
    source: str = "assumption",
    plausible: tuple[float, float] | None = None,
) -> Any:
    """Declare a scenario parameter (a dataclass field with its documentation).

    Args:
        default: The default value; a list is stored as a tuple (immutable, hashable).
        unit: Unit of measurement ("-" for dimensionless, "km", "min", "weeks", ...).
        doc: One-line meaning.
        lo: Inclusive lower bound for numbers (or for every element of a list of numbers).
        hi: Inclusive upper bound.
        choices: Allowed values for a categorical parameter.
        source: Where the default comes from: "report" (the seed report), a citation, or
            "assumption".
        plausible: ``(low, high)``: the range the evidence supports, inside ``[lo, hi]`` and
            holding the default (every element of a list default). Give it only where a source
            states one, and name that source in ``source``.

    Raises:
        ValueError: ``plausible`` is not an ascending pair inside the allowed range holding the
            default (a mistake in the schema, not in user input).
    """
    if plausible is not None:
        plausible = _check_plausible(plausible, default, lo, hi, doc)
    spec = Spec(
        unit=unit, doc=doc, lo=lo, hi=hi, choices=choices, source=source, plausible=plausible
    )
    if isinstance(default, list):
        default = tuple(default)
    return field(default=default, metadata={"spec": spec})


def _check_plausible(
    plausible: Any, default: Any, lo: float | None, hi: float | None, doc: str
) -> tuple[float, float]:
    try:
        p_lo, p_hi = (float(v) for v in plausible)
    except (TypeError, ValueError):
        raise ValueError(f"plausible {plausible!r} is not a (low, high) pair ({doc})") from None
    if not p_lo <= p_hi:
        raise ValueError(f"plausible {plausible!r} is not ascending ({doc})")
    if (lo is not None and p_lo < lo) or (hi is not None and p_hi > hi):
        raise ValueError(f"plausible {plausible!r} leaves the allowed range [{lo}, {hi}] ({doc})")
    values = default if isinstance(default, list | tuple) else [default]
    if any(not p_lo <= v <= p_hi for v in values):
        raise ValueError(f"default {default!r} lies outside plausible {plausible!r} ({doc})")
    return (p_lo, p_hi)


def spec_of(f: dataclasses.Field) -> Spec | None:
    """The :class:`Spec` of a field, or None for sub-sections."""
    return f.metadata.get("spec")


def did_you_mean(word: str, valid: Iterable[str], *, n: int = 1, cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` (or ``'x' or 'y'`` for ``n`` > 1) when a valid name is close
    to ``word``, else "". The one "did you mean" of mergesim: scenario keys, experiment keys and
    metric names all use it.

    Args:
        word: The unknown name as given.
        valid: The names allowed there.
        n: Most suggestions to give.
        cutoff: Least similarity (:func:`difflib.get_close_matches`, 0–1) of a suggestion.
    """
    close = difflib.get_close_matches(word, list(valid), n=n, cutoff=cutoff)
    if not close:
        return ""
    return "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


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
    if origin in (list, tuple):
        inner = typing.get_args(tp)[0]
        return f"a list of {_type_name(inner).removeprefix('a ').removeprefix('an ')}s"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp) if a is not type(None))
    return str(tp)


def _coerce(tp: Any, value: Any) -> Any:
    """Coerce ``value`` to ``tp`` or raise TypeError. Ints are accepted for floats, never bools.

    A list type (``list[float]``) gives a list, a tuple type (``tuple[float, ...]``, the form
    of list parameters in frozen sections) a tuple; either accepts a list or a tuple.
    """
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
    if origin in (list, tuple):
        inner = typing.get_args(tp)[0]
        if not isinstance(value, list | tuple):
            raise TypeError
        return origin(_coerce(inner, v) for v in value)
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
    values = value if isinstance(value, list | tuple) else [value]
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
    hint = did_you_mean(key, valid) or ";"  # "...? valid keys" or "...; valid keys"
    return f"unknown key{hint} valid keys: {', '.join(sorted(valid))}"


class FieldError(ScenarioError):
    """A bad value of one field, found while a section was constructed.

    ``field`` is the field's name within its section; :func:`build_section` re-raises the
    error with the file and the dotted key, a direct constructor call or
    ``dataclasses.replace`` shows ``SectionClass.field``.
    """

    def __init__(self, message: str, *, section: str, field: str):
        self.field = field
        super().__init__(message, key=f"{section}.{field}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _validated(spec: Spec | None, tp: Any, value: Any) -> Any:
    """``value`` coerced to ``tp`` and checked against ``spec``; ValueError(message) if bad."""
    try:
        coerced = _coerce(tp, value)
    except TypeError:
        raise ValueError(f"value {value!r} has the wrong type; expected {_type_name(tp)}") from None
    if spec is not None and not _check_range(spec, coerced):
        unit = f" ({spec.unit})" if spec.unit not in ("-", "") else ""
        shown = list(coerced) if isinstance(coerced, tuple) else coerced  # as written in TOML
        raise ValueError(f"value {shown!r} is out of range; allowed: {spec.allowed()}{unit}")
    return coerced


class Section:
    """Base of every scenario section (and of :class:`~mergesim.config.schema.Scenario`).

    Subclasses are ``@dataclass(frozen=True)`` with fields declared by :func:`param` (or
    sub-sections). Construction validates every field — type (coerced: ``2`` → ``2.0`` for a
    number, a list → a tuple), allowed range or choices — and then the section's own
    cross-field ``check()``; a bad value raises :class:`FieldError` (a
    :class:`~mergesim.errors.ScenarioError`). So ``dataclasses.replace`` and a direct
    ``CountyParams(household_size=...)`` are validated exactly as a scenario file is.
    """

    def __post_init__(self) -> None:
        hints = _hints(type(self))
        name = type(self).__name__
        for f in dataclasses.fields(self):
            if not f.init:
                continue
            value = getattr(self, f.name)
            tp = hints[f.name]
            if dataclasses.is_dataclass(tp):
                if not isinstance(value, tp):
                    raise FieldError(
                        f"value {value!r} is not a {tp.__name__}", section=name, field=f.name
                    )
                continue
            spec = spec_of(f)
            if spec is None:
                continue
            try:
                coerced = _validated(spec, tp, value)
            except ValueError as e:
                raise FieldError(str(e), section=name, field=f.name) from None
            if coerced is not value:
                object.__setattr__(self, f.name, coerced)  # frozen: set once, while building
        check = getattr(self, "check", None)
        problem = check() if check is not None else None
        if problem:
            key, msg = problem
            raise FieldError(msg, section=name, field=key)


def build_section(cls: type, data: Any, *, source: str, prefix: str = "") -> Any:
    """Build dataclass ``cls`` from ``data`` (a dict), validating keys, types and ranges.

    Nested dataclass fields are built recursively from sub-tables.

    Args:
        cls: A dataclass whose fields were declared with :func:`param` (or are sub-sections):
            a frozen :class:`Section` of the scenario, or a plain dataclass (experiment files).
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
    hints = _hints(cls)
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
        try:
            kwargs[name] = _validated(spec_of(f), tp, data[name])
        except ValueError as e:
            raise ScenarioError(str(e), source=source, key=prefix + name) from None
    if issubclass(cls, Section):
        try:
            return cls(**kwargs)  # validates again (cheap: values are coerced) and checks
        except FieldError as e:
            raise ScenarioError(e.message, source=source, key=prefix + e.field) from None
    obj = cls(**kwargs)
    check = getattr(obj, "check", None)
    problem = check() if check is not None else None
    if problem:
        key, msg = problem
        raise ScenarioError(msg, source=source, key=prefix + key)
    return obj


def default_of(f: dataclasses.Field) -> Any:
    """The default value of a parameter field (None if it has none)."""
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def iter_params(cls: type, prefix: str = "") -> Iterator[tuple[str, Any, Any, Spec]]:
    """Yield ``(dotted_key, type, default, Spec)`` for every parameter of ``cls``, depth first.

    ``Spec.plausible`` holds a parameter's plausible range (see :func:`iter_plausible`).
    """
    hints = _hints(cls)
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
        yield prefix + f.name, tp, default_of(f), spec


def iter_plausible(cls: type) -> Iterator[tuple[str, tuple[float, float], Spec]]:
    """Yield ``(dotted_key, (low, high), Spec)`` for every parameter with a plausible range."""
    for key, _tp, _default_value, spec in iter_params(cls):
        if spec.plausible is not None:
            yield key, spec.plausible, spec


def type_name(tp: Any) -> str:
    """Public alias used by the docs generator."""
    return _type_name(tp)
