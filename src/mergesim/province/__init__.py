"""Province mode: a province's counties, each run as one run of a sweep.

- :class:`ProvinceParams` — the ``[province]`` section of an experiment (:mod:`.params`).
- :func:`generate` — a synthetic province shaped like Sichuan's reform (:mod:`.generate`);
  :func:`read_table` — a province from a CSV table of counties (:mod:`.table`).
- :func:`load_province`, :func:`county_scenarios`, :func:`write_province` — from the
  experiment's section to scenarios of a sweep, and the files in the results folder
  (:mod:`.build`).
- :func:`county_table`, :func:`pooled_table` — the province tables (:mod:`.tables`);
  :func:`choropleth` — the county map of an outcome (:mod:`.figures`).

Sits below :mod:`mergesim.sweep` and :mod:`mergesim.report` (both use it) and above
:mod:`mergesim.run` (it draws with :mod:`mergesim.plotting`). Importing it has no side effects.
"""

from mergesim.province.build import (
    PROVINCE_CSV,
    PROVINCE_GEOJSON,
    county_scenarios,
    load_province,
    write_province,
)
from mergesim.province.generate import Province, generate
from mergesim.province.params import ProvinceParams
from mergesim.province.table import read_table

__all__ = [
    "PROVINCE_CSV",
    "PROVINCE_GEOJSON",
    "Province",
    "ProvinceParams",
    "county_scenarios",
    "generate",
    "load_province",
    "read_table",
    "write_province",
]
