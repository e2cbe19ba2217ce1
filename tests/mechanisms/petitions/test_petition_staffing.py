"""Servers per stage and unit: fixed, from the cadres' petition staff, scaled."""

from __future__ import annotations

import numpy as np
import pytest

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.petitions import (
    N_STAGES,
    cadre_staffing,
    fixed_staffing,
    scale_staffing,
)


def test_staffing_helpers():
    p = PetitionParams()
    servers, speed = fixed_staffing(p, 3)
    assert servers.shape == (N_STAGES, 4)
    assert servers[:, 3].tolist() == list(p.servers_county) and np.all(servers[:, :3] == 1)
    n = np.array([[0, 2, 1, 3, 0, 1], [1, 1, 1, 1, 1, 1]])
    comp = np.where(n > 0, 1.2, np.nan)
    servers, speed = cadre_staffing(n, comp, p)
    assert servers.shape == (N_STAGES, 3)
    assert servers[:, 0].tolist() == [1, 2, 1, 3, 1, 1]  # min_servers = 1
    assert speed[0, 0] == 1.0 and speed[1, 0] == pytest.approx(1.2)
    assert scale_staffing(np.array([0, 1, 10, 25]), 0.1).tolist() == [0, 1, 1, 3]
    assert scale_staffing(np.array([0, 1, 10]), 1.0).tolist() == [0, 1, 10]
