"""Run one simulation and write its results: ``mergesim run SCENARIO``.

:func:`run_scenario` builds the county, the plan and the model, runs every week, and writes
into ``out_dir`` — each file atomically (temporary file + ``os.replace``), and only after the
run finished, so a failed run leaves no half-written result:

* ``summary.json`` — :meth:`MergerModel.summary`: run facts and each metric per window;
* ``timeseries.csv`` — one row per week: ``week, phase, window`` and every metric;
* ``villages.csv`` — per village: old-unit roles and travel burden before and after;
* ``geometry/*.geojson`` — the county and its plan as GeoJSON (villages, townships, merged
  villages, new townships; :mod:`mergesim.results`), joined to ``villages.csv`` by ``village``;
* ``travel_coverage.png`` — weekly travel and coverage, reform week marked;
* ``travel_change_map.png`` — map of the change in expected travel burden per village (the
  access of the end-of-run configuration minus the pre-reform one; the realised burden, noisy
  at small scales, is in ``villages.csv``), with the new townships' boundaries and seats;
* ``stability.png`` — weekly petitions (per 10,000 a year) and grievance, reform week marked;
* ``petition_pipeline.png`` — open petitions per stage of the six-step loop, week by week;
* ``cadre_channels.png`` — where the cadres not kept went, and posts before/after;
* ``scenario.toml`` — the resolved scenario (every parameter).

Sweeps reuse :func:`simulate` (model only), :func:`timeseries_csv` and :func:`villages_csv`.
"""

from __future__ import annotations

import csv
import io
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from mergesim.config import dump_scenario, load_scenario
from mergesim.config.schema import Scenario
from mergesim.county.export import layer_from_dict
from mergesim.io import atomic_write_json, atomic_write_text
from mergesim.model.model import MergerModel, apply_dotted
from mergesim.plans.roles import Role
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
from mergesim.results import geometry_collections, geometry_dir, write_collections

RESULT_FILES = (
    "summary.json",
    "timeseries.csv",
    "villages.csv",
    "travel_coverage.png",
    "travel_change_map.png",
    "stability.png",
    "petition_pipeline.png",
    "cadre_channels.png",
    "scenario.toml",
    "geometry/villages.geojson",
    "geometry/townships.geojson",
    "geometry/merged_villages.geojson",
    "geometry/new_townships.geojson",
)


def _progress_printer(enabled: bool):
    """A progress callback writing to stderr, or None when disabled or stderr is not a TTY."""
    if not (enabled and sys.stderr.isatty()):
        return None
    t0 = time.perf_counter()

    def show(done: int, total: int) -> None:
        if done == total or done % 5 == 0:
            sys.stderr.write(f"\rweek {done}/{total}  {time.perf_counter() - t0:5.1f} s")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def simulate(
    scenario: Scenario,
    *,
    scale: float | None = None,
    seed: int | None = None,
    progress: bool = False,
) -> MergerModel:
    """Build and run the model of ``scenario`` (optionally at another scale or seed).

    Args:
        scenario: A validated scenario.
        scale: Overrides ``villagers.scale``.
        seed: Overrides ``seed`` — the run's behaviour; the county and plan stay those of
            the scenario's seed, as in a sweep's replicates (set ``county.seed`` to change them).
        progress: Show progress on stderr (only when stderr is a terminal).
    """
    overrides: dict[str, Any] = {}
    if scale is not None:
        overrides["villagers.scale"] = scale
    if seed is not None:
        apply_dotted(scenario, {"seed": seed})  # validates it (one line naming the key)
    # rng=None is refused (mesa.batch_run's "no seed"): leave it out for the scenario's seed.
    seeded = {} if seed is None else {"rng": seed}
    model = MergerModel(apply_dotted(scenario, overrides), **seeded)
    return model.run(progress=_progress_printer(progress))


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


