"""``MergerModel``: the Mesa model of a county's township and village merger, one step a week.

**One step (one week) — the order is written here and only here** (:meth:`MergerModel.step`):

1. *Phase*: if the service configuration changes this week (the reform week, the end of the
   duty teams, the end of the transition), every mechanism's ``on_phase`` runs, in list order:
   the plan takes effect at the start of the reform week.
2. *Mechanisms*, each ``step`` in the order of :attr:`MergerModel.mechanisms`:

   a. ``population`` — reset the villagers' weekly outcome arrays;
   b. ``needs`` — draw the week's new needs (stream ``"needs"``);
   c. ``services`` — choose a point for each waiting and new need (logit on travel and
      expected days), put off long trips, count trips; absent officials, hand-overs to village
      carriers, capacities, referrals and missing documents; record affairs done with their
      days from need to done; after the reform, move staff toward demand and check "services
      not lowered" (stream ``"services"``);
   d. ``cadres`` — at the reform week (``on_phase``, after ``services`` re-configured the
      points): screen, rank, fill the new posts and place everyone else; then set the
      administrative points' competence. Weekly: training; at the election, transitional posts
      and kept pay end (stream ``"cadres"``);
   e. ``grievance`` — at the reform week (``on_phase``, after ``cadres`` placed everyone): the
      merger's standing losses by cause, trust by unit size, displaced cadres' losses, the
      access accounts' references. Weekly: apply last week's petition outcomes; record the
      week's served affairs in the access accounts (per service domain, against an adapting
      reference); update every villager's grievance from the accounts, the standing losses
      and waiting; communication and the risk watch; contagion; file individual and collective
      petitions with their causes (stream ``"grievance"``);
   f. ``petitions`` — staff the six stages from the cadres, the enforcement teams and any
      task force the caseload or an incident called; advance the closed loop through the week
      (continuous time, each queue by deadline), resolve by cause, close, repeat or escalate
      (to the county or beyond it), turn unresolved or overdue collective petitions into
      incidents; watch for saturation (stream ``"petitions"``).
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
from mergesim.mechanisms.petitions import PetitionMechanism, cause_table, hot_spots
from mergesim.mechanisms.population import Population, Villagers
from mergesim.mechanisms.services import Services
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, Phase, Timeline
from mergesim.model.agents import Cadre, ServicePoint, Villager
from mergesim.model.batch import UNSET, run_seed, window_reporters, window_values
from mergesim.plans import make_plan
from mergesim.plans.plan import Plan
from mergesim.plans.roles import UnitStatus
from mergesim.rng import Streams


def apply_dotted(config: Scenario, overrides: dict[str, Any]) -> Scenario:
    """``config`` with dotted-key overrides applied and validated (``mergesim.config``)."""
    if not overrides:
        return config
    return apply_overrides(config, dict(overrides))


class MergerModel(mesa.Model):
    """A county's merger, week by week (step order: see the module docstring).

    Args:
        config: A validated scenario; default the seed county (``Scenario()``).
        county: The county (default: built from ``config`` with ``build_county``).
        plan: The merger plan (default: ``make_plan`` from ``config``).
        rng: Root seed of the run (int, SeedSequence or Generator); left out, the scenario's
            ``seed`` (runs are reproducible). An int also becomes ``config.seed``. The county
            and plan stay those of the scenario's seed (``county.seed`` is pinned to it unless
            set). ``None`` is refused: it is what ``mesa.batch_run`` passes when given no
            seeds, and every replicate would be the same run (see
            :mod:`mergesim.model.batch`).
        **overrides: Dotted scenario keys, e.g. ``**{"services.agency_service": False}`` — this
            is how ``mesa.batch_run`` passes its parameters. Validated like ``--set``. A
            top-level ``seed`` is the run seed, as ``rng`` (so ``parameters={"seed": [1, 2]}``
            gives replicates on one county).

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
        datacollector: Mesa DataCollector with one model reporter per metric (this week's
            value) and one per window and metric (``post.travel_min_mean``: the window
            summary, from the run's last week on; :mod:`mergesim.model.batch`).
    """

    def __init__(
        self,
        config: Scenario | None = None,
        *,
        county: County | None = None,
        plan: Plan | None = None,
        rng: Any = UNSET,
        **overrides: Any,
    ):
        seed = overrides.pop("seed", None)
        config = apply_dotted(config if config is not None else Scenario(), overrides)
        if seed is not None:
            apply_dotted(config, {"seed": seed})  # validates it (one line naming the key)
        given = run_seed(rng, seed)
        root = config.seed if given is None else given
        if given is not None and config.county.seed is None:
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
        self._window_cache: tuple[int, dict] | None = None  # (week, window summaries)
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
        self.datacollector = mesa.DataCollector(
            model_reporters={**metrics.model_reporters(), **window_reporters()}
        )
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

    def window_summary(self) -> dict[str, dict[str, float | None]] | None:
        """The window summaries (``pre``, ``transition``, ``post``, ``change``) once the run's
        last week is recorded, else None (what the window reporters read)."""
        return window_values(self)

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
                "services": s.summary(),
                "guarantees": {"services_not_lowered": s.summary()["not_lowered"]},
                "petitions": self.petition_facts(),
                "cadres": self.cadres.summary(),
                "grievance": self.grievance.summary(self),
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
        ``incidents`` and ``beyond_county``: collective incidents and petitions taken beyond the
        county over the run; ``by_cause``: petitions filed and resolved per cause after the
        reform; the task forces, enforcement teams and the ``saturation`` watch
        (:meth:`PetitionMechanism.facts`).
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
            "incidents": int(loop.rec.incident.sum()),
            "beyond_county": int(loop.rec.beyond.sum()),
            "by_cause": cause_table(loop.rec, t0, t1),
            **self.petitions.facts(),
        }
