"""The grievance mechanism's building blocks (:mod:`mergesim.mechanisms.grievance.mechanism`).

Each pure function against its definition: the prospect-theory value function, Epstein's
smoothed grievance and its steady state, village means against a brute-force loop, contagion
(preserves the village mean with equal weights), the scopes of the ten guarantees, the
activation rules, the risk watch's top-k selection, and communication.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mergesim.config.schema import CommunicationParams, GuaranteeParams
from mergesim.mechanisms.grievance import mechanism as gv

FLOATS01 = st.floats(0.0, 1.0, allow_nan=False, width=32)


def grouped(sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """``(village, offsets)`` for rows grouped by village with the given sizes."""
    sizes_a = np.asarray(sizes, dtype=np.int64)
    village = np.repeat(np.arange(len(sizes_a)), sizes_a)
    return village, np.concatenate([[0], np.cumsum(sizes_a)])


village_sizes = st.lists(st.integers(0, 6), min_size=1, max_size=8)


# ---------------------------------------------------------------------------------------------
# Value function, hardship, grievance update
# ---------------------------------------------------------------------------------------------


def test_prospect_value_matches_tversky_kahneman():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    v = gv.prospect_value(x)
    expected = [-(2.0**0.88), -(0.5**0.88), 0.0, 2.25 * 0.5**0.88, 2.25 * 2.0**0.88]
    np.testing.assert_allclose(v, expected)


@given(x=st.floats(1e-3, 10.0), lam=st.floats(1.0, 5.0))
def test_a_loss_weighs_lambda_times_an_equal_gain(x, lam):
    loss, gain = gv.prospect_value(np.array([x, -x]), loss_aversion=lam, alpha=0.88, beta=0.88)
    assert loss == pytest.approx(-lam * gain)
    assert loss > 0 > gain


@given(a=st.floats(-20, 20), b=st.floats(-20, 20))
def test_prospect_value_is_monotone(a, b):
    va, vb = gv.prospect_value(np.array([a, b]))
    if a < b:
        assert va <= vb


def test_hardship_scales_and_clips():
    h = gv.hardship(np.array([0.0, 30.0, -30.0, 600.0]), rights=0.0, access_scale_min=30.0)
    np.testing.assert_allclose(h, [0.0, 1.0, -1.0, 1.0])  # 2.25 clips to 1
    h = gv.hardship(np.array([0.0, 3.0]), rights=np.array([0.2, 0.0]), waiting=0.1,
                    access_scale_min=30.0)
    np.testing.assert_allclose(h, [0.3, 2.25 * 0.1**0.88 + 0.1])


@given(trust=FLOATS01, h=st.floats(0.0, 1.0), memory=st.floats(1.0, 50.0))
def test_update_grievance_converges_to_epsteins_steady_state(trust, h, memory):
    """Constant hardship: G → H (1 − L) (Epstein 2002), from any start."""
    g = np.array([0.0, 1.0])
    for _ in range(int(40 * memory)):
        g = gv.update_grievance(g, np.float64(trust), np.float64(h), memory)
    np.testing.assert_allclose(g, h * (1 - trust), atol=1e-6)


def test_update_grievance_decays_with_its_memory():
    g = gv.update_grievance(np.array([0.8]), np.array([0.5]), np.array([0.0]), 4.0)
    np.testing.assert_allclose(g, [0.6])  # (1 − 1/4) × 0.8
    assert gv.update_grievance(np.array([0.1]), np.array([0.0]), np.array([-1.0]), 2.0)[0] == 0


# ---------------------------------------------------------------------------------------------
# Village means and contagion
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(sizes=village_sizes, data=st.data())
def test_village_mean_equals_a_loop(sizes, data):
    village, offsets = grouped(sizes)
    n, nv = len(village), len(sizes)
    x = data.draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    w = data.draw(arrays(np.float64, n, elements=st.floats(0.1, 5)))
    for weight in (None, w):
        brute = np.full(nv, np.nan)
        for v in range(nv):
            rows = village == v
            if rows.any():
                brute[v] = np.average(x[rows], weights=None if weight is None else w[rows])
        by_bincount = gv.village_mean(x, village, nv, weight)
        by_segments = gv.village_mean(x, village, nv, weight, offsets)
        np.testing.assert_allclose(by_bincount, brute, rtol=1e-9)
        np.testing.assert_allclose(by_segments, brute, rtol=1e-9)


@settings(max_examples=60)
@given(sizes=village_sizes, rate=st.floats(0.0, 1.0), data=st.data())
def test_contagion_keeps_the_village_mean_and_narrows_the_spread(sizes, rate, data):
    village, offsets = grouped(sizes)
    n, nv = len(village), len(sizes)
    g = data.draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    for off in (None, offsets):
        out = gv.contagion(g, village, nv, rate, offsets=off)
        np.testing.assert_allclose(gv.village_mean(out, village, nv),
                                   gv.village_mean(g, village, nv), rtol=1e-9, atol=1e-12)
        m = gv.village_mean(g, village, nv)[village]
        np.testing.assert_allclose(np.abs(out - m), (1 - rate) * np.abs(g - m), atol=1e-12)
        assert ((out >= 0) & (out <= 1)).all()


def test_key_persons_pull_the_village_toward_themselves():
    village, offsets = grouped([3])
    g = np.array([1.0, 0.0, 0.0])
    w = np.array([8.0, 1.0, 1.0])  # the first is a key person
    out = gv.contagion(g, village, 1, 0.5, weight=w, offsets=offsets)
    assert out.mean() > g.mean()  # weighted mean 0.8 pulls the others up
    np.testing.assert_allclose(out[1:], 0.4)


# ---------------------------------------------------------------------------------------------
# The guarantees
# ---------------------------------------------------------------------------------------------

ROLES = np.array([0, 1, 2, 0, 2, 1])  # village roles: unchanged, absorbing, absorbed
T_ROLES = np.array([0, 0, 0, 2, 2, 1])  # township roles
KEY = np.array([False, True, False, False, True, False])
POOR = np.array([False, False, True, True, False, True])


def test_guarantees_kept_cost_no_rights():
    assert not gv.rights_loss(GuaranteeParams(), ROLES, T_ROLES, KEY, POOR).any()


@pytest.mark.parametrize("switch, loss, scope", gv.GUARANTEES)
def test_each_broken_guarantee_hits_exactly_its_scope(switch, loss, scope):
    p = dataclasses.replace(GuaranteeParams(), **{switch: False, loss: 0.25})
    merged, absorbed, abolished = ROLES != 0, ROLES == 2, T_ROLES == 2
    expected = {"merged": merged, "absorbed": absorbed, "abolished": abolished,
                "absorbed_or_abolished": absorbed | abolished, "key_merged": merged & KEY,
                "poor_merged": merged & POOR}[scope]
    out = gv.rights_loss(p, ROLES, T_ROLES, KEY, POOR)
    np.testing.assert_allclose(out, np.where(expected, 0.25, 0.0))


def test_broken_guarantees_add_up():
    off = {s: False for s, _, _ in gv.GUARANTEES}
    p = dataclasses.replace(GuaranteeParams(), **off)
    total = gv.rights_loss(p, ROLES, T_ROLES, KEY, POOR)
    parts = sum(gv.rights_loss(dataclasses.replace(GuaranteeParams(), **{s: False}), ROLES,
                               T_ROLES, KEY, POOR) for s, _, _ in gv.GUARANTEES)
    np.testing.assert_allclose(total, parts, rtol=1e-6)
    assert total[0] == 0  # an unchanged village of an unchanged township loses nothing


# ---------------------------------------------------------------------------------------------
# Who files
# ---------------------------------------------------------------------------------------------


def test_select_filers_needs_all_three_conditions():
    g = np.array([0.5, 0.5, 0.5, 0.2])
    t = np.full(4, 0.3)
    eligible = np.array([True, False, True, True])
    u = np.array([0.1, 0.1, 0.9, 0.1])
    np.testing.assert_array_equal(gv.select_filers(g, t, eligible, u, 0.5),
                                  [True, False, False, False])


def test_collective_trigger_is_granovetter_with_a_minimum():
    village, offsets = grouped([4, 4, 4])
    g = np.array([0.9, 0.9, 0.9, 0.0,   0.9, 0.0, 0.0, 0.0,   0.9, 0.9, 0.9, 0.9])
    t = np.full(12, 0.5)
    theta = np.array([0.5, 0.5, 0.5])
    can = np.array([True, True, False])  # the third already has one open
    u = np.zeros(3)
    for off in (None, offsets):
        v, k = gv.collective_trigger(g, t, village, 3, theta, can, u, 1.0, 1, off)
        np.testing.assert_array_equal(v, [0])  # 75 % > 50 %; 25 % is not; third is busy
        np.testing.assert_array_equal(k, [3])
        v, _ = gv.collective_trigger(g, t, village, 3, theta, can, u, 1.0, 4, off)
        assert len(v) == 0  # fewer than 4 aggrieved persons


# ---------------------------------------------------------------------------------------------
# top_k, the risk watch and communication
# ---------------------------------------------------------------------------------------------


@settings(max_examples=100)
@given(score=arrays(np.float64, st.integers(0, 40), elements=st.sampled_from([0.0, 0.5, 1.0])
                    | st.floats(0, 1)), k=st.integers(0, 50), seed=st.integers(0, 3))
def test_top_k_takes_the_k_largest_best_first(score, k, seed):
    for rng in (None, np.random.default_rng(seed)):
        idx = gv.top_k(score, k, rng)
        assert len(idx) == min(k, len(score)) and len(np.unique(idx)) == len(idx)
        chosen = score[idx]
        assert (np.diff(chosen) <= 0).all()  # best first
        if 0 < len(idx) < len(score):
            rest = np.delete(score, idx)
            assert chosen.min() >= rest.max()  # nobody left out beats anyone taken


def test_top_k_breaks_ties_at_random():
    score = np.zeros(10)
    picks = {tuple(gv.top_k(score, 3, np.random.default_rng(s))) for s in range(20)}
    assert len(picks) > 5
    counts = np.bincount(np.concatenate([gv.top_k(score, 3, np.random.default_rng(s))
                                         for s in range(2000)]), minlength=10)
    assert counts.min() > 450 and counts.max() < 750  # each ~600 = 2000 × 3/10


@settings(max_examples=60)
@given(sizes=village_sizes, data=st.data())
def test_rows_of_lists_the_rows_of_the_villages(sizes, data):
    village, offsets = grouped(sizes)
    chosen = data.draw(st.lists(st.integers(0, len(sizes) - 1), unique=True, max_size=8))
    rows = gv._rows_of(offsets, np.array(chosen, dtype=np.int64))
    expected = np.concatenate([np.flatnonzero(village == v) for v in chosen]
                              or [np.zeros(0, np.int64)])
    np.testing.assert_array_equal(rows, expected)


@settings(max_examples=60)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=8), data=st.data())
def test_top_talk_equals_top_k_over_everyone(sizes, data):
    """The shortcut over watched rows picks the same scores as ranking all villagers."""
    village, offsets = grouped(sizes)
    n, nv = len(village), len(sizes)
    g = data.draw(arrays(np.float32, n, elements=st.sampled_from([0.0, 0.25, 1.0])))
    watched_v = data.draw(arrays(np.bool_, nv))
    persons = np.array(data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3)),
                       dtype=np.int64)
    k = data.draw(st.integers(1, n))
    score = g + watched_v[village].astype(np.float32)
    score[persons] += 2.0
    fast = gv._top_talk(g, village, watched_v, persons, k, np.random.default_rng(0), offsets)
    full = gv.top_k(score, k, np.random.default_rng(0))
    assert len(fast) == len(np.unique(fast)) == k
    np.testing.assert_array_equal(np.sort(score[fast]), np.sort(score[full]))


def test_risk_watch_ranks_the_rise_and_key_persons_first():
    village, offsets = grouped([2, 2, 2])
    g = np.array([0.1, 0.1, 0.9, 0.7, 0.3, 0.3])
    ref = np.array([0.0, 0.0, 0.5])  # village 2 started high: its rise is small
    key = np.array([False, False, False, False, True, False])
    w = gv.risk_watch(g, village, 3, np.array([0, 1, 1]), 2, key, ref, 1, 2, 2,
                      offsets=offsets)
    np.testing.assert_array_equal(w.villages, [1, 0])  # rises 0.8, 0.1 (village 2: −0.2)
    np.testing.assert_array_equal(w.towns, [1])
    assert w.persons[0] == 4 and w.persons[1] == 2  # the key person, then the most aggrieved


def test_communicate_removes_each_channels_share():
    p = dataclasses.replace(CommunicationParams(), broadcast_effect=0.1, meeting_effect=0.2,
                            talk_effect=0.5)
    g = np.full(4, 0.8, dtype=np.float32)
    reach = {"broadcast": np.array([True, False, True, False]),
             "meeting": np.array([False, True, True, False]),
             "talk": np.array([False, False, True, False])}
    out = gv.communicate(g, reach, p)
    np.testing.assert_allclose(out, [0.72, 0.64, 0.8 * 0.9 * 0.8 * 0.5, 0.8], rtol=1e-6)
    assert g[0] == np.float32(0.8)  # the input is not changed


def test_risk_targeting_sends_meetings_to_watched_villages():
    village, offsets = grouped([5, 5, 5, 5])
    g = np.zeros(20, dtype=np.float32)
    watch = gv.Watch(np.zeros(0, np.int64), np.array([2], np.int64), np.zeros(0, np.int64))
    p = dataclasses.replace(CommunicationParams(), targeting="risk", meetings_per_week=1.0,
                            meeting_turnout=1.0, talks_per_week=0.0, broadcast_reach=0.0)
    reach = gv.communication_reach(g, village, 4, np.zeros(4, np.int64), watch, p, 1.0, 1.0,
                                   np.random.default_rng(1), offsets)
    np.testing.assert_array_equal(reach["meeting_villages"], [2])
    np.testing.assert_array_equal(np.flatnonzero(reach["meeting"]), np.arange(10, 15))
    assert not reach["broadcast"].any() and not reach["talk"].any()


def test_grievance_metrics():
    m = gv.grievance_metrics(np.array([0.2, 0.6]), np.array([0.5, 0.5]))
    assert m == {"grievance_mean": pytest.approx(0.4), "aggrieved_share": 0.5}
    assert np.isnan(gv.grievance_metrics(np.zeros(2), np.zeros(2), np.zeros(2, bool))
                    ["grievance_mean"])
