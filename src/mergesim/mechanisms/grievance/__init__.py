"""The grievance mechanism: villagers' reference-dependent hardship from the merger's own conflict
channels, its spread and relief, and who petitions about what.

It owns the villagers' grievance dynamics (it writes ``villagers.grievance`` and ``trust``), the
access accounts (``access_gap``), the standing losses by cause, the displaced cadres as
villagers, the risk watch, and who has a petition open (``filing``); it files petitions with
their causes with the petitions mechanism and reads the ones it closes.

* :mod:`~mergesim.mechanisms.grievance.hardship` — the value function, perceived losses of
  broken guarantees, hardship, Epstein's smoothed grievance;
* :mod:`~mergesim.mechanisms.grievance.accounts` — segregated access accounts per service
  domain from realised experience against an adapting reference;
* :mod:`~mergesim.mechanisms.grievance.channels` — the conflict channels (assets, resources,
  benefits, poverty support, infrastructure, voice, seat, size) as pure functions;
* :mod:`~mergesim.mechanisms.grievance.standing` — the endowments and the reform's losses;
* :mod:`~mergesim.mechanisms.grievance.cadre_villagers` — cadres as villagers and their losses;
* :mod:`~mergesim.mechanisms.grievance.causes` — standing parts by cause, the dominant cause;
* :mod:`~mergesim.mechanisms.grievance.social` — village means and contagion;
* :mod:`~mergesim.mechanisms.grievance.communication` — talks, meetings, broadcasts, the risk
  watch;
* :mod:`~mergesim.mechanisms.grievance.filing` — individual, collective and background filing,
  and the feedback of closed petitions;
* :mod:`~mergesim.mechanisms.grievance.mechanism` — :class:`GrievanceMechanism`.
"""

from __future__ import annotations

from mergesim.mechanisms.grievance.accounts import (
    AccessAccounts,
    domain_weights,
    experienced_cost,
    segregated_value,
)
from mergesim.mechanisms.grievance.cadre_villagers import (
    CadreVillagers,
    cadre_losses,
    map_cadres,
)
from mergesim.mechanisms.grievance.causes import FIXABLE, PART_CAUSES, dominant_cause
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
    add_waiting,
    grievance_metrics,
    perceived_loss,
    prospect_value,
    standing_hardship,
    total_hardship,
    update_grievance,
)
from mergesim.mechanisms.grievance.mechanism import GrievanceMechanism
from mergesim.mechanisms.grievance.social import contagion, rows_of, village_mean, village_sum
from mergesim.mechanisms.grievance.standing import Endowments, reform_losses

__all__ = [
    "FIXABLE",
    "GUARANTEES",
    "PART_CAUSES",
    "AccessAccounts",
    "CadreVillagers",
    "Endowments",
    "FilingState",
    "GrievanceMechanism",
    "Watch",
    "add_waiting",
    "cadre_losses",
    "collective_trigger",
    "communicate",
    "communication_reach",
    "contagion",
    "dominant_cause",
    "domain_weights",
    "experienced_cost",
    "grievance_metrics",
    "map_cadres",
    "perceived_loss",
    "prospect_value",
    "reform_losses",
    "risk_watch",
    "rows_of",
    "segregated_value",
    "select_filers",
    "standing_hardship",
    "top_k",
    "total_hardship",
    "update_grievance",
    "village_mean",
    "village_sum",
]
