"""Tests of the county maps: map data (pure geometry and colouring) and the figures."""

from __future__ import annotations

import copy
import io
import os
import time
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure

from mergesim.county.county import County
from mergesim.plans.plan import Plan
from mergesim.plotting import (
    greedy_colouring,
    map_data,
    plot_before_after,
    plot_county_map,
    save_figure,
    scale_bar_length,
    shared_boundaries,
)
from mergesim.plotting.map_data import graticule

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _snapshot(obj: object) -> dict[str, object]:
    return {k: copy.deepcopy(v) for k, v in vars(obj).items()}


def _same(a: object, b: object) -> bool:
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def _segment_keys(segs: np.ndarray) -> set[tuple[float, ...]]:
    """Direction-free, rounded keys of segments, for set comparisons."""
    out = set()
    for p, q in np.round(segs, 6).tolist():
        out.add(tuple(min(p, q) + max(p, q)))
    return out


# -- map data -------------------------------------------------------------------------------


def test_map_data_is_pure(small_county: County, small_plan: Plan) -> None:
    county_before, plan_before = _snapshot(small_county), _snapshot(small_plan)
    a = map_data(small_county, small_plan)
    b = map_data(small_county, small_plan)
    for k, v in county_before.items():
        assert _same(v, getattr(small_county, k)), k
    for k, v in plan_before.items():
        assert _same(v, getattr(small_plan, k)), k
    for name in ("village_color", "township_segments", "village_segments", "abolished_seats"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_before_colours_small_and_adjacent_townships_differ(small_county: County) -> None:
    d = map_data(small_county)
    assert not d.after and d.n_units == small_county.n_townships
    assert 2 <= d.n_colors <= 6
    adj = small_county.township_adjacency().tocoo()
    assert np.all(d.unit_color[adj.row] != d.unit_color[adj.col])
    assert np.all(d.unit_color[d.unit_pairs[:, 0]] != d.unit_color[d.unit_pairs[:, 1]])
    assert np.array_equal(d.village_color, d.unit_color[small_county.township])


def test_after_colours_follow_new_townships(small_county: County, small_plan: Plan) -> None:
    d = map_data(small_county, small_plan)
    assert d.after and d.n_units == small_plan.n_new_townships
    new_t = small_plan.township_to_new[small_county.township]
    assert np.array_equal(d.village_unit, new_t)
    a, b = small_county.edge_a, small_county.edge_b
    cross = new_t[a] != new_t[b]
    assert np.all(d.village_color[a[cross]] != d.village_color[b[cross]])
    assert np.all(d.unit_color[d.unit_pairs[:, 0]] != d.unit_color[d.unit_pairs[:, 1]])
    assert d.n_colors <= 6


def test_boundaries_before(small_county: County) -> None:
    d = map_data(small_county)
    assert len(d.township_segments) > 0
    assert len(d.village_segments) > 0
    assert len(d.outer_segments) > 0
    assert d.township_segments.shape[1:] == (2, 2)
    # Each village boundary separates two villages of one township, so before any merger the
    # number of village-boundary segments is at least the number of same-township road pairs.
    same = small_county.township[small_county.edge_a] == small_county.township[small_county.edge_b]
    assert len(d.village_segments) >= same.sum()
    # No segment is both kinds.
    assert not (_segment_keys(d.township_segments) & _segment_keys(d.village_segments))


def test_boundaries_dissolve_after_merger(small_county: County, small_plan: Plan) -> None:
    before, after = map_data(small_county), map_data(small_county, small_plan)
    tb, ta = _segment_keys(before.township_segments), _segment_keys(after.township_segments)
    vb, va = _segment_keys(before.village_segments), _segment_keys(after.village_segments)
    assert ta < tb  # the boundary between old townships 0 and 1 is gone
    assert va < vb | tb
    assert (va | ta) < (vb | tb)  # merged villages lose their common boundary
    # The old 0–1 boundary became a village boundary or disappeared, never a township one.
    assert not (ta & (tb - ta))


def test_abolished_seats(small_county: County, small_plan: Plan) -> None:
    assert map_data(small_county).abolished_seats.size == 0
    d = map_data(small_county, small_plan)
    # Township 1 merged into township 0, whose seat was kept: only seat 1 is abolished.
    assert d.abolished_seats.tolist() == [int(small_county.township_seat[1])]
    assert d.abolished_names.tolist() == [str(small_county.township_name[1])]
    assert np.array_equal(d.unit_seat, small_plan.new_township_seat)
    assert np.array_equal(d.village_seats, small_plan.new_village_seat)


def test_legend_items(small_county: County, small_plan: Plan) -> None:
    d = map_data(small_county, small_plan)
    assert d.county_seat == small_county.county_seat
    assert np.array_equal(d.border_villages, np.flatnonzero(small_county.border))
    assert np.array_equal(d.heritage_villages, np.flatnonzero(small_county.heritage))
    assert len(d.trunk_segments) == int(small_county.edge_trunk.sum()) > 0
    assert len(d.corridor_lines) == 1
    x0, x1, y0, y1 = d.extent
    assert x0 < small_county.x.min() and x1 > small_county.x.max()
    assert y0 < small_county.y.min() and y1 > small_county.y.max()


def test_plan_size_mismatch_raises(small_county: County, small_plan: Plan) -> None:
    bad = replace(small_plan, village_to_new=small_plan.village_to_new[:-1])
    with pytest.raises(ValueError, match="village_to_new"):
        map_data(small_county, bad)


def test_point_data_uses_recomputed_voronoi(small_county: County, small_plan: Plan) -> None:
    points = replace(small_county, territories=None)
    with_polys = map_data(small_county, small_plan)
    d = map_data(points, small_plan)
    assert not d.territories_from_data and len(d.territories) == points.n_villages
    # Same seats and outline, so the recomputed cells give the same boundaries.
    assert _segment_keys(d.township_segments) == _segment_keys(with_polys.township_segments)
    no_outline = replace(points, outline=None)
    d2 = map_data(no_outline)
    assert d2.outline is not None and len(d2.township_segments) > 0


# -- geometry and colouring helpers ----------------------------------------------------------


def test_shared_boundaries_handles_t_junctions() -> None:
    # A 2 × 1 rectangle split into a left square and two right squares: the left square's
    # right edge (0 → 1 tall) has no vertex at the middle, where the right squares meet.
    left = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)
    right_lo = np.array([[1, 0], [2, 0], [2, 0.5], [1, 0.5]], float)
    right_hi = np.array([[1, 0.5], [2, 0.5], [2, 1], [1, 1], [1, 0.5]], float)  # closed ring
    segs, a, b = shared_boundaries([left, right_lo, right_hi], 1e-9)
    pairs = {(int(i), int(j)) for i, j in zip(a, b, strict=True) if j >= 0}
    assert pairs == {(0, 1), (0, 2), (1, 2)}
    outer_len = np.linalg.norm(segs[b < 0, 1] - segs[b < 0, 0], axis=1).sum()
    assert outer_len == pytest.approx(6.0)


