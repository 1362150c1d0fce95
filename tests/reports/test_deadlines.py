"""Every report state has a deadline: the beat watch re-sends, re-queues or fails a build, and
the report pages only read."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from masterplan import jobs
from reports.models import ReportState, StatusReport
from reports.services import MAX_ATTEMPTS, report_build, report_request, reports_watch


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


def _request(programme, **overrides):
    return report_request(
        programme=programme,
        title="Anhang zum Sachstandsbericht",
        ds_number="15160-19",
        report_date=date(2020, 3, 1),
        working_group_numbers=[2],
        **{"enqueue": False, **overrides},
    )


def _set(report, **fields):
    StatusReport.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


def test_a_build_whose_worker_died_is_queued_and_sent_again(
    programme, django_capture_on_commit_callbacks
):
    now = timezone.now()
    dead = _set(
        _request(programme),
        state=ReportState.BUILDING,
        attempts=1,
        started_at=now - jobs.run_deadline() - timedelta(seconds=1),
    )
    alive = _set(_request(programme), state=ReportState.BUILDING, attempts=1, started_at=now)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        counts = reports_watch(now=now)

    assert counts == {"sent": 0, "requeued": 1, "failed": 0}
    assert len(callbacks) == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == ReportState.QUEUED and dead.queued_at == now and dead.sent_at is None
    assert alive.state == ReportState.BUILDING


def test_a_build_interrupted_too_often_is_failed_with_the_reason(programme):
    now = timezone.now()
    report = _set(
        _request(programme),
        state=ReportState.BUILDING,
        attempts=MAX_ATTEMPTS,
        started_at=now - jobs.run_deadline() - timedelta(seconds=1),
    )

    assert reports_watch(now=now)["failed"] == 1

    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert f"{MAX_ATTEMPTS}-mal unterbrochen" in report.error


def test_a_report_the_broker_never_got_is_sent_by_the_watch(
    programme, django_capture_on_commit_callbacks
):
    now = timezone.now()
    unsent = _set(_request(programme), queued_at=now - timedelta(minutes=1))
    just_requested = _set(_request(programme), queued_at=now)
    sent = _set(_request(programme), queued_at=now - timedelta(minutes=1), sent_at=now)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        counts = reports_watch(now=now)

    assert counts == {"sent": 1, "requeued": 0, "failed": 0}
    assert len(callbacks) == 1
    for report in (unsent, just_requested, sent):
        report.refresh_from_db()
        assert report.state == ReportState.QUEUED


def test_a_report_sent_but_never_started_is_sent_again(
    programme, django_capture_on_commit_callbacks
):
    now = timezone.now()
    report = _set(
        _request(programme),
        queued_at=now - jobs.resend_after() - timedelta(seconds=2),
        sent_at=now - jobs.resend_after() - timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reports_watch(now=now)["sent"] == 1
    assert len(callbacks) == 1
    assert StatusReport.objects.get(pk=report.pk).state == ReportState.QUEUED


def test_a_report_no_worker_took_fails_after_the_queue_deadline(programme):
    now = timezone.now()
    report = _set(_request(programme), queued_at=now - jobs.queue_deadline() - timedelta(seconds=1))

    assert reports_watch(now=now)["failed"] == 1

    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert "Kein Arbeitsprozess" in report.error


def test_a_second_message_while_another_worker_builds_does_nothing(programme, media_root):
    report = _set(
        _request(programme), state=ReportState.BUILDING, attempts=1, started_at=timezone.now()
    )
    assert report_build(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.state == ReportState.BUILDING and report.attempts == 1


@pytest.mark.parametrize("view", ["reports:list", "reports:detail", "reports:status"])
def test_report_pages_only_read(client, committee_member, programme, view):
    """The deadline check is beat's job; a GET changes nothing (issue 10)."""
    started = timezone.now() - jobs.run_deadline() - timedelta(hours=1)
    report = _set(
        _request(programme, by=committee_member), state=ReportState.BUILDING, started_at=started
    )
    client.force_login(committee_member)
    args = [] if view == "reports:list" else [report.pk]

    assert client.get(reverse(view, args=args)).status_code == 200

    report.refresh_from_db()
    assert report.state == ReportState.BUILDING and report.started_at == started
