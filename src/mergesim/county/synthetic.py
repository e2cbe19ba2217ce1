"""The synthetic county generator: seeded, deterministic, every knob a scenario parameter.

Recipe (each step uses only the county's own random stream, in this order):

1. **Outline** — a star-shaped polygon ``r(θ) = R (1 + Σ a_k cos(kθ + φ_k))`` with random
   harmonics, rescaled to exactly ``county.area_km2``.
2. **Seat, corridors and rivers** — the county seat lies ``seat_offset·R`` from the centre;
   ``county.corridors`` trunk roads run from it to the outline (gently bent); ``terrain.rivers``
   valleys cross the county near the seat.
3. **Terrain field** — rises with distance from the seat and toward the mountainous edge
   (``mountain_direction_deg``), falls in river and corridor valleys, plus smooth random bumps.
   Plains are its lowest ``plain_share`` of the area, mountains its highest ``mountain_share``.
4. **Villages** — candidate points thinned by terrain-dependent density, with a minimum spacing
   that scales with local density (a Poisson-disk-like pattern, so no cell is tiny).
5. **Territories and roads** — Voronoi cells clipped to the outline; neighbours are joined by a
   road whose minutes follow terrain and road class
   (see :func:`~mergesim.county.county.road_minutes`).
6. **Populations** — log-normal around a terrain-dependent mean, scaled to ``county.population``
   exactly (largest remainder), with households and villager groups derived.
7. **Townships** — seeds spread by farthest-point sampling, then grown over the road graph by
   multi-source Dijkstra (each village joins its nearest seed along roads, so every township is
   contiguous: a shortest path's predecessor belongs to the same seed), with two Lloyd-style
   re-centring rounds for even sizes.
8. **Classes** — the county-seat township; ``border.townships`` edge townships nearest the chosen
   stretch of the outline, whose ``border.villages`` villages nearest the outline are border
   villages; ``county.central_townships`` most populous corridor townships; heritage units drawn by
   count among the rest.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from matplotlib.path import Path
from scipy.sparse.csgraph import connected_components, dijkstra

from mergesim.config.schema import Scenario
from mergesim.county.county import County, Terrain, TownshipClass, road_minutes
from mergesim.county.geometry import (
    point_to_polyline_distance,
    polygon_area,
    voronoi_territories,
)
from mergesim.county.names import make_names
from mergesim.errors import ScenarioError
from mergesim.numeric import largest_remainder

_OUTLINE_POINTS = 240


def _outline(rng: np.random.Generator, area: float, roughness: float, harmonics: int):
    theta = np.linspace(0, 2 * np.pi, _OUTLINE_POINTS, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, harmonics + 2):
        amp = roughness * rng.normal() / (k - 1) ** 0.7
        r += amp * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.45, None)
    ring = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    ring *= np.sqrt(area / polygon_area(ring))
    return ring


def _ray_exit(outline: np.ndarray, origin: np.ndarray, angle: float) -> np.ndarray:
    """First point where the ray from ``origin`` at ``angle`` leaves the (star-shaped) outline."""
    d = np.array([np.cos(angle), np.sin(angle)])
    a, b = outline, np.roll(outline, -1, axis=0)
    e = b - a
    denom = d[0] * e[:, 1] - d[1] * e[:, 0]
    ok = np.abs(denom) > 1e-12
    w = a - origin
    t = np.where(ok, (w[:, 0] * e[:, 1] - w[:, 1] * e[:, 0]) / np.where(ok, denom, 1), np.inf)
    s = np.where(ok, (w[:, 0] * d[1] - w[:, 1] * d[0]) / np.where(ok, denom, 1), -1)
    hit = ok & (t > 0) & (s >= 0) & (s <= 1)
    tmin = t[hit].min() if hit.any() else 1.0
    return origin + d * tmin * 0.995


def _polyline(rng, start, end, bend: float, n: int = 12) -> np.ndarray:
    s = np.linspace(0, 1, n)[:, None]
    line = start + s * (end - start)
    normal = np.array([-(end - start)[1], (end - start)[0]])
    normal /= max(np.linalg.norm(normal), 1e-9)
    wiggle = bend * np.sin(np.pi * s[:, 0] * rng.uniform(1, 2)) * rng.choice([-1, 1])
    return line + wiggle[:, None] * normal


def _bumps(rng, center, radius, k=14):
    pos = center + rng.uniform(-radius, radius, (k, 2))
    amp = rng.normal(0, 0.35, k)
    width = rng.uniform(0.15, 0.35, k) * radius
    return pos, amp, width


def _terrain_field(pts, seat, radius, mdir, rivers, corridors, bumps):
    rel = pts - seat
    dist = np.hypot(rel[:, 0], rel[:, 1]) / radius
    ang = np.arctan2(rel[:, 1], rel[:, 0])
    f = dist + 0.7 * dist * np.cos(ang - mdir)
    pos, amp, width = bumps
    d2 = ((pts[:, None, :] - pos[None]) ** 2).sum(axis=2)
    f += (amp[None] * np.exp(-d2 / (2 * width[None] ** 2))).sum(axis=1)
    w = 0.08 * radius
    for line in rivers:
        f -= 0.55 * np.exp(-((point_to_polyline_distance(pts, line) / w) ** 2))
    for line in corridors:
        f -= 0.3 * np.exp(-((point_to_polyline_distance(pts, line) / w) ** 2))
    return f


def _uniform_in(rng, outline, path, k):
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    out = np.empty((0, 2))
    while len(out) < k:
        c = rng.uniform(lo, hi, (2 * k, 2))
        out = np.vstack([out, c[path.contains_points(c)]])
    return out[:k]


def _place_villages(rng, cand, dens, n, area):
    """Thin ``cand`` to ``n`` points, preferring dense terrain, with density-scaled spacing."""
    # Weighted random order (Efraimidis–Spirakis keys), then greedy acceptance with a minimum
    # spacing of ~0.55 of the local mean spacing; relax the spacing if too few points survive.
    keys = rng.random(len(cand)) ** (1.0 / dens)
    order = np.argsort(-keys)
    mean_spacing = np.sqrt(area / n)
    local = mean_spacing * np.sqrt(dens.mean() / dens)
    for factor in (0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0):
        cell = max(factor * local.max(), 1e-6)
        grid: dict[tuple[int, int], list[int]] = {}
        chosen: list[int] = []
        for i in order:
            p = cand[i]
            gx, gy = int(p[0] // cell), int(p[1] // cell)
            rmin = factor * local[i]
            ok = True
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for j in grid.get((gx + dx, gy + dy), ()):
                        q = cand[j]
                        if (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 < rmin * rmin:
                            ok = False
                            break
                    if not ok:
                        break
                if not ok:
                    break
            if ok:
                grid.setdefault((gx, gy), []).append(i)
                chosen.append(i)
                if len(chosen) == n:
                    return cand[np.array(chosen)]
    raise ScenarioError(  # unreachable with factor 0, kept as a guard
        f"could not place {n} villages", key="county.villages"
    )


def _grow_townships(roads, xy, n_town, seat_village, rng):
    """Contiguous townships: k-means seeds in the plane, grown over the road graph."""
    n = len(xy)
    # k-means++-style seeding (D² sampling) then Lloyd rounds whose assignment step is a
    # multi-source Dijkstra over roads, so every township stays contiguous.
    seeds = [seat_village]
    d2 = ((xy - xy[seat_village]) ** 2).sum(axis=1)
    for _ in range(n_town - 1):
        nxt = int(rng.choice(n, p=d2 / d2.sum()))
        seeds.append(nxt)
        d2 = np.minimum(d2, ((xy - xy[nxt]) ** 2).sum(axis=1))
    seeds = np.array(seeds, dtype=np.int64)
    for _ in range(8):
        _, _, src = dijkstra(
            roads, directed=False, indices=seeds, min_only=True, return_predecessors=True
        )
        pos = np.full(n, -1, dtype=np.int64)
        pos[seeds] = np.arange(n_town)
        label = pos[src]
        cnt = np.bincount(label, minlength=n_town)
        cx = np.bincount(label, weights=xy[:, 0], minlength=n_town) / np.maximum(cnt, 1)
        cy = np.bincount(label, weights=xy[:, 1], minlength=n_town) / np.maximum(cnt, 1)
        d = (xy[:, 0] - cx[label]) ** 2 + (xy[:, 1] - cy[label]) ** 2
        # The member nearest its township's centroid becomes the new seed (county seat fixed).
        order = np.lexsort((d, label))
        first = order[np.r_[0, np.flatnonzero(np.diff(label[order])) + 1]]
        new = seeds.copy()
        new[label[first]] = first
        new[0] = seat_village
        if np.array_equal(new, seeds):
            break
        seeds = new
    _, _, src = dijkstra(
        roads, directed=False, indices=seeds, min_only=True, return_predecessors=True
    )
    pos = np.full(n, -1, dtype=np.int64)
    pos[seeds] = np.arange(n_town)
    # Township index = position of its seed; the county seat's township is 0.
    return pos[src], seeds


def _connect(xy: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The road pairs, plus — while the road graph is split — a road from its smallest part to
    the nearest village outside it.

    Roads join villages whose territories share an edge; where the clipped outline pinches a
    small county's territory to a point, a village can be left with no neighbour. A connected
    county's roads are returned unchanged.
    """
    n = len(xy)
    while True:
        graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
        k, lab = connected_components(graph, directed=False)
        if k == 1:
            return pairs
        part = np.flatnonzero(lab == np.argmin(np.bincount(lab)))
        rest = np.flatnonzero(lab != lab[part[0]])
        d = ((xy[part][:, None, :] - xy[rest][None, :, :]) ** 2).sum(axis=-1)
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        a, b = sorted((int(part[i]), int(rest[j])))
        pairs = np.vstack([pairs, np.array([[a, b]], dtype=pairs.dtype)])


