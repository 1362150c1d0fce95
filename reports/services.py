"""Requesting, building and retrying status reports.

A report moves queued → building → done, or → failed with a readable reason. The build freezes
the data into the report's snapshot, renders snapshot → HTML → PDF with the pure functions of
`rendering`, writes the file atomically and only then marks the report done. A done report is
never built again, so its PDF never changes.
"""

import gc
import logging
import time
from datetime import date

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from masterplan import jobs
from masterplan.media import media_write_atomically
from masterplan.models import Programme
from masterplan.roles import is_admin
from masterplan.services import public_data_changed
from rounds.models import ReportingRound
from rounds.services import round_close

from .changes import snapshot_changes
from .models import PdfVariant, ReportState, StatusReport
from .rendering import render_report_html
from .snapshot import report_snapshot

logger = logging.getLogger(__name__)

REPORTS_FOLDER = "reports"
# A build whose worker died is re-queued (by the watch, or by the broker delivering the task
# again); after this many attempts the report is given up as failed instead of looping.
MAX_ATTEMPTS = 3


class ReportNotRetryable(Exception):
    pass


def _enqueue_build(report: StatusReport) -> None:
    """Send the build to a worker on commit; `report.sent_at` tells whether the broker took it."""
    from .tasks import build_report_task  # the task module imports this one

    def mark_sent(when):
        StatusReport.objects.filter(pk=report.pk).update(sent_at=when)
        report.sent_at = when

    jobs.job_send_on_commit(build_report_task, report.pk, mark_sent=mark_sent)


