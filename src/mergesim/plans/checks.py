"""Plan checks and the plan summary.

:func:`check_plan` runs on every plan (``mergesim plan`` prints the result; tests assert it):
each old unit in exactly one new unit, population and area conserved, merged units contiguous,
exemptions honoured and — for the ``policy`` generator — the density gradient. :func:`summarize`
returns the summary dict written to ``plan_summary.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mergesim.county.county import County, Terrain, TownshipClass
from mergesim.plans.plan import Plan
from mergesim.plans.tables import components, county_tables


@dataclass(frozen=True)
class Check:
    """One plan check: its name, whether it passed, and a one-line detail."""

    name: str
    ok: bool
    detail: str


def units_contiguous(county: County, labels: np.ndarray) -> tuple[int, int]:
    """Count units whose members are not connected by roads inside the unit.

    Args:
        county: The county (its road edges define adjacency).
        labels: Dense new-unit label per old village (0..k-1).

    Returns:
        ``(n_units, n_split)``: number of units, and of units in more than one piece.
    """
    comp = components(county, labels[county.edge_a] == labels[county.edge_b])
    k = int(labels.max()) + 1
    # A unit is contiguous iff all its members share one component: count the distinct
    # (unit, component) pairs of each unit.
    pair = np.unique(labels.astype(np.int64) * county.n_villages + comp)
    pieces = np.bincount(pair // county.n_villages, minlength=k)
    return k, int((pieces > 1).sum())


def _members_per_new(labels: np.ndarray, mask: np.ndarray) -> float:
    """Old villages per distinct new village among the villages in ``mask``."""
    if not mask.any():
        return float("nan")
    return float(mask.sum() / np.count_nonzero(np.bincount(labels[mask])))


def gradient(county: County, plan: Plan) -> dict[str, float]:
    """Old villages per new village near vs far from the seat and on plains vs mountains.

    "Near" and "far" are the thirds of villages by road minutes to the county seat.
    """
    tables = county_tables(county)
    v = plan.village_to_new
    return {
        "villages_per_new_near_seat": _members_per_new(v, tables.near_seat),
        "villages_per_new_far": _members_per_new(v, tables.far_from_seat),
        "villages_per_new_plain": _members_per_new(v, county.terrain == Terrain.PLAIN),
        "villages_per_new_mountain": _members_per_new(v, county.terrain == Terrain.MOUNTAIN),
    }


def check_plan(
    county: County,
    plan: Plan,
    *,
    expect_gradient: bool = False,
    keep_border: bool = False,
    keep_heritage: bool = False,
) -> list[Check]:
    """Run every plan check.

    Args:
        county: The county before the merger.
        plan: The plan to check.
        expect_gradient: Check the policy density gradient.
        keep_border: Check that border townships and villages are kept whole.
        keep_heritage: Check that heritage townships and villages are kept.

    Returns:
        One :class:`Check` per rule, in a fixed order.
    """
    out: list[Check] = []
    n, t = county.n_villages, county.n_townships
    v2n, t2n = plan.village_to_new, plan.township_to_new
    ok = v2n.shape == (n,) and t2n.shape == (t,) and v2n.min() >= 0 and t2n.min() >= 0
    ok = ok and _labels_are(v2n, plan.n_new_villages) and _labels_are(t2n, plan.n_new_townships)
    out.append(
        Check(
            "partition",
            bool(ok),
            f"{n} villages -> {plan.n_new_villages}, {t} townships -> {plan.n_new_townships}",
        )
    )
    # A new village must lie in one new township.
    vt = t2n[county.township]
    nested = len(np.unique(v2n.astype(np.int64) * (int(vt.max()) + 1) + vt)) == plan.n_new_villages
    out.append(
        Check(
            "villages nested in townships",
            bool(nested),
            "each new village lies within one new township",
        )
    )
    pop_after = np.bincount(v2n, weights=county.population).sum()
    area_after = np.bincount(v2n, weights=county.area).sum()
    cons = np.isclose(pop_after, county.population.sum()) and np.isclose(
        area_after, county.area.sum()
    )
    out.append(
        Check(
            "conservation",
            bool(cons),
            f"population {county.population.sum():,} -> {pop_after:,.0f}; area "
            f"{county.area.sum():.1f} -> {area_after:.1f} km²",
        )
    )
    kv, sv = units_contiguous(county, v2n)
    kt, st = units_contiguous(county, vt)
    out.append(
        Check(
            "contiguity",
            sv == 0 and st == 0,
            f"{sv} of {kv} villages and {st} of {kt} townships in several pieces",
        )
    )
    if keep_border:
        out.append(_kept("border kept", county, plan, TownshipClass.BORDER, county.border))
    if keep_heritage:
        out.append(_kept("heritage kept", county, plan, TownshipClass.HERITAGE, county.heritage))
    if expect_gradient:
        g = gradient(county, plan)
        near, far = g["villages_per_new_near_seat"], g["villages_per_new_far"]
        pl, mo = g["villages_per_new_plain"], g["villages_per_new_mountain"]
        ok = near > far and (np.isnan(mo) or np.isnan(pl) or pl > mo)
        out.append(
            Check(
                "density gradient",
                bool(ok),
                f"old villages per new village: near seat {near:.2f} vs far {far:.2f}; "
                f"plain {_terrain_ratio(pl)} vs mountain {_terrain_ratio(mo)}",
            )
        )
    return out


def _labels_are(labels: np.ndarray, k: int) -> bool:
    """Whether the distinct ``labels`` (integers >= 0) are exactly ``0 .. k-1``."""
    return int(labels.max()) == k - 1 and bool(np.bincount(labels, minlength=k).all())


def _terrain_ratio(x: float) -> str:
    """A ratio for a check's detail; undefined (no village of that terrain) in words."""
    return "n/a (no such villages)" if np.isnan(x) else f"{x:.2f}"


