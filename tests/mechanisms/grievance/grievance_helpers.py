"""Shared helpers of the grievance tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

village_sizes = st.lists(st.integers(0, 6), min_size=1, max_size=8)


def grouped(sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """``(village, offsets)`` for rows grouped by village with the given sizes."""
    sizes_a = np.asarray(sizes, dtype=np.int64)
    village = np.repeat(np.arange(len(sizes_a)), sizes_a)
    return village, np.concatenate([[0], np.cumsum(sizes_a)])


village_sizes = st.lists(st.integers(0, 6), min_size=1, max_size=8)
