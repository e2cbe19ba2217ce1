"""The results-folder format: what runs, plans and sweeps store, and how it is read back.

The one module that knows the files: :mod:`mergesim.run` and ``mergesim plan`` write through
it, :mod:`mergesim.sweep` writes and :mod:`mergesim.report` reads through it, so neither of
those two needs the other. Every file is written atomically (:mod:`mergesim.io`).

Geometry — the county stored once per folder (``mergesim plan``, ``mergesim run``) or once per
distinct county (a sweep: ``geometry/<county key>/``, since replicates share the geography)::

    geometry/villages.geojson         village territories (+ the plan's units and roles)
    geometry/townships.geojson        old townships, dissolved
    geometry/merged_villages.geojson  new villages, dissolved (under a plan)
    geometry/new_townships.geojson    new townships, dissolved (under a plan)

(format: :mod:`mergesim.county.export`; joined to the tables by the village ``index``).

A sweep's tables::

    runs/<id>/timeseries.csv.gz   one run's weekly metrics
    runs/<id>/villages.csv.gz     one run's per-village table (the columns of ``mergesim
                                  run``'s villages.csv)
    runs.csv, runs.parquet        the tidy runs table: one row per run
    timeseries.parquet            weekly metrics of every finished run (timeseries.csv.gz
                                  without pyarrow)
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mergesim.config import scenario_to_dict
from mergesim.config.schema import Scenario
from mergesim.county import export, resolve_path
from mergesim.county.county import County
from mergesim.errors import UserError
from mergesim.io import atomic_path, atomic_write_bytes, atomic_write_json, finite_cells
from mergesim.plans.plan import Plan
from mergesim.plans.roles import Role, UnitStatus
from mergesim.results.folders import (
    folder_kind,
    read_summary,
    read_table,
    run_folder_runs,
    run_folder_timeseries,
    summary_columns,
)
from mergesim.results.layout import (
    MANIFEST,
    RUNS_CSV,
    RUNS_DIR,
    RUNS_PARQUET,
    TIMESERIES_CSV_GZ,
    TIMESERIES_PARQUET,
    write_readme,
)

__all__ = [
    "COUNTY_SECTIONS",
    "GEOMETRY_DIR",
    "TIMESERIES_FILE",
    "TIMESERIES_TAGS",
    "VILLAGES_FILE",
    "FactorInfo",
    "ScenarioInfo",
    "Study",
    "county_key",
    "folder_kind",
    "geometry_collections",
    "geometry_dir",
    "has_pyarrow",
    "read_geometry",
    "read_manifest",
    "read_run_timeseries",
    "read_runs",
    "read_summary",
    "read_table",
    "read_timeseries",
    "read_villages",
    "run_dir",
    "summary_columns",
    "tag_timeseries",
    "write_collections",
    "write_geometry",
    "write_readme",
    "write_run_tables",
    "write_runs_table",
    "write_timeseries_table",
]

#: Folder of the stored geometry inside a results folder.
GEOMETRY_DIR = "geometry"
#: A run's weekly metrics and per-village table, under ``runs/<id>/`` of a sweep.
TIMESERIES_FILE = "timeseries.csv.gz"
VILLAGES_FILE = "villages.csv.gz"
#: Old name → current name of per-village columns (results folders of earlier versions).
LEGACY_VILLAGE_COLUMNS = {
    "village": "village_index",
    "name": "village_name",
    "township": "township_index",
    "new_village": "new_village_index",
    "new_township": "new_township_index",
    "old_seat": "township_seat",
}
#: Columns of the combined weekly table before the metrics.
TIMESERIES_TAGS = ("run_id", "scenario", "point", "replicate")
#: Scenario sections that decide the county (with the geography seed and the data files).
COUNTY_SECTIONS = ("county", "terrain", "border", "heritage", "roads")


# -- what a sweep studied ---------------------------------------------------------------------


@dataclass(frozen=True)
class FactorInfo:
    """A factor as the report shows it.

    Attributes:
        key: Dotted scenario key (a runs-table column).
        label: Short name for tables and figures.
        unit: Unit of the key, from the schema.
        levels: The levels or range in words, e.g. ``"1.5, 2, 3"`` or ``"[0.1, 1] log"``.
        range: ``(low, high)`` of a numeric factor sampled over a range, else None.
    """

    key: str
    label: str
    unit: str
    levels: str
    range: tuple[float, float] | None = None


@dataclass(frozen=True)
class ScenarioInfo:
    """A base scenario of a sweep: its label, its file's name and the keys set on it."""

    label: str
    file: str
    sets: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Study:
    """What a sweep studied, as its report describes it (made by the sweep from its experiment;
    the report reads this, never the experiment file).

    Attributes:
        name, description: The experiment's name and question.
        experiment_file: The experiment file it ran from.
        smoke: The smoke version ran.
        design: Design method (factorial, lhs, sobol, morris).
        replications: Replications per scenario and point.
        seed: Root seed.
        baseline: Label of the baseline scenario.
        metrics: Summary metrics compared (``window.metric``).
        weekly: Weekly metrics drawn as bands.
        formats: Image formats of the figures.
        response: Draw response curves (and, for a factorial, heat maps) over the factors.
        scenarios: The base scenarios, baseline first.
        factors: The swept factors.
        overrides: Scenario keys set on every run.
        min_samples: The documented minimum base sample (Sobol N) or trajectories (Morris r)
            of a sensitivity design (None for other designs).
        discovery: The experiment's ``[discovery]`` settings (scenario discovery with PRIM,
            :class:`mergesim.sweep.discovery.DiscoveryParams` as a dict); empty: none.
    """

    name: str
    description: str
    experiment_file: str
    smoke: bool
    design: str
    replications: int
    seed: int
    baseline: str
    metrics: tuple[str, ...]
    weekly: tuple[str, ...]
    formats: tuple[str, ...]
    response: bool
    scenarios: tuple[ScenarioInfo, ...]
    factors: tuple[FactorInfo, ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)
    min_samples: int | None = None
    discovery: dict[str, Any] = field(default_factory=dict)


