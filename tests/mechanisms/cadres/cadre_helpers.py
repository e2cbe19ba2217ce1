"""Shared helpers of the cadre tests."""

from __future__ import annotations

from mergesim.config.schema import CadreParams, GuaranteeParams
from mergesim.mechanisms.cadres import select_and_place, synthesize_pool
from mergesim.rng import Streams


def reform(county, plan, p: CadreParams, seed: int = 3, guarantees: GuaranteeParams | None = None):
    """The pool of ``county`` before and after ``plan``'s reform (stream ``"cadres"``)."""
    rng = Streams(seed).generator("cadres")
    pool = synthesize_pool(county, plan, p, rng)
    return pool, select_and_place(pool, county, plan, p, rng, guarantees)
