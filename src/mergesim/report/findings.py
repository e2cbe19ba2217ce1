"""``docs/findings.md``: the levers experiment's findings, generated from one results folder.

Everything in the document comes from the folder: what ran (``manifest.json``, the stored
``experiment.toml`` and resolved scenarios, the runs table), the plain-language summary
(:mod:`mergesim.report.summary`), the lever table's top rows per headline outcome, the
decomposition, and, when the folder has them, the robustness labels (``tables/robustness.csv``)
and PRIM boxes (``tables/prim_boxes.csv``). The last part names the assumption-sourced
parameters the findings rest on, and says how that list was chosen.
"""

from __future__ import annotations

import functools
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from mergesim.config.params import iter_params
from mergesim.config.schema import Scenario
from mergesim.errors import UserError
from mergesim.io import atomic_write_text
from mergesim.plotting.labels import metric_label
from mergesim.plotting.levers import measure_name
from mergesim.report.summary import (
    TERM_NAMES,
    clear,
    estimate_text,
    headline_metrics,
    optional_table,
    prim_sentences,
    summary_markdown,
)
from mergesim.report.tables import run_scale
from mergesim.results import read_manifest, read_runs
from mergesim.results.layout import TABLES_DIR

#: Lever-table rows shown per headline outcome (largest absolute effect first).
TOP_ROWS = 6
#: The command that regenerates the shipped document (the docs say it once, here).
COMMAND = "python scripts/gen_findings.py {root} --out docs/findings.md"
#: The run's tables the document is read from, shipped next to it (with the run's facts) so a
#: test can check the document's numbers without the results folder.
SHIPPED_TABLES = (
    "levers",
    "decomposition",
    "robustness",
    "prim_boxes",
    "prim_searches",
    "morris",
)
FACTS = "facts.json"


def is_assumption(source: str) -> bool:
    """Whether a schema source marks a parameter's value as an assumption: the source is
    "assumption" with its reasoning, or names a model whose values are assumed ("Granovetter
    (1978) threshold model; values an assumption")."""
    return "assumption" in str(source).lower()


@functools.cache
def assumption_params() -> dict[str, Any]:
    """Every scenario parameter whose schema source is an assumption: key → its spec."""
    return {k: s for k, _, _, s in iter_params(Scenario) if is_assumption(s.source)}


