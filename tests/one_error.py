"""Shared checks for refused input: every command fails with one clear line and exit code 2.

The bad-input, bad-data and hostile-input tests feed the same scenario to every command that
reads one (``validate``, ``plan``, ``run``, ``sweep``) and check the same thing: exit code 2, a
single ``mergesim: error:`` line on stderr, no traceback, and nothing written.
"""

from __future__ import annotations

from pathlib import Path

#: Timeline overrides that make a sweep of the scenario a few seconds long.
SMOKE = """
[overrides]
"timeline.warmup_weeks" = 6
"timeline.burn_in_weeks" = 1
"timeline.horizon_weeks" = 12
"timeline.transition_weeks" = 2
"timeline.post_window_weeks" = 4
"""


def one_line(capsys) -> str:
    """The single stderr line of a failed command (and no traceback)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mergesim: error: "), lines[0]
    # NumPy reprs (np.str_('x'), np.float64(1.0)) are noise in a message for a person.
    assert "np.str_(" not in lines[0] and "np.float64(" not in lines[0], lines[0]
    return lines[0]


def every_command(scenario: Path, out: Path, *, dry_run: bool = False) -> dict[str, list[str]]:
    """The argument lists of every command that reads ``scenario``, each writing below ``out``.

    The sweep's experiment file (one replicate of ``scenario`` with :data:`SMOKE`) is written
    next to ``out``, never inside it, so a refused command leaves ``out`` absent.
    """
    exp = out.parent / "exp.toml"
    exp.write_text(f'name = "exp"\nscenarios = ["{scenario}"]\nreplications = 1\n{SMOKE}')
    sweep = ["sweep", str(exp), "--out", str(out / "sweep"), "--workers", "1", "--no-progress"]
    return {
        "validate": ["validate", str(scenario)],
        "plan": ["plan", str(scenario), "--out", str(out / "plan"), "--no-maps"],
        "run": ["run", str(scenario), "--out", str(out / "run"), "--scale", "0.01", "--no-plots"],
        "sweep": [*sweep, "--dry-run"] if dry_run else sweep,
    }
