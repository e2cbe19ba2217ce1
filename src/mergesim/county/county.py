"""The county data model: villages and townships as NumPy arrays, and the road graph.

A :class:`County` is a *struct of arrays*: one NumPy array per village attribute (length
``n_villages``) and one per township attribute (length ``n_townships``). Nothing here is a
Python object per village, so an 800,000-villager model can index these arrays directly.

Indices, not ids, are the currency inside mergesim: village ``i`` is row ``i`` of every village
array; ``township[i]`` is a township *index*. External ids (from a CSV, say) are kept in
``village_id`` for output only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import scipy.sparse as sp


class Terrain(IntEnum):
    """Terrain class of a village (its territory's dominant terrain)."""

    PLAIN = 0
    HILL = 1
    MOUNTAIN = 2


class TownshipClass(IntEnum):
    """Role of a township in the county's hierarchy (see docs/domain.md §2)."""

    COUNTY_SEAT = 0
    CENTRAL = 1
    ORDINARY = 2
    BORDER = 3
    HERITAGE = 4


TERRAIN_NAMES = tuple(t.name.lower() for t in Terrain)
TOWNSHIP_CLASS_NAMES = tuple(c.name.lower() for c in TownshipClass)


@dataclass(eq=False)
class County:
    """Villages, townships and roads of one county, before any merger.

    Village arrays (length ``n_villages``):

    Attributes:
        village_id: External id of each village (int64; generated 0..n-1 for synthetic counties).
        village_name: Display name (str array).
        township: Township index of each village (int64).
        x: Easting of the village seat (km).
        y: Northing of the village seat (km).
        population: Registered residents (persons, int64).
        households: Households (int64).
        groups: Villager groups (natural hamlets) in the village (int64, ≥ 1).
        area: Territory area (km²).
        terrain: :class:`Terrain` code (int8).
        border: On the county-outline stretch shared with another province/prefecture (bool).
        heritage: Special history or culture, kept by the policy plan (bool).
        corridor: On a trunk transport corridor (bool).

    Township arrays (length ``n_townships``):

    Attributes:
        township_name: Display name (str array).
        township_class: :class:`TownshipClass` code (int8).
        township_seat: Village index of the township's seat (int64).

    Roads and geometry:

    Attributes:
        edge_a, edge_b: Village indices of each road edge (int64, ``a < b``, no duplicates).
        edge_minutes: Travel time along each edge (minutes).
        edge_trunk: Whether the edge is part of a trunk corridor (bool).
        county_seat: Village index of the county seat.
        outline: County outline as a closed ring of (x, y) km points, shape (m, 2), or None.
        territories: One polygon (k, 2) per village (its territory), or None for point data.
        corridor_lines: Trunk corridor polylines (km), for maps.
        name: County name.
        source: "synthetic", or the data file the county was read from.
        lonlat_origin: ``(lon, lat)`` degrees about which real data were projected to km
            (the local equirectangular projection of :mod:`mergesim.county.loaders`), or None
            (a synthetic county, in local km only).
    """

    village_id: np.ndarray
    village_name: np.ndarray
    township: np.ndarray
    x: np.ndarray
    y: np.ndarray
    population: np.ndarray
    households: np.ndarray
    groups: np.ndarray
    area: np.ndarray
    terrain: np.ndarray
    border: np.ndarray
    heritage: np.ndarray
    corridor: np.ndarray
    township_name: np.ndarray
    township_class: np.ndarray
    township_seat: np.ndarray
    edge_a: np.ndarray
    edge_b: np.ndarray
    edge_minutes: np.ndarray
    edge_trunk: np.ndarray
    county_seat: int
    outline: np.ndarray | None = None
    territories: list[np.ndarray] | None = None
    corridor_lines: list[np.ndarray] = field(default_factory=list)
    name: str = "county"
    source: str = "synthetic"
    lonlat_origin: tuple[float, float] | None = None

    # -- sizes -----------------------------------------------------------------------------

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self.x.shape[0])

    @property
    def n_townships(self) -> int:
        """Number of townships."""
        return int(self.township_name.shape[0])

    @property
    def xy(self) -> np.ndarray:
        """Village seat coordinates, shape (n, 2), km."""
        return np.column_stack([self.x, self.y])

    @property
    def is_township_seat(self) -> np.ndarray:
        """Bool per village: the village is its township's seat."""
        out = np.zeros(self.n_villages, dtype=bool)
        out[self.township_seat] = True
        return out

    @property
    def township_border(self) -> np.ndarray:
        """Bool per township: a border township."""
        return self.township_class == TownshipClass.BORDER

    @property
    def township_heritage(self) -> np.ndarray:
        """Bool per township: a heritage township."""
        return self.township_class == TownshipClass.HERITAGE

    def township_population(self) -> np.ndarray:
        """Population per township (persons)."""
        return np.bincount(self.township, weights=self.population, minlength=self.n_townships)

    def township_area(self) -> np.ndarray:
        """Area per township (km²)."""
        return np.bincount(self.township, weights=self.area, minlength=self.n_townships)

    def members(self, t: int) -> np.ndarray:
        """Village indices of township ``t``."""
        return np.flatnonzero(self.township == t)

    # -- graphs ----------------------------------------------------------------------------

    def road_matrix(self) -> sp.csr_matrix:
        """Symmetric sparse matrix of edge travel minutes (n × n), for csgraph."""
        return road_matrix(self.n_villages, self.edge_a, self.edge_b, self.edge_minutes)

    def adjacency(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency of villages (territory neighbours joined by a road)."""
        m = self.road_matrix()
        m.data[:] = 1.0
        return m

    def township_adjacency(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency of townships (some member villages are adjacent)."""
        ta, tb = self.township[self.edge_a], self.township[self.edge_b]
        keep = ta != tb
        t = self.n_townships
        m = sp.csr_matrix(
            (np.ones(2 * keep.sum()), (np.r_[ta[keep], tb[keep]], np.r_[tb[keep], ta[keep]])),
            shape=(t, t),
        )
        m.data[:] = 1.0
        return m

    def validate(self) -> None:
        """Check internal consistency; raise ValueError on a programming error.

        Loaders validate *user* data first and raise :class:`~mergesim.errors.DataError`; this
        check guards the invariants every later stage relies on.
        """
        n, t = self.n_villages, self.n_townships
        for name in (
            "village_id",
            "village_name",
            "township",
            "y",
            "population",
            "households",
            "groups",
            "area",
            "terrain",
            "border",
            "heritage",
            "corridor",
        ):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"County.{name} has shape {getattr(self, name).shape}, not ({n},)")
        for name in ("township_class", "township_seat"):
            if getattr(self, name).shape != (t,):
                raise ValueError(f"County.{name} has shape {getattr(self, name).shape}, not ({t},)")
        if n and (self.township.min() < 0 or self.township.max() >= t):
            raise ValueError("County.township holds an index outside 0..n_townships-1")
        if np.any(self.township[self.township_seat] != np.arange(t)):
            raise ValueError("a township's seat village lies in another township")
        if np.any(np.bincount(self.township, minlength=t) == 0):
            raise ValueError("a township has no villages")
        if np.any(self.edge_a >= self.edge_b):
            raise ValueError("road edges must have edge_a < edge_b")
        if np.any(self.edge_minutes <= 0) or not np.all(np.isfinite(self.edge_minutes)):
            raise ValueError("road edge minutes must be finite and > 0")
        pairs = np.column_stack([self.edge_a, self.edge_b])
        if len(np.unique(pairs, axis=0)) != len(pairs):
            # road_matrix() adds duplicate entries up: two roads would act as one slow road.
            raise ValueError("road edges must be distinct pairs (keep the fastest road)")
        if self.territories is not None and len(self.territories) != n:
            raise ValueError("County.territories must hold one polygon per village")


