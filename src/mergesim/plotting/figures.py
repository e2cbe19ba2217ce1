"""The shared look of every mergesim figure, and the one way figures are saved.

* :func:`save_figure` writes a figure atomically (through :func:`mergesim.io.atomic_path`),
  so a reader or a crashed run never sees a half-written image.
* :func:`figure_axes` gives the plot functions their ``ax=None`` behaviour: draw on the given
  axes, or on a new :class:`~matplotlib.figure.Figure` of a given size.
* :data:`PALETTE` / :func:`palette` (map fills) and :func:`colours` (scenario lines) are the
  colours; :func:`label_family` the font list that renders Chinese place names.

pyplot is never used: a bare ``Figure`` needs no GUI backend (headless-safe) and is not kept
alive by pyplot's global figure registry.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager

from mergesim.io import atomic_path

#: Resolution of saved raster figures (dots per inch).
SAVE_DPI = 150

#: Light qualitative fills (ColorBrewer Paired/Set3 light tones): dark boundaries, seats and
#: labels stay readable on all of them, and planar township maps rarely need more than six.
PALETTE: tuple[str, ...] = (
    "#a6cee3",
    "#b2df8a",
    "#fdbf6f",
    "#cab2d6",
    "#fb9a99",
    "#ffff99",
    "#8dd3c7",
    "#e5c494",
)
# Used only if greedy colouring ever needs more than len(PALETTE) colours.
_EXTRA_PALETTE: tuple[str, ...] = (
    "#bebada",
    "#80b1d3",
    "#fccde5",
    "#ccebc5",
    "#ffed6f",
    "#d9d9d9",
    "#c7e9c0",
    "#fdd0a2",
)

# Families tried after DejaVu Sans for labels, so Chinese township names render when one of
# these fonts is installed (matplotlib >= 3.6 falls back glyph by glyph along the list).
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "AR PL UMing CN",
)


def palette(n: int) -> list[str]:
    """``n`` fill colours: :data:`PALETTE`, extended (then cycled) if more are needed."""
    base = list(PALETTE) + list(_EXTRA_PALETTE)
    return [base[i % len(base)] for i in range(max(n, 1))]


def colours(n: int) -> list[Any]:
    """``n`` distinguishable line colours (tab10, then tab20)."""
    cmap = matplotlib.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


#: Line styles and markers that tell overlapping lines apart without colour.
LINE_STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Small multiples share a y-axis only if their ranges differ by at most this factor.
SHARED_RANGE_RATIO = 10.0
#: Image formats a figure can be saved in (raster and vector).
FORMATS = ("png", "svg", "pdf")


def line_style(i: int) -> tuple[str, str]:
    """``(line style, marker)`` of the ``i``-th of several overlapping lines."""
    return LINE_STYLES[i % len(LINE_STYLES)], MARKERS[i % len(MARKERS)]


def share_y(spans) -> bool:
    """Whether panels with these ``(low, high)`` data ranges can share a y-axis: the widest
    range is at most :data:`SHARED_RANGE_RATIO` times the narrowest (a shared axis would
    flatten the narrow ones otherwise)."""
    widths = [hi - lo for lo, hi in spans if np.isfinite(lo) and np.isfinite(hi)]
    if len(widths) < 2:
        return True
    top, low = max(widths), min(widths)
    if top == 0:
        return True
    return low > 0 and top / low <= SHARED_RANGE_RATIO


def grid(
    n: int, *, panel: tuple[float, float] = (4.0, 3.0), ncol: int = 3, sharey: bool = False
) -> tuple[Figure, np.ndarray]:
    """A figure of ``n`` small multiples (at most ``ncol`` a row), axes flattened; panels
    beyond ``n`` are hidden, and the lowest panel of each column shows the x tick labels."""
    ncol = max(min(n, ncol), 1)
    nrow = int(np.ceil(max(n, 1) / ncol))
    fig = Figure(figsize=(panel[0] * ncol + 1.0, panel[1] * nrow + 0.8), layout="constrained")
    axes = fig.subplots(nrow, ncol, sharex=True, sharey=sharey, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_visible(False)
        elif i + ncol >= n:  # the lowest panel of its column: it shows the x tick labels
            ax.xaxis.set_tick_params(labelbottom=True)
    return fig, axes


def label_family() -> list[str]:
    """Font families for labels: DejaVu Sans, then the installed CJK fonts."""
    installed = {f.name for f in fontManager.ttflist}
    return ["DejaVu Sans", *[f for f in _CJK_FAMILIES if f in installed]]


def figure_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """``(figure, axes)`` to draw on: ``ax`` and its figure, or a new figure of ``size``
    inches with one axes (constrained layout)."""
    if ax is not None:
        return ax.get_figure(), ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def root_figure(ax: Axes) -> Figure:
    """The top-level figure holding ``ax`` (not a SubFigure)."""
    try:
        return ax.get_figure(root=True)  # matplotlib >= 3.10: skip SubFigures
    except TypeError:
        return ax.figure


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = SAVE_DPI) -> Path:
    """Save ``fig`` atomically (temporary file beside ``path``, then renamed onto it).

    The format follows the suffix of ``path`` (png unless given otherwise).

    Args:
        fig: The figure.
        path: Destination file; missing parent folders are created.
        dpi: Resolution (dots per inch).

    Returns:
        The destination path.

    Raises:
        ValueError: matplotlib does not know the suffix's format (nothing is left behind).
    """
    dest = Path(path)
    fmt = dest.suffix.lstrip(".").lower() or "png"
    # Vector formats keep their text as text (editable in a paper, searchable), with the
    # fonts embedded as TrueType in PDF.
    with (
        matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}),
        atomic_path(dest) as tmp,
    ):
        fig.savefig(tmp, format=fmt, dpi=dpi)
    return dest