def _flatten(d: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


def varied_keys(root: Path) -> list[str]:
    """The scenario keys whose values differ between the folder's scenarios: each stored
    (resolved) scenario file with the ``set`` its entry in the stored ``experiment.toml``
    applies on top — what the experiment's scenarios switch."""
    exp_file = root / "experiment.toml"
    exp = tomllib.loads(exp_file.read_text(encoding="utf-8")) if exp_file.is_file() else {}
    refs = exp.get("scenarios") or [
        {"path": f"scenarios/{f.name}"} for f in sorted((root / "scenarios").glob("*.toml"))
    ]
    flat = []
    for ref in refs:
        d = _flatten(tomllib.loads((root / ref["path"]).read_text(encoding="utf-8")))
        flat.append({**d, **ref.get("set", {})})
    keys = dict.fromkeys(k for d in flat for k in d)
    return [
        k
        for k in keys
        if k not in ("name", "description") and len({repr(d.get(k)) for d in flat}) > 1
    ]


def _read(root: Path, name: str) -> pd.DataFrame | None:
    return optional_table(root / TABLES_DIR / f"{name}.csv")


def _shown(path: str | Path) -> str:
    """A path as the documents show it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def run_facts(root: Path) -> dict[str, Any]:
    """What ran: experiment, smoke, scale, overrides, seeds, replications, runs, commit."""
    man = read_manifest(root)
    if not man:
        raise UserError(f"{root}: no manifest.json (not a sweep's results folder)")
    runs = read_runs(root)
    exp_file = root / "experiment.toml"
    exp = tomllib.loads(exp_file.read_text(encoding="utf-8")) if exp_file.is_file() else {}
    first = runs[runs["scenario"].astype(str) == str(man.get("baseline", "seed"))]
    seeds = (
        first.drop_duplicates("replicate").sort_values("replicate")["seed"].tolist()
        if "seed" in first
        else []
    )
    return {
        "experiment": man.get("experiment", "?"),
        "experiment_file": _shown(man.get("experiment_file", "?")),
        "smoke": bool(man.get("smoke")),
        "scale": run_scale(runs),
        "overrides": exp.get("overrides", {}),
        "root_seed": man.get("root_seed"),
        "replications": int(runs["replicate"].nunique()),
        "seeds": [int(s) for s in seeds],
        "scenarios": int(runs["scenario"].nunique()),
        "runs": len(runs),
        "ok": int((runs["status"] == "ok").sum()),
        "commit": man.get("git_commit"),
        "version": man.get("versions", {}).get("mergesim"),
        "started": man.get("started", "?"),
        "command": man.get("command", "?"),
    }


def _run_lines(f: dict[str, Any], root: Path) -> list[str]:
    sets = ", ".join(f"`{k}` = {v!r}" for k, v in f["overrides"].items())
    scale = f"{f['scale']:g}" if f["scale"] is not None else "?"
    return [
        "## The run",
        "",
        f"- experiment: `{f['experiment']}` (`{f['experiment_file']}`)"
        + (", **smoke version** (CI-sized: few villagers, a short timeline)" if f["smoke"] else ""),
        f"- villagers simulated: `villagers.scale` = {scale} of the population",
        f"- set on every run: {sets or 'nothing'}",
        f"- {f['scenarios']} scenarios × {f['replications']} replications = {f['runs']} runs, "
        f"{f['ok']} finished ok",
        f"- seeds: root seed {f['root_seed']}; replicate k uses the same seed in every scenario "
        "(paired replicates): " + ", ".join(str(s) for s in f["seeds"]),
        f"- code: mergesim {f['version']}, git commit `{f['commit']}`; started {f['started']}",
        f"- results folder: `{_shown(root)}`; command: `{f['command']}`",
        "",
    ]


def top_rows(levers: pd.DataFrame, metric: str, n: int = TOP_ROWS) -> pd.DataFrame:
    """The ``n`` rows of ``metric`` with the largest absolute effect (either context)."""
    part = levers[levers["metric"] == metric]
    return part.reindex(
        part["effect"].abs().sort_values(ascending=False, kind="stable").index
    ).head(n)


def _lever_lines(levers: pd.DataFrame, root: Path) -> list[str]:
    out = [
        "## The lever table's top rows per headline outcome",
        "",
        f"The {TOP_ROWS} largest effects by absolute size (either context), whether or not "
        "their interval excludes zero; effect = (with the measure) − (without it) with its "
        f"95 % interval. Full table: `{_shown(root)}/{TABLES_DIR}/levers.csv`.",
        "",
    ]
    for m in headline_metrics(levers):
        out += [
            f"### {metric_label(m)} (`{m}`)",
            "",
            "| measure | context | pairs | effect [95 % interval] | excludes 0 |",
            "|---|---|---|---|---|",
        ]
        for _, r in top_rows(levers, m).iterrows():
            few = " (few)" if bool(r["few"]) else ""
            out.append(
                f"| {measure_name(r['measure'])} (`{r['measure']}`) | {r['context']} | "
                f"{int(r['n_pairs'])}{few} | {estimate_text(r)} | {'yes' if clear(r) else 'no'} |"
            )
        out.append("")
    return out


def _decomposition_lines(decomp: pd.DataFrame) -> list[str]:
    if decomp is None or decomp.empty:
        return []
    terms = list(TERM_NAMES)
    out = [
        "## Decomposition",
        "",
        "Per replicate: reform − no merger = merger alone + measures without merging + "
        "interaction (the same replicates in every term, so the means add up), with 95 % "
        "intervals.",
        "",
        "| outcome | " + " | ".join(TERM_NAMES[t] for t in terms) + " |",
        "|---" * (len(terms) + 1) + "|",
    ]
    for m, part in decomp.groupby("metric", sort=False):
        by = {r["term"]: r for _, r in part.iterrows()}
        cells = [estimate_text(by[t]) if t in by else "–" for t in terms]
        out.append(f"| {metric_label(m)} (`{m}`) | " + " | ".join(cells) + " |")
    return [*out, ""]


#: Robustness labels of the effects the findings list one by one (the others are counted).
LISTED_LABELS = ("robust", "depends on")


def listed_robustness(rob: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``robustness.csv`` the findings list: effects whose nominal interval
    excludes zero, robust or depending on an assumption."""
    return rob[rob["label"].astype(str).str.startswith(LISTED_LABELS)]


def _robustness_lines(rob: pd.DataFrame | None, root: Path) -> list[str]:
    if rob is None or rob.empty:
        return []
    counts = rob["label"].astype(str).str.replace(r"^depends on .*", "depends on", regex=True)
    n = counts.value_counts()
    listed = listed_robustness(rob)
    out = [
        "## Robustness labels",
        "",
        f"From `{_shown(root)}/{TABLES_DIR}/robustness.csv`: *robust* — the effect's sign "
        "holds at every end of the influential assumptions' plausible ranges; *depends on "
        "X* — it does not at some end of X's range. Of its "
        f"{len(rob)} effects (measure × context × outcome): {n.get('robust', 0)} robust, "
        f"{n.get('depends on', 0)} depending on an assumption, "
        f"{n.get('no clear effect', 0)} with no clear effect (the nominal 95 % interval "
        f"includes 0) and {n.get('not tested', 0)} not tested. The first two kinds:",
        "",
        "| outcome | measure | context | label |",
        "|---|---|---|---|",
    ]
    for _, r in listed.iterrows():
        out.append(
            f"| {metric_label(r['metric'])} (`{r['metric']}`) | {measure_name(r['measure'])} | "
            f"{r['context']} | {r['label']} |"
        )
    return [*out, ""]


def rested_on(root: Path, rob: pd.DataFrame | None, morris: pd.DataFrame | None) -> list[str]:
    """The part "what these findings rest on", saying how its list of parameters was chosen."""
    assumed = assumption_params()
    out = ["## What these findings rest on", ""]
    named: dict[str, str] = {}
    if rob is not None and "depends_on" in rob:
        for v in rob["depends_on"].dropna().astype(str):
            for k in (x.strip() for x in v.replace(";", ",").split(",")):
                if k:
                    named.setdefault(k, "a lever's sign depends on it (tables/robustness.csv)")
    if morris is not None and len(morris):
        best = morris.groupby("key")["mu_star_norm"].max().sort_values(ascending=False)
        for k, v in best.items():
            named.setdefault(str(k), f"Morris μ* (normalised, largest over outcomes) {v:.3g}")
    if named:
        keys = [k for k in named if k in assumed]
        out += [
            "Chosen from the robustness and Morris tables of the results folder: the "
            "parameters they name whose schema source is an assumption "
            f"({len(keys)} of {len(named)} named), in their order (robustness dependence "
            "first, then by Morris μ*).",
            "",
        ]
        out += [f"- `{k}` ({assumed[k].unit}): {assumed[k].doc} — {named[k]}" for k in keys]
        return [*out, ""]
    varied = [k for k in varied_keys(root) if k in assumed]
    plausible = [k for k, s in assumed.items() if s.plausible is not None]
    measured = (
        "This folder's robustness table names no assumption that flips a lever"
        if rob is not None and len(rob)
        else "This folder has no robustness or Morris table"
    )
    out += [
        f"{measured}, so which assumptions *decide* these "
        "findings has not been measured here. Every run rests on all "
        f"{len(assumed)} parameters whose schema source is an assumption. Listed below: (1) the "
        "assumption-sourced parameters whose values differ between the run's scenarios (what "
        "the levers themselves switch), and (2) the assumption-sourced parameters with a "
        "documented plausible range in the schema (the candidates the robustness analysis "
        "screens).",
        "",
        "(1) Switched by the scenarios: "
        + (", ".join(f"`{k}`" for k in varied) if varied else "none")
        + ".",
        "",
        f"(2) With a documented plausible range ({len(plausible)}):",
        "",
    ]
    by_section: dict[str, list[str]] = {}
    for k in plausible:
        by_section.setdefault(k.split(".")[0], []).append(k)
    out += [f"- {sec}: " + ", ".join(f"`{k}`" for k in keys) for sec, keys in by_section.items()]
    return [*out, ""]


def findings_markdown(root: str | Path) -> str:
    """The findings document of a levers results folder.

    Args:
        root: The results folder (``tables/levers.csv`` written by its report).

    Returns:
        The markdown text.

    Raises:
        UserError: The folder has no manifest or no lever table.
    """
    root = Path(root)
    levers = _read(root, "levers")
    if levers is None or levers.empty:
        raise UserError(
            f"{root}: no tables/levers.csv (run `mergesim sweep experiments/levers.toml` and "
            "point at its results folder)"
        )
    decomp = _read(root, "decomposition")
    rob, morris = _read(root, "robustness"), _read(root, "morris")
    prim, searches = _read(root, "prim_boxes"), _read(root, "prim_searches")
    facts = run_facts(root)
    scale = f"{facts['scale']:g}" if facts["scale"] is not None else "?"
    out = [
        "# Findings: which measures make the difference, for whom, and how sure we are",
        "",
        "<!-- Generated by scripts/gen_findings.py from a results folder; do not edit. -->",
        "",
        f"Generated from one run of the levers experiment at `villagers.scale` = {scale} with "
        f"{facts['replications']} replications (root seed {facts['root_seed']}). Every number "
        "below is read from that run's tables; the sentences are templates. Regenerate with:",
        "",
        "```bash",
        "mergesim sweep experiments/levers.toml" + (" --smoke" if facts["smoke"] else ""),
        COMMAND.format(root=_shown(root)),
        "```",
        "",
    ]
    if facts["smoke"] or facts["replications"] < 5:
        out += [
            "> **Caution:** "
            + ("a smoke run (CI-sized), " if facts["smoke"] else "")
            + f"{facts['replications']} replications: intervals are wide and rest on few "
            "replicates; the full experiment (`mergesim sweep experiments/levers.toml`) can "
            "differ.",
            "",
        ]
    out += _run_lines(facts, root)
    out += summary_markdown(levers, decomp, rob, prim, searches)
    out += _lever_lines(levers, root)
    out += _decomposition_lines(decomp)
    out += _robustness_lines(rob, root)
    discovered = prim_sentences(prim, searches)
    if discovered:
        out += ["## Scenario discovery (PRIM boxes)", "", *discovered, ""]
    out += rested_on(root, rob, morris)
    return "\n".join(out)


def ship_tables(root: str | Path, dest: str | Path) -> list[Path]:
    """Copy the tables a findings document is read from, and the run's facts
    (:func:`run_facts`) as ``facts.json``, into ``dest`` (emptied of earlier tables first).

    Returns:
        The files written.
    """
    root, dest = Path(root), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.csv"):
        old.unlink()
    files = []
    for name in SHIPPED_TABLES:
        src = root / TABLES_DIR / f"{name}.csv"
        if src.is_file():
            files.append(dest / src.name)
            shutil.copyfile(src, files[-1])
    files.append(dest / FACTS)
    atomic_write_text(files[-1], json.dumps(run_facts(root), indent=1, default=str) + "\n")
    return files
