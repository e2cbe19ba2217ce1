"""Shared helpers of the services tests: needs injected by hand into a model on the tiny line
county (villages 0–5 on a road line, 10 minutes apart, zero area; township 1 merges into
township 0, villages 1+2 and 4+5 merge)."""

from __future__ import annotations

import numpy as np

from mergesim.config import apply_overrides
from mergesim.mechanisms.needs import NeedKind, NewNeeds
from mergesim.model import MergerModel
from tiny_county import tiny_scenario


class Injected:
    """Stand-in for the needs mechanism: this week's needs are given by the test.

    ``schedule`` maps a week to rows ``(villager, kind, affair, utype)`` or
    ``(villager, kind, affair, utype, uknow)`` (``uknow`` 0: the villager knows the level).
    """

    def __init__(self, m, schedule):
        self.schedule = schedule
        self.created = 0
        self.new = NewNeeds.empty()
        self.rates = m.needs.rates

    def step(self, model):
        rows = [tuple(r) + (0.0,) * (5 - len(r)) for r in self.schedule.get(model.week, [])]
        n = len(rows)
        a = np.array(rows, dtype=float).reshape(n, 5)
        self.new = NewNeeds(
            villager=a[:, 0].astype(np.int64),
            kind=a[:, 1].astype(np.int8),
            affair=a[:, 2].astype(np.int8),
            utype=a[:, 3],
            uscope=np.zeros(n),
            uknow=a[:, 4],
            prio=np.arange(n) / max(n, 1),
        )
        self.created += n

    def setup(self, model):
        pass

    def on_phase(self, model, week):
        pass

    def finalize(self, model):
        pass


def injected_model(
    line, schedule=None, *, warmup: int = 8, horizon: int = 4, overrides=None, **sections
):
    """A model on the line county whose needs come from ``schedule`` (see :class:`Injected`).

    ``sections`` are ``section={field: value}`` overrides of :func:`tiny_scenario`, then
    ``overrides`` dotted keys (e.g. ``{"needs.affairs.household.docs_fail": 0.0}``); villagers
    all have a vehicle unless ``villagers`` says otherwise.
    """
    county, plan = line
    villagers = {"vehicle_share": 1.0, **sections.pop("villagers", {})}
    timeline = {"warmup_weeks": warmup, "horizon_weeks": horizon, **sections.pop("timeline", {})}
    s = tiny_scenario(villagers=villagers, timeline=timeline, **sections)
    if overrides:
        s = apply_overrides(s, dict(overrides))
    m = MergerModel(s, county=county, plan=plan)
    inj = Injected(m, schedule or {})
    m.needs = inj
    m.mechanisms[m.mechanisms.index(m.services) - 1] = inj
    return m


def rows_of(m, village: int, k: int) -> np.ndarray:
    """``k`` villager rows of a village."""
    return np.flatnonzero(m.villagers.village == village)[:k]


ADMIN = int(NeedKind.ADMIN)
ELDERLY = int(NeedKind.ELDERLY_CARE)
