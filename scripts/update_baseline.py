"""Rewrite tests/baseline.json after an intended change; prints what changed.

Covers the shipped scenarios (``mergesim.baseline.SHIPPED_SCENARIOS``), never a user's own
files in ``scenarios/``; to ship a new scenario, add its file name there first.

Usage: ``.venv/bin/python scripts/update_baseline.py``
"""

from __future__ import annotations

import json
from pathlib import Path

from mergesim.baseline import compute, differences
from mergesim.io import atomic_write_text

ROOT = Path(__file__).resolve().parents[1]
PATH = ROOT / "tests" / "baseline.json"


def main() -> None:
    new = compute(ROOT / "scenarios")
    old = json.loads(PATH.read_text()) if PATH.exists() else {}
    changes = differences(old, new)
    for line in changes:
        print(line)
    atomic_write_text(PATH, json.dumps(new, indent=1, sort_keys=True, allow_nan=True) + "\n")
    print(f"{len(changes)} change(s); wrote {PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
