"""Write ``docs/data.md``, the reference of the county data files, from the loaders' tables.

Run it after changing ``src/mergesim/county/columns.py`` (or the columns of ``plan.csv`` /
``villages.csv``); ``tests/county/test_data_docs.py`` fails while the file is out of date.

Usage::

    .venv/bin/python scripts/gen_data_docs.py
"""

from __future__ import annotations

from pathlib import Path

from mergesim.county.data_docs import render_data_reference
from mergesim.io import atomic_write_text
from mergesim.plans.from_file import PLAN_COLUMNS
from mergesim.run import VILLAGE_COLUMNS

OUT = Path(__file__).resolve().parents[1] / "docs" / "data.md"


def render() -> str:
    """The reference, with the output tables' columns."""
    return render_data_reference({"plan.csv": PLAN_COLUMNS, "villages.csv": VILLAGE_COLUMNS})


def main() -> None:
    """Render the reference and write it atomically."""
    atomic_write_text(OUT, render())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
