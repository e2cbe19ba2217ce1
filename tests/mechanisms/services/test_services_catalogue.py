"""The affair catalogue as arrays and the role table, against their definitions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.config.schema import AFFAIR_NAMES, AffairParams
from mergesim.mechanisms.services import ROLE, Catalogue, Level, PointKind, Role, roles

V, T, C = Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY
F, CA, D, R, N = Role.FINISH, Role.CARRY, Role.DESK, Role.REFER, Role.NONE


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        # (level, carryable, covered) → role, as the table in the catalogue's docstring says
        (PointKind.VILLAGE_OFFICE, {(V, 0, 0): F, (T, 1, 0): R, (C, 0, 0): R}),
        (PointKind.VILLAGE_ROOM, {(V, 0, 0): F, (T, 1, 0): CA, (T, 0, 0): R, (C, 1, 0): CA}),
        (PointKind.DUTY_TEAM, {(V, 1, 0): F, (T, 1, 0): CA, (C, 0, 0): R}),
        (PointKind.AGENCY, {(V, 1, 0): CA, (T, 1, 0): CA, (C, 1, 0): CA, (T, 0, 0): N}),
        (
            PointKind.CONVENIENCE_STATION,
            {(V, 0, 0): F, (T, 0, 1): F, (T, 1, 0): D, (T, 0, 0): R, (C, 1, 1): D, (C, 0, 1): R},
        ),
        (PointKind.SERVICE_CENTRE, {(V, 0, 0): F, (T, 0, 0): F, (C, 1, 0): D, (C, 0, 0): R}),
        (PointKind.COUNTY_CENTRE, {(V, 0, 0): F, (T, 1, 0): F, (C, 0, 0): F}),
        (PointKind.CLINIC, {(V, 1, 1): N, (C, 0, 0): N}),
    ],
)
def test_roles_follow_the_documented_table(kind, expected):
    for (lvl, carry, covered), role in expected.items():
        assert ROLE[kind, lvl, carry, covered] == role, (kind, lvl, carry, covered)
        got = roles(np.array([kind]), np.array([lvl]), np.array([carry]), np.array([covered]))
        assert got[0] == role
    assert roles(np.array([-1]), np.array([V]), np.array([1]), np.array([1]))[0] == N


def _catalogue(**levels):
    p = AffairParams()
    cat = Catalogue.from_params(p)
    return p, cat


def test_levels_follow_the_cumulative_shares_and_devolution_takes_the_last_share():
    p, cat = _catalogue()
    a = AFFAIR_NAMES.index("land_housing")  # levels 0.1 / 0.4 / 0.5, devolvable 0.4
    u = np.array([0.05, 0.1, 0.49, 0.5, 0.79, 0.8, 0.99])
    aff = np.full(len(u), a)
    assert cat.level(aff, u, devolved=False).tolist() == [V, T, T, C, C, C, C]
    # devolvable: the last 0.5 × 0.4 = 0.2 of the range, i.e. utype ≥ 0.8
    assert cat.level(aff, u, devolved=True).tolist() == [V, T, T, C, C, T, T]
    assert cat.carry[a] == (not p.land_housing.in_person)


@settings(deadline=None)  # the machine is shared: timing is not the property
@given(st.floats(0.0, 0.999999), st.integers(0, len(AFFAIR_NAMES) - 1))
def test_the_share_of_matters_at_each_level_is_the_level_share(u, a):
    _, cat = _catalogue()
    grid = (np.arange(100_000) + 0.5) / 100_000
    for devolved in (False, True):
        lv = cat.level(np.full(len(grid), a), grid, devolved=devolved)
        shares = np.bincount(lv, minlength=3) / len(grid)
        expect = dict.fromkeys(range(3), 0.0)
        for aa, lvl, share in cat.classes(devolved=devolved):
            if aa == a:
                expect[lvl] += share
        np.testing.assert_allclose(shares, [expect[i] for i in range(3)], atol=1e-4)
    assert (
        cat.level(np.array([a]), np.array([u]), devolved=True)[0]
        <= cat.level(np.array([a]), np.array([u]), devolved=False)[0]
    )


def test_classes_cover_every_matter_once():
    _, cat = _catalogue()
    for devolved in (False, True):
        total = np.zeros(len(AFFAIR_NAMES))
        for a, _lvl, share in cat.classes(devolved=devolved):
            total[a] += share
        np.testing.assert_allclose(total, 1.0)
