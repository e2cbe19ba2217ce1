"""The Mesa model: ``MergerModel``, its agents (views over arrays) and its timeline.

Names are imported lazily (PEP 562), so importing a submodule such as
``mergesim.mechanisms.timeline`` does not pull in the whole model.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "MergerModel": "mergesim.model.model",
    "Cadre": "mergesim.model.agents",
    "ServicePoint": "mergesim.model.agents",
    "Villager": "mergesim.model.agents",
    "Phase": "mergesim.mechanisms.timeline",
    "Timeline": "mergesim.mechanisms.timeline",
    "Role": "mergesim.plans.roles",
    "UnitStatus": "mergesim.plans.roles",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'mergesim.model' has no attribute {name!r}")
