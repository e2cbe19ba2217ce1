"""The affair metrics from sums: served affairs added week by week, in memory that does not grow
with the villagers or the weeks.

A window's affair metrics pool every affair served in its weeks. Keeping the affairs themselves
costs about 33 bytes per affair — 12 M affairs (0.4 GB) for the seed county's run, 5 GB for a
county of 10 M villagers — so :class:`AffairPool` keeps what the formulas need instead: counts
and sums (overall, per need kind, per affair type, per village) and, for the 90th percentiles
and the Gini coefficient, the *distinct* travel times of each need kind with their counts
(travel times come from the routing tables, so their distinct values are bounded by the county,
not by the villagers). The metrics equal those of the pooled affairs up to floating-point
rounding (sums are added in another order); the percentile and the Gini are computed on the
counted values exactly as :func:`numpy.percentile` (linear) and the sorted-rank formula would.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from mergesim.config.schema import AFFAIR_NAMES
from mergesim.mechanisms.needs import NEED_NAMES, NeedKind
from mergesim.mechanisms.services import Done, PointKind
from mergesim.plans.roles import GROUPS

_N_KINDS = len(NeedKind)
_N_AFFAIRS = len(AFFAIR_NAMES)
#: Scalar sums kept by the pool.
_SCALARS = (
    "n",
    "travel",
    "trips",
    "one",
    "wait",
    "days",
    "adm",
    "adm_trips",
    "adm_one",
    "adm_in",
    "adm_days",
    "adm_failed",
    "agency",
    "agency_days",
    "adm_carried",
    "adm_county",
)
#: Per-village sums: all affairs (count, travel, one-trip) and administrative ones.
_VILLAGE = ("cnt", "tsum", "ocnt", "acnt", "asum", "aone", "adays", "ain")


def _mean(num: float, den: float) -> float:
    return float(num / den) if den > 0 else math.nan


def percentile_of_counts(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """``np.percentile(x, q)`` (linear interpolation) of the sample that holds each of the
    sorted distinct ``values`` ``counts`` times (NaN for an empty sample)."""
    n = int(counts.sum())
    if n == 0:
        return math.nan
    h = (n - 1) * (q / 100.0)
    lo = math.floor(h)
    cum = np.cumsum(counts)
    a, b = values[np.searchsorted(cum, [lo, min(lo + 1, n - 1)], side="right")]
    t = h - lo
    # numpy's lerp: from the nearer end, so that t = 1 gives b exactly.
    return float(b - (b - a) * (1.0 - t)) if t >= 0.5 else float(a + (b - a) * t)


def gini_of_counts(values: np.ndarray, counts: np.ndarray) -> float:
    """Gini coefficient of the sample that holds each of the sorted distinct non-negative
    ``values`` ``counts`` times (NaN for no values or a zero sum): ``2 Σ i x_(i) / (n Σ x) −
    (n + 1) / n``, the ranks of a value's copies summed in closed form."""
    c = counts.astype(float)
    n = c.sum()
    total = (values * c).sum()
    if n == 0 or total <= 0:
        return math.nan
    before = np.cumsum(c) - c  # copies of smaller values
    rank_sum = c * (2.0 * before + c + 1.0) / 2.0
    return float(2.0 * (values * rank_sum).sum() / (n * total) - (n + 1.0) / n)


