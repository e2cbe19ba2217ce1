"""Access hardship from realised experience, kept in separate mental accounts per service domain.

**Accounts.** Thaler (1985, *Marketing Science* 4(3): 199–214; 1999, *J. Behav. Decis. Making*
12: 183–206): people evaluate outcomes per mental account, so a gain in one account does not
cancel a loss in another. Each service domain
(:class:`~mergesim.mechanisms.needs.ServiceDomain`) is an account; a villager's access hardship
is the weighted *sum of the accounts' prospect values* (:func:`segregated_value`), not the value
of the net change — a serious-care gain from the county hospital network cannot offset an
administrative loss.

**Experience, not expectation.** An account is kept per (domain, vehicle, village) *cell*:
villagers of a village share what their affairs cost (word of mouth in an acquaintance society),
and those without a vehicle travel differently. The experienced cost of one completed affair
(:func:`experienced_cost`, from ``model.services.done``) is its round-trip travel over all its
trips plus ``failed_trip_min`` per failed trip plus ``delay_min_per_day`` per day from the need
to the affair done. In the model a trip's travel is fixed by its route, so a cell's experienced
cost per affair is ``ĉ = e + κ``: the round trip of the routes in force ``e`` (per kind, mixed
by the cell's affairs) plus the *excess* its affairs realised — extra and failed trips, days to
done — an exponentially weighted mean over the cell's affairs (memory ``experience_weeks``).
A sampled population sees few affairs per cell, and the value function would read their noise
as loss (a loss weighs λ times an equal gain), so a cell's excess is shrunk toward the county's
excess of its domain and vehicle class by empirical Bayes (:func:`eb_shrink`; Morris 1983,
*JASA* 78: 47–55): by the share of the cell's sampling variance in its total variance, with the
between-village variance estimated from the data. A cell whose affairs differ from the county's
by more than their noise keeps its own excess; at a smaller ``villagers.scale`` cells have
fewer affairs and lean more on the county, so the sample's noise does not read as loss.

**Reference and adaptation.** At the reform the reference ``r`` of each cell is its
experienced cost before the reform. After the reform ``r`` moves ``1/adaptation_weeks`` of the
way to ``ĉ`` each week (hedonic adaptation, slow for travel: Stutzer & Frey 2008). The
account's value per affair is ``v((ĉ − r) / access_scale_min)`` with the Tversky & Kahneman
(1992) value function (:func:`~.hardship.prospect_value`, losses positive).

**Anticipation.** Right after the reform nobody has experienced the new configuration yet: the
new routes' travel is known from the announcements, and each cell's excess restarts from its
pre-reform excess with the weight of ``anticipation_weeks`` of the cell's expected affairs, which
realised affairs replace as they accumulate.

The petitions mechanism reads :attr:`AccessAccounts.gap` (``model.grievance.access_gap``): the
village's current valued loss per affair in each domain, ≥ 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mergesim.config.schema import GrievanceParams
from mergesim.mechanisms.grievance.hardship import prospect_value
from mergesim.mechanisms.needs import DOMAIN_OF_KIND, N_DOMAINS
from mergesim.mechanisms.services import Done

#: Vehicle classes of a cell: 0 = with a vehicle, 1 = without.
N_VEHICLE = 2


def domain_weights(rates: np.ndarray, kind_weights: np.ndarray) -> np.ndarray:
    """Weight of each domain's account per age group: ``ω[d, a]`` (columns sum to 1).

    ``ω[d, a] = Σ_{k ∈ d} w_k λ[k, a] / Σ_k w_k λ[k, a]``: the share of an age group's affairs
    in the domain, each kind counted ``kind_weights[k]`` times.
    """
    w = np.asarray(rates, dtype=float) * np.asarray(kind_weights, dtype=float)[:, None]
    out = np.zeros((N_DOMAINS, w.shape[1]))
    np.add.at(out, DOMAIN_OF_KIND[: w.shape[0]], w)
    tot = out.sum(axis=0)
    return out / np.where(tot > 0, tot, 1.0)


def segregated_value(x: np.ndarray, omega: np.ndarray, p: GrievanceParams) -> np.ndarray:
    """Access hardship from per-domain changes: ``Σ_d ω_d v(x_d / access_scale_min)``.

    Args:
        x: Extra experienced cost per affair in each domain (minutes; negative = a gain),
            shape ``(N_DOMAINS, ...)``.
        omega: Weight of each domain, broadcastable to ``x``.
        p: The ``grievance`` section (value function, ``access_scale_min``).
    """
    v = prospect_value(
        np.asarray(x, dtype=float) / p.access_scale_min,
        p.loss_aversion,
        p.gain_exponent,
        p.loss_exponent,
    )
    return (np.asarray(omega) * v).sum(axis=0)


def experienced_cost(done: Done, p: GrievanceParams) -> np.ndarray:
    """Cost of each completed affair in minutes of travel: travel over all trips, plus
    ``failed_trip_min`` per failed trip, plus ``delay_min_per_day`` per day from need to done.

    Failed trips are ``done.failed``, as the services mechanism records them (official absent,
    turned away, referred, documents missing).
    """
    failed = done.failed
    return (
        np.asarray(done.travel, dtype=np.float64)
        + p.failed_trip_min * np.asarray(failed, dtype=np.float64)
        + p.delay_min_per_day * np.asarray(done.days, dtype=np.float64)
    )


def cell_rates(
    rates: np.ndarray, age: np.ndarray, vehicle: np.ndarray, village: np.ndarray, n_villages: int
) -> np.ndarray:
    """Expected affairs per week of each kind and cell, shape ``(N_KINDS, 2, n_villages)``."""
    n_age = rates.shape[1]
    cell = (np.asarray(age, dtype=np.int64) * N_VEHICLE + ~np.asarray(vehicle, bool)) * n_villages
    counts = np.bincount(cell + village, minlength=n_age * N_VEHICLE * n_villages)
    counts = counts.reshape(n_age, N_VEHICLE, n_villages).astype(float)
    return np.einsum("ka,abv->kbv", np.asarray(rates, dtype=float), counts)


def domain_rates(kind_rates: np.ndarray) -> np.ndarray:
    """Expected affairs per week of each domain and cell from those of each kind."""
    out = np.zeros((N_DOMAINS,) + kind_rates.shape[1:])
    np.add.at(out, DOMAIN_OF_KIND[: kind_rates.shape[0]], kind_rates)
    return out


def expected_cost(minutes: np.ndarray, kind_rates: np.ndarray, no_vehicle_factor: float):
    """Expected round-trip travel per affair of each cell, shape ``(N_DOMAINS, 2, nv)``.

    Args:
        minutes: One-way vehicle minutes per kind and village, shape ``(N_KINDS, nv)``.
        kind_rates: Expected affairs per week per kind and cell (:func:`cell_rates`).
        no_vehicle_factor: Travel-time multiplier without a vehicle.
    """
    factor = np.array([1.0, no_vehicle_factor])[None, :, None]
    trip = 2.0 * np.asarray(minutes, dtype=float)[:, None, :] * factor  # (K, 2, nv)
    num = np.zeros((N_DOMAINS,) + trip.shape[1:])
    den = np.zeros_like(num)
    k = DOMAIN_OF_KIND[: trip.shape[0]]
    np.add.at(num, k, trip * kind_rates)
    np.add.at(den, k, kind_rates)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


@dataclass(eq=False)
class AccessAccounts:
    """The access accounts of every (domain, vehicle class, village) cell (module docstring).

    Attributes:
        n_villages: Number of (old) villages.
        rate: Expected affairs per week of each cell, ``(N_DOMAINS, 2, nv)``.
        rho: Weekly weight kept by earlier experience, ``exp(−1/experience_weeks)``.
        expected: Round trip per affair of each cell on the routes in force (minutes).
        s, s2, w: Exponentially weighted sums of excess cost, of its square and of affairs
            per cell.
        ref: Reference cost per affair of each cell (minutes; set at the reform).
        value: Current valued loss per affair of each cell (hardship units; 0 before the reform).
        started: The reform has set the references.
    """

    n_villages: int
    rate: np.ndarray
    rho: float
    expected: np.ndarray
    s: np.ndarray
    s2: np.ndarray
    w: np.ndarray
    ref: np.ndarray
    value: np.ndarray
    started: bool = False

    @classmethod
    def empty(cls, rate: np.ndarray, p: GrievanceParams) -> AccessAccounts:
        """Accounts with no experience yet; ``rate`` as :attr:`rate`."""
        z = np.zeros(rate.shape)
        return cls(
            n_villages=rate.shape[-1],
            rate=rate,
            rho=float(np.exp(-1.0 / p.experience_weeks)),
            expected=z.copy(),
            s=z.copy(),
            s2=z.copy(),
            w=z.copy(),
            ref=z.copy(),
            value=z.copy(),
        )

    def record(self, done: Done, cost: np.ndarray) -> None:
        """Age earlier experience by one week and add this week's affairs' excess cost over
        their cells' expected round trip (in place)."""
        self.s *= self.rho
        self.s2 *= self.rho
        self.w *= self.rho
        if not done.n:
            return
        nv = self.n_villages
        cell = (
            np.asarray(done.domain, dtype=np.int64) * N_VEHICLE + ~np.asarray(done.vehicle, bool)
        ) * nv + np.asarray(done.village, dtype=np.int64)
        size = self.s.size
        excess = cost - self.expected.ravel()[cell]
        shape = self.s.shape
        self.s += np.bincount(cell, weights=excess, minlength=size).reshape(shape)
        self.s2 += np.bincount(cell, weights=excess * excess, minlength=size).reshape(shape)
        self.w += np.bincount(cell, minlength=size).reshape(shape)

    def excess(self) -> np.ndarray:
        """``κ``: each cell's excess cost per affair, shrunk toward its domain and class's
        county excess by empirical Bayes (:func:`eb_shrink`)."""
        return eb_shrink(self.s, self.s2, self.w)

    def experienced(self) -> np.ndarray:
        """``ĉ = e + κ``: experienced cost per affair of each cell."""
        return self.expected + self.excess()

    def start(self, expected_before: np.ndarray, expected_now: np.ndarray, weeks: float) -> None:
        """Set the references at the reform and restart experience from the anticipation.

        Args:
            expected_before: Round trip per affair of each cell on the old routes.
            expected_now: The same on the routes in force after the reform.
            weeks: ``anticipation_weeks``: the prior's weight in weeks of expected affairs.
        """
        self.expected = expected_before
        kappa = self.excess()
        var = _within_variance(self.s, self.s2, self.w)
        self.ref = expected_before + kappa
        w0 = weeks * self.rate
        self.w = w0.copy()
        self.s = w0 * kappa
        self.s2 = w0 * (kappa * kappa + var)  # the prior's spread: the county's
        self.expected = expected_now
        self.started = True

    def update(self, p: GrievanceParams) -> np.ndarray:
        """Adapt the references one week and return the accounts' values (in place).

        Returns:
            :attr:`value`: ``v((ĉ − r) / access_scale_min)`` per cell (0 before the reform).
        """
        if not self.started:
            return self.value
        c = self.experienced()
        if p.adaptation_weeks > 0:
            self.ref += (c - self.ref) / p.adaptation_weeks
        self.value = prospect_value(
            (c - self.ref) / p.access_scale_min, p.loss_aversion, p.gain_exponent, p.loss_exponent
        )
        return self.value

    def gap(self) -> np.ndarray:
        """The village's valued loss per affair in each domain, ``(N_DOMAINS, nv)``, ≥ 0:
        the cells' values weighted by their expected affairs, gains counted as no loss."""
        r = self.rate.sum(axis=1)
        v = (self.value * self.rate).sum(axis=1) / np.where(r > 0, r, 1.0)
        return np.maximum(v, 0.0)

    def table(self, omega: np.ndarray) -> np.ndarray:
        """Access hardship of a villager of each (age, vehicle class, village), flattened
        as ``(age × 2 + class) × nv + village``: ``Σ_d ω[d, age] value[d, class, village]``."""
        return np.einsum("da,dbv->abv", omega, self.value).astype(np.float32).ravel()


