"""The results folder of a sweep: one file set per run as it finishes, tables at the end.

Layout of ``results/<name>/``::

    experiment.toml          the experiment as resolved (defaults filled in, smoke applied)
    scenarios/<label>.toml   each base scenario as resolved (every parameter)
    manifest.json            versions, git commit, root seed, command, per-run status/time/error
    runs/<id>/result.json    one run: scenario label, point, replicate, seed, status, seconds,
                             error, and its summary (the source of truth for --resume)
    runs/<id>/timeseries.csv.gz   its weekly metrics
    runs/<id>/villages.csv.gz     per village: roles, travel burden and access before and
                                  after the reform (the columns of ``mergesim run``'s
                                  villages.csv)
    runs.csv, runs.parquet   the tidy runs table: one row per run of the current design
    timeseries.parquet       weekly metrics of every finished run (timeseries.csv.gz without
                             pyarrow)

Every file is written atomically (temporary file in the same folder + ``os.replace``): a
reader, or a sweep killed at any instant, sees each file complete or absent. A lock file stops
two sweeps from writing one folder at once.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mergesim.errors import UserError
from mergesim.io import atomic_write_json, atomic_write_text
from mergesim.sweep.design import RunSpec, git_commit
from mergesim.sweep.experiment import Experiment, scenario_entry

#: Per-village file of a run, under ``runs/<id>/``.
VILLAGES_FILE = "villages.csv.gz"

#: Columns of the runs table before the factors and metrics.
RUN_COLUMNS = ("run_id", "scenario", "point", "replicate", "seed", "status", "seconds", "error")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed onto ``path`` when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; match a plain open()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the umask can only be read by setting it; restore it at once
    os.umask(mask)
    return mask


def versions() -> dict[str, str | None]:
    """Versions of mergesim, Python and the libraries that shape results."""
    from importlib.metadata import PackageNotFoundError, version

    from mergesim import __version__

    out: dict[str, str | None] = {"mergesim": __version__, "python": platform.python_version()}
    for name in ("mesa", "numpy", "scipy", "pandas", "salib", "distributed", "pyarrow"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


class ResultStore:
    """Reads and writes one sweep's results folder.

    Args:
        root: The folder (``results/<name>``); created when the sweep starts.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.runs_dir = self.root / "runs"

    # -- locking ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's lock (released on exit, and by the OS if the process dies)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the whole block
        try:
            try:
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # pragma: no cover - not POSIX: no locking
                pass
            except OSError:
                raise UserError("another sweep is writing to this folder; wait for it or "
                                "choose another --out", source=str(self.root)) from None
            self.clean_temp()
            yield
        finally:
            fh.close()

    def clean_temp(self) -> int:
        """Remove temporary files left by a process killed mid-write; return how many."""
        n = 0
        for pattern in (".*.tmp", "runs/*/.*.tmp", "scenarios/.*.tmp", "figures/.*.tmp"):
            for p in self.root.glob(pattern):
                p.unlink(missing_ok=True)
                n += 1
        return n

    # -- set-up ----------------------------------------------------------------------------

    def write_setup(self, exp: Experiment) -> None:
        """Write the resolved experiment and its base scenarios."""
        from mergesim.config import dump_scenario, load_scenario

        entries = []
        for ref in exp.scenarios:
            dest = self.root / "scenarios" / f"{ref.label}.toml"
            dump_scenario(load_scenario(ref.path), dest)
            entries.append(ref)
        atomic_write_text(self.root / "experiment.toml", experiment_toml(exp, self.root))

    # -- runs ------------------------------------------------------------------------------

    def run_dir(self, rid: str) -> Path:
        """The folder of run ``rid``."""
        return self.runs_dir / rid

    def read_record(self, rid: str) -> dict[str, Any] | None:
        """The stored record of run ``rid``, or None if it never finished."""
        try:
            return json.loads((self.run_dir(rid) / "result.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            # A half-written file cannot exist (atomic writes); a corrupt one is re-run. A path
            # through a regular file holds no record (writing there fails, with one line).
            return None

    def write_record(self, spec: RunSpec, outcome: dict[str, Any]) -> dict[str, Any]:
        """Write a finished run (ok or failed): time series first, then ``result.json``.

        ``result.json`` is written last, so its presence means the run's files are complete.
        Returns the record as stored (without the time series).
        """
        d = self.run_dir(spec.id)
        ts = outcome.get("timeseries")
        if ts:
            atomic_write_bytes(d / "timeseries.csv.gz", gzip.compress(ts.encode("utf-8"),
                                                                     mtime=0))
        villages = outcome.get("villages")
        if villages:
            atomic_write_bytes(d / VILLAGES_FILE, gzip.compress(villages.encode("utf-8"),
                                                               mtime=0))
        record = {"run_id": spec.id, "scenario": spec.label, "point": spec.point,
                  "replicate": spec.replicate, "seed": spec.seed, "values": spec.values,
                  "status": outcome["status"], "seconds": outcome["seconds"],
                  "error": outcome.get("error"), "traceback": outcome.get("traceback"),
                  "host": outcome.get("host"), "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
                  "summary": outcome.get("summary")}
        atomic_write_json(d / "result.json", record)
        return record

    def write_manifest(self, exp: Experiment, runs: list[RunSpec],
                       status: dict[str, dict[str, Any]], *, command: str,
                       started: str, state: str) -> None:
        """Write ``manifest.json`` (versions, seed, command and per-run status)."""
        counts: dict[str, int] = {}
        per_run = {}
        for r in runs:
            s = status.get(r.id, {"status": "pending"})
            counts[s["status"]] = counts.get(s["status"], 0) + 1
            per_run[r.id] = {"scenario": r.label, "point": r.point, "replicate": r.replicate,
                             "seed": r.seed, "status": s["status"],
                             "seconds": s.get("seconds"), "error": s.get("error")}
        atomic_write_json(self.root / "manifest.json", {
            "experiment": exp.name, "description": exp.params.description,
            "experiment_file": str(exp.path), "smoke": exp.smoke, "command": command,
            "root_seed": exp.params.seed, "design": exp.params.design.method,
            "replications": exp.params.replications, "baseline": exp.baseline,
            "factors": [f.key for f in exp.factors], "metrics": exp.params.metrics,
            "versions": versions(), "git_commit": git_commit(), "platform": platform.platform(),
            "started": started, "updated": time.strftime("%Y-%m-%dT%H:%M:%S"), "state": state,
            "counts": counts, "runs": per_run,
        })

    # -- tables ----------------------------------------------------------------------------

    def runs_table(self, runs: list[RunSpec], factor_keys: list[str]):
        """The tidy runs table (pandas DataFrame): one row per planned run, in plan order."""
        import pandas as pd

        rows = []
        for r in runs:
            rec = self.read_record(r.id) or {}
            row: dict[str, Any] = {"run_id": r.id, "scenario": r.label, "point": r.point,
                                   "replicate": r.replicate, "seed": str(r.seed),
                                   "status": rec.get("status", "pending"),
                                   "seconds": rec.get("seconds"), "error": rec.get("error")}
            row.update({k: r.values.get(k) for k in factor_keys})
            for k, v in flatten_summary(rec.get("summary") or {}).items():
                if k not in row:
                    row[k] = v
            rows.append(row)
        # Seeds are 63-bit: kept as text so CSV readers and Parquet never round them.
        return pd.DataFrame(rows)

    def write_tables(self, runs: list[RunSpec], factor_keys: list[str]) -> list[Path]:
        """Write runs.csv (+ runs.parquet) and the combined weekly time series."""
        df = self.runs_table(runs, factor_keys)
        files = [self.root / "runs.csv"]
        with atomic_path(files[0]) as tmp:
            df.to_csv(tmp, index=False)
        if has_pyarrow():
            files.append(self.root / "runs.parquet")
            with atomic_path(files[-1]) as tmp:
                df.to_parquet(tmp, index=False)
        ok_ids = set(df.loc[df["status"] == "ok", "run_id"]) if len(df) else set()
        files.append(self.write_timeseries([r for r in runs if r.id in ok_ids]))
        return files

    def read_run_timeseries(self, rid: str):
        """One run's weekly metrics as a DataFrame, or None."""
        import pandas as pd

        p = self.run_dir(rid) / "timeseries.csv.gz"
        if not p.is_file():
            return None
        return pd.read_csv(p)

    def write_timeseries(self, runs: list[RunSpec]) -> Path:
        """Stream every run's weekly metrics into one long table, run by run (bounded memory)."""
        if has_pyarrow():
            import pyarrow as pa
            import pyarrow.parquet as pq

            dest = self.root / "timeseries.parquet"
            with atomic_path(dest) as tmp:
                writer = None
                schema = None
                for r in runs:
                    df = self._tagged(r)
                    if df is None:
                        continue
                    if schema is None:
                        schema = pa.Schema.from_pandas(df, preserve_index=False)
                        writer = pq.ParquetWriter(tmp, schema)
                    df = df.reindex(columns=schema.names)
                    writer.write_table(pa.Table.from_pandas(df, schema=schema,
                                                            preserve_index=False))
                if writer is None:
                    pq.write_table(pa.table({"run_id": pa.array([], pa.string())}), tmp)
                else:
                    writer.close()
            return dest
        dest = self.root / "timeseries.csv.gz"
        with atomic_path(dest) as tmp, gzip.open(tmp, "wt", encoding="utf-8", newline="") as fh:
            cols = None
            for r in runs:
                df = self._tagged(r)
                if df is None:
                    continue
                if cols is None:
                    cols = list(df.columns)
                    df.to_csv(fh, index=False)
                else:
                    df.reindex(columns=cols).to_csv(fh, index=False, header=False)
        return dest

    def _tagged(self, r: RunSpec):
        df = self.read_run_timeseries(r.id)
        if df is None:
            return None
        import pandas as pd

        # Integer and bool metric columns become float, so every run's file has one schema
        # (a metric that is NaN in one run and whole in another must not change type).
        cast = {c: float for c in df.columns if c != "week" and df[c].dtype.kind in "iub"}
        tags = pd.DataFrame({"run_id": r.id, "scenario": r.label, "point": r.point,
                             "replicate": r.replicate}, index=df.index)
        return pd.concat([tags, df.astype(cast)], axis=1)


def has_pyarrow() -> bool:
    """Whether pyarrow (the optional ``parquet`` extra) is importable."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def flatten_summary(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Scalars of a nested summary as dotted keys (lists are left out: not table cells)."""
    out: dict[str, Any] = {}
    for k, v in summary.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten_summary(v, key + "."))
        elif v is None or isinstance(v, bool | int | float | str):
            out[key] = float("nan") if v is None else v
    return out


def read_runs(root: str | Path):
    """The runs table of a results folder (Parquet when present, else CSV)."""
    import pandas as pd

    root = Path(root)
    if (root / "runs.parquet").is_file() and has_pyarrow():
        return pd.read_parquet(root / "runs.parquet")
    if (root / "runs.csv").is_file():
        return pd.read_csv(root / "runs.csv", dtype={"seed": str})
    raise UserError("no runs table (runs.csv); is this a sweep's results folder?",
                    source=str(root))


def read_villages(root: str | Path, run_id: str, columns: list[str] | None = None):
    """A run's per-village table (pandas DataFrame), or None if it has none (failed, or
    written by a runner that stores no village file)."""
    import pandas as pd

    path = Path(root) / "runs" / run_id / VILLAGES_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path, usecols=columns)


