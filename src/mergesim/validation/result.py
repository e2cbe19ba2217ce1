"""One row of the validation table, and where the shipped scenarios are: shared by the suite
(:mod:`.suite`) and the stylised facts (:mod:`.stylised`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mergesim.errors import UserError


@dataclass(frozen=True)
class Result:
    """One row of the validation table.

    Attributes:
        check: What is compared.
        reference: The independent value (formatted).
        ours: mergesim's value (formatted).
        tolerance: What counts as agreement.
        ok: True (pass), False (fail) or None (skipped: ``ours`` says why).
    """

    check: str
    reference: str
    ours: str
    tolerance: str
    ok: bool | None


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
