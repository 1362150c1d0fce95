from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from masterplan.media import media_response
from masterplan.models import Programme
from masterplan.roles import can_build_reports, is_admin
from rounds.forms import CloseForm
from rounds.models import ReportingRound

from .forms import ReportRequestForm
from .models import ReportState, StatusReport
from .rendering import changes_context
from .selectors import changes_since_last_report
from .services import (
    ReportNotRetryable,
    report_publish,
    report_publish_refusal,
    report_request,
    report_retry,
    report_withdraw,
    round_close_and_report,
)

FINISHED = (ReportState.DONE, ReportState.FAILED)
NOT_SENT = _lazy(
    "Der Bericht ist angelegt, aber der Auftragsdienst ist gerade nicht erreichbar. Er wird "
    "automatisch erstellt, sobald der Dienst wieder erreichbar ist; Sie müssen nichts tun."
)


def _require_builder(user) -> None:
    if not can_build_reports(user):
        raise PermissionDenied(_("Nur der Lenkungskreis und Admins erstellen Berichte."))


def report_list(request):
    reports = StatusReport.objects.select_related("created_by", "programme").prefetch_related(
        "programme__working_groups"
    )
    return render(
        request,
        "reports/report_list.html",
        {"reports": reports, "can_build": can_build_reports(request.user)},
    )


def report_create(request):
    _require_builder(request.user)
    programme = Programme.objects.current()
    if programme is None:
        raise Http404(_("Es gibt noch kein Programm."))
    form = ReportRequestForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            report = report_request(**form.service_arguments(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # No success message: the state panel of the detail page says how far the report is
            # and keeps saying it as it changes; a message would stay behind ("fertig").
            _warn_if_not_sent(request, report)
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/report_form.html", {"form": form, "programme": programme})


def _detail_context(request, report: StatusReport) -> dict:
    return {
        "report": report,
        "finished": report.state in FINISHED,
        "can_build": can_build_reports(request.user),
        "can_publish": is_admin(request.user),
        "publish_refusal": report_publish_refusal(report),
    }


def report_detail(request, pk: int):
    report = get_object_or_404(StatusReport.objects.select_related("created_by", "round"), pk=pk)
    return render(request, "reports/report_detail.html", _detail_context(request, report))


def report_status(request, pk: int):
    """The state panel alone; the detail page polls it until the report is finished."""
    report = get_object_or_404(StatusReport, pk=pk)
    return render(request, "reports/_report_status.html", _detail_context(request, report))


@require_POST
def report_retry_view(request, pk: int):
    _require_builder(request.user)
    report = get_object_or_404(StatusReport, pk=pk)
    try:
        report = report_retry(report=report, by=request.user)
    except ReportNotRetryable as error:
        messages.error(request, str(error))
    else:
        _warn_if_not_sent(request, report)
    return redirect("reports:detail", pk=report.pk)


@require_POST
def report_publish_view(request, pk: int):
    """Admins make a done report public (or take it off again); refused with the reason."""
    return _publication_step(request, pk, report_publish, _("Der Bericht ist veröffentlicht."))


@require_POST
def report_withdraw_view(request, pk: int):
    return _publication_step(
        request, pk, report_withdraw, _("Der Bericht ist nicht mehr öffentlich.")
    )


def _publication_step(request, pk: int, service, done: str):
    if not is_admin(request.user):
        raise PermissionDenied(_("Nur Administrator*innen veröffentlichen Berichte."))
    report = get_object_or_404(StatusReport, pk=pk)
    try:
        service(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("reports:detail", pk=report.pk)


def _warn_if_not_sent(request, report: StatusReport) -> None:
    if report.sent_at is None:
        messages.warning(request, NOT_SENT)


def report_download(request, pk: int):
    report = get_object_or_404(StatusReport, pk=pk, state=ReportState.DONE)
    return media_response(
        report.file,
        filename=report.download_name,
        content_type="application/pdf",
        missing=_("Die Datei dieses Berichts fehlt."),
    )


def changes_since_last(request):
    """What moved since the latest done report: a fragment the overview loads with htmx, or a
    page of its own for a plain link (or a browser without JavaScript)."""
    programme = Programme.objects.current()
    live = (
        changes_since_last_report(programme=programme, today=timezone.localdate())
        if programme
        else None
    )
    changes = changes_context(live.changes) if live and live.changes else None
    if changes:
        for measure in [*changes["measures"], *changes["added"]]:
            measure["pk"] = live.measure_ids.get(measure["number"])
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "report": live.report if live else None,
        "changes": changes,
        "heading_level": 3 if partial else 2,
    }
    template = "reports/_changes_since_last.html" if partial else "reports/changes_since_last.html"
    return render(request, template, context)


@require_POST
def round_close_view(request, pk: int):
    """The round page's close form: the round closes and its report is requested at once."""
    if not is_admin(request.user):
        raise PermissionDenied(_("Nur die Programmleitung (Admins) steuert Berichtsrunden."))
    round_ = get_object_or_404(ReportingRound, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Bitte wählen Sie, wie nicht freigegebene Meldungen in den Bericht kommen.")
        )
        return redirect("rounds:detail", pk=round_.pk)
    try:
        report = round_close_and_report(
            round=round_,
            include_unapproved=form.cleaned_data["include_unapproved"],
            ds_number=request.POST.get("ds_number", "")[:50],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("rounds:detail", pk=round_.pk)
    messages.success(
        request,
        _("Die Runde ist abgeschlossen; ihre Meldungen sind gesperrt. Der Bericht wird erstellt."),
    )
    _warn_if_not_sent(request, report)
    return redirect("reports:detail", pk=report.pk)
