"""Who petitions: individual and collective filing, and what an open petition does to grievance.

**Individual petitions.** A villager whose grievance exceeds their threshold (heterogeneous,
drawn by the population mechanism after Granovetter 1978) files with weekly probability
``file_prob`` (:func:`select_filers`) — at most one open petition per villager (a repeat or
escalation of it keeps it open), and not within ``cooldown_weeks`` of one that ended
unresolved.

**Collective petitions.** A village files one (Granovetter, 1978, *Am. J. Sociol.* 83:
1420–1443: collective action when the share already mobilised exceeds a heterogeneous
threshold) when the share of its villagers above their thresholds exceeds the village's
threshold ``θ_v`` (Beta across villages) and at least ``collective_min_persons`` (scaled) are
aggrieved, with weekly probability ``collective_file_prob``, one open collective petition per
village (:func:`collective_trigger`). An aggrieved displaced cadre living in the village leads:
the village's threshold is cut by ``leader_threshold_cut`` (the mechanism passes the cut
thresholds).

**Causes.** Every petition is filed with its cause and, for access, its service domain
(:mod:`~mergesim.mechanisms.grievance.causes`): threshold filings with the dominant source of
the filer's (or the village's aggrieved villagers') hardship, background filings with
``BACKGROUND``.

**Background petitions** about matters unrelated to the reform arrive at ``background_rate``
per 10,000 a year (individual, uniformly over villagers without an open petition) and
``background_collective_rate``, from their own stream and in a number that does not depend on
the state (common random numbers across scenarios).

**Feedback.** :class:`FilingState` keeps who has a petition open; it turns the petitions the
loop closed into relief or anger and trust (:meth:`FilingState.apply_closures`; a substantive
resolution of a fixable cause also settles the filer's loss through a callback) and gives the
hardship of waiting on an open petition (:meth:`FilingState.waiting`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mergesim.config.schema import GrievanceParams
from mergesim.mechanisms.grievance.social import ratio, rows_of, sizes, village_mean
from mergesim.mechanisms.petitions.loop import PetitionLoop
from mergesim.mechanisms.petitions.mechanism import PetitionMechanism
from mergesim.mechanisms.petitions.records import Cause, Kind, Outcome
from mergesim.mechanisms.population import Villagers
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, DAYS_PER_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

#: ``rows → (cause, domain)`` of the petitions they file (int8 arrays).
CauseOf = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
#: ``(villager rows, causes)`` of substantively resolved petitions: settle what can be fixed.
Settle = Callable[[np.ndarray, np.ndarray], None]


def select_filers(
    g: np.ndarray, threshold: np.ndarray, eligible: np.ndarray, u: np.ndarray, file_prob: float
) -> np.ndarray:
    """Villagers who file an individual petition this week (bool).

    Epstein's activation rule ``G > T`` with Granovetter's heterogeneous thresholds, damped by a
    weekly filing probability (``u`` uniform per villager) and rate-limited by ``eligible``
    (no open petition, not in cool-down).
    """
    return eligible & (np.asarray(g) > np.asarray(threshold)) & (u < file_prob)


def collective_trigger(
    g: np.ndarray,
    threshold: np.ndarray,
    village: np.ndarray,
    n_villages: int,
    theta: np.ndarray,
    can_file: np.ndarray,
    u: np.ndarray,
    prob: float,
    min_persons: int = 1,
    offsets: np.ndarray | None = None,
    above: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Villages that file a collective petition this week (Granovetter 1978).

    Args:
        g, threshold, village: Per villager.
        n_villages: Number of villages.
        theta: Village threshold: the share of the village above their own thresholds needed.
        can_file: Per village: no collective petition open.
        u: Uniform per village.
        prob: Weekly probability for a village over its threshold.
        min_persons: Least aggrieved persons (simulated villagers) a collective petition needs.
        offsets: Row ranges per village when rows are grouped by village (faster).
        above: Villagers above their threshold per village, when the caller has counted them
            (needs ``offsets``; saves a pass over the villagers).

    Returns:
        ``(villages, persons)``: the filing villages and their aggrieved villagers' counts.
    """
    if above is not None and offsets is not None:
        share = np.nan_to_num(ratio(above.astype(float), sizes(offsets)))
    else:
        up = np.asarray(g) > np.asarray(threshold)
        share = np.nan_to_num(village_mean(up, village, n_villages, offsets=offsets))
    if offsets is not None:
        n_v = np.diff(offsets)
    else:
        n_v = np.bincount(village, minlength=n_villages)
    k_v = np.rint(share * n_v)
    fire = can_file & (share > theta) & (k_v >= min_persons) & (u < prob)
    v = np.flatnonzero(fire)
    return v, k_v[v].astype(np.int64)


