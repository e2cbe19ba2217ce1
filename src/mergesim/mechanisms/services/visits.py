"""How a visit ends, and how many days an affair takes from need to done.

A trip to an administrative point ends in one of these ways (in this order):

1. **Official absent** — with probability ``q^(staff / usual staff)``
   (:func:`~mergesim.mechanisms.services.points.absence`): a failed trip; the point's capacity is
   not used.
2. **Papers handed over** to a village carrier (agency, room, duty team) — the trip succeeds
   and the papers wait for the carrier's capacity; the villager makes no further trip.
3. **Turned away** — the point is full this week (token bucket): a failed trip.
4. **Referred** — the point can neither finish nor forward the matter: a failed trip; the
   villager now knows the level, and is advised if the point advises.
5. **Documents missing** — with the probability of :func:`docs_failure`: a failed trip; the
   next try misses fewer.
6. **Done** — finished on the spot or forwarded up by a township desk.

Every failed trip counts in the affair's trips and travel; a villager whose trips reach
``needs.max_trips`` gives up. Other needs (health, schools, ...) end only done or turned away.

**Days from need to done** (:func:`days_to_done`): ``7 × weeks from the need to the week it is
done`` plus, for a matter finished at a point, the wait for an open day and the processing days
of its level; forwarded by a township desk, plus ``forward_days``; carried, plus the carrier's
turnaround (the wait for the next trip to the township and for the next trip back, each uniform
over one ``carry_interval_days``), ``forward_days`` for a county matter, the processing days,
and one more round trip (``2 × carry_interval_days``) when the township finds documents
missing (:func:`docs_failure` with the carrier's check as advice).
"""

from __future__ import annotations

import numpy as np

from mergesim.config.schema import ServiceParams
from mergesim.mechanisms.services.catalogue import Catalogue, Level
from mergesim.mechanisms.timeline import DAYS_PER_WEEK


def docs_failure(
    base: np.ndarray,
    tries: np.ndarray,
    advised: np.ndarray,
    competence: np.ndarray,
    p: ServiceParams,
) -> np.ndarray:
    """Probability that a visit (or a carried file) fails for missing documents.

    ``b = docs_fail × docs_retry_factor^tries × (advice_factor if advised)``; the point's
    ``competence`` multiplies the odds of success: ``P = b / (b + (1 − b) × competence)``.

    Args:
        base: The type's first-visit probability (``needs.affairs.<type>.docs_fail``).
        tries: Earlier visits of this matter that failed for documents.
        advised: The villager was advised (or a carrier checked the papers).
        competence: ``ServicePoints.competence`` of the point (1 = the usual).
        p: The ``services`` section.
    """
    b = base * np.power(p.docs_retry_factor, tries) * np.where(advised, p.advice_factor, 1.0)
    b = np.clip(b, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b > 0, b / (b + (1.0 - b) * np.maximum(competence, 0.0)), 0.0)
    return np.nan_to_num(out, nan=1.0)


def days_to_done(
    weeks: np.ndarray,
    how: np.ndarray,
    affair: np.ndarray,
    level: np.ndarray,
    wait_open: np.ndarray,
    turnaround: np.ndarray,
    redo: np.ndarray,
    cat: Catalogue,
    p: ServiceParams,
) -> np.ndarray:
    """Days from the need to the affair done (see the module docstring), float32.

    Args:
        weeks: Weeks from the need's creation to the week it is done.
        how: 0 = not administrative (no processing), 1 = finished at a point, 2 = forwarded by
            a township desk, 3 = carried by a village carrier.
        affair, level: Type and effective level (ignored where ``how == 0``).
        wait_open: Mean wait for the point's next open day (days).
        turnaround: Carrier's turnaround (days; used where ``how == 3``).
        redo: A carried file came back for missing documents (one more round trip).
        cat: The catalogue.
        p: The ``services`` section.
    """
    adm = how > 0
    a = np.where(adm, affair, 0)
    lvl = np.where(adm, level, 0)
    proc = np.where(adm, cat.process_days[a, lvl], 0.0)
    up = np.where(lvl == Level.COUNTY, p.forward_days, 0.0)
    extra = np.select(
        [how == 1, how == 2, how == 3],
        [
            wait_open + proc,
            wait_open + p.forward_days + proc,
            turnaround + up + proc + np.where(redo, 2.0 * p.carry_interval_days, 0.0),
        ],
        default=0.0,
    )
    return (DAYS_PER_WEEK * weeks + extra).astype(np.float32)
