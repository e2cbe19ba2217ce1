"""Hardship and grievance of each villager: the value function, perceived losses, memory.

**Form.** Epstein's (2002, PNAS 99 suppl. 3: 7243–7250) civil-violence model gives an agent a
grievance ``G = H (1 − L)`` — hardship ``H`` discounted by the perceived legitimacy ``L`` of the
authorities — and makes the agent act when ``G`` exceeds a threshold. Here legitimacy is the
villager's ``trust`` and grievance has memory: each week

    ``G ← clip((1 − δ) G + δ (1 − trust) H, 0, 1)``,   ``δ = 1 / memory_weeks``

(:func:`update_grievance`), so ``G`` is an exponentially weighted average of Epstein's
grievance (it equals ``H (1 − L)`` in a steady state and decays with time constant
``memory_weeks`` once the hardship is gone).

**Hardship** (:func:`total_hardship`) ``H ∈ [−1, 1]`` is built in two clipped steps:

1. the *standing* part: the **access accounts** (:mod:`~.accounts`: per service domain, the
   prospect value of the experienced cost against an adapting reference, summed over the
   domains) plus the merger's **standing losses** by cause — broken guarantees' mechanics and
   their **perceived** losses (:func:`perceived_loss`), pooled assets, lost voice, the lost
   township seat, a displaced cadre's own losses (:mod:`~.channels`, :mod:`~.cadre_villagers`)
   — clipped to [−1, 1];
2. plus **waiting** on an open petition (own, or a collective one the villager joined), more
   once it is past its statutory deadline (:func:`add_waiting`, for the few waiting rows);
   clipped again. A large gain thus offsets at most one unit of waiting.

Every loss is valued with the prospect-theory value function (Kahneman & Tversky 1979; Tversky
& Kahneman 1992, :func:`prospect_value`): ``v(x) = λ x^β`` for a loss and ``−(−x)^α`` for a
gain, so a loss raises grievance ``λ`` times as much as an equal gain lowers it.
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import GuaranteeParams
from mergesim.plans.roles import Role

#: The ten guarantees: (switch, perceived-loss parameter, who perceives it). Scopes: "merged" =
#: villages absorbed or absorbing in a merged village; "absorbed" = villages merged away;
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


def add_waiting(h: np.ndarray, rows: np.ndarray, waiting: np.ndarray) -> np.ndarray:
    """``h`` with the hardship of waiting added to ``rows``: ``clip(h + waiting, −1, 1)`` there
    (a copy; ``h`` itself when no row waits)."""
    if not len(rows):
        return h
    out = h.copy()
    out[rows] = np.clip(out[rows] + waiting, -1.0, 1.0)
    return out


def total_hardship(
    access: np.ndarray, standing: np.ndarray | float, waiting: np.ndarray | float = 0.0
) -> np.ndarray:
    """Weekly hardship ``H ∈ [−1, 1]``: ``clip(clip(access + standing, −1, 1) + waiting, −1, 1)``.

    The mechanism computes the same in pieces (:func:`standing_hardship`, then
    :func:`add_waiting` on the waiting rows only).

    Args:
        access: Access hardship (sum of the domain accounts' values).
        standing: The standing losses of the merger (sum over causes).
        waiting: Hardship of waiting on an open petition (0 for most villagers).
    """
    return np.clip(standing_hardship(access, standing) + waiting, -1.0, 1.0)


def standing_hardship(access: np.ndarray, standing: np.ndarray | float) -> np.ndarray:
    """The standing part of the hardship: ``clip(access + standing, −1, 1)`` (float32 in the
    model: the sum is done in the inputs' precision)."""
    out = np.add(access, standing)
    return np.clip(out, -1.0, 1.0, out=out)


def update_grievance(
    g: np.ndarray, trust: np.ndarray, h: np.ndarray, memory_weeks: float
) -> np.ndarray:
    """One week of memory: ``clip((1 − δ) g + δ (1 − trust) h, 0, 1)`` with ``δ = 1/memory``.

    Epstein's (2002) grievance ``H (1 − L)``, legitimacy ``L`` = trust, smoothed over time.
    Computed in the inputs' precision with two temporaries (the weekly hot path).
    """
    g, trust, h = np.asarray(g), np.asarray(trust), np.asarray(h)
    d = 1.0 / memory_weeks
    dt = np.result_type(g, trust, h)
    if not np.issubdtype(dt, np.floating):
        dt = np.dtype(float)
    out = np.subtract(dt.type(1.0), trust, dtype=dt)
    out *= h
    out *= dt.type(d)
    keep = np.multiply(g, dt.type(1.0 - d), dtype=dt)
    out += keep
    return np.clip(out, 0.0, 1.0, out=out)


def perceived_loss(
    p: GuaranteeParams,
    village_role: np.ndarray,
    township_role: np.ndarray,
    key_person: np.ndarray,
    poor: np.ndarray,
    broken: dict[str, bool] | None = None,
) -> np.ndarray:
    """Weekly perceived loss per villager from the broken guarantees (0 when all hold).

    The perceived part only — the broken promise itself; what a broken guarantee changes is
    carried by the mechanism that owns it (module docstring of
    :mod:`mergesim.mechanisms.grievance`).

    Args:
        p: The ``guarantees`` section.
        village_role: :class:`~mergesim.plans.roles.Role` of each villager's old village.
        township_role: Role of each villager's old township (same codes).
        key_person: Villager is a key person (bool).
        poor: Villager's household is poor (bool).
        broken: Switch name → broken in fact (overrides the switch when True, e.g.
            ``services_kept`` when the services mechanism finds services lowered).

    Returns:
        Sum of the perceived losses of the broken guarantees that concern each villager
        (float32; the hardship clips at 1).
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
    broken = broken or {}
    out = np.zeros(len(merged), dtype=np.float32)
    for switch, loss, scope in GUARANTEES:
        if not getattr(p, switch) or broken.get(switch, False):
            out[scopes[scope]] += np.float32(getattr(p, loss))
    return out


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
