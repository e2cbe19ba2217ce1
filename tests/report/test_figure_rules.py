"""Rules of the report's comparison figures: a figure is drawn only when it varies across the
design points compared, and panels share a y-axis only when their ranges are within 10× of
each other (a shared axis would flatten the narrow ones)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mergesim.plotting import compare as pc
from mergesim.plotting.figures import SHARED_RANGE_RATIO, share_y
from mergesim.plotting.panels import CHANNELS, varies
from mergesim.report.figures import Drawn, _stability_figures


def test_panels_share_a_y_axis_only_within_ten_times():
    assert SHARED_RANGE_RATIO == 10.0
    assert share_y([(0.0, 1.0), (5.0, 15.0)])  # widths 1 and 10: exactly 10×
    assert not share_y([(0.0, 1.0), (0.0, 10.5)])  # more than 10×
    assert not share_y([(0.0, 0.0), (0.0, 3.0)])  # a flat panel next to a varying one
    assert share_y([(2.0, 2.0), (3.0, 3.0)])  # all flat: nothing to flatten
    assert share_y([(0.0, 1.0)])


def test_varies_tells_identical_groups_apart():
    a = np.array([1.0, 2.0, np.nan])
    assert not varies([a, a.copy()])
    assert varies([a, a + 1e-3])
    assert varies([a, a[:2]])  # another shape
    assert varies([a])  # one group: nothing to compare, drawn


def _runs(channel_value) -> pd.DataFrame:
    rows = []
    for grp in ("level a", "level b"):
        for rep in range(3):
            row = {pc.GROUP: grp, "scenario": "s", "replicate": rep, "status": "ok"}
            row.update(
                {f"cadres.channels.{c}": channel_value(grp, k) for k, c in enumerate(CHANNELS)}
            )
            rows.append(row)
    return pd.DataFrame(rows)


def test_the_cadre_channel_figure_is_drawn_only_when_it_varies(tmp_path):
    same, out = _runs(lambda g, k: 10.0 + k), Drawn()
    _stability_figures(tmp_path, same, pd.DataFrame(), out, ("png",))
    assert out.files == [] and any("cadre channels" in s for s in out.skipped)

    other, out = _runs(lambda g, k: 10.0 + k + (5.0 if g == "level b" else 0.0)), Drawn()
    _stability_figures(tmp_path, other, pd.DataFrame(), out, ("png",))
    assert [p.name for p in out.files] == ["cadre_channels.png"] and not out.skipped