def test_greedy_colouring() -> None:
    # A wheel: centre 0 joined to a 5-cycle needs 4 colours.
    rim = [(i, i % 5 + 1) for i in range(1, 6)]
    pairs = np.array([(0, i) for i in range(1, 6)] + rim)
    c = greedy_colouring(6, pairs)
    assert np.all(c[pairs[:, 0]] != c[pairs[:, 1]])
    assert len(set(c.tolist())) == 4
    # Preferences are kept where they do not clash.
    pref = np.array([3, 0, 1, 0, 1, 2])
    c = greedy_colouring(6, pairs, pref)
    assert np.array_equal(c, pref)


@pytest.mark.parametrize(("width", "length"), [(8, 1), (30, 5), (40, 5), (55, 10), (120, 20)])
def test_scale_bar_length(width: float, length: float) -> None:
    assert scale_bar_length(width) == length


# -- figures --------------------------------------------------------------------------------


def test_plot_returns_figure_with_artists(small_county: County, small_plan: Plan) -> None:
    fig = plot_county_map(small_county, small_plan)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    n_filled = sum(len(p) >= 3 for p in small_county.territories)
    assert any(len(p.get_paths()) == n_filled for p in polys)  # the territory fills
    assert any(p.get_hatch() for p in polys)  # hatched border villages
    assert len(lines) >= 4  # village and township boundaries, corridor, trunk roads
    texts = {t.get_text() for t in ax.texts}
    assert set(small_plan.new_township_name.tolist()) <= texts
    assert str(small_county.township_name[1]) in texts  # the abolished township
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for want in (
        "township seat",
        "abolished township seat",
        "county seat",
        "border village",
        "heritage village",
        "trunk road",
        "township boundary",
        "village boundary",
    ):
        assert want in labels
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0
    assert ax.get_aspect() == 1.0


