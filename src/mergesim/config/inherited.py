"""What a real-data scenario inherits from the seed county: the calibrated defaults it keeps.

The schema's defaults describe the seed county (:mod:`mergesim.config.schema`). A county read
from a data file brings its own geography, but every behavioural section — the plan rules,
roads, villagers, needs, services, cadres, grievance, guarantees, communication, petitions,
stability — keeps the seed county's values unless the scenario sets them. :func:`inherited_note`
says so in one line, naming the sections that keep parameters whose source is the seed report
or a calibration on it, so that a researcher sees which numbers are borrowed; ``mergesim plan``
and ``mergesim run`` print it and write it into the resolved ``scenario.toml``.
"""

from __future__ import annotations

from mergesim.config.params import iter_params
from mergesim.config.schema import Scenario
from mergesim.config.toml_io import format_toml_value

__all__ = ["GEOGRAPHY_SECTIONS", "inherited_from_seed", "inherited_note"]

#: Sections that shape the synthetic county only: a data file replaces them.
GEOGRAPHY_SECTIONS = ("county", "terrain", "border", "heritage")
#: Words of a parameter's ``source`` that tie its value to the seed county.
_SEED_SOURCES = ("report", "calibrat")


def inherited_from_seed(scenario: Scenario) -> dict[str, list[str]]:
    """Per behavioural section, the keys still at their default whose source is the seed
    report or a calibration on it (sections without any are left out)."""
    out: dict[str, list[str]] = {}
    for key, _tp, default, spec in iter_params(Scenario):
        section, _, rest = key.partition(".")
        if not rest or section in GEOGRAPHY_SECTIONS:
            continue
        if not any(w in spec.source.lower() for w in _SEED_SOURCES):
            continue
        value = scenario
        for part in key.split("."):
            value = getattr(value, part)
        if value == default or (isinstance(default, list) and list(value) == default):
            out.setdefault(section, []).append(key)
    return out


def inherited_note(scenario: Scenario) -> str | None:
    """One line naming the seed-calibrated sections a real-data scenario inherits, and how to
    override them; None for a synthetic county (the seed county itself)."""
    if scenario.county.source == "synthetic":
        return None
    kept = inherited_from_seed(scenario)
    if not kept:
        return None
    sections = ", ".join(f"[{s}] ({len(keys)})" for s, keys in kept.items())
    example = next(iter(kept.values()))[0]
    value = scenario
    for part in example.split("."):
        value = getattr(value, part)
    shown = format_toml_value(list(value) if isinstance(value, tuple) else value)
    return (
        f"real county: keeps the seed county's values in {sections} (parameters taken from the "
        f"seed report or calibrated on it); check them in docs/scenarios.md and override in the "
        f"scenario file or with --set, e.g. --set {example}={shown}"
    )
