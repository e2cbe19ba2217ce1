"""The experiment reference (``docs/experiments.md``), generated from the experiment schema.

Every key of an experiment file is declared once, with :func:`~mergesim.config.params.param`,
in :mod:`mergesim.sweep.schema`; this module renders them, each design with an example
(the examples are loaded by the tests, so they stay valid), the statistics the report uses, the
command line's sizing options and the results folder's layout.
``scripts/gen_experiment_docs.py`` writes the file and a test checks that it is current.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from typing import Any

from mergesim.config.params import default_of, spec_of, type_name
from mergesim.config.toml_io import format_toml_value
from mergesim.metrics import METRICS, RUN_METRICS
from mergesim.plans.roles import GROUPS
from mergesim.province.params import REFERENCE as PROVINCE_REFERENCE
from mergesim.province.params import ProvinceParams
from mergesim.results.layout import SWEEP_LAYOUT
from mergesim.sweep.design import MIN_SAMPLES
from mergesim.sweep.discovery import DiscoveryParams
from mergesim.sweep.robustness import RobustnessParams
from mergesim.sweep.schema import (
    DesignParams,
    ExperimentParams,
    FactorParams,
    PlotParams,
    SmokeParams,
)

__all__ = ["EXAMPLES", "REGENERATE", "render_reference"]

#: How to regenerate the file; quoted in its header and in the test's failure message.
REGENERATE = "python scripts/gen_experiment_docs.py"

#: The two behavioural factors the sampling designs' examples share.
_BEHAVIOUR_FACTORS = """\
[[factors]]
key = "villagers.trust_mean"
range = [0.4, 0.8]

[[factors]]
key = "villagers.threshold_mean"
range = [0.3, 0.7]
"""

#: One example per design (paths relative to ``experiments/``), loaded by the tests.
EXAMPLES = {
    "factorial": """\
name = "agency_by_target"
description = "Agency service on and off, at three merger targets."
scenarios = ["../scenarios/seed_county.toml"]
replications = 5
metrics = ["post.travel_min_mean", "post.admin_in_village_share"]

[overrides]
"villagers.scale" = 0.05

[design]
method = "factorial"

[[factors]]
key = "services.agency_service"
label = "agency service"
values = [true, false]

[[factors]]
key = "plan.target_factor"
label = "target factor"
range = [1.5, 3.0]
steps = 3
""",
    "scenarios": """\
name = "packages"
description = "Two policy packages against the county as reported (no factors)."
baseline = "full"
replications = 10
metrics = ["post.travel_min_mean", "post.petitions_per10k"]

[[scenarios]]
label = "full"
path = "../scenarios/seed_county.toml"

[[scenarios]]               # a policy package: the base scenario and the keys it changes
label = "no_agency"
path = "../scenarios/seed_county.toml"
set = { "services.agency_service" = false }

[[scenarios]]
label = "no_merger"
path = "../scenarios/seed_county_none.toml"
""",
    "lhs": """\
name = "behaviour_lhs"
description = "Latin hypercube over two behavioural parameters."
scenarios = ["../scenarios/seed_county.toml"]
replications = 2
metrics = ["post.travel_min_mean"]

[design]
method = "lhs"
n = 32

"""
    + _BEHAVIOUR_FACTORS,
    "sobol": """\
name = "behaviour_sobol"
description = "Sobol indices of two behavioural parameters."
scenarios = ["../scenarios/seed_county.toml"]
replications = 1
metrics = ["post.travel_min_mean"]

[design]
method = "sobol"
n = 512              # base sample: 512 × (2 + 2) = 2,048 points

"""
    + _BEHAVIOUR_FACTORS
    + """
[smoke]
n = 8
""",
    "morris": """\
name = "behaviour_morris"
description = "Morris screening of two behavioural parameters."
scenarios = ["../scenarios/seed_county.toml"]
replications = 1
metrics = ["post.travel_min_mean"]

[design]
method = "morris"
n = 10               # trajectories: 10 × (2 + 1) = 30 points
levels = 4

