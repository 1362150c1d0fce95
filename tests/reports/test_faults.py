"""Report builds survive faults of real processes: a worker killed with -9, a broker that is
down. Deadlines are set short for these tests through the processes' environment."""

import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from reports.models import ReportState, StatusReport
from reports.services import report_request
from tests.http import WebClient

from .conftest import PdfText

pytestmark = [pytest.mark.fault, pytest.mark.worker]

SHORT_DEADLINES = {
    "JOB_WATCH_INTERVAL": "1",
    "JOB_RESEND_AFTER": "10",
    "JOB_RUN_DEADLINE": "20",
}
CLOSED_PORT = 18599
WEB_PORT = 18510


def wait_for(report: StatusReport, states, *, timeout: float, processes=()) -> StatusReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.state in states:
            return report
        time.sleep(0.05)
    logs = "\n".join(Path(process.log_path).read_text()[-3000:] for process in processes)
    raise AssertionError(f"report still {report.state} after {timeout} s\n{logs}")


def test_a_report_whose_worker_is_killed_mid_build_is_built_by_the_next_worker(
    media_root, programme, committee_member, celery_processes
):
    beat = celery_processes.beat(**SHORT_DEADLINES)
    first = celery_processes.worker(**SHORT_DEADLINES)
    report = report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="15160-19",
        report_date=date(2020, 3, 1),
        by=committee_member,
    )
    wait_for(report, {ReportState.BUILDING}, timeout=60, processes=[first])

    celery_processes.kill(first)

    report.refresh_from_db()
    assert report.state == ReportState.BUILDING and report.attempts == 1
    second = celery_processes.worker(**SHORT_DEADLINES)
    report = wait_for(
        report, {ReportState.DONE, ReportState.FAILED}, timeout=180, processes=[second, beat]
    )
    assert report.state == ReportState.DONE, report.error
    assert report.attempts == 2
    assert len(PdfText(Path(report.file.path).read_bytes()).pages) == report.page_count


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_with_the_broker_down_a_report_request_answers_at_once_and_is_built_once_it_is_back(
    media_root, programme, committee_member, celery_processes, tmp_path
):
    broker = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    on_that_broker = {"CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker}
    celery_processes.web(WEB_PORT, **on_that_broker)
    web = WebClient(f"http://127.0.0.1:{WEB_PORT}", committee_member)
    form = reverse("reports:create")

    response = web.post(
        form,
        {
            "title": "Anhang zum Sachstandsbericht",
            "ds_number": "15160-19",
            "report_date": "2020-03-01",
            "scope": "all",
        },
        form_path=form,
    )

    report = StatusReport.objects.get()
    assert response.status == 302, response.text[:2000]
    assert response.seconds < 10
    assert response.headers["Location"] == reverse("reports:detail", args=[report.pk])
    page = web.get(response.headers["Location"]).text
    assert "Auftragsdienst ist gerade nicht erreichbar" in page
    assert report.state == ReportState.QUEUED and report.sent_at is None

    redis = subprocess.Popen(
        ["redis-server", "--port", str(CLOSED_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        beat = celery_processes.beat(**SHORT_DEADLINES, **on_that_broker)
        worker = celery_processes.worker(**SHORT_DEADLINES, **on_that_broker)
        report = wait_for(
            report, {ReportState.DONE, ReportState.FAILED}, timeout=180, processes=[worker, beat]
        )
        assert report.state == ReportState.DONE, report.error
        assert report.sent_at is not None
    finally:
        celery_processes.stop_all()
        redis.terminate()
        redis.wait(timeout=20)
