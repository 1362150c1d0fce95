"""Importing real files: valid ones change what they say, broken ones change nothing."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import KPIValue
from measures.models import ChangeRecord, Goal, Measure
from transfer.models import ImportRun
from transfer.services import programme_import

from .conftest import database_dump, read_file


def run_import(programme, name, by=None, dry_run=False, data=None):
    return programme_import(
        programme=programme,
        file_name=name,
        data=read_file(name) if data is None else data,
        by=by,
        dry_run=dry_run,
    ).run


def test_csv_with_bom_semicolons_and_forgiving_values_creates_measures(programme, admin_user):
    run = run_import(programme, "measures-semicolon-bom.csv", by=admin_user)

    assert run.errors == [] and run.state == ImportRun.State.APPLIED
    assert run.counts["measures"] == {"create": 2, "update": 0, "delete": 0, "unchanged": 0}
    new = Measure.objects.get(number="1.12")
    assert (new.status, new.cost_rating, new.personnel_rating, new.quick_win) == (
        "in_umsetzung",
        "mittel",
        "hoch",
        "ja",
    )
    assert new.description == "Neue Maßnahme.\n\n- mit Aufzählung"
    other = Measure.objects.get(number="4.7")
    assert other.cost_estimate == Decimal("30000.50")
    assert other.personnel_estimate == Decimal("1.5")
    # The estimates derive the levels through the legend, as in the edit form.
    assert (other.cost_rating, other.personnel_rating, other.timeframe_rating) == (
        "gering",
        "gering",
        "mittelfristig",
    )
    record = new.changes.get()
    assert (record.action, record.source, record.changed_by) == ("created", "import", admin_user)
    assert record.state["title"] == "Digitale Signatur"


def test_csv_with_english_headers_and_commas_is_accepted(programme):
    run = run_import(programme, "measures-comma-english.csv")

    assert run.errors == []
    measure = Measure.objects.get(number="2.4")
    assert (measure.title, measure.description, measure.working_group.numeral) == (
        "Open data portal",
        "Text, with a comma",
        "II",
    )


def test_importing_the_same_file_twice_updates_instead_of_duplicating(programme):
    run_import(programme, "programme-new-measures.xlsx")
    before = database_dump()

    run = run_import(programme, "programme-new-measures.xlsx")

    assert run.counts["measures"] == {"create": 0, "update": 0, "delete": 0, "unchanged": 2}
    assert database_dump() == before


def test_workbook_creates_measures_with_goals_kpis_and_values(programme, admin_user):
    run = run_import(programme, "programme-new-measures.xlsx", by=admin_user)

    assert run.errors == []
    measure = Measure.objects.get(number="3.6")
    assert measure.title == "=Formel im Titel bleibt Text"
    assert measure.description == "- beginnt mit Strich"
    assert list(measure.goals.values_list("order", "text", "target_date", "target_open_ended")) == [
        (1, "Erstes Ziel", date(2026, 12, 31), False),
        (2, "Zweites Ziel", date(2027, 1, 1), True),
    ]
    kpi = measure.kpis.get()
    assert (kpi.name, kpi.unit, kpi.target) == ("Teilnehmende", "Personen", "500")
    value = kpi.values.get()
    assert (value.date, value.value, value.note, value.entered_by) == (
        date(2026, 3, 31),
        Decimal("120"),
        "Q1",
        admin_user,
    )
    estimated = Measure.objects.get(number="3.7")
    assert (estimated.cost_rating, estimated.personnel_rating, estimated.timeframe_rating) == (
        "hoch",
        "gering",
        "kurzfristig",
    )


def test_a_goals_sheet_replaces_the_goals_of_the_measures_it_names(programme):
    untouched = list(Goal.objects.exclude(measure__number="4.6").values_list("pk", "text"))

    run = run_import(programme, "goals-comma.csv")

    assert run.counts["goals"] == {"create": 1, "update": 1, "delete": 0, "unchanged": 0}
    goals = Measure.objects.get(number="4.6").goals.all()
    assert [(goal.order, goal.text, goal.status) for goal in goals] == [
        (1, "Konzept abgestimmt", "offen"),
        (2, "Pilot gestartet", "in_arbeit"),
    ]
    assert list(Goal.objects.exclude(measure__number="4.6").values_list("pk", "text")) == untouched
    record = Measure.objects.get(number="4.6").changes.get(source="import")
    assert {change["action"] for change in record.diff["goals"]} == {"changed", "added"}


def test_kpi_values_are_read_with_german_and_iso_dates(programme):
    run = run_import(programme, "kpi-values.csv")

    assert run.errors == []
    values = KPIValue.objects.filter(kpi__measure__number="1.2").order_by("date")
    assert [(value.date, value.value) for value in values] == [
        (date(2020, 12, 31), Decimal("12.5")),
        (date(2021, 6, 30), Decimal("20")),
    ]
    assert Measure.objects.get(number="1.2").version == 2


def test_a_dry_run_shows_the_plan_and_changes_nothing(programme):
    before = database_dump()

    run = run_import(programme, "measures-semicolon-bom.csv", dry_run=True)

    assert run.state == ImportRun.State.PREVIEW
    assert [entry["number"] for entry in run.plan["measures"]] == ["1.12", "4.7"]
    assert database_dump() == before


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.csv", "Die Datei ist leer."),
        (
            "not-a-spreadsheet.xlsx",
            "Die Datei ist weder eine Excel-Arbeitsmappe (.xlsx) noch eine CSV-Datei "
            "(Text in UTF-8, UTF-16, Windows-1252).",
        ),
        ("zip-not-workbook.xlsx", "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."),
        ("headers-only.xlsx", "Die Datei enthält keine Daten, nur Überschriften."),
        ("wrong-columns.csv", "Zeile 1: Unbekannte Spalte 'Kostn'."),
        ("no-known-table.csv", "Die Spalten passen zu keiner bekannten Tabelle"),
        (
            "bad-rating.csv",
            "Zeile 7, Spalte Kosten: 'sehr hoch' ist kein zulässiger Wert (gering, mittel, hoch)",
        ),
        (
            "duplicate-numbers.csv",
            "Zeile 3, Spalte Nummer: '1.1' kommt doppelt vor (schon in Zeile 2).",
        ),
        (
            "unknown-working-group.csv",
            "Zeile 2, Spalte Arbeitsgruppe: Die Arbeitsgruppe 'V' gibt es nicht (I, II, III, IV).",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_changes(
    programme, admin_user, name, message
):
    before = database_dump()

    run = run_import(programme, name, by=admin_user)

    assert run.state == ImportRun.State.REJECTED
    assert any(message in error["text"] for error in run.errors), run.errors
    assert database_dump() == before
    assert not ChangeRecord.objects.filter(source="import").exists()


def test_every_error_of_a_file_is_reported_at_once_with_sheet_row_and_column(programme):
    before = database_dump()

    run = run_import(programme, "errors-on-several-sheets.xlsx")

    places = {(error["sheet"], error["row"], error["column"]) for error in run.errors}
    assert places >= {
        ("Maßnahmen", 3, "Nummer"),  # 3.8 in working group II
        ("Maßnahmen", 4, "Titel"),  # 301 characters
        ("Maßnahmen", 4, "Status"),
        ("Maßnahmen", 4, "Quickwin"),
        ("Maßnahmen", 4, "Kostenschätzung (€)"),  # negative
        ("Ziele", 2, "Maßnahme"),  # 9.9 does not exist
        ("Ziele", 3, "Ziel"),  # blank
        ("Ziele", 4, "Reihenfolge"),
        ("Kennzahlwerte", 2, "Kennzahl"),  # unknown KPI
        ("Kennzahlwerte", 3, "Datum"),
        ("Kennzahlwerte", 3, "Wert"),
    }
    assert database_dump() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(programme, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    before = database_dump()

    run = run_import(programme, "measures-semicolon-bom.csv")

    assert run.state == ImportRun.State.REJECTED
    assert "zu groß" in run.errors[0]["text"]
    assert database_dump() == before
