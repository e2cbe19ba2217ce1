"""Confidence intervals over replicates, and how the report prints numbers.

The unit of replication is the **run**: a design point (a scenario with its factor values) is
run with replicates ``k = 0 … n − 1``, each with its own seed, and only those replicates pool.
A run's affairs, villagers and petitions are not independent draws (they share the county,
the capacity and the week), so every interval here is computed over replicate values, never
over pooled events.

* **Means** (:func:`t_interval`): Student-t interval of the mean over replicates.
* **Shares** (values in [0, 1] and dimensionless: ``*_share``, coverage, the stability index,
  the Gini, mean grievance; :func:`is_share`): Student-t interval of the mean **logit** over
  replicates, transformed back (:func:`logit_t_interval`), so the interval stays inside
  (0, 1) and is asymmetric near the bounds. A replicate value of exactly 0 or 1 is taken as
  :data:`LOGIT_EPS` or ``1 − LOGIT_EPS`` on the logit scale. Wilson intervals would need
  counts: the runs table holds no per-window counts, and pooling the affairs of several runs
  would treat correlated events as independent (too narrow). A bootstrap over 3–5 replicates
  cannot reach its nominal level (with 3 values it returns about their range), which is why the
  logit interval is a t interval, not a bootstrap.
* **Paired differences** (:func:`t_interval` of the differences): run ``(point, replicate)``
  of a group minus the baseline's run with the same point and replicate, hence the same seed
  (common random numbers): the t interval of the mean difference, on the raw scale (a
  difference of shares lies in [−1, 1] and is not transformed).

Fewer than :data:`FEW_REPLICATES` replicates: the interval rests on the normality of the
replicate means and is wide; tables and figures say so next to the number
(:func:`fmt_estimate`). Numbers are printed with three significant figures
(:func:`fmt_sig`); an interval shares the scale of its estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Confidence level of every interval in tables and figures.
LEVEL = 0.95
#: Below this many replicates a number is marked as resting on few replicates.
FEW_REPLICATES = 5
#: A share of exactly 0 or 1 enters the logit as this distance from the bound.
LOGIT_EPS = 1e-3
#: Significant figures of printed numbers.
SIG = 3


@dataclass(frozen=True)
class Estimate:
    """A mean over replicates with its interval.

    Attributes:
        mean: Arithmetic mean of the finite values (NaN if none).
        lo, hi: Interval bounds (NaN with fewer than 2 values).
        n: Finite values used.
        method: ``"t"`` or ``"logit-t"``.
    """

    mean: float
    lo: float
    hi: float
    n: int
    method: str = "t"

    @property
    def few(self) -> bool:
        """Fewer than :data:`FEW_REPLICATES` values."""
        return self.n < FEW_REPLICATES


def _finite(x) -> np.ndarray:
    x = np.asarray(x, dtype=float).ravel()
    return x[np.isfinite(x)]


def t_interval(x, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and Student-t interval of the finite values of ``x`` (NaN bounds if fewer than 2)."""
    x = _finite(x)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    h = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - h, m + h


def logit(p):
    """``log(p / (1 − p))`` with ``p`` clipped to [:data:`LOGIT_EPS`, 1 − LOGIT_EPS]."""
    p = np.clip(np.asarray(p, dtype=float), LOGIT_EPS, 1 - LOGIT_EPS)
    return np.log(p / (1 - p))


def expit(z):
    """The inverse of :func:`logit`."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def logit_t_interval(x, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean of shares ``x`` and the t interval of their mean logit, transformed back.

    The interval lies inside (0, 1). Should the arithmetic mean fall outside it (only for
    extreme, skewed replicate values), the interval is widened to hold it.
    """
    x = _finite(x)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    if np.all(x == x[0]):  # no spread: the interval is the value itself, as for t
        return m, m, m
    _, a, b = t_interval(logit(x), level)
    lo, hi = float(expit(a)), float(expit(b))
    return m, min(lo, m), max(hi, m)


def is_share(values, unit: str) -> bool:
    """Whether a metric is a share: dimensionless (unit ``-``) with every finite value in
    [0, 1]."""
    if unit not in ("-", ""):
        return False
    x = _finite(values)
    return len(x) > 0 and bool(np.all((x >= 0) & (x <= 1)))


def estimate(x, *, share: bool = False, level: float = LEVEL) -> Estimate:
    """The :class:`Estimate` of replicate values ``x`` (logit-t for shares, else t)."""
    x = _finite(x)
    fn = logit_t_interval if share else t_interval
    m, a, b = fn(x, level)
    return Estimate(m, a, b, len(x), "logit-t" if share else "t")


def few_note(counts) -> str:
    """``" (n = 2–3 replicates: few)"`` when any count is below :data:`FEW_REPLICATES`, for
    a figure's title (empty otherwise)."""
    ns = [int(n) for n in counts if n == n]
    if not ns or min(ns) >= FEW_REPLICATES:
        return ""
    lo, hi = min(ns), max(ns)
    return f" (n = {lo}{f'–{hi}' if hi != lo else ''} replicates: few)"


# ---------------------------------------------------------------------------------------------
# Printing numbers
# ---------------------------------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _exponent(x: float) -> int:
    return int(math.floor(math.log10(abs(x)))) if x else 0


def fmt_sig(x: float, sig: int = SIG) -> str:
    """``x`` with ``sig`` significant figures, in plain notation between 0.001 and 100,000
    (``"0.0123"``, ``"1.23e+06"``), "–" if not finite."""
    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    e = _exponent(x)
    if -3 <= e < 5:
        decimals = max(sig - 1 - e, 0)
        return f"{round(x, decimals):.{decimals}f}"
    return f"{x:.{sig - 1}e}"


def _plain(x: float, sig: int) -> str:
    """``x`` with ``sig`` significant figures in plain notation (no exponent)."""
    if x == 0:
        return "0"
    decimals = max(sig - 1 - _exponent(x), 0)
    return f"{round(x, decimals):.{decimals}f}"


def fmt_estimate(mean: float, lo: float, hi: float, n: int | None = None, *, sig: int = SIG) -> str:
    """``"12.3 [10.1, 14.5]"``: the estimate and its interval bounds, each with ``sig``
    significant figures; small or large numbers share one power of ten
    (``"4.81 [−5.89, 15.5] × 10⁻⁵"``). With ``n`` below :data:`FEW_REPLICATES`, ``"(n = 3,
    few)"`` follows; without a finite interval (n = 1) the estimate stands alone."""
    if mean is None or not math.isfinite(mean):
        return "–"
    tail = ""
    if n is not None and n < FEW_REPLICATES:
        tail = f" (n = {n}, few)"
    if not (lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi)):
        return fmt_sig(mean, sig) + tail
    top = max(abs(mean), abs(lo), abs(hi))
    e = _exponent(mean) if mean else _exponent(top)
    if -3 <= e < 5 and _exponent(top) < 5:
        scale, power = 1.0, ""
    else:
        scale, power = 10.0**e, f" × 10{str(e).translate(_SUPERSCRIPT)}"
    m, a, b = (_plain(v / scale, sig) for v in (mean, lo, hi))
    return f"{m} [{a}, {b}]{power}".replace("-", "−") + tail
