"""What a concluded petition resolves: formal closure versus substantive resolution.

Every petition that reaches the end of *research and handle* is concluded with a reply (formal
closure, the Regulations' 办结). Whether the reply *resolves* it depends on what it is about
(:class:`~mergesim.mechanisms.petitions.records.Cause`) and on who handles it
(:func:`resolve_probability`)::

    p = base[level] × cause_factor[cause] × competence^elasticity
        × min(1, load_ref / caseload)^load_elasticity × condition(cause) × collective_factor

* ``base``: the cause-free probability at the township (``resolve_base``) or the county
  bureau (``resolve_county``); ``cause_factor``: what handling can give for each cause — an
  audit of pooled assets, a seat on the merged committee, offices at a lost seat or a post for
  a displaced cadre are less than a reply settles in a background dispute (assumptions).
* ``competence``: the handlers' mean working competence at the stage (training raises it,
  a cadre with a hard disqualifier lowers it); ``caseload``: the unit's open petitions per
  petition server (full scale) — handlers with more cases than ``load_ref`` resolve less.
* ``condition``: an **access** petition is resolved by a service fix, not by a reply —
  ``exp(−gap / access_gap_scale)`` with ``gap`` the village's remaining valued loss per affair
  in the petition's service domain (``grievance.access_gap``; unknown gap → 1, the cause-free
  probability); a **rights** petition is resolved by restoring the guarantee — while one stays
  broken only an individual remedy is possible, ``rights_remedy_prob`` in place of the base;
  other causes 1.
* ``collective_factor`` for a collective petition. The result is clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np

from mergesim.mechanisms.petitions.records import Cause, Kind


def load_factor(caseload: np.ndarray, load_ref: float, elasticity: float) -> np.ndarray:
    """``min(1, load_ref / caseload)^elasticity`` (1 where the caseload is at most load_ref)."""
    cl = np.asarray(caseload, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(cl > load_ref, load_ref / np.where(cl > 0, cl, 1.0), 1.0)
    return r**elasticity


def access_condition(
    cause: np.ndarray,
    domain: np.ndarray,
    village: np.ndarray,
    access_gap: np.ndarray | None,
    scale: float,
) -> np.ndarray:
    """``exp(−gap / scale)`` for access petitions whose gap is known, else 1.

    Args:
        cause, domain, village: Per petition.
        access_gap: Remaining valued loss per affair, shape ``(n_domains, n_villages)``
            (hardship units, ≥ 0), or None when no mechanism maintains it.
        scale: ``access_gap_scale`` (hardship units).
    """
    out = np.ones(len(cause))
    if access_gap is None:
        return out
    gap = np.asarray(access_gap, dtype=float)
    sel = (cause == Cause.ACCESS) & (domain >= 0) & (domain < gap.shape[0]) & (village >= 0)
    if sel.any():
        g = gap[domain[sel].astype(np.int64), village[sel].astype(np.int64)]
        out[sel] = np.exp(-np.maximum(np.nan_to_num(g), 0.0) / scale)
    return out


def resolve_probability(
    base: np.ndarray,
    cause_factor: np.ndarray,
    *,
    kind: np.ndarray,
    cause: np.ndarray,
    domain: np.ndarray,
    village: np.ndarray,
    competence: np.ndarray,
    elasticity: float,
    caseload: np.ndarray,
    load_ref: float,
    load_elasticity: float,
    collective_factor: float,
    access_gap: np.ndarray | None,
    access_gap_scale: float,
    rights_broken: bool,
    rights_remedy_prob: float,
) -> np.ndarray:
    """Probability that each concluded petition is substantively resolved (module docstring).

    Args:
        base: Cause-free probability per petition (by level).
        cause_factor: Factor per :class:`Cause` (7 values).
        kind, cause, domain, village: Per petition.
        competence: Handlers' competence per petition (its unit's, at the stage).
        elasticity: ``resolve_elasticity``.
        caseload: Open petitions per server of each petition's unit (full scale).
        load_ref, load_elasticity: The caseload penalty.
        collective_factor: Factor for collective petitions.
        access_gap, access_gap_scale: The access condition (:func:`access_condition`).
        rights_broken: A guarantee is broken now (rights petitions get only a remedy).
        rights_remedy_prob: The remedy's probability.

    Returns:
        Probabilities in [0, 1], one per petition.
    """
    cause = np.asarray(cause, dtype=np.int64)
    b = np.asarray(base, dtype=float)
    if rights_broken:
        b = np.where(cause == Cause.RIGHTS, rights_remedy_prob, b)
    p = b * np.asarray(cause_factor, dtype=float)[cause]
    p = p * np.asarray(competence, dtype=float) ** elasticity
    p = p * load_factor(caseload, load_ref, load_elasticity)
    p = p * access_condition(
        cause, np.asarray(domain), np.asarray(village), access_gap, access_gap_scale
    )
    p = np.where(np.asarray(kind) == Kind.COLLECTIVE, p * collective_factor, p)
    return np.clip(p, 0.0, 1.0)
