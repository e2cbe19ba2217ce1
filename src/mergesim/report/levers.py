"""The lever table: each measure's paired effect, in two contexts, per outcome and group; and
the decomposition of the reform's effect into the merger, the measures and their interaction.

A levers experiment (``experiments/levers.toml``) names its scenarios by a convention this
module reads:

- the four corners: ``seed`` (the reform as reported), ``merger_only`` (the merger without its
  companion measures), ``none`` (no merger, no measures) and ``none_measures`` (the companion
  measures without merging);
- ``seed_minus_<measure>``: the seed county without the measure;
- ``merger_plus_<measure>`` / ``merger_minus_<measure>``: the merger alone with the measure
  added, or without it when the merger alone already has it.

A measure's effect is always (with the measure) − (without it): ``merger_plus_m − merger_only``,
``merger_only − merger_minus_m``, ``seed − seed_minus_m``. The differences are the report's
paired differences (:func:`mergesim.plotting.compare.paired_data`: run ``k`` minus run ``k`` of
the other scenario, same seed, Student-t interval); a minus scenario's difference from its
context is negated (the negated interval of a mean is the interval of the negated mean).

The decomposition: per replicate, ``reform = seed − none``, ``merger = merger_only − none``,
``measures = none_measures − none`` and ``interaction = reform − merger − measures``; the same
replicates enter every term, so the terms' means add up exactly, each with its Student-t
interval (:func:`mergesim.plotting.intervals.t_interval`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mergesim.plans.roles import GROUPS
from mergesim.plotting import compare as pc
from mergesim.plotting.intervals import FEW_REPLICATES, fmt_sig, t_interval
from mergesim.plotting.labels import metric_label
from mergesim.plotting.levers import lever_forest_data, plot_lever_forest
from mergesim.report.figures import save

#: The corners of the decomposition (scenario labels).
SEED, MERGER, NONE, NONE_MEASURES = "seed", "merger_only", "none", "none_measures"
CORNERS = (SEED, MERGER, NONE, NONE_MEASURES)
#: Scenario label prefixes: (prefix, context, the context's corner, sign of label − corner).
PREFIXES = (
    ("seed_minus_", "seed", SEED, -1),
    ("merger_plus_", "merger alone", MERGER, 1),
    ("merger_minus_", "merger alone", MERGER, -1),
)
#: The worst-off decile's metrics (a group of its own).
WORST_DECILE = "worst_decile"
#: The decomposition's terms in order; ``reform`` is the sum of the other three.
TERMS = ("reform", "merger", "measures", "interaction")

LEVER_COLUMNS = [
    "measure",
    "context",
    "scenario",
    "versus",
    "metric",
    "outcome_group",
    "n_pairs",
    "effect",
    "ci_lo",
    "ci_hi",
    "few",
]


@dataclass(frozen=True)
class LeverPair:
    """One measure in one context: ``scenario`` against its context's corner ``versus``."""

    measure: str
    context: str
    scenario: str
    versus: str
    sign: int


def lever_pairs(scenarios: Sequence[str]) -> list[LeverPair]:
    """The lever scenarios among ``scenarios`` (by the label convention), in their order.

    Args:
        scenarios: Scenario labels of an experiment.

    Returns:
        One pair per lever scenario whose context corner is among ``scenarios``.
    """
    have = set(scenarios)
    out = []
    for s in scenarios:
        for prefix, context, corner, sign in PREFIXES:
            if s.startswith(prefix) and len(s) > len(prefix) and corner in have:
                out.append(LeverPair(s[len(prefix) :], context, s, corner, sign))
    return out


def outcome_group(metric: str) -> str:
    """The outcome group a metric describes: a group of :data:`mergesim.plans.roles.GROUPS`
    (its name is the metric's suffix), ``worst_decile``, or ``all`` (every villager)."""
    name = metric.split(".", 1)[-1]
    for g, _ in GROUPS:
        if name.endswith(f"_{g}"):
            return g
    return WORST_DECILE if "worst_decile" in name else "all"