# -- geometry ---------------------------------------------------------------------------------


def county_key(scenario: Scenario) -> str:
    """A short name for the county a scenario builds: equal keys, equal counties.

    It hashes the sections that shape the county, the seed its generator draws from
    (``county.seed``, else the scenario's seed) and the resolved data files.
    """
    d = scenario_to_dict(scenario)
    cp = scenario.county
    ident = {k: d[k] for k in COUNTY_SECTIONS}
    ident["geography_seed"] = cp.seed if cp.seed is not None else scenario.seed
    ident["files"] = [
        str(resolve_path(scenario, f).resolve()) if f else None for f in (cp.data, cp.edges)
    ]
    text = json.dumps(ident, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def geometry_dir(root: str | Path, key: str | None = None) -> Path:
    """``root/geometry`` (a plan or run folder), or ``root/geometry/<key>`` (a sweep)."""
    base = Path(root) / GEOMETRY_DIR
    return base / key if key else base


def geometry_collections(
    county: County,
    plan: Plan | None = None,
    *,
    outcomes: dict[str, Any] | None = None,
    points: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The county's (and the plan's) GeoJSON collections, with the old units' roles and outcome
    groups under the plan (:mod:`mergesim.county.export`), a run's per-village ``outcomes``
    and the service ``points`` when given."""
    extra: dict[str, Any] = {}
    if plan is not None:
        status = UnitStatus.from_plan(county, plan)
        extra = {
            "village_role": [Role(r).name.lower() for r in status.village_role],
            "township_role": [Role(r).name.lower() for r in status.township_role],
            "groups": status.group_masks(county),
        }
    return export.collections(county, plan, outcomes=outcomes, points=points, **extra)


def write_collections(folder: str | Path, collections: dict[str, Any]) -> list[Path]:
    """Write GeoJSON collections as ``folder/<name>.geojson``; return the files."""
    return [
        atomic_write_json(Path(folder) / f"{name}.geojson", fc, compact=True)
        for name, fc in collections.items()
    ]


def write_geometry(folder: str | Path, county: County, plan: Plan | None = None) -> list[Path]:
    """Write the county's (and plan's) GeoJSON collections into ``folder``; return the files."""
    return write_collections(folder, geometry_collections(county, plan))


def read_geometry(folder: str | Path, layer: str = "villages") -> export.Layer | None:
    """One stored collection (``villages``, ``townships`` …) of a geometry folder, or None if
    the folder has none (a results folder written before geometry was stored)."""
    path = Path(folder) / f"{layer}.geojson"
    if not path.is_file():
        return None
    # A damaged file is one line; KeyError/TypeError: JSON that is not a feature collection.
    try:
        return read_table(path, export.read_collection)
    except (KeyError, TypeError, IndexError) as err:
        raise UserError(
            f"cannot read this results file (not a feature collection: {err!r})", source=str(path)
        ) from None


# -- one run of a sweep -----------------------------------------------------------------------


def run_dir(root: str | Path, run_id: str) -> Path:
    """The folder of run ``run_id`` in a sweep's results folder."""
    return Path(root) / RUNS_DIR / run_id


