"""Figures: county maps (:mod:`.maps`, data in :mod:`.map_data`), one run's plots
(:mod:`.timeseries`, :mod:`.stability`), a sweep's comparisons (:mod:`.compare`, :mod:`.panels`),
all in the shared style and saved atomically by :mod:`.figures` (matplotlib, headless-safe)."""

from mergesim.plotting.boundaries import shared_boundaries
from mergesim.plotting.figures import PALETTE, palette, save_figure
from mergesim.plotting.map_data import MapData, greedy_colouring, map_data
from mergesim.plotting.maps import plot_before_after, plot_county_map, scale_bar_length

__all__ = [
    "PALETTE",
    "MapData",
    "greedy_colouring",
    "map_data",
    "palette",
    "plot_before_after",
    "plot_county_map",
    "save_figure",
    "scale_bar_length",
    "shared_boundaries",
]