def read_timeseries(root: str | Path, columns: list[str] | None = None):
    """The combined weekly time series of a results folder (only ``columns`` if given)."""
    import pandas as pd

    root = Path(root)
    base = ["run_id", "scenario", "point", "replicate", "week"]
    cols = None if columns is None else list(dict.fromkeys(base + list(columns)))
    if (root / "timeseries.parquet").is_file() and has_pyarrow():
        import pyarrow.parquet as pq

        have = pq.read_schema(root / "timeseries.parquet").names
        return pd.read_parquet(root / "timeseries.parquet",
                               columns=None if cols is None else [c for c in cols if c in have])
    if (root / "timeseries.csv.gz").is_file():
        try:
            return pd.read_csv(root / "timeseries.csv.gz",
                               usecols=None if cols is None else lambda c: c in cols)
        except pd.errors.EmptyDataError:  # no run wrote a time series
            pass
    return pd.DataFrame(columns=base)


def experiment_toml(exp: Experiment, root: Path) -> str:
    """The resolved experiment as TOML; its scenarios point at ``scenarios/<label>.toml``.

    ``mergesim sweep <root>/experiment.toml --out <root>`` re-runs exactly this sweep.
    """
    from dataclasses import asdict

    from mergesim.config.load import format_toml_value, render_toml

    p = asdict(exp.params)
    p.pop("smoke")  # already applied (or not asked for): the stored file is what ran
    head = (f"# Experiment '{exp.name}' as resolved by mergesim"
            f"{' (smoke version)' if exp.smoke else ''}: every setting, scenarios stored\n"
            f"# beside it. Re-run (resume) with: mergesim sweep {root / 'experiment.toml'} "
            f"--out {root}\n")
    lines = [render_toml(p).rstrip("\n")]
    if exp.overrides:
        lines.append("\n[overrides]")
        lines += [f'"{k}" = {format_toml_value(v)}' for k, v in exp.overrides.items()]
    for ref in exp.scenarios:
        entry = scenario_entry(ref)
        lines += ["", "[[scenarios]]", f"label = {format_toml_value(ref.label)}",
                  f"path = {format_toml_value(f'scenarios/{ref.label}.toml')}"]
        if isinstance(entry, dict) and entry.get("set"):
            lines.append("[scenarios.set]")
            lines += [f'"{k}" = {format_toml_value(v)}' for k, v in entry["set"].items()]
    for f in exp.factors:
        lines += ["", "[[factors]]", f"key = {format_toml_value(f.key)}",
                  f"label = {format_toml_value(f.label)}"]
        if f.also:
            lines.append(f"also = {format_toml_value(list(f.also))}")
        if f.values:
            lines.append(f"values = {format_toml_value(list(f.values))}")
        else:
            lines += [f"range = {format_toml_value(list(f.range))}", f"steps = {f.steps}",
                      f"log = {format_toml_value(f.log)}"]
    return head + "\n".join(lines) + "\n"


def command_line(argv: list[str] | None = None) -> str:
    """The command that started this process, shell-quoted."""
    import shlex

    argv = list(sys.argv if argv is None else argv)
    if argv and argv[0].endswith(("mergesim", "__main__.py")):
        argv[0] = "mergesim"
    return " ".join(shlex.quote(a) for a in argv)


def dir_size(path: Path) -> int:
    """Bytes under ``path``."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())

