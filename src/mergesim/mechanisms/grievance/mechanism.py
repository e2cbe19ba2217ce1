"""Grievance: villagers' reference-dependent hardship, its spread and relief, and who petitions.

DOMAIN.md §4 ("聚力稳控"). Vectorised over villagers: every weekly operation indexes arrays;
loops run only over the ten guarantees and the communication channels.

**Form.** Epstein's (2002, PNAS 99 suppl. 3: 7243–7250) civil-violence model gives an agent a
grievance ``G = H (1 − L)`` — hardship ``H`` discounted by the perceived legitimacy ``L`` of the
authorities — and makes the agent act when ``G`` exceeds a threshold. Here legitimacy is the
villager's ``trust`` and grievance has memory: each week

    ``G ← clip((1 − δ) G + δ (1 − trust) H, 0, 1)``,   ``δ = 1 / memory_weeks``,

so ``G`` is an exponentially weighted average of Epstein's grievance (it equals ``H (1 − L)`` in a
steady state and decays with time constant ``memory_weeks`` once the hardship is gone). The
weekly hardship ``H ∈ [−1, 1]`` adds

* **access loss**, valued against each villager's pre-reform reference with the prospect-theory
  value function (Kahneman & Tversky 1979; Tversky & Kahneman 1992): with ``x`` the extra
  round-trip minutes per affair over ``access_scale_min``, ``v(x) = λ x^β`` for a loss and
  ``−(−x)^α`` for a gain (``λ = 2.25``, ``α = β = 0.88``), so a loss raises grievance ``λ`` times
  as much as an equal gain lowers it;
* **lost rights** when a guarantee of the "five no's" / "five unchanged" is broken
  (:func:`rights_loss`; zero while they hold, as in the seed county);
* **waiting** on an open petition (own, or a collective one the villager joined), more once it is
  past its statutory deadline.

It **spreads** within a village (contagion: ``G ← G + κ (Ḡ_v − G)``, ``Ḡ_v`` the village mean
with key persons weighted ``key_person_influence``; DeGroot 1974), **falls** with communication
(one-to-one talks, courtyard meetings, broadcasts; each removes a share of the grievance of
those reached; a *risk watch* sends meetings and talks to the townships, villages and key persons
whose grievance rose most — the report's 5 key towns, 34 key villages, 10 key persons) and with a
resolved petition (``resolved_relief``); an unresolved one adds ``unresolved_jump`` and costs
trust.

**Petitions.** A villager whose grievance exceeds their threshold (heterogeneous, drawn by the
population mechanism after Granovetter 1978) files an individual petition with weekly
probability ``file_prob`` — at most one open petition per villager (a repeat or escalation of it
keeps it open), and not within ``cooldown_weeks`` of one that ended unresolved. A village files
a *collective* petition (Granovetter, 1978, *Am. J. Sociol.* 83: 1420–1443: collective action
when the share already mobilised exceeds a heterogeneous threshold) when the share of its
villagers above their thresholds exceeds the village's threshold ``θ_v`` (Beta across villages)
and at least ``collective_min_persons`` (scaled) are aggrieved, with weekly probability
``collective_file_prob``, one open collective petition per village. Background petitions about
matters unrelated to the reform arrive at ``background_rate`` per 10,000 a year (individual,
uniformly over villagers without an open petition) and ``background_collective_rate``.

**Inputs.** :meth:`GrievanceMechanism.step` reads ``model.access_loss`` if the model provides it
(float array per villager: extra round-trip minutes per affair against the pre-reform
reference; negative = a gain), else computes it from the services mechanism with
:func:`access_loss_per_affair`; and ``model.villagers`` (``village``, ``age``, ``vehicle``,
``key_person``, ``grievance``, ``trust``, ``threshold``), ``model.units`` (roles of the old
units), ``model.administrative_township()`` and ``model.petitions`` (the
:class:`~mergesim.mechanisms.petitions.loop.PetitionMechanism`, optional: without it no petitions are
filed). The pure functions below take these as arguments and are what the tests exercise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mergesim.config.schema import CommunicationParams, GrievanceParams, GuaranteeParams
from mergesim.mechanisms.base import Mechanism
from mergesim.mechanisms.petitions.loop import DAYS_PER_WEEK, DAYS_PER_YEAR, Kind, Outcome

if TYPE_CHECKING:  # pragma: no cover
    from mergesim.model.model import MergerModel

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

# Role codes of mergesim.plans.roles.Role (kept literal to avoid an import cycle).
_UNCHANGED, _ABSORBING, _ABSORBED = 0, 1, 2


# ---------------------------------------------------------------------------------------------
# Pure building blocks
# ---------------------------------------------------------------------------------------------


def prospect_value(x: np.ndarray, loss_aversion: float = 2.25, alpha: float = 0.88,
                   beta: float = 0.88) -> np.ndarray:
    """Disutility of a change ``x`` (positive = a loss, negative = a gain; in reference units).

    ``λ x^β`` for ``x > 0`` and ``−(−x)^α`` for ``x < 0`` — the Tversky & Kahneman (1992) value
    function with the sign flipped so that losses are positive hardship.
    """
    x = np.asarray(x, dtype=float)
    ax = np.abs(x)
    return np.where(x > 0, loss_aversion * ax**beta, -(ax**alpha))


def hardship(access_loss: np.ndarray, rights: np.ndarray | float = 0.0,
             waiting: np.ndarray | float = 0.0, *, access_scale_min: float = 30.0,
             loss_aversion: float = 2.25, alpha: float = 0.88,
             beta: float = 0.88) -> np.ndarray:
    """Weekly hardship ``H ∈ [−1, 1]`` of each villager.

    Args:
        access_loss: Extra round-trip minutes per affair against the pre-reform reference
            (negative = a gain).
        rights: Loss of rights from broken guarantees (0–1 scale, :func:`rights_loss`).
        waiting: Hardship of waiting on an open petition (0–1 scale).
        access_scale_min: Minutes per affair that count as a unit change.
        loss_aversion, alpha, beta: The value function (:func:`prospect_value`).
    """
    v = prospect_value(np.asarray(access_loss, dtype=float) / access_scale_min,
                       loss_aversion, alpha, beta)
    return np.clip(v + rights + waiting, -1.0, 1.0)


def update_grievance(g: np.ndarray, trust: np.ndarray, h: np.ndarray,
                     memory_weeks: float) -> np.ndarray:
    """One week of memory: ``clip((1 − δ) g + δ (1 − trust) h, 0, 1)`` with ``δ = 1/memory``.

    Epstein's (2002) grievance ``H (1 − L)``, legitimacy ``L`` = trust, smoothed over time.
    """
    d = 1.0 / memory_weeks
    out = (1.0 - d) * np.asarray(g) + d * (1.0 - np.asarray(trust)) * np.asarray(h)
    return np.clip(out, 0.0, 1.0)


def village_mean(x: np.ndarray, village: np.ndarray, n_villages: int,
                 weight: np.ndarray | None = None,
                 offsets: np.ndarray | None = None) -> np.ndarray:
    """(Weighted) mean of ``x`` per village (NaN for an empty village).

    With ``offsets`` (rows grouped by village, village ``v`` = rows ``offsets[v]:offsets[v+1]``,
    as in :class:`~mergesim.mechanisms.population.Villagers`) the sums are segment sums
    (``np.add.reduceat``), several times faster than ``bincount`` with weights.
    """
    x = np.asarray(x)
    wx = x if weight is None else x * weight
    if offsets is not None:
        sizes = np.diff(offsets)
        nz = np.flatnonzero(sizes > 0)
        # reduceat over the non-empty villages' starts: each segment runs to the next start.
        num = np.zeros(len(sizes))
        den = sizes.astype(float)
        if len(nz):
            starts = offsets[:-1][nz]
            num[nz] = np.add.reduceat(wx, starts, dtype=np.float64)
            if weight is not None:
                den = np.zeros(len(sizes))
                den[nz] = np.add.reduceat(np.asarray(weight), starts, dtype=np.float64)
    else:
        num = np.bincount(village, weights=wx, minlength=n_villages)
        den = (np.bincount(village, minlength=n_villages).astype(float) if weight is None
               else np.bincount(village, weights=weight, minlength=n_villages))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def contagion(g: np.ndarray, village: np.ndarray, n_villages: int, rate: float,
              weight: np.ndarray | None = None,
              offsets: np.ndarray | None = None) -> np.ndarray:
    """Move each grievance ``rate`` of the way toward its village's (weighted) mean.

    With equal weights the village mean is unchanged; key persons (larger ``weight``) pull the
    others toward their own grievance.
    """
    if rate <= 0:
        return np.array(g)
    g = np.asarray(g)
    m = village_mean(g, village, n_villages, weight, offsets).astype(g.dtype)
    # Rows grouped by village: spreading the means back is a repeat, cheaper than a gather.
    back = np.repeat(m, np.diff(offsets)) if offsets is not None else m[village]
    back -= g
    back *= g.dtype.type(rate)
    back += g
    return np.clip(back, 0.0, 1.0, out=back)


def rights_loss(p: GuaranteeParams, village_role: np.ndarray, township_role: np.ndarray,
                key_person: np.ndarray, poor: np.ndarray) -> np.ndarray:
    """Weekly loss of rights per villager from the broken guarantees (0 when all hold).

    Args:
        p: The ``guarantees`` section.
        village_role: Role of each villager's old village (``units.Role``: 0 unchanged,
            1 absorbing, 2 absorbed).
        township_role: Role of each villager's old township (same codes).
        key_person: Villager is a key person (bool).
        poor: Villager's household is poor (bool).

    Returns:
        Sum of the losses of the broken guarantees that concern each villager (float32; the
        hardship clips at 1).
    """
    merged = np.asarray(village_role) != _UNCHANGED
    absorbed = np.asarray(village_role) == _ABSORBED
    abolished = np.asarray(township_role) == _ABSORBED
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


def select_filers(g: np.ndarray, threshold: np.ndarray, eligible: np.ndarray,
                  u: np.ndarray, file_prob: float) -> np.ndarray:
    """Villagers who file an individual petition this week (bool).

    Epstein's activation rule ``G > T`` with Granovetter's heterogeneous thresholds, damped by a
    weekly filing probability (``u`` uniform per villager) and rate-limited by ``eligible``
    (no open petition, not in cool-down).
    """
    return eligible & (np.asarray(g) > np.asarray(threshold)) & (u < file_prob)


def collective_trigger(g: np.ndarray, threshold: np.ndarray, village: np.ndarray,
                       n_villages: int, theta: np.ndarray, can_file: np.ndarray,
                       u: np.ndarray, prob: float, min_persons: int = 1,
                       offsets: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Villages that file a collective petition this week (Granovetter 1978).

    Args:
        g, threshold, village: Per villager.
        n_villages: Number of villages.
        theta: Village threshold: the share of the village above their own thresholds needed.
        can_file: Per village: no collective petition open.
        u: Uniform per village.
        prob: Weekly probability for a village over its threshold.
        min_persons: Least aggrieved persons (simulated villagers) a collective petition needs.
        offsets: Row ranges per village when rows are grouped by village (faster).

    Returns:
        ``(villages, persons)``: the filing villages and their aggrieved villagers' counts.
    """
    above = np.asarray(g) > np.asarray(threshold)
    share = np.nan_to_num(village_mean(above, village, n_villages, offsets=offsets))
    if offsets is not None:
        n_v = np.diff(offsets)
    else:
        n_v = np.bincount(village, minlength=n_villages)
    k_v = np.rint(share * n_v)
    fire = can_file & (share > theta) & (k_v >= min_persons) & (u < prob)
    v = np.flatnonzero(fire)
    return v, k_v[v].astype(np.int64)


