"""Hardship and grievance of each villager: the value of an access change, lost rights, memory.

**Form.** Epstein's (2002, PNAS 99 suppl. 3: 7243–7250) civil-violence model gives an agent a
grievance ``G = H (1 − L)`` — hardship ``H`` discounted by the perceived legitimacy ``L`` of the
authorities — and makes the agent act when ``G`` exceeds a threshold. Here legitimacy is the
villager's ``trust`` and grievance has memory: each week

    ``G ← clip((1 − δ) G + δ (1 − trust) H, 0, 1)``,   ``δ = 1 / memory_weeks``

(:func:`update_grievance`), so ``G`` is an exponentially weighted average of Epstein's
grievance (it equals ``H (1 − L)`` in a steady state and decays with time constant
``memory_weeks`` once the hardship is gone).

**Hardship** (:func:`hardship`) ``H ∈ [−1, 1]`` is built in two clipped steps:

1. the *standing* part (changes only when the routing or the guarantees do, so the mechanism
   caches it, :func:`base_hardship`): the **access change** valued against each villager's
   pre-reform reference with the prospect-theory value function (Kahneman & Tversky 1979;
   Tversky & Kahneman 1992, :func:`access_value`): with ``x`` the extra round-trip minutes per
   affair over ``access_scale_min``, ``v(x) = λ x^β`` for a loss and ``−(−x)^α`` for a gain, so
   a loss raises grievance ``λ`` times as much as an equal gain lowers it; plus the **lost
   rights** when a guarantee of the "five no's" / "five unchanged" is broken
   (:func:`rights_loss`; zero while they hold, as in the seed county); clipped to [−1, 1];
2. plus **waiting** on an open petition (own, or a collective one the villager joined), more
   once it is past its statutory deadline (:func:`add_waiting`, for the few waiting rows);
   clipped again. A large access gain thus offsets at most one unit of waiting.
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import GrievanceParams, GuaranteeParams
from mergesim.plans.roles import Role

#: The ten guarantees: (switch, loss parameter, who is affected). Scopes: "merged" = villages
#: absorbed or absorbing in a merged village; "absorbed" = villages merged away;
#: "abolished" = villages of townships merged away; "absorbed_or_abolished"; "key_merged" = key
#: persons of merged villages; "poor_merged" = poor households of merged villages.
GUARANTEES: tuple[tuple[str, str, str], ...] = (
    ("staffing_kept", "staffing_loss", "abolished"),
    ("transfers_kept", "transfers_loss", "merged"),
    ("infrastructure_kept", "infrastructure_loss", "absorbed_or_abolished"),
    ("services_kept", "services_loss", "abolished"),
    ("cadres_placed", "cadres_loss", "key_merged"),
    ("policies_kept", "policies_loss", "merged"),
    ("land_rights_kept", "land_rights_loss", "absorbed"),
    ("collective_kept", "collective_loss", "merged"),
    ("poverty_support_kept", "poverty_support_loss", "poor_merged"),
    ("transition_pay_kept", "transition_pay_loss", "key_merged"),
)


def prospect_value(x: np.ndarray, loss_aversion: float, alpha: float, beta: float) -> np.ndarray:
    """Disutility of a change ``x`` (positive = a loss, negative = a gain; in reference units).

    ``λ x^β`` for ``x > 0`` and ``−(−x)^α`` for ``x < 0`` — the Tversky & Kahneman (1992) value
    function with the sign flipped so that losses are positive hardship.
    """
    x = np.asarray(x, dtype=float)
    ax = np.abs(x)
    return np.where(x > 0, loss_aversion * ax**beta, -(ax**alpha))


def access_value(access_loss: np.ndarray, p: GrievanceParams) -> np.ndarray:
    """Valued access change per villager: :func:`prospect_value` of ``access_loss /
    access_scale_min`` with the section's ``loss_aversion``, ``gain_exponent`` (α) and
    ``loss_exponent`` (β), in the precision of ``access_loss`` (float32 in the model).

    Args:
        access_loss: Extra round-trip minutes per affair against the pre-reform reference
            (negative = a gain; :func:`access_loss_per_affair`).
        p: The ``grievance`` section.
    """
    x = np.asarray(access_loss)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(float)
    v = prospect_value(
        x / x.dtype.type(p.access_scale_min), p.loss_aversion, p.gain_exponent, p.loss_exponent
    )
    return v.astype(x.dtype)


def base_hardship(value: np.ndarray, rights: np.ndarray | float) -> np.ndarray:
    """The standing part of the hardship: ``clip(value + rights, −1, 1)``."""
    return np.clip(value + rights, -1.0, 1.0)


def add_waiting(h: np.ndarray, rows: np.ndarray, waiting: np.ndarray) -> np.ndarray:
    """``h`` with the hardship of waiting added to ``rows``: ``clip(h + waiting, −1, 1)`` there
    (a copy; ``h`` itself when no row waits)."""
    if not len(rows):
        return h
    out = h.copy()
    out[rows] = np.clip(out[rows] + waiting, -1.0, 1.0)
    return out


def hardship(
    access_loss: np.ndarray,
    p: GrievanceParams,
    rights: np.ndarray | float = 0.0,
    waiting: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Weekly hardship ``H ∈ [−1, 1]`` of each villager (see the module docstring):
    ``clip(clip(access_value + rights, −1, 1) + waiting, −1, 1)``.

    The mechanism computes the same in pieces (:func:`access_value` and :func:`base_hardship`
    cached, :func:`add_waiting` on the waiting rows only).

    Args:
        access_loss: Extra round-trip minutes per affair against the pre-reform reference
            (negative = a gain).
        p: The ``grievance`` section (value function and ``access_scale_min``).
        rights: Loss of rights from broken guarantees (0–1 scale, :func:`rights_loss`).
        waiting: Hardship of waiting on an open petition (0–1 scale; 0 for most villagers).
    """
    return np.clip(base_hardship(access_value(access_loss, p), rights) + waiting, -1.0, 1.0)


