"""The robustness stage of an experiment: its scenarios rerun with each influential assumption
at the low and the high end of its plausible range.

An experiment with a ``[robustness]`` table (``experiments/levers.toml``) gets, after its own
runs, one sub-study per assumption and end in ``<out>/robustness/<key>-low/`` and
``<key>-high/``: the experiment's scenarios (all, or those matching ``scenarios``) with the
key set to that end of its plausible range (``Spec.plausible``, docs/scenarios.md), at the
stage's own replications and overrides (a smaller scale, fewer replicates than the nominal
study: stated in ``robustness/plan.json`` and the report). Replicate ``k`` uses the same seed
as replicate ``k`` of the nominal study (common random numbers), and the end value is set
above the scenarios' own settings (like ``--set``), so only that key differs.

Which assumptions: the ``top_k`` most influential in a Morris screening (``morris``: its
results folder, whose ``tables/morris.csv`` ranks them by normalised μ*, the largest over its
outcomes), or, without Morris results, the first ``top_k`` of ``keys``. The report of the
folder (:mod:`mergesim.report.robustness`) recomputes the lever table at every end and labels
each lever's effect.

Example::

    [robustness]
    morris = "../results/levers_morris"     # a Morris results folder (relative to this file)
    keys = ["villagers.threshold_mean", "grievance.file_prob"]   # without Morris results
    top_k = 3
    replications = 3
    scenarios = ["*"]                       # label patterns (fnmatch) of the scenarios rerun
    smoke_scenarios = ["seed", "seed_minus_*"]   # --smoke: one context only
    [robustness.overrides]
    "villagers.scale" = 0.1
"""

from __future__ import annotations

import copy
import fnmatch
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mergesim.config.params import build_section, param
from mergesim.errors import ScenarioError, UserError
from mergesim.io import atomic_write_text, flatten
from mergesim.sweep.costs import SECONDS_POOL_START, Estimate, estimate
from mergesim.sweep.design import plan_runs
from mergesim.sweep.keys import check_scenario_keys, plausible_keys, scenario_keys
from mergesim.sweep.schema import Experiment
from mergesim.sweep.store import claim_folder, study_identity

log = logging.getLogger(__name__)

#: The stage's folder inside the experiment's results folder, and its plan.
FOLDER, PLAN = "robustness", "plan.json"
#: The ends of a plausible range, in order.
ENDS = ("low", "high")
#: The Morris ranking a Morris results folder holds (written by its report).
MORRIS_CSV = Path("tables") / "morris.csv"


@dataclass
class RobustnessParams:
    """The ``[robustness]`` table of an experiment file (``overrides`` is read separately)."""

    keys: list[str] = param(
        [],
        "-",
        "Assumptions to test (scenario keys with a plausible range), most influential first; "
        "used when 'morris' is empty or has no results yet.",
    )
    morris: str = param(
        "",
        "-",
        "A Morris results folder (relative to the experiment file) whose tables/morris.csv "
        "ranks the assumptions; its top_k are tested.",
    )
    top_k: int = param(3, "keys", "Assumptions tested, each at both ends.", lo=1, hi=50)
    replications: int = param(
        3, "runs", "Replications per scenario at each end (seeds of the nominal study).", lo=1,
        hi=1000,
    )  # fmt: skip
    scenarios: list[str] = param(
        ["*"], "-", "Label patterns (fnmatch) of the experiment's scenarios rerun at the ends."
    )
    smoke_scenarios: list[str] = param(
        [], "-", "Scenarios of the --smoke version (empty: the same as 'scenarios')."
    )
    smoke_top_k: int = param(1, "keys", "top_k of the --smoke version.", lo=1, hi=50)
    smoke_replications: int = param(1, "runs", "Replications of the --smoke version.", lo=1,
                                    hi=1000)  # fmt: skip


@dataclass
class Robustness:
    """A validated robustness stage: its settings and its free-form overrides."""

    params: RobustnessParams
    overrides: dict[str, Any] = field(default_factory=dict)


