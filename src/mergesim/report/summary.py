"""The plain-language summary of a levers report, generated from its tables alone.

Every sentence is a template filled with numbers from the tables (``tables/levers.csv``,
``tables/decomposition.csv`` and, when they exist, ``tables/robustness.csv`` and
``tables/prim_boxes.csv``); nothing is written by hand. An effect is called *clear* when its
95 % interval excludes zero; an interval that covers zero is reported as an effect not
distinguishable from zero at this sample (never as "no effect"), and effects that rest on fewer
than :data:`~mergesim.plotting.intervals.FEW_REPLICATES` replicate pairs say so.
"""

from __future__ import annotations

import math

import pandas as pd

from mergesim.plotting.intervals import FEW_REPLICATES, fmt_estimate, fmt_sig
from mergesim.plotting.labels import metric_label, registry_entry
from mergesim.plotting.levers import measure_name
from mergesim.report.discovery import BOXES, status_text

#: Outcome groups whose metrics are the summary's headline outcomes (every villager, and the
#: worst-off decile); the per-group metrics are summarised by their largest clear effect.
HEADLINE_GROUPS = ("all", "worst_decile")
#: Clear effects listed per outcome and context at most (the rest are counted).
TOP = 5
#: How the decomposition's terms are named in sentences.
TERM_NAMES = {
    "reform": "reform − no merger",
    "merger": "merger alone",
    "measures": "measures without merging",
    "interaction": "interaction",
}
CONTEXT_NAMES = {
    "seed": "in the seed county (the measure removed)",
    "merger alone": "with the merger alone (the measure added, or removed where it has it)",
}


def clear(row) -> bool:
    """Whether a row's 95 % interval excludes zero."""
    lo, hi = float(row["ci_lo"]), float(row["ci_hi"])
    return math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or hi < 0)


def estimate_text(row) -> str:
    """``"−1.23 [−2.01, −0.45]"``: a row's effect and its 95 % interval."""
    return fmt_estimate(float(row["effect"]), float(row["ci_lo"]), float(row["ci_hi"]))


def _spread(row) -> str:
    """A note for an interval of zero width: the paired differences were all equal (a
    degenerate t interval, not precision)."""
    return (
        " (the same in every pair: no spread to estimate)" if row["ci_lo"] == row["ci_hi"] else ""
    )


def headline_metrics(levers: pd.DataFrame) -> list[str]:
    """The lever table's metrics of the headline groups, in the table's order."""
    part = levers[levers["outcome_group"].isin(HEADLINE_GROUPS)]
    return list(dict.fromkeys(part["metric"]))


def _few_text(part: pd.DataFrame) -> str:
    n = part["n_pairs"].astype(int)
    if not len(n) or n.min() >= FEW_REPLICATES:
        return ""
    span = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
    return (
        f" These effects rest on {span} replicate pairs (fewer than {FEW_REPLICATES}): the "
        "intervals assume the normality of so few values and are wide."
    )


