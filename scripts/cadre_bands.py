"""Print the cadre calibration table over chosen seeds and scenario overrides.

The validation suite checks the bands on the default seeds (``mergesim validate --model``);
this script is for calibrating: try other values of the ``[cadres]`` defaults over more seeds,
or scan one key over several values (one line per value: the mean of each calibration target
and of the diagnostics over the seeds).

Usage::

    .venv/bin/python scripts/cadre_bands.py                      # seeds 20191201, 1..4
    .venv/bin/python scripts/cadre_bands.py 1 2 3 --set cadres.young_leaders=5
    .venv/bin/python scripts/cadre_bands.py --scan cadres.leader_youth_weight=0.004,0.01,0.03

Exit code 1 if a calibration band is missed (without ``--scan``).
"""

from __future__ import annotations

import argparse
import sys

from mergesim.config import apply_overrides
from mergesim.config.load import parse_override
from mergesim.config.schema import Scenario
from mergesim.validation.cadre_bands import BANDS, DIAGNOSTICS, SEEDS, check, format_table


def scan(key_values: str, seeds: tuple[int, ...], overrides: dict) -> str:
    """One line per value of ``KEY=v1,v2,...``: the means over ``seeds``."""
    key, _, values = key_values.partition("=")
    cols = [*BANDS, *DIAGNOSTICS]
    lines = [key.ljust(24) + "".join(c[:22].rjust(24) for c in cols)]
    for text in values.split(","):
        _, value = parse_override(f"{key}={text}")
        base = apply_overrides(Scenario(), {**overrides, key: value})
        _, mean, _ = check(seeds, base)
        lines.append(text.ljust(24) + "".join(f"{mean[c]:24.4f}" for c in cols))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the calibration table (or a scan); return 1 if a calibration band is missed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seeds", nargs="*", type=int, default=list(SEEDS))
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key (TOML value), e.g. cadres.group_pool=[...]",
    )
    ap.add_argument(
        "--scan",
        default=None,
        metavar="KEY=V1,V2,...",
        help="scan one key over comma-separated values (scalars)",
    )
    args = ap.parse_args(argv)
    overrides = dict(parse_override(item) for item in args.set)
    if args.scan:
        print(scan(args.scan, tuple(args.seeds), overrides))
        return 0
    base = apply_overrides(Scenario(), overrides) if overrides else Scenario()
    per_seed, mean, missed = check(tuple(args.seeds), base)
    print(format_table(per_seed, mean))
    print("\n".join(missed) if missed else "all calibration bands hold")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
