"""One row of the validation table, its three parts, and where the shipped scenarios are.

Shared by every check module of the suite (:mod:`.suite`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mergesim.errors import UserError

#: Verification: a sub-model against an independent reference (another library, a brute-force
#: computation, a closed form) or against the rule it implements.
VERIFICATION = "verification"
#: Calibration: a report figure that parameters were fitted to (the row names the knobs).
CALIBRATION = "calibration"
#: Validation: a report figure no parameter was fitted to, or a direction from the literature.
VALIDATION = "validation"
#: The three parts, in table order.
PARTS = (VERIFICATION, CALIBRATION, VALIDATION)

#: Bases of a validation row: what agreement there means.
OUTPUT = "output: no parameter fitted to it"
BY_CONSTRUCTION = "by construction: fixed by inputs"
DIRECTION = "direction: stylised fact"


@dataclass(frozen=True)
class Result:
    """One row of the validation table.

    Attributes:
        check: What is compared.
        reference: The independent value, or the report's figure (formatted).
        ours: mergesim's value (formatted).
        tolerance: What counts as agreement (a tolerance, a band, a direction).
        ok: True (pass / agree), False (fail / miss) or None (skipped: ``ours`` says why).
        part: :data:`VERIFICATION`, :data:`CALIBRATION` or :data:`VALIDATION`.
        error: The model's error against the report's figure (validation and calibration
            rows with a number to compare), e.g. ``"-24 (-4.4 %)"``; empty otherwise.
        knobs: Calibration rows: the scenario keys fitted to this target.
        basis: Validation rows: what agreement means (:data:`OUTPUT`,
            :data:`BY_CONSTRUCTION`, :data:`DIRECTION`) and any caveat.
        figure: Id of the report's figure (:data:`mergesim.validation.figures.FIGURES`), if
            the row compares one.
    """

    check: str
    reference: str
    ours: str
    tolerance: str
    ok: bool | None
    part: str = VERIFICATION
    error: str = ""
    knobs: str = ""
    basis: str = ""
    figure: str = ""


def error_text(model: float, report: float, digits: int = 0) -> str:
    """``model − report`` and its relative size, e.g. ``"-24 (-4.4 %)"``."""
    diff = model - report
    rel = f" ({100 * diff / report:+.1f} %)" if report else ""
    return f"{diff:+.{digits}f}{rel}"


def scenario_path(name: str) -> Path:
    """A shipped scenario file: from the source tree mergesim runs from, else ``./scenarios``.

    Raises:
        UserError: Neither folder holds it (an installed copy without the checkout).
    """
    for base in (Path(__file__).resolve().parents[3], Path.cwd()):
        path = base / "scenarios" / name
        if path.is_file():
            return path
    raise UserError(
        f"scenarios/{name} not found; run from the mergesim checkout", source="validate --model"
    )
