"""The grievance mechanism: each week's hardship, grievance, communication and filings.

docs/domain.md §4 ("聚力稳控"). Vectorised over villagers: every weekly operation indexes arrays;
per-village and per-cell tables do the aggregate work. One week
(:meth:`GrievanceMechanism.step`):

1. last week's closed petitions relieve or anger their filers, and a substantive resolution
   settles a fixable loss (:meth:`~.filing.FilingState.apply_closures`);
2. the week's completed affairs update the access accounts (:mod:`~.accounts`: per service
   domain, the experienced cost against an adapting reference); the standing losses follow the
   cadre pool (the election) and the services' "not lowered" check; hardship = access accounts
   + standing losses (+ waiting on a petition); grievance moves toward Epstein's
   ``H (1 − trust)`` (:mod:`~.hardship`);
3. communication and the risk watch (:mod:`~.communication`);
4. contagion within the village (:mod:`~.social`);
5. individual, collective and background filings, each with its cause (:mod:`~.filing`,
   :mod:`~.causes`).

At the reform week (:meth:`GrievanceMechanism.on_phase`) the standing losses are set from the
plan, the endowments and the cadres' new committees (:mod:`~.standing`, :mod:`~.channels`),
trust falls with the unit's size, the displaced cadres' own losses start
(:mod:`~.cadre_villagers`), the access accounts take their references, and the risk watch's
ex-ante risk is fixed.

**Inputs.** ``model.services`` (``done``, ``routing``, ``routing_pre``, ``village_minutes``,
``not_lowered``), ``model.needs.rates``, ``model.villagers``, ``model.units``,
``model.cadres.pool`` (optional), ``model.administrative_township()`` and ``model.petitions``
(optional: without it no petitions are filed). The pure functions of the other modules take
these as arguments and are what the tests exercise.

**Outputs** besides the villagers' ``grievance`` and ``trust``: :attr:`access_gap` (read by the
petitions mechanism), :attr:`parts` and :attr:`access` (hardship by cause), :attr:`watch`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.config.schema import CommunicationParams, GrievanceParams, GuaranteeParams
from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.grievance import kernel as kern
from mergesim.mechanisms.grievance.accounts import (
    AccessAccounts,
    cell_rates,
    domain_of_loss,
    domain_rates,
    domain_weights,
    expected_cost,
    experienced_cost,
    villager_cells,
)
from mergesim.mechanisms.grievance.cadre_villagers import CadreVillagers, cadre_losses, map_cadres
from mergesim.mechanisms.grievance.causes import (
    FIXABLE,
    PART_CAUSES,
    PART_OF,
    UNKNOWN,
    dominant_cause,
)
from mergesim.mechanisms.grievance.communication import Watch, communication_reach, risk_watch
from mergesim.mechanisms.grievance.filing import FilingState
from mergesim.mechanisms.grievance.hardship import perceived_loss
from mergesim.mechanisms.grievance.social import ratio, rows_of, sizes, village_mean, village_sum
from mergesim.mechanisms.grievance.standing import Endowments, reform_losses
from mergesim.mechanisms.kernels import kernel_name
from mergesim.mechanisms.needs import N_DOMAINS
from mergesim.mechanisms.petitions.records import Cause

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

_RIGHTS, _CADRE = PART_OF[Cause.RIGHTS], PART_OF[Cause.CADRE]


class GrievanceMechanism(Mechanism):
    """Weekly grievance of every villager and the petitions it produces (module docstring).

    Runs after ``services`` (it reads this week's affairs) and ``cadres`` (the pool after the
    reform) and before ``petitions`` (which processes the week's filings); it reads the
    petitions closed in the previous week.

    Attributes:
        filing: Open petitions and filing eligibility (:class:`FilingState`).
        endow: Villages' and households' holdings (:class:`Endowments`).
        poor: Villager's household is poor (bool).
        accounts: The access accounts (:class:`AccessAccounts`).
        access: This week's access hardship per villager (float32).
        access_gap: Valued loss per affair per domain and village, ``(N_DOMAINS, nv)``, ≥ 0.
        parts: Standing losses per villager by cause, ``(len(PART_CAUSES), n)`` float32.
        standing: Their sum per villager (float32).
        parts_version: Counts the changes of :attr:`parts` (readers cache on it).
        cadres: The represented cadres (:class:`CadreVillagers`).
        ref_village: Mean grievance per village at the reform (the watch's reference).
        ex_ante: Ex-ante risk per village (weighted, the watch's foresight).
        watch: The current :class:`~mergesim.mechanisms.grievance.communication.Watch`.
        facts: What the reform's channels reached (run summary).
        weekly: This week's counts and means.
    """

    name = "grievance"

    def setup(self, model: MergerModel) -> None:
        cfg = model.config
        self.p: GrievanceParams = cfg.grievance
        self.gp: GuaranteeParams = cfg.guarantees
        self.cp: CommunicationParams = cfg.communication
        self.c = cfg.conflict
        # Sub-streams, so that communication, filing, background petitions and the conflict
        # draws never shift each other's (common random numbers across scenarios).
        self._rng = model.streams.generator(self.name)
        self._rng_comm = model.streams.generator(self.name, 1)
        self._rng_file = model.streams.generator(self.name, 2)
        self._rng_bg = model.streams.generator(self.name, 3)
        rng_conflict = model.streams.generator(self.name, 4)
        v = model.villagers
        n, nv = v.n, model.county.n_villages
        self.n_villages = nv
        self.scale = n / max(int(model.county.population.sum()), 1)
        m, s = self.p.collective_threshold_mean, self.p.collective_threshold_sd
        if s > 0:
            k = m * (1 - m) / (s * s) - 1.0
            theta = self._rng.beta(m * k, (1 - m) * k, size=nv)
        else:
            theta = np.full(nv, m)
        self.endow = Endowments.draw(model.county, v, self.gp, self.c, rng_conflict)
        self.poor = self.endow.poor[v.household]
        pool = getattr(getattr(model, "cadres", None), "pool", None)
        self.cadres = (
            map_cadres(pool, model.county, v, self.scale, rng_conflict)
            if pool is not None
            else CadreVillagers.none()
        )
        self.filing = FilingState.start(n, theta)
        rates = np.asarray(model.needs.rates, dtype=float)
        self.omega = domain_weights(rates, self.p.kind_weights)
        self._kind_rates = cell_rates(rates, v.age, v.vehicle, v.village, nv)
        self.accounts = AccessAccounts.empty(domain_rates(self._kind_rates), self.p)
        self._routing_key: Any = None
        self._refresh_expected(model)
        self._cells = villager_cells(v.age, v.vehicle, v.village, nv).astype(np.intp)
        self.access = np.zeros(n, dtype=np.float32)
        # The path of the week's villager-length stretches (read once a run); reused buffers.
        self.kernel = kernel_name()
        kern.warm_up(self.kernel, self.cp)
        self._buf = kern.Buffers.empty(v.offsets)
        self.access_gap = np.zeros((N_DOMAINS, nv))
        self.parts = np.zeros((len(PART_CAUSES), n), dtype=np.float32)
        self.standing = np.zeros(n, dtype=np.float32)
        self.parts_version = 0
        self._rights_mech = np.zeros(n, dtype=np.float32)
        self._rights_settled = np.zeros(n, dtype=bool)
        self._services_broken = False
        self.ref_village = np.zeros(nv)
        self.ex_ante = np.zeros(nv)
        self._first_persons: np.ndarray | None = None
        self._cadre_key: tuple | None = None
        self.watch = Watch.empty()
        self.facts: dict[str, Any] = {}
        self._influence = np.where(
            v.key_person, np.float32(self.p.key_person_influence), np.float32(1.0)
        )
        self._influence[self.cadres.row] = np.float32(self.p.key_person_influence)
        self._influence_sum = village_sum(self._influence, v.offsets)  # fixed for the run
        self.reform_week = model.timeline.reform_week
        self.reformed = False
        self.weekly: dict[str, Any] = {}

    # -- phases ---------------------------------------------------------------------------

    def on_phase(self, model: MergerModel, week: int) -> None:
        if self.reformed or week < self.reform_week:
            return
        self.reformed = True
        v, units = model.villagers, model.units
        pool = getattr(getattr(model, "cadres", None), "pool", None)
        self.ref_village = np.nan_to_num(
            village_mean(v.grievance, v.village, self.n_villages, offsets=v.offsets)
        )
        loss = reform_losses(model.county, units, v, self.endow, pool, self.p, self.gp, self.c)
        self._rights_mech = loss.rights
        self.parts[PART_OF[Cause.ASSETS]] = loss.assets
        self.parts[PART_OF[Cause.REPRESENTATION]] = loss.voice
        self.parts[PART_OF[Cause.SEAT_LOSS]] = loss.seat
        np.subtract(v.trust, loss.trust_drop, out=v.trust)
        np.clip(v.trust, 0.0, 1.0, out=v.trust)
        self._services_broken = self.services_broken(model)
        self._set_rights(model)
        self._update_cadres(model)
        self.facts = dict(loss.facts)
        self._start_accounts(model)
        # Ex-ante risk: the Epstein grievance the standing losses head for, per village.
        risk = village_mean(
            self.standing * (1.0 - v.trust), v.village, self.n_villages, offsets=v.offsets
        )
        self.ex_ante = self.cp.ex_ante_weight * np.nan_to_num(risk)
        cv = self.cadres
        hit = cv.loss > 0
        score = cv.loss[hit] * (1.0 - v.trust[cv.row[hit]])
        self._first_persons = cv.row[hit][np.argsort(-score, kind="stable")]

    def _expected(self, model: MergerModel, routing: Any) -> np.ndarray:
        """Round trip per affair of each cell on ``routing`` (zeros without services)."""
        svc = getattr(model, "services", None)
        if svc is None or routing is None:
            return np.zeros(self.accounts.rate.shape)
        f = model.config.villagers.no_vehicle_factor
        return expected_cost(svc.village_minutes(routing), self._kind_rates, f)

    def _refresh_expected(self, model: MergerModel) -> None:
        """The accounts' expected round trips follow the routing in force."""
        svc = getattr(model, "services", None)
        key = getattr(svc, "routing_version", None)
        if svc is None or key == self._routing_key:
            return
        self._routing_key = key
        self.accounts.expected = self._expected(model, getattr(svc, "routing", None))

    def _start_accounts(self, model: MergerModel) -> None:
        """The access accounts' references and the anticipated cost of the new routes."""
        svc = getattr(model, "services", None)
        before = self._expected(model, getattr(svc, "routing_pre", None))
        now = self._expected(model, getattr(svc, "routing", None))
        self.accounts.start(before, now, self.p.anticipation_weeks)
        self._routing_key = getattr(svc, "routing_version", None)

    def services_broken(self, model: MergerModel) -> bool:
        """ "Public services not lowered" broken in fact (the services mechanism's check)."""
        nl = getattr(getattr(model, "services", None), "not_lowered", None)
        return bool(nl is not None and not nl.get("held", True))

    def _set_rights(self, model: MergerModel) -> None:
        """The RIGHTS part: broken guarantees' mechanics plus their perceived losses."""
        v, units = model.villagers, model.units
        perceived = perceived_loss(
            self.gp,
            units.village_role[v.village],
            units.township_role[model.county.township[v.village]],
            v.key_person,
            self.poor,
            broken={"services_kept": self._services_broken},
        )
        part = self._rights_mech + perceived
        part[self._rights_settled] = 0.0
        self.parts[_RIGHTS] = part
        self.standing = self.parts.sum(axis=0)
        self.parts_version += 1

    def _update_cadres(self, model: MergerModel) -> bool:
        """Recompute the represented cadres' own losses from the pool; True if they changed."""
        pool = getattr(getattr(model, "cadres", None), "pool", None)
        cv = self.cadres
        if pool is None or not cv.n:
            return False
        # What the losses depend on changes only at the reform (a new pool) and the election
        # (transitional posts and kept pay end), or when a case is settled.
        key = (
            id(pool),
            pool.transition_over,
            int(np.count_nonzero(pool.active)),
            float(pool.kept_pay.sum()),
            int(np.count_nonzero(cv.settled)),
        )
        if key == self._cadre_key:
            return False
        self._cadre_key = key
        loss, displaced = cadre_losses(pool, cv, self.p, self.gp, self.c, model.config.cadres)
        cv.displaced = displaced
        if np.array_equal(loss, cv.loss):
            return False
        changed = loss != cv.loss
        cv.loss = loss
        rows = cv.row[changed]
        self.parts[_CADRE, rows] = loss[changed]
        self.standing[rows] = self.parts[:, rows].sum(axis=0)
        self.parts_version += 1
        return True

    # -- causes ---------------------------------------------------------------------------

    def cause_of(self, model: MergerModel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cause and domain of petitions filed by villager ``rows`` (their dominant source;
        else their village's; else ``BACKGROUND``)."""
        v = model.villagers
        cause = dominant_cause(self.access[rows], self.parts[:, rows])
        lost = cause == UNKNOWN
        if lost.any():
            cause[lost] = self.village_cause(model, v.village[rows[lost]])[0]
        domain = np.full(len(rows), -1, dtype=np.int8)
        acc = cause == Cause.ACCESS
        if acc.any():
            r = rows[acc]
            domain[acc] = domain_of_loss(
                self.omega, self.accounts.value, v.age[r], v.vehicle[r], v.village[r]
            )
        return cause, domain

    def village_cause(
        self, model: MergerModel, villages: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cause and domain of each village's collective petition: the dominant source of its
        aggrieved villagers' summed hardship (of all its villagers when none is aggrieved)."""
        v = model.villagers
        villages = np.asarray(villages, dtype=np.int64)
        u, inv = np.unique(villages, return_inverse=True)
        rows = rows_of(v.offsets, u)
        which = np.repeat(np.arange(len(u)), np.diff(v.offsets)[u])
        aggr = v.grievance[rows] > v.threshold[rows]
        has = np.bincount(which[aggr], minlength=len(u)) > 0
        take = aggr | ~has[which]
        acc = np.bincount(which[take], weights=self.access[rows[take]], minlength=len(u))
        parts = np.vstack(
            [
                np.bincount(which[take], weights=self.parts[k, rows[take]], minlength=len(u))
                for k in range(len(PART_CAUSES))
            ]
        )
        cause = dominant_cause(acc, parts.astype(np.float32))
        cause[cause == UNKNOWN] = Cause.BACKGROUND
        domain = np.where(
            cause == Cause.ACCESS, np.argmax(self.access_gap[:, u], axis=0), -1
        ).astype(np.int8)
        return cause[inv], domain[inv]

    def settle(self, rows: np.ndarray, causes: np.ndarray) -> None:
        """Substantively resolved petitions of a fixable cause settle their filers' part."""
        fix = np.isin(causes, FIXABLE)
        if not fix.any():
            return
        for c in FIXABLE:
            r = rows[fix & (causes == c)]
            if not len(r):
                continue
            self.parts[PART_OF[c], r] = 0.0
            self.standing[r] = self.parts[:, r].sum(axis=0)
            self.parts_version += 1
            if c == Cause.RIGHTS:
                self._rights_settled[r] = True
            elif c == Cause.CADRE:
                self.cadres.settled[np.isin(self.cadres.row, r)] = True

    # -- the week -------------------------------------------------------------------------

    def effort(self, week: int) -> float:
        """Communication effort this week (1 = full campaign)."""
        if not self.cp.enabled:
            return 0.0
        if self.reform_week <= week < self.reform_week + self.cp.campaign_weeks:
            return 1.0
        return self.cp.routine_share

    def update_access(self, model: MergerModel) -> np.ndarray | None:
        """Record this week's affairs in the access accounts.

        Returns:
            The accounts' table of access hardship per cell (:meth:`AccessAccounts.table`),
            from which the week's update refreshes :attr:`access`; None before they start.
        """
        svc = getattr(model, "services", None)
        done = getattr(svc, "done", None)
        self._refresh_expected(model)
        if done is not None:
            self.accounts.record(done, experienced_cost(done, self.p))
        if not self.accounts.started:
            return None
        self.accounts.update(self.p)
        self.access_gap = self.accounts.gap()
        return self.accounts.table(self.omega)

    def step(self, model: MergerModel) -> None:
        v, p, cp, rng = model.villagers, self.p, self.cp, self._rng_comm
        week = model.week
        n, nv = v.n, self.n_villages
        pet = getattr(model, "petitions", None)
        if pet is not None:
            self.filing.apply_closures(pet.loop, v, p, week, settle=self.settle)

        table = self.update_access(model)
        if self.reformed:
            self._update_cadres(model)
            broken = self.services_broken(model)
            if broken != self._services_broken:
                self._services_broken = broken
                self._set_rights(model)
        # Waiting on a petition: sparse, added to the waiting rows only.
        waiting = self.filing.waiting(pet.loop, v, p) if pet is not None else kern.NO_WAIT
        # Hardship (standing alone before the reform) and Epstein's smoothed grievance, with
        # the village sums the watch and the meetings rank by.
        g, vsum = kern.update_week(
            self.kernel,
            v.grievance,
            v.trust,
            self.standing,
            self.access,
            table,
            self._cells,
            self.reformed,
            waiting,
            p.memory_weeks,
            v.offsets,
            self._buf,
        )
        means = ratio(vsum, sizes(v.offsets))

        # Communication and the risk watch.
        tov = np.asarray(model.administrative_township(), dtype=np.int64)
        n_t = int(tov.max()) + 1 if len(tov) else 0
        eff = self.effort(week)
        # Re-rank every watch_update_weeks, and at the reform (the townships change).
        update = week % cp.watch_update_weeks == 0 or week == self.reform_week
        if cp.targeting != "random" and update:
            k_p = int(round(cp.watch_persons * self.scale))
            k_p = max(k_p, 1) if cp.watch_persons else 0
            ex_ante = self.ex_ante if cp.targeting == "risk" else None
            first = self._first_persons if cp.targeting == "risk" else None
            self.watch = risk_watch(
                g,
                v.village,
                nv,
                tov,
                n_t,
                v.key_person,
                self.ref_village,
                cp.watch_towns,
                cp.watch_villages,
                k_p,
                rng,
                v.offsets,
                ex_ante=ex_ante,
                first_persons=first,
                means=means,
            )
        reach = None
        if eff > 0:
            reach = communication_reach(
                g, v.village, nv, tov, self.watch, cp, eff, self.scale, rng, v.offsets, means
            )
        # Communication, contagion within the village, and who is above their threshold.
        above = kern.spread_week(
            self.kernel,
            g,
            reach,
            cp,
            p.contagion,
            self._influence,
            self._influence_sum,
            v.offsets,
            v.village,
            v.threshold,
            v.grievance,
            self._buf,
        )

        filed_ind = filed_col = 0
        if pet is not None:
            filed_ind, filed_col = self.filing.file(
                model,
                pet,
                p,
                week,
                self.scale,
                self._rng_file,
                self._rng_bg,
                cause_of=lambda rows: self.cause_of(model, rows),
                village_cause_of=lambda vil: self.village_cause(model, vil),
                theta=self.led_thresholds(v),
                above=above,
            )
        reach = reach or {"talk_rows": (), "meeting_villages": (), "broadcast": ()}
        self.weekly = {
            # Filing changes no grievance: the counts above threshold still hold.
            "grievance_mean": float(v.grievance.mean()) if n else float("nan"),
            "aggrieved_share": float(above.sum() / n) if n else float("nan"),
            "filed_individual": filed_ind,
            "filed_collective": filed_col,
            "talks": len(reach["talk_rows"]),
            "meeting_villages": len(reach["meeting_villages"]),
            "broadcast_reached": int(np.count_nonzero(reach["broadcast"])),
            "effort": eff,
        }

    def led_thresholds(self, v: Any) -> np.ndarray:
        """Village thresholds this week (:meth:`FilingState.led_thresholds`)."""
        cv = self.cadres
        return self.filing.led_thresholds(cv.row, cv.displaced, v, self.p.leader_threshold_cut)

    def summary(self, model: MergerModel) -> dict[str, Any]:
        """What the reform's channels reached, and the displaced cadres now (run summary)."""
        v, cv = model.villagers, self.cadres
        d = cv.displaced
        g = v.grievance[cv.row[d]]
        return {
            **self.facts,
            "services_not_lowered_broken": self._services_broken,
            "cadres_represented": cv.n,
            "cadres_displaced": int(d.sum()),
            "displaced_aggrieved_share": float(np.mean(g > v.threshold[cv.row[d]]))
            if d.any()
            else None,
        }
