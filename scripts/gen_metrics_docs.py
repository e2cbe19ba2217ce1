"""Write docs/metrics.md from the metric definitions in src/mergesim/metrics/ (the registry).

Usage: .venv/bin/python scripts/gen_metrics_docs.py [--check]
With --check, exit 1 (and write nothing) when docs/metrics.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mergesim.metrics import metrics_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def main(argv: list[str]) -> int:
    text = metrics_markdown()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date; run scripts/gen_metrics_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
