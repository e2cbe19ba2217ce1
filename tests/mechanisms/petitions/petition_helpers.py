"""Shared helpers of the petition tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from mergesim.config.schema import PetitionParams
from mergesim.mechanisms.petitions import LoopConfig

#: The default ``petitions`` section (the statutory clock of the tests' loops).
P = PetitionParams()


def loop_config(service_days: Any, delay_days: Any = None, **changes: Any) -> LoopConfig:
    """Pure queues with the schema's clock (:meth:`LoopConfig.queues_only`), then ``changes``
    (resolution, repeats, escalations, deadlines, ...)."""
    return dataclasses.replace(LoopConfig.queues_only(P, service_days, delay_days), **changes)
