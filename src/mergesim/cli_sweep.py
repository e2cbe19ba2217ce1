"""Sub-commands of the researcher's workflow: ``sweep``, ``plot``, ``compare``, ``validate``,
``list``, ``app``. Argument parsing only — each handler calls one function of :mod:`mergesim.api`.

The main CLI (:mod:`mergesim.cli`) calls :func:`add_subcommands` on its sub-parsers and runs
``args.func(args)``; a :class:`~mergesim.errors.UserError` raised by a handler is printed there
as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType

from mergesim.errors import EXIT_USER_ERROR, UserError

EXAMPLES = {
    "sweep": """examples:
  mergesim sweep experiments/policy_packages.toml --dry-run
  mergesim sweep experiments/policy_packages.toml --workers 8
  mergesim sweep experiments/sobol_behaviour.toml --scheduler tcp://10.0.0.5:8786
  mergesim sweep experiments/target_factor.toml --smoke        # CI-sized version
  mergesim sweep experiments/target_factor.toml --replications 5 --scale 0.05
  mergesim sweep experiments/sobol_behaviour.toml --samples 512 --formats png,pdf

Re-running the same command resumes: finished runs (same run identity) are skipped, failed
ones retried, new replications added. Results go to results/<name>/ (--smoke:
results/<name>-smoke/). A folder holding another study (other scenarios, factors, design,
seed, scale or --set) is refused; --force moves it aside. On a terminal a progress bar shows
the ETA from the measured pace; elsewhere one log line a minute or per 5 % of the runs.""",
    "plot": """example:
  mergesim plot results/policy_packages     # redraw figures/ and report.md from the tables
  mergesim plot results/seed_run --formats png,svg    # a `mergesim run` folder's figures""",
    "compare": """example:
  mergesim compare results/seed_county_sweep results/no_agency_sweep --out results/cmp
  mergesim compare results/run_a results/run_b        # two `mergesim run` folders
The first folder is the baseline of the paired differences (same replicate and seed).""",
    "validate": """examples:
  mergesim validate scenarios/seed_county.toml
  mergesim validate experiments/policy_packages.toml   # also builds every run's scenario
  mergesim validate --model        # verification, calibration, validation (about a minute)
  mergesim validate --model --out results/val --strict   # misses fail too (exit 1)

--model prints three tables — verification, calibration (with the knobs fitted to each
target), validation (report figures not fitted, with the error; stylised facts) — each with its
count, writes them to DIR/validation.csv and DIR/validation.md, and exits 1 if a verification
check fails (or, with --strict, any check).""",
    "list": """example:
  mergesim list""",
    "app": """examples:
  mergesim app                                   # the seed county, http://127.0.0.1:8765/
  mergesim app scenarios/seed_county.toml --port 0      # any free port (printed)

Needs the app extra: pip install -e '.[app]'. Stop with Ctrl+C.""",
}


def scale_value(text: str) -> float:
    """``--scale`` of ``run`` and ``sweep``: a number in the schema's ``villagers.scale`` range
    (argparse type; the range is stated once, by :func:`mergesim.api.scale_value`)."""
    return api().scale_value(text)


def add_logging(p: argparse.ArgumentParser) -> None:
    """``-v``, ``-q`` and ``--log-file`` (every command)."""
    g = p.add_argument_group("messages")
    g.add_argument(
        "-v", "--verbose", action="count", default=0, help="more messages (debug details)"
    )
    g.add_argument(
        "-q", "--quiet", action="store_true", help="warnings and errors only (no progress)"
    )
    g.add_argument(
        "--log-file",
        metavar="FILE",
        default=None,
        help="also append every message, time-stamped, to FILE",
    )


def add_formats(p: argparse.ArgumentParser, default: str) -> None:
    """``--formats``: the one option for the figures' image formats."""
    p.add_argument(
        "--formats",
        metavar="LIST",
        default=None,
        help="image formats of the figures, comma-separated from png, svg, pdf (vector: svg, "
        f"pdf); default {default}",
    )