def _kept(name: str, county: County, plan: Plan, cls: TownshipClass, villages: np.ndarray) -> Check:
    """Townships of class ``cls`` and the flagged villages are each a new unit on their own."""
    t2n, v2n = plan.township_to_new, plan.village_to_new
    ts = np.flatnonzero(county.township_class == cls)
    whole = np.bincount(t2n, minlength=plan.n_new_townships)[t2n[ts]] == 1
    vs = np.flatnonzero(villages)
    alone = np.bincount(v2n, minlength=plan.n_new_villages)[v2n[vs]] == 1
    label = name.split()[0]
    return Check(
        name,
        bool(whole.all() and alone.all()),
        f"{int(whole.sum())}/{len(ts)} {label} townships, {int(alone.sum())}/{len(vs)} "
        f"{label} villages kept",
    )


def level_warnings(county: County, plan: Plan) -> list[str]:
    """Warnings when half of the study does nothing: a county of one township, or a plan (other
    than ``none``) that leaves the township level unchanged."""
    out = []
    if county.n_townships == 1:
        out.append(
            f"county '{county.name}' has one township: no township can merge; give the data "
            "a township column, or leave it out and set [county] townships to have mergesim "
            "make them"
        )
    elif plan.method != "none" and plan.n_new_townships == county.n_townships:
        out.append(
            f"the '{plan.method}' plan leaves the township level unchanged ({county.n_townships} "
            "townships before and after): only villages merge"
        )
    return out


def summarize(county: County, plan: Plan) -> dict:
    """The plan summary written to ``plan_summary.json``.

    Keys (counts are units; ratios are mean after / mean before, dimensionless):
    townships_before/after/abolished, villages_before/after, merged_villages (new villages made
    of ≥ 2 old ones), villages_merged_away (old villages that lost their status, i.e. members of
    a merged village that are not its seat), border_townships_kept, border_villages_kept,
    heritage_kept (heritage townships + villages kept whole), the four ratios, the gradient
    figures, seed, method and notes.
    """
    n, t = county.n_villages, county.n_townships
    nv, nt = plan.n_new_villages, plan.n_new_townships
    vsize = np.bincount(plan.village_to_new, minlength=nv)
    tsize = np.bincount(plan.township_to_new, minlength=nt)
    bt = np.flatnonzero(county.township_class == TownshipClass.BORDER)
    ht = np.flatnonzero(county.township_class == TownshipClass.HERITAGE)
    bv = np.flatnonzero(county.border)
    hv = np.flatnonzero(county.heritage)
    out = {
        "method": plan.method,
        "seed": plan.seed,
        "townships_before": t,
        "townships_after": nt,
        "townships_abolished": t - nt,
        "villages_before": n,
        "villages_after": nv,
        "merged_villages": int((vsize >= 2).sum()),
        "villages_merged_away": n - nv,
        "border_townships": len(bt),
        "border_townships_kept": int((tsize[plan.township_to_new[bt]] == 1).sum()),
        "border_villages": len(bv),
        "border_villages_kept": int((vsize[plan.village_to_new[bv]] == 1).sum()),
        "heritage_units": len(ht) + len(hv),
        "heritage_kept": int(
            (tsize[plan.township_to_new[ht]] == 1).sum()
            + (vsize[plan.village_to_new[hv]] == 1).sum()
        ),
        # Totals are conserved, so mean after / mean before = count before / count after.
        "village_pop_ratio": _ratio(county.population, plan.village_to_new, n, nv),
        "village_area_ratio": _ratio(county.area, plan.village_to_new, n, nv),
        "township_pop_ratio": _ratio(county.township_population(), plan.township_to_new, t, nt),
        "township_area_ratio": _ratio(county.township_area(), plan.township_to_new, t, nt),
    }
    out.update({k: round(v, 3) for k, v in gradient(county, plan).items()})
    out["notes"] = [*plan.notes, *level_warnings(county, plan)]
    return out


def _ratio(values: np.ndarray, labels: np.ndarray, n_before: int, n_after: int) -> float:
    after = np.bincount(labels, weights=values.astype(float), minlength=n_after)
    before_mean = values.sum() / n_before
    return round(float(after.mean() / before_mean), 4) if before_mean > 0 else float("nan")