def _within_variance(s: np.ndarray, s2: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Pooled within-cell variance of the excess per (domain, class), shape ``(D, 2, 1)``."""
    tot = w.sum(axis=-1, keepdims=True)
    ss = np.where(w > 0, s2 - s * s / np.where(w > 0, w, 1.0), 0.0).sum(axis=-1, keepdims=True)
    return np.maximum(ss, 0.0) / np.where(tot > 0, tot, 1.0)


def eb_shrink(s: np.ndarray, s2: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Empirical-Bayes means of cells, shrunk toward their group's mean (Morris 1983).

    Cells are the last axis; each leading index is a group (a domain and vehicle class). With
    ``n_c`` the weight of cell ``c``, ``m_c`` its mean, ``M`` the group's mean, ``σ²`` the
    pooled within-cell variance and ``τ²`` the between-cell variance of the true means
    (method of moments: the weighted spread of the cell means less what sampling explains,
    at least 0), a cell's estimate is ``M + (1 − B_c)(m_c − M)``, ``B_c = σ² / (σ² + n_c
    τ²)``. With ``τ² = 0`` every cell gets the group's mean; cells without weight always do.

    Args:
        s, s2, w: Weighted sums of the values, of their squares, and the weights per cell.
    """
    tot = w.sum(axis=-1, keepdims=True)
    big = np.where(tot > 0, tot, 1.0)
    mean = s.sum(axis=-1, keepdims=True) / big
    seen = w > 0
    m = np.where(seen, s / np.where(seen, w, 1.0), mean)
    var = _within_variance(s, s2, w)
    k = seen.sum(axis=-1, keepdims=True)
    spread = (w * (m - mean) ** 2).sum(axis=-1, keepdims=True)
    den = tot - (w * w).sum(axis=-1, keepdims=True) / big
    tau2 = np.maximum(spread - np.maximum(k - 1, 0) * var, 0.0) / np.where(den > 0, den, 1.0)
    b = np.where(seen, var / np.maximum(var + w * tau2, 1e-300), 1.0)
    b = np.where((var == 0) & (tau2 == 0), 1.0, b)
    return mean + (1.0 - b) * (m - mean)


def villager_cells(
    age: np.ndarray, vehicle: np.ndarray, village: np.ndarray, n_villages: int
) -> np.ndarray:
    """Each villager's index into :meth:`AccessAccounts.table` (int64)."""
    b = ~np.asarray(vehicle, bool)
    return (np.asarray(age, dtype=np.int64) * N_VEHICLE + b) * n_villages + np.asarray(village)


def domain_of_loss(
    omega: np.ndarray, value: np.ndarray, age: np.ndarray, vehicle: np.ndarray, village: np.ndarray
) -> np.ndarray:
    """The domain contributing most to each given villager's access hardship (int8)."""
    b = (~np.asarray(vehicle, bool)).astype(np.int64)
    contrib = omega[:, np.asarray(age, dtype=np.int64)] * value[:, b, np.asarray(village)]
    return np.argmax(contrib, axis=0).astype(np.int8)
