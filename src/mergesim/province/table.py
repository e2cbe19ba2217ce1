"""A province read from a CSV table of counties (``[province] table = "counties.csv"``).

One line per county. Required columns: ``county`` (a label: letters, digits, ``_`` or ``-``,
unique), ``townships``, ``villages`` and ``population`` (positive integers, at least one
village per township). Optional: ``townships_after`` and ``villages_after`` (the counts the
plan aims at; default: the ``[province]`` mean merge shares), ``area_km2`` (default: villages ×
``area_per_village_km2`` × the terrain's ``terrain_area``), ``terrain`` (plain, hill or
mountain; default hill), ``border`` (0/1 or true/false; default: the county's cell touches the
outline), ``x_km`` and ``y_km`` (the county's centre; default: placed on a synthetic map from
the province's seed). A bad value stops with one line naming the file, the column, the row and
what is allowed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mergesim.errors import DataError
from mergesim.province.generate import COLUMNS, Province, streams
from mergesim.province.geometry import centre_cells, tessellate
from mergesim.province.params import TERRAINS, ProvinceParams

REQUIRED = ("county", "townships", "villages", "population")
_TRUE, _FALSE = ("1", "true", "yes"), ("0", "false", "no")


def _ints(df: pd.DataFrame, col: str, src: str, lo: int) -> np.ndarray:
    vals = pd.to_numeric(df[col], errors="coerce")
    bad = vals.isna() | (vals != vals.round()) | (vals < lo)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"value {df[col].iloc[i]!r} in row {i + 2}: allowed an integer >= {lo}",
            source=src,
            key=col,
        )
    return vals.to_numpy(dtype=np.int64)


def read_table(path: str | Path, params: ProvinceParams, seed: int) -> Province:
    """Read and check a county table; fill the optional columns.

    Raises:
        DataError: Missing file or column, or a bad value (one line: file, column, allowed).
    """
    src = str(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise DataError("county table not found", source=src, key="province.table") from None
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise DataError(f"unreadable CSV ({err})".splitlines()[0], source=src) from None
    df.columns = [c.strip().lower() for c in df.columns]
    for col in df.columns:
        if col not in COLUMNS:
            raise DataError(f"unknown column; allowed: {', '.join(COLUMNS)}", source=src, key=col)
    for col in REQUIRED:
        if col not in df.columns:
            raise DataError(f"missing column; required: {', '.join(REQUIRED)}", source=src, key=col)
    if df.empty:
        raise DataError("no counties: allowed one line per county", source=src, key="county")
    labels = df["county"].str.strip()
    ok = labels.str.fullmatch(r"[A-Za-z0-9_-]+")
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise DataError(
            f"value {labels.iloc[i]!r} in row {i + 2}: allowed letters, digits, '_' or '-'",
            source=src,
            key="county",
        )
    dupes = sorted(set(labels[labels.duplicated()]))
    if dupes:
        raise DataError(
            f"labels repeated: {dupes}; allowed: unique labels", source=src, key="county"
        )
    n = len(df)
    t = _ints(df, "townships", src, 1)
    v = _ints(df, "villages", src, 1)
    few = v < t
    if few.any():
        i = int(np.flatnonzero(few)[0])
        raise DataError(
            f"value {v[i]} in row {i + 2}: allowed villages >= townships ({t[i]})",
            source=src,
            key="villages",
        )
    pop = _ints(df, "population", src, 1)
    terrain = df["terrain"].str.strip().str.lower() if "terrain" in df else pd.Series(["hill"] * n)
    bad = ~terrain.isin(TERRAINS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"value {terrain.iloc[i]!r} in row {i + 2}: allowed {', '.join(TERRAINS)}",
            source=src,
            key="terrain",
        )
    kinds = terrain.map({k: j for j, k in enumerate(TERRAINS)}).to_numpy()
    t_after = (
        _ints(df, "townships_after", src, 1)
        if "townships_after" in df
        else np.clip(np.rint(t * (1 - params.township_merge_share)), 1, t).astype(np.int64)
    )
    v_after = (
        _ints(df, "villages_after", src, 1)
        if "villages_after" in df
        else np.clip(np.rint(v * (1 - params.village_merge_share)), 1, v).astype(np.int64)
    )
    for col, after, before in (("townships_after", t_after, t), ("villages_after", v_after, v)):
        over = after > before
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise DataError(
                f"value {after[i]} in row {i + 2}: allowed at most the count before ({before[i]})",
                source=src,
                key=col,
            )
    if "area_km2" in df:
        area = pd.to_numeric(df["area_km2"], errors="coerce").to_numpy(dtype=float)
        bad = ~(area > 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"value {df['area_km2'].iloc[i]!r} in row {i + 2}: allowed a number > 0",
                source=src,
                key="area_km2",
            )
    else:
        area = v * params.area_per_village_km2 * np.asarray(params.terrain_area)[kinds]
    rng = streams(seed)
    if "x_km" in df and "y_km" in df:
        xy = np.column_stack(
            [pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float) for c in ("x_km", "y_km")]
        )
        if not np.isfinite(xy).all():
            i = int(np.flatnonzero(~np.isfinite(xy).all(axis=1))[0])
            raise DataError(
                f"row {i + 2} has no numeric centre; allowed numbers (km)", source=src, key="x_km"
            )
        if len(np.unique(xy, axis=0)) < n:
            raise DataError("two counties share a centre; allowed distinct", source=src, key="x_km")
        geo = centre_cells(xy, float(area.sum()))
    else:
        geo = tessellate(n, float(area.sum()), rng["geometry"])
    if "border" in df:
        b = df["border"].str.strip().str.lower()
        bad = ~b.isin(_TRUE + _FALSE)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"value {b.iloc[i]!r} in row {i + 2}: allowed 0/1, true/false, yes/no",
                source=src,
                key="border",
            )
        border = b.isin(_TRUE).to_numpy()
    else:
        border = geo.on_outline
    table = pd.DataFrame(
        {
            "county": labels.to_list(),
            "townships": t,
            "villages": v,
            "townships_after": t_after,
            "villages_after": np.maximum(v_after, t_after),
            "population": pop,
            "area_km2": np.round(area, 1),
            "terrain": [TERRAINS[k] for k in kinds],
            "border": border,
            "x_km": np.round(geo.centres[:, 0], 3),
            "y_km": np.round(geo.centres[:, 1], 3),
        },
        columns=list(COLUMNS),
    )
    return Province(table, geo, int(seed), source=src)
