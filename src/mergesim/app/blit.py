"""The app's figures redrawn every frame, fast: drawn once, then only what changes.

A frame of the page shows a map whose colours change and series whose lines grow. Redrawing
a whole figure (axes, ticks, text, the colour bar, a thousand territories) costs several
times more than the weekly step at scale 0.1, so these figures use matplotlib's blitting: the
unchanging part (frame, titles, ticks, colour bar) is drawn once into a cached background, and
each frame restores it and draws only the changing artists over it (the ``animated`` ones,
which a full draw leaves out). A change of scale, colour map or title drops the cache.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PIL import Image

from mergesim.app.figures import SCREEN_DPI, plot_outcome_map, plot_series


def _frozen(fig: Figure) -> Figure:
    """``fig`` at screen resolution on an Agg canvas, laid out once and then fixed: re-running
    a layout engine at every frame would cost more than drawing."""
    FigureCanvasAgg(fig)
    fig.set_dpi(SCREEN_DPI)
    fig.canvas.draw()
    fig.set_layout_engine("none")
    return fig


class Blitter:
    """Renders ``fig`` to PNG, drawing the static part once.

    Args:
        fig: A figure on an Agg canvas (see :func:`_frozen`).
        dynamic: The artists that change between frames, drawn in this order over the cached
            background.
    """

    def __init__(self, fig: Figure, dynamic: Sequence[Artist]):
        self.fig = fig
        self.dynamic = [a for a in dynamic if a is not None]
        for a in self.dynamic:
            a.set_animated(True)
        self.background: Any = None

    def invalidate(self) -> None:
        """Redraw the static part at the next frame (something in it changed)."""
        self.background = None

    def png(self) -> bytes:
        """The current frame as PNG bytes."""
        canvas = self.fig.canvas
        if self.background is None:
            canvas.draw()  # leaves the animated artists out
            self.background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self.background)
        for a in self.dynamic:
            a.axes.draw_artist(a)
        rgba = np.asarray(canvas.buffer_rgba())
        buf = io.BytesIO()
        # RGB (the figure is opaque): a third smaller PNG to send each frame.
        Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(
            buf, format="PNG", compress_level=1
        )
        return buf.getvalue()


class LiveMap:
    """An outcome map (:func:`~mergesim.app.figures.plot_outcome_map`) recoloured per frame.

    Args:
        data: From :func:`~mergesim.app.figures.map_view_data`; its territories, boundaries
            and seats stay for the life of the map.
    """

    def __init__(self, data: dict[str, Any]):
        self.fig = _frozen(plot_outcome_map(data))
        self.ax = self.fig.axes[0]
        self.coll = self.ax.collections[0]
        self.cbar = self.coll.colorbar
        # Everything inside the map changes with the colours' layer under it: the boundaries,
        # seats and legend are drawn over the territories each frame.
        self.blit = Blitter(self.fig, [*self.ax.collections, self.ax.get_legend()])

    def update(self, data: dict[str, Any]) -> bytes:
        """Recolour with ``data`` (same territories) and return the PNG."""
        if self.coll.get_cmap().name != data["cmap"]:
            self.coll.set_cmap(colormaps[data["cmap"]].with_extremes(bad="0.85"))
            self.blit.invalidate()
        norm = self.coll.norm
        if (norm.vmin, norm.vmax) != (data["vmin"], data["vmax"]):
            self.coll.set_norm(Normalize(data["vmin"], data["vmax"]))
            self.blit.invalidate()
        if self.ax.get_title() != data["title"]:
            self.ax.set_title(data["title"], fontsize=9)
            self.blit.invalidate()
        if self.cbar is not None and self.cbar.ax.get_ylabel() != data["unit_label"]:
            self.cbar.set_label(data["unit_label"])
            self.blit.invalidate()
        self.coll.set_array(np.ma.masked_invalid(data["values"]))
        return self.blit.png()


def _ylim(values: Sequence[np.ndarray], now: tuple[float, float] | None) -> tuple[float, float]:
    """Round y limits holding every finite value.

    ``now`` is kept while it holds the values and they fill at least a quarter of it, so the
    background is redrawn only when the data leave the panel or shrink to a sliver of it.
    """
    finite = np.concatenate([v[np.isfinite(v)] for v in values] or [np.zeros(0)])
    if not len(finite):
        return now or (0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    if now is not None and now[0] <= lo and hi <= now[1] and hi - lo >= 0.25 * (now[1] - now[0]):
        return now
    if hi - lo < 1e-12:
        pad = abs(hi) * 0.05 or 0.01
        lo, hi = lo - pad, hi + pad
    ticks = MaxNLocator(nbins=3).tick_values(lo, hi)
    return float(ticks[0]), float(ticks[-1])


class LiveSeries:
    """The series panels (:func:`~mergesim.app.figures.plot_series`) with growing lines.

    Args:
        data: From :func:`~mergesim.app.figures.series_data`; the panels and runs stay.
    """

    def __init__(self, data: dict[str, Any]):
        self.fig = _frozen(plot_series(data))
        self.axes = [ax for ax in self.fig.axes if ax.get_lines()]
        self.shape = self._shape(data)
        # The first line of a panel is the reform-week mark; the runs' lines follow.
        self.lines = [ax.get_lines()[1:] for ax in self.axes]
        self.limits: list[tuple[float, float] | None] = [None] * len(self.axes)
        legend = self.axes[0].get_legend()
        self.blit = Blitter(self.fig, [line for ls in self.lines for line in ls] + [legend])

    @staticmethod
    def _shape(data: dict[str, Any]) -> tuple:
        return tuple(data["keys"]), tuple(r["name"] for r in data["runs"])

    def fits(self, data: dict[str, Any]) -> bool:
        """Whether ``data`` has the same panels and runs (else draw a new one)."""
        return self.shape == self._shape(data)

    def update(self, data: dict[str, Any]) -> bytes:
        """Set every line to ``data`` and return the PNG."""
        for i, (ax, key) in enumerate(zip(self.axes, data["keys"], strict=True)):
            cols = [run[key] for run in data["runs"]]
            for line, run, col in zip(self.lines[i], data["runs"], cols, strict=True):
                line.set_data(run["week"], col)
            lim = _ylim(cols, self.limits[i])
            if lim != self.limits[i]:
                ax.set_ylim(*lim)
                self.limits[i] = lim
                self.blit.invalidate()
        return self.blit.png()
