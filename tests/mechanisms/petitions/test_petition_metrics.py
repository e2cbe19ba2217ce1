"""Petition metrics: the statutory clock and overdue shares on hand-made records, backlog,
rates, hot spots and the stability index."""

from __future__ import annotations

import math

import numpy as np
import pytest
from petition_helpers import P, loop_config

from mergesim.config.schema import STABILITY_PRESSURES, StabilityParams
from mergesim.mechanisms.petitions import (
    ACCEPT_STAGE,
    CLOSED,
    CONCLUDE_STAGE,
    N_STAGES,
    LoopConfig,
    Outcome,
    PetitionLoop,
    PetitionRecords,
    backlog_by_stage,
    closing_metrics,
    hot_spots,
    overdue_at,
    petition_rates,
    saturating,
    stability_index,
)


def _hand_records() -> PetitionRecords:
    rec = PetitionRecords()
    nan = np.nan
    # filed, accepted (exit of classify), concluded (exit of handle), extended, closed
    rows = [
        (0.0, 10.0, 65.0, False, 70.0),  # accepted in 10 d, concluded 55 d later: on time
        (0.0, 20.0, 90.0, False, 95.0),  # accepted late (20 > 15); 70 > 60: overdue
        (0.0, 5.0, 85.0, True, 100.0),  # 80 d, extended (90): on time, extension used
        (0.0, 5.0, nan, False, nan),  # open, accepted at 5: past 60 at t = 100
        (90.0, nan, nan, False, nan),  # open, filed at 90, not accepted: 10 d at t = 100
        (50.0, nan, nan, False, nan),  # open, not accepted: 50 d at t = 100
    ]
    for filed, acc, con, ext, closed in rows:
        i = rec.add(
            1,
            filed=filed,
            extended=ext,
            closed=closed,
            stage=CLOSED if not np.isnan(closed) else 2,
            outcome=Outcome.RESOLVED if not np.isnan(closed) else Outcome.OPEN,
        )
        rec.entry[i, 0] = filed
        rec.exit[i, ACCEPT_STAGE] = acc
        rec.exit[i, CONCLUDE_STAGE] = con
    return rec


def test_statutory_clock_and_overdue_shares():
    rec = _hand_records()
    cfg = LoopConfig.from_params(P)
    assert (cfg.accept_days, cfg.conclude_days, cfg.extension_days) == (15.0, 60.0, 30.0)
    m = closing_metrics(rec, 0.0, 200.0, cfg)
    assert m["closed"] == 3
    assert m["accept_overdue_share"] == pytest.approx(1 / 4)  # 4 accepted, one took 20 d
    assert m["conclude_overdue_share"] == pytest.approx(1 / 3)
    assert m["extension_used_share"] == pytest.approx(1 / 3)
    assert m["days_to_close_mean"] == pytest.approx((70 + 95 + 100) / 3)
    assert m["closed_within_60_share"] == 0.0
    od = overdue_at(rec, np.array([3, 4, 5]), 100.0, cfg)
    assert od.tolist() == [True, False, True]
    # Shorter deadlines are parameters too.
    cfg2 = loop_config(
        service_days=np.zeros(6),
        delay_days=np.zeros(6),
        accept_days=5.0,
        conclude_days=100.0,
        extension_days=0.0,
    )
    assert overdue_at(rec, np.array([3, 4, 5]), 100.0, cfg2).tolist() == [False, True, True]


def test_backlog_rates_and_hot_spots():
    cfg = LoopConfig.queues_only(P, [1.0] * N_STAGES)
    loop = PetitionLoop(cfg, 2, np.random.default_rng(10))
    loop.set_staffing(np.ones((N_STAGES, 2), dtype=int))
    village = np.array([3, 3, 3, 1, 1, 2, 0])
    loop.file(
        np.linspace(0, 6, 7),
        np.array([0, 0, 0, 1, 1, 1, 0]),
        village=village,
        kind=np.array([0, 0, 1, 0, 0, 0, 0]),
    )
    loop.advance(7.0)
    bl = backlog_by_stage(loop.rec, loop.clock)
    assert bl["in_stage"].sum() == loop.n_open
    assert np.all(bl["waiting"] <= bl["in_stage"])
    rates = petition_rates(loop.rec, 0.0, 7.0, 10_000)
    assert rates["all"] == pytest.approx(7 * 365.25 / 7)
    assert rates["collective"] == pytest.approx(365.25 / 7)
    hs = hot_spots(loop.rec, 0.0, 7.0, 5, np.array([0, 0, 1, 1, 1]), k=2, k_towns=1)
    assert hs["villages"] == [(3, 3), (1, 2)]
    assert hs["townships"] == [(1, 4)]


