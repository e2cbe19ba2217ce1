"""Write docs/findings.md from a levers results folder (mergesim.report.findings).

Usage: .venv/bin/python scripts/gen_findings.py RESULTS_DIR [--out docs/findings.md]
                                                  [--tables docs/findings_run]
RESULTS_DIR is the folder `mergesim sweep experiments/levers.toml` wrote (its report made
tables/levers.csv). The tables the document is read from and the run's facts are copied to
--tables (shipped with the document; tests/report/test_findings_shipped.py checks the document
against them). Bad input: one line naming the problem, exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mergesim.errors import UserError
from mergesim.io import atomic_write_text
from mergesim.report.findings import findings_markdown, ship_tables

DOC = Path(__file__).resolve().parent.parent / "docs" / "findings.md"
TABLES = DOC.parent / "findings_run"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", type=Path, help="a levers results folder")
    ap.add_argument("--out", type=Path, default=DOC, help=f"where to write (default {DOC})")
    ap.add_argument(
        "--tables",
        type=Path,
        default=None,
        help=f"where to copy the run's tables and facts (default {TABLES} with the default "
        "--out, else none)",
    )
    args = ap.parse_args(argv)
    try:
        text = findings_markdown(args.results)
    except UserError as exc:
        print(f"gen_findings: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, text + "\n")
    print(f"wrote {args.out}")
    tables = args.tables or (TABLES if args.out.resolve() == DOC else None)
    if tables is not None:
        ship_tables(args.results, tables)
        print(f"wrote {tables}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
