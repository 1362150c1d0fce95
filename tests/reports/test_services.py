"""Requesting, building, failing and retrying reports, with the real renderer and real files."""

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from masterplan.media import media_names, media_write_atomically
from measures.models import Measure
from measures.services import measure_update
from reports.models import PdfVariant, ReportState, StatusReport
from reports.pdf import render_report_pdf
from reports.rendering import render_report_html
from reports.services import (
    MAX_ATTEMPTS,
    ReportNotRetryable,
    report_build,
    report_request,
    report_retry,
)

from .conftest import PdfText, normalized


def _request(programme, **overrides):
    arguments = {
        "programme": programme,
        "title": "Anhang zum Sachstandsbericht",
        "ds_number": "15160-19",
        "report_date": date(2020, 3, 1),
        "working_group_numbers": [2],
        "enqueue": False,
    }
    return report_request(**{**arguments, **overrides})


def test_request_queues_the_build_only_when_the_transaction_commits(
    programme, committee_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = _request(programme, enqueue=True, by=committee_member)
    assert len(callbacks) == 1
    assert report.state == ReportState.QUEUED
    assert report.created_by == committee_member
    assert report.snapshot is None and report.attempts == 0


def test_request_refuses_unknown_working_groups_and_creates_nothing(programme):
    with pytest.raises(ValidationError) as error:
        _request(programme, working_group_numbers=[2, 9])
    assert "9" in str(error.value.message_dict["working_group_numbers"])
    assert not StatusReport.objects.exists()


def test_previous_report_is_the_latest_done_one(programme, media_root):
    first = _request(programme)
    report_build(report_id=first.pk)
    _request(programme)  # queued, never built
    third = _request(programme)
    assert third.previous == first


def test_build_freezes_renders_and_stores_the_pdf(programme, media_root):
    report = _request(programme, working_group_numbers=[1, 2])
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE, report.error
    assert report.attempts == 1
    assert set(report.timings) == {"snapshot", "html", "pdf", "write", "total"}
    path = Path(report.file.path)
    assert path.parent == media_root / "reports"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left
    pdf = PdfText(path.read_bytes())
    assert len(pdf.pages) == report.page_count
    assert [group["number"] for group in report.snapshot["groups"]] == [1, 2]
    assert "2.3 Digitales Ausbildungs-, Bewerbungs- und Fortbildungsmanagement" in normalized(
        " ".join(pdf.pages)
    )
    assert "3.1 Konzipierung" not in normalized(" ".join(pdf.pages))


def test_snapshot_keeps_an_old_report_as_it_was(programme, media_root):
    report = _request(programme)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    stored_text = PdfText(Path(report.file.path).read_bytes()).pages
    measure = Measure.objects.get(number="2.1")
    measure_update(
        measure=measure,
        data={"title": "Wissensmanagement 5.0", "description": "Alles neu."},
        expected_version=measure.version,
    )
    rerendered = PdfText(render_report_pdf(render_report_html(report.snapshot)).content).pages
    assert rerendered == stored_text
    assert "Wissensmanagement 4.0" in " ".join(rerendered)
    assert "Wissensmanagement 5.0" not in " ".join(rerendered)


def test_a_done_report_is_never_built_again(programme, media_root):
    report = _request(programme)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    content = Path(report.file.path).read_bytes()
    assert report_build(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.attempts == 1
    assert Path(report.file.path).read_bytes() == content


def test_build_that_cannot_write_fails_with_a_reason_and_can_be_retried(
    programme, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    report = _request(programme)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert "not-a-folder" in report.error
    assert not report.file

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report_retry(report=report)
    report.refresh_from_db()
    assert len(callbacks) == 1
    assert report.state == ReportState.QUEUED and report.error == ""
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE
    assert Path(report.file.path).is_file()


def test_only_failed_reports_can_be_retried(programme):
    report = _request(programme)
    with pytest.raises(ReportNotRetryable):
        report_retry(report=report)


def test_atomic_write_leaves_no_partial_file_when_writing_fails(media_root):
    with pytest.raises(TypeError):
        media_write_atomically(name="reports/broken.pdf", content="not bytes")
    assert list(media_names()) == []
    media_write_atomically(name="reports/ok.pdf", content=b"%PDF-1.7 data")
    assert [p.name for p in (media_root / "reports").iterdir()] == ["ok.pdf"]
    assert (media_root / "reports" / "ok.pdf").read_bytes() == b"%PDF-1.7 data"


def test_redelivered_build_gives_up_after_too_many_attempts(programme, media_root):
    report = _request(programme)
    StatusReport.objects.filter(pk=report.pk).update(
        state=ReportState.BUILDING, attempts=MAX_ATTEMPTS
    )
    assert report_build(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert str(MAX_ATTEMPTS) in report.error


def test_redelivered_build_of_an_interrupted_report_finishes_it(programme, media_root):
    """A worker died while building: the broker delivers the task again and it completes."""
    report = _request(programme)
    StatusReport.objects.filter(pk=report.pk).update(state=ReportState.BUILDING, attempts=1)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == ReportState.DONE and report.attempts == 2


def test_archival_report_is_pdfa(programme, media_root):
    report = _request(programme, pdf_variant=PdfVariant.PDF_A)
    report_build(report_id=report.pk)
    report.refresh_from_db()
    xmp = PdfText(Path(report.file.path).read_bytes()).reader.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="3"' in xmp
