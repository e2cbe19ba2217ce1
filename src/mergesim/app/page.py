"""The page of ``mergesim app``: one :class:`~mergesim.app.live.Explorer` per browser session.

Solara renders :func:`Page` for every browser session; its hooks keep that session's state:
the controls' choice, the choice the runs were built with, the view, and the last drawn frame.
Play runs a loop in a thread (``solara.lab.use_task``, as Mesa's ``SolaraViz`` model
controller does): simulate the weeks per step, redraw, publish the frame, until paused or the
run ends.
"""

from __future__ import annotations

import time

import solara
import solara.lab

from mergesim.app import controls
from mergesim.app.components import CountyView, ResultsBrowser, RunControls, ScenarioControls
from mergesim.app.live import Explorer, View
from mergesim.app.server import app_inputs
from mergesim.errors import UserError

#: Pause between frames of the play loop (seconds): lets button presses through.
PLAY_PAUSE_S = 0.02


@solara.component
def Page():
    """The whole page: sidebar with the controls, tabs with the county and the results."""
    inputs = solara.use_memo(app_inputs, [])
    explorer = solara.use_memo(lambda: Explorer(inputs.base, inputs.others), [])
    start = solara.use_memo(lambda: controls.choice_of(inputs.base), [])
    methods = solara.use_memo(lambda: controls.plan_methods(inputs.base), [])
    choice = solara.use_reactive(start)
    compare = solara.use_reactive("")
    applied = solara.use_reactive((None, ""))
    view = solara.use_reactive(View())
    playing = solara.use_reactive(False)
    weeks = solara.use_reactive(1)
    frame = solara.use_reactive(explorer.frame)
    error = solara.use_reactive("")

    def reset():
        playing.set(False)
        try:
            explorer.reset(choice.value, compare.value or None)
        except UserError as e:
            error.set(e.line())
            return
        error.set("")
        applied.set((choice.value, compare.value))
        frame.set(explorer.redraw(view.value))

    def step():
        explorer.advance(weeks.value)
        frame.set(explorer.redraw(view.value))

    def show(v: View):
        view.set(v)
        frame.set(explorer.redraw(v))

    def play_loop():
        while playing.value and not explorer.finished:
            step()
            time.sleep(PLAY_PAUSE_S)
        if playing.value:
            playing.set(False)

    solara.use_effect(lambda: reset() if not explorer.runs else None, [])
    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    with solara.AppBar():
        solara.AppBarTitle(f"mergesim · {inputs.base.name or 'seed county'}")
    with solara.Sidebar():
        RunControls(
            frame.value.status,
            explorer.clock.text(),
            playing,
            weeks,
            explorer.finished,
            step,
            reset,
        )
        ScenarioControls(
            choice,
            methods,
            compare,
            list(inputs.others),
            pending=applied.value != (choice.value, compare.value),
        )
    if error.value:
        solara.Error(error.value)
    with solara.lab.Tabs():
        with solara.lab.Tab("County"):
            CountyView(frame.value, view, show)
        with solara.lab.Tab("Results"):
            ResultsBrowser(inputs.results)