def villages_csv(model: MergerModel) -> str:
    """Per-village roles and travel burden as CSV text.

    ``new_village``, ``new_township``: indices of the units after the plan (the ``index`` of
    the GeoJSON's merged villages and new townships); ``new_township_seat``: the village is
    its new township's seat. ``burden_*``: realised round-trip minutes per villager a week in
    the pre and post windows (all trips, including turned-away ones); ``access_*``: expected
    minutes of the pre-reform and the current (end-of-run) configuration, first trips only.
    """
    c, u, tr, v = model.county, model.units, model.tracker, model.villagers
    pre, post = tr.village_burden("pre"), tr.village_burden("post")
    a_pre = tr.village_access(v.access_ref, v.village)
    a_now = tr.village_access(v.access_now, v.village)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    new_seat = np.zeros(c.n_villages, dtype=bool)
    new_seat[u.new_township_seat] = True
    w.writerow(
        [
            "village",
            "village_id",
            "name",
            "township",
            "new_village",
            "new_township",
            "new_township_seat",
            "village_role",
            "township_role",
            "old_seat",
            "villagers",
            "burden_pre",
            "burden_post",
            "burden_change",
            "access_pre",
            "access_now",
            "access_change",
        ]
    )
    for i in range(c.n_villages):
        vals = [pre[i], post[i], post[i] - pre[i], a_pre[i], a_now[i], a_now[i] - a_pre[i]]
        w.writerow(
            [
                i,
                int(c.village_id[i]),
                c.village_name[i],
                int(c.township[i]),
                int(u.new_village[i]),
                int(u.township_after[i]),
                bool(new_seat[i]),
                Role(u.village_role[i]).name.lower(),
                Role(u.township_role[c.township[i]]).name.lower(),
                bool(u.old_seat[i]),
                int(tr.village_pop[i]),
                *("" if not math.isfinite(x) else f"{x:.4f}" for x in vals),
            ]
        )
    return buf.getvalue()


def write_results(model: MergerModel, out_dir: str | Path) -> dict[str, Any]:
    """Write every result file of a finished run into ``out_dir``; return the summary.

    Everything is computed (figures included) before the first file is written.
    """
    out = Path(out_dir)
    summary = model.summary()
    tl, tr, v = model.timeline, model.tracker, model.villagers
    geometry = geometry_collections(model.county, model.plan)
    change = tr.village_access(v.access_now, v.village) - tr.village_access(v.access_ref, v.village)
    stab = stability_data(tr.history, tl.reform_week, tl.transition_end)
    figs = {
        "travel_coverage.png": plot_travel_and_coverage(
            weekly_data(tr.history, tl.reform_week, tl.transition_end)
        ),
        "travel_change_map.png": plot_travel_change_map(
            travel_change_data(
                layer_from_dict(geometry["villages"]),
                change,
                township=model.units.township_after,
                seats=model.units.new_township_seat,
            )
        ),
        "stability.png": plot_stability(stab),
        "petition_pipeline.png": plot_pipeline(stab),
        "cadre_channels.png": plot_channels(channel_data(summary["cadres"])),
    }
    tables = {"timeseries.csv": timeseries_csv(model), "villages.csv": villages_csv(model)}
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(out / "summary.json", summary)
    for name, text in tables.items():
        atomic_write_text(out / name, text)
    write_collections(geometry_dir(out), geometry)
    for name, fig in figs.items():
        save_figure(fig, out / name)
    dump_scenario(model.config, out / "scenario.toml")
    return summary


def run_scenario(
    scenario: Scenario | str | Path,
    out_dir: str | Path,
    *,
    scale: float | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run one simulation and write its results (see the module docstring).

    Args:
        scenario: A validated scenario, or the path of a scenario file.
        out_dir: Output folder (created if missing).
        scale: Overrides ``villagers.scale`` (e.g. 0.1 for a quick run).
        seed: Overrides the scenario's root seed.
        progress: Show weekly progress on stderr when stderr is a terminal.

    Returns:
        The summary dict (as written to ``summary.json``).

    Raises:
        mergesim.errors.UserError: A bad scenario file, override or data file (one line).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = simulate(scenario, scale=scale, seed=seed, progress=progress)
    return write_results(model, out_dir)
