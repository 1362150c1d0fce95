"""KPIs keep their identity through a spreadsheet: a rename renames, and KPI values (which
are measurements) go only with the admin's explicit consent."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import KPI, KPIValue
from kpis.services import kpi_value_record
from measures.models import Measure
from transfer.models import ImportRun
from transfer.services import programme_export, programme_import

from .sheets import delete_rows, edit, set_cell


@pytest.fixture
def kpi_with_values(programme):
    kpi = Measure.objects.get(number="1.2").kpis.order_by("order", "id").first()
    for month, value in ((3, "100"), (6, "250"), (9, "400")):
        KPIValue.objects.create(kpi=kpi, date=date(2026, month, 30), value=Decimal(value))
    return kpi


def import_file(programme, data, **options):
    return programme_import(programme=programme, file_name="p.xlsx", data=data, **options).run


def test_renaming_a_kpi_in_the_sheet_renames_it_and_keeps_its_values(programme, kpi_with_values):
    new_name = kpi_with_values.name + " (korrigiert)"
    data = edit(
        programme_export(programme=programme),
        lambda book: set_cell(
            book, "Kennzahlen", {"Schlüssel": kpi_with_values.pk}, "Kennzahl", new_name
        ),
    )

    run = import_file(programme, data)

    assert run.errors == []
    assert run.counts["kpis"] == {"create": 0, "update": 1, "delete": 0, "unchanged": 36}
    assert run.counts["values"]["delete"] == 0
    [entry] = run.plan["measures"]
    [change] = entry["kpis"]
    assert change["action"] == "changed"
    assert change["fields"]["Kennzahl"] == [kpi_with_values.name, new_name]
    kpi = KPI.objects.get(pk=kpi_with_values.pk)
    assert kpi.name == new_name
    assert kpi.values.count() == 3


def _without_kpi(programme, kpi) -> bytes:
    def change(book):
        delete_rows(book, "Kennzahlen", {"Schlüssel": kpi.pk})
        delete_rows(book, "Kennzahlwerte", {"Kennzahl": kpi.name})

    return edit(programme_export(programme=programme), change)


def test_a_kpi_left_out_of_the_sheet_says_how_many_values_go_with_it(programme, kpi_with_values):
    run = import_file(programme, _without_kpi(programme, kpi_with_values), dry_run=True)

    assert run.counts["kpis"]["delete"] == 1
    assert run.counts["values"]["delete"] == 3
    assert run.plan["guarded"] == {"kpis": 1, "values": 3}
    [change] = run.plan["measures"][0]["kpis"]
    assert (change["action"], change["value_count"], change["guarded"]) == ("removed", 3, True)


def test_without_consent_a_kpi_with_values_and_its_values_stay(programme, kpi_with_values):
    run = import_file(programme, _without_kpi(programme, kpi_with_values))

    assert run.state == ImportRun.State.APPLIED
    assert KPI.objects.get(pk=kpi_with_values.pk).values.count() == 3
    assert run.counts["values"]["delete"] == 0 and run.counts["kpis"]["delete"] == 0
    assert Measure.objects.get(number="1.2").version == 1


def test_with_consent_the_kpi_and_its_values_are_deleted(programme, kpi_with_values):
    run = import_file(programme, _without_kpi(programme, kpi_with_values), delete_kpi_values=True)

    assert run.counts["values"]["delete"] == 3
    assert not KPI.objects.filter(pk=kpi_with_values.pk).exists()
    assert not KPIValue.objects.filter(kpi_id=kpi_with_values.pk).exists()
    record = Measure.objects.get(number="1.2").changes.get(source="import")
    assert [change["action"] for change in record.diff["kpis"]] == ["removed"]


def test_kpi_values_entered_after_the_export_survive_an_import_applied_anyway(
    programme, kpi_with_values, editor_group_1
):
    exported = programme_export(programme=programme)
    kpi_value_record(
        kpi=kpi_with_values, date=date(2026, 10, 31), value=Decimal("512"), by=editor_group_1
    )

    run = import_file(programme, exported, overwrite_newer=True)

    assert run.state == ImportRun.State.APPLIED
    assert run.plan["guarded"] == {"kpis": 0, "values": 1}
    assert kpi_with_values.values.filter(date=date(2026, 10, 31), value=512).exists()


def test_the_preview_asks_for_consent_and_only_then_deletes_values(
    client, programme, admin_user, kpi_with_values, media_root
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    data = _without_kpi(programme, kpi_with_values)
    client.post(
        reverse("transfer:import"),
        {"programme": programme.pk, "file": SimpleUploadedFile("p.xlsx", data)},
    )
    run = ImportRun.objects.get()

    page = client.get(reverse("transfer:run", args=[run.pk])).content.decode()
    assert "Ja, 3 Kennzahlwerte löschen" in page
    assert 'name="kennzahlwerte_loeschen"' in page
    assert "nur mit Zustimmung" in page

    client.post(reverse("transfer:run-confirm", args=[run.pk]), {"kennzahlwerte_loeschen": "ja"})

    assert ImportRun.objects.get().state == ImportRun.State.APPLIED
    assert not KPI.objects.filter(pk=kpi_with_values.pk).exists()
