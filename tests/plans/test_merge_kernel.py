"""The compiled agglomeration (extra ``fast``) makes exactly the plans of the Python loop: its
CPython-laid-out neighbour sets iterate like real sets, and plans, cluster counts and the random
stream's position agree over many seeds, graphs and parameters."""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.config.load import apply_overrides
from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.plans import ensemble, merge_kernel
from mergesim.plans.ensemble import ensemble_member
from mergesim.plans.policy import agglomerate, merge_plan
from mergesim.rng import Streams
from property import small_county

pytest.importorskip("numba")

PLAN_ARRAYS = ("village_to_new", "township_to_new", "new_village_seat", "new_township_seat")


def _same_plan(p, q) -> bool:
    return all(np.array_equal(getattr(p, k), getattr(q, k)) for k in PLAN_ARRAYS)


def _layout(pool, off, msk, v) -> list[int]:
    return [int(k) for k in pool[off[v] : off[v] + msk[v] + 1] if k >= 0]


@pytest.mark.parametrize("seed", range(40))
def test_set_tables_iterate_like_python_sets(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 200))
    sets: list[set[int]] = [set() for _ in range(n)]
    off = np.arange(n, dtype=np.int64) * merge_kernel.MINSIZE
    msk = np.full(n, merge_kernel.MINSIZE - 1, dtype=np.int64)
    fill, used = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    top = np.array([n * merge_kernel.MINSIZE], dtype=np.int64)
    pool = np.full(400 * n * merge_kernel.MINSIZE, merge_kernel.EMPTY, dtype=np.int64)
    state = (off, msk, fill, used)
    for _ in range(int(rng.integers(10, 2000))):
        op, v, k = int(rng.integers(0, 4)), int(rng.integers(n)), int(rng.integers(0, 4 * n))
        if op <= 1:
            sets[v].add(k)
            assert merge_kernel._add(pool, top, *state, v, k)
        elif op == 2:
            sets[v].discard(k)
            merge_kernel._discard(pool, off, msk, used, v, k)
        elif rng.random() < 0.5:
            w = int(rng.integers(n))
            sets[v] |= sets[w]
            assert merge_kernel._update(pool, top, *state, v, w)
        else:
            x = int(rng.integers(0, 4 * n))
            if x != k:
                sets[v] -= {k, x}
                assert merge_kernel._remove_pair(pool, top, *state, v, k, x)
    for v in range(n):
        assert _layout(pool, off, msk, v) == list(sets[v]), v
        assert used[v] == len(sets[v])


@pytest.mark.parametrize("seed", range(60))
def test_agglomerate_engines_agree_on_random_graphs(seed):
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(2, 400))
    pairs = rng.integers(0, n, size=(int(rng.integers(1, 4 * n)), 2))
    # Few distinct sizes and no noise make equal costs: the tie order is checked too.
    size = rng.choice([0.5, 1.0, 2.0], n) if seed % 3 == 0 else rng.lognormal(0, 0.6, n)
    kw = dict(
        propensity=rng.uniform(0.2, 3.0, n),
        frozen=rng.random(n) < 0.1,
        container=rng.integers(0, int(rng.integers(1, 5)), n),
        target=int(rng.integers(1, n + 1)),
        size_exponent=float(rng.uniform(0.5, 3.0)),
        gradient_strength=float(rng.choice([0.0, rng.uniform(0.1, 3.0)])),
        noise=0.0 if seed % 3 == 0 else float(rng.uniform(0.05, 1.5)),
    )
    got, want = [], []
    for engine, out in (("compiled", got), ("python", want)):
        stream = np.random.default_rng(seed)
        labels, k = agglomerate(pairs, size, rng=stream, engine=engine, **kw)
        out += [labels, k, stream.random()]
    assert np.array_equal(got[0], want[0])
    assert got[1:] == want[1:]  # clusters reached; stream left at the same place