def write_run_tables(
    root: str | Path, run_id: str, *, timeseries: str | None, villages: str | None
) -> None:
    """Store a run's weekly CSV and per-village CSV (gzipped; ``None`` or empty: not stored)."""
    d = run_dir(root, run_id)
    for name, text in ((TIMESERIES_FILE, timeseries), (VILLAGES_FILE, villages)):
        if text:
            # mtime=0: the same run gives byte-identical files.
            atomic_write_bytes(d / name, gzip.compress(text.encode("utf-8"), mtime=0))


def read_run_timeseries(root: str | Path, run_id: str) -> pd.DataFrame | None:
    """One run's weekly metrics, or None if it stored none."""
    path = run_dir(root, run_id) / TIMESERIES_FILE
    return read_table(path, pd.read_csv) if path.is_file() else None


def read_villages(
    root: str | Path, run_id: str, columns: list[str] | None = None
) -> pd.DataFrame | None:
    """A run's per-village table, or None if it has none (failed, or written by a run
    function that stores no village table)."""
    path = run_dir(root, run_id) / VILLAGES_FILE
    if not path.is_file():
        return None
    df = read_table(path, pd.read_csv)
    # Folders written before the join keys were named (<unit>_index, <unit>_name) still read.
    df = df.rename(columns={k: v for k, v in LEGACY_VILLAGE_COLUMNS.items() if v not in df})
    return df[columns] if columns is not None else df


# -- tables of a sweep ------------------------------------------------------------------------


def has_pyarrow() -> bool:
    """Whether pyarrow (the optional ``parquet`` extra) is importable."""
    try:
        import pyarrow  # noqa: F401  - optional extra: only probed
    except ImportError:
        return False
    return True


def write_runs_table(root: str | Path, table: pd.DataFrame) -> list[Path]:
    """Write ``runs.csv`` (and ``runs.parquet`` with pyarrow); return the files."""
    files = [Path(root) / RUNS_CSV]
    table = finite_cells(table)
    with atomic_path(files[0]) as tmp:
        table.to_csv(tmp, index=False)
    if has_pyarrow():
        files.append(Path(root) / RUNS_PARQUET)
        with atomic_path(files[-1]) as tmp:
            table.to_parquet(tmp, index=False)
    return files


def write_timeseries_table(root: str | Path, parts: Iterable[pd.DataFrame]) -> Path:
    """Stream the tagged weekly tables of the runs into one long table (bounded memory).

    Args:
        root: The results folder.
        parts: One DataFrame per run, columns :data:`TIMESERIES_TAGS` then the metrics.

    Returns:
        ``timeseries.parquet`` (with pyarrow) or ``timeseries.csv.gz``.
    """
    root = Path(root)
    if has_pyarrow():
        return _write_parquet_stream(root / TIMESERIES_PARQUET, parts)
    dest = root / TIMESERIES_CSV_GZ
    with atomic_path(dest) as tmp, gzip.open(tmp, "wt", encoding="utf-8", newline="") as fh:
        cols = None
        for df in map(finite_cells, parts):
            if cols is None:
                cols = list(df.columns)
                df.to_csv(fh, index=False)
            else:
                df.reindex(columns=cols).to_csv(fh, index=False, header=False)
    return dest


