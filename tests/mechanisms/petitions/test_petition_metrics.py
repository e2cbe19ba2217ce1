"""Petition metrics: the statutory clock and overdue shares on hand-made records, backlog,
rates, hot spots and the stability index."""

from __future__ import annotations

import math

import numpy as np
import pytest
from petition_helpers import P, loop_config

from mergesim.config.schema import StabilityParams
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


def test_stability_index_range_and_direction():
    s = StabilityParams()
    calm = stability_index(20.0, 0.5, 0.0, 0.9, 0.02, s)
    rough = stability_index(400.0, 20.0, 0.3, 0.3, 0.2, s)
    assert 0.0 <= rough < calm <= 1.0
    assert stability_index(0.0, 0.0, 0.0, 1.0, 0.0, s) == 1.0
    assert stability_index(1e6, 1e6, 1.0, 0.0, 1.0, s) == 0.0
    # Terms without data leave both sums: rate 20/100 and collective 0.5/5 remain.
    w = s.weights()
    assert stability_index(20.0, 0.5, 0.0, math.nan, math.nan, s) == pytest.approx(
        1 - (w[0] * 20 / s.rate_ref + w[1] * 0.5 / s.collective_ref) / (w[0] + w[1] + w[2])
    )
    assert math.isnan(stability_index(*[math.nan] * 5, s))


def test_stability_index_weights_and_references_come_from_the_section():
    """The [stability] section drives the index: a zero weight removes a pressure, a larger
    reference lowers it. The defaults score a county at the background rates that closes
    promptly at about 0.9 (the calibration its documentation states)."""
    s = StabilityParams()
    background = (20.0, 0.5, 0.0, 0.95, 0.05)
    assert 0.88 <= stability_index(*background, s) <= 0.95
    only_rate = StabilityParams(
        collective_weight=0.0, aggrieved_weight=0.0, late_weight=0.0, escalation_weight=0.0
    )
    assert stability_index(50.0, 99.0, 0.9, 0.0, 1.0, only_rate) == pytest.approx(0.5)
    lenient = StabilityParams(rate_ref=200.0)
    assert stability_index(50.0, 0.0, 0.0, 1.0, 0.0, lenient) > stability_index(
        50.0, 0.0, 0.0, 1.0, 0.0, s
    )
