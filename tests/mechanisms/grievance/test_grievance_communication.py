"""The risk watch's top-k selection, communication's reach and effect."""

from __future__ import annotations

import dataclasses

import numpy as np
from grievance_helpers import grouped
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mergesim.config.schema import CommunicationParams
from mergesim.mechanisms.grievance import (
    Watch,
    communicate,
    communication_reach,
    risk_watch,
    top_k,
)
from mergesim.mechanisms.grievance.communication import _top_talk


@settings(max_examples=100)
@given(
    score=arrays(
        np.float64, st.integers(0, 40), elements=st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0, 1)
    ),
    k=st.integers(0, 50),
    seed=st.integers(0, 3),
)
def test_top_k_takes_the_k_largest_best_first(score, k, seed):
    for rng in (None, np.random.default_rng(seed)):
        idx = top_k(score, k, rng)
        assert len(idx) == min(k, len(score)) and len(np.unique(idx)) == len(idx)
        chosen = score[idx]
        assert (np.diff(chosen) <= 0).all()  # best first
        if 0 < len(idx) < len(score):
            rest = np.delete(score, idx)
            assert chosen.min() >= rest.max()  # nobody left out beats anyone taken


def test_top_k_breaks_ties_at_random():
    score = np.zeros(10)
    picks = {tuple(top_k(score, 3, np.random.default_rng(s))) for s in range(20)}
    assert len(picks) > 5
    counts = np.bincount(
        np.concatenate([top_k(score, 3, np.random.default_rng(s)) for s in range(2000)]),
        minlength=10,
    )
    assert counts.min() > 450 and counts.max() < 750  # each ~600 = 2000 × 3/10


@settings(max_examples=60)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=8), data=st.data())
def test_top_talk_equals_top_k_over_everyone(sizes, data):
    """The shortcut over watched rows picks the same scores as ranking all villagers."""
    village, offsets = grouped(sizes)
    n, nv = len(village), len(sizes)
    g = data.draw(arrays(np.float32, n, elements=st.sampled_from([0.0, 0.25, 1.0])))
    watched_v = data.draw(arrays(np.bool_, nv))
    persons = np.array(
        data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=3)), dtype=np.int64
    )
    k = data.draw(st.integers(1, n))
    score = g + watched_v[village].astype(np.float32)
    score[persons] += 2.0
    fast = _top_talk(g, village, watched_v, persons, k, np.random.default_rng(0), offsets)
    full = top_k(score, k, np.random.default_rng(0))
    assert len(fast) == len(np.unique(fast)) == k
    np.testing.assert_array_equal(np.sort(score[fast]), np.sort(score[full]))


def test_risk_watch_ranks_the_rise_and_key_persons_first():
    village, offsets = grouped([2, 2, 2])
    g = np.array([0.1, 0.1, 0.9, 0.7, 0.3, 0.3])
    ref = np.array([0.0, 0.0, 0.5])  # village 2 started high: its rise is small
    key = np.array([False, False, False, False, True, False])
    w = risk_watch(g, village, 3, np.array([0, 1, 1]), 2, key, ref, 1, 2, 2, offsets=offsets)
    np.testing.assert_array_equal(w.villages, [1, 0])  # rises 0.8, 0.1 (village 2: −0.2)
    np.testing.assert_array_equal(w.towns, [1])
    assert w.persons[0] == 4 and w.persons[1] == 2  # the key person, then the most aggrieved


def test_communicate_removes_each_channels_share():
    p = dataclasses.replace(
        CommunicationParams(), broadcast_effect=0.1, meeting_effect=0.2, talk_effect=0.5
    )
    g = np.full(4, 0.8, dtype=np.float32)
    reach = {
        "broadcast": np.array([True, False, True, False]),
        "meeting": np.array([False, True, True, False]),
        "talk": np.array([False, False, True, False]),
    }
    out = communicate(g, reach, p)
    np.testing.assert_allclose(out, [0.72, 0.64, 0.8 * 0.9 * 0.8 * 0.5, 0.8], rtol=1e-6)
    assert g[0] == np.float32(0.8)  # the input is not changed


def test_risk_targeting_sends_meetings_to_watched_villages():
    village, offsets = grouped([5, 5, 5, 5])
    g = np.zeros(20, dtype=np.float32)
    watch = Watch(np.zeros(0, np.int64), np.array([2], np.int64), np.zeros(0, np.int64))
    p = dataclasses.replace(
        CommunicationParams(),
        targeting="risk",
        meetings_per_week=1.0,
        meeting_turnout=1.0,
        talks_per_week=0.0,
        broadcast_reach=0.0,
    )
    reach = communication_reach(
        g, village, 4, np.zeros(4, np.int64), watch, p, 1.0, 1.0, np.random.default_rng(1), offsets
    )
    np.testing.assert_array_equal(reach["meeting_villages"], [2])
    np.testing.assert_array_equal(np.flatnonzero(reach["meeting"]), np.arange(10, 15))
    assert not reach["broadcast"].any() and not reach["talk"].any()


def test_the_risk_watch_sees_ex_ante_risk_before_grievance_rises():
    """Right after the reform nobody's grievance has risen: with ex-ante risk the watch takes
    the villages the plan puts at risk, and the displaced cadres first among persons."""
    village, offsets = grouped([3, 3, 3, 3])
    g = np.zeros(len(village), dtype=np.float32)
    tov = np.array([0, 0, 1, 1])
    key = np.zeros(len(village), dtype=bool)
    key[[0, 11]] = True
    ex_ante = np.array([0.0, 0.0, 0.3, 0.0])
    args = (g, village, 4, tov, 2, key, np.zeros(4), 1, 1, 2, np.random.default_rng(0), offsets)
    w = risk_watch(*args, ex_ante=ex_ante, first_persons=np.array([7]))
    assert w.villages.tolist() == [2] and w.towns.tolist() == [1]
    assert w.persons.tolist()[0] == 7 and set(w.persons.tolist()) <= {7, 0, 11}
    blind = risk_watch(*args)  # by the rise alone: all tie, taken at random
    assert set(blind.persons.tolist()) == {0, 11}
