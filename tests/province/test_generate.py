"""The synthetic province: reproducible, Sichuan's totals, and the counts' invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergesim.config import apply_overrides, load_scenario
from mergesim.config.params import build_section
from mergesim.errors import ScenarioError
from mergesim.province import ProvinceParams, county_scenarios, generate
from mergesim.province.generate import allocate
from mergesim.province.params import SICHUAN_COUNTIES, SICHUAN_TOWNSHIPS, SICHUAN_VILLAGES

ROOT = Path(__file__).resolve().parents[2]


def test_same_seed_same_province_other_seed_another():
    p = ProvinceParams(counties=30)
    a, b, c = generate(p, 7), generate(p, 7), generate(p, 8)
    pd.testing.assert_frame_equal(a.counties, b.counties)
    assert all(x.equals(y) for x, y in zip(a.map.cells, b.map.cells, strict=True))
    assert not a.counties.equals(c.counties)


def test_default_province_has_sichuans_totals():
    prov = generate(ProvinceParams(), 20191201)
    ct = prov.counties
    assert len(ct) == SICHUAN_COUNTIES
    # Before the reform: exact (allocated by largest remainders).
    assert ct["townships"].sum() == SICHUAN_TOWNSHIPS[0]
    assert ct["villages"].sum() == SICHUAN_VILLAGES[0]
    # After: each county's draw around the mean shares, so near the totals, not exact.
    assert ct["townships_after"].sum() == pytest.approx(SICHUAN_TOWNSHIPS[1], rel=0.03)
    assert ct["villages_after"].sum() == pytest.approx(SICHUAN_VILLAGES[1], rel=0.03)
    assert set(ct["terrain"]) == {"plain", "hill", "mountain"}
    # Mountain counties lie west of plains and hills on the map (Sichuan's western mountains).
    x = ct.groupby("terrain")["x_km"].mean()
    assert x["mountain"] < x["plain"] < x["hill"]
    assert 0 < ct["border"].sum() < len(ct)


def test_allocate_is_exact_and_respects_minimums():
    got = allocate(10, np.array([1.0, 1.0, 1.0]), np.array([1, 1, 1]))
    assert got.sum() == 10 and (got >= 1).all()
    with pytest.raises(ValueError):
        allocate(2, np.ones(3), np.ones(3, np.int64))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 40),
    t_mean=st.floats(1.0, 30.0),
    vpt=st.floats(1.0, 20.0),
    t_share=st.floats(0.0, 0.9),
    v_share=st.floats(0.0, 0.9),
    seed=st.integers(1, 2**32),
)
def test_counts_invariants(n, t_mean, vpt, t_share, v_share, seed):
    p = ProvinceParams(
        counties=n,
        townships_mean=t_mean,
        villages_per_township=vpt,
        township_merge_share=t_share,
        village_merge_share=v_share,
    )
    prov = generate(p, seed)
    ct = prov.counties
    assert len(ct) == n and ct["county"].is_unique
    assert ct["townships"].sum() == max(round(n * t_mean), n)
    assert (ct["townships"] >= ct["townships_after"]).all()
    assert (ct["townships_after"] >= 1).all()
    assert (ct["villages"] >= ct["villages_after"]).all()
    assert (ct["villages_after"] >= ct["townships_after"]).all()
    assert (ct["villages"] >= ct["townships"]).all()
    assert (ct["population"] >= ct["villages"]).all()
    assert len(prov.map.cells) == n
    for (_, sets), (_, row) in zip(county_scenarios(prov, p), ct.iterrows(), strict=True):
        t = row["townships"]
        special = 1 + sets["county.central_townships"] + sets["border.townships"]
        assert special + sets["heritage.townships"] <= t
        assert sets["plan.target_factor"] >= 1.0 and sets["plan.township_target_factor"] >= 1.0


def test_county_overrides_are_valid_scenario_keys():
    base = load_scenario(ROOT / "scenarios" / "seed_county.toml")
    p = ProvinceParams(counties=12)
    prov = generate(p, 3)
    seeds = set()
    for (label, sets), (_, row) in zip(
        county_scenarios(prov, p), prov.counties.iterrows(), strict=True
    ):
        scen = apply_overrides(base, sets, source=label)  # validated by the schema
        assert scen.county.villages == row["villages"]
        seeds.add(scen.county.seed)
    assert len(seeds) == 12  # every county its own geography


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"terrain_mix": [0.5, 0.5]}, "province.terrain_mix"),
        ({"counties": 0}, "province.counties"),
        ({"plain_county": [0.8, 0.5]}, "province.plain_county"),
        ({"countys": 3}, "province.countys"),
    ],
)
def test_params_reject_bad_values(data, key):
    with pytest.raises(ScenarioError) as err:
        build_section(ProvinceParams, data, source="p.toml", prefix="province.")
    assert err.value.key == key
