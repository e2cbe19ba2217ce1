"""The PRIM box figure: each restricted assumption's range inside the box against its full
range (scenario discovery, :mod:`mergesim.report.discovery`, which makes the data)."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mergesim.plotting.figures import colours, figure_axes
from mergesim.plotting.intervals import fmt_sig

#: Height (inches) of one restricted dimension's row, and the figure's width.
ROW_INCHES, WIDTH_INCHES = 0.45, 9.0
#: Names of the first tab10 colours (:func:`~mergesim.plotting.figures.colours`), for the title.
_COLOUR_NAMES = (
    "blue",
    "orange",
    "green",
    "red",
    "purple",
    "brown",
    "pink",
    "grey",
    "olive",
    "cyan",
)


def plot_prim_box(data: pd.DataFrame, title: str, ax: Axes | None = None) -> Figure:
    """Draw the boxes' restricted ranges (bars) over each assumption's full range (grey).

    Args:
        data: :func:`mergesim.report.discovery.box_figure_data` (one row per box and
            restricted dimension; limits scaled to the full range as ``lo01``/``hi01``).
        title: The outcome and its threshold (from the metrics registry).
        ax: Axes to draw on (default: a new figure).

    Returns:
        The figure.
    """
    n = max(len(data), 1)
    fig, ax = figure_axes(ax, (WIDTH_INCHES, 1.2 + ROW_INCHES * n))
    cols = colours(len(_COLOUR_NAMES))
    for y, (_, r) in enumerate(data.iloc[::-1].iterrows()):
        ax.barh(y, 1.0, left=0.0, height=0.6, color="0.9", edgecolor="0.6")
        b = int(r["box"])
        ax.barh(
            y,
            r["hi01"] - r["lo01"],
            left=r["lo01"],
            height=0.6,
            color=cols[(b - 1) % len(cols)],
        )
        ax.text(-0.01, y, fmt_sig(r["full_lo"]), ha="right", va="center", fontsize=7)
        ax.text(1.01, y, fmt_sig(r["full_hi"]), ha="left", va="center", fontsize=7)
        ax.text(
            (r["lo01"] + r["hi01"]) / 2,
            y,
            f"{fmt_sig(r['lo'])} – {fmt_sig(r['hi'])}",
            ha="center",
            va="center",
            fontsize=7,
        )
    labels = list(data["label"].iloc[::-1])
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlim(-0.12, 1.12)
    ax.set_xticks([0, 0.5, 1], ["low end", "middle", "high end"])
    ax.set_xlabel("position in the assumption's range (grey: the range sampled)")
    # The boxes' statistics in the title (colour by box): a legend below the axes would
    # squeeze them away under constrained layout.
    stats = "; ".join(
        f"box {int(b)} ({_COLOUR_NAMES[(int(b) - 1) % len(_COLOUR_NAMES)]}): coverage "
        f"{r['coverage']:.0%}, density {r['density']:.0%}"
        for b, r in data.drop_duplicates("box").set_index("box").iterrows()
    )
    ax.set_title(f"{title}\n{stats}", fontsize=9)
    return fig
