"""Checks shared by the findings tests: every number docs/findings.md prints is parsed back and
compared with the levers run's tables (a real smoke run, or the shipped run's tables)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from mergesim.plotting.labels import metric_label

NUM = r"−?\d+(?:\.\d+)?(?:e[+-]\d+)?"
#: "1.23 [0.456, 2.01]", possibly with a shared power of ten (" × 10⁻⁵").
ESTIMATE = re.compile(rf"({NUM}) \[({NUM}), ({NUM})\](?: × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?")
_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _num(text: str) -> float:
    return float(text.replace("−", "-"))


def estimates(text: str) -> list[tuple[float, float, float]]:
    """Every printed estimate with its interval, as numbers."""
    out = []
    for m in ESTIMATE.finditer(text):
        scale = 10.0 ** int(m.group(4).translate(_SUP)) if m.group(4) else 1.0
        out.append(tuple(_num(m.group(i)) * scale for i in (1, 2, 3)))
    return out


def same(printed: float, value: float) -> bool:
    """Whether ``printed`` is ``value`` to the 3 significant figures it was printed with."""
    return math.isclose(printed, value, rel_tol=6e-3, abs_tol=1e-12)


def matches(est, row) -> bool:
    return all(
        same(p, float(row[c])) for p, c in zip(est, ("effect", "ci_lo", "ci_hi"), strict=True)
    )


def check_lever_numbers(text: str, levers: pd.DataFrame, decomp: pd.DataFrame) -> None:
    """The estimates, the top rows per headline outcome, the summary's counts of clear
    effects and the decomposition table of a findings document match the run's tables."""
    # Every estimate printed anywhere is a row of the lever table or the decomposition.
    rows = [r for _, r in levers.iterrows()] + [r for _, r in decomp.iterrows()]
    printed = estimates(text)
    assert len(printed) > 50
    for est in printed:
        assert any(matches(est, r) for r in rows), est

    # The top rows per headline outcome: each row is its (metric, measure, context) row, and
    # they are the largest absolute effects of their metric.
    section = text.split("## The lever table's top rows")[1].split("\n## ")[0]
    metric, shown = None, {}
    for line in section.splitlines():
        if line.startswith("### "):
            metric = re.search(r"\(`([^`]+)`\)$", line).group(1)
            shown[metric] = []
        elif line.startswith("| ") and "`" in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            measure = re.search(r"`([^`]+)`", cells[0]).group(1)
            row = levers[
                (levers["metric"] == metric)
                & (levers["measure"] == measure)
                & (levers["context"] == cells[1])
            ].iloc[0]
            assert int(cells[2].split()[0]) == row["n_pairs"]
            (est,) = estimates(cells[3])
            assert matches(est, row)
            excludes = row["ci_lo"] > 0 or row["ci_hi"] < 0
            assert cells[4] == ("yes" if excludes else "no")
            shown[metric].append(abs(row["effect"]))
    assert set(shown) == set(
        levers.loc[levers["outcome_group"].isin(["all", "worst_decile"]), "metric"]
    )
    for m, sizes in shown.items():
        others = levers.loc[levers["metric"] == m, "effect"].abs().sort_values(ascending=False)
        assert sorted(sizes, reverse=True) == pytest.approx(list(others[: len(sizes)]))

    # The summary's counts of clear effects per headline outcome and context.
    summary = text.split("## Summary")[1].split("\n## ")[0]
    for m in shown:
        block = summary.split(f"**{metric_label(m)}**")[1].split("\n**")[0]
        for ctx, start in (("seed", "- In the seed county"), ("merger alone", "- With the merger")):
            part = levers[(levers["metric"] == m) & (levers["context"] == ctx)]
            k = int(((part["ci_lo"] > 0) | (part["ci_hi"] < 0)).sum())
            line = next(x for x in block.splitlines() if x.startswith(start))
            if k:
                assert f", {k} of {len(part)} measures ha" in line
            else:
                assert f"none of the {len(part)} measures'" in line

    # The decomposition table: each cell is its (metric, term) row.
    section = text.split("## Decomposition")[1].split("\n## ")[0]
    terms = ["reform", "merger", "measures", "interaction"]
    n_rows = 0
    for line in section.splitlines():
        key = re.search(r"\(`([^`]+)`\) \|", line)
        if not key:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")][1:]
        for term, cell in zip(terms, cells, strict=True):
            row = decomp[(decomp["metric"] == key.group(1)) & (decomp["term"] == term)].iloc[0]
            if cell == "–":  # no finite value in the table
                assert not math.isfinite(row["effect"])
                continue
            (est,) = estimates(cell)
            assert matches(est, row)
        n_rows += 1
    assert n_rows == decomp["metric"].nunique()


def check_robustness_labels(text: str, rob: pd.DataFrame) -> int:
    """Every row of the document's robustness-label table is a row of ``robustness.csv``,
    and the counts of each label are the table's.

    Returns:
        The number of rows checked.
    """
    section = text.split("## Robustness labels")[1].split("\n## ")[0]
    label = rob["label"].astype(str)
    depends = int(label.str.startswith("depends on").sum())
    counts = (
        f"Of its {len(rob)} effects (measure × context × outcome): "
        f"{int((label == 'robust').sum())} robust, {depends} depending on an assumption, "
        f"{int((label == 'no clear effect').sum())} with no clear effect"
    )
    assert counts in " ".join(section.split()), counts
    labels = {(r["metric"], r["context"], r["label"]) for _, r in rob.iterrows()}
    n = 0
    for line in section.splitlines():
        key = re.search(r"\(`([^`]+)`\) \|", line)
        if not key:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert (key.group(1), cells[2], cells[3]) in labels, line
        n += 1
    return n


def check_prim_sentences(text: str, prim: pd.DataFrame) -> int:
    """Every PRIM box sentence's numbers are a box of ``prim_boxes.csv``.

    Returns:
        The number of sentences checked.
    """
    pattern = re.compile(
        rf"coverage ({NUM}), density ({NUM}), mass ({NUM}) \((\d+) cases among (\d+) points\)"
    )
    found = pattern.findall(text)
    for cov, den, mass, cases, points in found:
        assert any(
            same(_num(cov), r["coverage"])
            and same(_num(den), r["density"])
            and same(_num(mass), r["mass"])
            and int(cases) == r["n_cases"]
            and int(points) == r["n_points"]
            for _, r in prim.iterrows()
        ), (cov, den, mass, cases, points)
    return len(found)


def check_search_sentences(text: str, searches: pd.DataFrame) -> int:
    """Every "k of n design points are cases" sentence's counts are a search of
    ``prim_searches.csv`` (boxes or not).

    Returns:
        The number of sentences checked.
    """
    found = re.findall(r"(\d+) of (\d+) design points are cases", text)
    pairs = set(zip(searches["n_cases"].astype(int), searches["n_points"].astype(int), strict=True))
    for cases, points in found:
        assert (int(cases), int(points)) in pairs, (cases, points)
    return len(found)
