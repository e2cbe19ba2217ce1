"""The ``mergesim`` command line: parses arguments and calls :mod:`mergesim.api` — no logic of
its own (sweeps, plots, comparisons, validation and listing: :mod:`mergesim.cli_sweep`).

User mistakes (:class:`~mergesim.errors.UserError`) print one line to stderr and exit with
code 2; no traceback. So does a results folder that cannot be written (full disk, no
permission, a path through a file: :data:`~mergesim.errors.WRITE_ERRNOS`). Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from mergesim import __version__, cli_sweep
from mergesim.errors import EXIT_USER_ERROR, WRITE_ERRNOS, UserError, write_error_line

EXAMPLES = {
    "plan": "example: mergesim plan scenarios/seed_county.toml --out results/seed_plan "
    "--set plan.target_factor=3",
    "run": "examples: mergesim run scenarios/seed_county.toml --scale 0.1 --out results/seed_run "
    "--set services.agency_service=false; mergesim run scenarios/seed_county.toml --no-plots "
    "(figures later: mergesim plot results/seed_county)",
}


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose mistakes are the one-line error of every other mistake.

    argparse prints the usage (several lines) and exits; here a bad command line raises
    :class:`~mergesim.errors.UserError` with the allowed values (the commands, the options
    of the command, the kind of value expected) and a pointer to ``--help``, so
    :func:`main` prints one line and returns 2.
    """

    def error(self, message: str) -> None:  # type: ignore[override]  # raises, never returns
        line = " ".join(message.split())
        raise UserError(f"{line}{self._allowed(line)}; see '{self.prog} --help'", source=self.prog)

    def _allowed(self, line: str) -> str:
        commands = [a for a in self._actions if isinstance(a, argparse._SubParsersAction)]
        if "required: COMMAND" in line and commands:
            return "; allowed: " + ", ".join(commands[0].choices)
        if line.startswith("unrecognized arguments"):
            opts = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
            return "; allowed options: " + ", ".join(opts)
        if "invalid int value" in line:
            return "; expected a whole number"
        if "invalid float value" in line:
            return "; expected a number"
        return ""

    def unknown(self, command: str | None, extra: Sequence[str]) -> None:
        """Report ``extra`` arguments as the ``command`` sub-parser's mistake (its options are
        the allowed ones)."""
        sub = self._subcommands().get(command or "", self)
        sub.error("unrecognized arguments: " + " ".join(extra))

    def _subcommands(self) -> dict[str, argparse.ArgumentParser]:
        for a in self._actions:
            if isinstance(a, argparse._SubParsersAction):
                return dict(a.choices)
        return {}


def _add_common(p: argparse.ArgumentParser) -> None:
    cli_sweep.add_logging(p)
    p.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/seed_county.toml")
    p.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="output folder (default: results/<scenario name>)",
    )
    p.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="override a scenario key, e.g. --set plan.method=uniform (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = OneLineParser(
        prog="mergesim",
        description="Agent-based simulator of township and village mergers.",
    )
    parser.add_argument("--version", action="version", version=f"mergesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "plan",
        help="build the county and its merger plan; write summary, plan.csv and maps",
        description="Build the scenario's county and merger plan, run the plan checks, print "
        "the summary and write plan_summary.json, plan.csv, map_before.png, map_after.png and "
        "the resolved scenario.toml.",
        epilog=EXAMPLES["plan"],
    )
    _add_common(p)
    p.add_argument("--no-maps", action="store_true", help="skip the maps (faster)")
    p.set_defaults(func=_cmd_plan)

    p = sub.add_parser(
        "run",
        help="run one simulation; write summary.json, timeseries.csv and plots",
        description="Build the county and plan, run the weekly model over the scenario's "
        "timeline and write summary.json (pre- vs post-reform metrics), timeseries.csv (weekly "
        "metrics), villages.csv, scenario.toml and plots to the output folder.",
        epilog=EXAMPLES["run"],
    )
    _add_common(p)
    p.add_argument(
        "--scale",
        type=cli_sweep.scale_value,
        default=None,
        metavar="F",
        help="share of villagers simulated, 0.0001 <= F <= 1, e.g. 0.1 (default: villagers.scale)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="root seed of the run (default: the scenario's seed); the county and plan "
        "stay the scenario's (set county.seed to change them)",
    )
    p.add_argument(
        "--no-plots",
        action="store_true",
        help="write the tables only (figures take about two thirds of a small run; draw them "
        "later with mergesim plot OUT)",
    )
    cli_sweep.add_formats(p, "png")
    p.add_argument("--no-progress", action="store_true", help="no progress bar or lines")
    p.add_argument(
        "--force",
        action="store_true",
        help="run even if the memory estimate is above half of this machine's memory",
    )
    p.set_defaults(func=_cmd_run)
    # Sweeps, plots, comparisons, validation and listing.
    cli_sweep.add_subcommands(sub)
    return parser


def api() -> ModuleType:
    """:mod:`mergesim.api`, imported when a command runs: it loads NumPy, pandas, Mesa and
    matplotlib (seconds), which ``mergesim --help`` and argument errors must not wait for."""
    from mergesim import api as module  # start-up time: see the docstring

    return module


def _cmd_run(args: argparse.Namespace) -> int:
    print(
        api().run_scenario_cli(
            args.scenario,
            overrides=args.overrides,
            out=args.out,
            scale=args.scale,
            seed=args.seed,
            plots=not args.no_plots,
            formats=args.formats,
            progress=False if args.no_progress else None,
            force=args.force,
        )
    )
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    result = api().plan_scenario(
        args.scenario, overrides=args.overrides, out=args.out, maps=not args.no_maps
    )
    print(result.report())
    return 0 if result.all_checks_ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            parser.unknown(getattr(args, "command", None), extra)
        cli_sweep.configure(args)
        return int(args.func(args))
    except UserError as err:
        print(f"mergesim: error: {err.line()}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as err:
        # An unwritable --out or a full disk is the user's to fix, not a bug: one line. Files
        # already written stay complete (every write is atomic).
        if err.errno not in WRITE_ERRNOS:
            raise
        print(f"mergesim: error: {write_error_line(err)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("mergesim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
