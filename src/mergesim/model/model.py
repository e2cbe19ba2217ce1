"""``MergerModel``: the Mesa model of a county's township and village merger, one step a week.

**One step (one week) — the order is written here and only here** (:meth:`MergerModel.step`):

1. *Phase*: if the service configuration changes this week (the reform week, the end of the
   duty teams, the end of the transition), every mechanism's ``on_phase`` runs, in list order:
   the plan takes effect at the start of the reform week.
2. *Mechanisms*, each ``step`` in the order of :attr:`MergerModel.mechanisms`:

   a. ``population`` — reset the villagers' weekly outcome arrays;
   b. ``needs`` — draw the week's new needs (stream ``"needs"``);
   c. ``services`` — route waiting and new needs, put off long trips, apply capacities, count
      trips; record served affairs (stream ``"services"``);
   d. ``cadres`` — at the reform week (``on_phase``, after ``services`` re-configured the
      points): screen, rank, fill the new posts and place everyone else; then set the
      administrative points' competence. Weekly: training; at the election, transitional posts
      and kept pay end (stream ``"cadres"``);
   e. ``grievance`` — apply last week's petition outcomes, update every villager's grievance
      from this week's access loss, lost rights and waiting; communication and the risk watch;
      contagion; file individual and collective petitions (stream ``"grievance"``);
   f. ``petitions`` — staff the six stages from the cadres, advance the closed loop through
      the week (continuous time), close, repeat or escalate (stream ``"petitions"``).
3. *Metrics*: the tracker computes the week's metrics (:mod:`mergesim.metrics`) and the
   ``DataCollector`` records them.
4. *Clock*: the week advances; after the last week ``running`` becomes False and every
   mechanism's ``finalize`` runs.

Randomness: one :class:`~mergesim.rng.Streams` per run (root seed ``config.seed``, or ``rng``
if given) and one named stream per mechanism, so switching a policy leaves the other
mechanisms' draws unchanged. Mesa's own ``model.random``/``model.rng`` (used only by AgentSet
shuffles) are seeded from the stream ``"mesa"``.

Mesa 3.5's ``Model.__init__`` has its own ``scenario`` argument and sets ``self.scenario``; our
validated scenario is therefore passed as ``config`` and kept in ``model.config``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from mergesim import metrics
from mergesim.config import apply_overrides
from mergesim.config.schema import Scenario
from mergesim.county import build_county
from mergesim.county.county import County
from mergesim.io import json_safe
from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.cadres import CadreMechanism
from mergesim.mechanisms.grievance import GrievanceMechanism
from mergesim.mechanisms.needs import Needs
from mergesim.mechanisms.petitions import PetitionMechanism, hot_spots
from mergesim.mechanisms.population import Population, Villagers
from mergesim.mechanisms.services import Services
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, Phase, Timeline
from mergesim.model.agents import Cadre, ServicePoint, Villager
from mergesim.plans import make_plan
from mergesim.plans.plan import Plan
from mergesim.plans.roles import UnitStatus
from mergesim.rng import Streams


def apply_dotted(config: Scenario, overrides: dict[str, Any]) -> Scenario:
    """``config`` with dotted-key overrides applied and validated (``mergesim.config``)."""
    if not overrides:
        return config
    return apply_overrides(config, dict(overrides))


def _seed_of(rng: Any) -> int | np.random.SeedSequence:
    if isinstance(rng, bool):
        raise TypeError("rng must be an int seed, a SeedSequence or a Generator")
    if isinstance(rng, int | np.integer):
        return int(rng)
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    raise TypeError("rng must be an int seed, a SeedSequence or a Generator")


class MergerModel(mesa.Model):
    """A county's merger, week by week (step order: see the module docstring).

    Args:
        config: A validated scenario; default the seed county (``Scenario()``).
        county: The county (default: built from ``config`` with ``build_county``).
        plan: The merger plan (default: ``make_plan`` from ``config``).
        rng: Root seed of the run (int, SeedSequence or Generator); default ``config.seed``.
            An int also becomes ``config.seed``. The county and plan stay those of the
            scenario's seed (``county.seed`` is pinned to it unless set). Unlike plain Mesa,
            ``None`` means the scenario's seed (runs are reproducible), so
            ``batch_run(..., iterations=5)`` repeats one run five times: give replications
            distinct seeds (``rng=[1, 2, 3]``).
        **overrides: Dotted scenario keys, e.g. ``**{"services.agency_service": False}`` — this
            is how ``mesa.batch_run`` passes its parameters. Validated like ``--set``.

    Attributes:
        config: The scenario in force (after overrides).
        streams: The run's named random streams.
        timeline: Week arithmetic (:class:`~mergesim.mechanisms.timeline.Timeline`).
        county, plan, units: The county, the plan, and old-unit roles under the plan.
        villagers: Villager state arrays.
        needs, services, cadres, grievance, petitions: The mechanisms.
        mechanisms: All mechanisms, in step order.
        point_agents: The ServicePoint agents, one per point (registered at set-up).
        week: The next week to simulate (0-based); equals ``steps`` between steps.
        phase: Phase of the last simulated week.
        tracker: Weekly metrics and summary windows (:class:`mergesim.metrics.Tracker`).
        datacollector: Mesa DataCollector with one model reporter per metric.
    """

    def __init__(
        self,
        config: Scenario | None = None,
        *,
        county: County | None = None,
        plan: Plan | None = None,
        rng: Any = None,
        **overrides: Any,
    ):
        config = apply_dotted(config if config is not None else Scenario(), overrides)
        root = config.seed if rng is None else _seed_of(rng)
        if rng is not None and config.county.seed is None:
            # A run seed varies behaviour, not geography: keep the scenario's county and plan.
            config = dataclasses.replace(
                config, county=dataclasses.replace(config.county, seed=config.seed)
            )
        if isinstance(root, int) and root != config.seed:
            config = dataclasses.replace(config, seed=root)
        streams = Streams(root)
        super().__init__(rng=streams.int_seed("mesa"))
        self.config = config
        self.streams = streams
        self.timeline = Timeline.from_params(config.timeline)
        if county is None:
            county = build_county(config, streams)
        if plan is None:
            plan = make_plan(county, config, streams)
        self.county, self.plan = county, plan
        self.units = UnitStatus.from_plan(county, plan)
        self.week = 0
        self.phase = Phase.PRE
        self.villagers: Villagers
        self._views: dict[int, Villager] = {}
        self._cadre_views: dict[int, Cadre] = {}
        self.population = Population()
        self.needs = Needs()
        self.services = Services()
        self.cadres = CadreMechanism()
        self.grievance = GrievanceMechanism()
        self.petitions = PetitionMechanism()
        self.mechanisms: list[Mechanism] = self._build_mechanisms()
        for m in self.mechanisms:
            m.setup(self)
        self.point_agents = [ServicePoint(self, i) for i in range(self.services.points.n)]
        self._change_weeks = self._config_change_weeks()
        self.tracker = metrics.Tracker(self)
        self.datacollector = mesa.DataCollector(model_reporters=metrics.model_reporters())
        self.running = True

    def _build_mechanisms(self) -> list[Mechanism]:
        """The mechanisms in step order (see the module docstring)."""
        return [
            self.population,
            self.needs,
            self.services,
            self.cadres,
            self.grievance,
            self.petitions,
        ]

    def _config_change_weeks(self) -> set[int]:
        tl, sp = self.timeline, self.config.services
        weeks = {tl.reform_week, tl.transition_end}
        if sp.transition_duty and sp.duty_weeks:
            weeks.add(tl.reform_week + sp.duty_weeks)
        return {w for w in weeks if w < tl.n_weeks}

    # -- Mesa API -----------------------------------------------------------------------------

    def step(self) -> None:
        """Simulate one week (order: see the module docstring)."""
        if self.week >= self.timeline.n_weeks:
            raise RuntimeError(
                f"the run ended after week {self.timeline.n_weeks - 1}; "
                "make a new MergerModel to run again"
            )
        week = self.week
        self.phase = self.timeline.phase(week)
        if week in self._change_weeks:
            for m in self.mechanisms:
                m.on_phase(self, week)
        for m in self.mechanisms:
            m.step(self)
        self.tracker.record(self)
        self.datacollector.collect(self)
        self.week += 1
        if self.week >= self.timeline.n_weeks:
            self.running = False
            for m in self.mechanisms:
                m.finalize(self)

    def run(self, progress: Callable[[int, int], None] | None = None) -> MergerModel:
        """Step until the end of the horizon; ``progress(week_done, n_weeks)`` after each week."""
        while self.running:
            self.step()
            if progress is not None:
                progress(self.week, self.timeline.n_weeks)
        return self

    # -- queries ------------------------------------------------------------------------------

    def villager(self, row: int) -> Villager:
        """The (registered) agent view of villager ``row``, created on first use."""
        if not 0 <= row < self.villagers.n:
            raise IndexError(f"villager row {row} outside 0..{self.villagers.n - 1}")
        view = self._views.get(row)
        if view is None:
            view = self._views[row] = Villager(self, row)
        return view

    def cadre(self, row: int) -> Cadre:
        """The (registered) agent view of row ``row`` of the cadre pool, created on first use.

        The view reads the pool in force, so it follows the person through the reform.
        """
        n = self.cadres.pool.n
        if not 0 <= row < n:
            raise IndexError(f"cadre row {row} outside 0..{n - 1}")
        view = self._cadre_views.get(row)
        if view is None:
            view = self._cadre_views[row] = Cadre(self, row)
        return view

    def administrative_township(self) -> np.ndarray:
        """Administrative township of each village now (old indices before the reform)."""
        if self.phase != Phase.PRE:
            return self.units.township_after
        return self.county.township

    def summary(self) -> dict[str, Any]:
        """The summary dict: run facts and each metric per window (see :mod:`mergesim.metrics`),
        with the petition facts and the cadre metrics; plain JSON values (NaN → None, and
        ``undefined`` lists each None metric with its reason)."""
        c, p, tl, s = self.county, self.plan, self.timeline, self.services
        windows = self.tracker.summary()
        return json_safe(
            {
                "scenario": self.config.name,
                "seed": self.config.seed,
                "scale": self.config.villagers.scale,
                "villagers": self.villagers.n,
                "weeks_run": self.week,
                "timeline": {
                    "warmup_weeks": tl.warmup,
                    "reform_week": tl.reform_week,
                    "transition_end": tl.transition_end,
                    "n_weeks": tl.n_weeks,
                    "windows": {
                        w: [tl.window(w).start, tl.window(w).stop]
                        for w in ("pre", "transition", "post")
                    },
                },
                "plan": {
                    "method": p.method,
                    "villages_before": c.n_villages,
                    "villages_after": p.n_new_villages,
                    "townships_before": c.n_townships,
                    "townships_after": p.n_new_townships,
                },
                "needs": {
                    "created": self.needs.created,
                    "served": s.served,
                    "waiting": s.waiting,
                    "given_up": s.given_up,
                    "lost": s.balance(self.needs.created),
                },
                "petitions": self.petition_facts(),
                "cadres": self.cadres.summary(),
                **windows,
                # None above is never silent: each undefined metric with its reason.
                "undefined": metrics.undefined_reasons(windows),
            }
        )

    def petition_facts(self) -> dict[str, Any]:
        """Petition totals (at the run's scale) and the post-reform hot spots.

        ``hot_villages`` / ``hot_townships``: the ``communication.watch_villages`` (34) villages
        and ``watch_towns`` (5) townships with the most petitions filed from the reform to the
        end of the run, to set beside the report's risk watch of 5 key towns and 34 key
        villages; ``hot_villages_share`` / ``hot_townships_share``: the share of those
        petitions they account for (how concentrated unrest is); ``watch_hit_share``: the share
        of the hot villages on the risk watch at the end of the run (did the watch find them?).
        """
        loop, c, tl = self.petitions.loop, self.county, self.timeline
        t0, t1 = tl.reform_week * DAYS_PER_WEEK, self.week * DAYS_PER_WEEK
        tov = self.units.township_after if self.week > tl.reform_week else c.township
        cp = self.config.communication
        spots = hot_spots(
            loop.rec, t0, t1, c.n_villages, tov, k=cp.watch_villages, k_towns=cp.watch_towns
        )
        names_t = self.plan.new_township_name if self.week > tl.reform_week else c.township_name
        filed = np.count_nonzero((loop.rec.filed >= t0) & (loop.rec.filed < t1))
        hot_v = [i for i, _ in spots["villages"]]
        watched = set(self.grievance.watch.villages.tolist())

        def share(rows: list[tuple[int, int]]) -> float | None:
            return sum(k for _, k in rows) / filed if filed else None

        return {
            "filed": loop.n_filed,
            "closed": loop.n_closed,
            "open": loop.n_open,
            "hot_villages": [
                {
                    "village": str(c.village_name[i]),
                    "village_id": int(c.village_id[i]),
                    "petitions": k,
                }
                for i, k in spots["villages"]
            ],
            "hot_townships": [
                {"township": str(names_t[i]), "petitions": k} for i, k in spots["townships"]
            ],
            "hot_villages_share": share(spots["villages"]),
            "hot_townships_share": share(spots["townships"]),
            "watch_hit_share": (sum(i in watched for i in hot_v) / len(hot_v)) if hot_v else None,
        }
