"""Every command of the README runs as written in a fresh copy of the checkout, at smoke size.

The README's fenced ``bash`` blocks run as scripts (``set -euo pipefail``) and its ``python``
blocks as programs, in a copy of the checkout (:mod:`repo_copy`). Where a command would take
minutes or never return, :func:`smoke` adds flags — a smaller scale, a sweep's ``--smoke``
version written where the README's folder is, one benchmark repeat, the app stopped once it
prints its address — and says so; nothing else is changed. Then every file
``results/README.md`` lists for a command is checked to be where that command wrote.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from repo_copy import ROOT, copy_checkout, env

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
RESULTS_README = ROOT / "results" / "README.md"

#: Start a server, wait until it prints its address, stop it (the app runs until interrupted).
SERVE = """serve() {
  "$@" > app.log 2>&1 &
  local pid=$!
  for _ in $(seq 240); do grep -q "http://" app.log && break; sleep 0.5; done
  kill -INT "$pid"; wait "$pid" || true
  grep "http://" app.log
}
"""

#: Folders the README's commands write, for each command section of results/README.md.
WRITTEN = {
    "plan": ["results/x3", "results/seed_county"],
    "run": ["results/ng", "results/seed_county", "results/my_variant"],
    "sweep": ["results/policy_packages", "results/target_factor"],
    "compare": ["results/cmp"],
    "validate": ["results/validation"],
}


def fenced(text: str, lang: str) -> list[str]:
    """The contents of the fenced code blocks of language ``lang``."""
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.S | re.M)


def smoke(command: str) -> str:
    """``command`` with the flags that make it quick (see the module docstring)."""
    cmd, comment = re.match(r"(.*?)(\s+#.*)?$", command).groups()
    if cmd == "bash scripts/seed.sh":
        cmd += " --scale 0.002"
    elif cmd == "bash scripts/test.sh":
        cmd += " -q -p no:cacheprovider tests/test_numeric.py"
    elif re.match(r"\.venv/bin/mergesim run ", cmd):
        cmd = re.sub(r"--scale \S+", "--scale 0.002", cmd)
    elif (m := re.match(r"\.venv/bin/mergesim sweep experiments/(\w+)\.toml$", cmd)) is not None:
        cmd += f" --smoke --out results/{m.group(1)} --no-progress"
    elif cmd.startswith(".venv/bin/python benchmarks/bench_plan.py"):
        cmd += " --repeat 1"
    elif cmd.startswith(".venv/bin/python benchmarks/bench_model.py"):
        cmd += " --scale 0.002 --weeks 30 --sample 300 --naive-weeks 1"
    elif cmd.startswith(".venv/bin/mergesim app"):
        cmd = "serve " + cmd + ("" if "--port" in cmd else " --port 0")
    return cmd + (comment or "")


def as_script(block: str) -> str:
    """A bash block as a script with :func:`smoke` applied (here-documents left alone)."""
    lines, in_heredoc = [], None
    for line in block.splitlines():
        if in_heredoc is not None:
            lines.append(line)
            if line == in_heredoc:
                in_heredoc = None
            continue
        if m := re.search(r"<<'?(\w+)'?", line):
            in_heredoc = m.group(1)
            lines.append(line)
            continue
        lines.append(smoke(line) if line.strip() and not line.startswith("#") else line)
    return "set -euo pipefail\n" + SERVE + "\n".join(lines) + "\n"


def _run(args: list[str], cwd: Path, what: str) -> str:
    res = subprocess.run(args, cwd=cwd, env=env(), capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, (
        f"{what} failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    )
    return res.stdout


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """The copy after every README command ran, with each block's output."""
    repo = copy_checkout(tmp_path_factory.mktemp("fresh_clone"))
    text = README.read_text(encoding="utf-8")
    outputs = []
    for i, block in enumerate(fenced(text, "bash")):
        script = repo / f"readme_block_{i}.sh"
        script.write_text(as_script(block))
        outputs.append(_run(["bash", str(script)], repo, f"README bash block {i + 1}"))
    for i, block in enumerate(fenced(text, "python")):
        program = repo / f"readme_block_{i}.py"
        program.write_text(block)
        outputs.append(
            _run([".venv/bin/python", str(program)], repo, f"README python block {i + 1}")
        )
    return repo, outputs


def test_readme_has_its_two_main_commands_and_the_blocks_this_test_runs():
    text = README.read_text(encoding="utf-8")
    blocks = fenced(text, "bash")
    assert blocks[0].strip() == "bash scripts/seed.sh"
    assert blocks[1].strip() == "bash scripts/test.sh"
    assert fenced(text, "python")


def test_smoke_changes_only_what_takes_minutes():
    assert smoke(".venv/bin/mergesim list   # x") == ".venv/bin/mergesim list   # x"
    assert smoke(".venv/bin/mergesim run s.toml --scale 0.1 --out r") == (
        ".venv/bin/mergesim run s.toml --scale 0.002 --out r"
    )
    sweep = ".venv/bin/mergesim sweep experiments/a_b.toml"
    assert smoke(sweep + "   # r") == sweep + " --smoke --out results/a_b --no-progress   # r"
    dry = ".venv/bin/mergesim sweep experiments/a.toml --dry-run"
    assert smoke(dry) == dry
    script = as_script("cat > f <<'EOF'\nx = 1 --scale 0.1\nEOF\nbash scripts/seed.sh\n")
    assert "x = 1 --scale 0.1\nEOF\nbash scripts/seed.sh --scale 0.002" in script


def test_every_readme_command_runs(ran):
    repo, outputs = ran
    joined = "\n".join(outputs)
    assert "ok: scenario 'my_variant'" in joined
    assert "http://" in joined  # the app printed its address
    assert (repo / "scenarios" / "my_variant.toml").is_file()


def _command_sections(text: str) -> dict[str, list[str]]:
    """results/README.md's files per command: the backticked names before " — " in each
    bullet of a "## `mergesim <command> ...`" section."""
    out: dict[str, list[str]] = {}
    for head, body in re.findall(r"^## (.*?)\n(.*?)(?=^## |\Z)", text, re.S | re.M):
        m = re.match(r"`mergesim (\w+)", head)
        if not m:
            continue
        names = []
        for bullet in re.findall(r"^- (.*?)(?= — |$)", body, re.M):
            names += re.findall(r"`([^`]+)`", bullet)
        out[m.group(1)] = names
    return out


def test_results_readme_lists_what_the_commands_write(ran):
    repo, _ = ran
    sections = _command_sections(RESULTS_README.read_text(encoding="utf-8"))
    assert set(sections) == set(WRITTEN)
    missing = []
    for command, names in sections.items():
        assert names, command
        for folder in WRITTEN[command]:
            for name in names:
                if not (repo / folder / name).exists():
                    missing.append(f"{command}: {folder}/{name}")
    assert not missing, f"results/README.md lists files the commands did not write: {missing}"