def load_robustness(exp: Experiment) -> Robustness | None:
    """The experiment's validated ``[robustness]`` table, or None when it has none.

    Raises:
        ScenarioError: Unknown key, wrong value, a key without a plausible range, or a pattern
            that matches none of the experiment's scenarios (one line naming file and key).
    """
    raw = exp.robustness
    if raw is None:
        return None
    src = str(exp.path)
    if not isinstance(raw, dict):
        raise ScenarioError("expected a table [robustness]", source=src, key="robustness")
    raw = dict(raw)
    overrides = flatten(raw.pop("overrides", {}))
    rp = build_section(RobustnessParams, raw, source=src, prefix="robustness.")
    check_scenario_keys(overrides, source=src, where="robustness.overrides")
    check_keys(rp.keys, source=src, where="robustness.keys")
    if not rp.keys and not rp.morris:
        raise ScenarioError(
            "give 'keys' (assumptions to test) or 'morris' (a Morris results folder)",
            source=src,
            key="robustness",
        )
    labels = [s.label for s in exp.scenarios]
    for pat in [*rp.scenarios, *rp.smoke_scenarios]:
        if not fnmatch.filter(labels, pat):
            raise ScenarioError(
                f"pattern {pat!r} matches no scenario; scenarios: {', '.join(labels)}",
                source=src,
                key="robustness.scenarios",
            )
    return Robustness(rp, overrides)


def check_keys(keys: list[str], *, source: str, where: str) -> None:
    """Raise a one-line error for a key that cannot be tested at the ends of its range."""
    have = plausible_keys()
    for k in keys:
        if k not in have:
            what = "unknown scenario key" if k not in scenario_keys() else "no plausible range"
            raise ScenarioError(
                f"'{k}': {what}; allowed: a numeric key with a plausible range: {', '.join(have)}",
                source=source,
                key=where,
            )


def rank_morris(morris: pd.DataFrame) -> list[str]:
    """Assumptions by influence: the largest normalised μ* over the outcomes, then the mean.

    Args:
        morris: ``key, metric, mu_star_norm`` rows (``tables/morris.csv``).
    """
    agg = morris.groupby("key")["mu_star_norm"].agg(["max", "mean"]).fillna(0.0)
    return list(agg.sort_values(["max", "mean"], ascending=False).index)


def choose_keys(exp: Experiment, rob: Robustness) -> tuple[list[str], str, Path | None]:
    """The assumptions tested, the sentence saying how they were chosen, and the Morris
    ranking used (None when the keys come from the file).

    Raises:
        UserError: No Morris results and no ``keys`` (one line saying what to run).
    """
    rp, src = rob.params, str(exp.path)
    k = rp.smoke_top_k if exp.smoke else rp.top_k
    if rp.morris:
        folder = (exp.path.parent / rp.morris).resolve()
        csv = folder / MORRIS_CSV
        if csv.is_file():
            ranked = rank_morris(pd.read_csv(csv))
            check_keys(ranked, source=str(csv), where="key")
            return ranked[:k], f"the {k} most influential in the Morris screening {folder}", csv
        if not rp.keys:
            raise UserError(
                f"no Morris results at {csv}; run the Morris screening first "
                "(mergesim sweep experiments/levers_morris.toml) or list 'keys'",
                source=src,
                key="robustness.morris",
            )
        log.warning("no Morris results at %s: testing the keys listed in %s", csv, src)
        return rp.keys[:k], f"listed in {exp.path.name}; no Morris results at {folder}", None
    return rp.keys[:k], f"listed in {exp.path.name}", None


@dataclass(frozen=True)
class End:
    """One end of one assumption's plausible range: its sub-study and folder name."""

    key: str
    end: str
    value: float | int

    @property
    def folder(self) -> str:
        """The sub-study's folder inside ``<out>/robustness/``."""
        return f"{self.key}-{self.end}"


def ends_of(keys: list[str]) -> list[End]:
    """Both ends of each key's plausible range (integers for integer keys)."""
    out = []
    for key in keys:
        tp, spec = scenario_keys()[key]
        for end, value in zip(ENDS, spec.plausible, strict=True):
            out.append(End(key, end, int(round(value)) if tp is int else float(value)))
    return out


