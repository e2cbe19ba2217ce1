"""Shared assertion for the validation tests."""

from __future__ import annotations

from mergesim.validation import suite


def assert_all_pass(rows: list[suite.Result]) -> None:
    """Every row passed (a skip is not a pass here); the failing rows as a table otherwise."""
    assert rows, "a check returned no rows"
    bad = [r for r in rows if r.ok is not True]
    assert not bad, "\n" + suite.format_table(bad)
