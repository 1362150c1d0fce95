"""Large imports are checked and applied by a real Celery worker, with progress on the run."""

import time

import pytest
from django.urls import reverse

from measures.models import ChangeRecord, Measure
from transfer.models import ImportRun
from transfer.services import programme_export

pytestmark = pytest.mark.worker


def wait_for(run: ImportRun, states, timeout=90) -> ImportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in states:
            return run
        time.sleep(0.3)
    raise AssertionError(f"Import stayed {run.state}")


def test_a_large_import_runs_on_the_worker_from_upload_to_apply(
    media_root, settings, programme, admin_user, client, celery_worker_process, tmp_path
):
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every upload counts as large here
    data = programme_export(programme=programme, file_format="csv")
    edited = data.decode("utf-8-sig").replace("DMS und E-Akte", "DMS und E-Akte (neu)", 1)
    path = tmp_path / "massnahmen.csv"
    path.write_text(edited, encoding="utf-8-sig")
    client.force_login(admin_user)

    with open(path, "rb") as handle:
        response = client.post(
            reverse("transfer:import"), {"programme": programme.pk, "file": handle}
        )

    run = ImportRun.objects.get()
    assert response["Location"] == reverse("transfer:run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    if run.state == ImportRun.State.VALIDATING:
        assert f'hx-get="{reverse("transfer:run-status", args=[run.pk])}"' in page
    run = wait_for(run, {ImportRun.State.PREVIEW, ImportRun.State.REJECTED})
    assert run.state == ImportRun.State.PREVIEW, run.errors
    assert run.counts["measures"]["update"] == 1
    status = client.get(
        reverse("transfer:run-status", args=[run.pk]), headers={"HX-Request": "true"}
    )
    assert status["HX-Refresh"] == "true"  # htmx reloads the page, which shows the preview

    client.post(reverse("transfer:run-confirm", args=[run.pk]))

    run = wait_for(run, {ImportRun.State.APPLIED, ImportRun.State.REJECTED, ImportRun.State.FAILED})
    assert run.state == ImportRun.State.APPLIED, run.errors
    measure = Measure.objects.get(number="1.4")
    assert measure.title == "DMS und E-Akte (neu)"
    record = measure.changes.get(source=ChangeRecord.Source.IMPORT)
    assert record.changed_by == admin_user
