"""The merger's conflict channels as pure functions: pooling (grievance grows with asymmetry),
resource rights, representation, policy benefits, poverty status, infrastructure, unit size."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mergesim.config.schema import ConflictParams, GrievanceParams
from mergesim.mechanisms.grievance import channels as ch

G, C = GrievanceParams(), ConflictParams()


def test_pooling_moves_assets_from_the_rich_to_the_indebted():
    x = np.array([1000.0, -500.0, 300.0])  # per person; villages 0 and 1 merge, 2 alone
    pop = np.array([100.0, 300.0, 50.0])
    grp = np.array([0, 0, 1])
    d = ch.pooling_change(x, pop, grp, 2, share=1.0)
    pooled = (1000 * 100 - 500 * 300) / 400
    np.testing.assert_allclose(d, [pooled - 1000, pooled + 500, 0.0])
    np.testing.assert_allclose(np.dot(d, pop), 0.0, atol=1e-9)  # a transfer, nothing lost
    np.testing.assert_allclose(ch.pooling_change(x, pop, grp, 2, 0.1), 0.1 * d)


@given(
    spread=st.floats(0.0, 5000.0),
    extra=st.floats(1.0, 5000.0),
    pop=st.floats(10.0, 1000.0),
)
def test_pooled_grievance_grows_with_the_asymmetry_between_members(spread, extra, pop):
    """Two villages of equal size: the loss of the richer and the village mean of the values
    (loss aversion) both grow with the gap between their assets."""

    def mean_value(gap: float) -> float:
        x = np.array([gap / 2, -gap / 2])
        d = ch.pooling_change(x, np.array([pop, pop]), np.array([0, 0]), 1, 1.0)
        return float(ch.money_value(-d, G, C).mean())

    assert mean_value(spread + extra) > mean_value(spread) >= 0.0


def test_equal_members_pool_without_loss():
    d = ch.pooling_change(np.array([200.0, 200.0]), np.array([5.0, 9.0]), np.array([0, 0]), 1, 1)
    np.testing.assert_allclose(d, 0.0)


def test_resource_loss_hits_the_land_rich_only():
    area = np.array([10.0, 2.0, 5.0])
    pop = np.array([100.0, 100.0, 100.0])
    rel = ch.resource_loss(area, pop, np.array([0, 0, 1]), 2, share=0.5)
    pooled = 12.0 / 200
    np.testing.assert_allclose(rel[:2], 0.5 * (1 - pooled / (area[:2] / 100)))
    assert rel[0] > 0 > rel[1] and rel[2] == 0


def test_seats_by_population_fill_each_committee():
    pop = np.array([500.0, 300.0, 200.0, 1000.0, 50.0])
    grp = np.array([0, 0, 0, 1, 1])
    seats = ch.seats_by_population(pop, grp, 2, 5)
    np.testing.assert_allclose(np.bincount(grp, weights=seats), [5, 5])
    assert seats[0] >= seats[1] >= seats[2]
    assert seats[4] == 0  # a small village absorbed by a large one gets no seat


def test_voice_loss_is_one_without_a_seat_and_zero_when_fair():
    pop = np.array([600.0, 400.0, 100.0, 700.0])
    grp = np.array([0, 0, 1, 1])
    seats = np.array([3.0, 2.0, 0.0, 5.0])
    x = ch.voice_loss(seats, np.array([5.0, 5.0]), pop, grp, 2)
    np.testing.assert_allclose(x[:2], 0.0, atol=1e-12)
    assert x[2] == 1.0
    assert x[3] == pytest.approx(1 - 1.0 / (700 / 800))  # over-represented: a gain
    assert ch.voice_loss(np.ones(1), np.ones(1), np.ones(1), np.zeros(1, int), 1)[0] == 0


def test_benefits_follow_seats():
    keep = ch.benefit_kept_probability(np.array([1.0, 0.25, 0.0, -0.5]))
    np.testing.assert_allclose(keep, [0.0, 0.75, 1.0, 1.0])


def test_a_poor_village_merged_with_richer_ones_loses_its_status():
    poor = np.array([40.0, 2.0, 40.0, 35.0])
    pop = np.array([100.0, 300.0, 100.0, 100.0])
    grp = np.array([0, 0, 1, 1])
    lost = ch.lost_poor_status(poor, pop, grp, 2, ratio=2.0)
    # County share 117/600 = 0.195, bar 0.39: village 0 (0.40) was poor, its merged village
    # (0.105) is not; village 2 (0.40) was poor, its merged village (0.375) is not; village 3
    # (0.35) never was.
    assert lost.tolist() == [True, False, True, False]


def test_infrastructure_moves_to_the_seat_and_is_conserved():
    pop = np.array([100.0, 200.0, 50.0])
    absorbed = np.array([False, True, True])
    seat_of = np.array([0, 0, 0])
    d = ch.infrastructure_change(pop, absorbed, seat_of, per_person=300.0, moved=0.5)
    np.testing.assert_allclose(d[1:], -150.0)
    np.testing.assert_allclose(np.dot(d, pop), 0.0)
    assert d[0] > 0


def test_trust_falls_with_the_doubling_of_the_unit():
    pop = np.array([100.0, 100.0, 200.0, 50.0])
    grp = np.array([0, 0, 0, 1])
    drop = ch.trust_drop(pop, grp, 2, per_doubling=0.03)
    np.testing.assert_allclose(drop, [0.03 * 2, 0.03 * 2, 0.03 * 1, 0.0])


def test_net_assets_follow_their_distribution():
    x = ch.draw_net_assets(200_000, C, np.random.default_rng(1))
    debt_free = x[x > 0]
    assert np.median(x) < C.asset_median_yuan  # debts pull the median down
    assert np.mean(x < 0) < C.debt_share
    assert np.percentile(debt_free, 90) > 3 * np.median(debt_free)  # right-skewed
