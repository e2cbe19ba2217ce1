"""The ``policy`` plan: the seed county's rules, by greedy agglomeration over adjacency.

Townships merge first, then villages inside each new township (docs/domain.md §2). Each stage is a
greedy agglomerative clustering over the unit adjacency graph (a lazy-deletion heap of candidate
pairs, merging the cheapest adjacent pair until the target count is reached):

    cost(A ∪ B) = (s_A + s_B) ** size_exponent / p_AB ** gradient_strength

where ``s`` is a unit's size in units of the mean unit before the merger (the average of its
population share and its area share) and ``p_AB`` is the pair's *merge propensity* — the
size-weighted mean of its members' propensities:

    p = terrain_pull[terrain] · (1 + corridor_pull · on_corridor)
        · (1 + seat_pull · (1 − minutes_to_seat / max_minutes))

A high propensity (near the seat, on corridors and plains) makes merging cheap, so large units
form there ("low density") and small ones survive in remote mountains ("high density"). The size
term stops any one unit growing without bound; if it dominated (large ``size_exponent``, small
``gradient_strength``) the gradient would invert, which :func:`~mergesim.plans.checks.check_plan`
detects. Exempt units (border, heritage) never merge. Merges are contiguous by construction:
only adjacent clusters are candidates.
"""

from __future__ import annotations

import heapq

import numpy as np

from mergesim.config.schema import PlanParams
from mergesim.county.county import County, TownshipClass
from mergesim.county.travel import travel_table
from mergesim.plans.plan import Plan, build_plan


def village_propensity(county: County, params: PlanParams) -> np.ndarray:
    """Merge propensity of each village (dimensionless, > 0); see the module docstring."""
    t = travel_table(county.road_matrix(), np.array([county.county_seat]))[0]
    t = np.where(np.isfinite(t), t, np.nanmax(t[np.isfinite(t)]))
    closeness = 1.0 - t / max(float(t.max()), 1e-9)
    terrain = np.asarray(params.terrain_pull, dtype=float)[county.terrain]
    return (
        terrain * (1 + params.corridor_pull * county.corridor) * (1 + params.seat_pull * closeness)
    )


def agglomerate(
    pairs: np.ndarray,
    size: np.ndarray,
    propensity: np.ndarray,
    frozen: np.ndarray,
    container: np.ndarray,
    target: int,
    *,
    size_exponent: float,
    gradient_strength: float,
    rng: np.random.Generator | None = None,
    noise: float = 0.0,
) -> tuple[np.ndarray, int]:
    """Greedy agglomerative merging of adjacent units down to ``target`` clusters.

    Args:
        pairs: Adjacent unit pairs, int array (k, 2).
        size: Unit sizes in mean-unit terms (dimensionless, > 0).
        propensity: Merge propensity per unit (> 0).
        frozen: Units that must not merge (exemptions).
        container: Units may only merge within the same container (e.g. new township).
        target: Desired number of clusters.
        size_exponent: Exponent on the combined size in the cost.
        gradient_strength: Exponent on the pair propensity in the cost.
        rng: Stream for the ensemble's random cost factors (None = deterministic).
        noise: Log-normal sigma of the random cost factor.

    Returns:
        ``(labels, n_clusters)``: cluster representative per unit, and the number reached
        (> target when the constraints stop merging early).
    """
    n = len(size)
    parent = np.arange(n)
    csize = size.astype(float).copy()
    cprop_w = (propensity * size).astype(float)  # size-weighted propensity sum
    version = np.zeros(n, dtype=np.int64)
    nbrs: list[set[int]] = [set() for _ in range(n)]
    for a, b in pairs:
        if a == b or frozen[a] or frozen[b] or container[a] != container[b]:
            continue
        nbrs[a].add(int(b))
        nbrs[b].add(int(a))

    def cost(a: int, b: int) -> float:
        s = csize[a] + csize[b]
        p = (cprop_w[a] + cprop_w[b]) / s
        c = s**size_exponent / p**gradient_strength
        if rng is not None and noise > 0:
            c *= float(np.exp(noise * rng.standard_normal()))
        return c

    heap = [(cost(a, b), a, b, 0, 0) for a in range(n) for b in nbrs[a] if a < b]
    heapq.heapify(heap)
    clusters = n
    while clusters > target and heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if parent[a] != a or parent[b] != b or version[a] != va or version[b] != vb:
            continue  # stale entry: one side merged since it was pushed
        # Merge b into a.
        parent[b] = a
        csize[a] += csize[b]
        cprop_w[a] += cprop_w[b]
        version[a] += 1
        nbrs[a] |= nbrs[b]
        nbrs[a] -= {a, b}
        for c in nbrs[b]:
            if c != a:
                nbrs[c].discard(b)
                nbrs[c].add(a)
        nbrs[b] = set()
        clusters -= 1
        for c in nbrs[a]:
            x, y = (a, c) if a < c else (c, a)
            heapq.heappush(heap, (cost(x, y), x, y, version[x], version[y]))
    # Resolve representatives (path compression).
    root = parent.copy()
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return root, clusters


