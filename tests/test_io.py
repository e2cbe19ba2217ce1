"""The one atomic writer and the one flattener (:mod:`mergesim.io`)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from mergesim.io import (
    atomic_path,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    flatten,
)


def test_atomic_path_replaces_only_on_success(tmp_path):
    dest = tmp_path / "sub" / "table.csv"
    atomic_write_text(dest, "old\n")
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert dest.read_text() == "old\n"
    assert [p.name for p in dest.parent.iterdir()] == ["table.csv"]  # no temporary file left
    with atomic_path(dest) as tmp:
        tmp.write_text("new\n")
    assert dest.read_text() == "new\n"


def test_written_files_honour_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = atomic_write_bytes(tmp_path / "x.bin", b"\x00\x01")
    finally:
        os.umask(old)
    assert path.read_bytes() == b"\x00\x01" and path.stat().st_mode & 0o777 == 0o640


def test_json_has_no_nan_and_takes_numpy(tmp_path):
    path = atomic_write_json(
        tmp_path / "s.json",
        {"a": np.float64(1.5), "b": float("nan"), "c": np.arange(2), "d": [np.int64(3)]},
    )
    assert json.loads(path.read_text()) == {"a": 1.5, "b": None, "c": [0, 1], "d": [3]}
    compact = atomic_write_json(tmp_path / "c.json", {"a": [1, 2]}, compact=True)
    assert compact.read_text() == '{"a":[1,2]}\n'


def test_flatten_modes():
    tree = {"a": {"b": 1, "c": [1, 2], "d": {}}, "e": None, "f": "x"}
    assert flatten(tree) == {"a.b": 1, "a.c": [1, 2], "e": None, "f": "x"}
    assert flatten(tree, lists="drop") == {"a.b": 1, "e": None, "f": "x"}
    assert flatten(tree, lists="index") == {"a.b": 1, "a.c.0": 1, "a.c.1": 2, "e": None, "f": "x"}
    assert flatten({"x": [{"y": 1}]}, lists="index") == {"x.0.y": 1}
    assert flatten(5) == {"": 5}  # a bare value (an experiment's malformed override table)
