"""Random streams: one ``SeedSequence`` per run, one named child stream per mechanism.

Every mechanism draws from its own :class:`numpy.random.Generator`, derived from the run's root
seed and the mechanism's *name* (not from the order in which streams are requested). Switching a
policy on therefore never shifts another mechanism's draws: scenarios that differ in one policy
see common random numbers everywhere else (Law, *Simulation Modeling and Analysis*, ch. 11).
"""

from __future__ import annotations

import zlib

import numpy as np


def _name_key(name: str) -> int:
    # crc32 is stable across Python runs and platforms (unlike hash()).
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Named random streams of one run.

    Args:
        seed: The run's root seed (an int, or a SeedSequence to derive from).

    Example:
        >>> s = Streams(42)
        >>> a = s.generator("county").random()
        >>> a == Streams(42).generator("county").random()
        True
    """

    def __init__(self, seed: int | np.random.SeedSequence):
        if isinstance(seed, np.random.SeedSequence):
            self.root = seed
        else:
            self.root = np.random.SeedSequence(int(seed))

    def seed_sequence(self, name: str, *extra: int) -> np.random.SeedSequence:
        """The child SeedSequence of stream ``name`` (and optional integer sub-keys)."""
        key = (*self.root.spawn_key, _name_key(name), *[int(e) for e in extra])
        return np.random.SeedSequence(self.root.entropy, spawn_key=key)

    def generator(self, name: str, *extra: int) -> np.random.Generator:
        """A fresh Generator for stream ``name``; the same name always gives the same draws."""
        return np.random.default_rng(self.seed_sequence(name, *extra))

    def int_seed(self, name: str, *extra: int) -> int:
        """A 63-bit integer seed for stream ``name`` (for APIs that take an int)."""
        return int(self.seed_sequence(name, *extra).generate_state(2, np.uint64)[0] >> np.uint64(1))


def geography_streams(scenario, streams: Streams | None = None) -> Streams:
    """The streams the county generator and the plan ensemble draw from.

    ``county.seed`` when set (the geography fixed apart from the run's seed), else ``streams``
    (default: the scenario's seed).
    """
    seed = scenario.county.seed
    if seed is not None:
        return Streams(seed)
    return streams or Streams(scenario.seed)
