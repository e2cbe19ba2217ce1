"""The ``[discovery]`` section of an experiment: scenario discovery with PRIM.

Over a design of assumption values (a Latin hypercube of ``[[factors]]``), the report
(:mod:`mergesim.report.discovery`) takes, per design point, the paired effect of one scenario
(``reform``) against another (``counterfactual``) on each outcome — run ``k`` minus run ``k``,
same seed, averaged over the replicates — and lets PRIM (Friedman and Fisher 1999, "Bump hunting
in high-dimensional data", Statistics and Computing 9: 123–143) find boxes of assumption values
where the effect exceeds the outcome's threshold. Example::

    [discovery]
    reform = "seed"
    counterfactual = "none"
    outcomes = ["post.petitions_per10k", "post.travel_worst_decile_min"]
    thresholds = [10.0, 2.0]     # in each outcome's unit; a case: effect > threshold
    min_density = 0.8            # the box: highest coverage among those this dense

An experiment that runs no discovery itself can show another's boxes in its report::

    [discovery]
    include = "../results/levers_discovery"

This module only validates the settings; the sweep passes them to the report as a dict.
"""

from __future__ import annotations

from dataclasses import dataclass

from mergesim.config.params import param
from mergesim.errors import ScenarioError


@dataclass
class DiscoveryParams:
    """Scenario discovery (PRIM) over the design's factors; off while ``outcomes`` is empty."""

    reform: str = param(
        "", "-", "Label of the scenario whose effect is studied (e.g. the seed county's reform)."
    )
    counterfactual: str = param(
        "",
        "-",
        "Label of the scenario it is compared with, replicate by replicate (e.g. no merger).",
    )
    outcomes: list[str] = param(
        [],
        "-",
        "Summary metrics ('window.metric') whose paired effect defines the cases; empty: no "
        "scenario discovery.",
    )
    thresholds: list[float] = param(
        [],
        "unit of the outcome",
        "One per outcome: a design point is a case when its mean paired effect (reform − "
        "counterfactual) is above it.",
    )
    peel_alpha: float = param(
        0.05,
        "-",
        "Share of the remaining points PRIM peels off per step (Friedman and Fisher 1999 "
        "recommend 0.05–0.10).",
        lo=0.01,
        hi=0.5,
        source="Friedman and Fisher (1999)",
    )
    paste_alpha: float = param(
        0.05,
        "-",
        "Share of the box's points PRIM may add back per pasting step.",
        lo=0.01,
        hi=0.5,
        source="Friedman and Fisher (1999)",
    )
    min_mass: float = param(
        0.05,
        "-",
        "Least share of all design points a box may hold (PRIM's minimum support): a peel "
        "below it is not taken.",
        lo=0.0,
        hi=1.0,
    )
    min_density: float = param(
        0.8,
        "-",
        "The reported box: of the boxes on PRIM's peeling and pasting trajectory whose density "
        "(share of its points that are cases) is at least this, the one of highest coverage "
        "(ties: fewer restricted dimensions, then larger mass); none reaches it: no box.",
        lo=0.0,
        hi=1.0,
        source="Bryant and Lempert (2010), Technological Forecasting and Social Change 77: "
        "34–49 (coverage–density trade-off)",
    )
    boxes: int = param(
        1,
        "boxes",
        "Boxes per outcome at most: after a box, PRIM looks for the next among the points "
        "outside it (covering).",
        lo=1,
        hi=10,
    )
    include: str = param(
        "",
        "-",
        "Another experiment's results folder (relative to this experiment file) whose PRIM "
        "boxes this report shows, table and figures, when this experiment runs no discovery "
        "of its own (a levers experiment takes them from levers_discovery's run; its --smoke "
        "version from '<folder>-smoke'); empty: none.",
    )


def check_discovery(
    d: DiscoveryParams, labels: list[str], n_ranges: int, metrics: tuple[str, ...], source: str
) -> None:
    """Check the cross-references of a ``[discovery]`` section.

    Args:
        d: The validated section.
        labels: The experiment's scenario labels.
        n_ranges: How many factors the design samples over a numeric range.
        metrics: Every valid 'window.metric' name.
        source: The experiment file (for the message).

    Raises:
        ScenarioError: One line naming the key and what is allowed.
    """
    if d.outcomes and d.include:
        raise ScenarioError(
            "give either outcomes (this experiment's own discovery) or include (another "
            "experiment's results), not both",
            source=source,
            key="discovery.include",
        )
    if not d.outcomes:
        if d.thresholds:
            raise ScenarioError(
                "thresholds without outcomes; list the outcomes they belong to",
                source=source,
                key="discovery.outcomes",
            )
        return
    for key in ("reform", "counterfactual"):
        value = getattr(d, key)
        if value not in labels:
            raise ScenarioError(
                f"unknown scenario label '{value}'; allowed: one of {', '.join(labels)}",
                source=source,
                key=f"discovery.{key}",
            )
    if d.reform == d.counterfactual:
        raise ScenarioError(
            "reform and counterfactual must be different scenarios",
            source=source,
            key="discovery.counterfactual",
        )
    if len(d.thresholds) != len(d.outcomes):
        raise ScenarioError(
            f"{len(d.thresholds)} thresholds for {len(d.outcomes)} outcomes; give one per outcome",
            source=source,
            key="discovery.thresholds",
        )
    for m in d.outcomes:
        if m not in metrics:
            raise ScenarioError(
                f"unknown metric '{m}'; allowed: 'window.metric' of docs/metrics.md",
                source=source,
                key="discovery.outcomes",
            )
    if len(set(d.outcomes)) < len(d.outcomes):
        raise ScenarioError("an outcome is listed twice", source=source, key="discovery.outcomes")
    if n_ranges == 0:
        raise ScenarioError(
            "scenario discovery needs [[factors]] with a numeric range (the assumptions PRIM "
            "restricts)",
            source=source,
            key="discovery",
        )
