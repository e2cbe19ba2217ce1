"""Grievance and conflict metrics: hardship by cause, the access accounts, grievance by merger
size, the displaced cadres (weekly values; flow family, a window's value is the weekly mean).

The registry (:mod:`mergesim.metrics.registry`) lists them through :func:`add_conflict`; the
tracker computes them each week with :class:`ConflictTracker`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from mergesim.mechanisms.grievance import PART_CAUSES, village_sum
from mergesim.mechanisms.needs import ServiceDomain
from mergesim.mechanisms.petitions import CAUSE_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

#: Short names of the conflict metrics for figures and the app.
CONFLICT_LABELS = {
    "hardship_access_mean": "Hardship from service access",
    "hardship_rights_mean": "Hardship from broken guarantees",
    "hardship_assets_mean": "Hardship from pooled collective assets",
    "hardship_representation_mean": "Hardship from lost voice",
    "hardship_seat_loss_mean": "Hardship from the lost township seat",
    "hardship_cadre_mean": "Hardship of displaced cadres (per villager)",
    "access_gap_admin": "Valued loss per administrative affair",
    "access_gap_health": "Valued loss per health affair",
    "grievance_mean_merged2": "Mean grievance, villages merged in twos",
    "grievance_mean_merged3plus": "Mean grievance, villages merged in threes or more",
    "displaced_cadres_aggrieved_share": "Displaced cadres ready to petition",
}

_PART_DOCS = {
    "rights": "broken guarantees: their mechanics (resource rights, policy benefits, poverty "
    "support, infrastructure) and perceived losses",
    "assets": "collective assets and debts pooled in the merged village",
    "representation": "the old village's lost voice in the merged committee",
    "seat_loss": "the township seat moved away",
    "cadre": "a displaced cadre's own losses (post, pay, placement)",
}


#: Unit of hardship and valued losses: prospect-theory value (a loss of ``access_scale_min``
#: minutes per affair, or its equivalent, is λ before curvature); not a share, can be negative.
VALUE = "value"


def add_conflict(add: Callable[..., None]) -> None:
    """Register the conflict metrics with the registry's ``add(key, unit, formula, doc,
    family)``."""
    add(
        "hardship_access_mean",
        VALUE,
        "mean over villagers of Σ_d ω[d, age] v(ĉ − r) of their village's access accounts "
        "(one per service domain; 0 before the reform)",
        "Access hardship: the service domains' accounts, valued separately and summed.",
        "flow",
    )
    for c in PART_CAUSES:
        name = CAUSE_NAMES[c]
        add(
            f"hardship_{name}_mean",
            VALUE,
            f"mean over villagers of the standing hardship from {_PART_DOCS[name]}",
            f"Hardship from {_PART_DOCS[name]}.",
            "flow",
        )
    for dom in ("admin", "health"):
        add(
            f"access_gap_{dom}",
            VALUE,
            f"population-weighted mean over villages of the valued loss per {dom} affair "
            "against the village's reference (≥ 0; model.grievance.access_gap)",
            f"Valued loss per {dom} affair (the petitions' access gap).",
            "flow",
        )
    for key, what in (("merged2", "2"), ("merged3plus", "3 or more")):
        add(
            f"grievance_mean_{key}",
            "-",
            f"mean grievance of villagers whose new village merges {what} old villages",
            f"Mean grievance in villages merged from {what} old villages.",
            "flow",
        )
    add(
        "displaced_cadres_aggrieved_share",
        "-",
        "represented displaced cadres (incumbents who lost their post, not by retirement) "
        "above their petition threshold / represented displaced cadres",
        "Displaced cadres ready to petition.",
        "flow",
    )


class ConflictTracker:
    """Computes the conflict metrics each week (the merger masks are fixed by the plan)."""

    def __init__(self, model: MergerModel):
        v = model.villagers
        grp = np.asarray(model.units.new_village, dtype=np.int64)
        members = np.bincount(grp, minlength=int(grp.max()) + 1 if len(grp) else 0)[grp]
        self.pop = np.diff(v.offsets).astype(float)
        self._pop_total = float(self.pop.sum())
        # The old villages of mergers of each size and their villager count (None when there
        # are none): a group's mean grievance is a sum of per-village sums (no BLAS dot over
        # villagers: OpenBLAS would wake a spinning second thread every week).
        self.groups: dict[str, tuple[np.ndarray, int] | None] = {}
        for key, mask in (("merged2", members == 2), ("merged3plus", members >= 3)):
            n = int(self.pop[mask].sum())
            self.groups[key] = (np.flatnonzero(mask), n) if n else None
        self._parts: tuple[int, dict[str, float]] = (-1, {})

    def week(self, model: MergerModel) -> dict[str, float]:
        """This week's conflict metrics (see :func:`add_conflict`)."""
        g = model.grievance
        v = model.villagers
        out = {"hardship_access_mean": _mean(g.access)}
        if self._parts[0] != g.parts_version:  # the standing parts change rarely
            self._parts = (
                g.parts_version,
                {
                    f"hardship_{CAUSE_NAMES[c]}_mean": _mean(g.parts[k])
                    for k, c in enumerate(PART_CAUSES)
                },
            )
        out.update(self._parts[1])
        tot = self._pop_total
        for dom, d in (("admin", ServiceDomain.ADMIN), ("health", ServiceDomain.HEALTH)):
            out[f"access_gap_{dom}"] = (
                float((g.access_gap[d] * self.pop).sum() / tot) if tot > 0 else math.nan
            )
        sums = village_sum(v.grievance, v.offsets)
        for key, grp in self.groups.items():
            out[f"grievance_mean_{key}"] = (
                float(sums[grp[0]].sum() / grp[1]) if grp is not None else math.nan
            )
        cv = g.cadres
        rows = cv.row[cv.displaced]
        out["displaced_cadres_aggrieved_share"] = (
            float(np.mean(v.grievance[rows] > v.threshold[rows])) if len(rows) else math.nan
        )
        return out


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x, dtype=np.float64)) if len(x) else math.nan