def _sizes(pop: np.ndarray, area: np.ndarray) -> np.ndarray:
    return 0.5 * (pop / max(pop.mean(), 1e-9) + area / max(area.mean(), 1e-9)) + 1e-9


def merge_plan(
    county: County,
    params: PlanParams,
    *,
    method: str,
    exemptions: bool,
    gradient: bool,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> Plan:
    """Townships first, then villages within new townships (shared by policy/uniform/ensemble).

    Args:
        county: The county before the merger.
        params: The plan section of the scenario.
        method: Name recorded in the plan.
        exemptions: Honour ``keep_border_*`` and ``keep_heritage``.
        gradient: Use the merge propensity (False = every unit has propensity 1).
        rng: Random stream for ensemble noise (None = deterministic).
        seed: Seed recorded in the plan.
    """
    notes: list[str] = []
    n, t = county.n_villages, county.n_townships
    pv = village_propensity(county, params) if gradient else np.ones(n)
    g = params.gradient_strength if gradient else 0.0
    noise = params.ensemble_noise if rng is not None else 0.0

    # -- townships -------------------------------------------------------------------------
    tpop, tarea = county.township_population(), county.township_area()
    tprop = np.bincount(county.township, weights=pv * county.population, minlength=t) / (
        np.maximum(tpop, 1e-9)
    )
    tfrozen = np.zeros(t, dtype=bool)
    if exemptions:
        if params.keep_border_townships:
            tfrozen |= county.township_class == TownshipClass.BORDER
        if params.keep_heritage:
            tfrozen |= county.township_class == TownshipClass.HERITAGE
    t_target = max(1, round(t / params.township_factor))
    tadj = county.township_adjacency().tocoo()
    tpairs = np.column_stack([tadj.row, tadj.col])
    tlabel, t_reached = agglomerate(
        tpairs,
        _sizes(tpop, tarea),
        tprop,
        tfrozen,
        np.zeros(t, dtype=np.int64),
        t_target,
        size_exponent=params.size_exponent,
        gradient_strength=g,
        rng=rng,
        noise=noise,
    )
    if t_reached > t_target:
        notes.append(
            f"township target not reached: {t_reached} townships remain, target {t_target} "
            f"(exempt: {int(tfrozen.sum())}; no further adjacent merge is allowed)"
        )

    # -- villages within new townships ------------------------------------------------------
    vfrozen = np.zeros(n, dtype=bool)
    if exemptions:
        if params.keep_border_villages:
            vfrozen |= county.border
        if params.keep_heritage:
            vfrozen |= county.heritage
    v_target = max(1, round(n / params.target_factor))
    vpairs = np.column_stack([county.edge_a, county.edge_b])
    vlabel, v_reached = agglomerate(
        vpairs,
        _sizes(county.population.astype(float), county.area),
        pv,
        vfrozen,
        tlabel[county.township],
        v_target,
        size_exponent=params.size_exponent,
        gradient_strength=g,
        rng=rng,
        noise=noise,
    )
    if v_reached > v_target:
        notes.append(
            f"village target not reached: {v_reached} villages remain, target {v_target} "
            f"(exempt: {int(vfrozen.sum())})"
        )
    return build_plan(county, vlabel, tlabel, method=method, seed=seed, notes=notes)


def policy_plan(county: County, params: PlanParams) -> Plan:
    """The seed county's rules: exemptions honoured, density gradient on."""
    return merge_plan(county, params, method="policy", exemptions=True, gradient=True)


def none_plan(county: County) -> Plan:
    """The baseline: nothing merges."""
    return build_plan(
        county,
        np.arange(county.n_villages),
        np.arange(county.n_townships),
        method="none",
        seed=None,
    )
