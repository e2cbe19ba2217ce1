"""One browser session's state: the run (or the pair of runs), the view, the drawn frame.

:class:`Explorer` has no user interface of its own (the Solara page calls it), so it runs and
is tested without a browser, and ``benchmarks/bench_app_frame.py`` measures its frame time.

A frame is :meth:`Explorer.advance` (simulate some weeks) followed by :meth:`Explorer.redraw`
(draw the maps and the series as PNG, compute the readouts); both are timed by the
:class:`~mergesim.app.session.FrameClock`. A lock serialises them, because the play loop runs
in its own thread while buttons act on the page's.

Side-by-side mode: run B is another scenario file run at A's scale and seed, so the two share
their random streams wherever the scenarios agree (paired seeds) and the difference B − A is
the effect of what differs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mergesim.app.blit import LiveMap, LiveSeries
from mergesim.app.controls import Choice, scenario_for
from mergesim.app.figures import (
    format_value,
    latest,
    map_view_data,
    metric_label,
    metric_unit,
    series_data,
)
from mergesim.app.session import OUTCOMES, FrameClock, LiveRun, VillageValues, difference
from mergesim.config import Scenario, load_scenario

#: Which boundaries the map draws: those in force in the run's current week, or a fixed side.
BOUNDARIES = ("in force", "before the plan", "after the plan")


@dataclass(frozen=True)
class View:
    """What the page shows: the outcome colouring the map and which boundaries it draws."""

    outcome: str = "travel"
    boundaries: str = "in force"


@dataclass
class Frame:
    """One drawn frame.

    Attributes:
        maps: ``(caption, PNG)`` per map: A (and B and B − A in side-by-side mode).
        series: PNG of the weekly series.
        outcome: Readout rows of the map's outcome: ``{"run", "value", "text"}``.
        series_rows: The last weekly value of each series: ``{"label", "values"}``.
        status: Where the run is (week and phase).
        names: The runs' names (columns of ``series_rows``).
    """

    maps: list[tuple[str, bytes]] = field(default_factory=list)
    series: bytes = b""
    outcome: list[dict[str, Any]] = field(default_factory=list)
    series_rows: list[dict[str, Any]] = field(default_factory=list)
    status: str = ""
    names: list[str] = field(default_factory=list)


class Explorer:
    """The runs of one browser session, stepped and drawn on demand.

    Args:
        base: The scenario the app was started with (run A applies the controls to it).
        others: Scenario files offered as run B, by name.
    """

    def __init__(self, base: Scenario, others: dict[str, Path] | None = None):
        self.base = base
        self.others = dict(others or {})
        self.runs: list[LiveRun] = []
        self.clock = FrameClock()
        self.lock = threading.RLock()
        self._maps: dict[tuple, LiveMap] = {}
        self._series: LiveSeries | None = None
        self.frame = Frame()

    # -- runs -------------------------------------------------------------------------------

    def reset(self, choice: Choice, compare: str | None = None) -> None:
        """New runs: A from the controls' ``choice``; B from the file ``compare``, if given.

        Raises:
            mergesim.errors.ScenarioError: A choice or scenario file the schema rejects.
        """
        a_scenario = scenario_for(self.base, choice)
        runs = [LiveRun(a_scenario, choice.seed, name=f"A: {a_scenario.name or 'seed county'}")]
        if compare:
            b_base = load_scenario(self.others[compare])
            b_scenario = scenario_for(b_base, {"villagers.scale": choice.scale})
            runs.append(LiveRun(b_scenario, choice.seed, name=f"B: {b_scenario.name}"))
        with self.lock:
            self.runs = runs
            self._maps.clear()
            self._series = None

    @property
    def finished(self) -> bool:
        """Whether every run reached its last week (or there is none)."""
        return all(r.finished for r in self.runs)

    def advance(self, weeks: int = 1) -> int:
        """Simulate ``weeks`` weeks in every run (timed as "step"); return weeks done by A."""
        with self.lock:
            t0 = time.perf_counter()
            done = [r.step(weeks) for r in self.runs]
            self.clock.add("step", time.perf_counter() - t0)
            return done[0] if done else 0

    # -- drawing ----------------------------------------------------------------------------

    def _after(self, run: LiveRun, view: View) -> bool:
        if view.boundaries == "in force":
            return run.week > run.model.timeline.reform_week
        return view.boundaries == "after the plan"

    def _map_png(
        self,
        slot: str,
        run: LiveRun,
        vv: VillageValues,
        view: View,
        scale: float | None,
        title: str,
    ) -> bytes:
        after = self._after(run, view)
        md = run.map_data(after)
        data = map_view_data(
            md,
            vv.values,
            diverging=vv.outcome.diverging,
            title=title,
            unit_label=metric_label(vv.outcome.metric),
            scale=scale,
        )
        key = (slot, after)
        live = self._maps.get(key)
        if live is None:
            live = self._maps[key] = LiveMap(data)
        return live.update(data)

    def redraw(self, view: View) -> Frame:
        """Draw the frame of ``view`` now (timed as "draw") and keep it in :attr:`frame`."""
        with self.lock:
            self.frame = self.clock.timed("draw", lambda: self._draw(view))
            return self.frame

    def _draw(self, view: View) -> Frame:
        if not self.runs:
            return Frame(status="no run: press Reset")
        o = OUTCOMES[view.outcome]
        values = [r.outcome(view.outcome) for r in self.runs]
        unit = metric_unit(o.metric)
        scale = _shared_scale(values) if len(values) > 1 else None
        maps = []
        for i, (run, vv) in enumerate(zip(self.runs, values, strict=True)):
            title = f"{run.name}\n{o.title}"
            maps.append((run.name, self._map_png(f"run{i}", run, vv, view, scale, title)))
        rows = [_readout(r.name, vv, unit) for r, vv in zip(self.runs, values, strict=True)]
        if len(values) == 2:
            diff = difference(values[0], values[1])
            maps.append(
                (
                    "B − A",
                    self._map_png("diff", self.runs[1], diff, view, None, f"B − A\n{o.title}"),
                )
            )
            rows.append(_readout("B − A", diff, unit))
        tl = self.runs[0].model.timeline
        data = series_data(
            [(r.name, r.model.tracker.history) for r in self.runs],
            reform_week=tl.reform_week,
            transition_end=tl.transition_end,
            n_weeks=tl.n_weeks,
        )
        if self._series is None or not self._series.fits(data):
            self._series = LiveSeries(data)
        series_rows = [
            {"label": row["label"], "values": [format_value(row[i]) for i in range(len(self.runs))]}
            for row in latest(data)
        ]
        return Frame(
            maps=maps,
            series=self._series.update(data),
            outcome=rows,
            series_rows=series_rows,
            status=self.runs[0].phase_text(),
            names=[r.name for r in self.runs],
        )


def _shared_scale(values: list[VillageValues]) -> float:
    """One colour scale for the maps of a pair: the largest |value| (diverging) or value."""
    finite = [np.abs(v.values[np.isfinite(v.values)]) for v in values]
    top = max((float(f.max()) for f in finite if len(f)), default=0.0)
    return top or 1.0


def _readout(name: str, vv: VillageValues, unit: str) -> dict[str, Any]:
    """A readout row: the county's value of an outcome, in words."""
    return {
        "run": name,
        "value": vv.county,
        "text": f"{format_value(vv.county)}{' ' + unit if unit else ''} ({vv.period})",
    }
