"""What the app's controls offer, read from the scenario schema, and how a choice becomes a
validated scenario.

Nothing here repeats a schema default or range: the plan methods, the target factor's range,
the switches and their meanings come from :func:`mergesim.config.iter_params`, and a choice is
applied through :func:`mergesim.config.apply_overrides` (the same validator as ``--set``).

The switches are the on/off parameters of the sections that hold the report's measures
(:data:`SWITCH_SECTIONS`). :data:`REPORT_MEASURES` only orders them as the report introduces
them: a key the schema does not (or no longer) have is skipped, and a new on/off parameter of
those sections appears after the listed ones, so the app follows the schema as it grows.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mergesim.config import Scenario, apply_overrides, iter_params

#: Scenario sections whose on/off parameters are the report's measures.
SWITCH_SECTIONS = ("services", "guarantees", "communication", "cadres", "petitions")

#: Section headings shown above the switches.
SECTION_TITLES = {
    "services": "Services: retention, stations, rooms, agency, duty teams, 1 + 4 + N",
    "guarantees": "Guarantees: the five no's and five unchanged",
    "communication": "Communication and the risk watch",
    "cadres": "Cadres: selection, placement, training",
    "petitions": "Petitions: the six-step closed loop",
}

#: The report's measures in the order the report introduces them (docs/domain.md): service
#: retention, stations, rooms, agency service, duty teams, health network, staffing; the
#: guarantees; communication; the cadre rules. Missing keys are skipped (see the module
#: docstring).
REPORT_MEASURES = (
    "services.keep_abolished_points",
    "services.seat_stations",
    "services.village_rooms",
    "services.agency_service",
    "services.transition_duty",
    "services.health_network",
    "services.transfer_staff",
    "guarantees.staffing_kept",
    "guarantees.transfers_kept",
    "guarantees.infrastructure_kept",
    "guarantees.services_kept",
    "guarantees.cadres_placed",
    "guarantees.policies_kept",
    "guarantees.land_rights_kept",
    "guarantees.collective_kept",
    "guarantees.poverty_support_kept",
    "guarantees.transition_pay_kept",
    "communication.enabled",
    "cadres.screen",
    "cadres.one_shoulder",
    "cadres.send_down",
    "cadres.staff_points",
)

#: Villager scales offered (share of villagers simulated); those outside the schema's range
#: of ``villagers.scale`` are left out.
SCALES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)

#: The app starts at this scale (or the scenario's, if smaller): at 0.1 the seed county steps
#: in about 10 ms a week, so the page redraws fast enough to watch. An app setting, not a
#: scenario parameter: the scenario's own scale is kept for ``mergesim run``.
WATCH_SCALE = 0.1


@dataclass(frozen=True)
class Switch:
    """One on/off measure: its dotted key, a short name, its meaning and source (schema)."""

    key: str
    section: str
    name: str
    doc: str
    source: str


@dataclass(frozen=True)
class Choice:
    """What the controls set: plan method and target factor, switches, scale and run seed.

    ``switches`` holds ``(key, on)`` pairs (a tuple, so a choice can key a cache).
    """

    method: str
    target_factor: float
    switches: tuple[tuple[str, bool], ...]
    scale: float
    seed: int

    def with_switch(self, key: str, on: bool) -> Choice:
        """This choice with switch ``key`` set to ``on``."""
        return dataclasses.replace(
            self, switches=tuple((k, on if k == key else v) for k, v in self.switches)
        )

    def switch(self, key: str) -> bool:
        """Whether switch ``key`` is on."""
        return dict(self.switches)[key]


def _specs() -> dict[str, tuple[Any, Any]]:
    """``{dotted key: (type, Spec)}`` of every scenario parameter."""
    return {key: (tp, spec) for key, tp, _default, spec in iter_params(Scenario)}


def switches(
    sections: Iterable[str] = SWITCH_SECTIONS, order: Iterable[str] = REPORT_MEASURES
) -> list[Switch]:
    """The on/off parameters of ``sections``: those in ``order`` first, then the rest.

    Args:
        sections: Scenario sections to take on/off parameters from.
        order: Preferred order of dotted keys; keys the schema lacks are skipped.
    """
    sections = tuple(sections)
    found = {
        key: spec
        for key, (tp, spec) in _specs().items()
        if tp is bool and key.split(".", 1)[0] in sections
    }
    keys = [k for k in order if k in found] + [k for k in found if k not in set(order)]
    out = []
    for key in keys:
        section, name = key.split(".", 1)
        spec = found[key]
        out.append(Switch(key, section, name.replace("_", " "), spec.doc, spec.source))
    return out


def plan_methods(scenario: Scenario) -> list[str]:
    """Plan methods offered: the schema's choices; ``file`` only if the scenario names a file."""
    choices = _specs()["plan.method"][1].choices or (scenario.plan.method,)
    return [m for m in choices if m != "file" or scenario.plan.file]


def target_range() -> tuple[float, float]:
    """Allowed range of ``plan.target_factor`` (schema)."""
    spec = _specs()["plan.target_factor"][1]
    return float(spec.lo), float(spec.hi)


def scales() -> list[float]:
    """The :data:`SCALES` inside the schema's range of ``villagers.scale``."""
    spec = _specs()["villagers.scale"][1]
    return [
        s for s in SCALES if (spec.lo is None or s >= spec.lo) and (spec.hi is None or s <= spec.hi)
    ]


def value_of(scenario: Scenario, key: str) -> Any:
    """The value of dotted ``key`` in ``scenario``."""
    return functools.reduce(getattr, key.split("."), scenario)


def choice_of(scenario: Scenario, keys: Iterable[str] | None = None) -> Choice:
    """The controls' starting values for ``scenario`` (scale capped at :data:`WATCH_SCALE`)."""
    keys = [s.key for s in switches()] if keys is None else list(keys)
    return Choice(
        method=scenario.plan.method,
        target_factor=scenario.plan.target_factor,
        switches=tuple((k, bool(value_of(scenario, k))) for k in keys),
        scale=min(scenario.villagers.scale, WATCH_SCALE),
        seed=scenario.seed,
    )


def overrides_of(choice: Choice) -> dict[str, Any]:
    """The dotted scenario keys a choice sets (the seed is the run's, see :func:`scenario_for`)."""
    out: dict[str, Any] = {
        "plan.method": choice.method,
        "plan.target_factor": choice.target_factor,
        "villagers.scale": choice.scale,
    }
    out.update(dict(choice.switches))
    return out


def scenario_for(base: Scenario, choice: Choice | Mapping[str, Any]) -> Scenario:
    """``base`` with a choice applied and validated (a bad value raises ``ScenarioError``).

    Args:
        base: The scenario the app was started with.
        choice: A :class:`Choice`, or dotted keys to set.
    """
    values = overrides_of(choice) if isinstance(choice, Choice) else dict(choice)
    return apply_overrides(base, values, source="app controls")
