"""From an experiment's ``[province]`` section to its counties as scenarios of a sweep.

:func:`load_province` validates the section (with ``[smoke.province]`` over it in smoke mode)
and draws or reads the province; :func:`county_scenarios` turns each county into a label and
the scenario keys that make the base scenario that county; :func:`write_province` stores the
county table and the map in the results folder, where the report reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mergesim.config.params import build_section
from mergesim.errors import ScenarioError
from mergesim.io import atomic_write_text
from mergesim.province.generate import Province, county_overrides, generate, province_seed
from mergesim.province.geometry import write_geojson
from mergesim.province.params import ProvinceParams
from mergesim.province.table import read_table

#: Files of a province in a results folder.
PROVINCE_CSV = "province.csv"
PROVINCE_GEOJSON = "province.geojson"


def load_province(
    raw: Any,
    smoke_raw: Any,
    *,
    source: str,
    root_seed: int,
    smoke: bool,
) -> tuple[ProvinceParams, Province]:
    """Validate ``[province]`` (and ``[smoke.province]`` over it when ``smoke``) and make the
    province.

    Raises:
        ScenarioError: An unknown key or a bad value (one line naming file and key).
        DataError: A bad county table (one line naming file, column and allowed values).
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ScenarioError("expected a table [province]", source=source, key="province")
    if smoke_raw is not None and not isinstance(smoke_raw, dict):
        raise ScenarioError(
            "expected a table [smoke.province]", source=source, key="smoke.province"
        )
    data = {**raw, **(smoke_raw or {})} if smoke else dict(raw)
    params = build_section(ProvinceParams, data, source=source, prefix="province.")
    seed = province_seed(params, root_seed)
    if params.table:
        path = (Path(source).parent / params.table).resolve()
        return params, read_table(path, params, seed)
    return params, generate(params, seed)


def county_seed(province_seed: int, i: int) -> int:
    """The geography seed of county ``i`` (``county.seed``): a child of the province's seed."""
    ss = np.random.SeedSequence(int(province_seed), spawn_key=(int(i),))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def county_scenarios(province: Province, params: ProvinceParams) -> list[tuple[str, dict]]:
    """``(label, scenario keys)`` per county, in table order."""
    out = []
    for i, row in province.counties.iterrows():
        sets = county_overrides(row, params, province.map, int(i))
        sets["county.seed"] = county_seed(province.seed, int(i))
        out.append((str(row["county"]), sets))
    return out


def write_province(root: str | Path, province: Province) -> list[Path]:
    """Store the county table (``province.csv``) and the map (``province.geojson``)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    csv = atomic_write_text(root / PROVINCE_CSV, province.counties.to_csv(index=False))
    geo = write_geojson(root / PROVINCE_GEOJSON, list(province.counties["county"]), province.map)
    return [csv, geo]
