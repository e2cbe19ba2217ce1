"""Weekly needs: Poisson counts per (kind or affair type, age) cell, given to villagers of the
right age; the affair catalogue splits the administrative rate."""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.config import apply_overrides
from mergesim.config.schema import AFFAIR_NAMES, NeedParams, Scenario
from mergesim.errors import ScenarioError
from mergesim.mechanisms.needs import (
    NEED_NAMES,
    Cells,
    NeedKind,
    affair_shares,
    draw_needs,
    rate_matrix,
)


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


def test_cells_split_the_admin_rate_by_affair_type_and_keep_the_others():
    p = NeedParams()
    cells = Cells.from_params(p)
    lam = rate_matrix(p)
    adm = cells.kind == NeedKind.ADMIN
    assert cells.affair[adm].tolist() == list(range(len(AFFAIR_NAMES)))
    assert (cells.affair[~adm] == -1).all()
    np.testing.assert_allclose(cells.rates[adm].sum(axis=0), lam[NeedKind.ADMIN])
    np.testing.assert_allclose(
        cells.rates[adm], lam[NeedKind.ADMIN][None, :] * affair_shares(p), rtol=1e-12
    )
    for k in NeedKind:
        if k != NeedKind.ADMIN:
            (row,) = np.flatnonzero(cells.kind == k)
            np.testing.assert_array_equal(cells.rates[row], lam[k])


def test_counts_match_poisson_means_and_ages():
    rows, sizes = _rows()
    cells = Cells.from_params(NeedParams())
    rng = np.random.default_rng(2)
    weeks = 60
    n_cells = len(cells.kind)
    counts = np.zeros((n_cells, 3))
    age_of = np.repeat(np.arange(3), sizes)
    # cell of a need: its affair type for administrative needs, else its kind's cell
    # (the cell index is the row of the cell table; kind and affair identify it)
    code = cells.kind.astype(int) * 100 + cells.affair.astype(int)
    for _ in range(weeks):
        n = draw_needs(rng, cells, rows)
        c = np.argsort(code)[np.searchsorted(np.sort(code), n.kind.astype(int) * 100 + n.affair)]
        np.add.at(counts, (c, age_of[n.villager]), 1)
        for u in (n.utype, n.uscope, n.uknow, n.prio):
            assert ((u >= 0) & (u < 1)).all()
        assert ((n.affair >= 0) == (n.kind == NeedKind.ADMIN)).all()
    expected = cells.rates * np.array(sizes)[None, :] * weeks
    # cells with zero rate get no needs at all (e.g. school needs of adults)
    assert (counts[expected == 0] == 0).all()
    z = (counts - expected)[expected > 0] / np.sqrt(expected[expected > 0])
    assert np.abs(z).max() < 5


def test_draws_depend_only_on_the_stream():
    rows, _ = _rows(50, 50, 50)
    cells = Cells.from_params(NeedParams())
    a = draw_needs(np.random.default_rng(4), cells, rows)
    b = draw_needs(np.random.default_rng(4), cells, rows)
    for f in ("villager", "kind", "affair", "utype", "uscope", "uknow", "prio"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


def test_the_catalogue_rejects_shares_that_do_not_sum_to_one():
    with pytest.raises(ScenarioError, match="sum to"):
        apply_overrides(Scenario(), {"needs.affairs.household.rate_share": [0.9, 0.2, 0.05]})
    with pytest.raises(ScenarioError, match="sum to 1"):
        apply_overrides(Scenario(), {"needs.affairs.land_housing.levels": [0.5, 0.5, 0.5]})
    ok = apply_overrides(Scenario(), {"needs.affairs.land_housing.docs_fail": 0.3})
    assert ok.needs.affairs.land_housing.docs_fail == 0.3
