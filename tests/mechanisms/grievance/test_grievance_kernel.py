"""The grievance week's two paths, NumPy (the reference) and Numba, give the same numbers.

The compiled loops repeat the NumPy path's operations in its precision and order, village sums
included (``compiled.py``), so the paths agree bit for bit — on random arrays and on a whole
run, where a single flipped threshold decision would change every later week. Without Numba
installed (the optional ``fast`` extra) the tests of the compiled path skip. The whole-run
comparison, which covers every compiled stretch at once, is ``tests/mechanisms/test_kernels.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.config.schema import CommunicationParams
from mergesim.mechanisms import jit
from mergesim.mechanisms.grievance.kernel import Buffers, spread_week, update_week

needs_numba = pytest.mark.skipif(not jit.AVAILABLE, reason="numba not installed")


def _arrays(seed: int, sizes: list[int]):
    rng = np.random.default_rng(seed)
    f4 = np.float32
    sizes_a = np.asarray(sizes, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes_a)])
    village = np.repeat(np.arange(len(sizes_a)), sizes_a)
    n = int(offsets[-1])
    # Grievance and hardship spread over many magnitudes, so that the order of the float64
    # village sums matters (their exact sums need more than 53 bits); some hardship < 0.
    g = (rng.random(n) ** 6).astype(f4)
    standing = (rng.random(n) ** 10).astype(f4)
    standing[rng.random(n) < 0.1] -= f4(0.4)
    a = {
        "g": g,
        "trust": rng.random(n, dtype=f4),
        "standing": standing,
        "table": (rng.random(4 * len(sizes), dtype=f4) - f4(0.5)),
        "cells": (rng.integers(0, 4, n) * len(sizes) + village).astype(np.intp),
        "threshold": rng.random(n, dtype=f4),
        "influence": np.where(rng.random(n) < 0.1, f4(3.0), f4(1.0)),
        "offsets": offsets,
        "village": village,
    }
    k = min(n, 7)
    rows = rng.integers(0, max(n, 1), size=k)  # repeats allowed: the last one counts
    a["waiting"] = (rows, rng.random(k, dtype=f4))
    a["influence_sum"] = np.bincount(village, weights=a["influence"], minlength=len(sizes))
    reach = {
        "broadcast": rng.random(n) < 0.3,
        "meeting_rows": rng.permutation(n)[: n // 4],
        "talk_rows": rng.permutation(n)[: n // 9],
    }
    return a, reach


def _week(kernel: str, a: dict, reach, take: bool, combine: bool, rate: float):
    buf = Buffers.empty(a["offsets"])
    access = np.zeros(len(a["g"]), np.float32)
    g, vsum = update_week(
        kernel,
        a["g"],
        a["trust"],
        a["standing"],
        access,
        a["table"] if take else None,
        a["cells"],
        combine,
        a["waiting"],
        26.0,
        a["offsets"],
        buf,
    )
    out = np.zeros_like(g)
    above = spread_week(
        kernel,
        g,
        reach,
        CommunicationParams(),
        rate,
        a["influence"],
        a["influence_sum"],
        a["offsets"],
        a["village"],
        a["threshold"],
        out,
        buf,
    )
    return [access, g.copy(), vsum.copy(), out, above.copy()]


@needs_numba
@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 300), min_size=1, max_size=12),
    seed=st.integers(0, 2**16),
    take=st.booleans(),
    combine=st.booleans(),
    talk=st.booleans(),
    rate=st.sampled_from([0.0, 0.1, 0.35]),
)
def test_paths_agree_bit_for_bit_on_random_arrays(sizes, seed, take, combine, talk, rate):
    """Village sizes around the pairwise sum's 8- and 128-term blocks, empty villages, waiting
    rows repeated, with and without communication and contagion."""
    a, reach = _arrays(seed, sizes)
    reach = reach if talk else None
    ref = _week("numpy", a, reach, take, combine, rate)
    fast = _week("numba", a, reach, take, combine, rate)
    names = ["access", "grievance", "village sums", "after contagion", "above threshold"]
    for name, x, y in zip(names, ref, fast, strict=True):
        np.testing.assert_array_equal(y, x, err_msg=name)
