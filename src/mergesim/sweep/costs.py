"""The dry run: how many runs a sweep has, how long it takes and how much disk it needs.

Time is the runs still to do at the cost of one run, spread over the workers, plus the start of
the worker pool, plus the report (figures × formats × seconds per figure). One run costs the
median of the runs already finished in the folder (wall time measured on this machine, in
parallel with the others) or, before any has, the cost model below, calibrated on measured
runs by ``benchmarks/bench_sweep_cost.py``.

The cost model counts CPU seconds: the estimate holds on idle cores. On a machine that other
programs share, a run gets only a share of a core, so the dry run also gives an upper bound:
the model's seconds times :func:`contention`, the load average plus the sweep's own workers
over the cores. On this project's shared 2-core machine the truth fell in between: a smoke
sweep of ``policy_packages`` (14 runs, 23 figures) was estimated at 0:45 idle to 2:47 at
load 6.7 and took 2:18; one of ``target_factor`` (4 runs, 20 figures), 0:35 to 2:54 at load
9.2, and took 1:21. (An earlier estimate counted neither the load nor the report's figures:
it said 0:28 for a sweep that took 1:34.) Once runs have finished in the folder, their
measured median replaces the model, and while a sweep runs its ETA comes from the measured
pace (:class:`mergesim.progress.Progress`).
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mergesim.sweep.design import RunSpec
from mergesim.sweep.geocache import geography_key
from mergesim.sweep.schema import Experiment

#: Cost model of one run (CPU seconds of :func:`~mergesim.sweep.runner.model_run`):
#: ``SECONDS_BASE + SECONDS_PER_WEEK · weeks + SECONDS_PER_VILLAGER_WEEK · villager-weeks``.
#: Fitted by ``benchmarks/bench_sweep_cost.py`` (least squares over the seed county at scale
#: 0.002 with 18 and 182 weeks, and 0.02, 0.1, 0.25 and 1 with 182 weeks, after one untimed
#: run: a worker's imports and compiled kernels are paid once, in SECONDS_POOL_START; every
#: timed run builds its county and plan, as a province's counties do, though a worker's cache
#: spares most runs of other sweeps that); the
#: base is building the county, the plan, the routing tables and the cadre pool, the weekly
#: term the work that does not grow with villagers (petition loop, metrics). A policy that
#: multiplies trips (closed points) or petitions (guarantees broken) takes longer; once runs
#: have finished, their median is used instead. Runs a worker's cache spares the build are
#: charged SECONDS_BUILD less (:func:`cached_share`).
#: Measured (CPU s, with the compiled kernels of the extra 'fast', on a loaded machine: an
#: upper bound): 1.2 at scale 0.002 and 18 weeks; 4.6, 3.8, 4.8, 6.7 and 15.0 at scale 0.002,
#: 0.02, 0.1, 0.25 and 1 with 182 weeks; the fit is within 0.6 s of each. (Before the step
#: lost its spinning BLAS thread and gained its kernels: 10.8 s at 0.25, about 35 s at 1.)
SECONDS_BASE = 0.90
SECONDS_PER_WEEK = 0.0167
SECONDS_PER_VILLAGER_WEEK = 7.6e-8
#: CPU seconds of building a run's county and plan that a worker's geography cache
#: (mergesim.sweep.geocache) spares the runs after the first of a geography on that worker:
#: measured by the same benchmark, 1.2 s with the build against 0.8 s from the cache (scale
#: 0.002, 18 weeks).
SECONDS_BUILD = 0.4
#: Seconds to start a local pool's workers (forkserver, importing the model): paid once.
SECONDS_POOL_START = 3.0
#: CPU seconds per figure of the report (a sweep's mix of bands, forest plots, maps), measured
#: by the same benchmark on a smoke sweep of ``experiments/policy_packages.toml``: 35 s for 23.
SECONDS_PER_FIGURE = 1.5
#: Figures drawn at most per kind (the report's caps: more groups are not drawn).
MAX_PANEL_GROUPS = 12
#: Scenario label prefixes of a levers experiment, whose report adds one forest figure of the
#: measures' effects per metric (the convention of mergesim.report.levers, which the sweep
#: does not import: the two are sibling layers).
LEVER_PREFIXES = ("seed_minus_", "merger_plus_", "merger_minus_")
#: Stored bytes per run: result.json (~19 kB), the gzipped weekly CSV (~450 B a week) and
#: the gzipped villages CSV (~31 B a village: 32 kB for the seed county's 1,050), then half as
#: much again for the combined tables (runs.csv/parquet, timeseries.parquet).
BYTES_PER_RUN = 19_000
BYTES_PER_WEEK = 450
BYTES_PER_VILLAGE = 31
TABLE_OVERHEAD = 1.5


@dataclass
class Estimate:
    """What a sweep would do (``--dry-run``).

    Attributes:
        total, done, todo: Runs in the design, already finished, still to do.
        workers: Runs at once.
        seconds_per_run: Cost of one run (s): measured, or the cost model on idle cores.
        basis: Where that cost comes from.
        bytes_per_run: Disk per run (B).
        figures: Figures the report will draw (all formats).
        report_seconds: CPU time to draw them (s).
        load, report_load: How many times slower than on idle cores the runs and the report
            would go at the machine's current load (:func:`contention`); 1 for measured runs
            (their times hold the load already).
    """

    total: int
    done: int
    todo: int
    workers: int
    seconds_per_run: float
    basis: str
    bytes_per_run: float
    figures: int = 0
    report_seconds: float = 0.0
    load: float = 1.0
    report_load: float = 1.0
    #: Later stages of the same command (title, estimate), e.g. the robustness stage.
    stages: list[tuple[str, Estimate]] = field(default_factory=list)

    def run_seconds(self, load: float = 1.0) -> float:
        """Wall time of the runs still to do (s), pool start included, at ``load``."""
        if not self.todo:
            return 0.0
        return self.todo * self.seconds_per_run * load / max(self.workers, 1) + SECONDS_POOL_START

    @property
    def wall_seconds(self) -> float:
        """Estimated wall time of the sweep on idle cores: the runs, then the report (s)."""
        return self.run_seconds() + self.report_seconds

    @property
    def command_seconds(self) -> float:
        """Estimated wall time of the whole command on idle cores: this sweep and its later
        stages (s)."""
        return self.wall_seconds + sum(stage.command_seconds for _, stage in self.stages)

    @property
    def loaded_seconds(self) -> float:
        """The same at the machine's current load (an upper bound on a shared machine)."""
        return self.run_seconds(self.load) + self.report_seconds * self.report_load

    def report(self) -> str:
        """The dry-run lines printed by the CLI."""
        from mergesim.progress import hms  # tqdm: loaded by dry runs only

        loaded = ""
        if self.loaded_seconds > 1.2 * self.wall_seconds:
            loaded = f", up to {hms(self.loaded_seconds)} at the machine's current load"
        return (
            (
                f"{self.total} runs in the design: {self.done} already finished, "
                f"{self.todo} to run on {self.workers} workers\n"
                f"estimated time: {hms(self.wall_seconds)}{loaded} — runs "
                f"{hms(self.run_seconds())} (about {self.seconds_per_run:.1f} s per run, "
                f"{self.basis}), report {hms(self.report_seconds)} (about {self.figures} figures)\n"
                f"estimated disk: {self.todo * self.bytes_per_run / 1e6:.1f} MB more "
                f"(about {self.bytes_per_run / 1e3:.0f} kB per run)"
            )
            + "".join(f"\n{title}:\n{stage.report()}" for title, stage in self.stages)
            + (
                f"\nthe whole command, every stage: {hms(self.command_seconds)} on idle cores"
                if self.stages
                else ""
            )
        )


