"""Weekly needs: Poisson counts per (kind, age) cell, given to villagers of the right age."""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import NeedParams
from mergesim.mechanisms.needs import NEED_NAMES, NeedKind, draw_needs, rate_matrix


def _rows(n_child=2000, n_work=5000, n_old=3000):
    sizes = (n_child, n_work, n_old)
    off = np.cumsum((0,) + sizes)
    return [np.arange(off[a], off[a + 1]) for a in range(3)], sizes


def test_rate_matrix_follows_schema_order():
    p = NeedParams()
    r = rate_matrix(p)
    assert r.shape == (len(NeedKind), 3)
    for k, name in enumerate(NEED_NAMES):
        assert r[k].tolist() == list(getattr(p, name))


def test_counts_match_poisson_means_and_ages():
    rows, sizes = _rows()
    rates = rate_matrix(NeedParams())
    rng = np.random.default_rng(2)
    weeks = 60
    counts = np.zeros((len(NeedKind), 3))
    age_of = np.repeat(np.arange(3), sizes)
    for _ in range(weeks):
        n = draw_needs(rng, rates, rows)
        np.add.at(counts, (n.kind, age_of[n.villager]), 1)
        assert ((n.utype >= 0) & (n.utype < 1)).all()
    expected = rates * np.array(sizes)[None, :] * weeks
    # cells with zero rate get no needs at all (e.g. school needs of adults)
    assert (counts[expected == 0] == 0).all()
    z = (counts - expected)[expected > 0] / np.sqrt(expected[expected > 0])
    assert np.abs(z).max() < 5


def test_draws_depend_only_on_the_stream():
    rows, _ = _rows(50, 50, 50)
    rates = rate_matrix(NeedParams())
    a = draw_needs(np.random.default_rng(4), rates, rows)
    b = draw_needs(np.random.default_rng(4), rates, rows)
    np.testing.assert_array_equal(a.villager, b.villager)
    np.testing.assert_array_equal(a.utype, b.utype)
