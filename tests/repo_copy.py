"""A copy of this checkout in a temporary folder, as a fresh clone would have it.

The copy holds the files git tracks (and new, not yet committed ones that are not ignored),
without ``results/`` output, and reuses this checkout's ``.venv`` (a symlink): its
``scripts/setup.sh`` is replaced by a check that the environment exists, because installing
into the shared ``.venv`` from the copy would re-point its editable install at the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SETUP_STUB = """#!/usr/bin/env bash
# Test stub (tests/repo_copy.py): the copy reuses the checkout's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
test -x .venv/bin/mergesim
"""


def checkout_files() -> list[str]:
    """Paths (relative to the checkout) git tracks or would track; skips without git."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [p for p in out.splitlines() if (ROOT / p).is_file()]


def copy_checkout(dest: Path) -> Path:
    """Copy the checkout to ``dest`` (see the module docstring); return ``dest``."""
    for rel in checkout_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    (dest / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    (dest / "scripts" / "setup.sh").write_text(SETUP_STUB)
    return dest


def env() -> dict[str, str]:
    """The environment for commands run in a copy (no display, no progress bars)."""
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
