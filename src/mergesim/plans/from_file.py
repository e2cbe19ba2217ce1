"""The ``file`` plan: an explicit mapping CSV written by a researcher.

Columns (header required, extra columns ignored):

============== ==================================================================
``village_id`` the old village's id (``County.village_id``)
``new_village`` label of its new village (any text; equal labels = same village)
``new_township`` label of its new township (any text)
============== ==================================================================

Every village must appear exactly once; all villages of one old township must go to the same
new township, and all members of a new village to one new township. Violations are one-line
:class:`~mergesim.errors.PlanError` messages naming the file, the column and the row.
Non-contiguous units are allowed (a researcher may want them) but reported in the plan's notes
and by :func:`~mergesim.plans.checks.check_plan`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from mergesim.county.county import County
from mergesim.errors import PlanError
from mergesim.plans.checks import units_contiguous
from mergesim.plans.plan import Plan, build_plan

REQUIRED = ("village_id", "new_village", "new_township")


def load_plan_csv(county: County, path: str | Path) -> Plan:
    """Read and validate a mapping CSV into a :class:`Plan`.

    Raises:
        PlanError: Missing file or column, unknown/duplicate/omitted village, or a mapping that
            splits an old township or a new village across new townships.
    """
    path = Path(path)
    src = str(path)
    if not path.is_file():
        raise PlanError("file not found", source=src, key="plan.file")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in cols]
        if missing:
            raise PlanError(
                f"missing column(s) {', '.join(missing)}; found {', '.join(cols) or 'none'}; "
                f"required: {', '.join(REQUIRED)}",
                source=src,
            )
        rows = list(reader)
    index = {int(v): i for i, v in enumerate(county.village_id)}
    new_v = np.full(county.n_villages, None, dtype=object)
    new_t = np.full(county.n_villages, None, dtype=object)
    for line, row in enumerate(rows, start=2):
        raw = (row["village_id"] or "").strip()
        try:
            vid = int(float(raw))
        except ValueError:
            raise PlanError(
                f"row {line}: village_id {raw!r} is not an integer id", source=src, key="village_id"
            ) from None
        if vid not in index:
            raise PlanError(
                f"row {line}: village_id {vid} is not a village of the county",
                source=src,
                key="village_id",
            )
        i = index[vid]
        if new_v[i] is not None:
            raise PlanError(
                f"row {line}: village_id {vid} appears more than once", source=src, key="village_id"
            )
        nv, nt = (row["new_village"] or "").strip(), (row["new_township"] or "").strip()
        if not nv or not nt:
            raise PlanError(
                f"row {line}: empty new_village or new_township for village {vid}",
                source=src,
                key="new_village" if not nv else "new_township",
            )
        new_v[i], new_t[i] = nv, nt
    absent = np.flatnonzero(new_v == None)  # noqa: E711 (object array comparison)
    if len(absent):
        ids = ", ".join(str(int(county.village_id[j])) for j in absent[:5])
        raise PlanError(
            f"{len(absent)} village(s) missing from the plan, e.g. {ids}",
            source=src,
            key="village_id",
        )
    t_label: dict[int, str] = {}
    for i in range(county.n_villages):
        t = int(county.township[i])
        if t_label.setdefault(t, new_t[i]) != new_t[i]:
            raise PlanError(
                f"old township {str(county.township_name[t])!r} is split across new townships "
                f"{t_label[t]!r} and {new_t[i]!r}",
                source=src,
                key="new_township",
            )
    v_town: dict[str, str] = {}
    for i in range(county.n_villages):
        if v_town.setdefault(new_v[i], new_t[i]) != new_t[i]:
            raise PlanError(
                f"new village {new_v[i]!r} spans new townships {v_town[new_v[i]]!r} and "
                f"{new_t[i]!r}",
                source=src,
                key="new_village",
            )
    tl = np.array([t_label[t] for t in range(county.n_townships)], dtype=object)
    plan = build_plan(county, new_v.astype(str), tl.astype(str), method="file", seed=None)
    kv, sv = units_contiguous(county, plan.village_to_new)
    kt, st = units_contiguous(county, plan.township_to_new[county.township])
    if sv or st:
        plan.notes.append(
            f"not contiguous: {sv} of {kv} new villages and {st} of {kt} new "
            "townships are in several pieces"
        )
    return plan


def write_plan_csv(county: County, plan: Plan, path: str | Path) -> None:
    """Write ``plan.csv``: one row per old village with its new village and township.

    The file is readable by :func:`load_plan_csv` (columns ``village_id``, ``new_village``,
    ``new_township`` use the new units' names), plus descriptive columns.
    """
    from mergesim.io import atomic_write_text

    v2n, t2n = plan.village_to_new, plan.township_to_new
    lines = [
        "village_id,village_name,old_township,new_village,new_township,"
        "new_village_seat,new_township_seat,border,heritage"
    ]
    nt = t2n[county.township]
    for i in range(county.n_villages):
        lines.append(
            ",".join(
                [
                    str(int(county.village_id[i])),
                    _q(county.village_name[i]),
                    _q(county.township_name[county.township[i]]),
                    _q(plan.new_village_name[v2n[i]]),
                    _q(plan.new_township_name[nt[i]]),
                    str(int(plan.new_village_seat[v2n[i]] == i)),
                    str(int(plan.new_township_seat[nt[i]] == i)),
                    str(int(county.border[i])),
                    str(int(county.heritage[i])),
                ]
            )
        )
    atomic_write_text(path, "\n".join(lines) + "\n")


def _q(s: object) -> str:
    s = str(s)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s
