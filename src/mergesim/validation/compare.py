"""Formatting and comparison helpers shared by the check modules: each returns one
:class:`~mergesim.validation.result.Result`."""

from __future__ import annotations

import math

import numpy as np

from mergesim.validation.result import Result

#: Deterministic comparisons (travel, coverage): absolute tolerance in minutes or shares.
EXACT_ATOL = 1e-9


def fmt(x: float, digits: int = 4) -> str:
    """A number with ``digits`` decimals, ``inf`` for infinity."""
    return "inf" if math.isinf(x) else f"{x:.{digits}f}"


def finite_mean(a: np.ndarray) -> float:
    """Mean of the finite entries (inf if none)."""
    fin = np.isfinite(a)
    return float(a[fin].mean()) if fin.any() else math.inf


def same(
    check: str, reference: np.ndarray, ours: np.ndarray, unit: str = "min", extra_ok: bool = True
) -> Result:
    """Element-wise equality of two arrays (unreachable = inf in both); shows their means."""
    reference, ours = np.asarray(reference, float), np.asarray(ours, float)
    same_inf = np.array_equal(np.isinf(reference), np.isinf(ours))
    fin = np.isfinite(reference) & np.isfinite(ours)
    diff = float(np.max(np.abs(reference[fin] - ours[fin]), initial=0.0))
    ok = bool(same_inf and diff <= EXACT_ATOL and extra_ok)
    return Result(
        check,
        f"{fmt(finite_mean(reference))} {unit} (mean of {reference.size:,})",
        f"{fmt(finite_mean(ours))} {unit}",
        f"max |Δ| ≤ {EXACT_ATOL:g} (got {diff:.1e})",
        ok,
    )


def close(check: str, reference: float, ours: float, digits: int = 6) -> Result:
    """Two numbers equal within :data:`EXACT_ATOL`."""
    diff = abs(reference - ours)
    return Result(
        check,
        fmt(reference, digits),
        fmt(ours, digits),
        f"|Δ| ≤ {EXACT_ATOL:g} (got {diff:.1e})",
        bool(diff <= EXACT_ATOL),
    )


def equal_count(check: str, reference: str, expected: int, ours: int) -> Result:
    """A count equal to the one a rule or an input implies."""
    return Result(check, f"{expected:,} ({reference})", f"{ours:,}", "equal", expected == ours)
