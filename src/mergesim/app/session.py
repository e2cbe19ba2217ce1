"""A live run for the app: the model, what it accumulates per village, and the outcomes a map
colours villages by; a pair of runs on the same seeds; the frame clock.

The model does the simulating; :class:`LiveRun` only reads it after each week — the villagers'
arrays (``model.villagers``), the week's served affairs (``model.services.done``), the
petition records (``model.petitions.loop.rec``) and the tracker (``model.tracker``) — and
keeps the per-village sums the outcomes need. Every outcome is computed with array operations
over villagers, affairs or petitions; nothing loops over them in Python.

Outcomes (:data:`OUTCOMES`), each per village and for the whole county:

* ``travel`` — change in expected weekly travel burden, the configuration in force minus the
  pre-reform one (min per villager a week; unit of ``access_min_mean``);
* ``wait`` — mean weeks from need to service of the affairs served (``wait_weeks_mean``);
* ``grievance`` — mean grievance of the villagers now (``grievance_mean``);
* ``petitions`` — petitions filed, per 10,000 villagers a year (``petitions_per10k``).

``wait`` and ``petitions`` count from the reform week once the run is past it, and from the
start before (the period is part of the outcome's description).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mergesim.config import Scenario
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, DAYS_PER_YEAR
from mergesim.model.model import MergerModel
from mergesim.plotting.maps import MapData, map_data


@dataclass(frozen=True)
class Outcome:
    """An outcome a map can show: its metric (for the label and unit) and colour scale.

    Attributes:
        key: Short key (``travel``, ``wait``, ``grievance``, ``petitions``).
        metric: Key of :data:`mergesim.metrics.METRICS` whose label and unit describe it.
        title: What the map shows, in words.
        diverging: A change around 0 (red more, blue less) rather than a level from 0.
    """

    key: str
    metric: str
    title: str
    diverging: bool


OUTCOMES: dict[str, Outcome] = {
    o.key: o
    for o in (
        Outcome(
            "travel",
            "access_min_mean",
            "Change in expected travel burden, now − before the reform",
            True,
        ),
        Outcome("wait", "wait_weeks_mean", "Weeks waited per served affair", False),
        Outcome("grievance", "grievance_mean", "Mean grievance of the villagers", False),
        Outcome("petitions", "petitions_per10k", "Petitions filed", False),
    )
}


@dataclass
class VillageValues:
    """One outcome of one run: per village (NaN where no value) and for the county.

    Attributes:
        outcome: What is shown.
        values: One value per (old) village.
        county: The county's value (weighted by villagers, affairs or days as fits).
        period: The weeks counted, in words ("since the reform (week 26)").
    """

    outcome: Outcome
    values: np.ndarray
    county: float
    period: str


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


class LiveRun:
    """One model stepped by the app, with the per-village sums its outcomes need.

    Args:
        scenario: A validated scenario (the controls' choice applied).
        seed: The run's root seed (behaviour; the county and plan stay the scenario's).
        name: Shown in titles and legends.
    """

    def __init__(self, scenario: Scenario, seed: int, name: str = ""):
        self.name = name or scenario.name or "scenario"
        self.model = MergerModel(scenario, rng=seed)
        nv = self.model.county.n_villages
        self.wait_sum = {p: np.zeros(nv) for p in ("pre", "post")}
        self.wait_n = {p: np.zeros(nv) for p in ("pre", "post")}
        self._maps: dict[bool, MapData] = {}

    # -- the clock --------------------------------------------------------------------------

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.model.week

    @property
    def n_weeks(self) -> int:
        """Weeks in the run."""
        return self.model.timeline.n_weeks

    @property
    def finished(self) -> bool:
        """Whether the run has simulated its last week."""
        return not self.model.running

    def phase_text(self) -> str:
        """``"week 30 of 182 · transition"``: where the run is."""
        tl = self.model.timeline
        if self.week == 0:
            return f"week 0 of {self.n_weeks} · not started (reform at week {tl.reform_week})"
        phase = tl.phase(self.week - 1).name.lower()
        return f"week {self.week} of {self.n_weeks} · {'pre-reform' if phase == 'pre' else phase}"

    def step(self, weeks: int = 1) -> int:
        """Simulate up to ``weeks`` weeks (fewer at the end of the run); return weeks done."""
        done = 0
        reform = self.model.timeline.reform_week
        while done < weeks and self.model.running:
            period = "post" if self.model.week >= reform else "pre"
            self.model.step()
            served = self.model.services.done
            nv = self.model.county.n_villages
            self.wait_sum[period] += np.bincount(served.village, weights=served.wait, minlength=nv)
            self.wait_n[period] += np.bincount(served.village, minlength=nv)
            done += 1
        return done

    # -- outcomes ---------------------------------------------------------------------------

    def _period(self) -> tuple[str, int, str]:
        """The period counted now: window name, first week, description."""
        reform = self.model.timeline.reform_week
        if self.week > reform:
            return "post", reform, f"weeks {reform}–{self.week - 1}, since the reform"
        return (
            "pre",
            0,
            (f"weeks 0–{self.week - 1}, before the reform" if self.week else "no week run yet"),
        )

    def village_pop(self) -> np.ndarray:
        """Simulated villagers per village."""
        return self.model.tracker.village_pop

    def outcome(self, key: str) -> VillageValues:
        """The values of outcome ``key`` (see :data:`OUTCOMES`) now."""
        return _COMPUTE[key](self, OUTCOMES[key])

    def map_data(self, after: bool) -> MapData:
        """The county's map data before or after the plan (computed once)."""
        if after not in self._maps:
            m = self.model
            self._maps[after] = map_data(m.county, m.plan if after else None)
        return self._maps[after]


