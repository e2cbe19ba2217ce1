"""Maps of a county before and after a merger plan (matplotlib, headless-safe)."""

from mergesim.plotting.maps import (
    PALETTE,
    MapData,
    greedy_colouring,
    map_data,
    palette,
    plot_before_after,
    plot_county_map,
    save_figure,
    scale_bar_length,
    shared_boundaries,
)

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
