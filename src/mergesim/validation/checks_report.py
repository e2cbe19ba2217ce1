"""The seed county against its report: rules (verification), fitted targets (calibration) and
figures no parameter was fitted to (validation).

Which figure is which is declared once, in :data:`mergesim.validation.catalogue.FIGURES`; the
rows here cite the figures by id and take the knobs of a calibration target from there.

* :func:`plan_rules` — the plan keeps the exemptions, meets its target counts and passes the
  plan checks (verification);
* :func:`plan_calibration` — merged villages (383), the target of ``plan.size_exponent`` and
  ``plan.gradient_strength``;
* :func:`plan_validation` — townships abolished (≈ 30) and villages merged away (549): fixed by
  the inputs, so a check that the inputs agree with the report;
* :func:`services_layout` — at the reform week one convenience station per abolished township,
  one room per merged village, one duty team per merged-away village, "1 + 4 + N" health
  (verification of the report's rules);
* :func:`cadre_rules`, :func:`cadre_calibration`, :func:`cadre_validation` — the cadre figures
  over five seeds (:mod:`mergesim.validation.cadre_bands`).
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from mergesim.mechanisms.services import PointKind, is_open
from mergesim.validation import cadre_bands as cb
from mergesim.validation.checks_network import seed_plan, seed_scenario
from mergesim.validation.compare import equal_count
from mergesim.validation.figures import figure, knobs
from mergesim.validation.result import (
    BY_CONSTRUCTION,
    CALIBRATION,
    OUTPUT,
    VALIDATION,
    Result,
    error_text,
)
from mergesim.validation.stylised import reform_model


def _in_band(value: float, lo: float, hi: float) -> bool:
    return bool(lo - 1e-12 <= value <= hi + 1e-12)


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


def plan_rules() -> list[Result]:
    """The seed county's plan keeps its exemptions, meets its targets, passes its checks."""
    res = seed_plan()
    sm, s = res.summary, seed_scenario()
    target = s.plan.township_target_factor or s.plan.target_factor
    rows = [
        equal_count(
            "county: townships generated",
            "county.townships",
            s.county.townships,
            sm["townships_before"],
        ),
        equal_count(
            "county: villages generated",
            "county.villages",
            s.county.villages,
            sm["villages_before"],
        ),
        equal_count(
            "plan: townships after = round(before ÷ target)",
            f"target factor {target:g}, 双倍增",
            round(sm["townships_before"] / target),
            sm["townships_after"],
        ),
        equal_count(
            "plan: villages after = round(before ÷ target)",
            f"target factor {s.plan.target_factor:g}, 双倍增",
            round(sm["villages_before"] / s.plan.target_factor),
            sm["villages_after"],
        ),
        equal_count(
            "plan: border townships kept whole",
            "border.townships; report: 8",
            sm["border_townships"],
            sm["border_townships_kept"],
        ),
        equal_count(
            "plan: border villages (三边村) kept",
            "border.villages; report: 72",
            sm["border_villages"],
            sm["border_villages_kept"],
        ),
        equal_count(
            "plan: heritage units kept",
            "heritage.townships + villages",
            sm["heritage_units"],
            sm["heritage_kept"],
        ),
    ]
    failed = [c.name for c in res.checks if not c.ok]
    rows.append(
        Result(
            "plan: plan checks (partition, conservation, contiguity, exemptions, gradient, ...)",
            "all pass",
            f"{len(res.checks) - len(failed)} of {len(res.checks)} pass"
            + (f" (failed: {', '.join(failed)})" if failed else ""),
            "all",
            not failed,
        )
    )
    return rows


def plan_calibration() -> list[Result]:
    """Merged villages: the count ``size_exponent`` and ``gradient_strength`` were fitted to."""
    value = int(seed_plan().summary["merged_villages"])
    return [
        Result(
            "plan: merged villages formed",
            figure("merged_villages").value,
            f"{value:,}",
            "345–420",
            _in_band(value, 345, 420),
            part=CALIBRATION,
            error=error_text(value, 383),
            knobs=knobs("merged_villages"),
            figure="merged_villages",
        )
    ]


