"""Province tables (counties as units) and the county choropleth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from mergesim.province import ProvinceParams, generate
from mergesim.province.figures import choropleth, choropleth_data
from mergesim.province.tables import county_table, pooled_table, province_totals

METRIC = "post.travel_min_mean"


def _runs(labels, values, status=None):
    n = len(labels)
    return pd.DataFrame(
        {
            "scenario": labels,
            "status": status or ["ok"] * n,
            METRIC: values,
            "plan.townships_after": np.arange(n) + 1,
            "plan.villages_after": np.arange(n) + 10,
        }
    )


def test_county_and_pooled_tables_use_counties_as_units():
    prov = generate(ProvinceParams(counties=8), 4)
    labels = list(prov.counties["county"])
    # Two replicates per county: the county's value is their mean, and pooling counts counties.
    runs = pd.concat([_runs(labels, np.arange(8.0)), _runs(labels, np.arange(8.0) + 2)])
    ct = county_table(prov.counties, runs, [METRIC])
    assert list(ct[METRIC]) == pytest.approx(list(np.arange(8.0) + 1))
    assert (ct["runs_ok"] == 2).all()
    pooled = pooled_table(ct, [METRIC], runs)
    every = pooled[pooled["grouping"] == "all"].iloc[0]
    assert every["n"] == 8 and every["mean"] == pytest.approx(4.5)
    assert every["ci_lo"] < 4.5 < every["ci_hi"]
    types = pooled[pooled["grouping"] == "type"]
    assert types["counties"].sum() == 8
    assert set(ct["size_class"]) == {"small", "large"}


def test_failed_county_has_no_value_and_is_not_pooled():
    prov = generate(ProvinceParams(counties=4), 4)
    labels = list(prov.counties["county"])
    runs = _runs(labels, [1.0, 2.0, 3.0, 99.0], status=["ok", "ok", "ok", "failed"])
    ct = county_table(prov.counties, runs, [METRIC])
    assert np.isnan(ct[METRIC].iloc[3]) and ct["runs_ok"].iloc[3] == 0
    every = pooled_table(ct, [METRIC], runs).query("grouping == 'all'").iloc[0]
    assert every["n"] == 3 and every["mean"] == pytest.approx(2.0)
    assert province_totals(ct)["counties_run"] == 3


def test_choropleth_draws_on_given_axes_with_registry_label():
    prov = generate(ProvinceParams(counties=6), 2)
    labels = list(prov.counties["county"])
    ct = county_table(prov.counties, _runs(labels, np.linspace(10, 20, 6)), [METRIC])
    cells = dict(zip(labels, prov.map.cells, strict=True))
    data = choropleth_data(cells, ct, METRIC)
    assert len(data) == 6 and data["value"].tolist() == pytest.approx(np.linspace(10, 20, 6))
    fig = Figure()
    ax = fig.add_subplot()
    assert choropleth(cells, ct, METRIC, outline=prov.map.outline, ax=ax) is fig
    labels_drawn = [a.get_ylabel() for a in fig.axes]
    assert any("Travel" in lab and "(min)" in lab for lab in labels_drawn)
    assert METRIC not in " ".join(labels_drawn)