def _parser(sub, name: str, help_: str, description: str) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        help=help_,
        description=description,
        epilog=EXAMPLES[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_logging(p)
    return p


def add_subcommands(subparsers) -> None:
    """Add ``sweep``, ``plot``, ``compare``, ``validate`` and ``list`` to ``subparsers``.

    Args:
        subparsers: The object returned by ``ArgumentParser.add_subparsers()``.
    """
    p = _parser(
        subparsers,
        "sweep",
        "run an experiment: many scenarios, points, replications",
        "Run every run of an experiment file on a local process pool (all cores) or "
        "a Dask cluster; write results/<name>/ with the runs table, weekly time "
        "series, figures and report.md.",
    )
    p.add_argument("experiment", help="experiment file (TOML), e.g. experiments/x.toml")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the run count and estimated time and disk; run nothing",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the sweep in --out (error if there is none to continue)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        default=None,
        help="local worker processes (default: all cores)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        default=None,
        help="Dask scheduler, e.g. tcp://host:8786, or 'local' for a local Dask "
        "cluster (needs mergesim[dask])",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="results folder (default: results/<experiment name>)",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="run the experiment's [smoke] version (few runs, small scale)",
    )
    p.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="overrides",
        help="set a scenario key on every run, e.g. --set villagers.scale=0.02",
    )
    size = p.add_argument_group("study size (override the experiment file)")
    size.add_argument(
        "--replications",
        type=int,
        metavar="N",
        default=None,
        help="replications per design point (paired seeds: replicate k uses one seed everywhere)",
    )
    size.add_argument(
        "--scale",
        type=scale_value,
        metavar="F",
        default=None,
        help="share of the villagers simulated in every run (villagers.scale), 0.0001 <= F <= 1",
    )
    size.add_argument(
        "--samples",
        type=int,
        metavar="N",
        default=None,
        help="the design's sample: LHS points, Sobol base sample N (a power of 2; trusted "
        "from 512), Morris trajectories r (trusted from 10)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="if --out holds another study, move it aside (to <out>.replaced-<time>) and "
        "start afresh; and run even if the memory estimate is above half of this machine's "
        "memory",
    )
    add_formats(p, "the experiment's plots.formats")
    p.add_argument("--no-progress", action="store_true", help="no progress bar or lines")
    p.set_defaults(func=cmd_sweep)

    p = _parser(
        subparsers,
        "plot",
        "redraw a results folder's figures and report.md",
        "Read a sweep's stored tables (no simulation) and write figures/, the "
        "sensitivity table (Sobol/Morris designs) and report.md.",
    )
    p.add_argument(
        "results", help="results folder of a sweep or a run, e.g. results/policy_packages"
    )
    add_formats(p, "the experiment's plots.formats (png for a run)")
    p.set_defaults(func=cmd_plot)

    p = _parser(
        subparsers,
        "compare",
        "compare several results folders",
        "Headline metrics with 95 % intervals and paired differences against the "
        "first folder, weekly bands and final-metric figures, in compare.md.",
    )
    p.add_argument(
        "results", nargs="+", help="two or more results folders (sweeps or `mergesim run`s)"
    )
    add_formats(p, "png")
    p.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="output folder (default: results/compare_<names>)",
    )
    p.add_argument(
        "--metric",
        action="append",
        default=[],
        dest="metrics",
        help="metric to compare, e.g. post.travel_min_mean (repeatable; default: "
        "the experiments' metrics)",
    )
    p.set_defaults(func=cmd_compare)

    p = _parser(
        subparsers,
        "validate",
        "check a scenario or experiment file, or the model",
        "Validate a scenario or experiment file; print 'ok' or the one-line error "
        "(exit code 2). With --model, run the validation suite instead and print its table "
        "in three parts: verification (sub-models against independent references), "
        "calibration (report figures the parameters were fitted to) and validation (report "
        "figures not fitted, stylised facts); written as validation.csv and validation.md "
        "too. Exit 1 if a verification check fails; calibration and validation misses are "
        "findings (exit 0) unless --strict.",
    )
    p.add_argument(
        "file",
        nargs="?",
        default=None,
        help="scenario or experiment TOML file (optional with --model)",
    )
    p.add_argument(
        "--model", action="store_true", help="run the model validation suite and print its table"
    )
    p.add_argument(
        "--out",
        default="results/validation",
        metavar="DIR",
        help="with --model: folder for validation.csv and validation.md "
        "(default: results/validation)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="with --model: exit 1 on a missed calibration band or a validation disagreement too",
    )
    p.set_defaults(func=cmd_validate)

    p = _parser(
        subparsers,
        "list",
        "list shipped scenarios and experiments",
        "List the scenarios/ and experiments/ files with their descriptions.",
    )
    p.add_argument("--dir", default=None, help="folder holding scenarios/ and experiments/")
    p.set_defaults(func=cmd_list)

    p = _parser(
        subparsers,
        "app",
        "explore a scenario in the browser (local web app)",
        "Start a local web app: the county map coloured by an outcome, live weekly "
        "series, the plan and the report's measures as controls, two scenarios side "
        "by side, and a results browser. Prints the address to open.",
    )
    p.add_argument(
        "scenario", nargs="?", default=None, help="scenario file (TOML); default: the seed county"
    )
    p.add_argument(
        "--port", type=int, default=None, metavar="N", help="port (default 8765; 0 = any free port)"
    )
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--results",
        default=None,
        metavar="DIR",
        help="folder the results browser opens first (default: results)",
    )
    p.set_defaults(func=cmd_app)