def _travel(run: LiveRun, o: Outcome) -> VillageValues:
    v, tr = run.model.villagers, run.model.tracker
    change = v.access_now.astype(float) - v.access_ref
    per_village = tr.village_access(change, v.village)
    county = float(change.mean()) if v.n else math.nan
    return VillageValues(o, per_village, county, "the configuration in force now")


def _wait(run: LiveRun, o: Outcome) -> VillageValues:
    period, _, text = run._period()
    s, n = run.wait_sum[period], run.wait_n[period]
    county = float(s.sum() / n.sum()) if n.sum() > 0 else math.nan
    return VillageValues(o, _ratio(s, n), county, text)


def _grievance(run: LiveRun, o: Outcome) -> VillageValues:
    v = run.model.villagers
    pop = run.village_pop()
    total = np.bincount(v.village, weights=v.grievance, minlength=len(pop))
    county = float(v.grievance.mean(dtype=float)) if v.n else math.nan
    return VillageValues(o, _ratio(total, pop), county, "at the end of the last week")


def _petitions(run: LiveRun, o: Outcome) -> VillageValues:
    _, first, text = run._period()
    rec = run.model.petitions.loop.rec
    pop = run.village_pop().astype(float)
    days = (run.week - first) * DAYS_PER_WEEK
    t0, t1 = first * DAYS_PER_WEEK, run.week * DAYS_PER_WEEK
    take = (rec.filed >= t0) & (rec.filed < t1) & (rec.village >= 0)
    count = np.bincount(rec.village[take], minlength=len(pop)).astype(float)
    if days <= 0:
        return VillageValues(o, np.full(len(pop), np.nan), math.nan, text)
    per_year = 10_000.0 * DAYS_PER_YEAR / days
    county = float(count.sum() / pop.sum() * per_year) if pop.sum() > 0 else math.nan
    return VillageValues(o, _ratio(count, pop) * per_year, county, text)


_COMPUTE: dict[str, Callable[[LiveRun, Outcome], VillageValues]] = {
    "travel": _travel,
    "wait": _wait,
    "grievance": _grievance,
    "petitions": _petitions,
}


def difference(a: VillageValues, b: VillageValues) -> VillageValues:
    """``b − a`` per village and for the county (a change, so on a diverging scale)."""
    o = a.outcome
    diff = Outcome(o.key, o.metric, f"{o.title}: difference B − A", True)
    return VillageValues(diff, b.values - a.values, b.county - a.county, a.period)


@dataclass
class FrameClock:
    """Milliseconds of the last frames: simulating (step) and drawing (redraw).

    A frame is one press of Step or one turn of the play loop: the weeks it simulates and the
    redraw of the map and the series that follows.
    """

    keep: int = 50
    step_ms: list[float] = field(default_factory=list)
    draw_ms: list[float] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        """Record ``seconds`` of ``kind`` ("step" or "draw")."""
        series = self.step_ms if kind == "step" else self.draw_ms
        series.append(seconds * 1000.0)
        del series[: -self.keep]

    def timed(self, kind: str, f: Callable[[], Any]) -> Any:
        """Call ``f()`` and record its duration as ``kind``."""
        t0 = time.perf_counter()
        try:
            return f()
        finally:
            self.add(kind, time.perf_counter() - t0)

    def text(self) -> str:
        """``"frame 95 ms (step 12 + draw 83), mean of the last 20"``, or "" before a frame."""
        if not self.step_ms and not self.draw_ms:
            return ""
        s = float(np.mean(self.step_ms)) if self.step_ms else 0.0
        d = float(np.mean(self.draw_ms)) if self.draw_ms else 0.0
        n = max(len(self.step_ms), len(self.draw_ms))
        return f"frame {s + d:.0f} ms (step {s:.0f} + draw {d:.0f}), mean of the last {n}"
