"""The statutory clock of the loop and the loop's parameters in array form.

Regulations on Petition Work (信访工作条例, 2022): acceptance is decided within ``accept_days``
(15) of filing — in the loop, at the end of *classify and transfer* — and a petition is
concluded within ``conclude_days`` (60) of acceptance — the end of *research and handle* —
extendable by ``extension_days`` (30) for complex cases. :func:`deadline_at` gives the deadline
in force, :func:`overdue_at` whether it has passed, :func:`stage_deadline` the deadline a
stage's queue is ordered by (``priority = "deadline"``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.petitions.records import (
    ACCEPT_STAGE,
    CONCLUDE_STAGE,
    N_STAGES,
    Cause,
    PetitionRecords,
)


@dataclass(frozen=True)
class LoopConfig:
    """The loop's parameters in array form (see :class:`~mergesim.config.schema.PetitionParams`).

    Build it from a scenario's ``petitions`` section (:meth:`from_params`), or as pure queues
    with that section's clock (:meth:`queues_only`); every field is required, so no value of the
    schema is repeated here.

    Attributes:
        service_days: Mean cadre work per case per stage, shape (6,) (days).
        delay_days: Mean pure delay per stage, shape (6,) (days).
        accept_days, conclude_days, extension_days: The statutory clock (days).
        extension_prob: Share approved as complex at acceptance.
        priority: ``"deadline"`` (earliest statutory deadline first) or ``"fcfs"``.
        resolve_base: Resolution probability at competence 1, per :class:`Level` (2,).
        resolve_elasticity: Elasticity to the handlers' competence.
        cause_factor: Factor on the resolution probability per :class:`Cause` (7,).
        access_gap_scale: Scale of the access condition (hardship units).
        rights_remedy_prob: Resolution probability of a rights petition while a guarantee is
            broken.
        load_ref, load_elasticity: The caseload penalty on resolution.
        collective_factor: Factor on the resolution probability of collective petitions.
        repeat_prob, escalate_prob: Fates of an unresolved petition.
        skip_level_share: Share of escalations from a township that go beyond the county.
        refile_days: Mean delay of a repeat or escalation after its parent closed (days).
        incident_prob: Probability a collective petition becomes an incident (unresolved, or
            overdue by ``incident_overdue_days``).
        incident_overdue_days: Days past the deadline that call the overdue draw.
    """

    service_days: np.ndarray
    delay_days: np.ndarray
    accept_days: float
    conclude_days: float
    extension_days: float
    extension_prob: float
    priority: str
    resolve_base: tuple[float, float]
    resolve_elasticity: float
    cause_factor: np.ndarray
    access_gap_scale: float
    rights_remedy_prob: float
    load_ref: float
    load_elasticity: float
    collective_factor: float
    repeat_prob: float
    escalate_prob: float
    skip_level_share: float
    refile_days: float
    incident_prob: float
    incident_overdue_days: float

    @classmethod
    def from_params(cls, p: PetitionParams) -> LoopConfig:
        """The configuration of a scenario's ``petitions`` section."""
        return cls(
            service_days=np.asarray(p.service_days, dtype=float),
            delay_days=np.asarray(p.delay_days, dtype=float),
            accept_days=p.accept_days,
            conclude_days=p.conclude_days,
            extension_days=p.extension_days,
            extension_prob=p.extension_prob,
            priority=p.priority,
            resolve_base=(p.resolve_base, p.resolve_county),
            resolve_elasticity=p.resolve_elasticity,
            cause_factor=np.asarray(p.resolve_cause_factor, dtype=float),
            access_gap_scale=p.access_gap_scale,
            rights_remedy_prob=p.rights_remedy_prob,
            load_ref=p.load_ref,
            load_elasticity=p.load_elasticity,
            collective_factor=p.collective_resolve_factor,
            repeat_prob=p.repeat_prob,
            escalate_prob=p.escalate_prob,
            skip_level_share=p.skip_level_share,
            refile_days=p.refile_days,
            incident_prob=p.incident_prob,
            incident_overdue_days=p.incident_overdue_days,
        )

    @classmethod
    def queues_only(
        cls, p: PetitionParams, service_days: Any, delay_days: Any = None
    ) -> LoopConfig:
        """Pure FCFS queues with the statutory clock of ``p`` (for validation).

        Every petition is resolved (whatever its cause, the handlers' competence and
        caseload), none is approved as complex, repeated, escalated or becomes an incident,
        and service is first come first served, so the loop is a tandem of M/M/c stages (and
        M/M/∞ delays).

        Args:
            p: The ``petitions`` section (its deadlines; its other values are not used).
            service_days: Mean service per stage (6 values, days).
            delay_days: Mean pure delay per stage (default none).
        """
        sd = np.asarray(service_days, dtype=float)
        dd = np.zeros(N_STAGES) if delay_days is None else np.asarray(delay_days, dtype=float)
        return dataclasses.replace(
            cls.from_params(p),
            service_days=sd,
            delay_days=dd,
            extension_prob=0.0,
            priority="fcfs",
            resolve_base=(1.0, 1.0),
            resolve_elasticity=0.0,
            cause_factor=np.ones(len(Cause)),
            rights_remedy_prob=1.0,
            load_elasticity=0.0,
            collective_factor=1.0,
            repeat_prob=0.0,
            escalate_prob=0.0,
            skip_level_share=0.0,
            refile_days=0.0,
            incident_prob=0.0,
        )


def stage_deadline(rec: PetitionRecords, idx: np.ndarray, s: int, cfg: LoopConfig) -> np.ndarray:
    """The deadline that orders petitions ``idx`` waiting at stage ``s`` (days): acceptance
    (``filed + accept_days``) up to classify and transfer, conclusion (``accepted +
    conclude_days (+ extension_days if extended)``) after."""
    a = rec._a
    if s <= ACCEPT_STAGE:
        return a["filed"][idx] + cfg.accept_days
    ext = cfg.extension_days * a["extended"][idx]
    return a["exit"][idx, ACCEPT_STAGE] + cfg.conclude_days + ext


def deadline_at(rec: PetitionRecords, idx: np.ndarray, t: float, cfg: LoopConfig) -> np.ndarray:
    """The statutory deadline in force at ``t`` for petitions ``idx`` (days; +inf once
    concluded): acceptance (``filed + accept_days``) until accepted, then conclusion
    (``accepted + conclude_days (+ extension_days if extended)``)."""
    filed = rec.filed[idx]
    acc = rec.exit[idx, ACCEPT_STAGE]
    con = rec.exit[idx, CONCLUDE_STAGE]
    accepted = acc <= t
    concluded = con <= t
    limit = cfg.conclude_days + cfg.extension_days * rec.extended[idx]
    out = np.where(accepted, acc + limit, filed + cfg.accept_days)
    return np.where(concluded, np.inf, out)


def overdue_at(rec: PetitionRecords, idx: np.ndarray, t: float, cfg: LoopConfig) -> np.ndarray:
    """Whether petitions ``idx``, open at ``t``, are past a deadline at ``t`` (bool array).

    Not yet accepted: ``t − filed > accept_days``; accepted, not concluded:
    ``t − accepted > conclude_days (+ extension_days if extended)``.
    """
    return t > deadline_at(rec, idx, t, cfg)
