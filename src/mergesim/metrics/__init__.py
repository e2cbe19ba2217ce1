"""Every outcome metric of mergesim in one place: key, unit, formula, how it is computed.

Four families, by how a summary window (pre-reform, transition, post-reform; see
:mod:`mergesim.mechanisms.timeline`) aggregates them:

* **affair** metrics describe the affairs *served* in a period (one record per need: its trips,
  round-trip travel minutes summed over all trips, whether it was handled in the village). Weekly
  values use that week's affairs; a window's value is recomputed from all affairs served in it
  (so a window's p90 is the p90 of its affairs, not a mean of weekly p90s).
* **coverage** metrics describe the service configuration in force: the share of villagers
  whose one-way trip (own mode of travel) to a point is within a threshold. Window value: mean
  of the weekly values.
* **flow** metrics count needs per 1,000 simulated villagers a week (new, served, turned away,
  ...), the travel burden per villager, the petition backlog, grievance and the cadres at work.
  Window value: mean of the weekly values.
* **petition** metrics describe the petitions *filed* (rates) or *closed* (times to close,
  outcomes) in a period, recomputed from the petition records over the period's days
  (:func:`mergesim.mechanisms.petitions.metrics.petition_summary`); ``stability_index`` is
  computed from the period's petition and grievance values
  (:func:`mergesim.mechanisms.petitions.metrics.stability_index`, weights and references in
  the scenario's ``stability`` section).

Rates are per affair, per villager or per 1,000 villagers, so runs at different
``villagers.scale`` are comparable. Capacity effects (turn-aways, trips, waits) converge only as
the scale grows: a point's weekly capacity is ``scale`` times its full-scale capacity, and with
a handful of affairs a week the small-number queueing of a sampled county turns more villagers
away than the full county would (at the seed county's defaults: scale 0.1 gives travel per affair
within about 2 % of full scale, but turn-aways per 1,000 villagers of 0.4–0.5 instead of < 0.01;
run at full scale for queue metrics). Groups (``*_absorbed_villages``, ...) are the old-unit
breakdowns of :mod:`mergesim.plans.roles`. Missing values (no affair of a kind in a week)
are NaN in the time series and ``null`` in ``summary.json``.

``docs/metrics.md`` is generated from :data:`METRICS` by ``scripts/gen_metrics_docs.py``.
"""

from mergesim.metrics.formulas import affair_metrics, coverage_share, gini, worst_decile
from mergesim.metrics.registry import (
    COVERAGE_THRESHOLDS,
    LABELS,
    METRICS,
    RUN_METRICS,
    Metric,
    RunMetric,
)
from mergesim.metrics.registry import metrics_markdown as _markdown
from mergesim.metrics.stability import PETITION_KEYS
from mergesim.metrics.tracker import Tracker, model_reporters, stability_week, undefined_reasons

__all__ = [
    "COVERAGE_THRESHOLDS",
    "LABELS",
    "METRICS",
    "PETITION_KEYS",
    "RUN_METRICS",
    "Metric",
    "RunMetric",
    "Tracker",
    "undefined_reasons",
    "affair_metrics",
    "coverage_share",
    "gini",
    "metrics_markdown",
    "model_reporters",
    "stability_week",
    "worst_decile",
]


def metrics_markdown() -> str:
    """The text of ``docs/metrics.md`` (generated; do not edit the file by hand)."""
    return _markdown((__doc__ or "").split("\n\n", 1)[1].split("``docs/metrics.md``")[0].strip())
