"""Communication and the risk watch: who is talked to, met and reached by broadcasts.

Communication lowers grievance: one-to-one talks, courtyard meetings and broadcasts each remove
a share of the grievance of those they reach (:func:`communicate`). A *risk watch*
(:func:`risk_watch`) sends meetings and talks to the report's 5 key towns, 34 key villages and
10 key persons (:func:`communication_reach`).

**Targeting rule** (``communication.targeting``): with ``"risk"`` a village's score is the rise
of its mean grievance since the reform plus ``ex_ante_weight`` × its *ex-ante risk* — the mean
over its villagers of the standing hardship the plan gives them at the reform, times
``1 − trust`` (the Epstein grievance it is heading for): large and asymmetric mergers, lost
voice, the lost seat, displaced cadres, broken guarantees — known from the plan before anyone
complains; a township's score is its villages' population-weighted mean; key persons are the
displaced cadres with the highest ex-ante risk first, then key persons by grievance. With
``"rise"`` the scores are the rise alone and key persons are ranked by grievance. Selections
are O(n) (:func:`top_k`) with random ties.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mergesim.config.schema import CommunicationParams
from mergesim.mechanisms.grievance.social import rows_of, village_mean


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


def risk_watch(
    g: np.ndarray,
    village: np.ndarray,
    n_villages: int,
    township_of_village: np.ndarray,
    n_townships: int,
    key_person: np.ndarray,
    ref_village: np.ndarray,
    k_towns: int,
    k_villages: int,
    k_persons: int,
    rng: np.random.Generator | None = None,
    offsets: np.ndarray | None = None,
    ex_ante: np.ndarray | None = None,
    first_persons: np.ndarray | None = None,
    means: np.ndarray | None = None,
) -> Watch:
    """Rank the units and persons at risk (the report's risk watch; module docstring).

    Townships and villages are ranked by the rise of their mean grievance over ``ref_village``
    (the village means before the reform; townships' reference is the population-weighted mean
    of their villages') plus ``ex_ante`` (per village, already weighted; none by default);
    persons: ``first_persons`` (rows, best first) before anyone else, then by grievance, key
    persons first. ``means``: the village means of ``g`` when the caller has them.
    """
    m = village_mean(g, village, n_villages, offsets=offsets) if means is None else means
    score = np.nan_to_num(m - ref_village)
    if ex_ante is not None:
        score = score + ex_ante
    rise = np.where(np.isnan(m), -np.inf, score)
    pop = np.bincount(village, minlength=n_villages).astype(float)
    tv = np.asarray(township_of_village, dtype=np.int64)
    num = np.bincount(tv, weights=pop * score, minlength=n_townships)
    den = np.bincount(tv, weights=pop, minlength=n_townships)
    t_rise = np.where(den > 0, num / np.maximum(den, 1e-12), -np.inf)
    first = np.zeros(0, dtype=np.int64) if first_persons is None else first_persons[:k_persons]
    k_rest = k_persons - len(first)
    # Key persons first (score g + 2 > any other's g ≤ 1): rank among them when they suffice.
    key = np.asarray(key_person, dtype=bool).copy()
    key_rows = np.flatnonzero(key)
    if len(first):
        key_rows = key_rows[~np.isin(key_rows, first)]
    if len(key_rows) >= k_rest:
        persons = key_rows[top_k(np.asarray(g, dtype=np.float32)[key_rows], k_rest, rng)]
    else:
        pscore = np.asarray(g, dtype=np.float32) + np.float32(2.0) * key
        pscore[first] = -np.inf
        persons = top_k(pscore, k_rest, rng)
    return Watch(
        towns=top_k(t_rise, k_towns, rng),
        villages=top_k(rise, k_villages, rng),
        persons=np.concatenate([first, persons]).astype(np.int64),
    )


def communication_reach(
    g: np.ndarray,
    village: np.ndarray,
    n_villages: int,
    township_of_village: np.ndarray,
    watch: Watch,
    p: CommunicationParams,
    effort: float,
    scale: float,
    rng: np.random.Generator,
    offsets: np.ndarray | None = None,
    means: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Who the week's broadcasts, courtyard meetings and one-to-one talks reach.

    Broadcasts reach each villager with probability ``broadcast_reach × effort``. Meetings:
    ``meetings_per_week × effort`` villages (stochastically rounded), each attended by
    ``meeting_turnout`` of its villagers; with risk (or rise) targeting the watched villages
    come first,
    then villages of the watched townships, then the highest mean grievance; else at random.
    Talks: ``talks_per_week × effort × scale`` persons; with risk targeting the watched persons
    first, then the most aggrieved in watched villages and townships, then the most aggrieved;
    else at random. ``means``: the village means of ``g`` when the caller has them.

    Returns:
        ``{"broadcast", "meeting", "talk"}``: bool per villager; ``"meeting_villages"``;
        ``"meeting_rows"``, ``"talk_rows"``: the (distinct) rows the meetings and talks reach.
    """
    n = len(g)

    def sround(x: float) -> int:
        return int(np.floor(x) + (rng.random() < x - np.floor(x)))

    reached = rng.random(n, dtype=np.float32) < p.broadcast_reach * effort
    n_meet = min(sround(p.meetings_per_week * effort), n_villages)
    n_talk = min(sround(p.talks_per_week * effort * scale), n)
    risk = p.targeting != "random"
    in_watch_town = np.zeros(n_villages, dtype=bool)
    if risk and len(watch.towns):
        in_watch_town = np.isin(township_of_village, watch.towns)
    if risk:
        if means is None:
            means = village_mean(g, village, n_villages, offsets=offsets)
        vscore = np.nan_to_num(means, nan=-1.0)
        vscore = vscore + 1.0 * in_watch_town
        vscore[watch.villages] += 2.0
        meet_v = top_k(vscore, n_meet, rng)
    else:
        meet_v = rng.choice(n_villages, size=n_meet, replace=False).astype(np.int64)
    if offsets is not None:  # rows of the meeting villages, from their row ranges
        cand = rows_of(offsets, meet_v)
    else:
        in_meet_v = np.zeros(n_villages, dtype=bool)
        in_meet_v[meet_v] = True
        cand = np.flatnonzero(in_meet_v[village])
    meeting_rows = cand[rng.random(len(cand), dtype=np.float32) < p.meeting_turnout]
    meeting = np.zeros(n, dtype=bool)
    meeting[meeting_rows] = True
    talk_rows = np.zeros(0, dtype=np.int64)
    if n_talk:
        if risk:
            watched_v = np.zeros(n_villages, dtype=bool)
            watched_v[watch.villages] = True
            talk_rows = _top_talk(
                g, village, watched_v | in_watch_town, watch.persons, n_talk, rng, offsets
            )
        else:
            talk_rows = rng.choice(n, size=n_talk, replace=False)
    talk = np.zeros(n, dtype=bool)
    talk[talk_rows] = True
    return {
        "broadcast": reached,
        "meeting": meeting,
        "talk": talk,
        "meeting_villages": meet_v,
        "meeting_rows": meeting_rows,
        "talk_rows": talk_rows,
    }


def _top_talk(
    g: np.ndarray,
    village: np.ndarray,
    watched_v: np.ndarray,
    persons: np.ndarray,
    k: int,
    rng: np.random.Generator,
    offsets: np.ndarray | None,
) -> np.ndarray:
    """The ``k`` villagers with the largest score ``g + [village watched] + 2 [person
    watched]`` (ties at random), as :func:`top_k` over everyone would give them.

    Grievance is at most 1, so every score of at least 1 belongs to a watched person, a
    villager of a watched village or township, or a villager at grievance 1: when those are
    at least ``k``, the top ``k`` lie among them and only their scores are computed.
    """
    if offsets is not None:
        extra = np.unique(np.concatenate([persons, np.flatnonzero(g >= 1.0)]))
        extra = extra[~watched_v[village[extra]]]  # not already among the watched villages'
        rows = np.concatenate([rows_of(offsets, np.flatnonzero(watched_v)), extra])
        if len(rows) >= k:
            mark = np.zeros(len(g), dtype=bool)  # calloc'd: cheap even for 800,000 rows
            mark[persons] = True
            sc = np.asarray(g[rows], dtype=np.float32) + watched_v[village[rows]]
            sc += np.float32(2.0) * mark[rows]
            return rows[top_k(sc, k, rng)]
    sc = np.asarray(g, dtype=np.float32) + watched_v[village]
    sc[persons] += np.float32(2.0)
    return top_k(sc, k, rng)


def communicate(g: np.ndarray, reach: dict[str, np.ndarray], p: CommunicationParams) -> np.ndarray:
    """Grievance after the week's communication: each channel that reaches a villager removes
    its share (``broadcast_effect``, ``meeting_effect``, ``talk_effect``)."""
    out = np.array(g)
    one = out.dtype.type
    # The dense broadcast mask: one masked pass (no index array).
    np.multiply(out, one(1.0 - p.broadcast_effect), out=out, where=reach["broadcast"])
    for key, effect in (("meeting", p.meeting_effect), ("talk", p.talk_effect)):
        rows = reach.get(f"{key}_rows")
        if rows is None:  # masks only (e.g. built by hand): a masked pass
            np.multiply(out, one(1.0 - effect), out=out, where=reach[key])
        else:  # sparse: the reached rows only (distinct rows, so no update is lost)
            out[rows] *= one(1.0 - effect)
    return out
