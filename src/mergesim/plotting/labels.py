"""What a comparison figure or table prints for a metric or a factor: names and units from the
metrics registry and the scenario schema, never a raw key.

A compared metric is ``window.metric`` (``post.travel_min_mean``: the metric of
:data:`mergesim.metrics.METRICS` over a summary window) or a run metric
(``cadres.cost_change_pct.total``: :data:`mergesim.metrics.RUN_METRICS`); a weekly metric is a
bare key of :data:`~mergesim.metrics.METRICS`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from mergesim.config.params import iter_params
from mergesim.config.schema import Scenario
from mergesim.metrics import METRICS, RUN_METRICS

#: How a summary window is named in labels.
WINDOW_NAMES = {
    "pre": "before the reform",
    "transition": "transition",
    "post": "after the reform",
    "change": "change after − before",
}


def split_metric(metric: str) -> tuple[str, str]:
    """``(window, key)`` of a compared metric (``("", key)`` for a run or weekly metric)."""
    head, _, rest = metric.partition(".")
    if head in WINDOW_NAMES and rest:
        return head, rest
    return "", metric


def registry_entry(metric: str) -> Any:
    """The registry's :class:`~mergesim.metrics.Metric` or
    :class:`~mergesim.metrics.RunMetric` of a metric (None if unknown)."""
    _, key = split_metric(metric)
    return METRICS.get(key) or RUN_METRICS.get(key)


def metric_name(metric: str) -> str:
    """The short name of a metric, with its window: ``"Travel per affair, after the
    reform"``. Unknown metrics keep their key (with underscores as spaces)."""
    window, key = split_metric(metric)
    m = registry_entry(metric)
    if m is None:
        name = key.replace("_", " ")
    elif getattr(m, "name", ""):
        name = m.name
    else:  # a RunMetric: its doc's first sentence, without the report's figure
        name = re.sub(r"\s*\(report:[^)]*\)", "", m.doc.split(". ")[0]).rstrip(".")
    return f"{name}, {WINDOW_NAMES[window]}" if window else name


def metric_unit(metric: str) -> str:
    """The unit of a metric ("" for dimensionless or unknown ones)."""
    m = registry_entry(metric)
    unit = m.unit if m is not None else ""
    return "" if unit in ("-", "") else unit


def raw_unit(metric: str) -> str:
    """The registry's unit as written (``"-"`` for dimensionless; "" if unknown)."""
    m = registry_entry(metric)
    return m.unit if m is not None else ""


def metric_label(metric: str) -> str:
    """Axis label of a metric: ``"Travel per affair, after the reform (min)"``."""
    unit = metric_unit(metric)
    name = metric_name(metric)
    return f"{name} ({unit})" if unit else name


def with_unit(text: str, metric: str) -> str:
    """``text`` followed by the metric's unit in parentheses (if it has one)."""
    unit = metric_unit(metric)
    return f"{text} ({unit})" if unit else text


def min_scale(metric: str) -> float | None:
    """The ``villagers.scale`` below which the registry documents the metric as biased."""
    m = registry_entry(metric)
    return getattr(m, "min_scale", None) if m is not None else None


def scale_warnings(metrics, scale: float) -> list[str]:
    """One line per scale limit that ``scale`` is below, naming the metrics documented as
    biased there (the queue metrics of the registry's ``min_scale``)."""
    below: dict[float, list[str]] = {}
    for metric in dict.fromkeys(metrics):
        limit = min_scale(metric)
        if limit is not None and scale < limit:
            below.setdefault(limit, []).append(f"{metric_name(metric)} ({metric})")
    return [
        f"this study runs at villagers.scale = {scale:g}, below {limit:g}, where queue metrics "
        f"are biased (capacity and servers shrink with the sample; docs/metrics.md): "
        + "; ".join(names)
        for limit, names in sorted(below.items())
    ]


@functools.cache
def _param_units() -> dict[str, str]:
    """Unit of every dotted scenario key, from the schema."""
    return {key: spec.unit for key, _, _, spec in iter_params(Scenario) if spec is not None}


def factor_label(key: str, label: str | None = None) -> str:
    """Axis label of a factor (scenario key) with its unit from the schema."""
    unit = _param_units().get(key, "")
    name = label or key
    return f"{name} ({unit})" if unit and unit not in ("-", "path") else name
