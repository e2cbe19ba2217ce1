"""The petitions mechanism: the six-step closed loop (六步闭合) as a network of stage queues.

It owns the petition records (``model.petitions.loop.rec``: every petition of the run, its
stage times and outcome), the loop's clock and its weekly staffing. It reads the cadres'
petition staff (``model.cadres.pool``) and the filings the grievance mechanism makes; the
grievance mechanism reads the petitions it closes.

* :mod:`~mergesim.mechanisms.petitions.records` — stages, codes, the record arrays;
* :mod:`~mergesim.mechanisms.petitions.clock` — :class:`LoopConfig` (the loop's parameters)
  and the statutory clock (deadlines, overdue);
* :mod:`~mergesim.mechanisms.petitions.queue` — one stage's queues in one period: the exact
  multi-server recursion, first come first served or by deadline;
* :mod:`~mergesim.mechanisms.petitions.resolution` — formal closure versus substantive
  resolution (cause, competence, caseload, access gap, broken guarantees);
* :mod:`~mergesim.mechanisms.petitions.loop` — the engine :class:`PetitionLoop` (stages,
  closures, repeats, escalation within and beyond the county, collective incidents);
* :mod:`~mergesim.mechanisms.petitions.staffing` — servers per stage and unit (from the cadres,
  fixed, scaled);
* :mod:`~mergesim.mechanisms.petitions.capacity` — caseloads, task forces (专班), enforcement
  teams (综合行政执法队), the saturation watch;
* :mod:`~mergesim.mechanisms.petitions.metrics` — rates of filings and events (beyond the
  county, incidents), closing, outcomes per cause, backlog, hot spots, the stability index;
* :mod:`~mergesim.mechanisms.petitions.mechanism` — :class:`PetitionMechanism`.

Petition times are days from the start of the run (``DAYS_PER_WEEK``, ``DAYS_PER_YEAR`` of
:mod:`mergesim.mechanisms.timeline`, re-exported here).
"""

from __future__ import annotations

from mergesim.mechanisms.petitions.clock import LoopConfig, deadline_at, overdue_at
from mergesim.mechanisms.petitions.loop import PetitionLoop
from mergesim.mechanisms.petitions.mechanism import PetitionMechanism, StaffingHook
from mergesim.mechanisms.petitions.metrics import (
    PROMPT_DAYS,
    backlog_by_stage,
    cause_table,
    closing_metrics,
    event_rates,
    hot_spots,
    petition_rates,
    petition_summary,
    saturating,
    stability_index,
    stability_pressures,
)
from mergesim.mechanisms.petitions.records import (
    ACCEPT_STAGE,
    CAUSE_NAMES,
    CLOSED,
    CONCLUDE_STAGE,
    N_STAGES,
    OUTCOME_NAMES,
    STAGE_LABELS,
    STAGES,
    Cause,
    Kind,
    Level,
    Outcome,
    PetitionRecords,
)
from mergesim.mechanisms.petitions.staffing import (
    cadre_staffing,
    fixed_staffing,
    petition_staff,
    petition_staff_by_township,
    scale_staffing,
)
from mergesim.mechanisms.timeline import DAYS_PER_WEEK, DAYS_PER_YEAR

__all__ = [
    "ACCEPT_STAGE",
    "PROMPT_DAYS",
    "CAUSE_NAMES",
    "CLOSED",
    "CONCLUDE_STAGE",
    "DAYS_PER_WEEK",
    "DAYS_PER_YEAR",
    "N_STAGES",
    "OUTCOME_NAMES",
    "STAGES",
    "STAGE_LABELS",
    "Cause",
    "Kind",
    "Level",
    "LoopConfig",
    "Outcome",
    "PetitionLoop",
    "PetitionMechanism",
    "PetitionRecords",
    "StaffingHook",
    "backlog_by_stage",
    "cause_table",
    "cadre_staffing",
    "closing_metrics",
    "deadline_at",
    "event_rates",
    "fixed_staffing",
    "hot_spots",
    "overdue_at",
    "petition_rates",
    "petition_staff",
    "petition_staff_by_township",
    "petition_summary",
    "saturating",
    "scale_staffing",
    "stability_index",
    "stability_pressures",
]
