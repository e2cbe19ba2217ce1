"""The Solara components of the app's page: run controls, parameters, the county view and the
results browser. They only lay out widgets and pass values on; the work is done by
:class:`~mergesim.app.live.Explorer` and :mod:`mergesim.app.results`.

Elements the browser test reads carry a ``mergesim-*`` CSS class (the status line, the
readouts, the maps), so the test finds them without depending on the page's layout.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import solara

from mergesim.app import controls
from mergesim.app.controls import Choice
from mergesim.app.live import BOUNDARIES, Frame, View
from mergesim.app.results import list_results, read_table, result_folders
from mergesim.app.session import OUTCOMES

NO_COMPARE = "(none)"


@solara.component
def RunControls(
    status: str,
    frame_text: str,
    playing: solara.Reactive[bool],
    weeks: solara.Reactive[int],
    finished: bool,
    on_step: Callable[[], None],
    on_reset: Callable[[], None],
):
    """Step, play/pause and reset, weeks per step, where the run is and the frame time."""
    with solara.Card("Run"):
        solara.Text(status, classes=["mergesim-status"])
        with solara.Row():
            solara.Button(
                "Step",
                on_click=on_step,
                disabled=playing.value or finished,
                color="primary",
                outlined=True,
            )
            if playing.value:
                solara.Button("Pause", on_click=lambda: playing.set(False), color="warning")
            else:
                solara.Button(
                    "Play", on_click=lambda: playing.set(True), disabled=finished, color="primary"
                )
            solara.Button("Reset", on_click=on_reset, disabled=playing.value)
        solara.InputInt(
            "weeks per step", value=weeks, on_value=lambda w: weeks.set(max(1, int(w or 1)))
        )
        if frame_text:
            solara.Text(
                frame_text,
                classes=["mergesim-frame"],
                style={"font-size": "0.8em", "color": "#666"},
            )


@solara.component
def ScenarioControls(
    choice: solara.Reactive[Choice],
    methods: list[str],
    compare: solara.Reactive[str],
    others: list[str],
    pending: bool,
):
    """Plan, measures, scale, seed and the scenario run B; they apply on Reset."""
    c = choice.value
    lo, hi = controls.target_range()

    def put(**kw):
        choice.set(Choice(**{**c.__dict__, **kw}))

    if pending:
        solara.Warning("Changed: press Reset to apply.", dense=True)
    with solara.Card("Plan"):
        solara.Select(
            "plan method", values=methods, value=c.method, on_value=lambda m: put(method=m)
        )
        solara.SliderFloat(
            f"target factor {c.target_factor:g} (units ÷ factor)",
            value=c.target_factor,
            min=lo,
            max=hi,
            step=0.1,
            on_value=lambda f: put(target_factor=round(float(f), 2)),
        )
    with solara.Card("The report's measures"):
        by_section: dict[str, list[controls.Switch]] = {}
        for s in controls.switches():
            by_section.setdefault(s.section, []).append(s)
        for section, items in by_section.items():
            with solara.Details(
                controls.SECTION_TITLES.get(section, section), expand=section == "services"
            ):
                for s in items:
                    with solara.Tooltip(f"{s.doc} [source: {s.source}]"):
                        solara.Checkbox(
                            label=s.name,
                            value=c.switch(s.key),
                            on_value=lambda on, k=s.key: choice.set(
                                choice.value.with_switch(k, bool(on))
                            ),
                        )
    with solara.Card("Scale, seed, comparison"):
        solara.Select(
            "villager scale (share simulated)",
            values=controls.scales(),
            value=c.scale,
            on_value=lambda v: put(scale=float(v)),
        )
        solara.InputInt(
            "run seed", value=c.seed, on_value=lambda v: put(seed=int(v)) if v is not None else None
        )
        solara.Select(
            "side by side with (B, same scale and seed)",
            values=[NO_COMPARE, *others],
            value=compare.value or NO_COMPARE,
            on_value=lambda v: compare.set("" if v == NO_COMPARE else v),
        )


@solara.component
def CountyView(frame: Frame, view: solara.Reactive[View], on_view: Callable[[View], None]):
    """The map(s) coloured by the chosen outcome, the readouts and the weekly series."""
    v = view.value
    titles = {o.title: k for k, o in OUTCOMES.items()}
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select(
            "colour villages by",
            values=list(titles),
            value=OUTCOMES[v.outcome].title,
            style={"min-width": "380px"},
            on_value=lambda t: on_view(View(titles[t], v.boundaries)),
        )
        solara.ToggleButtonsSingle(
            value=v.boundaries,
            values=list(BOUNDARIES),
            on_value=lambda b: on_view(View(v.outcome, b)),
        )
    solara.Text(frame.status, style={"font-weight": "bold"})
    for row in frame.outcome:
        solara.Text(
            f"{row['run']} — county: {row['text']}",
            classes=["mergesim-readout"],
            style={"display": "block"},
        )
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        for caption, image in frame.maps:
            with solara.Column(
                style={"min-width": "320px", "max-width": "640px", "flex": "1 1 320px"}
            ):
                solara.Image(image, width="100%", classes=["mergesim-map"])
                solara.Text(caption, style={"font-size": "0.8em"})
        if frame.series:
            with solara.Column(
                style={"min-width": "320px", "max-width": "720px", "flex": "1 1 320px"}
            ):
                solara.Image(frame.series, width="100%", classes=["mergesim-series"])
                SeriesTable(frame)


@solara.component
def SeriesTable(frame: Frame):
    """The last weekly value of each series, one column per run (an HTML table)."""
    head = "".join(f"<th>{html.escape(n)}</th>" for n in frame.names)
    body = "".join(
        f"<tr><td>{html.escape(r['label'])}</td>"
        + "".join(f"<td style='text-align:right'>{v}</td>" for v in r["values"])
        + "</tr>"
        for r in frame.series_rows
    )
    solara.HTML(
        tag="table",
        classes=["mergesim-series-table"],
        unsafe_innerHTML=f"<tr><th>last week</th>{head}</tr>{body}",
        style="font-size: 0.85em; border-spacing: 10px 2px",
    )


@solara.component
def ResultsBrowser(start: Path):
    """Open a results folder and view its tables, figures and report."""
    folder = solara.use_reactive(str(start))
    table = solara.use_reactive("")
    figure = solara.use_reactive("")
    found = solara.use_memo(lambda: [str(p) for p in result_folders(start)], [str(start)])
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText(
            "results folder",
            value=folder,
            style={"min-width": "420px"},
            on_value=lambda f: (folder.set(f), table.set(""), figure.set("")),
        )
        if found:
            solara.Select(
                "found under the start folder",
                values=found,
                value=folder.value if folder.value in found else None,
                on_value=lambda f: (folder.set(f), table.set(""), figure.set("")),
                style={"min-width": "420px"},
            )
    try:
        listing = list_results(folder.value)
    except FileNotFoundError as e:
        solara.Error(str(e))
        return
    solara.Text(
        f"{len(listing.tables)} tables, {len(listing.figures)} figures"
        + (f", {listing.report}" if listing.report else ""),
        classes=["mergesim-results-count"],
    )
    with solara.Row(style={"flex-wrap": "wrap"}):
        if listing.tables:
            solara.Select(
                "table",
                values=list(listing.tables),
                value=table.value or None,
                on_value=table.set,
                style={"min-width": "300px"},
            )
        if listing.figures:
            solara.Select(
                "figure",
                values=list(listing.figures),
                value=figure.value or None,
                on_value=figure.set,
                style={"min-width": "300px"},
            )
    if table.value:
        try:
            df, rows = read_table(listing.folder / table.value)
        except (OSError, ValueError, ImportError) as e:
            solara.Error(f"{table.value}: cannot read: {e}")
        else:
            shown = f"{len(df)} of {rows} rows" if rows is not None else f"first {len(df)} rows"
            solara.Text(f"{table.value}: {shown}, {df.shape[1]} columns")
            solara.DataFrame(df, items_per_page=15, scrollable=True)
    if figure.value:
        solara.Image((listing.folder / figure.value).read_bytes(), width="100%")
    if listing.report:
        with solara.Details(listing.report, expand=not listing.tables and not listing.figures):
            # Plain text: solara.Markdown would fetch its maths renderer from the internet.
            solara.Preformatted((listing.folder / listing.report).read_text(encoding="utf-8"))