def end_experiment(exp: Experiment, rob: Robustness) -> Experiment:
    """The experiment the ends rerun: the selected scenarios, the stage's replications and
    overrides (not in smoke mode: the smoke version's tiny scale stays), no robustness."""
    sub = copy.deepcopy(exp)
    keep = set()
    rp = rob.params
    for pat in (rp.smoke_scenarios or rp.scenarios) if exp.smoke else rp.scenarios:
        keep |= set(fnmatch.filter([s.label for s in exp.scenarios], pat))
    sub.scenarios = [s for s in exp.scenarios if s.label in keep]
    if exp.baseline not in keep:
        sub.params.baseline = sub.scenarios[0].label
    sub.params.replications = (
        rob.params.smoke_replications if exp.smoke else rob.params.replications
    )
    sub.overrides = {**exp.overrides, **({} if exp.smoke else rob.overrides)}
    sub.robustness = None
    return sub


def run_ends(
    exp: Experiment,
    rob: Robustness,
    out: Path,
    cli: dict[str, Any],
    *,
    dry_run: bool,
    force: bool,
    workers: int | None,
    run: Any = None,
) -> list[tuple[End, Any]]:
    """Run (or estimate) every end's sub-study into ``out/robustness/``; write its plan.

    Args:
        exp: The (sized) experiment.
        rob: Its robustness stage.
        out: The experiment's results folder.
        cli: The command line's overrides (``--set``, ``--scale``); the end value wins.
        dry_run: Only estimate.
        force: Move a sub-folder holding another study aside.
        workers: Processes (for the estimate).
        run: ``run(sub_experiment, folder, runs, cli_overrides, identity)`` runs one sub-study
            (:func:`mergesim.sweep.runner.run_sweep` with the caller's executor and options);
            unused by a dry run.

    Returns:
        ``(end, estimate or sweep result)`` per end.
    """
    keys, how, morris_csv = choose_keys(exp, rob)
    sub = end_experiment(exp, rob)
    root = out / FOLDER
    results = []
    for e in ends_of(keys):
        sets = {**cli, e.key: e.value}
        runs = plan_runs(sub, sets)
        folder = root / e.folder
        identity = study_identity(sub, sets)
        if dry_run:
            results.append((e, estimate(runs, folder, workers)))
            continue
        claim_folder(folder, identity, f"{exp.name}: {e.folder}", force=force)
        log.info("robustness: %s = %r (%s end), %d runs", e.key, e.value, e.end, len(runs))
        results.append((e, run(sub, folder, runs, sets, identity)))
    if not dry_run:
        plan = {
            "keys": keys,
            "chosen": how,
            "morris": str(morris_csv) if morris_csv else "",
            "ends": [asdict(e) | {"folder": e.folder} for e in ends_of(keys)],
            "replications": sub.params.replications,
            "scenarios": [s.label for s in sub.scenarios],
            "overrides": {**sub.overrides, **cli},
            "smoke": exp.smoke,
        }
        root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(root / PLAN, json.dumps(plan, indent=2, default=str) + "\n")
    return results


def stage_estimate(ends: list[tuple[End, Estimate]]) -> Estimate:
    """The robustness stage's runs as one estimate (its sub-studies run one after another)."""
    ests = [est for _, est in ends]
    todo = sum(e.todo for e in ests)
    first = ests[0]
    # One cost per run such that the stage's wall time is the sum of its sub-studies' (each
    # starts its own pool).
    wall = sum(e.run_seconds() for e in ests) - SECONDS_POOL_START
    per_run = wall * max(first.workers, 1) / todo if todo else 0.0
    return Estimate(
        total=sum(e.total for e in ests),
        done=sum(e.done for e in ests),
        todo=todo,
        workers=first.workers,
        seconds_per_run=per_run,
        basis=first.basis,
        bytes_per_run=first.bytes_per_run,
        load=first.load,
    )