def _write_parquet_stream(dest: Path, parts: Iterable[pd.DataFrame]) -> Path:
    # pyarrow is the optional parquet extra: imported only when it is there.
    import pyarrow as pa
    import pyarrow.parquet as pq

    with atomic_path(dest) as tmp:
        writer = schema = None
        for df in map(finite_cells, parts):
            if schema is None:
                schema = pa.Schema.from_pandas(df, preserve_index=False)
                writer = pq.ParquetWriter(tmp, schema)
            df = df.reindex(columns=schema.names)
            writer.write_table(pa.Table.from_pandas(df, schema=schema, preserve_index=False))
        if writer is None:
            pq.write_table(pa.table({"run_id": pa.array([], pa.string())}), tmp)
        else:
            writer.close()
    return dest


def tag_timeseries(
    df: pd.DataFrame, run_id: str, scenario: str, point: int, replicate: int
) -> pd.DataFrame:
    """A run's weekly table with its tags in front; integer and bool metrics as float, so every
    run's part has one schema (a metric that is NaN in one run and whole in another must not
    change type)."""
    cast = {c: float for c in df.columns if c != "week" and df[c].dtype.kind in "iub"}
    tags = pd.DataFrame(
        {"run_id": run_id, "scenario": scenario, "point": point, "replicate": replicate},
        index=df.index,
    )
    return pd.concat([tags, df.astype(cast)], axis=1)


def read_runs(root: str | Path) -> pd.DataFrame:
    """The runs table of a results folder (Parquet when present, else CSV); a ``mergesim run``
    folder gives a table of its one run (:func:`~mergesim.results.folders.run_folder_runs`).

    Raises:
        UserError: The folder has neither a runs table nor a run summary.
    """
    root = Path(root)
    if (root / RUNS_PARQUET).is_file() and has_pyarrow():
        return read_table(root / RUNS_PARQUET, pd.read_parquet)
    if (root / RUNS_CSV).is_file():
        return read_table(root / RUNS_CSV, pd.read_csv, dtype={"seed": str})
    if folder_kind(root) == "run":
        return run_folder_runs(root)
    raise UserError(
        "not a results folder: no runs table (runs.csv) and no summary.json", source=str(root)
    )


def read_timeseries(root: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The combined weekly table of a results folder (only ``columns`` if given); a
    ``mergesim run`` folder's own weekly table, tagged as a sweep's."""
    root = Path(root)
    if folder_kind(root) == "run":
        return run_folder_timeseries(root, columns)
    base = [*TIMESERIES_TAGS, "week"]
    cols = None if columns is None else list(dict.fromkeys(base + list(columns)))
    if (root / TIMESERIES_PARQUET).is_file() and has_pyarrow():
        # pyarrow is the optional parquet extra (has_pyarrow checked it is there).
        import pyarrow.parquet as pq

        have = read_table(root / TIMESERIES_PARQUET, pq.read_schema).names
        return read_table(
            root / TIMESERIES_PARQUET,
            pd.read_parquet,
            columns=None if cols is None else [c for c in cols if c in have],
        )
    if (root / TIMESERIES_CSV_GZ).is_file():
        df = read_table(
            root / TIMESERIES_CSV_GZ, _csv_or_none, None if cols is None else lambda c: c in cols
        )
        if df is not None:
            return df
    return pd.DataFrame(columns=base)


def _csv_or_none(path: Path, usecols: Any) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path, usecols=usecols)
    except pd.errors.EmptyDataError:  # no run wrote a time series
        return None


def read_manifest(root: str | Path) -> dict[str, Any]:
    """A sweep's ``manifest.json`` (empty if missing or unreadable)."""
    try:
        return json.loads((Path(root) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing or damaged: no manifest (UnicodeDecodeError too)
        return {}
