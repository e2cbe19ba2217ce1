"""Run one simulation and write its results: ``mergesim run SCENARIO``.

:func:`run_scenario` builds the county, the plan and the model, runs every week, and writes
into ``out_dir`` — each file atomically (temporary file + ``os.replace``), and only after the
run finished, so a failed run leaves no half-written result:

* ``summary.json`` — :meth:`MergerModel.summary`: run facts and each metric per window;
* ``timeseries.csv`` — one row per week: ``week, phase, window`` and every metric;
* ``villages.csv`` — per village: old and new units (``*_index``, ``*_name``), roles and
  travel burden before and after (:func:`village_table`);
* ``geometry/*.geojson`` — the county and its plan as GeoJSON (villages with the run's
  per-village outcomes and outcome groups, townships, merged villages, new townships, seats,
  service points; :mod:`mergesim.county.export`), joined to ``villages.csv`` by
  ``village_index``;
* ``travel_coverage.png`` — weekly travel and coverage, reform week marked;
* ``travel_change_map.png`` — map of the change in expected travel burden per village (the
  access of the end-of-run configuration minus the pre-reform one; the realised burden, noisy
  at small scales, is in ``villages.csv``), with the new townships' boundaries and seats;
* ``stability.png`` — weekly petitions (per 10,000 a year) and grievance, reform week marked;
* ``petition_pipeline.png`` — open petitions per stage of the six-step loop, week by week;
* ``cadre_channels.png`` — where the cadres not kept went, and posts before/after;
* ``scenario.toml`` — the resolved scenario (every parameter); for a real county a comment
  names the seed-county values it inherits (:func:`mergesim.config.inherited.inherited_note`);
* ``README.md`` — the folder's layout (:data:`mergesim.results.layout.RUN_LAYOUT`).

The figures come in PNG (more formats with ``formats``; none with ``plots=False``, ``mergesim
run --no-plots``) and can be redrawn from the stored files (:func:`figures_from_folder`,
``mergesim plot``).

Sweeps reuse :func:`simulate` (model only), :func:`timeseries_csv` and :func:`villages_csv`.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mergesim.config import dump_scenario, load_scenario
from mergesim.config.inherited import inherited_note
from mergesim.config.schema import Scenario
from mergesim.county.county import County
from mergesim.county.export import Layer, layer_from_dict
from mergesim.errors import UserError
from mergesim.io import atomic_write_json, atomic_write_text
from mergesim.mechanisms.services.points import (
    KIND_NAMES,
    STATUS_NAMES,
    ServicePoints,
    configure,
    layout,
)
from mergesim.model.model import MergerModel, apply_dotted
from mergesim.plans.plan import Plan
from mergesim.plans.roles import Role, UnitStatus
from mergesim.plotting.figures import save_figure
from mergesim.plotting.stability import (
    channel_data,
    plot_channels,
    plot_pipeline,
    plot_stability,
    stability_data,
)
from mergesim.plotting.timeseries import (
    plot_travel_and_coverage,
    plot_travel_change_map,
    travel_change_data,
    weekly_data,
)
from mergesim.progress import Progress
from mergesim.results import (
    geometry_collections,
    geometry_dir,
    read_geometry,
    read_summary,
    read_table,
    write_collections,
)
from mergesim.results.folders import need_columns
from mergesim.results.layout import (
    README,
    RUN_TIMESERIES,
    RUN_VILLAGES,
    SCENARIO_TOML,
    SUMMARY_JSON,
    write_readme,
)

log = logging.getLogger(__name__)

#: The figures of a run (names without the format suffix).
FIGURES = (
    "travel_coverage",
    "travel_change_map",
    "stability",
    "petition_pipeline",
    "cadre_channels",
)
#: The files a run writes (figures as PNG; more formats with ``formats``).
RESULT_FILES = (
    SUMMARY_JSON,
    RUN_TIMESERIES,
    RUN_VILLAGES,
    *(f"{name}.png" for name in FIGURES),
    SCENARIO_TOML,
    "geometry/villages.geojson",
    "geometry/townships.geojson",
    "geometry/merged_villages.geojson",
    "geometry/new_townships.geojson",
    README,
    "geometry/seats.geojson",
    "geometry/service_points.geojson",
)


def simulate(
    scenario: Scenario,
    *,
    scale: float | None = None,
    seed: int | None = None,
    progress: bool | None = False,
    county: County | None = None,
    plan: Plan | None = None,
) -> MergerModel:
    """Build and run the model of ``scenario`` (optionally at another scale or seed).

    Args:
        scenario: A validated scenario.
        scale: Overrides ``villagers.scale``.
        seed: Overrides ``seed`` — the run's behaviour; the county and plan stay those of
            the scenario's seed, as in a sweep's replicates (set ``county.seed`` to change them).
        progress: Weekly progress on stderr: True a bar, None a bar on a terminal and log
            lines elsewhere, False nothing (:class:`~mergesim.progress.Progress`).
        county, plan: The scenario's county and plan when already built (a sweep worker's
            cache, :mod:`mergesim.sweep.geocache`); default: built here.
    """
    overrides: dict[str, Any] = {}
    if scale is not None:
        overrides["villagers.scale"] = scale
    if seed is not None:
        apply_dotted(scenario, {"seed": seed})  # validates it (one line naming the key)
    # rng=None is refused (mesa.batch_run's "no seed"): leave it out for the scenario's seed.
    seeded = {} if seed is None else {"rng": seed}
    model = MergerModel(apply_dotted(scenario, overrides), county=county, plan=plan, **seeded)
    if progress is False:
        return model.run()
    bar: Progress | None = None

    def show(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = Progress(total, enabled=progress, unit="weeks", desc=scenario.name)
        bar.update(done - bar.done)

    try:
        return model.run(progress=show)
    finally:
        if bar is not None:
            bar.close()


def timeseries_csv(model: MergerModel) -> str:
    """The weekly history as CSV text (empty cells for missing values)."""
    hist = model.tracker.history
    buf = io.StringIO()
    if not hist:
        return ""
    w = csv.DictWriter(buf, fieldnames=list(hist[0]), lineterminator="\n")
    w.writeheader()
    for row in hist:
        w.writerow(
            {
                k: ("" if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in row.items()
            }
        )
    return buf.getvalue()


#: Columns of ``villages.csv`` (the GeoJSON ``villages`` layer carries the same keys).
VILLAGE_COLUMNS = (
    "village_index",
    "village_id",
    "village_name",
    "township_index",
    "township_name",
    "new_village_index",
    "new_village_name",
    "new_township_index",
    "new_township_name",
    "new_village_seat",
    "new_township_seat",
    "village_role",
    "township_role",
    "township_seat",
    "villagers",
    "burden_pre",
    "burden_post",
    "burden_change",
    "access_pre",
    "access_now",
    "access_change",
)
#: The run's outcome columns of ``villages.csv``, also written into ``villages.geojson``.
OUTCOME_COLUMNS = VILLAGE_COLUMNS[VILLAGE_COLUMNS.index("villagers") :]


def village_table(model: MergerModel) -> dict[str, list[Any]]:
    """Per-village roles and travel burden, one list per column (:data:`VILLAGE_COLUMNS`).

    Join keys as in ``plan.csv`` and the GeoJSON: ``*_index`` are mergesim's 0-based unit
    indices (``new_village_index``, ``new_township_index``: the ``index`` of the GeoJSON's
    merged villages and new townships), ``village_id`` the data file's id, ``*_name`` display
    names. ``new_village_seat`` / ``new_township_seat``: the village is the seat of its new
    village / township; ``township_seat``: it was its old township's seat. ``burden_*``:
    realised round-trip minutes per villager a week in the pre and post windows (all trips,
    including turned-away ones); ``access_*``: expected minutes of the pre-reform and the
    current (end-of-run) configuration, first trips only. Undefined values (a village without
    villagers at this scale) are NaN.
    """
    c, u, tr, v, plan = model.county, model.units, model.tracker, model.villagers, model.plan
    pre, post = tr.village_burden("pre"), tr.village_burden("post")
    a_pre = tr.village_access(v.access_ref, v.village)
    a_now = tr.village_access(v.access_now, v.village)
    n = c.n_villages
    vseat = np.zeros(n, dtype=bool)
    vseat[u.new_village_seat] = True
    tseat = np.zeros(n, dtype=bool)
    tseat[u.new_township_seat] = True
    return {
        "village_index": list(range(n)),
        "village_id": c.village_id.tolist(),
        "village_name": c.village_name.tolist(),
        "township_index": c.township.tolist(),
        "township_name": c.township_name[c.township].tolist(),
        "new_village_index": u.new_village.tolist(),
        "new_village_name": plan.new_village_name[u.new_village].tolist(),
        "new_township_index": u.township_after.tolist(),
        "new_township_name": plan.new_township_name[u.township_after].tolist(),
        "new_village_seat": vseat.tolist(),
        "new_township_seat": tseat.tolist(),
        "village_role": [Role(r).name.lower() for r in u.village_role],
        "township_role": [Role(u.township_role[t]).name.lower() for t in c.township],
        "township_seat": u.old_seat.tolist(),
        "villagers": [int(x) for x in tr.village_pop],
        "burden_pre": pre.tolist(),
        "burden_post": post.tolist(),
        "burden_change": (post - pre).tolist(),
        "access_pre": a_pre.tolist(),
        "access_now": a_now.tolist(),
        "access_change": (a_now - a_pre).tolist(),
    }


def villages_csv(model: MergerModel, table: dict[str, list[Any]] | None = None) -> str:
    """:func:`village_table` as CSV text (empty cells where undefined, 4 decimals; flags 0/1,
    as in ``plan.csv``)."""
    table = village_table(model) if table is None else table
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(VILLAGE_COLUMNS)
    for row in zip(*(table[k] for k in VILLAGE_COLUMNS), strict=True):
        w.writerow(
            [
                int(x)
                if isinstance(x, bool)
                else ("" if not math.isfinite(x) else f"{x:.4f}")
                if isinstance(x, float)
                else x
                for x in row
            ]
        )
    return buf.getvalue()


def run_figures(
    history: Sequence[dict[str, Any]],
    timeline: dict[str, Any],
    villages: Layer,
    change: np.ndarray,
    township_after: np.ndarray,
    seats: np.ndarray,
    cadres: dict[str, Any],
) -> dict[str, Figure]:
    """The figures of a run (:data:`FIGURES`), from its weekly history, its summary's timeline
    and cadres, the villages layer, the change in expected travel per village and the new
    townships and their seats."""
    reform, end = int(timeline["reform_week"]), int(timeline["transition_end"])
    stab = stability_data(history, reform, end)
    return {
        "travel_coverage": plot_travel_and_coverage(weekly_data(history, reform, end)),
        "travel_change_map": plot_travel_change_map(
            travel_change_data(villages, change, township=township_after, seats=seats)
        ),
        "stability": plot_stability(stab),
        "petition_pipeline": plot_pipeline(stab),
        "cadre_channels": plot_channels(channel_data(cadres or {})),
    }


def figures_from_folder(folder: str | Path) -> dict[str, Figure]:
    """A run folder's figures, redrawn from its stored files (``mergesim plot``).

    Raises:
        UserError: A file the figures need is missing (one line).
    """
    folder = Path(folder)
    summary = read_summary(folder)
    layer = read_geometry(geometry_dir(folder))
    if layer is None or not (folder / RUN_TIMESERIES).is_file():
        raise UserError(
            "cannot redraw: the run folder lacks timeseries.csv or geometry/villages.geojson",
            source=str(folder),
        )
    ts = read_table(folder / RUN_TIMESERIES, pd.read_csv)
    history = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in ts.to_dict("records")
    ]
    vil = need_columns(
        read_table(folder / RUN_VILLAGES, pd.read_csv), ["village_index"], folder / RUN_VILLAGES
    ).sort_values("village_index")
    return run_figures(
        history,
        summary["timeline"],
        layer,
        vil["access_change"].to_numpy(dtype=float),
        vil["new_township_index"].to_numpy(dtype=np.int64),
        np.flatnonzero(vil["new_township_seat"].to_numpy(dtype=bool)),
        summary.get("cadres") or {},
    )


def save_run_figures(
    figures: dict[str, Figure], folder: str | Path, formats: Sequence[str] = ("png",)
) -> list[Path]:
    """Save a run's figures as ``folder/<name>.<fmt>``; return the files."""
    return [
        save_figure(fig, Path(folder) / f"{name}.{fmt}")
        for name, fig in figures.items()
        for fmt in formats
    ]


