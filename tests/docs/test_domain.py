"""docs/domain.md: its mapping table is current, and the catalogue behind it is consistent
with the schema and with the validation suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from mergesim.config import Scenario, iter_params
from mergesim.validation import catalogue as cat
from mergesim.validation import checks_report, suite
from mergesim.validation.figures import BEGIN, END, REGENERATE, render_table, replace_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "domain.md"
KEYS = {key for key, *_ in iter_params(Scenario)}


def test_mapping_table_is_current():
    text = DOC.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert replace_table(text) == text, f"docs/domain.md's table is out of date; run `{REGENERATE}`"


def test_every_figure_is_in_the_table_with_its_role():
    table = render_table()
    for f in cat.FIGURES:
        row = next((line for line in table.splitlines() if line.startswith(f"| {f.text[:40]}")), "")
        assert f"| **{f.role}** |" in row, f.id


def test_catalogue_is_consistent():
    ids = [f.id for f in cat.FIGURES]
    assert len(ids) == len(set(ids))
    for f in cat.FIGURES:
        assert f.role in cat.ROLES, f.id
        assert f.section in cat.SECTIONS, f.id
        unknown = set(f.keys) - KEYS
        assert not unknown, f"{f.id}: not scenario keys: {unknown}"
        if f.role == cat.CALIBRATION:
            assert f.keys, f"{f.id}: a calibration target names the knobs fitted to it"
        if f.role == cat.NOT_MODELLED:
            assert f.note, f"{f.id}: say why it is not modelled"


def test_the_docs_sections_are_the_ones_the_code_cites():
    text = DOC.read_text(encoding="utf-8")
    for sec in cat.SECTIONS:
        assert f"\n## §{sec} " in text, sec


@pytest.mark.parametrize(
    "fn", [checks_report.plan_calibration, checks_report.plan_validation], ids=lambda f: f.__name__
)
def test_report_rows_cite_figures_of_their_part(fn):
    for row in fn():
        assert cat.FIGURES[[f.id for f in cat.FIGURES].index(row.figure)].role == row.part


def test_every_check_of_the_command_is_registered():
    names = {fn.__name__ for fn in suite.all_checks()}
    for fn in (
        checks_report.plan_rules,
        checks_report.plan_calibration,
        checks_report.plan_validation,
        checks_report.services_layout,
        checks_report.cadre_rules,
        checks_report.cadre_calibration,
        checks_report.cadre_validation,
    ):
        assert fn.__name__ in names
