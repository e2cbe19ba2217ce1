"""The grievance mechanism: villagers' reference-dependent hardship, its spread and relief, and
who petitions.

It owns the villagers' grievance dynamics (it writes ``villagers.grievance`` and ``trust``), the
lost rights per villager, the risk watch, and who has a petition open (``filing``); it files
petitions with the petitions mechanism and reads the ones it closes.

* :mod:`~mergesim.mechanisms.grievance.hardship` — value of an access change, lost rights,
  hardship, Epstein's smoothed grievance;
* :mod:`~mergesim.mechanisms.grievance.social` — village means and contagion;
* :mod:`~mergesim.mechanisms.grievance.communication` — talks, meetings, broadcasts, the risk
  watch;
* :mod:`~mergesim.mechanisms.grievance.filing` — individual, collective and background filing,
  and the feedback of closed petitions;
* :mod:`~mergesim.mechanisms.grievance.mechanism` — :class:`GrievanceMechanism`.
"""

from __future__ import annotations

from mergesim.mechanisms.grievance.communication import (
    Watch,
    communicate,
    communication_reach,
    risk_watch,
    top_k,
)
from mergesim.mechanisms.grievance.filing import FilingState, collective_trigger, select_filers
from mergesim.mechanisms.grievance.hardship import (
    GUARANTEES,
    access_loss_per_affair,
    access_value,
    add_waiting,
    base_hardship,
    grievance_metrics,
    hardship,
    prospect_value,
    rights_loss,
    update_grievance,
)
from mergesim.mechanisms.grievance.mechanism import GrievanceMechanism
from mergesim.mechanisms.grievance.social import contagion, rows_of, village_mean

__all__ = [
    "GUARANTEES",
    "FilingState",
    "GrievanceMechanism",
    "Watch",
    "access_loss_per_affair",
    "access_value",
    "add_waiting",
    "base_hardship",
    "collective_trigger",
    "communicate",
    "communication_reach",
    "contagion",
    "grievance_metrics",
    "hardship",
    "prospect_value",
    "rights_loss",
    "risk_watch",
    "rows_of",
    "select_filers",
    "top_k",
    "update_grievance",
    "village_mean",
]
