"""The county: villages and townships as arrays, the road graph, generator and loaders."""

from __future__ import annotations

from pathlib import Path

from mergesim.config.schema import Scenario
from mergesim.county.county import County, Terrain, TownshipClass
from mergesim.county.loaders import load_county_csv, load_county_geojson
from mergesim.county.synthetic import generate_county
from mergesim.errors import ScenarioError
from mergesim.rng import Streams, geography_streams

__all__ = ["County", "Terrain", "TownshipClass", "build_county", "resolve_path"]


def resolve_path(scenario: Scenario, value: str) -> Path:
    """A data path from the scenario, relative paths taken from the scenario file's folder."""
    p = Path(value)
    return p if p.is_absolute() else Path(scenario.base_dir) / p


def build_county(scenario: Scenario, streams: Streams | None = None) -> County:
    """The county a scenario describes: synthetic (seeded) or loaded from a data file.

    A data file's missing household and group counts are filled from the scenario's
    ``[county]`` section (``household_size``, ``group_households``), as the synthetic
    generator derives them.

    Args:
        scenario: A validated scenario.
        streams: The run's random streams (default: ``Streams(scenario.seed)``); the generator
            draws only from the ``"county"`` stream, of ``Streams(county.seed)`` when the
            scenario sets ``county.seed`` (:func:`mergesim.rng.geography_streams`).

    Raises:
        mergesim.errors.DataError: A data file is missing or invalid.
        mergesim.errors.ScenarioError: The synthetic sizes are inconsistent.
    """
    streams = geography_streams(scenario, streams)
    cp = scenario.county
    if cp.source == "synthetic":
        return generate_county(scenario, streams.generator("county"))
    if not cp.data:
        raise ScenarioError(
            f"source = {cp.source!r} needs county.data, the path of the file",
            source=f"scenario '{scenario.name}'" if scenario.name else None,
            key="county.data",
        )
    edges = resolve_path(scenario, cp.edges) if cp.edges else None
    load = load_county_csv if cp.source == "csv" else load_county_geojson
    return load(
        resolve_path(scenario, cp.data),
        county=cp,
        roads=scenario.roads,
        edges=edges,
        name=scenario.name or None,
    )
