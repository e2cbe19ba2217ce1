"""The affair catalogue as arrays, and what each kind of administrative point does with a matter.

**A matter** is an administrative need of one affair type (``needs.affairs``). Its uniform
``utype`` places it in the type's level distribution: with level shares ``(s_v, s_t, s_c)`` it is
a *village* matter when ``utype < s_v``, a *township* matter when ``utype < s_v + s_t``, a
*county* matter otherwise; a county matter is *devolvable* when ``utype ≥ 1 − s_c × d`` (the last
share ``d`` of the county range). While the devolved stations are in force
(``services.devolved_stations``, from the reform on) a devolvable county matter is finished at
the township: its *effective level* is the township.

**What a point does with a matter** (:func:`roles`), by point kind and the matter's effective
level, whether an agent may carry it (``not in_person``) and whether a convenience station's
windows cover it (``uscope < station_share``):

================  ========================  ===========================  =====================
point             finishes                  forwards (carried papers)    refers the villager up
================  ========================  ===========================  =====================
village office    village matters           —                            everything else
room, duty team   village matters           carryable higher matters     in-person higher ones
agency            —                         every carryable matter       — (takes no other)
station           village + covered twp.    carryable higher matters     in-person higher ones
service centre    village + township        carryable county matters     in-person county ones
county centre     everything                —                            —
================  ========================  ===========================  =====================

*Forwarding* comes in two forms: a village **carrier** (agency, room, duty team) takes the papers
and carries them to the township on its fixed days (:data:`CARRIERS`; the villager makes no
further trip), a township **desk** (station, centre) sends the file up itself and adds
``services.forward_days``. A *referral* is a trip that ends without the matter done: the villager
now knows the level and, where the point advises (:data:`ADVISERS`), fewer documents are missing
at the next try.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from mergesim.config.schema import AFFAIR_NAMES, LEVEL_NAMES, AffairParams
from mergesim.mechanisms.services.points import PointKind


class Level(IntEnum):
    """Levels of government that can finish a matter."""

    VILLAGE = 0
    TOWNSHIP = 1
    COUNTY = 2


class Role(IntEnum):
    """What a point does with a matter (see the module docstring)."""

    NONE = 0  # does not take it (a non-administrative point, or agency with in-person papers)
    FINISH = 1
    CARRY = 2  # a village carrier takes the papers to the township
    DESK = 3  # a township desk forwards the file up
    REFER = 4  # cannot finish or forward: the villager is sent up (a failed trip)


N_AFFAIRS = len(AFFAIR_NAMES)
N_LEVELS = len(LEVEL_NAMES)
#: Points whose referrals advise (the next try misses fewer documents).
ADVISERS = frozenset(
    {
        PointKind.VILLAGE_ROOM,
        PointKind.DUTY_TEAM,
        PointKind.CONVENIENCE_STATION,
        PointKind.SERVICE_CENTRE,
        PointKind.COUNTY_CENTRE,
    }
)


def _role_table() -> np.ndarray:
    """``ROLE[kind, level, carry, covered]`` (see the module docstring)."""
    t = np.full((len(PointKind), N_LEVELS, 2, 2), Role.NONE, dtype=np.int8)
    for lvl in Level:
        for carry in (0, 1):
            up = Role.CARRY if carry else Role.REFER
            desk = Role.DESK if carry else Role.REFER
            village = Role.FINISH if lvl == Level.VILLAGE else None
            t[PointKind.VILLAGE_OFFICE, lvl, carry] = village or Role.REFER
            t[PointKind.VILLAGE_ROOM, lvl, carry] = village or up
            t[PointKind.DUTY_TEAM, lvl, carry] = village or up
            t[PointKind.AGENCY, lvl, carry] = Role.CARRY if carry else Role.NONE
            t[PointKind.SERVICE_CENTRE, lvl, carry] = Role.FINISH if lvl <= Level.TOWNSHIP else desk
            t[PointKind.COUNTY_CENTRE, lvl, carry] = Role.FINISH
            for covered in (0, 1):
                station_finishes = lvl == Level.VILLAGE or (lvl == Level.TOWNSHIP and covered)
                t[PointKind.CONVENIENCE_STATION, lvl, carry, covered] = (
                    Role.FINISH if station_finishes else desk
                )
    return t


#: ``ROLE[kind, effective level, carryable, covered by a station]`` → :class:`Role`.
ROLE = _role_table()


def roles(
    kind: np.ndarray, level: np.ndarray, carry: np.ndarray, covered: np.ndarray
) -> np.ndarray:
    """:class:`Role` of each (point kind, matter) pair (vectorised; -1 kinds give NONE)."""
    k = np.asarray(kind)
    ok = k >= 0
    out = ROLE[np.where(ok, k, 0), level, carry.astype(np.int8), covered.astype(np.int8)]
    return np.where(ok, out, Role.NONE).astype(np.int8)


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The affair catalogue as arrays (from ``needs.affairs``).

    Attributes:
        level_upper: Cumulative level shares per type, shape (N_AFFAIRS, 3): a matter's level
            is the number of bounds ``≤ utype``.
        devolvable_from: ``utype`` from which a county matter is devolvable, per type.
        carry: An agent may carry the papers (not in person), per type (bool).
        process_days: Days to done at each finishing level, shape (N_AFFAIRS, 3).
        docs_fail: Missing-documents probability of a first visit, per type.
        level_share: Level shares per type, shape (N_AFFAIRS, 3).
        devolvable: Devolvable share of the county matters, per type.
    """

    level_upper: np.ndarray
    devolvable_from: np.ndarray
    carry: np.ndarray
    process_days: np.ndarray
    docs_fail: np.ndarray
    level_share: np.ndarray
    devolvable: np.ndarray

    @classmethod
    def from_params(cls, p: AffairParams) -> Catalogue:
        types = p.types()
        share = np.array([t.levels for t in types], dtype=float)
        dev = np.array([t.devolvable for t in types], dtype=float)
        return cls(
            level_upper=np.cumsum(share, axis=1),
            devolvable_from=1.0 - share[:, Level.COUNTY] * dev,
            carry=np.array([not t.in_person for t in types], dtype=bool),
            process_days=np.array([t.process_days for t in types], dtype=float),
            docs_fail=np.array([t.docs_fail for t in types], dtype=float),
            level_share=share,
            devolvable=dev,
        )

    def level(self, affair: np.ndarray, utype: np.ndarray, *, devolved: bool) -> np.ndarray:
        """Effective level of each matter (int8): devolvable county matters count as township
        matters while ``devolved``."""
        a = np.asarray(affair, dtype=np.int64)
        u = np.asarray(utype, dtype=float)
        base = (self.level_upper[a, : N_LEVELS - 1] <= u[:, None]).sum(axis=1)
        if devolved:
            down = (base == Level.COUNTY) & (u >= self.devolvable_from[a])
            base = np.where(down, Level.TOWNSHIP, base)
        return base.astype(np.int8)

    def classes(self, *, devolved: bool) -> list[tuple[int, int, float]]:
        """``(affair, effective level, share of the type's matters)`` of every non-empty class
        (for expectations over matters; devolvable county matters merge into the township)."""
        out = []
        for a in range(N_AFFAIRS):
            s = self.level_share[a].copy()
            if devolved:
                moved = s[Level.COUNTY] * self.devolvable[a]
                s[Level.COUNTY] -= moved
                s[Level.TOWNSHIP] += moved
            out += [(a, lvl, float(s[lvl])) for lvl in range(N_LEVELS) if s[lvl] > 0]
        return out
