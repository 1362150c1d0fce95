"""Uploaded import files in an S3-compatible bucket (several hosts): the upload is stored in the
bucket, checked and applied from there, in the request or by a real worker process."""

import pytest
from django.urls import reverse

from measures.models import Measure
from tests.conftest import s3_keys
from transfer.models import ImportRun

from .conftest import FILES
from .test_tasks import wait_for


def _upload(client, programme, name="measures-semicolon-bom.csv"):
    with open(FILES / name, "rb") as handle:
        return client.post(reverse("transfer:import"), {"programme": programme.pk, "file": handle})


def test_an_upload_is_stored_in_the_bucket_and_applied_from_it(
    s3_media, settings, client, programme, admin_user
):
    client.force_login(admin_user)

    response = _upload(client, programme)

    run = ImportRun.objects.get()
    assert response["Location"] == reverse("transfer:run", args=[run.pk])
    assert run.state == ImportRun.State.PREVIEW, run.errors
    assert s3_keys(s3_media) == [run.file.name]
    assert run.file.name.startswith("imports/")
    stored = s3_media.get_object(Bucket=s3_media.bucket, Key=run.file.name)["Body"].read()
    assert stored == (FILES / "measures-semicolon-bom.csv").read_bytes()

    client.post(reverse("transfer:run-confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED, run.errors
    assert Measure.objects.filter(number="1.12").exists()
    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.worker
def test_a_large_upload_is_checked_and_applied_by_a_worker_reading_the_bucket(
    s3_media, settings, client, programme, admin_user, celery_processes
):
    celery_processes.worker()
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every upload goes to the worker
    client.force_login(admin_user)

    _upload(client, programme)

    run = wait_for(ImportRun.objects.get(), {ImportRun.State.PREVIEW, ImportRun.State.REJECTED})
    assert run.state == ImportRun.State.PREVIEW, run.errors
    assert s3_keys(s3_media) == [run.file.name]
    client.post(reverse("transfer:run-confirm", args=[run.pk]))
    run = wait_for(run, {ImportRun.State.APPLIED, ImportRun.State.REJECTED, ImportRun.State.FAILED})
    assert run.state == ImportRun.State.APPLIED, run.errors
    assert Measure.objects.filter(number="1.12").exists()
    assert not settings.MEDIA_ROOT.exists()
