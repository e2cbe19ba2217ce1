"""The back end's layers: no runtime import cycle, a CLI that only parses and calls the API,
and the import-linter contract of pyproject.toml (also run by scripts/test.sh)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import mergesim

SRC = Path(mergesim.__file__).parent
ROOT = SRC.parents[1]

#: What the command-line modules may import: the standard library pieces argument parsing
#: needs, and of mergesim only the API, the errors, the version and the other CLI module.
CLI_ALLOWED = {
    "__future__",
    "argparse",
    "sys",
    "collections.abc",
    "types",
    "pathlib",
    "mergesim.api",
    "mergesim.errors",
    "mergesim.cli_sweep",
}
CLI_ALLOWED_FROM_ROOT = {"__version__", "api", "cli_sweep"}


def all_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages([str(SRC)], prefix="mergesim.")
        if not m.name.endswith("__main__")
    )


@pytest.mark.slow  # about 80 fresh imports of the package: 10-30 s
def test_every_module_imports_first_without_a_cycle():
    """Import each module as the first of mergesim in a clean state (a cycle shows up as an
    ImportError or AttributeError for whichever module is imported first)."""
    script = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for k in [k for k in sys.modules if k == "mergesim" or k.startswith("mergesim.")]:
        del sys.modules[k]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""
    modules = all_modules()
    assert len(modules) > 50 and "mergesim.county.export" in modules
    res = subprocess.run(
        [sys.executable, "-c", script, *modules], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("name", ["cli.py", "cli_sweep.py"])
def test_cli_modules_import_only_the_api(name):
    tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name in CLI_ALLOWED, f"{name} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            if node.module == "mergesim":
                names = {a.name for a in node.names}
                assert names <= CLI_ALLOWED_FROM_ROOT, f"{name} imports mergesim.{names}"
            else:
                assert node.module in CLI_ALLOWED, f"{name} imports from {node.module}"


def test_the_layers_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    res = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
