"""Sweep panels of cadres and petitions: the data functions against hand computations, and
the plots draw from them (placement channels, petition pipeline)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mergesim.mechanisms.petitions import STAGES
from mergesim.plotting.panels import (
    CHANNELS,
    channel_table,
    pipeline_data,
    plot_channels_by_group,
    plot_pipeline_by_group,
)


def runs_table() -> pd.DataFrame:
    rows = []
    for grp, base in (("b", 10.0), ("a", 20.0)):
        for rep in range(3):
            row = {"scenario": grp, "replicate": rep}
            for k, c in enumerate(CHANNELS):
                row[f"cadres.channels.{c}"] = base + k + rep
            rows.append(row)
    return pd.DataFrame(rows)


def test_channel_table_is_the_mean_per_group_in_run_order():
    tab = channel_table(runs_table())
    assert list(tab.index) == ["b", "a"] and list(tab.columns) == list(CHANNELS)
    # mean over replicates 0, 1, 2 of base + k + rep = base + k + 1
    expect = np.array(
        [[10.0 + k + 1 for k in range(len(CHANNELS))], [20.0 + k + 1 for k in range(len(CHANNELS))]]
    )
    np.testing.assert_allclose(tab.to_numpy(), expect)
    assert isinstance(plot_channels_by_group(tab), Figure)


def test_channel_table_empty_without_channel_columns():
    assert channel_table(pd.DataFrame({"scenario": ["x"]})).empty


def test_pipeline_data_means_over_replicates_per_stage_and_week():
    rows = []
    for grp in ("x", "y"):
        for rep in range(2):
            for week in range(4):
                row = {"scenario": grp, "replicate": rep, "week": week}
                for s, name in enumerate(STAGES):
                    row[f"backlog_{name}_per10k"] = week * (s + 1) + rep + (grp == "y")
                rows.append(row)
    data = pipeline_data(pd.DataFrame(rows))
    assert list(data) == ["x", "y"]
    for grp, off in (("x", 0.5), ("y", 1.5)):
        d = data[grp]
        np.testing.assert_array_equal(d["week"], np.arange(4))
        assert d["backlog"].shape == (len(STAGES), 4)
        expect = np.array([[w * (s + 1) + off for w in range(4)] for s in range(len(STAGES))])
        np.testing.assert_allclose(d["backlog"], expect)
    assert isinstance(plot_pipeline_by_group(data, {"x": 1, "y": 1}), Figure)


def test_pipeline_data_empty_without_backlog_columns():
    assert pipeline_data(pd.DataFrame({"scenario": ["x"], "week": [0]})) == {}


def test_change_maps_share_one_colour_scale():
    from mergesim.plotting.panels import plot_change_maps
    from mergesim.plotting.timeseries import change_span

    xy = np.column_stack([np.arange(5.0), np.arange(5.0)])
    maps = {
        g: {
            "rings": [],
            "ring_village": np.zeros(0, np.int64),
            "xy": xy,
            "change": c,
            "from_data": False,
            "boundaries": [],
            "seats": np.zeros((0, 2)),
            "units": "km",
        }
        for g, c in (
            ("a", np.array([1.0, -2.0, 0.0, np.nan, 0.5])),
            ("b", np.array([4.0, 0.0, -1.0, 0.0, 0.0])),
        )
    }
    assert change_span(*(m["change"] for m in maps.values())) == 4.0
    fig = plot_change_maps(maps)
    panels = [ax for ax in fig.axes if ax.get_title() in maps]
    assert len(panels) == 2
    limits = {(ax.collections[0].norm.vmin, ax.collections[0].norm.vmax) for ax in panels}
    assert limits == {(-4.0, 4.0)}