def _trunk_edges(xy, ea, eb, length, lines, width, seat) -> np.ndarray:
    """Edges of each trunk road: the shortest chain from the seat to the corridor's far end.

    Only edges between villages within ``width`` (km, at least 1.5× the edge scale) of the
    corridor line are eligible, so the trunk follows the corridor as one chain instead of
    marking every road in the corridor band.
    """
    n = len(xy)
    trunk = np.zeros(len(ea), dtype=bool)
    edge_of = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(ea, eb, strict=True))}
    for line in lines:
        d = point_to_polyline_distance(xy, line)
        band = d <= max(width, 1.5 * float(np.median(length)))
        band[seat] = True
        ok = band[ea] & band[eb]
        g = sp.csr_matrix((length[ok], (ea[ok], eb[ok])), shape=(n, n))
        dist, pred = dijkstra(g, directed=False, indices=seat, return_predecessors=True)
        reach = np.flatnonzero(np.isfinite(dist) & band)
        if len(reach) < 2:
            continue
        # The far end: the reachable band village nearest the corridor's end point.
        end = reach[np.argmin(((xy[reach] - line[-1]) ** 2).sum(axis=1))]
        v = int(end)
        while v != seat and pred[v] >= 0:
            u = int(pred[v])
            trunk[edge_of[(min(u, v), max(u, v))]] = True
            v = u
    return trunk


