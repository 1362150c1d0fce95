"""Who may import and export, and the browser flow upload → preview → confirm."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Measure
from transfer.models import ImportRun

from .conftest import FILES, database_dump


def upload(client, name, programme):
    with open(FILES / name, "rb") as handle:
        return client.post(reverse("transfer:import"), {"programme": programme.pk, "file": handle})


@pytest.fixture
def import_run(programme, admin_user, media_root, client):
    client.force_login(admin_user)
    upload(client, "measures-semicolon-bom.csv", programme)
    client.logout()
    return ImportRun.objects.get()


@pytest.mark.parametrize("persona", ["editor_group_1", "committee_member"])
def test_only_admins_may_import(request, programme, persona, client, import_run, media_root):
    client.force_login(request.getfixturevalue(persona))
    before = database_dump()

    pages = [
        client.post(reverse("transfer:import"), {"programme": programme.pk}),
        client.get(reverse("transfer:run", args=[import_run.pk])),
        client.get(reverse("transfer:run-status", args=[import_run.pk])),
        client.post(reverse("transfer:run-confirm", args=[import_run.pk])),
        client.post(reverse("transfer:run-discard", args=[import_run.pk])),
        client.get(reverse("transfer:runs")),
    ]

    assert [page.status_code for page in pages] == [403] * len(pages)
    assert database_dump() == before
    index = client.get(reverse("transfer:index"))
    assert index.status_code == 200 and b'enctype="multipart/form-data"' not in index.content


def test_anonymous_visitors_are_sent_to_the_login(client, programme):
    response = client.get(reverse("transfer:export-workbook"))
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["editor_group_1", "committee_member", "admin_user"])
def test_every_signed_in_user_may_export(request, client, programme, persona):
    client.force_login(request.getfixturevalue(persona))

    workbook = client.get(reverse("transfer:export-workbook"))
    measures_csv = client.get(reverse("transfer:export-csv", args=["measures"]))
    template = client.get(reverse("transfer:template"))

    assert workbook.status_code == measures_csv.status_code == template.status_code == 200
    sheets = load_workbook(io.BytesIO(workbook.content)).sheetnames
    assert sheets == ["Maßnahmen", "Ziele", "Kennzahlen", "Kennzahlwerte"]
    assert measures_csv.content.decode("utf-8-sig").startswith("Nummer;Arbeitsgruppe;Titel")
    assert client.get(reverse("transfer:export-csv", args=["nothing"])).status_code == 404


def test_the_template_offers_the_allowed_values_as_lists(client, programme, committee_member):
    client.force_login(committee_member)

    book = load_workbook(io.BytesIO(client.get(reverse("transfer:template")).content))

    sheet = book["Maßnahmen"]
    assert [cell.value for cell in sheet[1]][:3] == ["Nummer", "Arbeitsgruppe", "Titel"]
    lists = {
        str(item.sqref).split(":")[0]: item.formula1
        for item in sheet.data_validations.dataValidation
    }
    assert lists["B2"] == '"I,II,III,IV"'
    assert lists["G2"] == '"gering,mittel,hoch"'
    assert lists["J2"] == '"ja,teilweise,nein"'
    assert sheet.max_row == 1


@pytest.mark.parametrize("persona", ["editor_group_1", "committee_member"])
def test_the_programme_and_the_template_download_as_opendocument(
    request, client, programme, persona
):
    from transfer.sources import read_tables

    client.force_login(request.getfixturevalue(persona))

    workbook = client.get(reverse("transfer:export-workbook-ods"))
    template = client.get(reverse("transfer:template-ods"))

    assert (
        workbook["Content-Type"]
        == template["Content-Type"]
        == ("application/vnd.oasis.opendocument.spreadsheet")
    )
    file_format, tables = read_tables(name="programm.ods", data=workbook.content)
    assert file_format == "ods"
    assert [table.title for table in tables] == [
        "Maßnahmen",
        "Ziele",
        "Kennzahlen",
        "Kennzahlwerte",
    ]
    assert len(tables[0].rows) == Measure.objects.count()
    _format, empty = read_tables(name="vorlage.ods", data=template.content)
    assert [table.headers[:3] for table in empty][0] == ["Nummer", "Arbeitsgruppe", "Titel"]
    assert all(table.rows == [] for table in empty)


def test_a_running_import_shows_its_progress_in_a_panel_htmx_polls(
    client, programme, admin_user, import_run
):
    import_run.state, import_run.progress = ImportRun.State.VALIDATING, 40
    import_run.save()
    client.force_login(admin_user)
    status_url = reverse("transfer:run-status", args=[import_run.pk])

    page = client.get(reverse("transfer:run", args=[import_run.pk])).content.decode()
    panel = client.get(status_url, headers={"HX-Request": "true"})

    assert f'hx-get="{status_url}"' in page and '<progress max="100" value="40">' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript
    assert panel.status_code == 200 and 'value="40"' in panel.content.decode()
    assert f'hx-get="{status_url}"' in panel.content.decode()


def test_a_finished_import_reloads_the_page_instead_of_polling(
    client, programme, admin_user, import_run
):
    client.force_login(admin_user)
    status_url = reverse("transfer:run-status", args=[import_run.pk])

    by_htmx = client.get(status_url, headers={"HX-Request": "true"})
    without_htmx = client.get(status_url).content.decode()
    page = client.get(reverse("transfer:run", args=[import_run.pk])).content.decode()

    assert import_run.state == ImportRun.State.PREVIEW
    assert by_htmx["HX-Refresh"] == "true"
    assert "hx-get" not in without_htmx and "Ergebnis anzeigen" in without_htmx
    assert "hx-get" not in page and '<meta http-equiv="refresh"' not in page


def test_upload_preview_and_confirm(client, programme, admin_user, media_root):
    client.force_login(admin_user)

    response = upload(client, "measures-semicolon-bom.csv", programme)

    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "transfer:run", args=[run.pk]
    )
    assert run.state == ImportRun.State.PREVIEW and run.created_by == admin_user
    assert not Measure.objects.filter(number="1.12").exists()
    preview = client.get(response["Location"]).content.decode()
    assert "1.12 Digitale Signatur" in preview and "Änderungen übernehmen" in preview

    client.post(reverse("transfer:run-confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED and run.finished_at
    assert Measure.objects.get(number="1.12").changes.get().changed_by == admin_user


def test_preview_lists_field_level_changes(client, programme, admin_user, media_root):
    client.force_login(admin_user)
    with open(FILES / "bad-rating.csv", encoding="utf-8-sig") as handle:
        fixed = handle.read().replace("sehr hoch", "hoch")
    path = media_root.parent / "fixed.csv"
    path.write_text(fixed, encoding="utf-8")
    with open(path, "rb") as handle:
        response = client.post(
            reverse("transfer:import"), {"programme": programme.pk, "file": handle}
        )

    page = client.get(response["Location"]).content.decode()

    assert '<th scope="row">Titel</th>' in page
    assert "<del>DMS und E-Akte</del>" in page and "<ins>Titel</ins>" in page


def test_discarding_a_preview_changes_nothing(client, programme, admin_user, media_root):
    client.force_login(admin_user)
    upload(client, "measures-semicolon-bom.csv", programme)
    run = ImportRun.objects.get()
    before = database_dump()

    client.post(reverse("transfer:run-discard", args=[run.pk]))

    run.refresh_from_db()
    assert run.state == ImportRun.State.CANCELLED
    assert client.post(reverse("transfer:run-confirm", args=[run.pk])).status_code == 302
    assert database_dump() == before


@pytest.mark.parametrize("name", ["not-a-spreadsheet.xlsx", "bad-rating.csv", "empty.csv"])
def test_bad_uploads_show_their_errors_and_never_a_server_error(
    client, programme, admin_user, media_root, name
):
    client.force_login(admin_user)
    before = database_dump()

    response = upload(client, name, programme)

    if name == "empty.csv":
        # Django's own form refuses an empty upload before the import sees it.
        assert response.status_code == 400
        assert "leer" in response.content.decode()
    else:
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "Die Datei wurde abgelehnt" in page.content.decode()
    assert database_dump() == before


def test_a_too_large_upload_is_refused_with_a_message(
    client, programme, admin_user, settings, media_root
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(admin_user)

    response = upload(client, "measures-semicolon-bom.csv", programme)

    assert response.status_code == 400
    assert "zu groß" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_measure_admin_links_to_import_and_export(client, programme, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("admin:measures_measure_changelist"))

    assert reverse("transfer:index") in page.content.decode()