class AffairPool:
    """Sums of served affairs, added with :meth:`add`; :meth:`metrics` gives the affair
    metrics of everything added (those of :data:`mergesim.metrics.METRICS` of family
    "affair")."""

    def __init__(self, n_villages: int):
        self.nv = n_villages
        self.s = dict.fromkeys(_SCALARS, 0.0)
        self.village = {k: np.zeros(n_villages) for k in _VILLAGE}
        self.kind_n = np.zeros(_N_KINDS)
        self.kind_travel = np.zeros(_N_KINDS)
        self.affair = {k: np.zeros(_N_AFFAIRS) for k in ("n", "one", "travel", "days")}
        # Distinct (kind, travel) pairs, as kind << 32 | float32 bits (non-negative floats
        # sort as their bits), and how many affairs had each.
        self.keys = np.zeros(0, dtype=np.uint64)
        self.counts = np.zeros(0, dtype=np.int64)

    def add(self, done: Done) -> AffairPool:
        """Add a set of served affairs (e.g. a week's); returns the pool."""
        s, nv = self.s, self.nv
        t = done.travel.astype(float)
        days = done.days.astype(float)
        adm = done.kind == NeedKind.ADMIN
        one = done.trips == 1
        agency = adm & (done.handler == PointKind.AGENCY)
        s["n"] += done.n
        s["travel"] += t.sum()
        s["trips"] += int(done.trips.sum())
        s["one"] += int(one.sum())
        s["wait"] += int(done.wait.sum())
        s["days"] += days.sum()
        s["adm"] += int(adm.sum())
        s["adm_trips"] += int(done.trips[adm].sum())
        s["adm_one"] += int((one & adm).sum())
        s["adm_in"] += int((done.in_village & adm).sum())
        s["adm_days"] += days[adm].sum()
        s["adm_failed"] += int(done.failed[adm].sum())
        s["agency"] += int(agency.sum())
        s["agency_days"] += days[agency].sum()
        s["adm_carried"] += int((adm & done.carried).sum())
        s["adm_county"] += int((adm & (done.handler == PointKind.COUNTY_CENTRE)).sum())
        kind = done.kind.astype(np.int64)
        self.kind_n += np.bincount(kind, minlength=_N_KINDS)[:_N_KINDS]
        self.kind_travel += np.bincount(kind, weights=t, minlength=_N_KINDS)[:_N_KINDS]
        a = done.affair[adm].astype(np.int64)
        self.affair["n"] += np.bincount(a, minlength=_N_AFFAIRS)
        self.affair["one"] += np.bincount(a, weights=one[adm], minlength=_N_AFFAIRS)
        self.affair["travel"] += np.bincount(a, weights=t[adm], minlength=_N_AFFAIRS)
        self.affair["days"] += np.bincount(a, weights=days[adm], minlength=_N_AFFAIRS)
        v, va = done.village, done.village[adm]
        pv = self.village
        pv["cnt"] += np.bincount(v, minlength=nv)
        pv["tsum"] += np.bincount(v, weights=t, minlength=nv)
        pv["ocnt"] += np.bincount(v[one], minlength=nv)
        pv["acnt"] += np.bincount(va, minlength=nv)
        pv["asum"] += np.bincount(va, weights=t[adm], minlength=nv)
        pv["aone"] += np.bincount(va, weights=one[adm], minlength=nv)
        pv["adays"] += np.bincount(va, weights=days[adm], minlength=nv)
        pv["ain"] += np.bincount(va, weights=done.in_village[adm], minlength=nv)
        bits = np.ascontiguousarray(done.travel, dtype=np.float32).view(np.uint32)
        key = (kind.astype(np.uint64) << np.uint64(32)) | bits.astype(np.uint64)
        key, cnt = np.unique(key, return_counts=True)
        if len(self.keys):
            key, inv = np.unique(np.concatenate([self.keys, key]), return_inverse=True)
            cnt = np.bincount(inv, weights=np.concatenate([self.counts, cnt])).astype(np.int64)
        self.keys, self.counts = key, cnt
        return self

    def _travel_values(self, kind: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Sorted distinct travel times (float64) and their counts, of one kind or all."""
        keys, counts = self.keys, self.counts
        if kind is not None:
            sel = (keys >> np.uint64(32)) == np.uint64(kind)
            keys, counts = keys[sel], counts[sel]
        bits = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        if kind is None:  # several kinds: merge equal travel times
            bits, inv = np.unique(bits, return_inverse=True)
            counts = np.bincount(inv, weights=counts).astype(np.int64)
        return bits.view(np.float32).astype(float), counts

    def metrics(
        self,
        village_pop: np.ndarray,
        masks: dict[str, np.ndarray],
        worst_decile: Callable[[np.ndarray, np.ndarray], float],
    ) -> dict[str, float]:
        """The affair metrics of everything added.

        Args:
            village_pop: Simulated villagers per village (weights of the worst deciles).
            masks: Village mask of each breakdown group.
            worst_decile: :func:`mergesim.metrics.formulas.worst_decile`.
        """
        s, pv, n, na = self.s, self.village, self.s["n"], self.s["adm"]
        out: dict[str, float] = {}
        vals, cnts = self._travel_values()
        out["travel_min_mean"] = _mean(s["travel"], n)
        out["travel_min_p90"] = percentile_of_counts(vals, cnts, 90)
        for k in NeedKind:
            name = NEED_NAMES[k]
            out[f"travel_min_mean_{name}"] = _mean(self.kind_travel[k], self.kind_n[k])
            out[f"travel_min_p90_{name}"] = percentile_of_counts(*self._travel_values(int(k)), 90)
        out["trips_mean"] = _mean(s["trips"], n)
        out["one_trip_share"] = _mean(s["one"], n)
        out["admin_trips_mean"] = _mean(s["adm_trips"], na)
        out["admin_one_trip_share"] = _mean(s["adm_one"], na)
        out["admin_in_village_share"] = _mean(s["adm_in"], na)
        out["wait_weeks_mean"] = _mean(s["wait"], n)  # whole weeks; days_mean is finer
        out["travel_gini"] = gini_of_counts(vals, cnts)
        cnt, tsum, acnt = pv["cnt"], pv["tsum"], pv["acnt"]
        with np.errstate(invalid="ignore", divide="ignore"):
            vmean = np.where(cnt > 0, tsum / np.maximum(cnt, 1), np.nan)
        out["travel_worst_decile_min"] = worst_decile(vmean, np.where(cnt > 0, village_pop, 0))
        for g, _ in GROUPS:
            m = masks[g]
            out[f"travel_min_mean_{g}"] = _mean(tsum[m].sum(), cnt[m].sum())
            out[f"admin_travel_min_mean_{g}"] = _mean(pv["asum"][m].sum(), acnt[m].sum())
            out[f"one_trip_share_{g}"] = _mean(pv["ocnt"][m].sum(), cnt[m].sum())
        out["days_mean"] = _mean(s["days"], n)
        out["admin_days_mean"] = _mean(s["adm_days"], na)
        out["admin_failed_trips_mean"] = _mean(s["adm_failed"], na)
        out["admin_agency_share"] = _mean(s["agency"], na)
        out["admin_carried_share"] = _mean(s["adm_carried"], na)
        out["admin_county_share"] = _mean(s["adm_county"], na)
        out["agency_days_mean"] = _mean(s["agency_days"], s["agency"])
        af = self.affair
        for a, name in enumerate(AFFAIR_NAMES):
            out[f"admin_one_trip_share_{name}"] = _mean(af["one"][a], af["n"][a])
            out[f"admin_travel_min_mean_{name}"] = _mean(af["travel"][a], af["n"][a])
            out[f"admin_days_mean_{name}"] = _mean(af["days"][a], af["n"][a])
        for g, _ in GROUPS:
            m = masks[g]
            k = acnt[m].sum()
            out[f"admin_one_trip_share_{g}"] = _mean(pv["aone"][m].sum(), k)
            out[f"admin_days_mean_{g}"] = _mean(pv["adays"][m].sum(), k)
            out[f"admin_in_village_share_{g}"] = _mean(pv["ain"][m].sum(), k)
        weight = np.where(acnt > 0, village_pop, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            for key, what in (
                ("admin_travel_worst_decile_min", "asum"),
                ("admin_days_worst_decile", "adays"),
            ):
                vmean = np.where(acnt > 0, pv[what] / np.maximum(acnt, 1), np.nan)
                out[key] = worst_decile(vmean, weight) if na else math.nan
        return out
