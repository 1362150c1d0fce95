"""One column table: a column declared once in its resource drives export, template, import
headers and cell validation."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kpis.models import KPI
from measures.resources import Column
from transfer.columns import (
    KINDS,
    MEASURES,
    RESOURCES,
    column_names,
    columns,
    english_column_names,
    header_aliases,
    identity,
    required_columns,
)
from transfer.export import template_workbook
from transfer.rows import read_rows
from transfer.sheets import read_sheets


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


@pytest.mark.parametrize("kind", KINDS)
def test_every_column_of_a_sheet_is_a_declared_column_with_unique_headers(kind):
    declared = columns(kind)

    assert declared and all(isinstance(column, Column) for column in declared.values())
    assert list(declared) == list(RESOURCES[kind]._meta.fields)
    assert len(set(column_names(kind).values())) == len(declared)
    assert len(set(english_column_names(kind).values())) == len(declared)
    # Each header, German or English, names exactly one column.
    assert set(header_aliases(kind).values()) == set(declared)
    assert set(required_columns(kind)) <= set(declared)
    assert set(identity(kind)) <= set(declared)


def test_the_template_has_the_declared_headers_and_widths(programme):
    book = load_workbook(io.BytesIO(template_workbook(programme=programme)))

    for kind in KINDS:
        sheet = book.worksheets[KINDS.index(kind)]
        assert [cell.value for cell in sheet[1]] == list(column_names(kind).values())
    measures = book.worksheets[0]
    assert measures.column_dimensions["C"].width == columns(MEASURES)["title"].width == 50
    assert measures.column_dimensions["A"].number_format == "@"  # the measure number: text


def test_a_sheet_with_english_headers_reads_as_the_german_one(programme):
    csv = "Measure;KPI;Unit;Target value\n1.1;Anträge online;Anzahl;12,5\n".encode()

    _format, sheets = read_sheets(name="kpis.csv", data=csv)
    rows = read_rows(sheets=sheets, groups=list(programme.working_groups.all()))

    assert not rows.errors
    assert rows.rows["kpis"][0]["target_value"] == Decimal("12.5")
    assert rows.rows["kpis"][0]["name"] == "Anträge online"


def test_a_text_column_is_checked_against_its_model_field_length(programme):
    limit = KPI._meta.get_field("unit").max_length
    csv = f"Maßnahme;Kennzahl;Einheit\n1.1;Anträge;{'x' * (limit + 1)}\n".encode()

    _format, sheets = read_sheets(name="kpis.csv", data=csv)
    rows = read_rows(sheets=sheets, groups=list(programme.working_groups.all()))

    assert [(error.row, error.column) for error in rows.errors] == [(2, "Einheit")]
