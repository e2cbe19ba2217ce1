"""The grievance mechanism: each week's hardship, grievance, communication and filings.

docs/domain.md §4 ("聚力稳控"). Vectorised over villagers: every weekly operation indexes arrays;
loops run only over the ten guarantees and the communication channels. One week
(:meth:`GrievanceMechanism.step`):

1. last week's closed petitions relieve or anger their filers
   (:meth:`~mergesim.mechanisms.grievance.filing.FilingState.apply_closures`);
2. the hardship of the week (:mod:`~mergesim.mechanisms.grievance.hardship`): the access loss
   against the pre-reform reference (from the services mechanism's routing now and before,
   less the part villagers have adapted to), lost rights, waiting on a petition; grievance
   moves toward Epstein's ``H (1 − trust)``;
3. communication and the risk watch (:mod:`~mergesim.mechanisms.grievance.communication`);
4. contagion within the village (:mod:`~mergesim.mechanisms.grievance.social`);
5. individual, collective and background filings
   (:mod:`~mergesim.mechanisms.grievance.filing`).

**Inputs.** ``model.services`` (``routing``, ``routing_pre``, ``routing_version``,
``village_minutes``), ``model.needs.rates``, ``model.villagers`` (``village``, ``age``,
``vehicle``, ``key_person``, ``grievance``, ``trust``, ``threshold``), ``model.units`` (roles of
the old units), ``model.administrative_township()`` and ``model.petitions`` (the
:class:`~mergesim.mechanisms.petitions.mechanism.PetitionMechanism`, optional: without it no
petitions are filed). The pure functions of the other modules take these as arguments and are
what the tests exercise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.config.schema import CommunicationParams, GrievanceParams, GuaranteeParams
from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.grievance.communication import (
    Watch,
    communicate,
    communication_reach,
    risk_watch,
)
from mergesim.mechanisms.grievance.filing import FilingState
from mergesim.mechanisms.grievance.hardship import (
    access_loss_per_affair,
    access_value,
    add_waiting,
    base_hardship,
    grievance_metrics,
    rights_loss,
    update_grievance,
)
from mergesim.mechanisms.grievance.social import contagion, village_mean

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


class GrievanceMechanism(Mechanism):
    """Weekly grievance of every villager and the petitions it produces (module docstring).

    Runs after ``services`` (it reads this week's access) and before ``petitions`` (which
    processes the week's filings); it reads the petitions closed in the previous week.

    Attributes:
        filing: Open petitions and filing eligibility (:class:`FilingState`).
        poor: Villager's household is poor (bool).
        rights: Weekly loss of rights per villager (float32; zero before the reform).
        adapted: Part of the access loss villagers have adapted to (minutes per affair).
        access_loss: The access loss used this week (minutes per affair, float32).
        ref_village: Mean grievance per village at the reform (the risk watch's reference).
        watch: The current :class:`~mergesim.mechanisms.grievance.communication.Watch`.
        weekly: This week's counts and means.
    """

    name = "grievance"

    def setup(self, model: MergerModel) -> None:
        cfg = model.config
        self.p: GrievanceParams = cfg.grievance
        self.gp: GuaranteeParams = cfg.guarantees
        self.cp: CommunicationParams = cfg.communication
        # Sub-streams, so that communication, filing and background petitions never shift each
        # other's draws (common random numbers across scenarios).
        self._rng = model.streams.generator(self.name)
        self._rng_comm = model.streams.generator(self.name, 1)
        self._rng_file = model.streams.generator(self.name, 2)
        self._rng_bg = model.streams.generator(self.name, 3)
        v = model.villagers
        n, nv = v.n, model.county.n_villages
        self.n_villages = nv
        self.scale = n / max(int(model.county.population.sum()), 1)
        rng = self._rng
        m, s = self.p.collective_threshold_mean, self.p.collective_threshold_sd
        if s > 0:
            k = m * (1 - m) / (s * s) - 1.0
            theta = rng.beta(m * k, (1 - m) * k, size=nv)
        else:
            theta = np.full(nv, m)
        self.poor = (rng.random(v.n_households) < self.gp.poor_share)[v.household]
        self.filing = FilingState.start(n, theta)
        self.rights = np.zeros(n, dtype=np.float32)
        self.adapted = np.zeros(n, dtype=np.float32)
        self.access_loss = np.zeros(n, dtype=np.float32)
        self.ref_village = np.zeros(nv)
        self.watch = Watch.empty()
        self._kw = np.asarray(self.p.kind_weights, dtype=float)
        # Caches keyed by identity: the access loss per routing version, its value per loss
        # array, the standing hardship per (value, rights) pair — each changes only at a
        # phase change, so the weekly step recomputes none of them.
        self._access_cache: tuple[Any, np.ndarray] | None = None
        self._value_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._base_cache: tuple[tuple[np.ndarray, np.ndarray], np.ndarray] | None = None
        self._influence = np.where(
            v.key_person, np.float32(self.p.key_person_influence), np.float32(1.0)
        )
        self.reform_week = model.timeline.reform_week
        self.weekly: dict[str, Any] = {}

    # -- phases ---------------------------------------------------------------------------

    def on_phase(self, model: MergerModel, week: int) -> None:
        if week != self.reform_week:
            return
        v = model.villagers
        units = model.units
        self.rights = rights_loss(
            self.gp,
            units.village_role[v.village],
            units.township_role[model.county.township[v.village]],
            v.key_person,
            self.poor,
        )
        self.ref_village = np.nan_to_num(
            village_mean(v.grievance, v.village, self.n_villages, offsets=v.offsets)
        )

    # -- inputs ---------------------------------------------------------------------------

    def current_access_loss(self, model: MergerModel) -> np.ndarray:
        """:func:`~mergesim.mechanisms.grievance.hardship.access_loss_per_affair` from the
        services mechanism's routing now and before the reform (cached per routing version;
        zero without a services mechanism)."""
        svc = getattr(model, "services", None)
        if svc is None or not hasattr(svc, "routing_pre"):
            return np.zeros(model.villagers.n, dtype=np.float32)
        key = getattr(svc, "routing_version", None)
        if self._access_cache is None or self._access_cache[0] != key:
            v = model.villagers
            loss = access_loss_per_affair(
                svc.village_minutes(svc.routing),
                svc.village_minutes(svc.routing_pre),
                model.needs.rates,
                self._kw,
                v.age,
                v.village,
                v.vehicle,
                model.config.villagers.no_vehicle_factor,
            )
            self._access_cache = (key, loss)
        return self._access_cache[1]

    def effort(self, week: int) -> float:
        """Communication effort this week (1 = full campaign)."""
        if not self.cp.enabled:
            return 0.0
        if self.reform_week <= week < self.reform_week + self.cp.campaign_weeks:
            return 1.0
        return self.cp.routine_share

    def standing_hardship(self, loss: np.ndarray) -> np.ndarray:
        """:func:`~mergesim.mechanisms.grievance.hardship.base_hardship` of the access value of
        ``loss`` and the lost rights, cached while neither array changes."""
        if self._value_cache is None or self._value_cache[0] is not loss:
            self._value_cache = (loss, access_value(loss, self.p))
        key = (self._value_cache[1], self.rights)
        if self._base_cache is None or any(
            a is not b for a, b in zip(self._base_cache[0], key, strict=True)
        ):
            self._base_cache = (key, base_hardship(*key))
        return self._base_cache[1]

    # -- the week -------------------------------------------------------------------------

    def step(self, model: MergerModel) -> None:
        v, p, cp, rng = model.villagers, self.p, self.cp, self._rng_comm
        week = model.week
        n, nv = v.n, self.n_villages
        pet = getattr(model, "petitions", None)
        if pet is not None:
            self.filing.apply_closures(pet.loop, v, p, week)

        loss = self.current_access_loss(model)
        if p.adaptation_weeks > 0:
            self.adapted += (loss - self.adapted) / np.float32(p.adaptation_weeks)
            loss = loss - self.adapted
        self.access_loss = loss
        h = self.standing_hardship(loss)
        if pet is not None:  # waiting on a petition: sparse, added to the waiting rows only
            h = add_waiting(h, *self.filing.waiting(pet.loop, v, p))
        g = update_grievance(v.grievance, v.trust, h, p.memory_weeks)

        # Communication and the risk watch.
        tov = np.asarray(model.administrative_township(), dtype=np.int64)
        n_t = int(tov.max()) + 1 if len(tov) else 0
        eff = self.effort(week)
        # Re-rank every watch_update_weeks, and at the reform (the townships change).
        update = week % cp.watch_update_weeks == 0 or week == self.reform_week
        if cp.targeting == "risk" and update:
            k_p = int(round(cp.watch_persons * self.scale))
            k_p = max(k_p, 1) if cp.watch_persons else 0
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
            )
        reach = {
            "broadcast": np.zeros(n, bool),
            "meeting": np.zeros(n, bool),
            "talk": np.zeros(n, bool),
            "meeting_villages": np.zeros(0, np.int64),
        }
        if eff > 0:
            reach = communication_reach(
                g, v.village, nv, tov, self.watch, cp, eff, self.scale, rng, v.offsets
            )
            g = communicate(g, reach, cp)

        g = contagion(g, v.village, nv, p.contagion, self._influence, v.offsets)
        v.grievance[:] = g

        filed_ind = filed_col = 0
        if pet is not None:
            filed_ind, filed_col = self.filing.file(
                model, pet, p, week, self.scale, self._rng_file, self._rng_bg
            )
        gm = grievance_metrics(v.grievance, v.threshold)
        self.weekly = {
            **gm,
            "filed_individual": filed_ind,
            "filed_collective": filed_col,
            "talks": int(reach["talk"].sum()),
            "meeting_villages": len(reach["meeting_villages"]),
            "broadcast_reached": int(reach["broadcast"].sum()),
            "effort": eff,
            "access_loss_mean": float(np.mean(loss)) if n else float("nan"),
        }
