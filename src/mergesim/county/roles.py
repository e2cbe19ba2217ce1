"""Township seats and classes of a loaded county: explicit columns first, then the defaults.

A township's seat is the village marked ``township_seat`` (at most one per township), or the
seat the township maker chose, or else its most populous village (the first in the file on a
tie). Its class is the ``township_class`` its rows give (they must agree), else: the township
holding the most populous village is the county seat (unless one is classed so), a township
with a border village is a border township, one whose seat is a heritage village a heritage
township, and the rest are ordinary.
"""

from __future__ import annotations

import numpy as np

from mergesim.county.county import TOWNSHIP_CLASS_NAMES, TownshipClass
from mergesim.county.table import Table, parse_bools, parse_choices

__all__ = ["township_roles"]


def township_roles(
    table: Table,
    township: np.ndarray,
    n_town: int,
    population: np.ndarray,
    border: np.ndarray,
    heritage: np.ndarray,
    given_seat: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Seat village and :class:`TownshipClass` code of each township.

    Args:
        table: The villages table (``township_seat``, ``township_class`` columns).
        township: Township index of each village.
        n_town: Number of townships.
        population: Persons per village.
        border, heritage: Village flags.
        given_seat: Seats chosen already (made townships), or None to read/derive them.

    Raises:
        DataError: Two seats marked in one township, disagreeing or impossible classes.
    """
    seat = _seats(table, township, n_town, population, given_seat)
    explicit: list[str | None] = [None] * n_town
    first_row = [-1] * n_town
    for i, s in enumerate(parse_choices(table, "township_class", TOWNSHIP_CLASS_NAMES)):
        if s is None:
            continue
        t = int(township[i])
        if explicit[t] is not None and explicit[t] != s:
            raise table.error(
                f"{table.where[first_row[t]]} and {table.where[i]} give township "
                f"{_tname(table, i)} different classes ({explicit[t]}, {s})",
                "township_class",
            )
        explicit[t], first_row[t] = s, i
    seats_named = [t for t in range(n_town) if explicit[t] == "county_seat"]
    if len(seats_named) > 1:
        raise table.error(
            f"{len(seats_named)} townships are classed county_seat "
            f"({', '.join(_tname(table, first_row[t]) for t in seats_named)}); allowed: one",
            "township_class",
        )
    if not seats_named:
        top = int(np.argmax(population))
        t = int(township[top])
        if explicit[t] is not None:
            raise table.error(
                f"no township is classed county_seat and township {_tname(table, top)}, "
                f"holding the most populous village ({table.where[top]}), is classed "
                f"{explicit[t]}; class one township county_seat",
                "township_class",
            )
        explicit[t] = "county_seat"
    has_border = np.bincount(township, weights=border.astype(float), minlength=n_town) > 0
    tclass = np.empty(n_town, dtype=np.int8)
    for t in range(n_town):
        s = explicit[t]
        if s is None:
            if has_border[t]:
                s = "border"
            elif heritage[seat[t]]:
                s = "heritage"
            else:
                s = "ordinary"
        tclass[t] = TownshipClass[s.upper()]
    return seat, tclass


def _tname(table: Table, row: int) -> str:
    return str(table.rows[row].get("township") or table.where[row])


def _seats(
    table: Table,
    township: np.ndarray,
    n_town: int,
    population: np.ndarray,
    given_seat: np.ndarray | None,
) -> np.ndarray:
    if given_seat is not None:
        return np.asarray(given_seat, dtype=np.int64)
    flagged = parse_bools(table, "township_seat")
    seat = np.full(n_town, -1, dtype=np.int64)
    for i in np.flatnonzero(flagged):
        t = township[i]
        if seat[t] >= 0:
            raise table.error(
                f"{table.where[seat[t]]} and {table.where[i]} both mark a seat of township "
                f"{_tname(table, i)}; mark at most one village per township",
                "township_seat",
            )
        seat[t] = i
    for t in np.flatnonzero(seat < 0):
        members = np.flatnonzero(township == t)
        seat[t] = members[int(np.argmax(population[members]))]  # ties: first in the file
    return seat