def service_points(points: ServicePoints) -> dict[str, list[Any]]:
    """Service points as columns for the GeoJSON ``service_points`` layer: kind, status,
    village and staff before the reform (``*_before``) and in the run's last configuration
    (``*_after``; a plan folder: the reform's configuration, staff not sized)."""
    out = {
        "kind_before": [KIND_NAMES[k] for k in points.base_kind],
        "status_before": [STATUS_NAMES[k] for k in points.base_status],
        "village_before": points.base_village.tolist(),
        "kind_after": [KIND_NAMES[k] for k in points.kind],
        "status_after": [STATUS_NAMES[k] for k in points.status],
        "village_after": points.village.tolist(),
    }
    if len(points.base_staff) == points.n:
        out["staff_before"] = points.base_staff.tolist()
        out["staff_after"] = points.staff.tolist()
    return out


def planned_points(scenario: Scenario, county: County, plan: Plan) -> dict[str, list[Any]]:
    """The service points of a plan before and after the reform (no run: staff not sized),
    as :func:`service_points` columns."""
    units = UnitStatus.from_plan(county, plan)
    pts = layout(county, units, scenario.services)
    configure(
        pts,
        county,
        units,
        scenario.services,
        reformed=True,
        duty_on=True,
        transfer=scenario.services.transfer_staff and scenario.guarantees.staffing_kept,
    )
    cols = service_points(pts)
    cols.pop("staff_before", None)
    cols.pop("staff_after", None)
    return cols


