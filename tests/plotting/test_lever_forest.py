"""The lever forest figure: its data sorted by the first context's effect, one row per measure,
both contexts; the plot draws on given axes or a new figure, labelled from the registry."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mergesim.plotting.labels import metric_name, metric_unit
from mergesim.plotting.levers import (
    FOREST_COLUMNS,
    lever_forest_data,
    measure_name,
    plot_lever_forest,
)
from mergesim.report.levers import LEVER_COLUMNS

METRIC = "post.travel_min_mean"


def table(effects: dict[str, tuple[float, float]], n_pairs: int = 8) -> pd.DataFrame:
    """Measure → (effect in the seed county, effect with the merger alone); intervals ±1."""
    rows = []
    for measure, pair in effects.items():
        for ctx, eff in zip(("seed", "merger alone"), pair, strict=True):
            rows.append(
                dict(
                    zip(
                        LEVER_COLUMNS,
                        (measure, ctx, "s", "v", METRIC, "all", n_pairs, eff, eff - 1, eff + 1),
                        strict=False,
                    ),
                    few=n_pairs < 5,
                )
            )
    other = dict(rows[0], metric="post.days_mean", effect=99.0)
    return pd.DataFrame([*rows, other], columns=LEVER_COLUMNS)


def test_rows_sorted_by_the_first_contexts_effect():
    data = lever_forest_data(table({"a": (1.0, 5.0), "b": (3.0, -2.0), "c": (np.nan, 0.5)}), METRIC)
    assert list(data.columns) == FOREST_COLUMNS
    assert len(data) == 6  # 3 measures × 2 contexts, the other metric left out
    order = data.drop_duplicates("measure")["measure"].tolist()
    assert order == ["b", "a", "c"]  # 3 > 1 in the seed county; no seed effect last
    assert data.groupby("measure")["row"].nunique().eq(1).all()
    assert list(data["context"][:2]) == ["seed", "merger alone"]


def test_readable_measure_names():
    assert measure_name("keep_abolished_points") == "abolished townships' points kept"
    assert measure_name("some_new_measure") == "some new measure"


def test_unknown_metric_gives_no_rows():
    assert lever_forest_data(table({"a": (1.0, 2.0)}), "post.nothing").empty


def test_plot_new_figure_and_given_axes():
    data = lever_forest_data(
        table(
            {m: (i - 12.0, 12.0 - i) for i, m in enumerate("abcdefghijklmnopqrstuvwx")}, n_pairs=2
        ),
        METRIC,
    )
    fig = plot_lever_forest(data, METRIC)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.get_yticklabels()) == 24
    assert metric_unit(METRIC) and f"({metric_unit(METRIC)})" in ax.get_xlabel()
    assert metric_name(METRIC) in ax.get_title() and "few" in ax.get_title()
    assert METRIC not in ax.get_title() + ax.get_xlabel()  # never a raw key
    # The zero line is drawn.
    assert any(np.allclose(line.get_xdata(), 0.0) for line in ax.get_lines())
    given = Figure().add_subplot()
    assert plot_lever_forest(data, METRIC, ax=given) is given.get_figure()
