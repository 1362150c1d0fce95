"""Numbers in spreadsheets: the CSV export writes them as German Excel reads them ("12,5", not
"12,5000"), the import reads them by the same rules as the web forms and refuses KPI values
the web refuses (dated in the future, negative unless the KPI allows it)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.models import KPI, KPIValue
from kpis.services import kpi_value_record
from measures.models import Measure
from transfer.models import ImportRun
from transfer.services import programme_export, programme_import

from .conftest import database_dump

pytestmark = pytest.mark.django_db

KPI_NAME = "Anzahl der digitalen Verwaltungsleistungen im Portal"
HEADER = "Maßnahme;Kennzahl;Datum;Wert;Bemerkung\n"


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export_writes_numbers_without_trailing_zeros(programme):
    kpi = KPI.objects.get(measure__number="1.2", name=KPI_NAME)
    kpi_value_record(kpi=kpi, date=date(2020, 12, 31), value=Decimal("12.5"))
    kpi_value_record(kpi=kpi, date=date(2021, 6, 30), value=Decimal("1500000"))
    Measure.objects.filter(number="1.2").update(cost_estimate=Decimal("30000.50"))

    values = _csv_rows(programme_export(programme=programme, file_format="csv", kind="values"))
    measures = _csv_rows(programme_export(programme=programme, file_format="csv", kind="measures"))

    assert [row["Wert"] for row in values if row["Kennzahl"] == KPI_NAME] == ["12,5", "1500000"]
    [row] = [row for row in measures if row["Nummer"] == "1.2"]
    assert row["Kostenschätzung (€)"] == "30000,5"


def _import(programme, text: str):
    return programme_import(
        programme=programme,
        file_name="werte.csv",
        data=("\ufeff" + HEADER + text).encode("utf-8"),
        by=None,
        dry_run=False,
    ).run


def test_the_import_reads_numbers_like_the_web_form(programme):
    run = _import(programme, f"1.2;{KPI_NAME};31.12.2020;12.500;\n1.2;{KPI_NAME};30.06.2021;2,5;\n")

    assert run.errors == []
    values = KPIValue.objects.filter(kpi__name=KPI_NAME, kpi__measure__number="1.2")
    assert [v.value for v in values.order_by("date")] == [Decimal("12500"), Decimal("2.5")]


def test_the_import_refuses_values_dated_in_the_future_or_negative(programme):
    before = database_dump()
    tomorrow = timezone.localdate() + timedelta(days=1)

    run = _import(
        programme,
        f"1.2;{KPI_NAME};{tomorrow:%d.%m.%Y};3;\n1.2;{KPI_NAME};31.12.2020;-4;\n",
    )

    assert run.state != ImportRun.State.APPLIED
    messages = {(error["row"], error["column"]): error["message"] for error in run.errors}
    assert messages[(2, "Datum")] == (
        f"Der Stichtag {tomorrow:%d.%m.%Y} liegt in der Zukunft. "
        "Erfassen Sie einen Wert, wenn er gemessen ist."
    )
    assert "hat keine negativen Werte" in messages[(3, "Wert")]
    assert database_dump() == before


def test_the_import_accepts_negative_values_where_the_kpi_allows_them(programme):
    KPI.objects.filter(measure__number="1.2", name=KPI_NAME).update(negative_allowed=True)

    run = _import(programme, f"1.2;{KPI_NAME};31.12.2020;-4,5;\n")

    assert run.errors == []
    assert KPIValue.objects.get(kpi__name=KPI_NAME, kpi__measure__number="1.2").value == Decimal(
        "-4.5"
    )
