"""The ``file`` plan: an explicit mapping CSV written by a researcher (or by ``mergesim plan``).

Columns (header required, extra columns ignored; delimiter sniffed as for a villages CSV):

======================= =========================================================================
``village_id``          the old village's id (``County.village_id``), a whole number
``new_village_index``   label of its new village (equal labels = same village); or
``new_village``         the same, any text (read when ``new_village_index`` is absent)
``new_township_index``  label of its new township; or
``new_township``        the same, any text
======================= =========================================================================

``plan.csv`` as ``mergesim plan`` writes it (:func:`write_plan_csv`) reads back unchanged: its
``new_village_index`` and ``new_township_index`` are the labels. Every village must appear
exactly once; all villages of one old township must go to the same new township, and all
members of a new village to one new township. Violations — and any decoding, parsing or
field-length error of the file — are one-line :class:`~mergesim.errors.PlanError` (or
:class:`~mergesim.errors.DataError`) messages naming the file, the column and the row.
Non-contiguous units are allowed (a researcher may want them) but reported in the plan's notes
and by :func:`~mergesim.plans.checks.check_plan`, as are merged border and heritage units.

Join keys, the same in ``plan.csv``, ``villages.csv`` and the GeoJSON files: ``<unit>_index``
is mergesim's 0-based index of a unit (old village ``i`` is row ``i`` of the county; new units
are numbered by the plan), ``village_id`` the id from the data file, ``<unit>_name`` a display
name (not unique).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mergesim.county.cells import NumberFormat
from mergesim.county.columns import MAX_ID
from mergesim.county.county import County
from mergesim.county.table import Table, check_file, is_empty, parse_texts, read_csv
from mergesim.errors import DataError, PlanError
from mergesim.io import atomic_write_text
from mergesim.plans.checks import units_contiguous
from mergesim.plans.plan import Plan, build_plan

#: Label columns, preferred first, for the new village and the new township.
LABELS = {
    "village": ("new_village_index", "new_village"),
    "township": ("new_township_index", "new_township"),
}
#: Columns of ``plan.csv`` as written by :func:`write_plan_csv`.
PLAN_COLUMNS = (
    "village_index",
    "village_id",
    "village_name",
    "township_index",
    "township_name",
    "new_village_index",
    "new_village_name",
    "new_township_index",
    "new_township_name",
    "new_village_seat",
    "new_township_seat",
    "border",
    "heritage",
)


def _label_column(header: list[str], level: str, src: str) -> str:
    for c in LABELS[level]:
        if c in header:
            return c
    raise PlanError(
        f"missing column {' or '.join(LABELS[level])}; found {', '.join(header) or 'none'}; "
        f"required: village_id, {LABELS['village'][1]} (or {LABELS['village'][0]}), "
        f"{LABELS['township'][1]} (or {LABELS['township'][0]})",
        source=src,
    )


def load_plan_csv(county: County, path: str | Path) -> Plan:
    """Read and validate a mapping CSV into a :class:`Plan`.

    Raises:
        PlanError: Missing column, unknown/duplicate/omitted/non-integer village, or a mapping
            that splits an old township or a new village across new townships.
        DataError: Missing, unreadable or malformed file (encoding, NUL bytes, CSV syntax,
            a field too long).
    """
    path = Path(path)
    src = str(path)
    try:
        check_file(path)
    except DataError as e:  # the plan file is named by plan.file: say so
        raise PlanError(e.message, source=src, key="plan.file") from None
    header, rows, where, _delimiter, _spelling = read_csv(path)
    if "village_id" not in header:
        raise PlanError(
            f"missing column village_id; found {', '.join(header) or 'none'}; required: "
            "village_id, new_village, new_township",
            source=src,
        )
    cv, ct = _label_column(header, "village", src), _label_column(header, "township", src)
    table = Table(src, header, rows, where, "column", used={h: h for h in header})
    labels_v, labels_t = parse_texts(table, cv), parse_texts(table, ct)
    fmt = NumberFormat()
    index = {int(v): i for i, v in enumerate(county.village_id)}
    new_v = np.full(county.n_villages, None, dtype=object)
    new_t = np.full(county.n_villages, None, dtype=object)
    for r, row in enumerate(rows):
        line = where[r].removeprefix("line ")
        raw = row.get("village_id")
        d = None if is_empty(raw) else fmt.exact(raw, "village_id")
        if d is None or d != d.to_integral_value() or abs(d) > MAX_ID:
            raise PlanError(
                f"row {line}: village_id {raw!r} is not a whole-number id (at most 2^53)",
                source=src,
                key="village_id",
            )
        vid = int(d)
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
        nv, nt = str(labels_v[r]), str(labels_t[r])
        if not nv or not nt:
            raise PlanError(
                f"row {line}: empty {cv if not nv else ct} for village {vid}",
                source=src,
                key=cv if not nv else ct,
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
                key=ct,
            )
    v_town: dict[str, str] = {}
    for i in range(county.n_villages):
        if v_town.setdefault(new_v[i], new_t[i]) != new_t[i]:
            raise PlanError(
                f"new village {new_v[i]!r} spans new townships {v_town[new_v[i]]!r} and "
                f"{new_t[i]!r}",
                source=src,
                key=cv,
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


def plan_table(county: County, plan: Plan) -> str:
    """``plan.csv`` as text: one row per old village (columns :data:`PLAN_COLUMNS`).

    ``new_village_seat`` / ``new_township_seat`` (0/1): the village is the seat of its new
    village / township. Readable by :func:`load_plan_csv`.
    """
    v2n = plan.village_to_new
    nt = plan.township_to_new[county.township]
    lines = [",".join(PLAN_COLUMNS)]
    for i in range(county.n_villages):
        t = int(county.township[i])
        lines.append(
            ",".join(
                [
                    str(i),
                    str(int(county.village_id[i])),
                    _q(county.village_name[i]),
                    str(t),
                    _q(county.township_name[t]),
                    str(int(v2n[i])),
                    _q(plan.new_village_name[v2n[i]]),
                    str(int(nt[i])),
                    _q(plan.new_township_name[nt[i]]),
                    str(int(plan.new_village_seat[v2n[i]] == i)),
                    str(int(plan.new_township_seat[nt[i]] == i)),
                    str(int(county.border[i])),
                    str(int(county.heritage[i])),
                ]
            )
        )
    return "\n".join(lines) + "\n"


def write_plan_csv(county: County, plan: Plan, path: str | Path) -> None:
    """Write ``plan.csv`` (:func:`plan_table`) atomically."""
    atomic_write_text(path, plan_table(county, plan))


def _q(s: object) -> str:
    s = str(s)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s
