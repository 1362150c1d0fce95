"""Damaged and hostile workbooks are refused with a German message and end their run, in
the browser as on the command line; nothing changes (issues 9 and 14)."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from transfer.models import ImportRun

from .conftest import database_dump
from .damaged import DAMAGED


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_workbook_uploaded_in_the_browser_is_refused_with_the_reason(
    client, programme, admin_user, media_root, settings, kind
):
    settings.IMPORT_INLINE_MAX_BYTES = settings.IMPORT_MAX_UPLOAD_BYTES  # checked in the request
    before = database_dump()
    client.force_login(admin_user)
    upload = SimpleUploadedFile(f"{kind}.xlsx", DAMAGED[kind](), content_type=XLSX)

    response = client.post(reverse("transfer:import"), {"programme": programme.pk, "file": upload})

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.state == ImportRun.State.REJECTED
    assert run.finished_at is not None
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "Die Datei wurde abgelehnt" in page
    assert "Datei" in run.errors[0]["message"]
    assert run.errors[0]["message"] in page
    assert "root:" not in page
    assert database_dump() == before


@pytest.mark.parametrize("kind", DAMAGED)
def test_a_damaged_workbook_on_the_command_line_is_refused_in_german(
    programme, tmp_path, capsys, kind
):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(DAMAGED[kind]())

    with pytest.raises(CommandError, match="abgelehnt"):
        call_command("import_programme", str(path))

    assert "Datei" in capsys.readouterr().err
    assert ImportRun.objects.get().state == ImportRun.State.REJECTED
