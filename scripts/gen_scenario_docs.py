"""Write ``docs/scenarios.md``, the reference of every scenario key, from the schema.

Run it after changing ``src/mergesim/config/schema.py``; ``tests/config/test_docs.py`` fails
while the file is out of date.

Usage::

    .venv/bin/python scripts/gen_scenario_docs.py
"""

from __future__ import annotations

from pathlib import Path

from mergesim.config.docs import render_reference
from mergesim.io import atomic_write_text

OUT = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"


def main() -> None:
    """Render the reference and write it atomically."""
    atomic_write_text(OUT, render_reference())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
