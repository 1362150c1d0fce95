"""What the import preview shows, and how exports are named and laid out."""

import io
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kpis.models import KPI
from measures.models import Measure
from transfer.models import ImportRun
from transfer.services import programme_export, programme_import

from .conftest import database_dump
from .sheets import append_row, edit, set_cell


def preview_page(client, programme, admin_user, data: bytes) -> str:
    client.force_login(admin_user)
    client.post(
        reverse("transfer:import"),
        {"programme": programme.pk, "file": SimpleUploadedFile("p.xlsx", data)},
    )
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.PREVIEW, run.errors
    return client.get(reverse("transfer:run", args=[run.pk])).content.decode()


def test_the_preview_shows_new_kpi_values_with_their_numbers_and_goal_status_labels(
    client, programme, admin_user, media_root
):
    kpi = Measure.objects.get(number="1.2").kpis.order_by("order", "id").first()

    def change(book):
        append_row(
            book,
            "Kennzahlwerte",
            {"Maßnahme": "1.2", "Kennzahl": kpi.name, "Datum": "30.09.2026", "Wert": "12.500"},
        )
        set_cell(book, "Ziele", {"Maßnahme": "1.1"}, "Status", "in Arbeit")
        append_row(book, "Maßnahmen", {"Nummer": "1.12", "Titel": "Neue Maßnahme"})
        append_row(book, "Ziele", {"Maßnahme": "1.12", "Ziel": "Ein einziges Ziel"})

    page = preview_page(
        client, programme, admin_user, edit(programme_export(programme=programme), change)
    )

    assert f"{kpi.name} 30.09.2026: 12.500" in " ".join(page.split())
    assert "<del>offen</del> → <ins>in Arbeit</ins>" in page
    assert "in_arbeit" not in page
    assert "Mit 1 Ziel</p>" in page and "1 Zielen" not in page


def test_the_csv_file_name_keeps_sharp_s_and_the_version_number(client, programme, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("transfer:export-csv", args=["measures"]))

    today = f"{timezone.localdate():%Y-%m-%d}"
    name = f"Masterplan-Digitale-Verwaltung-Arbeiten-4.0-{today}-Maßnahmen.csv"
    ascii_name = name.replace("ß", "ss")
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )


def _kpi_sheet_rows(data: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(data))["Kennzahlen"]
    headers = [cell.value for cell in sheet[1]]
    return [dict(zip(headers, row, strict=False)) for row in sheet.iter_rows(2, values_only=True)]


def test_the_kpi_sheet_carries_target_value_target_date_and_key(programme):
    kpi = KPI.objects.get(measure__number="1.1")
    kpi.target_value, kpi.target_date = Decimal("250000"), date(2027, 12, 31)
    kpi.save()

    rows = _kpi_sheet_rows(programme_export(programme=programme))

    row = next(row for row in rows if row["Schlüssel"] == kpi.pk)
    assert (row["Zielwert (Zahl)"], row["Zieldatum"].date(), row["Version"]) == (
        250000,
        date(2027, 12, 31),
        1,
    )


def test_target_value_and_date_are_read_from_the_kpi_sheet(programme):
    kpi = KPI.objects.get(measure__number="1.1")

    def change(book):
        match = {"Schlüssel": kpi.pk}
        set_cell(book, "Kennzahlen", match, "Zielwert (Zahl)", "1.500,5")
        set_cell(book, "Kennzahlen", match, "Zieldatum", "31.12.2027")

    data = edit(programme_export(programme=programme), change)
    run = programme_import(programme=programme, file_name="p.xlsx", data=data).run

    assert run.counts["kpis"]["update"] == 1
    kpi.refresh_from_db()
    assert (kpi.target_value, kpi.target_date) == (Decimal("1500.5"), date(2027, 12, 31))
    [change] = run.plan["measures"][0]["kpis"]
    assert change["fields"]["Zielwert (Zahl)"] == ["", "1.500,5"]


def test_a_bad_target_value_or_date_is_refused_naming_row_and_column(programme):
    kpi = KPI.objects.get(measure__number="1.1")
    before = database_dump()

    def change(book):
        match = {"Schlüssel": kpi.pk}
        set_cell(book, "Kennzahlen", match, "Zielwert (Zahl)", "viele")
        set_cell(book, "Kennzahlen", match, "Zieldatum", "irgendwann")

    data = edit(programme_export(programme=programme), change)
    run = programme_import(programme=programme, file_name="p.xlsx", data=data).run

    assert run.state == ImportRun.State.REJECTED
    places = {(error["sheet"], error["row"], error["column"]) for error in run.errors}
    assert places == {("Kennzahlen", 2, "Zielwert (Zahl)"), ("Kennzahlen", 2, "Zieldatum")}
    assert database_dump() == before


def test_the_template_has_the_new_columns_and_leaves_versions_empty(client, programme, admin_user):
    client.force_login(admin_user)

    book = load_workbook(io.BytesIO(client.get(reverse("transfer:template")).content))

    assert [cell.value for cell in book["Kennzahlen"][1]][-4:] == [
        "Zielwert (Zahl)",
        "Zieldatum",
        "Schlüssel",
        "Version",
    ]
    assert [cell.value for cell in book["Maßnahmen"][1]][-1] == "Version"
    assert book["Maßnahmen"].max_row == 1


def test_the_preview_lists_rows_changed_since_the_export_and_the_admin_chooses_per_row(
    client, programme, admin_user, editor_group_1, media_root
):
    from measures.services import measure_update

    exported = programme_export(programme=programme)
    status_before = Measure.objects.get(number="1.3").status
    for number, status in (("1.3", "abgeschlossen"), ("1.4", "zurueckgestellt")):
        measure = Measure.objects.get(number=number)
        measure_update(
            measure=measure,
            data={"status": status},
            expected_version=measure.version,
            by=editor_group_1,
        )

    page = preview_page(client, programme, admin_user, exported)

    assert "2 Maßnahmen wurden geändert, seit die Datei erstellt wurde" in page
    assert 'name="konflikt-1.3" value="ueberspringen" checked' in page
    assert "von erika" in page
    run = ImportRun.objects.get()
    client.post(reverse("transfer:run-confirm", args=[run.pk]), {"konflikt-1.3": "uebernehmen"})

    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED
    assert run.plan["skipped"] == ["1.4"]
    assert Measure.objects.get(number="1.3").status == status_before != "abgeschlossen"
    assert Measure.objects.get(number="1.4").status == "zurueckgestellt"
