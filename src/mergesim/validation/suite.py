"""The validation suite (``mergesim validate --model``): one table in three parts.

* **Verification** — each sub-model against an independent reference, or a rule of the report
  against what the model does: csgraph travel times = networkx; routing and coverage = brute
  force (and PySAL ``access``); petition stages = Erlang C and the loop a Jackson tandem
  (:mod:`.checks_network`, :mod:`.checks_queues`); the plan keeps its exemptions and meets its
  targets, the services and the cadre selection follow the report's rules
  (:mod:`.checks_report`).
* **Calibration** — the report's figures that parameters were fitted to, each with the knobs
  fitted to it (:func:`.checks_report.plan_calibration`, :func:`.checks_report.cadre_calibration`).
* **Validation** — the report's figures no parameter was fitted to, with the model's error
  (:func:`.checks_report.plan_validation`, :func:`.checks_report.cadre_validation`), and the
  stylised facts of the amalgamation literature as direction checks (:data:`STYLISED_FACTS`,
  :mod:`.stylised`).

Which report figure is which is declared once, in :mod:`.catalogue` (docs/domain.md prints it).

**Exit status.** ``validate_model`` reports failure (the command exits 1) when a verification
check fails or any check crashes — the code is wrong. A missed calibration band or a validation
disagreement is a finding about the model, not an error: it is printed and counted, and the
command exits 0 unless ``strict`` (``--strict``) is given. Skips (an optional package missing)
never fail.

Every check is a function returning :class:`~mergesim.validation.result.Result` rows; the pytest
suite in ``tests/validation/`` calls them directly.
"""

from __future__ import annotations

import csv
import io
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from mergesim.errors import UserError
from mergesim.io import atomic_write_text
from mergesim.validation.checks_network import (
    coverage_access,
    coverage_brute_force,
    travel_generated,
    travel_real,
)
from mergesim.validation.checks_queues import queue_single_stage, queue_tandem
from mergesim.validation.checks_report import (
    cadre_calibration,
    cadre_rules,
    cadre_validation,
    plan_calibration,
    plan_rules,
    plan_validation,
    services_layout,
)
from mergesim.validation.result import (
    CALIBRATION,
    PARTS,
    VALIDATION,
    VERIFICATION,
    Result,
    scenario_path,
)
from mergesim.validation.stylised import FACTS

__all__ = [
    "CheckFn",
    "Result",
    "format_table",
    "scenario_path",
    "validate_model",
    "write_tables",
]

CheckFn = Callable[[], list[Result]]

#: The checks of ``mergesim validate --model`` besides the stylised facts, in table order
#: (each row carries its part).
CHECKS: list[CheckFn] = [
    travel_generated,
    travel_real,
    coverage_brute_force,
    coverage_access,
    queue_single_stage,
    queue_tandem,
    plan_rules,
    services_layout,
    cadre_rules,
    plan_calibration,
    cadre_calibration,
    plan_validation,
    cadre_validation,
]

#: Direction checks of the amalgamation literature's stylised facts (validation rows): see
#: :mod:`mergesim.validation.stylised`; append check functions to it and the command and
#: ``tests/validation/test_stylised_facts.py`` pick them up.
STYLISED_FACTS: list[CheckFn] = list(FACTS)

#: Titles of the three parts (what each compares).
TITLES = {
    VERIFICATION: "VERIFICATION: sub-models against independent references and the report's rules",
    CALIBRATION: "CALIBRATION: report figures the parameters were fitted to (with the knobs)",
    VALIDATION: "VALIDATION: report figures not used in fitting, and stylised facts",
}
#: Columns of each part's table: (header, Result attribute).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    VERIFICATION: (
        ("check", "check"),
        ("reference", "reference"),
        ("ours", "ours"),
        ("tolerance", "tolerance"),
        ("result", "result"),
    ),
    CALIBRATION: (
        ("target", "check"),
        ("report", "reference"),
        ("model", "ours"),
        ("band", "tolerance"),
        ("error", "error"),
        ("fitted knobs", "knobs"),
        ("result", "result"),
    ),
    VALIDATION: (
        ("check", "check"),
        ("report / expected", "reference"),
        ("model", "ours"),
        ("agreement", "tolerance"),
        ("error", "error"),
        ("basis", "basis"),
        ("result", "result"),
    ),
}
#: The CSV's columns (every attribute, one row per check).
CSV_COLUMNS = (
    "part", "check", "reference", "ours", "tolerance", "error", "knobs", "basis", "figure",
    "result",
)  # fmt: skip
MARK = {True: "ok", False: "FAIL", None: "skip"}


def all_checks() -> list[CheckFn]:
    """Every registered check function: :data:`CHECKS`, then :data:`STYLISED_FACTS`."""
    return [*CHECKS, *STYLISED_FACTS]


