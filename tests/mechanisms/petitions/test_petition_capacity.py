"""The county's answers to overload — task forces, enforcement teams — and the saturation
watch."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from petition_helpers import P

from mergesim.mechanisms.petitions.capacity import (
    Saturation,
    TaskForces,
    add_servers,
    caseload,
    enforcement_units,
    team_servers,
    weekly_capacity,
)


def test_caseload_is_open_petitions_per_server_at_full_scale():
    servers = np.array([[1, 2, 0]] * 6)
    load = caseload(np.array([0, 0, 1, 1, 1, 2]), servers, 3, scale=0.5)
    assert load == pytest.approx([2 * 2 / 6, 3 * 2 / 12, 0.0])


def test_task_forces_form_after_the_delay_work_their_weeks_and_are_rationed():
    p = dataclasses.replace(
        P, taskforce_trigger=5.0, taskforce_delay_weeks=2, taskforce_weeks=3, taskforce_max=1
    )
    tf = TaskForces.start(3, p)
    assert tf.per_stage.sum() == p.taskforce_size
    assert tf.per_stage.tolist() == [0, 1, 2, 3, 0, 0]  # the stage weights
    load = np.array([9.0, 6.0, 1.0])
    quiet = np.zeros(3, dtype=bool)
    active = [tf.update(w, load, quiet, p) for w in range(10)]
    assert not active[0].any() and not active[1].any()  # called in week 0, forming
    assert active[2].tolist() == [True, False, False]  # the higher caseload first
    assert active[4][0] and not active[5][0]  # three weeks
    assert active[5].tolist() == [False, True, False]  # the waiting unit's turn
    assert tf.formed >= 2 and tf.cadre_weeks == sum(a.sum() for a in active) * p.taskforce_size
    servers = tf.servers(active[2])
    assert servers[:, 0].tolist() == [0, 1, 2, 3, 0, 0] and not servers[:, 1:].any()
    # An incident calls a task force whatever the caseload; switched off, none is called.
    tf = TaskForces.start(3, p)
    hit = np.array([False, False, True])
    assert tf.update(0, np.zeros(3), hit, p).sum() == 0
    assert tf.update(2, np.zeros(3), quiet, p).tolist() == [False, False, True]
    off = TaskForces.start(3, dataclasses.replace(p, taskforce=False))
    assert not any(
        off.update(w, load, hit, dataclasses.replace(p, taskforce=False)).any() for w in range(6)
    )


def test_enforcement_teams_go_to_the_most_populous_townships_and_add_servers():
    mask = enforcement_units(np.array([5.0, 50.0, 20.0, 50.0]), 2)
    assert mask.tolist() == [False, True, False, True]
    extra = team_servers(mask, P.enforcement_servers)
    assert extra.shape == (6, 4) and extra[:, 1].tolist() == list(P.enforcement_servers)
    servers, speed = add_servers(np.ones((6, 4), dtype=np.int64), np.ones((6, 4)), extra, 2.0)
    assert servers[2, 1] == 2 and speed[2, 1] == pytest.approx(1.5)
    assert servers[2, 0] == 1 and speed[2, 0] == 1.0


def test_saturation_needs_more_than_the_limit_of_consecutive_weeks_over_capacity():
    cap = weekly_capacity(np.ones((6, 2)), np.ones((6, 2)), [0.5, 0.5, 2.0, 3.0, 1.0, 0.5])
    assert cap[3, 0] == pytest.approx(7 / 3) and cap[0, 0] == pytest.approx(14)
    sat = Saturation.start(2, limit=8)
    over = np.zeros((6, 2))
    over[3, 0] = 3  # 3 arrivals a week at a stage that serves 7/3
    names = ["Alpha", "Beta"]
    for w in range(8):
        sat.update(w, over, cap, names)
    assert not sat.units and sat.warning() is None  # 8 weeks: not yet more than 8
    sat.update(8, over, cap, names)
    assert list(sat.units) == ["Alpha"] and sat.units["Alpha"]["stage"] == "handle"
    sat.update(9, np.zeros((6, 2)), cap, names)  # a quiet week breaks the run
    assert sat.run.max() == 0 and sat.units["Alpha"]["weeks"] == 9
    line = sat.warning()
    assert "\n" not in line and "Alpha" in line and "Beta" not in line
    s = sat.summary()
    assert s["saturated"] and s["townships"][0]["township"] == "Alpha" and s["weeks"] == 8