"""
    + _BEHAVIOUR_FACTORS,
}

_DESIGNS = {
    "factorial": "Every combination of the factors' levels (`values`, or `steps` evenly "
    "spaced levels over a `range`). With no factors, the scenarios alone are compared.",
    "scenarios": "No factors: the scenarios are the comparison. Each row of the report is a "
    "scenario; Δ is its paired difference from the `baseline` scenario.",
    "lhs": "A Latin hypercube of `n` points over the factors' ranges (scipy.stats.qmc). Each "
    "point is a design point of its own: the report shows responses, not pooled levels; with "
    "one scenario there is no baseline point.",
    "sobol": "Saltelli's sample for Sobol indices (SALib; `n` a power of 2; "
    "N·(D + 2) points, N·(2D + 2) with `second_order`). The report gives first- and "
    "total-order indices with 95 % bootstrap intervals, marks unreliable ones, and draws "
    "their convergence on nested sub-samples (N/2, N/4, …).",
    "morris": "Morris elementary effects (SALib; `n` trajectories of D + 1 points on a "
    "`levels` grid). The report gives μ* with its 95 % bootstrap interval and σ per factor, "
    "per unit range of each factor, and their convergence over the first r/2, r/4, … "
    "trajectories.",
}

_COLUMNS = ("key", "type", "default", "allowed", "meaning")


def _rows(cls: type, prefix: str) -> Iterator[tuple[str, ...]]:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        spec = spec_of(f)
        if spec is None or dataclasses.is_dataclass(hints[f.name]):
            continue
        default = default_of(f)
        yield (
            f"`{prefix}{f.name}`",
            type_name(hints[f.name]),
            f"`{_text(default)}`",
            spec.allowed() + (f" ({spec.unit})" if spec.unit not in ("-", "") else ""),
            spec.doc,
        )


def _text(value: Any) -> str:
    try:
        return format_toml_value(value)
    except TypeError:
        return repr(value)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    out = ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _pattern(key: str) -> str:
    """A metric key with its outcome group or stage written as a placeholder."""
    for g, _ in GROUPS:
        if key.endswith(f"_{g}"):
            return key[: -len(g)] + "<group>"
    return key


def _interval_table() -> list[str]:
    """Which interval each metric family gets: the shares (dimensionless, in [0, 1]) a logit
    interval, the rest a t interval (a share whose replicate values leave [0, 1] falls back to
    t, and a `change.` window is a difference, never a share)."""
    families = {f: f for f in ("affair", "coverage", "flow", "petition")}
    rows = [
        "| family | Student-t on the logit (shares) | Student-t |",
        "|---|---|---|",
    ]
    for fam, name in families.items():
        keys = [k for k, m in METRICS.items() if m.family == fam]
        shares = list(dict.fromkeys(_pattern(k) for k in keys if METRICS[k].unit == "-"))
        other = list(dict.fromkeys(_pattern(k) for k in keys if METRICS[k].unit != "-"))
        rows.append(
            f"| {name} | {', '.join(f'`{k}`' for k in shares) or '–'} | "
            f"{', '.join(f'`{k}`' for k in other) or '–'} |"
        )
    run_shares = [k for k, m in RUN_METRICS.items() if m.unit == "-"]
    run_other = [k for k, m in RUN_METRICS.items() if m.unit != "-"]
    rows.append(
        f"| run (cadres) | {', '.join(f'`{k}`' for k in run_shares)} | "
        f"{len(run_other)} others (ages, counts, costs) |"
    )
    return rows + [""]


def render_reference() -> str:
    """The Markdown reference of experiment files."""
    top = [
        r
        for r in _rows(ExperimentParams, "")
        if r[0].strip("`") not in ("design", "plots", "smoke")
    ]
    queue = sorted(k for k, m in METRICS.items() if getattr(m, "min_scale", None) is not None)
    parts = [
        "# Experiment reference",
        "",
        f"<!-- Generated from src/mergesim/sweep/schema.py by `{REGENERATE}`; do not edit. -->",
        "",
        "An experiment file (TOML, `experiments/*.toml`) says what a sweep compares: base "
        "scenarios, factors (any scenario key of docs/scenarios.md) and a design; how many "
        "replications; which metrics (docs/metrics.md) the report compares; which figures it "
        "draws. `mergesim validate FILE` checks it (every run's scenario is built); "
        "`mergesim sweep FILE --dry-run` counts the runs and estimates time and disk. An "
        "unknown key, a wrong type or a value out of range is one line naming the file, the "
        "key and what is allowed.",
        "",
        "## Top level",
        "",
        *_table(top),
        "Read separately (lists and free-form tables):",
        "",
        "- `scenarios` (required): a list of scenario files (paths relative to the "
        'experiment file), or tables `{ label = "...", path = "...", set = { ... } }`: a '
        "base scenario plus the dotted keys it changes (a policy package). Labels default to "
        "the file's stem and name the scenario in tables and figures. The `baseline` (default: "
        "the first) is what the others are compared with.",
        '- `[overrides]`: dotted scenario keys set on every run, e.g. `"villagers.scale" = 0.05`.',
        "- `[[factors]]`: the swept factors (below).",
        "",
        "Precedence of settings: the scenario file < `[overrides]` < the entry's `set` < the "
        "command line's `--set` and `--scale` < the factor values < the run seed.",
        "",
        "## `[design]`",
        "",
        *_table(list(_rows(DesignParams, "design."))),
        "## `[[factors]]`",
        "",
        "One table per factor: a dotted scenario key and its levels (`values`) or a numeric "
        "`range`; `also` sets other keys to the same value at every point.",
        "",
        *_table(list(_rows(FactorParams, ""))),
        "## `[plots]`",
        "",
        *_table(list(_rows(PlotParams, "plots."))),
        "`plots.formats` is the one option for image formats: PNG (raster) plus SVG or PDF "
        "(vector) for papers; `mergesim sweep|plot|compare|run --formats png,pdf` overrides "
        "it.",
        "",
        "## `[smoke]`",
        "",
        "The small version `mergesim sweep FILE --smoke` runs (CI, a quick check; results in "
        "`results/<name>-smoke/`); `[smoke.overrides]` are dotted scenario keys set on top "
        "of `[overrides]` (a tiny scale, a short timeline).",
        "",
        *_table(list(_rows(SmokeParams, "smoke."))),
        *_robustness_section(),
        "## `[discovery]`: scenario discovery",
        "",
        "Under which values of the assumptions does one scenario's effect against another "
        "pass a threshold? With a `discovery` table, the report takes at every design point "
        "the paired effect `reform` − `counterfactual` on each outcome (run by run on the same "
        "point, replicate and seed, averaged over the replicates); a point is a *case* when "
        "that effect is above the outcome's threshold. PRIM (Friedman and Fisher 1999; the "
        "`prim` package, `pip install 'mergesim[discovery]'`) then peels the design's box of "
        "factor values towards the cases. The box reported is, of the boxes on PRIM's "
        "peeling and pasting trajectory with density ≥ `min_density`, the one of highest "
        "coverage (ties: fewer restricted dimensions, then larger mass); *coverage* is the "
        "share of the cases inside the box, *density* the share of its points that are cases, "
        "*mass* the share of all points inside it. With `boxes` > 1, PRIM looks for further "
        "boxes among the points outside. Results: the table `prim_boxes.csv` in "
        "`<out>/tables/` (one row per "
        "restricted factor: `outcome, threshold, box, coverage, density, mass, n_cases, "
        "n_points, param, lo, hi`, where `n_cases` and `n_points` count the whole design; a "
        "side PRIM did not peel is given at the factor's range end), a figure per outcome and "
        "a section of `report.md`. No case, or every point a case, is reported as such (no "
        "box); `prim_searches.csv` has one row per outcome searched, boxes or not (`outcome, "
        "threshold, status, n_points, n_cases, best_density, min_density`; `status` is "
        "`boxes`, `no cases`, `all cases`, `no box`, `no points` or `no prim`), so a search "
        "that found nothing is told, not dropped. Use a Latin hypercube over the "
        "assumptions' plausible ranges and scenarios "
        "run at every point (`experiments/levers_discovery.toml`).",
        "",
        *_table(list(_rows(DiscoveryParams, "discovery."))),
        '## `[province]` (`kind = "province"`)',
        "",
        *PROVINCE_REFERENCE.split("\n"),
        "",
        *_table(list(_rows(ProvinceParams, "province."))),
        "## Designs",
        "",
    ]
    for name, text in _DESIGNS.items():
        parts += [f"### {name}", "", text, ""]
        if name in MIN_SAMPLES:
            what = "base sample N" if name == "sobol" else "trajectories r"
            parts += [
                f"Indices from a {what} below **{MIN_SAMPLES[name]}** are marked unreliable "
                "(with a warning when the sweep starts), and so is any index whose 95 % "
                "interval is wider than the index, "
                + ("that lies outside [0, 1] by more than its interval, " if name == "sobol"
                   else "")
                + "or that has no finite interval. Sources and rules: "
                "`mergesim.sweep.sensitivity`.",
                "",
            ]  # fmt: skip
        parts += ["```toml", EXAMPLES[name].rstrip("\n"), "```", ""]
    parts += [
        "## The command line sizes the study",
        "",
        "`mergesim sweep FILE` takes the study's size from the file; these options override "
        "it (and are recorded in the resolved `experiment.toml` and `manifest.json`):",
        "",
        "- `--replications N`: replications per design point. Replicate k uses one seed in "
        "every scenario and point (common random numbers), so adding replications resumes "
        "the same study.",
        "- `--scale F`: `villagers.scale` of every run (0.0001 ≤ F ≤ 1, the key's range).",
        "- `--samples N`: the design's `n` (LHS points, Sobol base sample, Morris "
        "trajectories; not for factorial designs).",
        "- `--formats png,svg`: image formats of the figures.",
        "",
        "A results folder holds one study (name, seed, design, scenarios, factors and "
        "overrides, the command line's included; not the replications). A sweep into a folder "
        "that holds another is refused with one line; `--force` moves the old folder aside "
        "(`<out>.replaced-<time>`) and starts afresh.",
        "",
        "## Statistics in the report",
        "",
        "- Every table and figure has one entry per **design point** (a scenario with its "
        "factor values); only its replicates pool, never different factor levels.",
        "- Means carry a 95 % Student-t interval over replicates. Shares (dimensionless "
        "metrics with values in [0, 1]: `*_share`, coverage, the stability index, the Gini, "
        "mean grievance) carry a Student-t interval on the logit, back-transformed, so it stays "
        "inside [0, 1]; a run's affairs are not independent, so no interval is computed from "
        "pooled counts (Wilson), and 3–5 replicates are too few for a bootstrap "
        "(`mergesim.plotting.intervals`).",
        "",
        *_interval_table(),
        "- Δ: the paired difference (same replicate, hence the same seed) from the point's "
        "baseline — the baseline scenario at the same factor values, or, with one scenario, "
        "the first point of a factorial design — with its Student-t interval.",
        "- Fewer than 5 replicates: marked *few* next to the number.",
        "- Numbers with three significant figures; every table also as CSV in `<out>/tables/`.",
        "- Metrics documented as biased below a `villagers.scale` (queue metrics: "
        + ", ".join(f"`{k}`" for k in queue)
        + ") get a warning when a sweep runs below it.",
        "",
        "## The results folder",
        "",
        "`results/<name>/` (each folder also holds this as its `README.md`):",
        "",
        "| path | what it holds |",
        "|---|---|",
        *[f"| `{e.path}` | {_cell(e.what)} |" for e in SWEEP_LAYOUT],
        "",
    ]
    return "\n".join(parts)


def _robustness_section() -> list[str]:
    """How a conclusion's robustness to the assumptions is tested, and what the labels mean."""
    return [
        "## `[robustness]`: is a conclusion robust to the assumptions?",
        "",
        "Two steps, each one command. (1) A Morris screening ranks the assumptions by their "
        "influence over their plausible ranges (`mergesim sweep experiments/levers_morris.toml`; "
        'its factors take `range = "plausible"`, the range the schema states next to each key, '
        "column *plausible* of docs/scenarios.md; a key without one is refused). Its "
        "`<out>/tables/morris.csv` gives μ* per assumption and outcome, normalised by the largest "
        "(`mu_star_norm`). The screening is of the seed county's outcomes, not of the measures' "
        "effects (a Morris design takes one scenario): it picks candidates. (2) "
        "`mergesim sweep experiments/levers.toml` runs the lever table and then, with a "
        "`[robustness]` table, every scenario again with each of the `top_k` most influential "
        "assumptions at the low and the high end of its plausible range "
        "(`<out>/robustness/<key>-low|high/`, same seeds, the stage's own replications and "
        "overrides, usually fewer and smaller; `--dry-run` estimates both stages, `--smoke` "
        "runs a tiny version of both). Without Morris results the first `top_k` of `keys` are "
        "tested (the report says which).",
        "",
        "`<out>/tables/robustness.csv` labels each measure × context × metric "
        "(`mergesim.report.robustness`):",
        "",
        "- **robust**: the sign of the effect (+, − or 0) at every end equals the nominal sign;",
        "- **depends on X; Y**: it differs at an end of X (and of Y); `depends_on` lists them, "
        "';'-joined;",
        "- **no clear effect**: the nominal 95 % interval covers 0, so there is no sign to "
        "keep (`depends_on` still lists the keys whose ends flip it);",
        "- **not tested**: no end has a finite effect.",
        "",
        "Only signs are compared, because the ends run smaller than the nominal table.",
        "",
        *_table(list(_rows(RobustnessParams, "robustness."))),
        "`[robustness.overrides]`: dotted scenario keys set on every end run (not in "
        "`--smoke`, which keeps the smoke scale).",
        "",
    ]
