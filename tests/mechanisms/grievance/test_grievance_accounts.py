"""The access accounts: one mental account per service domain, valued separately and summed;
experienced cost (travel, failed trips, days) against a reference that adapts; anticipation
before any affair; empirical-Bayes shrinkage of a sampled population's noise."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.config.schema import GrievanceParams
from mergesim.mechanisms.grievance import AccessAccounts, domain_weights, segregated_value
from mergesim.mechanisms.grievance.accounts import (
    N_VEHICLE,
    cell_rates,
    domain_rates,
    eb_shrink,
    expected_cost,
    experienced_cost,
    villager_cells,
)
from mergesim.mechanisms.grievance.hardship import prospect_value
from mergesim.mechanisms.needs import DOMAIN_OF_KIND, N_DOMAINS, NeedKind, ServiceDomain
from mergesim.mechanisms.services import Done

P = GrievanceParams()
ADMIN, HEALTH = int(ServiceDomain.ADMIN), int(ServiceDomain.HEALTH)


def done(kind, cost, village=0, vehicle=True, trips=1, days=0.0) -> Done:
    """Completed affairs of the given kinds and travel (one row each)."""
    kind = np.asarray(kind, dtype=np.int8)
    k = len(kind)
    full = np.broadcast_to
    return Done(
        villager=np.arange(k, dtype=np.int64),
        village=full(np.asarray(village, dtype=np.int32), (k,)).copy(),
        kind=kind,
        domain=DOMAIN_OF_KIND[kind],
        trips=full(np.asarray(trips, dtype=np.int16), (k,)).copy(),
        travel=np.asarray(cost, dtype=np.float32),
        in_village=np.zeros(k, bool),
        wait=np.zeros(k, np.int16),
        days=full(np.asarray(days, dtype=np.float32), (k,)).copy(),
        vehicle=full(np.asarray(vehicle, dtype=bool), (k,)).copy(),
        affair=np.full(k, -1, np.int8),
        failed=full(np.asarray(trips, dtype=np.int16) - 1, (k,)).copy(),
        handler=np.zeros(k, np.int8),
        carried=np.zeros(k, bool),
    )


def accounts(p=P, n_villages=1) -> AccessAccounts:
    """Accounts with one expected affair a week in every cell (one village: no shrinkage)."""
    return AccessAccounts.empty(np.ones((N_DOMAINS, N_VEHICLE, n_villages)), p)


def test_an_admin_loss_is_not_cancelled_by_an_equal_serious_care_gain():
    """+10 min per administrative affair and −10 min per serious-care affair: hardship > 0."""
    x = np.zeros(N_DOMAINS)
    x[ADMIN], x[HEALTH] = 10.0, -10.0
    omega = np.zeros(N_DOMAINS)
    omega[ADMIN] = omega[HEALTH] = 0.5  # equal weights: the net change is exactly 0
    h = segregated_value(x, omega, P)
    assert h > 0
    netted = prospect_value(np.dot(omega, x) / P.access_scale_min, 2.25, 0.88, 0.88)
    assert netted == 0  # a single account would have cancelled them
    lam, a = P.loss_aversion, P.gain_exponent
    assert h == pytest.approx(0.5 * (lam - 1) * (10 / P.access_scale_min) ** a)


def test_the_villagers_hardship_from_experienced_affairs_is_above_zero():
    """The same through the accounts: a working-age villager whose village's administrative
    affairs now take 10 minutes more and serious-care affairs 10 minutes less."""
    acc = accounts()
    admin, serious = int(NeedKind.ADMIN), int(NeedKind.HEALTH_SERIOUS)
    for _ in range(30):  # the pre-reform experience
        d = done([admin, serious], [30.0, 90.0])
        acc.record(d, experienced_cost(d, P))
    z = np.zeros(acc.rate.shape)
    acc.start(z, z, weeks=0.0)
    for _ in range(30):
        d = done([admin, serious], [40.0, 80.0])
        acc.record(d, experienced_cost(d, P))
    acc.update(dataclasses.replace(P, adaptation_weeks=0.0))
    rates = np.zeros((7, 3))
    rates[[admin, serious], 1] = 1.0  # a working-age villager with equal rates of each
    omega = domain_weights(rates, np.ones(7))
    table = acc.table(omega)
    cell = villager_cells(np.array([1]), np.array([True]), np.array([0]), 1)
    assert table[cell][0] > 0
    assert acc.value[ADMIN, 0, 0] > 0 > acc.value[HEALTH, 0, 0]
    assert acc.gap()[ADMIN, 0] > 0 and acc.gap()[HEALTH, 0] == 0


def test_experienced_cost_counts_failed_trips_and_days():
    p = dataclasses.replace(P, failed_trip_min=60.0, delay_min_per_day=5.0)
    d = done([0, 0], [20.0, 40.0], trips=[1, 3], days=[0.0, 14.0])
    np.testing.assert_allclose(experienced_cost(d, p), [20.0, 40.0 + 2 * 60 + 14 * 5])
    d.failed = np.array([0, 1], dtype=np.int16)  # recorded by the services mechanism
    np.testing.assert_allclose(experienced_cost(d, p), [20.0, 40.0 + 60 + 14 * 5])


def test_the_reference_adapts_at_its_pace():
    p = dataclasses.replace(P, adaptation_weeks=10.0)
    acc = accounts(p)
    e0 = np.full(acc.rate.shape, 30.0)
    acc.start(e0, e0 + 20.0, weeks=0.0)  # 20 minutes more, no failures or delays
    np.testing.assert_allclose(acc.experienced() - acc.ref, 20.0)
    acc.update(p)
    np.testing.assert_allclose(acc.experienced() - acc.ref, 20.0 * 0.9)
    for _ in range(200):
        acc.update(p)
    assert np.all(acc.value < 1e-3)  # adapted away
    never = accounts(dataclasses.replace(P, adaptation_weeks=0.0))
    never.start(e0, e0 + 20.0, weeks=0.0)
    for _ in range(50):
        never.update(dataclasses.replace(P, adaptation_weeks=0.0))
    np.testing.assert_allclose(never.experienced() - never.ref, 20.0)


def test_anticipation_before_any_affair_then_experience_takes_over():
    """At the reform the new routes' travel and the old excess are anticipated; affairs with
    more failed trips than before then raise the loss."""
    p = dataclasses.replace(P, adaptation_weeks=0.0, failed_trip_min=60.0)
    acc = accounts(p)
    e0 = np.full(acc.rate.shape, 30.0)
    acc.expected = e0
    for _ in range(20):
        d = done([0], [30.0])
        acc.record(d, experienced_cost(d, p))
    acc.start(e0, e0 + 6.0, weeks=4.0)
    acc.update(p)
    before = acc.value[ADMIN, 0, 0]
    assert before == pytest.approx(prospect_value(6.0 / p.access_scale_min, 2.25, 0.88, 0.88))
    for _ in range(40):
        d = done([0], [36.0 * 2], trips=2)  # each affair now takes two trips
        acc.record(d, experienced_cost(d, p))
    acc.update(p)
    assert acc.value[ADMIN, 0, 0] > 3 * before


def _sums(values: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(s, s2, w) of one group of cells from each cell's observations."""
    s = np.array([[v.sum() for v in values]])
    s2 = np.array([[(v * v).sum() for v in values]])
    w = np.array([[float(len(v)) for v in values]])
    return s, s2, w


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_eb_shrink_pools_noise_and_keeps_real_differences(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 6, 300)  # a few observations per cell
    same = [rng.normal(10.0, 40.0, k) for k in n]  # no real difference between cells
    est = eb_shrink(*_sums(same))[0]
    raw = np.array([v.mean() for v in same])
    assert np.mean((est - 10) ** 2) < 0.2 * np.mean((raw - 10) ** 2)
    truth = rng.normal(0.0, 100.0, 300)  # real differences far beyond the noise
    apart = [t + rng.normal(0.0, 5.0, k) for t, k in zip(truth, n, strict=True)]
    est = eb_shrink(*_sums(apart))[0]
    np.testing.assert_allclose(est, [v.mean() for v in apart], atol=5.0)