def ranked_clear(part: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``part`` whose interval excludes zero, largest absolute effect first."""
    rows = part[[clear(r) for _, r in part.iterrows()]]
    return rows.reindex(rows["effect"].abs().sort_values(ascending=False, kind="stable").index)


def _context_sentence(part: pd.DataFrame, context: str) -> str:
    where = CONTEXT_NAMES.get(context, f"in the context '{context}'")
    n = part["measure"].nunique()
    top = ranked_clear(part)
    if top.empty:
        return (
            f"{where[0].upper()}{where[1:]}, none of the {n} measures' 95 % intervals excludes "
            "zero (no effect distinguishable from zero at this sample)."
        )
    listed = "; ".join(
        f"{measure_name(r['measure'])} {estimate_text(r)}{_spread(r)}"
        for _, r in top.head(TOP).iterrows()
    )
    more = f"; and {len(top) - TOP} more" if len(top) > TOP else ""
    return (
        f"{where[0].upper()}{where[1:]}, {len(top)} of {n} measures "
        f"{'has' if len(top) == 1 else 'have'} a 95 % interval that "
        f"excludes zero, largest first: {listed}{more}. The other {n - len(top)} intervals "
        "cover zero."
    )


def _robust_sentence(part: pd.DataFrame, robustness: pd.DataFrame, metric: str) -> str:
    """Which of the clear effects of ``part`` are robust, and which depend on what."""
    rob = robustness[robustness["metric"] == metric]
    if rob.empty:
        return ""
    by = {(r["measure"], r["context"]): r for _, r in rob.iterrows()}
    robust, depends, unclear, untested = [], [], [], []
    for _, r in ranked_clear(part).iterrows():
        name = f"{measure_name(r['measure'])} ({r['context']})"
        hit = by.get((r["measure"], r["context"]))
        if hit is None:
            untested.append(name)
        elif str(hit["label"]) == "robust":
            robust.append(name)
        elif str(hit["label"]).startswith("depends on"):
            on = hit.get("depends_on")
            on = on if isinstance(on, str) and on else str(hit["label"])[len("depends on ") :]
            depends.append(f"{name} on `{on}`")
        else:
            unclear.append(name)
    parts = []
    if robust:
        parts.append("robust (the sign holds at every range end tested): " + ", ".join(robust))
    if depends:
        parts.append("depends on an assumption: " + ", ".join(depends))
    if unclear:
        parts.append("no clear effect at some range end: " + ", ".join(unclear))
    if untested:
        parts.append("not in the robustness table: " + ", ".join(untested))
    return ("Robustness of these effects — " + "; ".join(parts) + ".") if parts else ""


def decomposition_sentence(decomp: pd.DataFrame, metric: str) -> str:
    """One sentence: reform − no merger = merger alone + measures + interaction, with intervals
    (empty if the metric is not in the decomposition)."""
    part = decomp[decomp["metric"] == metric]
    by = {r["term"]: r for _, r in part.iterrows()}
    if "reform" not in by:
        return ""
    terms = [t for t in ("merger", "measures", "interaction") if t in by]
    text = (
        f"Decomposition: {TERM_NAMES['reform']} {estimate_text(by['reform'])} = "
        + " + ".join(f"{TERM_NAMES[t]} {estimate_text(by[t])}" for t in terms)
        + "."
    )
    clear_terms = [TERM_NAMES[t] for t in terms if clear(by[t])]
    if clear_terms:
        text += " The 95 % interval excludes zero for: " + ", ".join(clear_terms) + "."
    else:
        text += " No term's 95 % interval excludes zero."
    return text


def _outcome_name(outcome: str) -> str:
    return metric_label(outcome) if registry_entry(outcome) is not None else outcome


def prim_sentences(prim: pd.DataFrame | None, searches: pd.DataFrame | None = None) -> list[str]:
    """One sentence per PRIM box (its restricted dimensions, coverage, density and mass), then
    one per outcome whose search found no box, saying why.

    Args:
        prim: ``tables/prim_boxes.csv`` (None or empty: no box).
        searches: ``tables/prim_searches.csv``, or None when the folder has none.
    """
    out = []
    if prim is None:
        prim = pd.DataFrame(columns=["outcome", "threshold", "box"])
    for (outcome, threshold, box), part in prim.groupby(
        ["outcome", "threshold", "box"], sort=False
    ):
        first = part.iloc[0]
        dims = " and ".join(
            f"`{r['param']}` in [{fmt_sig(float(r['lo']))}, {fmt_sig(float(r['hi']))}]"
            for _, r in part.iterrows()
            if isinstance(r.get("param"), str)
        )
        out.append(
            f"- {_outcome_name(str(outcome))}, threshold {fmt_sig(float(threshold))}, box "
            f"{box}: {dims or 'no restricted dimension'}; coverage "
            f"{fmt_sig(float(first['coverage']))}, density {fmt_sig(float(first['density']))}, "
            f"mass {fmt_sig(float(first['mass']))} ({int(first['n_cases'])} cases among "
            f"{int(first['n_points'])} points)."
        )
    if searches is not None:
        for row in searches[searches["status"] != BOXES].itertuples(index=False):
            out.append(
                f"- {_outcome_name(str(row.outcome))}, threshold {fmt_sig(float(row.threshold))}: "
                f"{status_text(row, float(row.min_density))}"
            )
    return out


def _group_sentence(part: pd.DataFrame, metric: str) -> str:
    top = ranked_clear(part)
    if top.empty:
        return f"- {metric_label(metric)}: no measure's 95 % interval excludes zero."
    r = top.iloc[0]
    return (
        f"- {metric_label(metric)}: {len(top)} clear effects; the largest, "
        f"{measure_name(r['measure'])} ({r['context']}) {estimate_text(r)}."
    )


def summary_markdown(
    levers: pd.DataFrame,
    decomp: pd.DataFrame,
    robustness: pd.DataFrame | None = None,
    prim: pd.DataFrame | None = None,
    searches: pd.DataFrame | None = None,
    *,
    heading: str = "## Summary",
) -> list[str]:
    """The summary's markdown lines (empty when there is no lever table).

    Args:
        levers: ``tables/levers.csv``.
        decomp: ``tables/decomposition.csv`` (may be empty).
        robustness: ``tables/robustness.csv``, or None when the folder has none.
        prim: ``tables/prim_boxes.csv``, or None when the folder has none.
        searches: ``tables/prim_searches.csv``, or None when the folder has none.
        heading: The section's heading line.
    """
    if levers is None or levers.empty:
        return []
    out = [
        heading,
        "",
        "Generated from the tables: an effect is (with the measure) − (without it), paired on "
        "the replicate, with its 95 % Student-t interval; *clear* means the interval excludes "
        "zero. Intervals that cover zero are effects not distinguishable from zero at this "
        "sample, not evidence of no effect.",
        "",
    ]
    for m in headline_metrics(levers):
        part = levers[levers["metric"] == m]
        out += [f"**{metric_label(m)}**", ""]
        for ctx in dict.fromkeys(part["context"]):
            out.append(f"- {_context_sentence(part[part['context'] == ctx], ctx)}")
        few = _few_text(part)
        if few:
            out.append(f"- {few.strip()}")
        if robustness is not None:
            text = _robust_sentence(part, robustness, m)
            if text:
                out.append(f"- {text}")
        if decomp is not None and len(decomp):
            text = decomposition_sentence(decomp, m)
            if text:
                out.append(f"- {text}")
        out.append("")
    others = [m for m in dict.fromkeys(levers["metric"]) if m not in headline_metrics(levers)]
    if others:
        out += ["**Outcome groups** (the largest clear effect per metric, either context)", ""]
        out += [_group_sentence(levers[levers["metric"] == m], m) for m in others]
        out.append("")
    discovered = prim_sentences(prim, searches)
    if discovered:
        out += ["**Scenario discovery (PRIM boxes)**", "", *discovered, ""]
    return out


def optional_table(path) -> pd.DataFrame | None:
    """A CSV table that another part of the report may have written (None if absent)."""
    return pd.read_csv(path) if path.is_file() else None
