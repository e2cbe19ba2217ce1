"""Print the cadre calibration table over chosen seeds and scenario overrides.

The validation suite checks the bands on the default seeds (``mergesim validate --model``);
this script is for calibrating: try other values of the ``[cadres]`` defaults over more seeds.

Usage::

    .venv/bin/python scripts/cadre_bands.py                      # seeds 20191201, 1..4
    .venv/bin/python scripts/cadre_bands.py 1 2 3 --set cadres.one_shoulder=false

Exit code 1 if a band is missed.
"""

from __future__ import annotations

import argparse
import sys

from mergesim.config import apply_overrides
from mergesim.config.load import parse_override
from mergesim.config.schema import Scenario
from mergesim.validation.cadre_bands import SEEDS, check, format_table


def main(argv: list[str] | None = None) -> int:
    """Print the calibration table; return 1 if a band is missed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seeds", nargs="*", type=int, default=list(SEEDS))
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key (TOML value), e.g. cadres.group_pool=[...]",
    )
    args = ap.parse_args(argv)
    overrides = dict(parse_override(item) for item in args.set)
    base = apply_overrides(Scenario(), overrides) if overrides else Scenario()
    per_seed, mean, missed = check(tuple(args.seeds), base)
    print(format_table(per_seed, mean))
    print("\n".join(missed) if missed else "all bands hold")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