def report_request(
    *,
    programme: Programme,
    title: str,
    ds_number: str,
    report_date: date,
    working_group_numbers: list[int] | None = None,
    pdf_variant: str = PdfVariant.STANDARD,
    round: ReportingRound | None = None,
    include_internal: bool = True,
    by=None,
    enqueue: bool = True,
) -> StatusReport:
    """Create a queued report and, once the transaction commits, send it to a worker.

    With `enqueue=False` the caller builds it itself (`report_build`), as the
    `build_report` command does without `--enqueue`. A round's report compares with the
    previous round's report (`previous_round_report`).
    """
    numbers = sorted(set(working_group_numbers or []))
    known = set(programme.working_groups.values_list("number", flat=True))
    unknown = [number for number in numbers if number not in known]
    if unknown:
        raise ValidationError(
            {
                "working_group_numbers": _("Unbekannte Arbeitsgruppe: %(numbers)s")
                % {"numbers": ", ".join(str(number) for number in unknown)}
            }
        )
    if round is not None and round.programme_id != programme.pk:
        raise ValidationError({"round": _("Die Berichtsrunde gehört zu einem anderen Programm.")})
    with transaction.atomic():
        previous = (
            previous_round_report(round=round)
            if round is not None
            else StatusReport.objects.latest_done(programme)
        )
        report = StatusReport(
            programme=programme,
            title=title,
            ds_number=ds_number,
            report_date=report_date,
            working_group_numbers=numbers,
            pdf_variant=pdf_variant,
            round=round,
            include_internal=include_internal,
            previous=previous,
            created_by=by,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        report.full_clean()
        report.save()
        if enqueue:
            _enqueue_build(report)
    return report


def previous_round_report(*, round: ReportingRound) -> StatusReport | None:
    """What a round's report compares with: the latest done report of an earlier round (by
    Stichtag), else the last report of the programme (`latest_done`)."""
    earlier = (
        StatusReport.objects.filter(
            programme=round.programme,
            state=ReportState.DONE,
            round__reporting_date__lt=round.reporting_date,
        )
        .exclude(snapshot=None)
        .order_by("-round__reporting_date", "-finished_at", "-id")
        .first()
    )
    if earlier is not None:
        return earlier
    # Not a report of this same round (closed, reopened and closed again).
    return StatusReport.objects.exclude(round=round).latest_done(round.programme)


def round_close_and_report(
    *,
    round: ReportingRound,
    include_unapproved: bool,
    ds_number: str = "",
    include_internal: bool = True,
    pdf_variant: str = PdfVariant.STANDARD,
    by=None,
    enqueue: bool = True,
) -> StatusReport:
    """Close a reporting round and request its Sachstandsbericht, in one transaction.

    `rounds.services.round_close` locks the updates; the report (the committee's version, with
    internal fields unless asked otherwise) is built by a worker once the transaction commits,
    through the same pipeline as every report. A round closed again after reopening gets a new
    report; the earlier one stays as it was.
    """
    with transaction.atomic():
        round_ = round_close(round=round, include_unapproved=include_unapproved, by=by)
        return report_request(
            programme=round_.programme,
            title=(_("Sachstandsbericht %(round)s") % {"round": round_.name})[:200],
            ds_number=ds_number.strip(),
            report_date=round_.reporting_date,
            pdf_variant=pdf_variant,
            round=round_,
            include_internal=include_internal,
            by=by,
            enqueue=enqueue,
        )


def _claim(report_id: int) -> StatusReport | None:
    """Mark the report building, or return None if there is nothing (more) to build."""
    with transaction.atomic():
        report = StatusReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.state not in (ReportState.QUEUED, ReportState.BUILDING):
            return None
        if report.state == ReportState.BUILDING and jobs.is_running_elsewhere(
            report.started_at, now=timezone.now()
        ):
            return None  # a second message while another worker builds it
        if report.attempts >= MAX_ATTEMPTS:
            report.state = ReportState.FAILED
            report.error = _(
                "Der Bericht wurde nach %(attempts)d abgebrochenen Versuchen aufgegeben."
            ) % {"attempts": report.attempts}
            report.finished_at = timezone.now()
            report.save(update_fields=["state", "error", "finished_at"])
            return None
        report.state = ReportState.BUILDING
        report.attempts += 1
        report.started_at = timezone.now()
        report.error = ""
        report.save(update_fields=["state", "attempts", "started_at", "error"])
    return report


def report_freeze(*, report: StatusReport) -> dict:
    """The report's snapshot: the stored one if the report has one, else the live data now.

    What changed since the previous report is frozen with it (`snapshot["changes"]`), computed
    from the previous report's snapshot, so the summary page never reads live data again.
    """
    if report.snapshot is None:
        snapshot = report_snapshot(
            programme=report.programme,
            title=report.title,
            ds_number=report.ds_number,
            report_date=report.report_date,
            working_group_numbers=report.working_group_numbers,
            round=report.round,
            include_internal=report.include_internal,
        )
        previous = report.previous.snapshot if report.previous else None
        snapshot["changes"] = snapshot_changes(previous, snapshot)
        report.snapshot = snapshot
        report.save(update_fields=["snapshot"])
    return report.snapshot


def report_file_name(report: StatusReport) -> str:
    return f"{REPORTS_FOLDER}/{report.pk}-{report.download_name}"


def report_build(*, report_id: int) -> StatusReport | None:
    """Build a queued report: freeze, render, write, mark done (or failed with the reason).

    Safe to call twice for the same report (a redelivered task): a report that is done or
    failed is left alone. Written in the language it was requested in (`report.language`).
    """
    language = StatusReport.objects.filter(pk=report_id).values_list("language", flat=True)
    with translation.override(language.first() or settings.LANGUAGE_CODE):
        return _report_build(report_id)


def _report_build(report_id: int) -> StatusReport | None:
    report = _claim(report_id)
    if report is None:
        return None
    timings = {}
    clock = time.monotonic()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[step] = round(now - clock, 3)
        clock = now

    # Here, not at the top: the web imports this module, and only the worker renders PDFs.
    from .pdf import render_report_pdf

    failure = None
    try:
        snapshot = report_freeze(report=report)
        lap("snapshot")
        report_html = render_report_html(snapshot)
        lap("html")
        rendered = render_report_pdf(report_html, pdf_variant=report.pdf_variant)
        lap("pdf")
        name = media_write_atomically(name=report_file_name(report), content=rendered.content)
        lap("write")
    except MemoryError:
        # Never let it reach Celery, which treats MemoryError as fatal for the whole worker.
        failure = _("Für diesen Bericht reichte der Arbeitsspeicher nicht aus.")
    except SoftTimeLimitExceeded:
        failure = _("Die Erstellung hat ihr Zeitlimit überschritten und wurde abgebrochen.")
    except Exception as error:
        logger.exception("Building report %s failed", report_id)
        failure = _describe(error)
    if failure is not None:
        # Outside the except block, so the traceback's frames and their data are freed first.
        snapshot = report_html = rendered = None
        gc.collect()
        report_fail(report=report, reason=failure)
        return report
    timings["total"] = round(sum(timings.values()), 3)
    report.file.name = name
    report.page_count = rendered.page_count
    report.timings = timings
    report.state = ReportState.DONE
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "page_count", "timings", "state", "finished_at"])
    logger.info("Report %s done: %d pages, timings %s", report.pk, rendered.page_count, timings)
    return report


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def report_fail(*, report: StatusReport, reason: str) -> None:
    report.state = ReportState.FAILED
    report.error = reason
    report.finished_at = timezone.now()
    report.save(update_fields=["state", "error", "finished_at"])