def write_results(
    model: MergerModel,
    out_dir: str | Path,
    *,
    plots: bool = True,
    formats: Sequence[str] = ("png",),
) -> dict[str, Any]:
    """Write every result file of a finished run into ``out_dir``; return the summary.

    Everything is computed (figures included) before the first file is written.

    Args:
        model: The finished model.
        out_dir: The folder.
        plots: Draw the figures (about two thirds of a small run's time; ``--no-plots``).
        formats: Image formats of the figures.
    """
    out = Path(out_dir)
    summary = model.summary()
    tr, v = model.tracker, model.villagers
    villages = village_table(model)
    geometry = geometry_collections(
        model.county,
        model.plan,
        outcomes={k: villages[k] for k in OUTCOME_COLUMNS},
        points=service_points(model.services.points),
    )
    figs: dict[str, Figure] = {}
    if plots:
        t0 = time.perf_counter()
        log.info("drawing %d figures", len(FIGURES))
        change = tr.village_access(v.access_now, v.village) - tr.village_access(
            v.access_ref, v.village
        )
        figs = run_figures(
            tr.history,
            summary["timeline"],
            layer_from_dict(geometry["villages"]),
            change,
            model.units.township_after,
            model.units.new_township_seat,
            summary["cadres"],
        )
        log.debug("figures drawn in %.1f s", time.perf_counter() - t0)
    tables = {RUN_TIMESERIES: timeseries_csv(model), RUN_VILLAGES: villages_csv(model, villages)}
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / SUMMARY_JSON, summary)
    for name, text in tables.items():
        atomic_write_text(out / name, text)
    write_collections(geometry_dir(out), geometry)
    save_run_figures(figs, out, formats)
    note = inherited_note(model.config)
    dump_scenario(model.config, out / SCENARIO_TOML, notes=[note] if note else ())
    write_readme(out, "run", f"Run of the scenario '{model.config.name}'")
    return summary


def run_scenario(
    scenario: Scenario | str | Path,
    out_dir: str | Path,
    *,
    scale: float | None = None,
    seed: int | None = None,
    progress: bool | None = True,
    plots: bool = True,
    formats: Sequence[str] = ("png",),
) -> dict[str, Any]:
    """Run one simulation and write its results (see the module docstring).

    Args:
        scenario: A validated scenario, or the path of a scenario file.
        out_dir: Output folder (created if missing).
        scale: Overrides ``villagers.scale`` (e.g. 0.1 for a quick run).
        seed: Overrides the scenario's root seed.
        progress: Weekly progress (see :func:`simulate`).
        plots: Draw the figures.
        formats: Image formats of the figures.

    Returns:
        The summary dict (as written to ``summary.json``).

    Raises:
        mergesim.errors.UserError: A bad scenario file, override or data file (one line).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = simulate(scenario, scale=scale, seed=seed, progress=progress)
    return write_results(model, out_dir, plots=plots, formats=formats)
