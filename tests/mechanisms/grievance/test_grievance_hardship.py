"""Hardship and grievance: the prospect-theory value function, hardship and its pieces (as the
mechanism composes them), Epstein's smoothed grievance and its steady state, the scopes of the
ten guarantees' perceived losses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mergesim.config.schema import GrievanceParams, GuaranteeParams
from mergesim.mechanisms.grievance import (
    GUARANTEES,
    add_waiting,
    grievance_metrics,
    perceived_loss,
    prospect_value,
    standing_hardship,
    total_hardship,
    update_grievance,
)
from mergesim.plans.roles import Role

FLOATS01 = st.floats(0.0, 1.0, allow_nan=False, width=32)
#: The value function of the seed county (Tversky & Kahneman 1992: λ = 2.25, α = β = 0.88).
P = GrievanceParams()
TK = (P.loss_aversion, P.gain_exponent, P.loss_exponent)


def test_prospect_value_matches_tversky_kahneman():
    assert TK == (2.25, 0.88, 0.88)
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    v = prospect_value(x, *TK)
    expected = [-(2.0**0.88), -(0.5**0.88), 0.0, 2.25 * 0.5**0.88, 2.25 * 2.0**0.88]
    np.testing.assert_allclose(v, expected)


@given(x=st.floats(1e-3, 10.0), lam=st.floats(1.0, 5.0))
def test_a_loss_weighs_lambda_times_an_equal_gain(x, lam):
    loss, gain = prospect_value(np.array([x, -x]), loss_aversion=lam, alpha=0.88, beta=0.88)
    assert loss == pytest.approx(-lam * gain)
    assert loss > 0 > gain


@given(a=st.floats(-20, 20), b=st.floats(-20, 20))
def test_prospect_value_is_monotone(a, b):
    va, vb = prospect_value(np.array([a, b]), *TK)
    if a < b:
        assert va <= vb


def test_hardship_clips_the_standing_part_before_waiting():
    h = total_hardship(np.array([0.0, 0.5, -0.5, 2.0]), np.array([0.0, 0.7, 0.0, 0.0]))
    np.testing.assert_allclose(h, [0.0, 1.0, -0.5, 1.0])
    # The standing part clips before waiting adds: a large gain offsets at most one unit.
    np.testing.assert_allclose(total_hardship(np.array([-2.0]), 0.0, waiting=0.3), [-0.7])


@settings(max_examples=60)
@given(data=st.data(), n=st.integers(1, 30))
def test_the_mechanisms_pieces_compose_to_hardship(data, n):
    """The mechanism's standing hardship plus sparse waiting equals :func:`total_hardship`
    (bit for bit, in the model's float32)."""
    access = data.draw(arrays(np.float32, n, elements=st.floats(-3, 3, width=32)))
    standing = data.draw(arrays(np.float32, n, elements=st.floats(0, 1, width=32)))
    rows = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1)))), dtype=np.int64)
    w = data.draw(arrays(np.float32, len(rows), elements=st.floats(0, 1, width=32)))
    dense = np.zeros(n, dtype=np.float32)
    dense[rows] = w
    expected = total_hardship(access, standing, dense)
    pieces = add_waiting(standing_hardship(access, standing), rows, w)
    np.testing.assert_array_equal(pieces, expected)
    assert pieces.dtype == np.float32


# Up to 2,000 weekly updates per example: no per-example deadline (a loaded machine is slow).
@settings(deadline=None)
@given(trust=FLOATS01, h=st.floats(0.0, 1.0), memory=st.floats(1.0, 50.0))
def test_update_grievance_converges_to_epsteins_steady_state(trust, h, memory):
    """Constant hardship: G → H (1 − L) (Epstein 2002), from any start."""
    g = np.array([0.0, 1.0])
    for _ in range(int(40 * memory)):
        g = update_grievance(g, np.float64(trust), np.float64(h), memory)
    np.testing.assert_allclose(g, h * (1 - trust), atol=1e-6)


def test_update_grievance_decays_with_its_memory():
    g = update_grievance(np.array([0.8]), np.array([0.5]), np.array([0.0]), 4.0)
    np.testing.assert_allclose(g, [0.6])  # (1 − 1/4) × 0.8
    assert update_grievance(np.array([0.1]), np.array([0.0]), np.array([-1.0]), 2.0)[0] == 0


U, A, D = Role.UNCHANGED, Role.ABSORBING, Role.ABSORBED
ROLES = np.array([U, A, D, U, D, A])  # village roles
T_ROLES = np.array([U, U, U, D, D, A])  # township roles
KEY = np.array([False, True, False, False, True, False])
POOR = np.array([False, False, True, True, False, True])


def test_guarantees_kept_cost_nothing_perceived():
    assert not perceived_loss(GuaranteeParams(), ROLES, T_ROLES, KEY, POOR).any()


@pytest.mark.parametrize("switch, loss, scope", GUARANTEES)
def test_each_broken_guarantee_hits_exactly_its_scope(switch, loss, scope):
    p = dataclasses.replace(GuaranteeParams(), **{switch: False, loss: 0.25})
    merged, absorbed, abolished = ROLES != U, ROLES == D, T_ROLES == D
    expected = {
        "merged": merged,
        "absorbed": absorbed,
        "abolished": abolished,
        "absorbed_or_abolished": absorbed | abolished,
        "key_merged": merged & KEY,
        "poor_merged": merged & POOR,
    }[scope]
    out = perceived_loss(p, ROLES, T_ROLES, KEY, POOR)
    np.testing.assert_allclose(out, np.where(expected, 0.25, 0.0))


def test_broken_guarantees_add_up():
    off = {s: False for s, _, _ in GUARANTEES}
    p = dataclasses.replace(GuaranteeParams(), **off)
    total = perceived_loss(p, ROLES, T_ROLES, KEY, POOR)
    parts = sum(
        perceived_loss(
            dataclasses.replace(GuaranteeParams(), **{s: False}), ROLES, T_ROLES, KEY, POOR
        )
        for s, _, _ in GUARANTEES
    )
    np.testing.assert_allclose(total, parts, rtol=1e-6)
    assert total[0] == 0  # an unchanged village of an unchanged township loses nothing


def test_services_broken_in_fact_counts_whatever_the_switch():
    p = GuaranteeParams()
    assert p.services_kept
    out = perceived_loss(p, ROLES, T_ROLES, KEY, POOR, broken={"services_kept": True})
    np.testing.assert_allclose(out, np.where(T_ROLES == D, p.services_loss, 0.0))
    kept = perceived_loss(p, ROLES, T_ROLES, KEY, POOR, broken={"services_kept": False})
    assert not kept.any()


def test_grievance_metrics():
    m = grievance_metrics(np.array([0.2, 0.6]), np.array([0.5, 0.5]))
    assert m == {"grievance_mean": pytest.approx(0.4), "aggrieved_share": 0.5}
    assert np.isnan(
        grievance_metrics(np.zeros(2), np.zeros(2), np.zeros(2, bool))["grievance_mean"]
    )