def test_plot_into_given_axes_and_title(small_county: County) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    out = plot_county_map(small_county, ax=ax, title="My map")
    assert out is fig and ax.get_title() == "My map"
    assert "abolished township seat" not in [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_point_data(small_county: County) -> None:
    fig = plot_county_map(replace(small_county, territories=None))
    assert isinstance(fig, Figure) and len(fig.axes) == 1


def test_before_after_and_save(tmp_path, small_county: County, small_plan: Plan) -> None:
    fig = plot_before_after(small_county, small_plan, title="Merger")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title().startswith(f"{small_county.name}: before")
    assert "after" in fig.axes[1].get_title()
    path = save_figure(fig, tmp_path / "maps" / "before_after.png")
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert [p.name for p in path.parent.iterdir()] == ["before_after.png"]  # no temp files


def test_save_failure_leaves_no_file(tmp_path, small_county: County) -> None:
    fig = plot_county_map(small_county)
    with pytest.raises(ValueError):
        save_figure(fig, tmp_path / "map.nosuchformat")
    assert list(tmp_path.iterdir()) == []


def test_seed_county_size_is_fast(big_county: County, big_plan: Plan) -> None:
    for p in (None, big_plan):
        t0 = time.perf_counter()
        fig = plot_county_map(big_county, p)
        fig.savefig(io.BytesIO(), format="png", dpi=150)  # a bare Figure renders on save
        elapsed = time.perf_counter() - t0
        assert elapsed < 3.0, f"map took {elapsed:.2f} s"


def test_saved_file_honours_umask(tmp_path, small_county: County) -> None:
    old = os.umask(0o022)
    try:
        path = save_figure(plot_county_map(small_county), tmp_path / "map.png")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_real_county_maps_get_a_lon_lat_grid(small_county: County, small_plan: Plan) -> None:
    assert map_data(small_county).graticule is None  # synthetic: local km, no grid
    real = replace(small_county, lonlat_origin=(106.2, 29.7))
    d = map_data(real, small_plan)
    xs, xlabels, ys, ylabels = d.graticule
    assert 2 <= len(xs) <= 7 and 2 <= len(ys) <= 7
    assert all(lab.endswith("°E") for lab in xlabels) and all(lab.endswith("°N") for lab in ylabels)
    xmin, xmax, ymin, ymax = d.extent
    assert np.all((xs >= xmin) & (xs <= xmax)) and np.all((ys >= ymin) & (ys <= ymax))
    # A tick sits where its meridian lies: 1° of longitude is 111.2 km × cos(latitude).
    lon = np.array([float(lab[:-2]) for lab in xlabels])
    np.testing.assert_allclose(xs, (lon - 106.2) * 111.195 * np.cos(np.radians(29.7)), atol=1e-3)
    fig = plot_county_map(real, small_plan)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == xlabels


def test_graticule_labels_west_and_south() -> None:
    _, xlabels, _, ylabels = graticule((-50.0, 50.0, -50.0, 50.0), (-0.2, -0.1))
    assert any(lab.endswith("°W") for lab in xlabels) and any(lab.endswith("°E") for lab in xlabels)
    assert any(lab.endswith("°S") for lab in ylabels)
