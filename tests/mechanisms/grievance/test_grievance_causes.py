"""The dominant cause of a grievance."""

from __future__ import annotations

import numpy as np

from mergesim.mechanisms.grievance import PART_CAUSES, dominant_cause
from mergesim.mechanisms.grievance.causes import UNKNOWN
from mergesim.mechanisms.petitions import Cause


def test_dominant_cause_is_the_largest_positive_source():
    access = np.array([0.5, 0.0, -0.3, 0.0], dtype=np.float32)
    parts = np.zeros((len(PART_CAUSES), 4), dtype=np.float32)
    parts[PART_CAUSES.index(Cause.ASSETS), 0] = 0.2
    parts[PART_CAUSES.index(Cause.REPRESENTATION), 1] = 0.4
    parts[PART_CAUSES.index(Cause.CADRE), 1] = 0.6
    parts[PART_CAUSES.index(Cause.SEAT_LOSS), 2] = -0.1  # a gain is no cause
    out = dominant_cause(access, parts)
    assert out.tolist() == [Cause.ACCESS, Cause.CADRE, UNKNOWN, UNKNOWN]
