"""Numbers in county data files: decimal point or comma, thousands separators, exact integers.

A file writes decimals one way. :func:`sniff_decimal` decides which from the cells themselves
(a cell like ``106,3`` can only be a decimal comma, ``106.3`` only a decimal point; a file
whose every fractional cell is ambiguous, like ``1.234``, follows its delimiter: ``;`` goes
with a decimal comma, as spreadsheets in most of Europe write it). :class:`NumberFormat` then
reads every cell by that rule and says which cells used thousands separators, so that
``1.234`` in a decimal-comma file is 1,234 persons — read explicitly, and reported — and never
one person.

Ids go through :meth:`NumberFormat.exact`: a :class:`~decimal.Decimal`, so ``12.5`` is refused
rather than truncated and a 17-digit id is refused by its range rather than rounded by a float.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

__all__ = ["NumberFormat", "sniff_decimal"]

#: Thousands separators accepted besides the decimal convention's other mark: spaces (plain,
#: no-break, narrow no-break; SI/ISO 31-0 style) and the apostrophe (Swiss style).
_SPACES = (" ", "\u00a0", "\u202f", "'")
_PLAIN = {
    ".": re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"),
    ",": re.compile(r"^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$"),
}
_WORDS = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)
# Unambiguous fractional cells: the other convention cannot read them.
_ONLY_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_ONLY_DOT = re.compile(r"^[+-]?\d*\.\d+$")
_GROUPED3 = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+$")


def _grouping(sep: str, decimal: str) -> re.Pattern[str]:
    s, d = re.escape(sep), re.escape(decimal)
    return re.compile(rf"^[+-]?\d{{1,3}}(?:{s}\d{{3}})+(?:{d}\d+)?$")


def sniff_decimal(cells: Iterable[str], delimiter: str) -> tuple[str, str]:
    """The decimal mark of a file's numeric cells, and why.

    Args:
        cells: The raw text of the file's numeric cells.
        delimiter: The file's field delimiter.

    Returns:
        ``(mark, reason)``: ``"."`` or ``","`` and a few words for the report.

    Raises:
        ValueError: The file mixes unambiguous decimal commas and points (message: both
            examples).
    """
    comma = dot = None
    for c in cells:
        c = c.strip()
        if comma is None and _ONLY_COMMA.match(c) and not _GROUPED3.match(c):
            comma = c
        elif dot is None and _ONLY_DOT.match(c) and not _GROUPED3.match(c):
            dot = c
        if comma is not None and dot is not None:
            raise ValueError(
                f"mixes decimal commas ({comma!r}) and decimal points ({dot!r}); write every "
                "number one way"
            )
    if comma is not None:
        return ",", f"decimal comma (e.g. {comma!r})"
    if dot is not None:
        return ".", "decimal point"
    if delimiter == ";":
        return ",", "decimal comma (';'-separated file)"
    return ".", "decimal point"


@dataclass
class NumberFormat:
    """How a file writes numbers, and the cells read with thousands separators.

    Attributes:
        decimal: The decimal mark, ``"."`` or ``","``.
        grouped: Per column, ``[count, first cell]`` of cells read with thousands separators.
    """

    decimal: str = "."
    grouped: dict[str, list] = field(default_factory=dict)

    def __post_init__(self) -> None:
        other = "," if self.decimal == "." else "."
        self._groupings = [_grouping(s, self.decimal) for s in (other, *_SPACES)]

    def _normal(self, text: str, column: str | None) -> str | None:
        """``text`` in Python float syntax (grouping removed, decimal point), or None; a
        grouped cell is recorded under ``column`` (None: not recorded)."""
        s = text.strip()
        if _PLAIN[self.decimal].match(s):
            return s.replace(",", ".") if self.decimal == "," else s
        if _WORDS.match(s):
            return s
        for g in self._groupings:
            if g.match(s):
                digits = re.sub(r"[^\d+\-,.]", "", s)  # drop space and apostrophe groupings
                other = "," if self.decimal == "." else "."
                digits = digits.replace(other, "")
                if self.decimal == ",":
                    digits = digits.replace(",", ".")
                if column is not None:
                    entry = self.grouped.setdefault(column, [0, s])
                    entry[0] += 1
                return digits
        return None

    def number(self, v: object, column: str) -> float | None:
        """A cell as a float (NaN and infinities included), or None if it is not a number."""
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            try:
                return float(v)
            except OverflowError:  # an integer too large for a float (JSON 1000…0)
                return math.inf if v > 0 else -math.inf
        if isinstance(v, float):
            return v
        if isinstance(v, str):
            s = self._normal(v, column)
            return None if s is None else float(s)
        return None

    def exact(self, v: object, column: str) -> Decimal | None:
        """A cell as an exact :class:`~decimal.Decimal` (for ids), or None if not a number."""
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return Decimal(v)
        if isinstance(v, float):
            return Decimal(v) if math.isfinite(v) else None
        if isinstance(v, str):
            s = self._normal(v, column)
            if s is None:
                return None
            try:
                d = Decimal(s)
            except InvalidOperation:
                return None
            return d if d.is_finite() else None
        return None

    def grouped_note(self) -> str:
        """Which columns used thousands separators, for the report ("" if none)."""
        parts = []
        for col, (count, first) in self.grouped.items():
            value = self._normal(first, None)
            shown = f"{float(value):.10g}" if value is not None else first
            parts.append(f"{col} ({count} cell(s), e.g. {first!r} read as {shown})")
        return "thousands separators in " + ", ".join(parts) if parts else ""