def contention(workers: int) -> float:
    """How many times slower than its CPU time a process runs now: ``(load average over the
    last minute + workers) / cores``, at least 1 (1 where the load is unknown)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on this platform
        return 1.0
    cores = os.cpu_count() or 1
    return max(1.0, (load + workers) / cores)


def cached_share(runs: Sequence[RunSpec], total: int, workers: int) -> float:
    """Share of a sweep's ``total`` runs whose county and plan come from a worker's cache: all
    but one per distinct geography and worker (at worst every worker builds each geography)."""
    if not runs or total <= 0:
        return 0.0
    geographies = len({geography_key(r.scenario) for r in runs})
    return max(0.0, 1.0 - geographies * max(workers, 1) / total)


def run_cost(scenario: Any) -> float:
    """Seconds of one run of ``scenario`` by the cost model."""
    weeks = _weeks(scenario)
    return (
        SECONDS_BASE
        + SECONDS_PER_WEEK * weeks
        + SECONDS_PER_VILLAGER_WEEK * _population(scenario) * weeks
    )


def figure_count(exp: Experiment, groups: int) -> int:
    """Figures the report of ``exp`` draws for ``groups`` design points (all formats)."""
    p = exp.params
    metrics = list(p.metrics)
    weekly = p.plots.timeseries or list(dict.fromkeys(m.partition(".")[2] for m in metrics))
    n = 0
    if groups <= MAX_PANEL_GROUPS:
        n += len(weekly) + 3  # bands; cadre channels, petition pipeline, travel-change maps
    if p.design.method in ("sobol", "morris"):
        n += 2 * len(metrics)  # indices and their convergence
    else:
        n += len(metrics) if groups <= 3 * MAX_PANEL_GROUPS else 0  # forest plots
        if any(s.label.startswith(LEVER_PREFIXES) for s in exp.scenarios):
            n += len(metrics)  # the levers' forest figures
        if p.plots.response:
            n += len(exp.factors) * min(len(metrics), 4)
            if p.design.method == "factorial" and len(exp.factors) >= 2:
                n += min(len(metrics), 4)
    return n * len(p.plots.formats)


def estimate(
    runs: Sequence[RunSpec],
    out: str | Path,
    workers: int | None = None,
    exp: Experiment | None = None,
    copies: int = 1,
) -> Estimate:
    """Count finished runs in ``out`` and estimate time and disk for the rest (see the module
    docstring); with ``exp``, the report's figures too.

    ``copies``: the design holds ``copies`` runs like each of ``runs`` (a dry run of a fresh
    folder plans one replicate and counts the others: replicates differ only in their seed, so
    they cost the same, and planning 100,000 of them would take minutes).
    """
    from mergesim.sweep.store import ResultStore  # pandas: the running half

    store = ResultStore(out)
    done, secs, sizes = 0, [], []
    for r in runs:
        rec = store.read_record(r.id)
        if rec is not None and rec.get("status") == "ok":
            done += 1
            secs.append(float(rec.get("seconds") or 0.0))
            if len(sizes) < 20:
                sizes.append(sum(p.stat().st_size for p in store.run_dir(r.id).iterdir()))
    n_workers = workers or os.cpu_count() or 1
    load = 1.0
    if secs:
        per, basis = statistics.median(secs), f"median of {len(secs)} finished runs"
    else:
        costs = [run_cost(r.scenario) for r in runs[:: max(len(runs) // 50, 1)]]
        per = statistics.mean(costs) if costs else 0.0
        per -= cached_share(runs, len(runs) * copies, n_workers) * SECONDS_BUILD
        basis = "cost model calibrated on measured runs"
        load = contention(min(n_workers, len(runs) * copies - done))
    if sizes:
        size = TABLE_OVERHEAD * statistics.mean(sizes)
    else:
        first = runs[0].scenario if runs else None
        size = TABLE_OVERHEAD * (
            BYTES_PER_RUN + BYTES_PER_WEEK * _weeks(first) + BYTES_PER_VILLAGE * _villages(first)
        )
    figures = figure_count(exp, len({(r.label, r.point) for r in runs})) if exp else 0
    return Estimate(
        len(runs) * copies,
        done,
        len(runs) * copies - done,
        n_workers,
        per,
        basis,
        size,
        figures,
        figures * SECONDS_PER_FIGURE,
        load,
        contention(1),
    )


def _villages(s: Any) -> int:
    """Villages of a synthetic county (a data file's count is not known before loading it;
    its villages file is small next to the rest)."""
    try:
        return int(s.county.villages) if s.county.source == "synthetic" else 0
    except AttributeError:
        return 0


def _weeks(s: Any) -> int:
    try:
        return int(s.timeline.warmup_weeks + s.timeline.horizon_weeks)
    except AttributeError:
        return 0


def _population(s: Any) -> float:
    """Villagers simulated."""
    try:
        return float(s.county.population * s.villagers.scale)
    except AttributeError:
        return 0.0