def plan_validation() -> list[Result]:
    """Townships abolished and villages merged away (not fitted; fixed by the inputs)."""
    sm = seed_plan().summary
    rows = []
    for fid, key, report, lo, hi in (
        ("townships_abolished", "townships_abolished", 30, 28, 32),
        ("villages_merged_away", "villages_merged_away", 549, 500, 600),
    ):
        value = int(sm[key])
        rows.append(
            Result(
                f"plan: {figure(fid).text.split(' (')[0].lower()}",
                figure(fid).value,
                f"{value:,}",
                f"{lo:,}–{hi:,}",
                _in_band(value, lo, hi),
                part=VALIDATION,
                error=error_text(value, report),
                basis=f"{BY_CONSTRUCTION} ({figure(fid).note})",
                figure=fid,
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Services at the reform week
# ---------------------------------------------------------------------------------------------


def services_layout() -> list[Result]:
    """The report's service rules at the reform week (seed county, :data:`stylised.SCALE`)."""
    model = reform_model()
    pts, sm = model.services.points, seed_plan().summary
    open_ = is_open(pts.status)

    def n(kind: PointKind) -> int:
        return int(np.count_nonzero(open_ & (pts.kind == kind)))

    s = model.config.services
    return [
        equal_count(
            "services: convenience stations open at the reform",
            "one per abolished township; report: 30",
            sm["townships_abolished"] if s.seat_stations else 0,
            n(PointKind.CONVENIENCE_STATION),
        ),
        equal_count(
            "services: convenience rooms open at the reform",
            "one per merged village; report: 383",
            sm["merged_villages"] if s.village_rooms else 0,
            n(PointKind.VILLAGE_ROOM),
        ),
        equal_count(
            "services: transition duty teams on duty at the reform",
            "one per merged-away village; report: 549",
            sm["villages_merged_away"] if s.transition_duty else 0,
            n(PointKind.DUTY_TEAM),
        ),
        equal_count(
            "services: regional medical centres ('1 + 4 + N')",
            "services.regional_centres; report: 4",
            s.regional_centres if s.health_network else 0,
            n(PointKind.REGIONAL_CENTRE),
        ),
        equal_count(
            "services: county hospital ('1 + 4 + N')",
            "report: 1",
            1,
            n(PointKind.COUNTY_HOSPITAL),
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Cadres over five seeds
# ---------------------------------------------------------------------------------------------


@functools.cache
def cadre_metrics() -> tuple[dict[int, dict[str, float]], dict[str, float]]:
    """The cadre metrics per default seed and their mean (computed once per process)."""
    per_seed, mean, _ = cb.check()
    return per_seed, mean


def _cadre_row(key: str, band: cb.Band, part: str) -> Result:
    per_seed, mean = cadre_metrics()
    vals = [m[key] for m in per_seed.values()]
    bad = [str(s) for s, m in per_seed.items() if cb.outside(m, {key: band})]
    held = not bad and not cb.outside(mean, {key: band})
    fig = figure(band.figure)
    ours = f"mean {mean[key]:+.4f} (seeds {min(vals):+.4f} to {max(vals):+.4f})"
    if bad:
        ours += f"; outside in seed {', '.join(bad)}"
    row = Result(
        f"cadres: {band.label}",
        fig.value,
        ours,
        f"{cb.band_text(band)} in {len(per_seed)} seeds and mean",
        held,
        part=part,
        error="" if band.target is None else error_text(mean[key], band.target, 4),
        figure=band.figure,
    )
    if part == CALIBRATION:
        return replace(row, knobs=knobs(band.figure))
    if part == VALIDATION:
        what = "direction only (value masked)" if band.target is None else "posts filled"
        return replace(row, basis=f"{OUTPUT}; {what}")
    return row


def cadre_rules() -> list[Result]:
    """Rules of the report the selection applies (verification)."""
    return [_cadre_row(k, b, "verification") for k, b in cb.RULES.items()]


def cadre_calibration() -> list[Result]:
    """The cadre calibration bands in every default seed and on average."""
    return [_cadre_row(k, b, CALIBRATION) for k, b in cb.BANDS.items()]


def cadre_validation() -> list[Result]:
    """Cadre figures no parameter was fitted to: directions and the teams' fill."""
    return [_cadre_row(k, b, VALIDATION) for k, b in cb.DIRECTIONS.items()]
