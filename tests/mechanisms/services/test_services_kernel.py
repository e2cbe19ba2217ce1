"""The services' choice of a point on its two paths, NumPy (the reference) and Numba, gives the
same choices.

The compiled loops (``services/compiled.py``) repeat the NumPy path's operations in float64 and
in its order, with the same uniforms, so the paths agree bit for bit: the same point, the same
minutes, the same role for every need — on random routing tables (points missing, every kind,
known and unknown levels, queues) and on a whole run (``tests/mechanisms/test_kernels.py``).
Without Numba installed (the optional ``fast`` extra) these tests skip.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.config.schema import Scenario
from mergesim.mechanisms import jit
from mergesim.mechanisms.needs import N_KINDS, NeedKind
from mergesim.mechanisms.services.catalogue import N_AFFAIRS, Catalogue
from mergesim.mechanisms.services.choice import Chooser, queue_days
from mergesim.mechanisms.services.points import PointKind, open_wait_days
from mergesim.mechanisms.services.routing import N_CLASSES, N_TIERS

needs_numba = pytest.mark.skipif(not jit.AVAILABLE, reason="numba not installed")


def _case(seed: int, n_needs: int, nv: int, n_pts: int, missing: float, devolved: bool):
    rng = np.random.default_rng(seed)
    s = Scenario()
    p = s.services
    kinds = np.arange(len(PointKind))
    routing = SimpleNamespace(
        tier_point=np.where(
            rng.random((N_TIERS, nv)) < missing, -1, rng.integers(0, n_pts, (N_TIERS, nv))
        ),
        tier_minutes=rng.gamma(2.0, 15.0, (N_TIERS, nv)),
        cand_point=np.where(
            rng.random((N_CLASSES, 3, nv)) < missing, -1, rng.integers(0, n_pts, (N_CLASSES, 3, nv))
        ),
        cand_minutes=rng.gamma(2.0, 20.0, (N_CLASSES, 3, nv)),
        devolved=devolved,
    )
    routing.tier_minutes[routing.tier_point < 0] = np.inf
    routing.cand_minutes[routing.cand_point < 0] = np.inf
    point_kind = rng.integers(0, len(PointKind), n_pts).astype(np.int8)
    pending = np.where(rng.random(n_pts) < 0.5, rng.integers(0, 50, n_pts), 0)
    capacity = np.where(rng.random(n_pts) < 0.1, 0.0, rng.gamma(2.0, 10.0, n_pts))
    act = {
        "kind": rng.integers(0, N_KINDS, n_needs).astype(np.int8),
        "affair": rng.integers(0, N_AFFAIRS, n_needs).astype(np.int8),
        "utype": rng.random(n_needs),
        "uscope": rng.random(n_needs),
        "known": rng.random(n_needs) < 0.4,
    }
    act["kind"][rng.random(n_needs) < 0.5] = NeedKind.ADMIN
    village = rng.integers(0, nv, n_needs)
    vehicle = rng.random(n_needs) < 0.5
    seek = rng.random(n_needs) < 0.8
    qdays = queue_days(pending, capacity)

    def choose(kernel: str):
        chooser = Chooser(
            Catalogue.from_params(s.needs.affairs),
            p,
            s.needs,
            open_wait_days(kinds, p),
            s.villagers.no_vehicle_factor,
            kernel,
        )
        g = np.random.default_rng(seed + 1)
        got = chooser.choose(routing, point_kind, act, village, vehicle, seek, qdays, g)
        return (*got, g.random())  # the stream is left where the reference leaves it

    return choose


@needs_numba
@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n_needs=st.integers(0, 400),
    nv=st.integers(1, 12),
    n_pts=st.integers(1, 40),
    missing=st.sampled_from([0.0, 0.3, 0.9, 1.0]),
    devolved=st.booleans(),
)
def test_paths_choose_the_same_points_bit_for_bit(seed, n_needs, nv, n_pts, missing, devolved):
    """Administrative and other needs, some not seeking; tiers and candidates missing (up to
    all of them: no valid option), closed points (infinite queues), every point kind."""
    choose = _case(seed, n_needs, nv, n_pts, missing, devolved)
    ref, fast = choose("numpy"), choose("numba")
    for name, x, y in zip(["point", "minutes", "role", "next draw"], ref, fast, strict=True):
        np.testing.assert_array_equal(y, x, err_msg=name)


def test_the_cases_reach_every_outcome():
    """The random cases above are not degenerate: choices made and refused, several roles."""
    point, minutes, role, _ = _case(3, 400, 8, 30, 0.3, True)("numpy")
    assert (point >= 0).sum() > 100 and (point < 0).sum() > 10
    assert len(np.unique(role[point >= 0])) >= 3
    assert np.isfinite(minutes[point >= 0]).all()
