"""A round's status updates as a spreadsheet: download (everyone who sees the round) and
upload (editors for their working groups' measures, admins for all), in the request."""

import base64
import binascii

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from masterplan.models import WorkingGroup
from rounds.models import ReportingRound
from rounds.services import can_edit_round_updates

from .errors import FileRefused, errors_listed
from .round_updates import max_bytes, round_updates_apply, round_updates_check, round_updates_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def round_updates_download(request, pk: int):
    round_ = get_object_or_404(ReportingRound.objects.select_related("programme"), pk=pk)
    group = None
    number = request.GET.get("gruppe", "")
    if number.isdigit():
        group = WorkingGroup.objects.filter(programme=round_.programme, number=int(number)).first()
    content = round_updates_export(round=round_, working_group=group)
    suffix = f"-AG{group.number}" if group else ""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="Meldungen-{round_.pk}{suffix}.xlsx"'
    return response


def round_updates_upload(request, pk: int):
    round_ = get_object_or_404(ReportingRound.objects.select_related("programme"), pk=pk)
    if not can_edit_round_updates(request.user, round_):
        raise PermissionDenied(
            _("Meldungen hochladen können die Bearbeiter*innen einer laufenden Runde.")
        )
    context = {"round": round_, "max_mb": max_bytes() // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "transfer/round_updates_upload.html", context)
    submit = request.POST.get("als") == "eingereicht"
    name, data = _uploaded(request)
    context.update({"submit": submit, "name": name})
    if data is None:
        context["errors"] = [_("Bitte wählen Sie eine Datei (XLSX, ODS oder CSV).")]
        return render(request, "transfer/round_updates_upload.html", context, status=400)
    try:
        if request.POST.get("bestaetigen"):
            count = round_updates_apply(
                round=round_, name=name, data=data, by=request.user, submit=submit
            )
        else:
            check = round_updates_check(
                round=round_, name=name, data=data, by=request.user, submit=submit
            )
            context.update(
                {
                    "check": check,
                    "errors": [str(error) for error in errors_listed(check.errors)],
                    "file_data": base64.b64encode(data).decode("ascii"),
                }
            )
            return render(
                request,
                "transfer/round_updates_upload.html",
                context,
                status=200 if check.ok else 400,
            )
    except FileRefused as refused:
        context["errors"] = [str(error) for error in errors_listed(refused.errors)]
        return render(request, "transfer/round_updates_upload.html", context, status=400)
    if submit:
        text = ngettext(
            "%(count)s Meldung ist gespeichert und eingereicht.",
            "%(count)s Meldungen sind gespeichert und eingereicht.",
            count,
        )
    else:
        text = ngettext(
            "%(count)s Meldung ist als Entwurf gespeichert.",
            "%(count)s Meldungen sind als Entwurf gespeichert.",
            count,
        )
    messages.success(request, text % {"count": count})
    return redirect("rounds:detail", pk=round_.pk)


def _uploaded(request) -> tuple[str, bytes | None]:
    upload = request.FILES.get("datei")
    if upload is not None:
        if upload.size > max_bytes():
            return upload.name, upload.read(max_bytes() + 1)
        return upload.name, upload.read()
    encoded = request.POST.get("datei_inhalt", "")
    if not encoded:
        return "", None
    try:
        return request.POST.get("datei_name", ""), base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return "", None
