"""Figure labels come from the metrics registry: every metric has a readable English name.

Figures are drawn on machines without a CJK font (this one, CI): a Chinese term in a label
would render as empty boxes, so the report's terms (跑一次, 不出村, 三边) stay in the metric's
description and the docs, and the names say them in English.
"""

from __future__ import annotations

import re

import pytest

from mergesim.metrics import METRICS, RUN_METRICS
from mergesim.plotting.labels import WINDOW_NAMES, metric_label, metric_name

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
KEYS = sorted(METRICS) + sorted(RUN_METRICS)


@pytest.mark.parametrize("window", ["", *sorted(w for w in WINDOW_NAMES if w)])
def test_every_metric_name_is_readable_without_a_cjk_font(window):
    names = {k: metric_name(f"{window}.{k}" if window else k) for k in KEYS}
    cjk = {k: n for k, n in names.items() if CJK.search(n)}
    assert not cjk, list(cjk.items())[:5]


def test_the_report_terms_stay_in_the_descriptions():
    """The names are English; the descriptions keep the report's words."""
    assert "不出村" in METRICS["admin_in_village_share"].doc
    assert metric_label("post.admin_in_village_share_border_villages") == (
        "Administrative affairs done in the village, the county's border villages, after the reform"
    )
