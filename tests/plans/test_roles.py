"""Old-unit roles under a plan (absorbed, absorbing, unchanged; seat or periphery) and the
breakdown groups the metrics use, on the hand-made line county."""

from __future__ import annotations

import numpy as np

from mergesim.plans.roles import GROUP_NAMES, Role, UnitStatus
from tiny_county import identity_plan, line_county, merge_line_plan

U, A, D = Role.UNCHANGED, Role.ABSORBING, Role.ABSORBED


def test_roles_of_the_merged_line():
    """Township 1 merges into township 0; villages 1+2 (seat 1) and 4+5 (seat 4) merge."""
    county = line_county()
    units = UnitStatus.from_plan(county, merge_line_plan(county))
    assert units.village_role.tolist() == [U, A, D, U, A, D]
    assert units.township_role.tolist() == [A, D]
    assert units.host_township.tolist() == [0, 0]
    assert units.township_after.tolist() == [0] * 6
    assert units.new_village_seat.tolist() == [0, 1, 1, 3, 4, 4]
    assert units.old_seat.tolist() == [True, False, False, True, False, False]


def test_group_masks_partition_the_villages():
    county = line_county()
    masks = UnitStatus.from_plan(county, merge_line_plan(county)).group_masks(county)
    assert tuple(masks) == GROUP_NAMES
    assert np.flatnonzero(masks["absorbed_villages"]).tolist() == [2, 5]
    assert np.flatnonzero(masks["absorbing_villages"]).tolist() == [1, 4]
    assert np.flatnonzero(masks["absorbed_townships"]).tolist() == [3, 4, 5]
    assert not masks["unchanged_townships"].any()
    for trio in (("absorbed", "absorbing", "unchanged"),):
        for level in ("villages", "townships"):
            stacked = np.vstack([masks[f"{r}_{level}"] for r in trio])
            assert np.all(stacked.sum(axis=0) == 1)  # each village in exactly one role
    assert np.all(masks["seat_villages"] ^ masks["periphery_villages"])


def test_a_plan_that_merges_nothing_leaves_every_unit_unchanged():
    county = line_county()
    units = UnitStatus.from_plan(county, identity_plan(county))
    assert np.all(units.village_role == U) and np.all(units.township_role == U)
    assert np.array_equal(units.township_after, county.township)
