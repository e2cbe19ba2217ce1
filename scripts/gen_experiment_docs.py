"""Write ``docs/experiments.md``, the reference of experiment files, from the schema.

Run it after changing ``src/mergesim/sweep/schema.py`` (or the designs, the statistics or
the results layout it describes); ``tests/sweep/test_experiment_docs.py`` fails while the file
is out of date.

Usage::

    .venv/bin/python scripts/gen_experiment_docs.py
"""

from __future__ import annotations

from pathlib import Path

from mergesim.io import atomic_write_text
from mergesim.sweep.docs import render_reference

OUT = Path(__file__).resolve().parents[1] / "docs" / "experiments.md"


def main() -> None:
    """Render the reference and write it atomically."""
    atomic_write_text(OUT, render_reference())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
