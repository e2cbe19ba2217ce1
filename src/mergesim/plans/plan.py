"""The plan model: which old units form which new units, with seats and names.

(Checks and summary are added below the data class.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mergesim.county.county import County
from mergesim.plans.tables import county_tables


@dataclass(eq=False)
class Plan:
    """A merger plan over a :class:`~mergesim.county.county.County`.

    Attributes:
        method: Generator that made the plan ("none", "policy", "uniform", "file", "ensemble").
        seed: Seed of the plan's random stream (None for deterministic generators).
        village_to_new: New-village index of every old village, shape (n_villages,).
        township_to_new: New-township index of every old township, shape (n_townships,).
        new_village_seat: Old village index of each new village's seat, shape (n_new_villages,).
        new_township_seat: Old village index of each new township's seat, (n_new_townships,).
        new_village_name: Name of each new village (one of its members' names).
        new_township_name: Name of each new township (one of its members' names).
        notes: Human-readable remarks, e.g. a target that could not be reached.
    """

    method: str
    seed: int | None
    village_to_new: np.ndarray
    township_to_new: np.ndarray
    new_village_seat: np.ndarray
    new_township_seat: np.ndarray
    new_village_name: np.ndarray
    new_township_name: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def n_new_villages(self) -> int:
        """Number of villages after the merger."""
        return int(self.new_village_seat.shape[0])

    @property
    def n_new_townships(self) -> int:
        """Number of townships after the merger."""
        return int(self.new_township_seat.shape[0])

    def village_township_after(self, township: np.ndarray) -> np.ndarray:
        """New-township index of every old village, given the county's ``township`` array."""
        return self.township_to_new[township]


# ---------------------------------------------------------------------------------------------
# Building a plan from unit labels: seats and names
# ---------------------------------------------------------------------------------------------


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Dense 0..k-1 labels in order of first appearance."""
    _, first, inv = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inv]


def township_seats(county: County, township_to_new: np.ndarray) -> np.ndarray:
    """Seat village of each new township.

    Rule: the county seat if it is a member; otherwise, among the members' old seats, the one
    with the least population-weighted road minutes to the new township's villages (the most
    central old seat). A township that did not merge keeps its seat.
    """
    k = int(township_to_new.max()) + 1
    seats = np.empty(k, dtype=np.int64)
    v_new = township_to_new[county.township]
    # Members of each new township (old townships, villages) in index order: one stable sort
    # each instead of a scan of every unit per new township.
    groups = _members(township_to_new, k)
    villages = None
    tables = county_tables(county)
    # The seat depends on the old townships alone (their villages, populations and seats): an
    # ensemble's members share most new townships, so each group's seat is computed once.
    memo = tables.township_seat_memo
    for j, g in enumerate(groups):
        old_seats = county.township_seat[g]
        if len(g) == 1:
            seats[j] = old_seats[0]
        elif county.county_seat in old_seats:
            seats[j] = county.county_seat
        else:
            key = g.tobytes()
            seat = memo.get(key)
            if seat is None:
                if villages is None:
                    villages = _members(v_new, k)
                mem = villages[j]
                w = county.population[mem].astype(float) + 1e-9
                cost = [float(row[mem] @ w) for row in tables.seat_rows(old_seats)]
                seat = memo[key] = int(old_seats[int(np.argmin(cost))])
            seats[j] = seat
    return seats


def _members(labels: np.ndarray, k: int) -> list[np.ndarray]:
    """Indices with each label ``0 .. k-1``, ascending (``np.flatnonzero(labels == j)``)."""
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.cumsum(np.bincount(labels, minlength=k))[:-1])


def village_seats(county: County, village_to_new: np.ndarray) -> np.ndarray:
    """Seat village of each new village: the most populous member (ties: lowest index).

    The larger village hosts the merged village committee in the report's practice; the
    township rule (centrality) is used for townships because their seats host the service
    centre everyone must reach.
    """
    k = int(village_to_new.max()) + 1
    order = np.lexsort((np.arange(county.n_villages), -county.population, village_to_new))
    first = order[np.r_[0, np.flatnonzero(np.diff(village_to_new[order])) + 1]]
    seats = np.empty(k, dtype=np.int64)
    seats[village_to_new[first]] = first
    return seats


def build_plan(
    county: County,
    village_labels: np.ndarray,
    township_labels: np.ndarray,
    *,
    method: str,
    seed: int | None,
    notes: list[str] | None = None,
) -> Plan:
    """Make a :class:`Plan` from arbitrary unit labels: relabel densely, choose seats and names.

    Args:
        county: The county before the merger.
        village_labels: Any label per old village; equal labels = same new village.
        township_labels: Any label per old township; equal labels = same new township.
        method: Generator name.
        seed: The plan's seed (None if deterministic).
        notes: Remarks to carry into the summary.
    """
    v2n = _relabel(np.asarray(village_labels))
    t2n = _relabel(np.asarray(township_labels))
    vs = village_seats(county, v2n)
    ts = township_seats(county, t2n)
    return Plan(
        method=method,
        seed=seed,
        village_to_new=v2n,
        township_to_new=t2n,
        new_village_seat=vs,
        new_township_seat=ts,
        new_village_name=county.village_name[vs].copy(),
        new_township_name=county.village_name[ts].copy(),
        notes=list(notes or []),
    )
