"""Who files: the activation rules, and the feedback of closed petitions."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from grievance_helpers import grouped

from mergesim.config.schema import GrievanceParams
from mergesim.mechanisms.grievance import FilingState, collective_trigger, select_filers
from mergesim.mechanisms.petitions import Kind, Outcome, PetitionRecords


def test_select_filers_needs_all_three_conditions():
    g = np.array([0.5, 0.5, 0.5, 0.2])
    t = np.full(4, 0.3)
    eligible = np.array([True, False, True, True])
    u = np.array([0.1, 0.1, 0.9, 0.1])
    np.testing.assert_array_equal(
        select_filers(g, t, eligible, u, 0.5), [True, False, False, False]
    )


def test_collective_trigger_is_granovetter_with_a_minimum():
    village, offsets = grouped([4, 4, 4])
    g = np.array([0.9, 0.9, 0.9, 0.0, 0.9, 0.0, 0.0, 0.0, 0.9, 0.9, 0.9, 0.9])
    t = np.full(12, 0.5)
    theta = np.array([0.5, 0.5, 0.5])
    can = np.array([True, True, False])  # the third already has one open
    u = np.zeros(3)
    for off in (None, offsets):
        v, k = collective_trigger(g, t, village, 3, theta, can, u, 1.0, 1, off)
        np.testing.assert_array_equal(v, [0])  # 75 % > 50 %; 25 % is not; third is busy
        np.testing.assert_array_equal(k, [3])
        v, _ = collective_trigger(g, t, village, 3, theta, can, u, 1.0, 4, off)
        assert len(v) == 0  # fewer than 4 aggrieved persons


def test_closed_petitions_relieve_or_anger_their_filers():
    """A resolved petition relieves its filer and raises trust; an unresolved one angers and
    costs trust, and its filer cools down unless a repeat keeps it open; a collective outcome
    reaches the aggrieved of its village only."""
    p = GrievanceParams()
    village, offsets = grouped([2, 3])
    v = SimpleNamespace(
        grievance=np.array([0.5, 0.5, 0.8, 0.8, 0.1], dtype=np.float32),
        trust=np.full(5, 0.5, dtype=np.float32),
        threshold=np.full(5, 0.3, dtype=np.float32),
        offsets=offsets,
    )
    rec = PetitionRecords()
    # 0: resolved (filer 0); 1: unresolved, final (filer 1); 2: unresolved, repeated as 3;
    # 4: collective of village 1, unresolved.
    rec.add(
        5,
        kind=[Kind.INDIVIDUAL] * 4 + [Kind.COLLECTIVE],
        filer=[0, 1, 2, 2, -1],
        village=[0, 0, 1, 1, 1],
        outcome=[
            Outcome.RESOLVED,
            Outcome.UNRESOLVED,
            Outcome.REPEATED,
            Outcome.OPEN,
            Outcome.UNRESOLVED,
        ],
        child=[-1, -1, 3, -1, -1],
    )
    state = FilingState.start(5, np.full(2, 0.5))
    state.open_pet[[0, 1, 2]] = [0, 1, 2]
    state.open_collective[1] = 4
    loop = SimpleNamespace(rec=rec, closed_last=np.array([0, 1, 2, 4]))
    state.apply_closures(loop, v, p, week=10)
    assert state.open_pet.tolist() == [-1, -1, 3, -1, -1]  # the repeat stays open
    assert state.open_collective.tolist() == [-1, -1]
    assert state.cooldown_until.tolist() == [0, 10 + p.cooldown_weeks, 0, 0, 0]
    assert v.grievance[0] == pytest.approx(0.5 * (1 - p.resolved_relief))
    assert v.trust[0] > 0.5 and v.trust[1] < 0.5
    assert v.grievance[1] == pytest.approx(min(1.0, 0.5 + p.unresolved_jump))
    # Village 1's collective petition failed: its aggrieved (rows 2, 3) are angered again
    # (row 2 also by its own petition), row 4 (below threshold) is untouched.
    assert v.grievance[3] == pytest.approx(min(1.0, 0.8 + p.unresolved_jump))
    assert v.grievance[4] == np.float32(0.1) and v.trust[4] == np.float32(0.5)