def _index(s, rate, coll, aggr, within60, esc, beyond=0.0, incidents=0.0):
    return stability_index(
        s,
        rate_all=rate,
        rate_collective=coll,
        aggrieved_share=aggr,
        closed_within_60_share=within60,
        escalation_share=esc,
        rate_beyond=beyond,
        rate_incidents=incidents,
    )


def test_stability_index_range_and_direction():
    s = StabilityParams()
    calm = _index(s, 20.0, 0.5, 0.0, 0.9, 0.02)
    rough = _index(s, 400.0, 20.0, 0.3, 0.3, 0.2, 10.0, 1.0)
    assert 0.0 < rough < calm <= 1.0
    assert _index(s, 0.0, 0.0, 0.0, 1.0, 0.0) == 1.0
    assert 0.0 < _index(s, 1e6, 1e6, 1.0, 0.0, 1.0, 1e6, 1e6) < 0.01
    # Terms without data leave both sums: rate and collective (and the zero terms) remain.
    w = dict(zip(STABILITY_PRESSURES, s.weights(), strict=True))
    kept = w["rate"] + w["collective"] + w["aggrieved"] + w["beyond"] + w["incident"]
    expect = (
        1
        - (w["rate"] * 20 / (20 + s.rate_half) + w["collective"] * 0.5 / (0.5 + s.collective_half))
        / kept
    )
    assert _index(s, 20.0, 0.5, 0.0, math.nan, math.nan) == pytest.approx(expect)
    assert math.isnan(_index(s, *[math.nan] * 7))


def test_stability_index_does_not_saturate_below_5000_petitions():
    """338 and 1,928 petitions per 10,000 a year (the issue's stress runs) must differ, and
    the index must keep falling up to 5,000: the rate pressure r / (r + half) is strictly
    increasing and still below 0.95 at 5,000."""
    s = StabilityParams()
    rates = np.array([20.0, 338.0, 1928.0, 4999.0, 5000.0])
    x = np.array([saturating(r, s.rate_half) for r in rates])
    assert np.all(np.diff(x) > 0) and x[-1] < 0.95
    idx = [_index(s, r, 0.5, 0.0, 1.0, 0.0) for r in rates]
    assert np.all(np.diff(idx) < 0)
    assert idx[1] - idx[2] > 0.2 * s.rate_weight / sum(s.weights())
    # The old clipped form saturated at 100: the same two rates were indistinguishable.
    assert min(1.0, 338 / 100) == min(1.0, 1928 / 100)


def test_stability_index_weights_and_scales_come_from_the_section():
    """The [stability] section drives the index: a zero weight removes a pressure, a larger
    half-way scale lowers it. A county at the background rates that closes promptly scores
    about 0.95."""
    s = StabilityParams()
    assert 0.9 <= _index(s, 20.0, 0.5, 0.0, 0.95, 0.05) <= 0.98
    zero = {f"{k}_weight": 0.0 for k in STABILITY_PRESSURES if k != "rate"}
    only_rate = StabilityParams(**zero)
    r = only_rate.rate_half
    assert _index(only_rate, r, 99.0, 0.9, 0.0, 1.0, 50.0, 9.0) == pytest.approx(0.5)
    lenient = StabilityParams(rate_half=2000.0)
    assert _index(lenient, 50.0, 0.0, 0.0, 1.0, 0.0) > _index(s, 50.0, 0.0, 0.0, 1.0, 0.0)