@dataclass(eq=False)
class FilingState:
    """Open petitions and filing eligibility of the villagers and villages.

    Attributes:
        open_pet: Open petition of each villager (record index, -1 if none; int64).
        cooldown_until: First week a villager may file again (int32).
        open_collective: Open collective petition of each village (-1 if none; int64).
        theta: Collective-action threshold of each village (share of its villagers).
    """

    open_pet: np.ndarray
    cooldown_until: np.ndarray
    open_collective: np.ndarray
    theta: np.ndarray

    @classmethod
    def start(cls, n_villagers: int, theta: np.ndarray) -> FilingState:
        """Nobody with an open petition or cooling down."""
        return cls(
            open_pet=np.full(n_villagers, -1, dtype=np.int64),
            cooldown_until=np.zeros(n_villagers, dtype=np.int32),
            open_collective=np.full(len(theta), -1, dtype=np.int64),
            theta=theta,
        )

    def apply_closures(
        self,
        loop: PetitionLoop,
        v: Villagers,
        p: GrievanceParams,
        week: int,
        settle: Settle | None = None,
    ) -> None:
        """Feed back the petitions the loop closed last week (in place).

        A resolved petition relieves its filer (or the aggrieved of its village) by
        ``resolved_relief`` and raises trust, and ``settle(rows, causes)`` is told who had a
        petition of which cause resolved; an unresolved one adds ``unresolved_jump`` and costs
        trust. An open-petition pointer follows a repeat or escalation, else clears; a filer
        whose petition ended unresolved cools down for ``cooldown_weeks``.
        """
        if not len(loop.closed_last):
            return
        rec = loop.rec
        c = loop.closed_last
        outcome, child, kind, cause = rec.outcome[c], rec.child[c], rec.kind[c], rec.cause[c]
        resolved = outcome == Outcome.RESOLVED
        g = v.grievance
        ind = kind == Kind.INDIVIDUAL
        # Individual petitions: the filer's pointer follows a repeat/escalation, else clears.
        f = rec.filer[c[ind]]
        self.open_pet[f] = child[ind]
        res_f = f[resolved[ind]]
        bad_f = f[~resolved[ind]]
        g[res_f] *= np.float32(1.0 - p.resolved_relief)
        v.trust[res_f] += np.float32(p.trust_gain) * (1 - v.trust[res_f])
        g[bad_f] = np.minimum(1.0, g[bad_f] + p.unresolved_jump)
        v.trust[bad_f] *= np.float32(1.0 - p.trust_loss)
        final_bad = f[(~resolved[ind]) & (child[ind] < 0)]
        self.cooldown_until[final_bad] = week + p.cooldown_weeks
        if settle is not None and len(res_f):
            settle(res_f, cause[ind][resolved[ind]])
        # Collective petitions: the village's aggrieved share the outcome.
        col = ~ind
        if col.any():
            vil = rec.village[c[col]]
            self.open_collective[vil] = child[col]
            # The aggrieved of those villages only (rows from the villages' row ranges).
            good = rows_of(v.offsets, np.unique(vil[resolved[col]]))
            bad = rows_of(v.offsets, np.unique(vil[~resolved[col]]))
            rg = good[g[good] > v.threshold[good]]
            rb = bad[g[bad] > v.threshold[bad]]
            if settle is not None and len(rg):
                # Each aggrieved villager of a village gets the cause of its resolved petition.
                res_v = vil[resolved[col]]
                by_v = np.full(len(self.open_collective), Cause.BACKGROUND, dtype=np.int8)
                by_v[res_v] = cause[col][resolved[col]]
                settle(rg, by_v[v.village[rg]])
            g[rg] *= np.float32(1.0 - p.resolved_relief)
            v.trust[rg] += np.float32(p.trust_gain) * (1 - v.trust[rg])
            g[rb] = np.minimum(1.0, g[rb] + p.unresolved_jump)
            v.trust[rb] *= np.float32(1.0 - p.trust_loss)

    def led_thresholds(
        self, rows: np.ndarray, displaced: np.ndarray, v: Villagers, cut: float
    ) -> np.ndarray:
        """Village thresholds this week: cut by ``cut`` (``leader_threshold_cut``) where an
        aggrieved displaced cadre (villager ``rows``, ``displaced``) lives (Granovetter's
        instigator)."""
        lead = displaced & (v.grievance[rows] > v.threshold[rows])
        if not lead.any():
            return self.theta
        theta = self.theta.copy()
        theta[np.unique(v.village[rows[lead]])] *= 1.0 - cut
        return theta

    def waiting(
        self, loop: PetitionLoop, v: Villagers, p: GrievanceParams
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hardship of waiting on an open petition, sparse: ``(rows, hardship)``.

        Own individual petitions, and collective ones of the villager's village that the
        villager joined (above their threshold); the larger counts where both apply. Only a
        few thousand villagers wait at a time, so the result is kept sparse.
        """
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        t = loop.clock
        rec = loop.rec

        def level(idx: np.ndarray) -> np.ndarray:
            late = loop.open_overdue(idx, t)
            return np.where(
                rec.filed[idx] < t, np.where(late, p.overdue_hardship, p.wait_hardship), 0.0
            )

        who = np.flatnonzero(self.open_pet >= 0)
        w_who = level(self.open_pet[who]) if len(who) else np.zeros(0)
        vil = np.flatnonzero(self.open_collective >= 0)
        if len(vil):
            # Only the rows of the villages with an open collective petition (a few villages).
            rows = rows_of(v.offsets, vil)
            w = np.repeat(level(self.open_collective[vil]), np.diff(v.offsets)[vil])
            joined = v.grievance[rows] > v.threshold[rows]
            who = np.concatenate([who, rows[joined]])
            w_who = np.concatenate([w_who, w[joined]])
        if not len(who):
            return empty
        # Largest hardship per villager (a filer may also have joined a collective petition).
        order = np.lexsort((-w_who, who))
        who, w_who = who[order], w_who[order]
        first = np.r_[True, who[1:] != who[:-1]]
        return who[first], w_who[first].astype(np.float32)

    def file(
        self,
        model: MergerModel,
        pet: PetitionMechanism,
        p: GrievanceParams,
        week: int,
        scale: float,
        rf: np.random.Generator,
        rb: np.random.Generator,
        cause_of: CauseOf | None = None,
        village_cause_of: CauseOf | None = None,
        theta: np.ndarray | None = None,
        above: np.ndarray | None = None,
    ) -> tuple[int, int]:
        """File this week's individual and collective petitions (see the module docstring).

        Args:
            model: The model (filings go through ``pet.file_petitions``).
            pet: The petitions mechanism.
            p: The ``grievance`` section.
            week: This week.
            scale: Simulated villagers per inhabitant (scales ``collective_min_persons``).
            rf: Stream of threshold filings; rb: stream of background filings.
            cause_of: Cause and domain of the threshold filers (rows); default ``BACKGROUND``.
            village_cause_of: The same for villages filing collectively.
            theta: This week's village thresholds (default :attr:`theta`; a leader cuts them).
            above: Villagers above their threshold per village (counted by the caller).

        Returns:
            ``(individual, collective)`` petitions filed.
        """
        v = model.villagers
        n, nv = v.n, len(self.theta)
        t0 = week * DAYS_PER_WEEK

        def eligible(rows: np.ndarray) -> np.ndarray:  # no open petition, not cooling down
            return (self.open_pet[rows] < 0) & (self.cooldown_until[rows] <= week)

        # Background filings first, from their own stream and in a number that does not depend
        # on the state, so that every scenario sharing a seed draws the same ones.
        lam = p.background_rate * n / 10_000.0 * DAYS_PER_WEEK / DAYS_PER_YEAR
        k = rb.poisson(lam) if n else 0
        bg, bg_t = rb.integers(0, max(n, 1), size=k), t0 + DAYS_PER_WEEK * rb.random(k)
        lam_c = p.background_collective_rate * n / 10_000.0 * DAYS_PER_WEEK / DAYS_PER_YEAR
        k = rb.poisson(lam_c) if n else 0
        bgv = v.village[rb.integers(0, max(n, 1), size=k)] if n else np.zeros(0, np.int64)
        bgv_t = t0 + DAYS_PER_WEEK * rb.random(k)
        # Threshold filings (Epstein's rule with Granovetter's heterogeneous thresholds).
        cand = np.flatnonzero(v.grievance > v.threshold)  # few: test eligibility on them only
        cand = cand[eligible(cand)]
        who = cand[
            select_filers(
                v.grievance[cand],
                v.threshold[cand],
                np.ones(len(cand), bool),
                rf.random(len(cand)),
                p.file_prob,
            )
        ]
        times = t0 + DAYS_PER_WEEK * rf.random(len(who))
        _, first = np.unique(bg, return_index=True)
        keep = np.zeros(len(bg), dtype=bool)
        keep[first] = True
        keep &= eligible(bg) & ~np.isin(bg, who)
        n_thr = len(who)
        cause = np.full(n_thr, Cause.BACKGROUND, dtype=np.int8)
        domain = np.full(n_thr, -1, dtype=np.int8)
        if cause_of is not None and n_thr:
            cause, domain = cause_of(who)
        who = np.r_[who, bg[keep]].astype(np.int64)
        times = np.r_[times, bg_t[keep]]
        cause = np.r_[cause, np.full(len(who) - n_thr, Cause.BACKGROUND, dtype=np.int8)]
        domain = np.r_[domain, np.full(len(who) - n_thr, -1, dtype=np.int8)]
        if len(who):
            idx = pet.file_petitions(
                model,
                times,
                v.village[who],
                filer=who,
                kind=Kind.INDIVIDUAL,
                size=1,
                cause=cause,
                domain=domain,
            )
            self.open_pet[who] = idx
        # Collective petitions: Granovetter thresholds per village, plus background ones
        # (brought by the minimum group).
        min_p = max(1, int(np.ceil(p.collective_min_persons * scale - 1e-9)))
        can = self.open_collective < 0
        vil, size = collective_trigger(
            v.grievance,
            v.threshold,
            v.village,
            nv,
            self.theta if theta is None else theta,
            can,
            rf.random(nv),
            p.collective_file_prob,
            min_p,
            v.offsets,
            above,
        )
        n_thr = len(vil)
        cause = np.full(n_thr, Cause.BACKGROUND, dtype=np.int8)
        domain = np.full(n_thr, -1, dtype=np.int8)
        if village_cause_of is not None and n_thr:
            cause, domain = village_cause_of(vil)
        times_c = t0 + DAYS_PER_WEEK * rf.random(len(vil))
        _, first = np.unique(bgv, return_index=True)
        keep = np.zeros(len(bgv), dtype=bool)
        keep[first] = True
        keep &= can[bgv] & ~np.isin(bgv, vil)
        vil = np.r_[vil, bgv[keep]].astype(np.int64)
        size = np.r_[size, np.full(int(keep.sum()), min_p)].astype(np.int64)
        times_c = np.r_[times_c, bgv_t[keep]]
        cause = np.r_[cause, np.full(len(vil) - n_thr, Cause.BACKGROUND, dtype=np.int8)]
        domain = np.r_[domain, np.full(len(vil) - n_thr, -1, dtype=np.int8)]
        if len(vil):
            idx = pet.file_petitions(
                model,
                times_c,
                vil,
                filer=-1,
                kind=Kind.COLLECTIVE,
                size=size,
                cause=cause,
                domain=domain,
            )
            self.open_collective[vil] = idx
        return len(who), len(vil)