def api() -> ModuleType:
    """:mod:`mergesim.api`, imported when a command runs (it loads NumPy, pandas, Mesa and
    matplotlib; ``--help`` and argument errors must not wait for them)."""
    from mergesim import api as module  # start-up time: see the docstring

    return module


def configure(args: argparse.Namespace) -> None:
    """Set up the log from ``-v``/``-q``/``--log-file`` (commands without them: defaults) and
    one BLAS/OpenMP thread (:mod:`mergesim.threads`: an idle OpenBLAS thread spins and doubles
    the CPU time of a run; sweep workers already fill the cores). Every command runs it first."""
    verbosity = getattr(args, "verbose", 0) - int(getattr(args, "quiet", False))
    api().one_blas_thread()
    api().configure_logging(verbosity, getattr(args, "log_file", None))


def cmd_sweep(args: argparse.Namespace) -> int:
    """``mergesim sweep``."""
    res = api().sweep_experiment(
        args.experiment,
        out=args.out,
        smoke=args.smoke,
        overrides=args.overrides,
        replications=args.replications,
        scale=args.scale,
        samples=args.samples,
        force=args.force,
        formats=args.formats,
        dry_run=args.dry_run,
        resume=args.resume,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=False if args.no_progress else None,
    )
    print(res.report())
    return 0 if getattr(res, "failed", 0) == 0 else 1


def cmd_plot(args: argparse.Namespace) -> int:
    """``mergesim plot``."""
    files = api().plot_results(args.results, formats=args.formats)
    report = Path(args.results) / "report.md"
    print(f"wrote {len(files)} files" + (f"; report: {report}" if report.is_file() else ""))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """``mergesim compare``."""
    dest, table = api().compare_results(
        args.results, args.out, args.metrics or None, formats=args.formats
    )
    print(table)
    print(f"\nfigures and compare.md in {dest}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``mergesim validate``: a file (exit 0 or 2) and/or, with ``--model``, the suite (0/1)."""
    if args.file is None and not args.model:
        raise UserError("give a scenario or experiment file, or --model", source="validate")
    if args.file is not None:
        print(api().validate_file(args.file))
    if not args.model:
        return 0
    table, ok = api().validate_model(out=args.out, strict=args.strict)
    print(table)
    return 0 if ok else 1


def cmd_list(args: argparse.Namespace) -> int:
    """``mergesim list``."""
    items = api().list_shipped(args.dir)
    width = max((len(p.name) for _, p, _ in items), default=0)
    kind = None
    for k, p, desc in items:
        if k != kind:
            print(f"{k}s:" if kind is None else f"\n{k}s:")
            kind = k
        print(f"  {p.name:<{width}}  {desc}")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    """``mergesim app``: serve until Ctrl+C."""
    given = {"host": args.host, "port": args.port, "results": args.results}
    api().app(
        args.scenario,
        ready=lambda url: print(f"mergesim app: open {url} (Ctrl+C to stop)", flush=True),
        **{k: v for k, v in given.items() if v is not None},
    )
    return 0


def main(argv=None) -> int:
    """Run these sub-commands alone (tests; the main CLI embeds them via add_subcommands)."""
    parser = argparse.ArgumentParser(prog="mergesim")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        configure(args)
        return int(args.func(args))
    except UserError as err:
        print(f"mergesim: error: {err.line()}", file=sys.stderr)
        return EXIT_USER_ERROR
