"""Export → import of the same file changes nothing; user text is protected against formulas."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kpis.models import KPI
from measures.models import ChangeRecord, Measure
from measures.services import measure_update
from transfer.columns import KINDS
from transfer.services import programme_export, programme_import

from .conftest import database_dump


def assert_all_unchanged(counts: dict) -> None:
    for kind, numbers in counts.items():
        assert numbers["create"] == numbers["update"] == numbers["delete"] == 0, kind


def with_targets_and_values() -> None:
    """The seed has no numeric KPI targets and no values: give some, so the round trip
    covers those columns too."""
    for kpi in KPI.objects.filter(measure__number__in=["1.1", "1.2"]):
        kpi.target_value, kpi.target_date = Decimal("250000.5"), date(2027, 12, 31)
        kpi.save()
        kpi.values.create(date=date(2026, 6, 30), value=Decimal("12500"), note="Halbjahr")


def test_workbook_round_trip_on_the_seed_changes_nothing(programme, admin_user):
    with_targets_and_values()
    before = database_dump()
    data = programme_export(programme=programme)

    outcome = programme_import(
        programme=programme, file_name="programm.xlsx", data=data, by=admin_user
    )

    assert outcome.run.errors == []
    assert_all_unchanged(outcome.run.counts)
    assert outcome.run.counts["measures"]["unchanged"] == 25
    assert outcome.run.counts["goals"]["unchanged"] == 59
    assert outcome.run.counts["kpis"]["unchanged"] == 37
    assert outcome.run.counts["values"]["unchanged"] == 4
    assert outcome.run.plan["conflicts"] == []
    assert outcome.run.plan["measures"] == []
    assert database_dump() == before


@pytest.mark.parametrize("kind", KINDS)
def test_csv_round_trip_of_each_kind_changes_nothing(programme, admin_user, kind):
    measure = Measure.objects.get(number="1.2")
    kpi = measure.kpis.first()
    kpi.values.create(date="2020-12-31", value="12.5", note="erste Messung")
    with_targets_and_values()
    before = database_dump()
    data = programme_export(programme=programme, file_format="csv", kind=kind)
    assert data.startswith("\ufeff".encode())

    outcome = programme_import(programme=programme, file_name=f"{kind}.csv", data=data)

    assert outcome.run.errors == []
    assert_all_unchanged(outcome.run.counts)
    assert database_dump() == before


@pytest.mark.parametrize(
    "title",
    ['=HYPERLINK("http://evil.example")', "-5 Stellen", "+49 231", "@SUM(A1)", "'=schon"],
)
def test_exports_neutralise_formulas_and_import_reads_the_text_back(programme, title):
    measure = Measure.objects.get(number="1.1")
    measure_update(
        measure=measure,
        data={"title": title, "description": "- erster Punkt\n- zweiter Punkt"},
        expected_version=measure.version,
    )
    before = database_dump()

    workbook = programme_export(programme=programme)
    sheet = load_workbook(io.BytesIO(workbook))["Maßnahmen"]
    cell = sheet["C2"]
    assert cell.data_type == "s" and cell.value == "'" + title
    assert sheet["D2"].value.startswith("'- erster Punkt")
    csv_data = programme_export(programme=programme, file_format="csv")
    rows = list(csv.reader(io.StringIO(csv_data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][2] == "'" + title

    for name, data in (("p.xlsx", workbook), ("m.csv", csv_data)):
        outcome = programme_import(programme=programme, file_name=name, data=data)
        assert outcome.run.errors == []
        assert_all_unchanged(outcome.run.counts)
    assert Measure.objects.get(number="1.1").title == title
    assert database_dump() == before


def test_an_edited_export_updates_only_what_changed(programme, admin_user):
    data = programme_export(programme=programme)
    book = load_workbook(io.BytesIO(data))
    book["Maßnahmen"]["C2"] = "BYOD – neu benannt"
    book["Maßnahmen"]["G2"] = "hoch"
    book["Ziele"].delete_rows(2)  # the first goal of 1.1
    buffer = io.BytesIO()
    book.save(buffer)

    outcome = programme_import(
        programme=programme, file_name="edit.xlsx", data=buffer.getvalue(), by=admin_user
    )

    assert outcome.run.counts["measures"] == {
        "create": 0, "update": 1, "delete": 0, "unchanged": 24
    }  # fmt: skip
    measure = Measure.objects.get(number="1.1")
    assert (measure.title, measure.cost_rating, measure.version) == (
        "BYOD – neu benannt",
        "hoch",
        2,
    )
    record = measure.changes.get(source=ChangeRecord.Source.IMPORT)
    assert record.changed_by == admin_user
    assert record.diff["title"] == ["Bring Your Own Device (BYOD)", "BYOD – neu benannt"]
    assert record.diff["cost_rating"] == ["mittel", "hoch"]
    assert [change["action"] for change in record.diff["goals"]].count("removed") >= 1
    assert ChangeRecord.objects.filter(source=ChangeRecord.Source.IMPORT).count() == 1
