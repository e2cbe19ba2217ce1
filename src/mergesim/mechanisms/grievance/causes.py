"""What a grievance is about: the standing parts by petition cause, and the dominant one.

A villager's standing hardship is a sum of *parts*, one per petition
:class:`~mergesim.mechanisms.petitions.records.Cause` (rows of
:attr:`GrievanceMechanism.parts`, in the order of :data:`PART_CAUSES`), beside the access
accounts (``ACCESS``). A petition is filed with the cause contributing most to its filer's
hardship (:func:`dominant_cause`); a collective one with the cause contributing most to its
aggrieved villagers' summed hardship. A substantive resolution of a petition of a
:data:`FIXABLE` cause settles its filer's part: the right restored, the assets compensated,
the cadre placed; voice and the township seat cannot be given back to one villager, and access
is fixed by the services, not by a reply.
"""

from __future__ import annotations

import numpy as np

from mergesim.mechanisms.petitions.records import Cause

#: The cause of each standing part (row ``k`` of the parts array).
PART_CAUSES = (Cause.RIGHTS, Cause.ASSETS, Cause.REPRESENTATION, Cause.SEAT_LOSS, Cause.CADRE)
#: Row of each cause in the parts array.
PART_OF = {c: k for k, c in enumerate(PART_CAUSES)}
#: Causes whose substantive resolution settles the filer's part.
FIXABLE = (Cause.RIGHTS, Cause.ASSETS, Cause.CADRE)
#: "No cause found" (no positive contribution).
UNKNOWN = -1

_CODES = np.array([Cause.ACCESS, *PART_CAUSES], dtype=np.int8)


def dominant_cause(access: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """The cause contributing most to each column's hardship; :data:`UNKNOWN` if none is > 0.

    Args:
        access: Access hardship, shape ``(k,)``.
        parts: Standing parts, shape ``(len(PART_CAUSES), k)``.

    Returns:
        Cause codes (int8).
    """
    stack = np.vstack([np.asarray(access, dtype=np.float32)[None, :], parts])
    i = np.argmax(stack, axis=0)
    best = stack[i, np.arange(stack.shape[1])]
    return np.where(best > 0, _CODES[i], np.int8(UNKNOWN)).astype(np.int8)
