"""Figures, tables and ``report.md`` for a results folder, and comparisons across folders.

Everything groups by **design point** (a scenario with its factor values) and pools only
replicates; differences against the baseline are paired on the seed (common random numbers).

- :func:`finalize_results` (:mod:`.markdown`): what ``mergesim sweep`` draws after the runs
  and ``mergesim plot`` redraws — figures, the tables as CSV, ``report.md`` and the folder's
  ``README.md``, from the stored files alone (runs and weekly tables, each run's per-village
  table, the stored county geometry; no simulation, no county rebuilt).
- :func:`compare_results` (:mod:`.compare`): ``mergesim compare`` over sweep or run folders.
- :mod:`.tables` (the tables), :mod:`.figures` (the figures and what was left out).

What ran comes in as a :class:`~mergesim.results.Study` and the sensitivity indices as tables,
both from the caller: the report reads results folders and never imports the sweep.
"""

from mergesim.report.compare import compare_results
from mergesim.report.figures import change_map_groups, draw_figures
from mergesim.report.markdown import finalize_results, write_report

__all__ = [
    "change_map_groups",
    "compare_results",
    "draw_figures",
    "finalize_results",
    "write_report",
]