def report_retry(*, report: StatusReport, by=None) -> StatusReport:
    """Queue a failed report again. Its data are frozen afresh, so a fix to the data counts."""
    with transaction.atomic():
        report = StatusReport.objects.select_for_update().get(pk=report.pk)
        if report.state != ReportState.FAILED:
            raise ReportNotRetryable(
                _("Nur ein fehlgeschlagener Bericht kann erneut erstellt werden.")
            )
        report.state = ReportState.QUEUED
        report.error = ""
        report.attempts = 0
        report.snapshot = None
        report.started_at = None
        report.finished_at = None
        report.queued_at = timezone.now()
        report.sent_at = None
        report.save(
            update_fields=[
                *("state", "error", "attempts", "snapshot", "started_at", "finished_at"),
                *("queued_at", "sent_at"),
            ]
        )
        _enqueue_build(report)
    return report


def reports_watch(*, now=None) -> dict[str, int]:
    """Celery beat's deadline check of report builds (see `masterplan.jobs`).

    - queued, but no message reached a worker (broker was down, message lost): sent again;
    - queued longer than JOB_QUEUE_DEADLINE: failed, as no worker took it;
    - building longer than JOB_RUN_DEADLINE (its worker died): queued and sent again, or
      failed once MAX_ATTEMPTS builds were started.
    """
    now = now or timezone.now()
    dead = Q(state=ReportState.BUILDING, started_at__lte=now - jobs.run_deadline())
    overdue = StatusReport.objects.filter(Q(state=ReportState.QUEUED) | dead)
    return jobs.jobs_watch(
        kind="Report",
        job_ids=overdue.values_list("pk", flat=True),
        lock=lambda pk: StatusReport.objects.select_for_update().filter(pk=pk).first(),
        watch_one=_watch_one,
        now=now,
    )


def _watch_one(report: StatusReport, *, now) -> str | None:
    if report.state == ReportState.BUILDING:
        if jobs.is_running_elsewhere(report.started_at, now=now):
            return None
        if report.attempts >= MAX_ATTEMPTS:
            report_fail(
                report=report,
                reason=_(
                    "Die Erstellung wurde %(attempts)d-mal unterbrochen (Zeitlimit "
                    "überschritten oder Arbeitsprozess beendet) und aufgegeben."
                )
                % {"attempts": report.attempts},
            )
            return "failed"
        report.state = ReportState.QUEUED
        report.queued_at, report.sent_at = now, None
        report.save(update_fields=["state", "queued_at", "sent_at"])
        _enqueue_build(report)
        return "requeued"
    if report.state != ReportState.QUEUED:
        return None
    return jobs.waiting_job_watch(
        report,
        now=now,
        fail=lambda: report_fail(
            report=report,
            reason=_(
                "Kein Arbeitsprozess hat den Bericht übernommen. Bitte erneut versuchen oder "
                "die Administration verständigen."
            ),
        ),
        send=lambda: _enqueue_build(report),
    )


# Publishing ---------------------------------------------------------------------------------


def _require_admin(by) -> None:
    if not is_admin(by):
        raise PermissionDenied(_("Nur Administrator*innen veröffentlichen Berichte."))


@transaction.atomic
def report_publish(*, report: StatusReport, by) -> StatusReport:
    """Make a done report public (the public site's report list and download, and what the
    read API and OParl serve). Refused, changing nothing, unless `can_be_published`: finished,
    with a DS number, built without the internal fields. Publishing a withdrawn report again
    makes it public again."""
    _require_admin(by)
    locked = StatusReport.objects.select_for_update().get(pk=report.pk)
    if not locked.can_be_published:
        raise ValidationError(report_publish_refusal(locked))
    if locked.is_public:
        return locked
    locked.published_at = timezone.now()
    locked.withdrawn_at = None
    locked.save(update_fields=["published_at", "withdrawn_at"])
    public_data_changed(programme_ids=[locked.programme_id])
    return locked


def report_publish_refusal(report: StatusReport) -> str:
    """Why the report may not be published, in the words the admin reads ("" if it may)."""
    if report.state != ReportState.DONE:
        return _("Nur fertig erstellte Berichte können veröffentlicht werden.")
    if report.is_draft:
        return _(
            "Ein Entwurf ohne DS-Nr. kann nicht veröffentlicht werden: bitte einen Bericht mit "
            "Drucksachennummer erstellen."
        )
    if report.include_internal:
        return _(
            "Dieser Bericht enthält interne Angaben (Entscheidungsbedarf, interne Begründungen) "
            "und kann nicht veröffentlicht werden: bitte einen Bericht ohne interne Angaben "
            "erstellen."
        )
    return ""


@transaction.atomic
def report_withdraw(*, report: StatusReport, by) -> StatusReport:
    """Take a published report off the public site (it stays for the staff); OParl then
    answers for it as for a deleted object."""
    _require_admin(by)
    locked = StatusReport.objects.select_for_update().get(pk=report.pk)
    if not locked.is_public:
        raise ValidationError(_("Der Bericht ist nicht veröffentlicht."))
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    public_data_changed(programme_ids=[locked.programme_id])
    return locked