def generate_county(scenario: Scenario, rng: np.random.Generator) -> County:
    """Generate the synthetic county described by ``scenario``.

    Args:
        scenario: A validated scenario (its ``county``, ``terrain``, ``border``, ``heritage``
            and ``roads`` sections are used).
        rng: The county's random stream (``Streams(seed).generator("county")``).

    Returns:
        A validated :class:`County`.

    Raises:
        ScenarioError: The sizes are inconsistent (e.g. more townships than villages).
    """
    cp, tp, bp, hp, rp = (
        scenario.county,
        scenario.terrain,
        scenario.border,
        scenario.heritage,
        scenario.roads,
    )
    n, n_town = cp.villages, cp.townships
    if n_town > n:
        raise ScenarioError(
            f"value {n_town} exceeds county.villages ({n}); allowed: townships <= villages",
            key="county.townships",
        )
    if n < 2:
        raise ScenarioError(f"value {n} is too small; allowed: >= 2", key="county.villages")
    special = cp.central_townships + bp.townships + hp.townships + 1
    if special > n_town:
        raise ScenarioError(
            f"county seat + central ({cp.central_townships}) + border ({bp.townships}) + heritage "
            f"({hp.townships}) townships = {special} exceed county.townships ({n_town})",
            key="county.townships",
        )

    outline = _outline(rng, cp.area_km2, cp.outline_roughness, cp.outline_harmonics)
    radius = np.sqrt(cp.area_km2 / np.pi)
    path = Path(np.vstack([outline, outline[:1]]))
    a0 = rng.uniform(0, 2 * np.pi)
    seat = cp.seat_offset * radius * np.array([np.cos(a0), np.sin(a0)])

    base = rng.uniform(0, 2 * np.pi)
    corridor_lines = []
    for i in range(cp.corridors):
        ang = base + 2 * np.pi * i / max(cp.corridors, 1) + rng.normal(0, 0.25)
        end = _ray_exit(outline, seat, ang)
        corridor_lines.append(_polyline(rng, seat, end, 0.06 * radius))
    rivers = []
    for _ in range(tp.rivers):
        ang = rng.uniform(0, np.pi)
        through = seat + rng.normal(0, 0.25 * radius, 2)
        if not path.contains_point(through):
            through = seat
        a = _ray_exit(outline, through, ang)
        b = _ray_exit(outline, through, ang + np.pi)
        rivers.append(_polyline(rng, a, b, 0.1 * radius, n=20))
    bumps = _bumps(rng, seat, radius)
    mdir = np.deg2rad(tp.mountain_direction_deg)

    # Terrain thresholds from the field's area quantiles over a uniform sample of the county.
    probe = _uniform_in(rng, outline, path, 6000)
    fprobe = _terrain_field(probe, seat, radius, mdir, rivers, corridor_lines, bumps)
    q_plain = np.quantile(fprobe, tp.plain_share) if tp.plain_share > 0 else -np.inf
    q_mount = np.quantile(fprobe, 1 - tp.mountain_share) if tp.mountain_share > 0 else np.inf

    def classify(points):
        f = _terrain_field(points, seat, radius, mdir, rivers, corridor_lines, bumps)
        t = np.full(len(points), Terrain.HILL, dtype=np.int8)
        t[f <= q_plain] = Terrain.PLAIN
        t[f >= q_mount] = Terrain.MOUNTAIN
        return t

    dens_of = np.array([tp.density_plain, 1.0, tp.density_mountain])
    cand = _uniform_in(rng, outline, path, max(8 * n, 200))
    cand_t = classify(cand)
    xy = _place_villages(rng, cand, dens_of[cand_t], n, cp.area_km2)
    # The county seat is a village exactly at the seat point (the county town's own village).
    i_seat = int(np.argmin(((xy - seat) ** 2).sum(axis=1)))
    xy[i_seat] = seat
    terrain = classify(xy)

    territories, area, pairs = voronoi_territories(xy, outline)
    pairs = _connect(xy, pairs)
    corridor = np.zeros(n, dtype=bool)
    for line in corridor_lines:
        corridor |= point_to_polyline_distance(xy, line) <= cp.corridor_width_km
    corridor[i_seat] = cp.corridors > 0

    ea, eb = pairs[:, 0], pairs[:, 1]
    length = np.hypot(*(xy[ea] - xy[eb]).T)
    trunk = _trunk_edges(xy, ea, eb, length, corridor_lines, cp.corridor_width_km, i_seat)
    minutes = road_minutes(
        length,
        terrain[ea],
        terrain[eb],
        trunk,
        trunk_kmh=rp.trunk_kmh,
        terrain_kmh=(rp.plain_kmh, rp.hill_kmh, rp.mountain_kmh),
        detour=rp.detour,
    )

    pop_of = np.array([tp.pop_plain, 1.0, tp.pop_mountain])
    w = rng.lognormal(0.0, cp.village_pop_sigma, n) * pop_of[terrain]
    population = largest_remainder(w, cp.population)
    households = np.maximum(1, np.round(population / cp.household_size)).astype(np.int64)
    households[population == 0] = 0
    groups = np.maximum(1, np.round(households / cp.group_households)).astype(np.int64)

    county = County(
        village_id=np.arange(n, dtype=np.int64),
        village_name=make_names(n, rng),
        township=np.zeros(n, dtype=np.int64),
        x=xy[:, 0].copy(),
        y=xy[:, 1].copy(),
        population=population,
        households=households,
        groups=groups,
        area=area,
        terrain=terrain,
        border=np.zeros(n, dtype=bool),
        heritage=np.zeros(n, dtype=bool),
        corridor=corridor,
        township_name=np.array([""], dtype=object),
        township_class=np.zeros(1, dtype=np.int8),
        township_seat=np.array([i_seat], dtype=np.int64),
        edge_a=ea.astype(np.int64),
        edge_b=eb.astype(np.int64),
        edge_minutes=minutes,
        edge_trunk=trunk,
        county_seat=i_seat,
        outline=outline,
        territories=territories,
        corridor_lines=corridor_lines,
        name=scenario.name or "synthetic",
        source="synthetic",
    )
    roads = county.road_matrix()
    township, seats = _grow_townships(roads, xy, n_town, i_seat, rng)
    county.township = township
    county.township_seat = seats
    county.township_name = county.village_name[seats].copy()
    _classify(county, scenario, rng, path)
    county.validate()
    return county


