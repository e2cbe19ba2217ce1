"""The run's calendar: warm-up, reform week, transition, horizon — and the summary windows.

Weeks are numbered from 0. With ``W = warmup_weeks``, ``T = transition_weeks`` and
``H = horizon_weeks``::

    week:   0 ........ W-1 | W ............ W+T-1 | W+T ............ W+H-1
    phase:  PRE (warm-up)  | TRANSITION           | POST
                           ^ reform week (the plan takes effect at its start)

The model runs ``W + H`` steps; step ``k`` (1-based, Mesa's ``model.steps``) simulates week
``k - 1``. Summary windows (see :mod:`mergesim.metrics`):

* ``pre``: weeks ``burn_in .. W-1`` (the pre-reform reference, after the queues fill);
* ``transition``: weeks ``W .. W+T-1`` (empty when ``T = 0``);
* ``post``: the last ``post_window_weeks`` weeks (or every week after the transition when 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from mergesim.config.schema import TimelineParams


class Phase(IntEnum):
    """Phase of the reform a week belongs to."""

    PRE = 0
    TRANSITION = 1
    POST = 2


WINDOWS = ("pre", "transition", "post")
#: Days per week and per year: continuous times (the petition loop's) are days from the start
#: of the run, week ``w`` being ``[7w, 7w + 7)``; rates per year use the Julian year.
DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Timeline:
    """Week arithmetic of one run.

    Attributes:
        warmup: Warm-up weeks before the reform (weeks).
        burn_in: Warm-up weeks excluded from the pre-reform window (weeks).
        transition: Transition weeks from the reform week on (weeks).
        horizon: Weeks from the reform week to the end of the run (weeks).
        post_window: Length of the post-reform summary window (weeks; 0 = all post weeks).
    """

    warmup: int
    burn_in: int
    transition: int
    horizon: int
    post_window: int = 0

    @classmethod
    def from_params(cls, p: TimelineParams) -> Timeline:
        """The timeline of a scenario's ``timeline`` section."""
        return cls(
            p.warmup_weeks,
            p.burn_in_weeks,
            p.transition_weeks,
            p.horizon_weeks,
            p.post_window_weeks,
        )

    @property
    def reform_week(self) -> int:
        """The week the plan takes effect."""
        return self.warmup

    @property
    def transition_end(self) -> int:
        """First week after the transition (== reform week when there is no transition)."""
        return self.warmup + self.transition

    @property
    def n_weeks(self) -> int:
        """Weeks in the run (= Mesa steps)."""
        return self.warmup + self.horizon

    def phase(self, week: int) -> Phase:
        """The :class:`Phase` of ``week``."""
        if week < self.reform_week:
            return Phase.PRE
        if week < self.transition_end:
            return Phase.TRANSITION
        return Phase.POST

    def window(self, name: str) -> range:
        """Weeks of summary window ``name`` ("pre", "transition" or "post")."""
        if name == "pre":
            return range(self.burn_in, self.reform_week)
        if name == "transition":
            return range(self.reform_week, self.transition_end)
        if name == "post":
            start = self.transition_end
            if self.post_window:
                start = max(start, self.n_weeks - self.post_window)
            return range(start, self.n_weeks)
        raise ValueError(f"unknown window {name!r}; allowed: {', '.join(WINDOWS)}")

    def window_of(self, week: int) -> str | None:
        """The summary window ``week`` belongs to, or None."""
        for name in WINDOWS:
            if week in self.window(name):
                return name
        return None
