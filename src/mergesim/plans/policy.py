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
from mergesim.plans import merge_kernel
from mergesim.plans.plan import Plan, build_plan
from mergesim.plans.tables import county_tables

#: How :func:`agglomerate` runs: the Python loop (the reference), compiled with Numba, or
#: compiled when Numba is installed.
ENGINES = ("python", "compiled", "auto")


def village_propensity(county: County, params: PlanParams) -> np.ndarray:
    """Merge propensity of each village (dimensionless, > 0); see the module docstring."""
    t = county_tables(county).seat_minutes
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
    engine: str = "python",
) -> tuple[np.ndarray, int]:
    """Greedy agglomerative merging of adjacent units down to ``target`` clusters.

    The loop below is the reference; :mod:`mergesim.plans.merge_kernel` runs the same loop
    compiled (Numba, extra ``fast``) and makes the same clusters.

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
        engine: ``"python"`` (the reference loop), ``"compiled"`` (needs Numba) or ``"auto"``
            (compiled when Numba is installed).

    Returns:
        ``(labels, n_clusters)``: cluster representative per unit, and the number reached
        (> target when the constraints stop merging early).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    n = len(size)
    pa, pb = np.asarray(pairs[:, 0]), np.asarray(pairs[:, 1])
    ok = (pa != pb) & ~frozen[pa] & ~frozen[pb] & (container[pa] == container[pb])
    if engine == "compiled" or (engine == "auto" and merge_kernel.available()):
        parent_arr, clusters = merge_kernel.agglomerate_compiled(
            n,
            pa[ok],
            pb[ok],
            size,
            propensity,
            target,
            size_exponent,
            gradient_strength,
            rng if noise > 0 else None,
            noise,
        )
        return _roots(parent_arr), clusters
    # Python lists and floats: the loop below touches one unit at a time, where list indexing
    # and float arithmetic are several times faster than NumPy scalars (same IEEE results).
    parent = list(range(n))
    csize = size.astype(float).tolist()
    cprop_w = (propensity * size).astype(float).tolist()  # size-weighted propensity sum
    version = [0] * n
    nbrs: list[set[int]] = [set() for _ in range(n)]
    for a, b in zip(pa[ok].tolist(), pb[ok].tolist(), strict=True):
        nbrs[a].add(b)
        nbrs[b].add(a)
    factors = _NoiseFactors(rng if noise > 0 else None, noise)
    e, g = float(size_exponent), float(gradient_strength)
    # The merge cost (module docstring), inlined in both loops below: it is most of the work.
    fac = factors.take(sum(len(x) for x in nbrs) // 2)
    heap = []
    i = 0
    for a in range(n):
        for b in nbrs[a]:
            if a < b:
                s = csize[a] + csize[b]
                heap.append((s**e / ((cprop_w[a] + cprop_w[b]) / s) ** g * fac[i], a, b, 0, 0))
                i += 1
    heapq.heapify(heap)
    clusters = n
    pop, push = heapq.heappop, heapq.heappush
    while clusters > target and heap:
        _, a, b, va, vb = pop(heap)
        if version[a] != va or version[b] != vb:
            continue  # stale entry: one side merged (or was merged away) since it was pushed
        # Merge b into a (b's version -1: every entry that names b is stale).
        parent[b] = a
        version[b] = -1
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
        na = nbrs[a]
        fac = factors.take(len(na))
        sa, wa, ver_a = csize[a], cprop_w[a], version[a]
        for i, c in enumerate(na):
            s = sa + csize[c]
            cst = s**e / ((wa + cprop_w[c]) / s) ** g * fac[i]
            if a < c:
                push(heap, (cst, a, c, ver_a, version[c]))
            else:
                push(heap, (cst, c, a, version[c], ver_a))
    factors.close()
    return _roots(np.array(parent, dtype=np.int64)), clusters


def _roots(parent: np.ndarray) -> np.ndarray:
    """Cluster representative of every unit (path compression of the merge tree)."""
    root = parent
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return root


class _NoiseFactors:
    """The ensemble's random cost factors ``exp(noise · z)``, z standard normal, handed out in
    order (:meth:`take`), drawn in blocks.

    The stream ends where one ``rng.standard_normal()`` per factor would have left it:
    :meth:`close` rewinds and draws exactly the factors used (the generator's block draws are
    the same numbers as its single draws), so a later stage draws what it always drew. Without
    ``rng`` every factor is 1.
    """

    BLOCK = 4096

    def __init__(self, rng: np.random.Generator | None, noise: float):
        self.rng, self.noise = rng, noise
        self.start = rng.bit_generator.state if rng is not None else None
        self.used = 0
        self.block: list[float] = []
        self.pos = 0

    def take(self, k: int) -> list[float]:
        """The next ``k`` factors."""
        if self.rng is None:
            return [1.0] * k
        if self.pos + k > len(self.block):
            more = max(self.BLOCK, k)
            fresh = np.exp(self.noise * self.rng.standard_normal(more)).tolist()
            self.block = self.block[self.pos :] + fresh
            self.pos = 0
        out = self.block[self.pos : self.pos + k]
        self.pos += k
        self.used += k
        return out

    def close(self) -> None:
        """Leave the generator where single draws of the used factors would have left it."""
        if self.rng is None:
            return
        self.rng.bit_generator.state = self.start
        self.rng.standard_normal(self.used)


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
    engine: str = "python",
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
        engine: How :func:`agglomerate` runs (the same plan either way).
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
    tables = county_tables(county)
    tlabel, t_reached = agglomerate(
        tables.township_pairs,
        _sizes(tpop, tarea),
        tprop,
        tfrozen,
        np.zeros(t, dtype=np.int64),
        t_target,
        size_exponent=params.size_exponent,
        gradient_strength=g,
        rng=rng,
        noise=noise,
        engine=engine,
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
    vlabel, v_reached = agglomerate(
        tables.village_pairs,
        _sizes(county.population.astype(float), county.area),
        pv,
        vfrozen,
        tlabel[county.township],
        v_target,
        size_exponent=params.size_exponent,
        gradient_strength=g,
        rng=rng,
        noise=noise,
        engine=engine,
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