def top_k(score: np.ndarray, k: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first, in O(n) (``argpartition``).

    With ``rng``, ties break at random: the scores above the ``k``-th largest are all taken,
    and the rest are drawn without replacement from those equal to it — the same law as a
    random jitter, without drawing one number per score (most villagers tie at grievance 0).
    """
    s = np.asarray(score)
    n = len(s)
    k = int(min(max(k, 0), n))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if k < n:
        kth = s[np.argpartition(-s, k - 1)[k - 1]]
        above = np.flatnonzero(s > kth)
        tied = np.flatnonzero(s == kth)
        need = k - len(above)
        if rng is not None and len(tied) > need:
            tied = tied[np.sort(rng.choice(len(tied), size=need, replace=False))]
            rng.shuffle(tied)
        part = np.concatenate([above, tied[:need]])
    else:
        part = np.arange(n)
        if rng is not None:
            rng.shuffle(part)
    # Best first; among equal scores keep the (random) order chosen above.
    return part[np.argsort(-s[part], kind="stable")].astype(np.int64)


@dataclass(eq=False)
class Watch:
    """The risk watch: key townships, villages and persons (indices), best first."""

    towns: np.ndarray
    villages: np.ndarray
    persons: np.ndarray

    @classmethod
    def empty(cls) -> Watch:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z.copy(), z.copy())


def risk_watch(g: np.ndarray, village: np.ndarray, n_villages: int,
               township_of_village: np.ndarray, n_townships: int, key_person: np.ndarray,
               ref_village: np.ndarray, k_towns: int, k_villages: int, k_persons: int,
               rng: np.random.Generator | None = None,
               offsets: np.ndarray | None = None) -> Watch:
    """Rank the units and persons whose grievance rose most (the report's risk watch).

    Townships and villages are ranked by the rise of their mean grievance over ``ref_village``
    (the village means before the reform; townships' reference is the population-weighted mean
    of their villages'); persons by grievance, key persons first.
    """
    m = village_mean(g, village, n_villages, offsets=offsets)
    rise = np.nan_to_num(m - ref_village, nan=-np.inf)
    pop = np.bincount(village, minlength=n_villages).astype(float)
    tv = np.asarray(township_of_village, dtype=np.int64)
    num = np.bincount(tv, weights=pop * np.nan_to_num(m - ref_village), minlength=n_townships)
    den = np.bincount(tv, weights=pop, minlength=n_townships)
    t_rise = np.where(den > 0, num / np.maximum(den, 1e-12), -np.inf)
    # Key persons first (score g + 2 > any other's g ≤ 1): rank among them when they suffice.
    key = np.flatnonzero(np.asarray(key_person, dtype=bool))
    if len(key) >= k_persons:
        persons = key[top_k(np.asarray(g, dtype=np.float32)[key], k_persons, rng)]
    else:
        pscore = np.asarray(g, dtype=np.float32) + np.float32(2.0) * np.asarray(key_person, bool)
        persons = top_k(pscore, k_persons, rng)
    return Watch(towns=top_k(t_rise, k_towns, rng), villages=top_k(rise, k_villages, rng),
                 persons=persons)


def communication_reach(g: np.ndarray, village: np.ndarray, n_villages: int,
                        township_of_village: np.ndarray, watch: Watch, p: CommunicationParams,
                        effort: float, scale: float, rng: np.random.Generator,
                        offsets: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Who the week's broadcasts, courtyard meetings and one-to-one talks reach.

    Broadcasts reach each villager with probability ``broadcast_reach × effort``. Meetings:
    ``meetings_per_week × effort`` villages (stochastically rounded), each attended by
    ``meeting_turnout`` of its villagers; with risk targeting the watched villages come first,
    then villages of the watched townships, then the highest mean grievance; else at random.
    Talks: ``talks_per_week × effort × scale`` persons; with risk targeting the watched persons
    first, then the most aggrieved in watched villages and townships, then the most aggrieved;
    else at random.

    Returns:
        ``{"broadcast", "meeting", "talk"}``: bool per villager; ``"meeting_villages"``.
    """
    n = len(g)

    def sround(x: float) -> int:
        return int(np.floor(x) + (rng.random() < x - np.floor(x)))

    reached = rng.random(n, dtype=np.float32) < p.broadcast_reach * effort
    n_meet = min(sround(p.meetings_per_week * effort), n_villages)
    n_talk = min(sround(p.talks_per_week * effort * scale), n)
    risk = p.targeting == "risk"
    in_watch_town = np.zeros(n_villages, dtype=bool)
    if risk and len(watch.towns):
        in_watch_town = np.isin(township_of_village, watch.towns)
    if risk:
        vscore = np.nan_to_num(village_mean(g, village, n_villages, offsets=offsets), nan=-1.0)
        vscore = vscore + 1.0 * in_watch_town
        vscore[watch.villages] += 2.0
        meet_v = top_k(vscore, n_meet, rng)
    else:
        meet_v = rng.choice(n_villages, size=n_meet, replace=False).astype(np.int64)
    if offsets is not None:  # rows of the meeting villages, from their row ranges
        cand = _rows_of(offsets, meet_v)
    else:
        in_meet_v = np.zeros(n_villages, dtype=bool)
        in_meet_v[meet_v] = True
        cand = np.flatnonzero(in_meet_v[village])
    meeting = np.zeros(n, dtype=bool)
    meeting[cand[rng.random(len(cand), dtype=np.float32) < p.meeting_turnout]] = True
    talk = np.zeros(n, dtype=bool)
    if n_talk:
        if risk:
            watched_v = np.zeros(n_villages, dtype=bool)
            watched_v[watch.villages] = True
            talk[_top_talk(g, village, watched_v | in_watch_town, watch.persons, n_talk, rng,
                           offsets)] = True
        else:
            talk[rng.choice(n, size=n_talk, replace=False)] = True
    return {"broadcast": reached, "meeting": meeting, "talk": talk,
            "meeting_villages": meet_v}


def _rows_of(offsets: np.ndarray, villages: np.ndarray) -> np.ndarray:
    """Row indices of ``villages`` when rows are grouped by village (``offsets``)."""
    villages = np.asarray(villages, dtype=np.int64)
    if len(villages) == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = offsets[villages], offsets[villages + 1]
    size = hi - lo
    # Each village contributes lo, lo+1, ..., hi-1: a ramp restarted at each village.
    start = np.repeat(lo - np.concatenate([[0], np.cumsum(size)[:-1]]), size)
    return start + np.arange(int(size.sum()), dtype=np.int64)


def _top_talk(g: np.ndarray, village: np.ndarray, watched_v: np.ndarray, persons: np.ndarray,
              k: int, rng: np.random.Generator, offsets: np.ndarray | None) -> np.ndarray:
    """The ``k`` villagers with the largest score ``g + [village watched] + 2 [person
    watched]`` (ties at random), as :func:`top_k` over everyone would give them.

    Grievance is at most 1, so every score of at least 1 belongs to a watched person, a
    villager of a watched village or township, or a villager at grievance 1: when those are
    at least ``k``, the top ``k`` lie among them and only their scores are computed.
    """
    if offsets is not None:
        extra = np.unique(np.concatenate([persons, np.flatnonzero(g >= 1.0)]))
        extra = extra[~watched_v[village[extra]]]  # not already among the watched villages'
        rows = np.concatenate([_rows_of(offsets, np.flatnonzero(watched_v)), extra])
        if len(rows) >= k:
            mark = np.zeros(len(g), dtype=bool)  # calloc'd: cheap even for 800,000 rows
            mark[persons] = True
            sc = np.asarray(g[rows], dtype=np.float32) + watched_v[village[rows]]
            sc += np.float32(2.0) * mark[rows]
            return rows[top_k(sc, k, rng)]
    sc = np.asarray(g, dtype=np.float32) + watched_v[village]
    sc[persons] += np.float32(2.0)
    return top_k(sc, k, rng)


def communicate(g: np.ndarray, reach: dict[str, np.ndarray],
                p: CommunicationParams) -> np.ndarray:
    """Grievance after the week's communication: each channel that reaches a villager removes
    its share (``broadcast_effect``, ``meeting_effect``, ``talk_effect``)."""
    out = np.array(g)
    for key, effect in (("broadcast", p.broadcast_effect), ("meeting", p.meeting_effect),
                        ("talk", p.talk_effect)):
        # One masked pass per channel (no index arrays for the dense broadcast mask).
        np.multiply(out, out.dtype.type(1.0 - effect), out=out, where=reach[key])
    return out


def access_loss_per_affair(minutes_now: np.ndarray, minutes_ref: np.ndarray,
                           rates: np.ndarray, kind_weights: np.ndarray, age: np.ndarray,
                           village: np.ndarray, vehicle: np.ndarray,
                           no_vehicle_factor: float) -> np.ndarray:
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


def grievance_metrics(g: np.ndarray, threshold: np.ndarray,
                      mask: np.ndarray | None = None) -> dict[str, float]:
    """Mean grievance and the share of villagers above their threshold (optionally of a mask)."""
    g = np.asarray(g)
    t = np.asarray(threshold)
    if mask is not None:
        g, t = g[mask], t[mask]
    if len(g) == 0:
        return {"grievance_mean": float("nan"), "aggrieved_share": float("nan")}
    return {"grievance_mean": float(g.mean()), "aggrieved_share": float(np.mean(g > t))}


# ---------------------------------------------------------------------------------------------
# The mechanism
# ---------------------------------------------------------------------------------------------


class GrievanceMechanism(Mechanism):
    """Weekly grievance of every villager and the petitions it produces (module docstring).

    Runs after ``services`` (it reads this week's access) and before ``petitions`` (which
    processes the week's filings); it reads the petitions closed in the previous week.

    Attributes:
        open_pet: Open petition of each villager (record index, -1 if none; int64).
        cooldown_until: First week a villager may file again (int32).
        open_collective: Open collective petition of each village (-1 if none; int64).
        theta: Collective-action threshold of each village (share of its villagers).
        poor: Villager's household is poor (bool).
        rights: Weekly loss of rights per villager (float32; zero before the reform).
        access_loss: The access loss used this week (minutes per affair, float32).
        watch: The current :class:`Watch`.
        weekly: This week's counts and means.
    """

    name = "grievance"

    def setup(self, model: MergerModel) -> None:
        cfg = model.config
        self.p: GrievanceParams = cfg.grievance
        self.gp: GuaranteeParams = cfg.guarantees
        self.cp: CommunicationParams = cfg.communication
        # Sub-streams, so that communication, filing and background petitions never shift each
        # other's draws (common random numbers across scenarios).
        self._rng = model.streams.generator(self.name)
        self._rng_comm = model.streams.generator(self.name, 1)
        self._rng_file = model.streams.generator(self.name, 2)
        self._rng_bg = model.streams.generator(self.name, 3)
        v = model.villagers
        n, nv = v.n, model.county.n_villages
        self.n_villages = nv
        self.scale = n / max(int(model.county.population.sum()), 1)
        rng = self._rng
        m, s = self.p.collective_threshold_mean, self.p.collective_threshold_sd
        if s > 0:
            k = m * (1 - m) / (s * s) - 1.0
            self.theta = rng.beta(m * k, (1 - m) * k, size=nv)
        else:
            self.theta = np.full(nv, m)
        self.poor = (rng.random(v.n_households) < self.gp.poor_share)[v.household]
        self.open_pet = np.full(n, -1, dtype=np.int64)
        self.cooldown_until = np.zeros(n, dtype=np.int32)
        self.open_collective = np.full(nv, -1, dtype=np.int64)
        self.rights = np.zeros(n, dtype=np.float32)
        self.adapted = np.zeros(n, dtype=np.float32)
        self.access_loss = np.zeros(n, dtype=np.float32)
        self.ref_village = np.zeros(nv)
        self.watch = Watch.empty()
        self._kw = np.asarray(self.p.kind_weights, dtype=float)
        self._access_cache: tuple[Any, np.ndarray] | None = None
        self._value_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._base_cache: tuple[tuple[np.ndarray, np.ndarray], np.ndarray] | None = None
        self._influence = np.where(v.key_person, np.float32(self.p.key_person_influence),
                                   np.float32(1.0))
        self.reform_week = model.timeline.reform_week
        self.weekly: dict[str, Any] = {}

    # -- phases ---------------------------------------------------------------------------

    def on_phase(self, model: MergerModel, week: int) -> None:
        if week != self.reform_week:
            return
        v = model.villagers
        units = model.units
        self.rights = rights_loss(self.gp, units.village_role[v.village],
                                  units.township_role[model.county.township[v.village]],
                                  v.key_person, self.poor)
        self.ref_village = np.nan_to_num(village_mean(v.grievance, v.village, self.n_villages,
                                                      offsets=v.offsets))

    # -- inputs ---------------------------------------------------------------------------

    def current_access_loss(self, model: MergerModel) -> np.ndarray:
        """``model.access_loss`` if provided, else :func:`access_loss_per_affair` from the
        services mechanism's routing now and before the reform (cached per routing version)."""
        given = getattr(model, "access_loss", None)
        if given is not None:
            return np.asarray(given, dtype=np.float32)
        svc = getattr(model, "services", None)
        if svc is None or not hasattr(svc, "routing_pre"):
            return np.zeros(model.villagers.n, dtype=np.float32)
        key = getattr(svc, "routing_version", None)
        if self._access_cache is None or self._access_cache[0] != key:
            v = model.villagers
            loss = access_loss_per_affair(
                svc.village_minutes(svc.routing), svc.village_minutes(svc.routing_pre),
                model.needs.rates, self._kw, v.age, v.village, v.vehicle,
                model.config.villagers.no_vehicle_factor)
            self._access_cache = (key, loss)
        return self._access_cache[1]

    def effort(self, week: int) -> float:
        """Communication effort this week (1 = full campaign)."""
        if not self.cp.enabled:
            return 0.0
        if self.reform_week <= week < self.reform_week + self.cp.campaign_weeks:
            return 1.0
        return self.cp.routine_share

    # -- the week -------------------------------------------------------------------------

    def _apply_closures(self, model: MergerModel) -> None:
        pet = getattr(model, "petitions", None)
        if pet is None or not len(pet.loop.closed_last):
            return
        v, p, rec = model.villagers, self.p, pet.loop.rec
        c = pet.loop.closed_last
        outcome, child, kind = rec.outcome[c], rec.child[c], rec.kind[c]
        resolved = outcome == Outcome.RESOLVED
        g = v.grievance
        ind = kind == Kind.INDIVIDUAL
        # Individual petitions: the filer's pointer follows a repeat/escalation, else clears.
        f = rec.filer[c[ind]]
        self.open_pet[f] = child[ind]
        res_f = f[resolved[ind]]
        bad_f = f[~resolved[ind]]
        g[res_f] *= np.float32(1.0 - p.resolved_relief)
        v.trust[res_f] += np.float32(p.trust_gain) * (1 - v.trust[res_f])
        g[bad_f] = np.minimum(1.0, g[bad_f] + p.unresolved_jump)
        v.trust[bad_f] *= np.float32(1.0 - p.trust_loss)
        final_bad = f[(~resolved[ind]) & (child[ind] < 0)]
        self.cooldown_until[final_bad] = model.week + p.cooldown_weeks
        # Collective petitions: the village's aggrieved share the outcome.
        col = ~ind
        if col.any():
            vil = rec.village[c[col]]
            self.open_collective[vil] = child[col]
            # The aggrieved of those villages only (rows from the villages' row ranges).
            good = _rows_of(v.offsets, np.unique(vil[resolved[col]]))
            bad = _rows_of(v.offsets, np.unique(vil[~resolved[col]]))
            rg = good[g[good] > v.threshold[good]]
            rb = bad[g[bad] > v.threshold[bad]]
            g[rg] *= np.float32(1.0 - p.resolved_relief)
            v.trust[rg] += np.float32(p.trust_gain) * (1 - v.trust[rg])
            g[rb] = np.minimum(1.0, g[rb] + p.unresolved_jump)
            v.trust[rb] *= np.float32(1.0 - p.trust_loss)

    def _waiting(self, model: MergerModel) -> tuple[np.ndarray, np.ndarray]:
        """Hardship of waiting on an open petition, sparse: ``(rows, hardship)``.

        Own individual petitions, and collective ones of the villager's village that the
        villager joined (above their threshold); the larger counts where both apply. Only a
        few thousand villagers wait at a time, so the result is kept sparse.
        """
        pet = getattr(model, "petitions", None)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        if pet is None:
            return empty
        p, v = self.p, model.villagers
        t = pet.loop.clock
        rec = pet.loop.rec

        def level(idx: np.ndarray) -> np.ndarray:
            late = pet.loop.open_overdue(idx, t)
            return np.where(rec.filed[idx] < t, np.where(late, p.overdue_hardship,
                                                         p.wait_hardship), 0.0)

        who = np.flatnonzero(self.open_pet >= 0)
        w_who = level(self.open_pet[who]) if len(who) else np.zeros(0)
        vil = np.flatnonzero(self.open_collective >= 0)
        if len(vil):
            # Only the rows of the villages with an open collective petition (a few villages).
            rows = _rows_of(v.offsets, vil)
            w = np.repeat(level(self.open_collective[vil]), np.diff(v.offsets)[vil])
            joined = v.grievance[rows] > v.threshold[rows]
            who = np.concatenate([who, rows[joined]])
            w_who = np.concatenate([w_who, w[joined]])
        if not len(who):
            return empty
        # Largest hardship per villager (a filer may also have joined a collective petition).
        order = np.lexsort((-w_who, who))
        who, w_who = who[order], w_who[order]
        first = np.r_[True, who[1:] != who[:-1]]
        return who[first], w_who[first].astype(np.float32)

    def step(self, model: MergerModel) -> None:
        v, p, cp, rng = model.villagers, self.p, self.cp, self._rng_comm
        week = model.week
        n, nv = v.n, self.n_villages
        self._apply_closures(model)

        loss = self.current_access_loss(model)
        if p.adaptation_weeks > 0:
            self.adapted += (loss - self.adapted) / np.float32(p.adaptation_weeks)
            loss = loss - self.adapted
        self.access_loss = loss
        # The valued access change only moves when the routing (or the reference) does.
        if self._value_cache is None or self._value_cache[0] is not loss:
            val = prospect_value(loss / np.float32(p.access_scale_min), p.loss_aversion,
                                 p.gain_exponent, p.loss_exponent).astype(np.float32)
            self._value_cache = (loss, val)
        # Hardship = valued access change + lost rights (both change only at phase changes:
        # cached, clipped) + waiting on a petition (sparse: added to the waiting rows only).
        key = (self._value_cache[1], self.rights)
        if self._base_cache is None or any(a is not b for a, b in
                                           zip(self._base_cache[0], key, strict=True)):
            self._base_cache = (key, np.clip(key[0] + key[1], -1.0, 1.0))
        h = self._base_cache[1]
        rows, w = self._waiting(model)
        if len(rows):
            h = h.copy()
            h[rows] = np.clip(h[rows] + w, -1.0, 1.0)
        g = update_grievance(v.grievance, v.trust, h, p.memory_weeks)

        # Communication and the risk watch.
        tov = np.asarray(model.administrative_township(), dtype=np.int64)
        n_t = int(tov.max()) + 1 if len(tov) else 0
        eff = self.effort(week)
        # Re-rank every watch_update_weeks, and at the reform (the townships change).
        update = week % cp.watch_update_weeks == 0 or week == self.reform_week
        if cp.targeting == "risk" and update:
            k_p = int(round(cp.watch_persons * self.scale))
            k_p = max(k_p, 1) if cp.watch_persons else 0
            self.watch = risk_watch(g, v.village, nv, tov, n_t, v.key_person, self.ref_village,
                                    cp.watch_towns, cp.watch_villages, k_p, rng, v.offsets)
        reach = {"broadcast": np.zeros(n, bool), "meeting": np.zeros(n, bool),
                 "talk": np.zeros(n, bool), "meeting_villages": np.zeros(0, np.int64)}
        if eff > 0:
            reach = communication_reach(g, v.village, nv, tov, self.watch, cp, eff, self.scale,
                                        rng, v.offsets)
            g = communicate(g, reach, cp)

        g = contagion(g, v.village, nv, p.contagion, self._influence, v.offsets)
        v.grievance[:] = g

        filed_ind = filed_col = 0
        pet = getattr(model, "petitions", None)
        if pet is not None:
            filed_ind, filed_col = self._file(model, pet, week)
        gm = grievance_metrics(v.grievance, v.threshold)
        self.weekly = {
            **gm,
            "filed_individual": filed_ind, "filed_collective": filed_col,
            "talks": int(reach["talk"].sum()), "meeting_villages": len(reach["meeting_villages"]),
            "broadcast_reached": int(reach["broadcast"].sum()), "effort": eff,
            "access_loss_mean": float(np.mean(loss)) if n else float("nan"),
        }

    def _file(self, model: MergerModel, pet: Any, week: int) -> tuple[int, int]:
        v, p = model.villagers, self.p
        n, nv = v.n, self.n_villages
        t0 = week * DAYS_PER_WEEK
        rf, rb = self._rng_file, self._rng_bg

        def eligible(rows: np.ndarray) -> np.ndarray:  # no open petition, not cooling down
            return (self.open_pet[rows] < 0) & (self.cooldown_until[rows] <= week)

        # Background filings first, from their own stream and in a number that does not depend
        # on the state, so that every scenario sharing a seed draws the same ones.
        lam = p.background_rate * n / 10_000.0 * DAYS_PER_WEEK / DAYS_PER_YEAR
        k = rb.poisson(lam) if n else 0
        bg, bg_t = rb.integers(0, max(n, 1), size=k), t0 + DAYS_PER_WEEK * rb.random(k)
        lam_c = p.background_collective_rate * n / 10_000.0 * DAYS_PER_WEEK / DAYS_PER_YEAR
        k = rb.poisson(lam_c) if n else 0
        bgv = v.village[rb.integers(0, max(n, 1), size=k)] if n else np.zeros(0, np.int64)
        bgv_t = t0 + DAYS_PER_WEEK * rb.random(k)
        # Threshold filings (Epstein's rule with Granovetter's heterogeneous thresholds).
        cand = np.flatnonzero(v.grievance > v.threshold)  # few: test eligibility on them only
        cand = cand[eligible(cand)]
        who = cand[select_filers(v.grievance[cand], v.threshold[cand], np.ones(len(cand), bool),
                                 rf.random(len(cand)), p.file_prob)]
        times = t0 + DAYS_PER_WEEK * rf.random(len(who))
        _, first = np.unique(bg, return_index=True)
        keep = np.zeros(len(bg), dtype=bool)
        keep[first] = True
        keep &= eligible(bg) & ~np.isin(bg, who)
        who = np.r_[who, bg[keep]].astype(np.int64)
        times = np.r_[times, bg_t[keep]]
        if len(who):
            idx = pet.file_petitions(model, times, v.village[who], filer=who,
                                     kind=Kind.INDIVIDUAL, size=1)
            self.open_pet[who] = idx
        # Collective petitions: Granovetter thresholds per village, plus background ones
        # (brought by the minimum group).
        min_p = max(1, int(np.ceil(p.collective_min_persons * self.scale - 1e-9)))
        can = self.open_collective < 0
        vil, size = collective_trigger(v.grievance, v.threshold, v.village, nv, self.theta,
                                       can, rf.random(nv), p.collective_file_prob, min_p,
                                       v.offsets)
        times_c = t0 + DAYS_PER_WEEK * rf.random(len(vil))
        _, first = np.unique(bgv, return_index=True)
        keep = np.zeros(len(bgv), dtype=bool)
        keep[first] = True
        keep &= can[bgv] & ~np.isin(bgv, vil)
        vil = np.r_[vil, bgv[keep]].astype(np.int64)
        size = np.r_[size, np.full(int(keep.sum()), min_p)].astype(np.int64)
        times_c = np.r_[times_c, bgv_t[keep]]
        if len(vil):
            idx = pet.file_petitions(model, times_c, vil, filer=-1, kind=Kind.COLLECTIVE,
                                     size=size)
            self.open_collective[vil] = idx
        return len(who), len(vil)


__all__ = [
    "GUARANTEES", "GrievanceMechanism", "Watch", "access_loss_per_affair", "collective_trigger",
    "communicate", "communication_reach", "contagion", "grievance_metrics", "hardship",
    "prospect_value", "rights_loss", "risk_watch", "select_filers", "top_k",
    "update_grievance", "village_mean",
]