@pytest.fixture(scope="module")
def seed_county():
    s = Scenario()
    return build_county(s, Streams(s.seed)), s


def test_seed_county_ensemble_members_identical(seed_county):
    c, s = seed_county
    streams = Streams(s.seed)
    for k in range(30):
        fast = ensemble_member(c, s.plan, streams, k, engine="compiled")
        assert _same_plan(fast, ensemble_member(c, s.plan, streams, k)), k


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_small_county_plans_identical(seed):
    c, s = small_county(villages=150, townships=10, seed=seed)
    for method, exemptions, gradient, rng in (
        ("policy", True, True, None),
        ("uniform", False, False, None),
        ("ensemble", True, True, seed),
    ):
        fast, slow = (
            merge_plan(
                c,
                s.plan,
                method=method,
                exemptions=exemptions,
                gradient=gradient,
                rng=None if rng is None else np.random.default_rng(rng),
                engine=engine,
            )
            for engine in ("compiled", "python")
        )
        assert _same_plan(fast, slow), method


def test_large_ensembles_run_compiled(seed_county, monkeypatch):
    c, s = seed_county
    calls = []
    monkeypatch.setattr(ensemble, "merge_plan", lambda *a, **kw: calls.append(kw["engine"]))
    for size in (ensemble.COMPILED_FROM - 1, ensemble.COMPILED_FROM):
        params = apply_overrides(s, {"plan.ensemble_size": size}).plan
        list(ensemble.ensemble_plans(c, params, Streams(s.seed)))
    assert set(calls[: ensemble.COMPILED_FROM - 1]) == {"python"}
    assert set(calls[ensemble.COMPILED_FROM - 1 :]) == {"auto"}


def test_kernel_reports_a_full_pool_or_too_few_factors():
    kernel = merge_kernel._compiled_kernel()
    n = 30
    pa, pb = np.arange(n - 1), np.arange(1, n)  # a path
    args = (np.ones(n), np.ones(n))
    pool = np.empty(n * merge_kernel.MINSIZE + 8, dtype=np.int64)  # no room to grow a table
    small = kernel(n, pa, pb, *args, np.ones(4 * n), pool, 1.0, 1.0, 1)
    assert small[2] == -2
    few = kernel(n, pa, pb, *args, np.ones(n), np.empty(100 * n, dtype=np.int64), 1.0, 1.0, 1)
    assert few[2] == -1


def test_too_small_first_guesses_are_enlarged(monkeypatch):
    monkeypatch.setattr(merge_kernel, "FACTORS_PER_PAIR", 0)
    monkeypatch.setattr(merge_kernel, "SLOTS_PER_PAIR", 0)
    rng = np.random.default_rng(4)
    n = 300
    pairs = rng.integers(0, n, size=(3 * n, 2))
    kw = dict(
        propensity=rng.uniform(0.5, 2.0, n),
        frozen=np.zeros(n, dtype=bool),
        container=np.zeros(n, dtype=np.int64),
        target=20,
        size_exponent=2.0,
        gradient_strength=1.0,
        noise=0.5,
    )
    got, want = (
        agglomerate(pairs, np.ones(n), rng=np.random.default_rng(9), engine=e, **kw)
        for e in ("compiled", "python")
    )
    assert np.array_equal(got[0], want[0]) and got[1] == want[1]


def test_kernel_available_here_and_its_self_check_detects_another_layout(monkeypatch):
    assert merge_kernel.available()  # Numba installed (extra "fast"), sets laid out as 3.12's
    monkeypatch.setattr(merge_kernel, "_discard", lambda *args: None)
    assert not merge_kernel._layout_matches_sets()


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be one of"):
        agglomerate(
            np.array([[0, 1]]),
            np.ones(2),
            np.ones(2),
            np.zeros(2, dtype=bool),
            np.zeros(2, dtype=np.int64),
            1,
            size_exponent=1.0,
            gradient_strength=1.0,
            engine="numba",
        )
