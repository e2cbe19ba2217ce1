"""Every relative link and every path the README and the docs mention exists.

Checked: Markdown links ``[text](target)`` (relative to the document) and code spans that name a
path (one token with a ``/``), resolved against the document's folder, the repository root,
``src/mergesim`` and ``src/mergesim/mechanisms`` (the docs name modules relative to the
package). Not checked: URLs, placeholders (``<id>``, ``*``), generated output under
``results/`` and ``.venv/``, and the files the README's own commands create.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BASES = (ROOT, ROOT / "src" / "mergesim", ROOT / "src" / "mergesim" / "mechanisms")
#: Generated: written by the commands, never committed (see results/README.md).
GENERATED = ("results/", ".venv/")
#: Files the README's own commands create (its "make a variant" section writes this one).
CREATED_BY_README = {"scenarios/my_variant.toml"}

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
SPAN = re.compile(r"`([^`\s]+)`")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def mentioned_paths(text: str) -> tuple[list[str], list[str]]:
    """The Markdown link targets and the path-like code spans of a document (fenced blocks
    are commands, run by ``tests/docs/test_readme_commands.py``)."""
    prose = FENCE.sub("", text)
    links = [t for t in LINK.findall(prose) if not re.match(r"[a-z]+:|#", t)]
    spans = []
    for token in SPAN.findall(prose):
        token = token.rstrip(".,;:")
        if "/" not in token or "://" in token or re.search(r"[<>*{}…]|\.\.\.", token):
            continue
        if token.startswith(("-", "@")) or token == "/":
            continue
        spans.append(token)
    return links, spans


def exists(doc: Path, target: str, bases=BASES) -> bool:
    target = target.split("#")[0]
    return any((base / target).exists() for base in (doc.parent, *bases))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_path_exists(doc):
    links, spans = mentioned_paths(doc.read_text(encoding="utf-8"))
    missing = [t for t in links if not (doc.parent / t.split("#")[0]).exists()]
    missing += [
        t
        for t in spans
        if not exists(doc, t)
        and not t.startswith(GENERATED)
        and t.rstrip("/") not in CREATED_BY_README
    ]
    assert not missing, f"{doc.name} names files the project does not ship: {missing}"


def test_the_checker_finds_a_missing_file(tmp_path):
    doc = tmp_path / "x.md"
    text = "see [a](nowhere.md), `scripts/nope.sh`, `docs/domain.md`, `<id>/x`, `results/a/b`"
    links, spans = mentioned_paths(text)
    assert links == ["nowhere.md"]
    assert spans == ["scripts/nope.sh", "docs/domain.md", "results/a/b"]
    assert not exists(doc, "scripts/nope.sh") and exists(doc, "docs/domain.md")


def test_no_doc_cites_the_unshipped_domain_file():
    for path in [*DOCS, *(ROOT / "src").rglob("*.py"), *(ROOT / "scenarios").glob("*.toml")]:
        assert "DOMAIN.md" not in path.read_text(encoding="utf-8"), path
