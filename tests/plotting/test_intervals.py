"""Intervals over replicates and how numbers are printed: t intervals against scipy, logit
intervals inside (0, 1), three significant figures, few replicates marked."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mergesim.plotting.intervals import (
    estimate,
    fmt_estimate,
    fmt_sig,
    is_share,
    logit_t_interval,
    t_interval,
)


def test_t_interval_matches_scipy():
    x = np.array([3.1, 2.7, 3.9, 3.3])
    m, lo, hi = t_interval(x)
    ref = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert m == pytest.approx(x.mean()) and (lo, hi) == pytest.approx(ref)
    assert math.isnan(t_interval([1.0])[1]) and math.isnan(t_interval([])[0])


shares = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=2, max_size=12)


@settings(max_examples=200, deadline=None)
@given(shares)
def test_logit_interval_stays_inside_0_1_and_holds_the_mean(x):
    m, lo, hi = logit_t_interval(x)
    assert 0.0 <= lo <= m <= hi <= 1.0


def test_logit_interval_is_asymmetric_near_a_bound():
    m, lo, hi = logit_t_interval([0.97, 0.99, 0.98])
    assert hi < 1.0 and hi - m < m - lo
    # The raw t interval of the same values leaves [0, 1]; the logit one does not.
    assert t_interval([0.90, 0.999, 0.95])[2] > 1.0
    assert logit_t_interval([0.90, 0.999, 0.95])[2] < 1.0


def test_shares_are_dimensionless_values_in_0_1():
    assert is_share([0.2, 0.9], "-") and not is_share([0.2, 1.2], "-")
    assert not is_share([0.2, 0.9], "min")
    assert estimate([0.2, 0.3, 0.4], share=True).method == "logit-t"
    e = estimate([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert e.n == 6 and not e.few and estimate([1.0, 2.0]).few


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (4.813e-05, "4.81e-05"),
        (0.0001552, "1.55e-04"),
        (0.01234, "0.0123"),
        (12.345, "12.3"),
        (90.0, "90.0"),
        (123456.0, "1.23e+05"),
        (-2.5, "-2.50"),
        (0.0, "0"),
        (float("nan"), "–"),
    ],
)
def test_three_significant_figures(x, text):
    assert fmt_sig(x) == text


def test_an_estimate_and_its_interval_share_one_scale():
    # The example: 4.813e-05 [-5.894e-05, 0.0001552].
    assert fmt_estimate(4.813e-05, -5.894e-05, 0.0001552) == "4.81 [−5.89, 15.5] × 10⁻⁵"
    assert fmt_estimate(90.0, 34.9, 145.1) == "90.0 [34.9, 145]"
    assert fmt_estimate(0.5321, 0.498, 0.571, n=3) == "0.532 [0.498, 0.571] (n = 3, few)"
    assert fmt_estimate(7.0, float("nan"), float("nan"), n=1) == "7.00 (n = 1, few)"
