"""Report PDFs in an S3-compatible bucket (several hosts): a real S3 server (moto's server mode),
a real worker process writing into it, and the web serving the file only through the
permission-checked download view."""

import time
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from reports.models import ReportState, StatusReport
from reports.services import report_build, report_request
from tests.conftest import s3_keys

from .conftest import PdfText, normalized

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _request(programme, by=None, enqueue=False) -> StatusReport:
    return report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="15160-19",
        report_date=date(2020, 3, 1),
        working_group_numbers=[1],
        by=by,
        enqueue=enqueue,
    )


def _wait_until_finished(report: StatusReport, worker, timeout: float = 120) -> StatusReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.state in (ReportState.DONE, ReportState.FAILED):
            return report
        time.sleep(0.3)
    raise AssertionError(f"report still {report.state}:\n{Path(worker.log_path).read_text()}")


def _download(client, report):
    return client.get(reverse("reports:download", args=[report.pk]))


@pytest.mark.worker
def test_a_worker_builds_into_the_bucket_and_the_web_serves_it_only_to_signed_in_staff(
    s3_media, settings, programme, committee_member, editor_group_2, celery_processes, client
):
    worker = celery_processes.worker()  # started with the bucket in its environment

    report = _wait_until_finished(_request(programme, by=committee_member, enqueue=True), worker)

    assert report.state == ReportState.DONE, report.error
    assert s3_keys(s3_media) == [report.file.name]
    assert report.file.name.startswith("reports/")
    stored = s3_media.get_object(Bucket=s3_media.bucket, Key=report.file.name)["Body"].read()
    assert len(PdfText(stored).pages) == report.page_count
    # The object is private, and nothing went to a local disk (worker or web).
    acl = s3_media.get_object_acl(Bucket=s3_media.bucket, Key=report.file.name)
    assert ALL_USERS not in str(acl["Grants"])
    assert not settings.MEDIA_ROOT.exists()

    anonymous = _download(client, report)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    for user in (committee_member, editor_group_2):
        client.force_login(user)
        response = _download(client, report)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == stored
    text = normalized(" ".join(PdfText(stored).pages))
    assert "1.11 Kollaboration / Virtueller Projektraum / Konferenz" in text
    assert not settings.MEDIA_ROOT.exists()


def test_a_report_whose_object_is_gone_answers_404_not_500(
    s3_media, programme, committee_member, client
):
    report = _request(programme)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    client.force_login(committee_member)
    assert _download(client, report).status_code == 200

    s3_media.delete_object(Bucket=s3_media.bucket, Key=report.file.name)

    response = _download(client, report)
    assert response.status_code == 404


def test_the_admin_links_to_the_download_view_never_to_the_bucket(
    s3_media, s3_server, programme, admin_user, client
):
    report = _request(programme)
    report_build(report_id=report.pk)
    client.force_login(admin_user)

    page = client.get(reverse("admin:reports_statusreport_change", args=[report.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert reverse("reports:download", args=[report.pk]) in content
    assert s3_server not in content and s3_media.bucket not in content
