"""The cadres mechanism: the pool at set-up, the reform, training and the election.

docs/domain.md §3 ("聚拢人才"). :class:`CadreMechanism` synthesises the pool at set-up
(:mod:`~mergesim.mechanisms.cadres.synthesis`), applies the reform at the reform week
(:func:`~mergesim.mechanisms.cadres.selection.select_and_place`), trains cadres afterwards
and ends the transition at the village election.

**Transition**: departing village cadres keep their pay (less any new pay) until the next
village election, ``election_weeks`` after the reform (``guarantees.transition_pay_kept``;
broken, kept pay stops at the reform); transitional posts end then too
(:func:`end_transition`). Both count in the administrative cost; the transition's cost is
counted at the reform (planned: ``transition_cost_total``) and summed week by week until the
election ends it (``transition_cost_paid``).

**Guarantees** the cadres carry (:func:`~mergesim.mechanisms.cadres.selection.select_and_place`):
``staffing_kept`` (posts taken back), ``cadres_placed`` (displaced cadres left unplaced),
``transition_pay_kept``.

**Training** (:func:`train`, in ``step``): ``training_person_times`` sessions spread evenly over
``training_weeks`` after the reform; each session closes ``training_gain`` of the gap between a
cadre's competence and ``competence_cap`` (diminishing returns). Trainees are drawn without
replacement, cadres appointed at the reform ``training_new_priority`` times as likely, and
less likely the more sessions they have had.

Wiring (:mod:`mergesim.model.model`): the mechanism runs after ``services``, so its
``on_phase`` at the reform week sees the re-configured points and sets their capacity and
completion-odds multipliers (:meth:`CadreMechanism.staff_points`: ``points.efficiency`` and
``points.competence``, from the working competence and the span of control,
:mod:`~mergesim.mechanisms.cadres.consequences`; again whenever training or the election
changes the cadres; ``cadres.staff_points = false`` leaves every point at 1). The petition
mechanism reads the pool's petition staff and their working competence for its stage servers,
speed and resolution (``petitions.staffing = "cadres"``,
:mod:`mergesim.mechanisms.petitions.staffing`); the run summary reports
:func:`~mergesim.mechanisms.cadres.metrics.cadre_summary`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mergesim.config.schema import CadreParams
from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.cadres.consequences import point_competence, working_competence
from mergesim.mechanisms.cadres.metrics import (
    cadre_summary,
    model_admin_cost,
    transition_cost_total,
    transition_cost_week,
)
from mergesim.mechanisms.cadres.pool import IN_POST, CadrePool, Outcome
from mergesim.mechanisms.cadres.selection import select_and_place
from mergesim.mechanisms.cadres.staffing import assign_stages, point_efficiency
from mergesim.mechanisms.cadres.synthesis import synthesize_pool

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel


def end_transition(pool: CadrePool, p: CadreParams) -> None:
    """The village election: transitional posts and kept pay end (in place)."""
    trans = np.isin(pool.outcome, (Outcome.TOWNSHIP_TRANSITIONAL, Outcome.VILLAGE_SPECIALIST))
    pool.active[trans] = False
    pool.township[trans] = -1
    pool.pay[trans] = 0.0
    pool.kept_pay[:] = 0.0
    pool.transition_over = True
    assign_stages(pool, p)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def sessions_in_week(p: CadreParams, week_after: int) -> int:
    """Training sessions held in week ``week_after`` (0 = reform week); they sum to the total."""
    total, weeks = p.training_person_times, p.training_weeks
    if not 0 <= week_after < weeks:
        return 0
    return total * (week_after + 1) // weeks - total * week_after // weeks


def train(pool: CadrePool, p: CadreParams, sessions: int, rng: np.random.Generator) -> int:
    """Give ``sessions`` training sessions to distinct cadres at work (in place).

    Returns:
        The number of sessions given (fewer when fewer cadres are at work).
    """
    elig = np.flatnonzero(pool.active)
    k = min(int(sessions), len(elig))
    if k <= 0:
        return 0
    new = pool.reselected[elig] & np.isin(pool.outcome[elig], IN_POST)
    w = np.where(new, p.training_new_priority, 1.0) / (1.0 + pool.trained[elig])
    if w.sum() <= 0:
        w = np.ones(len(elig))
    chosen = rng.choice(elig, size=k, replace=False, p=w / w.sum())
    c = pool.competence
    c[chosen] += p.training_gain * np.maximum(p.competence_cap - c[chosen], 0.0)
    pool.trained[chosen] += 1
    return k


# ---------------------------------------------------------------------------------------------
# The mechanism
# ---------------------------------------------------------------------------------------------


class CadreMechanism(Mechanism):
    """Cadres of the run: synthesised at set-up, selected and placed at the reform week,
    trained afterwards; transitional posts and kept pay end at the election.

    Attributes:
        pool: The :class:`CadrePool` now.
        pool_before: The pool before the reform (reference for metrics and capacity).
        reform_week: Week the plan takes effect.
        election_week: Week of the next village election.
        sessions: Training sessions given so far.
        cost_before, cost_after: Weekly administrative cost (yuan/week) before and after the
            reform (:func:`mergesim.mechanisms.cadres.metrics.admin_cost`); ``cost_after`` is
            the steady state after the transition; ``cost_transition`` the reform week's.
        transition_planned: The transition's cost counted at the reform (yuan).
        transition_paid: Transition pay actually paid so far (yuan; summed weekly until the
            election).
    """

    name = "cadres"

    def setup(self, model: MergerModel) -> None:
        self.p = model.config.cadres
        self._rng = model.streams.generator(self.name)
        self.pool = synthesize_pool(model.county, model.plan, self.p, self._rng)
        self.pool_before = self.pool.copy()
        self.reform_week = model.timeline.reform_week
        self.election_week = self.reform_week + self.p.election_weeks
        self.sessions = 0
        self.cost_before = model_admin_cost(model, self.pool, self.p, reformed=False)
        self.cost_after: dict[str, float] | None = None
        self.cost_transition: dict[str, float] | None = None
        self.transition_planned = 0.0
        self.transition_paid = 0.0

    def working_competence(self) -> np.ndarray:
        """Competence at work of every person of the pool now
        (:func:`~mergesim.mechanisms.cadres.consequences.working_competence`)."""
        return working_competence(self.pool, self.p)

    def on_phase(self, model: MergerModel, week: int) -> None:
        if self.pool.reformed or week < self.reform_week:
            return
        self.pool = select_and_place(
            self.pool, model.county, model.plan, self.p, self._rng, model.config.guarantees
        )
        # Counted now, before the election ends kept pay and transitional posts.
        self.transition_planned = transition_cost_total(self.pool, self.p)
        self.cost_transition = model_admin_cost(model, self.pool, self.p, reformed=True)
        self.cost_after = model_admin_cost(
            model, self.pool, self.p, reformed=True, transition=False
        )
        self.staff_points(model)

    def staff_points(self, model: MergerModel) -> None:
        """Set the administrative service points' capacity multiplier (``efficiency``:
        :func:`point_efficiency`) and completion-odds multiplier (``competence``:
        :func:`~mergesim.mechanisms.cadres.consequences.point_competence`) from the cadres
        now; runs after the services mechanism re-configured the points. A points object
        without a ``competence`` array of one value per point gets one (ones) first."""
        services = getattr(model, "services", None)
        if services is None or not self.p.staff_points:
            return
        pts = services.points
        args = (pts.kind, pts.village, pts.base_village, model.county, model.plan)
        pts.efficiency[:] = point_efficiency(
            self.pool,
            self.pool_before,
            *args,
            comp=working_competence(self.pool, self.p),
            comp_ref=working_competence(self.pool_before, self.p),
        )
        comp = getattr(pts, "competence", None)
        if comp is None or np.shape(comp) != (pts.n,):
            pts.competence = np.ones(pts.n)
        pts.competence[:] = point_competence(self.pool, self.pool_before, *args, self.p)

    def step(self, model: MergerModel) -> None:
        if not self.pool.reformed:
            return
        week_after = model.week - self.reform_week
        k = sessions_in_week(self.p, week_after)
        changed = False
        if k:
            self.sessions += train(self.pool, self.p, k, self._rng)
            changed = True
        if model.week < self.election_week and not self.pool.transition_over:
            self.transition_paid += transition_cost_week(self.pool)
        if model.week >= self.election_week and not self.pool.transition_over:
            end_transition(self.pool, self.p)
            changed = True
        if changed:  # next week's capacities see the trained (or departed) cadres
            self.staff_points(model)

    def summary(self) -> dict:
        """Cadre metrics for the run summary (:func:`cadre_summary`)."""
        return cadre_summary(
            self.pool_before,
            self.pool,
            cost_before=self.cost_before,
            cost_after=self.cost_after,
            transition={
                "transition_cost_total": self.transition_planned,
                "transition_cost_paid": self.transition_paid,
            },
        )