def _one_point(runs: pd.DataFrame) -> bool:
    """Whether every scenario ran at one design point (a levers experiment has no factors: the
    report never pools different factor levels)."""
    return "point" not in runs or runs["point"].nunique() <= 1


def _scenario_runs(runs: pd.DataFrame, pairs: Sequence[LeverPair]) -> pd.DataFrame:
    """The runs with ``group`` = scenario and ``base_group`` = the lever's context corner."""
    base = {p.scenario: p.versus for p in pairs}
    scen = runs["scenario"].astype(str)
    return runs.assign(**{pc.GROUP: scen, pc.BASE: scen.map(base)})


def lever_table(runs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Per measure, context and metric: the paired effect of the measure with its interval.

    Args:
        runs: The tidy runs table (``scenario``, ``replicate``, ``status`` and the metrics).
        metrics: Summary metrics (runs-table columns) to give effects for.

    Returns:
        :data:`LEVER_COLUMNS`, one row per lever scenario and metric present in ``runs``, in
        the scenarios' order; ``effect`` = with − without the measure. Empty when there are
        no lever scenarios or the design has several points (factors).
    """
    pairs = lever_pairs(list(dict.fromkeys(runs["scenario"].astype(str))))
    if not pairs or not _one_point(runs):
        return pd.DataFrame(columns=LEVER_COLUMNS)
    tagged = _scenario_runs(runs, pairs)
    rows = []
    for m in (m for m in metrics if m in runs.columns):
        paired = pc.paired_data(tagged, m).set_index("group")
        for p in pairs:
            if p.scenario not in paired.index:
                continue
            d = paired.loc[p.scenario]
            lo, hi = sorted((p.sign * d["ci_lo"], p.sign * d["ci_hi"]))
            rows.append(
                {
                    "measure": p.measure,
                    "context": p.context,
                    "scenario": p.scenario,
                    "versus": p.versus,
                    "metric": m,
                    "outcome_group": outcome_group(m),
                    "n_pairs": int(d["n_pairs"]),
                    "effect": p.sign * d["mean_diff"],
                    "ci_lo": lo,
                    "ci_hi": hi,
                    "few": int(d["n_pairs"]) < FEW_REPLICATES,
                }
            )
    return pd.DataFrame(rows, columns=LEVER_COLUMNS)


DECOMPOSITION_COLUMNS = ["metric", "outcome_group", "term", "n_pairs", "effect", "ci_lo", "ci_hi"]


def decomposition(runs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """reform − no merger = merger alone + measures + interaction, per metric.

    Only replicates where all four corners finished with a finite value enter, so the terms'
    means add up exactly (``reform = merger + measures + interaction``).

    Args:
        runs: The tidy runs table with the four corner scenarios (:data:`CORNERS`).
        metrics: Summary metrics (runs-table columns).

    Returns:
        :data:`DECOMPOSITION_COLUMNS`, four rows (:data:`TERMS`) per metric; empty when a
        corner is missing or the design has several points (factors).
    """
    scen = runs["scenario"].astype(str)
    if not set(CORNERS) <= set(scen) or not _one_point(runs):
        return pd.DataFrame(columns=DECOMPOSITION_COLUMNS)
    keep = scen.isin(CORNERS)
    if "status" in runs:
        keep &= runs["status"] == "ok"
    ok = runs[keep]
    rows = []
    for m in (m for m in metrics if m in runs.columns):
        wide = ok.pivot_table(index="replicate", columns="scenario", values=m, aggfunc="first")
        wide = wide.reindex(columns=list(CORNERS)).astype(float)
        wide = wide[np.isfinite(wide.to_numpy()).all(axis=1)]
        total = wide[SEED] - wide[NONE]
        merger = wide[MERGER] - wide[NONE]
        measures = wide[NONE_MEASURES] - wide[NONE]
        terms = {
            "reform": total,
            "merger": merger,
            "measures": measures,
            "interaction": total - merger - measures,
        }
        for term in TERMS:
            mean, lo, hi = t_interval(terms[term].to_numpy())
            rows.append(
                {
                    "metric": m,
                    "outcome_group": outcome_group(m),
                    "term": term,
                    "n_pairs": len(wide),
                    "effect": mean,
                    "ci_lo": lo,
                    "ci_hi": hi,
                }
            )
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)


def draw_lever_figures(root: Path, levers: pd.DataFrame, formats: Sequence[str]) -> list[Path]:
    """One forest figure per metric of the lever table, ``figures/levers_<metric>.<fmt>``:
    every measure's effect with its interval, both contexts
    (:func:`mergesim.plotting.levers.plot_lever_forest`)."""
    files: list[Path] = []
    for m in dict.fromkeys(levers["metric"]) if len(levers) else ():
        fig = plot_lever_forest(lever_forest_data(levers, m), m)
        files += save(fig, root, f"levers_{m}", formats)
    return files


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def _cell(effect: float, lo: float, hi: float, few: bool = False) -> str:
    if not math.isfinite(effect):
        return "–"
    text = fmt_sig(effect)
    if math.isfinite(lo) and math.isfinite(hi):
        text += f" [{fmt_sig(lo)}, {fmt_sig(hi)}]"
        if lo > 0 or hi < 0:
            text = f"**{text}**"
    return text + (" *few*" if few else "")


def levers_markdown(levers: pd.DataFrame, decomp: pd.DataFrame) -> list[str]:
    """The report's sections: one lever table per metric (measure × context) and the
    decomposition table. Bold: the 95 % interval excludes 0."""
    out: list[str] = []
    if len(levers):
        out += [
            "## Levers: each measure's effect",
            "",
            "Effect of each measure = (with it) − (without it), paired on the replicate, "
            "with its 95 % Student-t interval; **bold**: the interval excludes 0. *seed*: the "
            "seed county minus the measure; *merger alone*: seed_county_merger_only plus the "
            "measure (or minus it, when the merger alone has it). Full table: "
            "`tables/levers.csv`.",
            "",
        ]
        contexts = list(dict.fromkeys(levers["context"]))
        for m, part in levers.groupby("metric", sort=False):
            out += [f"### {metric_label(m)} (`{m}`)", ""]
            out += ["| measure | " + " | ".join(contexts) + " |"]
            out += ["|---" * (len(contexts) + 1) + "|"]
            for measure, rows in part.groupby("measure", sort=False):
                by = {r["context"]: r for _, r in rows.iterrows()}
                cells = [
                    _cell(by[c]["effect"], by[c]["ci_lo"], by[c]["ci_hi"], by[c]["few"])
                    if c in by
                    else "–"
                    for c in contexts
                ]
                out.append(f"| {measure} | " + " | ".join(cells) + " |")
            out.append("")
    if len(decomp):
        out += [
            "## Decomposition: reform − no merger = merger alone + measures + interaction",
            "",
            "Per replicate: reform = seed − none; merger = merger_only − none; measures = "
            "none_measures − none; interaction = reform − merger − measures (the same "
            "replicates in every term, so the means add up). 95 % Student-t intervals. Full "
            "table: `tables/decomposition.csv`.",
            "",
            "| metric | " + " | ".join(TERMS) + " |",
            "|---" * (len(TERMS) + 1) + "|",
        ]
        for m, part in decomp.groupby("metric", sort=False):
            by = {r["term"]: r for _, r in part.iterrows()}
            cells = [_cell(by[t]["effect"], by[t]["ci_lo"], by[t]["ci_hi"]) for t in TERMS]
            out.append(f"| {metric_label(m)} | " + " | ".join(cells) + " |")
        out.append("")
    return out
