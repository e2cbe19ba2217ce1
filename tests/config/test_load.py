"""The scenario loader: extends, --set, errors (one line each), dump/load round trip, fuzz."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mergesim.baseline import SHIPPED_SCENARIOS
from mergesim.config import (
    Scenario,
    apply_overrides,
    dump_scenario,
    iter_params,
    load_scenario,
    load_scenario_dict,
    scenario_to_dict,
)
from mergesim.config.load import format_toml_value, parse_override
from mergesim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(fn, *args, **kw) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        fn(*args, **kw)
    err = info.value
    assert len(err.line().splitlines()) == 1, err.line()
    return err


# ---------------------------------------------------------------------------------------------
# Defaults, extends, paths
# ---------------------------------------------------------------------------------------------


def test_empty_file_gives_defaults_and_stem_name(tmp_path):
    s = load_scenario(write(tmp_path / "empty.toml", ""))
    assert s == dataclasses.replace(Scenario(), name="empty")
    assert s.base_dir == str(tmp_path)


def test_dict_defaults_equal_schema_defaults():
    assert load_scenario_dict({}) == Scenario()


def test_shipped_scenarios_load():
    for path in (SCENARIOS / name for name in SHIPPED_SCENARIOS):
        s = load_scenario(path)
        assert s.name == path.stem


def test_extends_chain_merges_key_by_key_and_replaces_lists(tmp_path):
    write(
        tmp_path / "base.toml",
        'name = "base"\nseed = 1\n[plan]\nmethod = "uniform"\n'
        "target_factor = 3.0\nterrain_pull = [1.0, 1.0, 1.0]\n[county]\nvillages = 500\n",
    )
    write(
        tmp_path / "mid" / "mid.toml",
        'extends = "../base.toml"\n[plan]\ntarget_factor = 2.5\nterrain_pull = [2.0, 1.0, 0.5]\n',
    )
    top = write(
        tmp_path / "top.toml", 'extends = "mid/mid.toml"\nseed = 3\n[county]\ntownships = 40\n'
    )
    s = load_scenario(top)
    assert s.name == "top"  # the top file's stem, not the inherited name
    assert s.seed == 3
    assert s.plan.method == "uniform"  # from base
    assert s.plan.target_factor == 2.5  # mid overrides base
    assert s.plan.terrain_pull == (2.0, 1.0, 0.5)  # replaced, not merged
    assert (s.county.villages, s.county.townships) == (500, 40)  # tables merged key by key


def test_extends_resolves_data_paths_relative_to_the_file_that_set_them(tmp_path):
    write(
        tmp_path / "parent" / "base.toml", '[county]\nsource = "csv"\ndata = "data/villages.csv"\n'
    )
    child = write(
        tmp_path / "child" / "run.toml",
        'extends = "../parent/base.toml"\n'
        '[county]\nedges = "roads.csv"\n[plan]\nmethod = "file"\nfile = "/abs/m.csv"\n',
    )
    s = load_scenario(child)
    assert Path(s.county.data) == tmp_path / "parent" / "data" / "villages.csv"
    assert Path(s.county.edges) == tmp_path / "child" / "roads.csv"
    assert s.plan.file == "/abs/m.csv"  # absolute paths are kept
    assert s.base_dir == str(tmp_path / "child")


def test_shipped_real_example_data_path_is_absolute():
    s = load_scenario(SCENARIOS / "example_real.toml")
    assert Path(s.county.data) == SCENARIOS / "data" / "sichuan_example.csv"


def test_extends_cycle_names_the_chain(tmp_path):
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    err = error_of(load_scenario, tmp_path / "a.toml")
    assert err.key == "extends" and "cycle" in err.message
    assert "a.toml" in err.message and "b.toml" in err.message


def test_self_extends_is_a_cycle(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "a.toml", 'extends = "a.toml"\n'))
    assert "cycle" in err.message


def test_missing_extends_target(tmp_path):
    child = write(tmp_path / "child.toml", 'extends = "nope.toml"\n')
    err = error_of(load_scenario, child)
    assert err.source == str(child) and err.key == "extends"
    assert "nope.toml" in err.message


@pytest.mark.parametrize("target", ["a\x00b", "x" * 5000, ".", "/"])
def test_extends_impossible_names_are_missing_files(tmp_path, target):
    err = error_of(load_scenario_dict, {"extends": target}, base_dir=tmp_path)
    assert err.key == "extends" and "missing file" in err.message


def test_set_inline_table_unknown_key_names_set(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "s.toml", ""), ["county={vilages = 3}"])
    assert err.source == "--set" and err.key == "county.vilages"


def test_extends_must_be_a_string(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "c.toml", "extends = 3\n"))
    assert err.key == "extends" and "3" in err.message


def test_missing_file_is_named(tmp_path):
    err = error_of(load_scenario, tmp_path / "nope.toml")
    assert "nope.toml" in err.line() and "not found" in err.message


def test_malformed_toml_has_line_and_column(tmp_path):
    bad = write(tmp_path / "bad.toml", 'name = "x"\n[plan\nmethod = "policy"\n')
    err = error_of(load_scenario, bad)
    assert err.source == str(bad)
    assert "malformed TOML" in err.message and "line 2" in err.message


def test_non_utf8_file(tmp_path):
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b'name = "\xff"\n')
    assert "UTF-8" in error_of(load_scenario, bad).message


# ---------------------------------------------------------------------------------------------
# Validation errors (through build_section), naming the file that set the key
# ---------------------------------------------------------------------------------------------


def test_unknown_key_did_you_mean(tmp_path):
    f = write(tmp_path / "s.toml", '[plan]\nmetod = "uniform"\n')
    err = error_of(load_scenario, f)
    assert err.key == "plan.metod" and "did you mean 'method'" in err.message
    assert err.source == str(f)


def test_unknown_key_in_parent_names_the_parent(tmp_path):
    parent = write(tmp_path / "p.toml", "[county]\nvilages = 3\n")
    child = write(tmp_path / "c.toml", 'extends = "p.toml"\n')
    err = error_of(load_scenario, child)
    assert err.source == str(parent) and err.key == "county.vilages"
    assert "did you mean 'villages'" in err.message


def test_wrong_type(tmp_path):
    f = write(tmp_path / "s.toml", '[county]\nvillages = "many"\n')
    err = error_of(load_scenario, f)
    assert err.key == "county.villages" and "'many'" in err.message
    assert "integer" in err.message
    assert err.line().startswith(str(f) + ": county.villages: ")


def test_wrong_type_in_parent_names_the_parent(tmp_path):
    parent = write(tmp_path / "p.toml", "[plan]\ntarget_factor = 'big'\n")
    child = write(tmp_path / "c.toml", 'extends = "p.toml"\nseed = 2\n')
    assert error_of(load_scenario, child).source == str(parent)


def test_out_of_range(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "s.toml", "[plan]\ntarget_factor = 50.0\n"))
    assert err.key == "plan.target_factor"
    assert "50.0" in err.message and "[1.0, 20.0]" in err.message


def test_section_given_as_scalar(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "s.toml", "plan = 3\n"))
    assert err.key == "plan" and "table" in err.message


def test_internal_field_is_not_a_key(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "s.toml", 'base_dir = "/x"\n'))
    assert err.key == "base_dir" and "unknown key" in err.message
    assert "base_dir" not in err.message.split("valid keys:")[1]


# ---------------------------------------------------------------------------------------------
# --set
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "key", "value"),
    [
        ("plan.target_factor=3", "plan.target_factor", 3),
        ("plan.target_factor=2.5", "plan.target_factor", 2.5),
        ("plan.keep_heritage=false", "plan.keep_heritage", False),
        ("plan.method=uniform", "plan.method", "uniform"),  # bare string
        ('plan.method="uniform"', "plan.method", "uniform"),
        ("plan.terrain_pull=[1, 0.5, 0.2]", "plan.terrain_pull", [1, 0.5, 0.2]),
        (" seed = 42 ", "seed", 42),
        ("description=a b c", "description", "a b c"),
        ("description=2019-12-01", "description", "2019-12-01"),  # a TOML date stays text
        ("county.data=", "county.data", ""),
        ("description=x=y", "description", "x=y"),  # split at the first '='
    ],
)
def test_parse_override(item, key, value):
    assert parse_override(item) == (key, value)


@pytest.mark.parametrize("item", ["nonsense", "=3", "plan..method=1", "plan.me thod=1", ".a=1"])
def test_bad_set_syntax(item):
    err = error_of(parse_override, item)
    assert err.source == "--set" and "key=value" in err.message


def test_set_applies_after_the_file(tmp_path):
    f = write(tmp_path / "s.toml", '[plan]\nmethod = "policy"\ntarget_factor = 2.0\n')
    s = load_scenario(
        f,
        [
            "plan.method=uniform",
            "plan.target_factor=3",
            "plan.keep_heritage=false",
            "needs.admin=[0.0, 0.02, 0.01]",
            "name=custom",
        ],
    )
    assert s.plan.method == "uniform" and s.plan.target_factor == 3.0
    assert isinstance(s.plan.target_factor, float)
    assert s.plan.keep_heritage is False
    assert s.needs.admin == (0.0, 0.02, 0.01)
    assert s.name == "custom"


def test_set_inline_table_merges_into_section(tmp_path):
    f = write(tmp_path / "s.toml", "[county]\nvillages = 300\n")
    s = load_scenario(f, ["county={townships = 20}"])
    assert (s.county.villages, s.county.townships) == (300, 20)


def test_set_relative_path_is_taken_from_the_working_directory(tmp_path, monkeypatch):
    f = write(tmp_path / "sub" / "s.toml", "")
    monkeypatch.chdir(tmp_path)
    s = load_scenario(f, ["county.data=villages.csv"])
    assert Path(s.county.data) == tmp_path / "villages.csv"


@pytest.mark.parametrize(
    ("item", "key", "needle"),
    [
        ("plan.metod=uniform", "plan.metod", "did you mean 'method'"),
        ("plam.method=uniform", "plam", "did you mean 'plan'"),
        ("plan.method.x=1", "plan.method.x", "not a table"),
        ("extends=other.toml", "extends", "unknown key"),
        ("base_dir=/tmp", "base_dir", "unknown key"),
    ],
)
def test_set_unknown_key_lists_valid_keys(tmp_path, item, key, needle):
    err = error_of(load_scenario, write(tmp_path / "s.toml", ""), [item])
    assert err.source == "--set" and err.key == key and needle in err.message


def test_set_unknown_key_lists_the_section_keys(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "s.toml", ""), ["plan.metod=x"])
    assert "target_factor" in err.message and "area_km2" not in err.message


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ("plan.method=random", "plan.method"),
        ("county.villages=-3", "county.villages"),
        ("county.villages=many", "county.villages"),
        ("plan=3", "plan"),
    ],
)
def test_set_bad_value_names_set_as_source(tmp_path, item, key):
    err = error_of(load_scenario, write(tmp_path / "s.toml", ""), [item])
    assert err.source == "--set" and err.key == key


def test_bad_set_syntax_through_load(tmp_path):
    err = error_of(load_scenario, write(tmp_path / "s.toml", ""), ["nonsense"])
    assert err.source == "--set" and "key=value" in err.message


# ---------------------------------------------------------------------------------------------
# Python entry points
# ---------------------------------------------------------------------------------------------


def test_load_scenario_dict_nested_and_dotted(tmp_path):
    s = load_scenario_dict(
        {"plan": {"method": "uniform"}, "plan.target_factor": 4, "county": {"data": "v.csv"}},
        base_dir=tmp_path,
    )
    assert s.plan.method == "uniform" and s.plan.target_factor == 4.0
    assert Path(s.county.data) == tmp_path / "v.csv"
    assert s.base_dir == str(tmp_path)


def test_load_scenario_dict_error_names_source():
    err = error_of(load_scenario_dict, {"plan": {"metod": "x"}}, source="batch")
    assert err.source == "batch" and "did you mean 'method'" in err.message


def test_apply_overrides_returns_new_validated_scenario():
    base = Scenario()
    s = apply_overrides(
        base,
        {
            "plan.method": "uniform",
            "services.agency_service": False,
            "county.villages": 300.0,
            "plan.terrain_pull": (1.0, 0.5, 0.2),
        },
    )
    assert s.plan.method == "uniform" and s.services.agency_service is False
    assert s.county.villages == 300 and isinstance(s.county.villages, int)
    assert s.plan.terrain_pull == (1.0, 0.5, 0.2)
    assert base == Scenario()  # untouched
    assert apply_overrides(base, {}) == base


def test_apply_overrides_accepts_numpy_values():
    np = pytest.importorskip("numpy")
    s = apply_overrides(
        Scenario(),
        {
            "county.villages": np.int64(200),
            "plan.target_factor": np.float64(2.5),
            "needs.admin": np.array([0.0, 0.01, 0.01]),
        },
    )
    assert s.county.villages == 200 and type(s.county.villages) is int
    assert s.needs.admin == (0.0, 0.01, 0.01)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"plan.metod": "x"}, "plan.metod"),
        ({"plan.method": "random"}, "plan.method"),
        ({"county.villages": "many"}, "county.villages"),
        ({"seed": -1}, "seed"),
    ],
)
def test_apply_overrides_errors(overrides, key):
    err = error_of(apply_overrides, Scenario(), overrides)
    assert err.source == "parameters" and err.key == key


def test_apply_overrides_keeps_base_dir(tmp_path):
    base = load_scenario(write(tmp_path / "s.toml", ""))
    s = apply_overrides(base, {"county.data": "v.csv"})
    assert s.base_dir == base.base_dir
    assert Path(s.county.data) == tmp_path / "v.csv"


# ---------------------------------------------------------------------------------------------
# Dump and round trip
# ---------------------------------------------------------------------------------------------


def test_scenario_to_dict_has_every_parameter_and_no_internal_field():
    d = scenario_to_dict(Scenario())
    assert "base_dir" not in d
    for key, _tp, default, _spec in iter_params(Scenario):
        node = d
        for part in key.split("."):
            node = node[part]
        assert node == (list(default) if isinstance(default, tuple) else default), key


@pytest.mark.parametrize(
    "path", [SCENARIOS / name for name in SHIPPED_SCENARIOS], ids=lambda p: p.name
)
def test_dump_load_round_trip_shipped(tmp_path, path):
    s = load_scenario(path, ['description=quote " backslash \\ tab\t é 三边'])
    out = dump_scenario(s, tmp_path / "out" / "scenario.toml")
    again = load_scenario(out)
    assert again == s
    assert scenario_to_dict(again) == scenario_to_dict(s)


def test_dump_makes_relative_paths_absolute(tmp_path):
    s = load_scenario_dict({"county": {"source": "csv", "data": "v.csv"}}, base_dir=tmp_path)
    out = dump_scenario(s, tmp_path / "elsewhere" / "scenario.toml")
    assert Path(load_scenario(out).county.data) == tmp_path / "v.csv"


def test_dump_is_atomic_no_temp_files_left(tmp_path):
    dump_scenario(Scenario(name="x"), tmp_path / "s.toml")
    dump_scenario(Scenario(name="y"), tmp_path / "s.toml")  # replaces
    assert [p.name for p in tmp_path.iterdir()] == ["s.toml"]
    assert load_scenario(tmp_path / "s.toml").name == "y"


def test_floats_keep_a_decimal_point():
    assert format_toml_value(2.0) == "2.0"
    assert format_toml_value(1e300) == "1e+300"
    assert format_toml_value([1.0, 2]) == "[1.0, 2]"
    assert format_toml_value('a"b\\c\n\x01\x7f') == '"a\\"b\\\\c\\n\\u0001\\u007F"'


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


# tmp_path is shared by the examples; each one overwrites the same file, which is fine here.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=_TEXT,
    description=_TEXT,
    seed=st.integers(0, 2**63 - 1),
    factor=st.floats(1.0, 20.0),
    pull=st.lists(st.floats(0.01, 10.0), min_size=3, max_size=3),
)
@pytest.mark.slow
def test_dump_load_round_trip_random(tmp_path, name, description, seed, factor, pull):
    s = apply_overrides(
        Scenario(),
        {
            "name": name,
            "description": description,
            "seed": seed,
            "plan.target_factor": factor,
            "plan.terrain_pull": pull,
        },
    )
    out = dump_scenario(s, tmp_path / "r.toml")
    assert load_scenario(out) == s


# ---------------------------------------------------------------------------------------------
# Fuzz: random tables either load or fail with a ScenarioError, never anything else
# ---------------------------------------------------------------------------------------------

_KEYS = [k for k, *_ in iter_params(Scenario)]
_SECTIONS = sorted({k.split(".")[0] for k in _KEYS if "." in k})
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["policy", "uniform", "csv", ""])
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_any_key = (
    st.sampled_from(_KEYS)
    | st.sampled_from(_SECTIONS)
    | st.text(max_size=12)
    | st.sampled_from(["extends", "base_dir", "plan.", "..", "plan.metod"])
    | st.integers()
    | st.none()
)

# Section tables whose keys are mostly real parameter names, so values reach the validator.
_tables = st.dictionaries(
    st.sampled_from([k.split(".")[-1] for k in _KEYS]) | st.text(max_size=6), _values, max_size=6
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(data=st.dictionaries(_any_key, _values | _tables, max_size=8))
def test_fuzz_load_scenario_dict(data):
    try:
        s = load_scenario_dict(data, source="fuzz")
    except ScenarioError as e:
        assert len(e.line().splitlines()) == 1
    else:
        assert isinstance(s, Scenario)


@settings(max_examples=200, deadline=None)
@given(
    overrides=st.dictionaries(
        st.sampled_from(_KEYS) | st.text(max_size=10) | st.integers(), _values, max_size=4
    )
)
@pytest.mark.slow
def test_fuzz_apply_overrides(overrides):
    try:
        s = apply_overrides(Scenario(), overrides)
    except ScenarioError as e:
        assert len(e.line().splitlines()) == 1
    else:
        assert isinstance(s, Scenario)
