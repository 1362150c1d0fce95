"""The report pipeline through the broker and a real Celery worker process."""

import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from reports.models import ReportState, StatusReport
from reports.services import report_request

from .conftest import PdfText, normalized

pytestmark = pytest.mark.worker


def _wait_until_finished(report: StatusReport, worker, timeout: float = 90) -> StatusReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.state in (ReportState.DONE, ReportState.FAILED):
            return report
        time.sleep(0.3)
    raise AssertionError(f"report still {report.state}:\n{Path(worker.log_path).read_text()}")


def test_requested_report_is_built_by_the_worker(
    media_root, programme, committee_member, celery_worker_process
):
    report = report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="15160-19",
        report_date=date(2020, 3, 1),
        working_group_numbers=[1],
        by=committee_member,
    )
    report = _wait_until_finished(report, celery_worker_process)
    assert report.state == ReportState.DONE, report.error
    path = Path(report.file.path)
    assert path.is_relative_to(media_root)
    pdf = PdfText(path.read_bytes())
    assert len(pdf.pages) == report.page_count
    assert "1.11 Kollaboration / Virtueller Projektraum / Konferenz" in normalized(
        " ".join(pdf.pages)
    )
    assert report.snapshot["groups"][0]["numeral"] == "I"


def test_build_report_enqueue_waits_for_the_worker(
    media_root, programme, celery_worker_process, tmp_path, capsys
):
    output = tmp_path / "bericht.pdf"
    call_command(
        "build_report",
        "--output",
        str(output),
        "--ds-number",
        "9-20",
        "--groups",
        "IV",
        "--enqueue",
        "--timeout",
        "90",
    )
    assert "fertig" in capsys.readouterr().out
    assert PdfText(output.read_bytes()).pages
    assert StatusReport.objects.get().state == ReportState.DONE
