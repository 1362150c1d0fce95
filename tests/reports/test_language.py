"""A report is built by a worker, which has no request: it is written in the language it was
requested in, whatever language the worker runs in."""

from datetime import date
from pathlib import Path

import pytest
from django.utils import translation

from measures.models import Measure, MeasureStatus
from reports.models import ReportState
from reports.services import report_build, report_request

from .conftest import PdfText

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


@pytest.mark.parametrize(
    ("requested_in", "worker_in", "status_label"),
    [("en", "de", "in progress"), ("de", "en", "in Umsetzung")],
)
def test_a_report_is_built_in_the_language_it_was_requested_in(
    programme, media_root, requested_in, worker_in, status_label
):
    Measure.objects.filter(number="1.1").update(status=MeasureStatus.IN_PROGRESS)
    with translation.override(requested_in):  # the request
        report = report_request(
            programme=programme,
            title="Anhang",
            ds_number="",
            report_date=date(2026, 3, 1),
            working_group_numbers=[1],
            enqueue=False,
        )
    assert report.language == requested_in

    with translation.override(worker_in):  # the worker
        report_build(report_id=report.pk)

    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    assert report.snapshot["language"] == requested_in
    printed = next(
        m for g in report.snapshot["groups"] for m in g["measures"] if m["number"] == "1.1"
    )
    assert printed["status_label"] == status_label
    assert status_label in " ".join(PdfText(Path(report.file.path).read_bytes()).pages)