def update_grievance(
    g: np.ndarray, trust: np.ndarray, h: np.ndarray, memory_weeks: float
) -> np.ndarray:
    """One week of memory: ``clip((1 − δ) g + δ (1 − trust) h, 0, 1)`` with ``δ = 1/memory``.

    Epstein's (2002) grievance ``H (1 − L)``, legitimacy ``L`` = trust, smoothed over time.
    """
    d = 1.0 / memory_weeks
    out = (1.0 - d) * np.asarray(g) + d * (1.0 - np.asarray(trust)) * np.asarray(h)
    return np.clip(out, 0.0, 1.0)


def rights_loss(
    p: GuaranteeParams,
    village_role: np.ndarray,
    township_role: np.ndarray,
    key_person: np.ndarray,
    poor: np.ndarray,
) -> np.ndarray:
    """Weekly loss of rights per villager from the broken guarantees (0 when all hold).

    Args:
        p: The ``guarantees`` section.
        village_role: :class:`~mergesim.plans.roles.Role` of each villager's old village.
        township_role: Role of each villager's old township (same codes).
        key_person: Villager is a key person (bool).
        poor: Villager's household is poor (bool).

    Returns:
        Sum of the losses of the broken guarantees that concern each villager (float32; the
        hardship clips at 1).
    """
    merged = np.asarray(village_role) != Role.UNCHANGED
    absorbed = np.asarray(village_role) == Role.ABSORBED
    abolished = np.asarray(township_role) == Role.ABSORBED
    scopes = {
        "merged": merged,
        "absorbed": absorbed,
        "abolished": abolished,
        "absorbed_or_abolished": absorbed | abolished,
        "key_merged": merged & np.asarray(key_person, dtype=bool),
        "poor_merged": merged & np.asarray(poor, dtype=bool),
    }
    out = np.zeros(len(merged), dtype=np.float32)
    for switch, loss, scope in GUARANTEES:
        if not getattr(p, switch):
            out[scopes[scope]] += np.float32(getattr(p, loss))
    return out


def access_loss_per_affair(
    minutes_now: np.ndarray,
    minutes_ref: np.ndarray,
    rates: np.ndarray,
    kind_weights: np.ndarray,
    age: np.ndarray,
    village: np.ndarray,
    vehicle: np.ndarray,
    no_vehicle_factor: float,
) -> np.ndarray:
    """Extra round-trip minutes per affair against the pre-reform reference, per villager.

    Args:
        minutes_now, minutes_ref: One-way vehicle minutes per need kind and village now and
            before the reform, shape ``(N_KINDS, n_villages)``
            (:meth:`~mergesim.mechanisms.services.mechanism.Services.village_minutes`).
        rates: Need rates ``λ[kind, age]`` (needs per person per week).
        kind_weights: Weight per need kind on top of its rate.
        age, village, vehicle: Per villager.
        no_vehicle_factor: Travel-time multiplier without a vehicle.

    Returns:
        ``Σ_k w_k λ_ka 2 Δm_kv / Σ_k w_k λ_ka`` (× the no-vehicle factor), float32.
    """
    w = np.asarray(rates, dtype=float) * np.asarray(kind_weights, dtype=float)[:, None]
    den = w.sum(axis=0)  # per age
    delta = 2.0 * (np.asarray(minutes_now) - np.asarray(minutes_ref))  # (K, nv)
    per_age = (w.T @ delta) / np.where(den > 0, den, 1.0)[:, None]  # (3, nv)
    out = per_age[age, village] * np.where(vehicle, 1.0, no_vehicle_factor)
    return out.astype(np.float32)


def grievance_metrics(
    g: np.ndarray, threshold: np.ndarray, mask: np.ndarray | None = None
) -> dict[str, float]:
    """Mean grievance and the share of villagers above their threshold (optionally of a mask)."""
    g = np.asarray(g)
    t = np.asarray(threshold)
    if mask is not None:
        g, t = g[mask], t[mask]
    if len(g) == 0:
        return {"grievance_mean": float("nan"), "aggrieved_share": float("nan")}
    return {"grievance_mean": float(g.mean()), "aggrieved_share": float(np.mean(g > t))}