def _classify(county: County, scenario: Scenario, rng: np.random.Generator, path: Path) -> None:
    """Township classes, border villages and heritage units (step 8 of the recipe)."""
    cp, bp, hp = scenario.county, scenario.border, scenario.heritage
    n_town = county.n_townships
    cls = np.full(n_town, TownshipClass.ORDINARY, dtype=np.int8)
    cls[county.township[county.county_seat]] = TownshipClass.COUNTY_SEAT
    outline = county.outline
    ring = np.vstack([outline, outline[:1]])
    d_out = point_to_polyline_distance(county.xy, ring)
    spacing = np.sqrt(scenario.county.area_km2 / county.n_villages)
    edge_village = d_out <= 1.2 * spacing
    centre = outline.mean(axis=0)
    tx = np.bincount(county.township, weights=county.x) / np.bincount(county.township)
    ty = np.bincount(county.township, weights=county.y) / np.bincount(county.township)
    t_ang = np.arctan2(ty - centre[1], tx - centre[0])
    on_edge = np.bincount(county.township, weights=edge_village, minlength=n_town) > 0
    gap = np.abs(np.angle(np.exp(1j * (t_ang - np.deg2rad(bp.center_deg)))))
    cand = np.flatnonzero(on_edge & (cls == TownshipClass.ORDINARY))
    if bp.townships > len(cand):
        raise ScenarioError(
            f"value {bp.townships} exceeds the {len(cand)} townships on the outline",
            key="border.townships",
        )
    border_t = cand[np.argsort(gap[cand])[: bp.townships]]
    cls[border_t] = TownshipClass.BORDER
    in_border = np.isin(county.township, border_t)
    pool = np.flatnonzero(in_border)
    if bp.villages > len(pool):
        raise ScenarioError(
            f"value {bp.villages} exceeds the {len(pool)} villages of the border townships",
            key="border.villages",
        )
    county.border[pool[np.argsort(d_out[pool], kind="stable")[: bp.villages]]] = True

    pop_t = county.township_population()
    corr_t = np.bincount(county.township, weights=county.corridor, minlength=n_town) > 0
    cand = np.flatnonzero((cls == TownshipClass.ORDINARY) & corr_t)
    if len(cand) < cp.central_townships:  # too few on corridors: take the most populous others
        extra = np.flatnonzero((cls == TownshipClass.ORDINARY) & ~corr_t)
        cand = np.r_[cand, extra[np.argsort(-pop_t[extra])]]
        cand = cand[: max(cp.central_townships, 0)]
    cls[cand[np.argsort(-pop_t[cand], kind="stable")[: cp.central_townships]]] = (
        TownshipClass.CENTRAL
    )
    ordinary = np.flatnonzero(cls == TownshipClass.ORDINARY)
    if hp.townships:
        cls[rng.choice(ordinary, size=hp.townships, replace=False)] = TownshipClass.HERITAGE
    county.township_class = cls
    free = np.flatnonzero(
        ~county.border & ~np.isin(county.township, np.flatnonzero(cls == TownshipClass.HERITAGE))
    )
    if hp.villages > len(free):
        raise ScenarioError(
            f"value {hp.villages} exceeds the {len(free)} villages available",
            key="heritage.villages",
        )
    if hp.villages:
        county.heritage[rng.choice(free, size=hp.villages, replace=False)] = True
