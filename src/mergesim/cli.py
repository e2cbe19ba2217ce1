"""The ``mergesim`` command line: parses arguments and calls the API — no logic of its own.

User mistakes (:class:`~mergesim.errors.UserError`) print one line to stderr and exit with
code 2; no traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mergesim.errors import EXIT_USER_ERROR, UserError

EXAMPLES = {
    "plan": "example: mergesim plan scenarios/seed_county.toml --out results/seed_plan "
    "--set plan.target_factor=3",
}


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/seed_county.toml")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default: results/<scenario name>)")
    p.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="overrides",
                   help="override a scenario key, e.g. --set plan.method=uniform (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="mergesim",
        description="Agent-based simulator of township and village mergers.",
    )
    from mergesim import __version__

    parser.add_argument("--version", action="version", version=f"mergesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "plan", help="build the county and its merger plan; write summary, plan.csv and maps",
        description="Build the scenario's county and merger plan, run the plan checks, print "
        "the summary and write plan_summary.json, plan.csv, map_before.png, map_after.png and "
        "the resolved scenario.toml.", epilog=EXAMPLES["plan"],
    )
    _add_common(p)
    p.add_argument("--no-maps", action="store_true", help="skip the maps (faster)")
    p.set_defaults(func=_cmd_plan)
    return parser


def _cmd_plan(args: argparse.Namespace) -> int:
    from mergesim.api import plan_scenario

    result = plan_scenario(args.scenario, overrides=args.overrides, out=args.out,
                           maps=not args.no_maps)
    print(result.report())
    return 0 if result.all_checks_ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UserError as err:
        print(f"mergesim: error: {err.line()}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("mergesim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
