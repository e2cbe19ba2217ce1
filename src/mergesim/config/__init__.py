"""Scenarios: the schema of every parameter, the TOML loader and the resolved dump.

- :class:`Scenario` — a complete, validated scenario (defaults in :mod:`.schema`).
- :func:`load_scenario` — a scenario file with ``extends`` and ``--set`` overrides.
- :func:`load_scenario_dict`, :func:`apply_overrides` — the same from Python values.
- :func:`scenario_to_dict`, :func:`dump_scenario` — every parameter, as dicts or a TOML file.
- :func:`iter_params` — ``(dotted key, type, default, Spec)`` of every parameter;
  :func:`iter_plausible` — those with a plausible range (``Spec.plausible``).
- :func:`read_toml` — the one TOML reader (any unreadable file is one line naming it).

Scenarios and their sections are frozen: build a variant with :func:`apply_overrides` or
``dataclasses.replace``, both validated.
"""

from mergesim.config.load import (
    apply_overrides,
    dump_scenario,
    load_scenario,
    load_scenario_dict,
    scenario_to_dict,
)
from mergesim.config.params import iter_params, iter_plausible
from mergesim.config.schema import Scenario
from mergesim.config.toml_io import read_toml

__all__ = [
    "Scenario",
    "apply_overrides",
    "dump_scenario",
    "iter_params",
    "iter_plausible",
    "load_scenario",
    "load_scenario_dict",
    "read_toml",
    "scenario_to_dict",
]
