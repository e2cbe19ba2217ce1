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
    with atomic_path(dest) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi)
    return dest
