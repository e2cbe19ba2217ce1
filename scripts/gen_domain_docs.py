"""Write the mapping table of ``docs/domain.md`` from the catalogue of the report's figures.

The table between the markers in ``docs/domain.md`` is rendered from
``src/mergesim/validation/catalogue.py`` (the same catalogue ``mergesim validate --model``
cites); the prose around it is written by hand. ``tests/docs/test_domain.py`` fails while the
table is out of date.

Usage::

    .venv/bin/python scripts/gen_domain_docs.py
"""

from __future__ import annotations

from pathlib import Path

from mergesim.io import atomic_write_text
from mergesim.validation.figures import replace_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "domain.md"


def main() -> None:
    """Replace the table between the markers and write the file atomically."""
    atomic_write_text(DOC, replace_table(DOC.read_text(encoding="utf-8")))
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