def run_checks(checks: list[CheckFn] | None = None) -> list[Result]:
    """Run ``checks`` (default :func:`all_checks`) and collect their rows.

    A check that crashes becomes one failed *verification* row with its error (a crash is a
    defect of the code, whatever the check compares), so one broken component does not hide
    the others' results (pytest calls the functions directly and shows the traceback). A
    :class:`~mergesim.errors.UserError` (e.g. no scenarios folder) propagates.
    """
    rows: list[Result] = []
    for fn in all_checks() if checks is None else checks:
        try:
            rows.extend(fn())
        except UserError:
            raise
        except Exception as err:  # noqa: BLE001 - reported as a failed check
            rows.append(
                Result(fn.__name__, "-", f"error: {type(err).__name__}: {err}"[:200], "-", False)
            )
    return rows


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(row: Result, attr: str) -> str:
    return MARK[row.ok] if attr == "result" else str(getattr(row, attr))


def tally(rows: list[Result]) -> str:
    """``"N checks: a pass, b fail, c skipped"`` for the rows of one part."""
    n_fail = sum(r.ok is False for r in rows)
    n_skip = sum(r.ok is None for r in rows)
    return (
        f"{len(rows)} checks: {len(rows) - n_fail - n_skip} pass, {n_fail} fail, {n_skip} skipped"
    )


def by_part(rows: list[Result]) -> dict[str, list[Result]]:
    """The rows of each part, in :data:`PARTS` order."""
    return {p: [r for r in rows if r.part == p] for p in PARTS}


def format_part(part: str, rows: list[Result]) -> str:
    """One part as a plain-text table under its title and tally."""
    cols = COLUMNS[part]
    cells = [[_cell(r, attr) for _, attr in cols] for r in rows]
    widths = [max([len(h)] + [_width(c[i]) for c in cells]) for i, (h, _) in enumerate(cols)]

    def line(values) -> str:
        return "  ".join(
            v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)
        ).rstrip()

    return "\n".join(
        [
            f"{TITLES[part]} — {tally(rows)}",
            "",
            line(h for h, _ in cols),
            line("-" * w for w in widths),
            *(line(c) for c in cells),
        ]
    )


def format_table(rows: list[Result]) -> str:
    """The three parts as plain-text tables (a part with no rows is left out)."""
    return "\n\n".join(format_part(p, r) for p, r in by_part(rows).items() if r)


def verdict(rows: list[Result], strict: bool = False) -> tuple[bool, str]:
    """Whether the command passes, and one line saying why (see the module docstring)."""
    parts = by_part(rows)
    failed = {p: sum(r.ok is False for r in rs) for p, rs in parts.items()}
    misses = f"{failed[CALIBRATION]} calibration band(s) missed, {failed[VALIDATION]} " + (
        "validation check(s) disagree"
    )
    if failed[VERIFICATION]:
        return False, f"FAILED: {failed[VERIFICATION]} verification check(s) failed; {misses}"
    if strict and (failed[CALIBRATION] or failed[VALIDATION]):
        return False, f"FAILED (--strict): {misses}"
    return True, (f"verification passed; {misses} (findings, not errors: exit 0 unless --strict)")


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_markdown(rows: list[Result], summary: str) -> str:
    """The three parts as Markdown tables (``validation.md``)."""
    out = ["# mergesim validate --model", "", summary, ""]
    for part, rs in by_part(rows).items():
        if not rs:
            continue
        cols = COLUMNS[part]
        out += [f"## {TITLES[part]}", "", tally(rs), ""]
        out.append("| " + " | ".join(h for h, _ in cols) + " |")
        out.append("|" + "---|" * len(cols))
        out += ["| " + " | ".join(_markdown_cell(_cell(r, a)) for _, a in cols) + " |" for r in rs]
        out.append("")
    return "\n".join(out)


def format_csv(rows: list[Result]) -> str:
    """Every row with every attribute (``validation.csv``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        w.writerow([r.part if a == "part" else _cell(r, a) for a in CSV_COLUMNS])
    return buf.getvalue()


def write_tables(rows: list[Result], summary: str, out: str | Path) -> list[Path]:
    """Write ``validation.csv`` and ``validation.md`` to ``out`` (created); return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "validation.csv", out / "validation.md"]
    atomic_write_text(files[0], format_csv(rows))
    atomic_write_text(files[1], format_markdown(rows, summary))
    return files


def validate_model(
    checks: list[CheckFn] | None = None, out: str | Path | None = None, strict: bool = False
) -> tuple[str, bool]:
    """Run the suite; return the printed text and whether the command passes.

    Args:
        checks: Check functions (default :func:`all_checks`).
        out: Folder for ``validation.csv`` and ``validation.md`` (None: write nothing).
        strict: Calibration misses and validation disagreements fail too.

    Raises:
        UserError: The shipped scenarios cannot be found.
    """
    t0 = time.perf_counter()
    rows = run_checks(checks)
    ok, summary = verdict(rows, strict)
    text = format_table(rows) + f"\n\n{summary} ({time.perf_counter() - t0:.1f} s)"
    if out is not None:
        files = write_tables(rows, summary, out)
        text += "\nwrote " + ", ".join(str(f) for f in files)
    return text, ok