def road_matrix(n: int, a: np.ndarray, b: np.ndarray, minutes: np.ndarray) -> sp.csr_matrix:
    """Symmetric sparse matrix (n × n) of the minutes of undirected road edges ``a``–``b``."""
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    w = np.concatenate([minutes, minutes])
    return sp.csr_matrix((w, (rows, cols)), shape=(n, n))


def road_minutes(
    length_km: np.ndarray,
    terrain_a: np.ndarray,
    terrain_b: np.ndarray,
    trunk: np.ndarray,
    *,
    trunk_kmh: float,
    terrain_kmh: tuple[float, float, float],
    detour: float,
) -> np.ndarray:
    """Travel minutes along road edges.

    An edge's speed is the trunk speed on corridors, else the speed of the *slower* terrain of
    its two ends (a road into the mountains is as slow as its mountain half). Road length is the
    straight-line length times the detour (circuity) factor.

    Args:
        length_km: Straight-line edge lengths (km).
        terrain_a, terrain_b: :class:`Terrain` codes of the two ends.
        trunk: Edge is on a trunk corridor.
        trunk_kmh: Trunk speed (km/h).
        terrain_kmh: Speeds on plain, hill, mountain county roads (km/h).
        detour: Road length / straight-line length (-).

    Returns:
        Minutes per edge (float, > 0).
    """
    speeds = np.asarray(terrain_kmh, dtype=float)
    v = np.minimum(speeds[terrain_a], speeds[terrain_b])
    v = np.where(trunk, trunk_kmh, v)
    return np.maximum(length_km * detour / v * 60.0, 1e-3)
