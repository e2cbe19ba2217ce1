"""Old-unit status under a plan: absorbed, absorbing or unchanged; seat or periphery.

The literature on township and village mergers finds that harm concentrates in *absorbed*
units (whose seat, office and name go to another unit) and in the *periphery* (far from the
seat). These labels are fixed by the plan and used by the services mechanism (who loses a
village office, whose centre becomes a station) and by the metric breakdowns.

Definitions, for an old unit ``u`` merged into new unit ``U`` whose seat is ``s``:

* **unchanged** — ``U`` has only one member (``u`` itself);
* **absorbing** — ``U`` has several members and ``s`` lies in ``u`` (``u`` hosts the new seat);
* **absorbed** — ``U`` has several members and ``s`` lies elsewhere (``u`` is merged away).

A village is a **seat** village when it was the seat of its old township (a market town), and
**periphery** otherwise.

Three more groups answer the report's spatial strategy (docs/domain.md): **border villages**
(the county's designated 三边 villages, kept whole by the seed plan), **former seats** (villages
that were the seat of a township the plan abolishes: they lose their government but keep a
convenience station), and the **far tercile** — the third of the villagers, taken village by
village, who live farthest in road minutes from their pre-reform township seat (villages ranked
by those minutes, farthest first, taken until a third of the county's registered population is
reached; the village that crosses the third is included).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from mergesim.county.county import County
from mergesim.county.travel import minutes_to_assigned
from mergesim.plans.plan import Plan


class Role(IntEnum):
    """Role of an old unit in its merger."""

    UNCHANGED = 0
    ABSORBING = 1
    ABSORBED = 2


#: Breakdown groups of villages: name → (description, how the mask is computed).
GROUPS = (
    ("absorbed_villages", "villages merged away into another village"),
    ("absorbing_villages", "villages hosting the seat of a merged village"),
    ("unchanged_villages", "villages not merged"),
    ("absorbed_townships", "villages of townships merged away (abolished)"),
    ("absorbing_townships", "villages of townships hosting a merged township's seat"),
    ("unchanged_townships", "villages of townships not merged"),
    ("seat_villages", "villages that were the seat of their old township"),
    ("periphery_villages", "villages that were not a township seat"),
    ("border_villages", "the county's border villages"),
    ("former_seats", "villages that were the seat of a township the plan abolishes"),
    ("far_tercile", "the third of villagers farthest by road from their pre-reform township seat"),
)
GROUP_NAMES = tuple(g for g, _ in GROUPS)


@dataclass(eq=False)
class UnitStatus:
    """Roles of old villages and townships under a plan.

    Attributes:
        village_role: :class:`Role` of each old village (int8, n_villages).
        township_role: :class:`Role` of each old township (int8, n_townships).
        new_village: New-village index of each old village.
        new_village_seat: Old-village index of the seat of each old village's new village.
        township_after: New-township index of each old village (its administrative township
            after the reform).
        host_township: For each old township, the old township hosting its new seat.
        new_township_seat: Old-village index of each *new* township's seat.
        old_seat: Village was the seat of its old township (bool).
        far: Village belongs to the far tercile (bool; see the module docstring).
    """

    village_role: np.ndarray
    township_role: np.ndarray
    new_village: np.ndarray
    new_village_seat: np.ndarray
    township_after: np.ndarray
    host_township: np.ndarray
    new_township_seat: np.ndarray
    old_seat: np.ndarray
    far: np.ndarray

    @classmethod
    def from_plan(cls, county: County, plan: Plan) -> UnitStatus:
        """Compute the roles (see the module docstring)."""
        v2n = np.asarray(plan.village_to_new, dtype=np.int64)
        t2n = np.asarray(plan.township_to_new, dtype=np.int64)
        v_members = np.bincount(v2n, minlength=plan.n_new_villages)
        t_members = np.bincount(t2n, minlength=plan.n_new_townships)
        v_seat = np.asarray(plan.new_village_seat, dtype=np.int64)[v2n]
        vrole = np.where(v_seat == np.arange(county.n_villages), Role.ABSORBING, Role.ABSORBED)
        vrole = np.where(v_members[v2n] == 1, Role.UNCHANGED, vrole).astype(np.int8)
        host = county.township[np.asarray(plan.new_township_seat, dtype=np.int64)[t2n]]
        trole = np.where(host == np.arange(county.n_townships), Role.ABSORBING, Role.ABSORBED)
        trole = np.where(t_members[t2n] == 1, Role.UNCHANGED, trole).astype(np.int8)
        return cls(
            village_role=vrole,
            township_role=trole,
            new_village=v2n,
            new_village_seat=v_seat,
            township_after=t2n[county.township],
            host_township=host.astype(np.int64),
            new_township_seat=np.asarray(plan.new_township_seat, dtype=np.int64),
            old_seat=county.is_township_seat,
            far=far_tercile(county),
        )

    def group_masks(self, county: County) -> dict[str, np.ndarray]:
        """Bool mask over villages for each breakdown group in :data:`GROUPS`."""
        vt = self.township_role[county.township]
        return {
            "absorbed_villages": self.village_role == Role.ABSORBED,
            "absorbing_villages": self.village_role == Role.ABSORBING,
            "unchanged_villages": self.village_role == Role.UNCHANGED,
            "absorbed_townships": vt == Role.ABSORBED,
            "absorbing_townships": vt == Role.ABSORBING,
            "unchanged_townships": vt == Role.UNCHANGED,
            "seat_villages": self.old_seat.copy(),
            "periphery_villages": ~self.old_seat,
            "border_villages": county.border.astype(bool),
            "former_seats": self.old_seat & (vt == Role.ABSORBED),
            "far_tercile": self.far.copy(),
        }


def far_tercile(county: County, share: float = 1.0 / 3.0) -> np.ndarray:
    """Villages holding the ``share`` of the population farthest by road from their township
    seat (see the module docstring), as a bool mask."""
    minutes = minutes_to_assigned(county.road_matrix(), county.township_seat[county.township])
    pop = county.population.astype(float)
    order = np.lexsort((np.arange(county.n_villages), -minutes))
    before = np.cumsum(pop[order]) - pop[order]
    out = np.zeros(county.n_villages, dtype=bool)
    out[order[before < share * pop.sum()]] = True
    return out