def test_eb_shrink_gives_unseen_cells_the_county_mean():
    s, s2, w = _sums([np.array([1.0, 3.0]), np.array([]), np.array([5.0])])
    est = eb_shrink(s, s2, w)[0]
    assert est[1] == pytest.approx(3.0)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_shrinkage_keeps_noise_from_reading_as_loss(seed):
    """Many villages with a few noisy affairs each and no real change (every week's affairs
    have the same mean): valued from raw cell means, loss aversion turns the noise into loss;
    shrunk by empirical Bayes, most of that spurious loss goes."""
    rng = np.random.default_rng(seed)
    nv, k = 1000, 300  # a third of an affair per village and week
    rate = np.ones((N_DOMAINS, N_VEHICLE, nv))
    acc = AccessAccounts.empty(rate, P)
    z = np.zeros(rate.shape)
    raw = []
    for week in range(40):
        if week == 20:
            raw.append(acc.s / np.maximum(acc.w, 1e-12))
            seen_before = acc.w > 0
            acc.start(z, z, weeks=0.0)
        e = rng.exponential(1.0, k)
        cost = 70.0 + 40.0 * (e - e.mean())
        acc.record(done(np.zeros(k, int), cost, village=rng.integers(0, nv, k)), cost)
    seen = seen_before & (acc.w > 0)
    acc.update(dataclasses.replace(P, adaptation_weeks=0.0))
    x = (acc.s / np.maximum(acc.w, 1e-12) - raw[0])[seen] / P.access_scale_min
    noise = float(prospect_value(x, P.loss_aversion, P.gain_exponent, P.loss_exponent).mean())
    assert noise > 0.2
    assert abs(float(acc.value[seen].mean())) < 0.2 * noise


def test_expected_cost_mixes_kinds_by_rate_and_doubles_for_the_round_trip():
    minutes = np.zeros((7, 2))
    minutes[NeedKind.HEALTH_ROUTINE] = [10.0, 20.0]
    minutes[NeedKind.HEALTH_SERIOUS] = [40.0, 60.0]
    rates = np.zeros((7, 3))
    rates[NeedKind.HEALTH_ROUTINE, 1] = 3.0
    rates[NeedKind.HEALTH_SERIOUS, 1] = 1.0
    kr = cell_rates(rates, np.array([1, 1]), np.array([True, False]), np.array([0, 1]), 2)
    e = expected_cost(minutes, kr, no_vehicle_factor=2.0)
    assert e[HEALTH, 0, 0] == pytest.approx(2 * (3 * 10 + 40) / 4)  # with a vehicle, village 0
    assert e[HEALTH, 1, 1] == pytest.approx(2 * 2 * (3 * 20 + 60) / 4)  # without, village 1
    np.testing.assert_allclose(domain_rates(kr)[HEALTH].sum(), 8.0)


def test_domain_weights_sum_to_one_per_age():
    rates = np.abs(np.random.default_rng(0).random((7, 3)))
    w = domain_weights(rates, np.array([3.0, 1, 1, 1, 1, 1, 1]))
    np.testing.assert_allclose(w.sum(axis=0), 1.0)
    assert w.shape == (N_DOMAINS, 3)
