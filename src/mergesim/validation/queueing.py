"""Closed-form queueing results, the reference for the petition loop's stage queues.

Each petition stage (:mod:`mergesim.mechanisms.petitions`) is a first-come-first-served queue
with ``c`` identical servers and exponential service. With Poisson arrivals at rate ``λ`` and
service rate ``μ`` per server it is an **M/M/c** queue; the formulas below are the standard
ones (Kleinrock 1975, *Queueing Systems* vol. 1, §3.5; Gross et al. 2008, *Fundamentals of
Queueing Theory*, 4th ed., §2.3):

* offered load ``a = λ/μ``, utilisation ``ρ = a/c`` (stable iff ``ρ < 1``);
* Erlang B by the stable recursion ``B(0) = 1``, ``B(k) = a B(k−1) / (k + a B(k−1))``;
* Erlang C, the probability that an arrival waits: ``C = c B(c) / (c − a (1 − B(c)))``;
* mean wait in queue ``Wq = C / (cμ − λ)``, mean sojourn ``W = Wq + 1/μ``;
* Little's law (Little 1961): ``Lq = λ Wq``, ``L = λ W``.

A pure delay with exponential duration of mean ``d`` is an M/M/∞ node: sojourn ``d``.

**Tandem (Jackson network).** By Burke's theorem (Burke 1956) the departures of a stable M/M/c
queue form a Poisson process of rate ``λ``, so a series of M/M/c stations fed by Poisson arrivals
is a Jackson network (Jackson 1957) whose stations behave as independent M/M/c queues in steady
state: the mean end-to-end sojourn is the sum of the stations' ``W``.

:func:`batch_means` gives a confidence interval for the mean of correlated simulation output
(Law 2015, *Simulation Modeling and Analysis*, 5th ed., §9.5.3); :func:`replication_ci` the
same for independent replications.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class MMc:
    """Steady-state results of an M/M/c queue (times in the unit of ``1/λ``).

    Attributes:
        lam: Arrival rate λ (per time unit).
        mu: Service rate per server μ (per time unit).
        c: Number of servers.
        rho: Utilisation λ / (c μ).
        p_wait: Erlang C: probability that an arrival has to wait.
        wq: Mean wait in queue.
        w: Mean sojourn (wait + service).
        lq: Mean number waiting.
        l: Mean number in the system.
    """

    lam: float
    mu: float
    c: int
    rho: float
    p_wait: float
    wq: float
    w: float
    lq: float
    l: float  # noqa: E741 - the standard symbol


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability for ``c`` servers and offered load ``a = λ/μ``."""
    if c < 0 or a < 0:
        raise ValueError("c and a must be >= 0")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Erlang C: probability of waiting in an M/M/c queue with offered load ``a = λ/μ < c``."""
    if c < 1:
        raise ValueError("c must be >= 1")
    if a >= c:
        raise ValueError(f"unstable queue: offered load {a} >= servers {c}")
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc(lam: float, mu: float, c: int) -> MMc:
    """Steady-state M/M/c results (see the module docstring).

    Args:
        lam: Arrival rate (per time unit, > 0).
        mu: Service rate of one server (per time unit, > 0).
        c: Servers (>= 1); requires ``lam < c * mu``.
    """
    if lam <= 0 or mu <= 0:
        raise ValueError("lam and mu must be > 0")
    a = lam / mu
    pw = erlang_c(c, a)
    wq = pw / (c * mu - lam)
    w = wq + 1.0 / mu
    return MMc(lam=lam, mu=mu, c=c, rho=a / c, p_wait=pw, wq=wq, w=w, lq=lam * wq, l=lam * w)


def tandem_sojourn(
    lam: float,
    mus: list[float] | np.ndarray,
    cs: list[int] | np.ndarray,
    delays: list[float] | np.ndarray | None = None,
) -> float:
    """Mean end-to-end sojourn of a series of M/M/c stations (Jackson network).

    Args:
        lam: Poisson arrival rate into the first station.
        mus: Service rate per server of each station; a rate of ``math.inf`` is a station with
            zero service time (contributes 0).
        cs: Servers per station.
        delays: Mean of an exponential pure delay (M/M/∞) after each station's service, or None.

    Returns:
        ``Σ W_s (+ Σ delays)`` in the time unit of ``1/lam``.
    """
    total = 0.0
    for mu, c in zip(mus, cs, strict=True):
        if math.isinf(mu):
            continue
        total += mmc(lam, float(mu), int(c)).w
    if delays is not None:
        total += float(np.sum(delays))
    return total


def replication_ci(x: np.ndarray, level: float = 0.99) -> tuple[float, float]:
    """Mean and t-interval half-width over independent replications ``x``."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2:
        raise ValueError("need at least two replications")
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n)
    return float(x.mean()), float(half)


def batch_means(x: np.ndarray, n_batches: int = 20, level: float = 0.99) -> tuple[float, float]:
    """Mean and batch-means t-interval half-width of one long correlated output series ``x``.

    The series (e.g. successive customers' waits, in arrival order, after the warm-up) is cut
    into ``n_batches`` contiguous batches; with batches much longer than the correlation time
    their means are nearly independent and normal (Law 2015, §9.5.3).
    """
    x = np.asarray(x, dtype=float)
    m = len(x) // n_batches
    if m < 2:
        raise ValueError("series too short for the number of batches")
    means = x[: m * n_batches].reshape(n_batches, m).mean(axis=1)
    return replication_ci(means, level)
