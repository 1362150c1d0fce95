"""Pages of spreadsheet import (admins) and export (every signed-in user)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from masterplan.models import Programme
from masterplan.roles import is_admin

from .forms import ImportForm
from .models import ImportRun
from .services import (
    DISCARDABLE,
    FileRefused,
    import_run_confirm,
    import_run_discard,
    import_run_retry,
    import_run_start,
    programme_export,
    programme_template,
)
from .workbook import KINDS, SHEET_NAMES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = (ImportRun.State.VALIDATING, ImportRun.State.APPLYING)
NOT_SENT = _lazy(
    "Die Datei ist gespeichert, aber der Auftragsdienst ist gerade nicht erreichbar. Sie wird "
    "automatisch bearbeitet, sobald der Dienst wieder erreichbar ist; Sie müssen nichts tun."
)


def _require_admin(request) -> None:
    if not is_admin(request.user):
        raise PermissionDenied(_("Nur Administrator*innen dürfen importieren."))


def _programme(request) -> Programme:
    programmes = Programme.objects.all()
    if request.GET.get("programm"):
        return get_object_or_404(programmes, pk=request.GET["programm"])
    programme = programmes.first()
    if programme is None:
        raise Http404(_("Es gibt noch kein Programm."))
    return programme


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_stem(programme: Programme) -> str:
    return f"{slugify(programme.name)[:40]}-{timezone.localdate():%Y-%m-%d}"


@require_GET
def index(request):
    programme = Programme.objects.first()
    context = {
        "programme": programme,
        "csv_kinds": [(kind, SHEET_NAMES[kind][0]) for kind in KINDS],
        "can_import": is_admin(request.user),
    }
    if context["can_import"]:
        context["form"] = ImportForm()
        context["runs"] = ImportRun.objects.select_related("created_by")[:5]
    return render(request, "transfer/index.html", context)


@require_POST
def import_upload(request):
    _require_admin(request)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = import_run_start(
                programme=form.cleaned_data["programme"],
                file_name=upload.name,
                upload=upload,
                by=request.user,
            )
        except FileRefused as refused:
            form.add_error("file", [str(error) for error in refused.errors])
        else:
            if run.state in RUNNING and run.sent_at is None and run.started_at is None:
                messages.warning(request, NOT_SENT)
            return redirect("transfer:run", pk=run.pk)
    context = {
        "programme": Programme.objects.first(),
        "csv_kinds": [(kind, SHEET_NAMES[kind][0]) for kind in KINDS],
        "can_import": True,
        "form": form,
        "runs": ImportRun.objects.select_related("created_by")[:5],
    }
    return render(request, "transfer/index.html", context, status=400)


def _run(request, pk: int) -> ImportRun:
    _require_admin(request)
    return get_object_or_404(ImportRun.objects.select_related("programme", "created_by"), pk=pk)


@require_GET
def run_detail(request, pk: int):
    run = _run(request, pk)
    plan = run.plan or {}
    return render(
        request,
        "transfer/run_detail.html",
        {
            "run": run,
            "running": run.state in RUNNING,
            "counts": _count_rows(run.counts or plan.get("counts", {})),
            "entries": plan.get("measures", []),
        },
    )


def _count_rows(counts: dict) -> list[dict]:
    labels = {kind: names[0] for kind, names in SHEET_NAMES.items()}
    return [{"kind": labels[kind], **counts[kind]} for kind in KINDS if kind in counts]


@require_GET
def run_status(request, pk: int):
    run = _run(request, pk)
    return JsonResponse(
        {
            "state": run.state,
            "label": str(run.get_state_display()),
            "progress": run.progress,
            "finished": run.state not in RUNNING,
        }
    )


@require_POST
def run_confirm(request, pk: int):
    run = _run(request, pk)
    if run.state != ImportRun.State.PREVIEW:
        messages.error(request, _("Dieser Import wartet nicht auf eine Bestätigung."))
        return redirect("transfer:run", pk=run.pk)
    run = import_run_confirm(run=run, by=request.user)
    if run.state == ImportRun.State.APPLIED:
        messages.success(request, _("Der Import wurde übernommen."))
    elif run.state in RUNNING and run.sent_at is None and run.started_at is None:
        messages.warning(request, NOT_SENT)
    return redirect("transfer:run", pk=run.pk)


@require_POST
def run_retry(request, pk: int):
    run = _run(request, pk)
    if run.state != ImportRun.State.FAILED or not run.file:
        messages.error(request, _("Nur ein fehlgeschlagener Import kann erneut geprüft werden."))
        return redirect("transfer:run", pk=run.pk)
    run = import_run_retry(run=run)
    if run.state in RUNNING and run.sent_at is None and run.started_at is None:
        messages.warning(request, NOT_SENT)
    return redirect("transfer:run", pk=run.pk)


@require_POST
def run_discard(request, pk: int):
    run = _run(request, pk)
    if run.state not in DISCARDABLE:
        messages.error(request, _("Dieser Import kann nicht mehr verworfen werden."))
        return redirect("transfer:run", pk=run.pk)
    import_run_discard(run=run)
    messages.info(request, _("Der Import wurde verworfen; nichts wurde geändert."))
    return redirect("transfer:index")


@require_GET
def run_list(request):
    _require_admin(request)
    runs = ImportRun.objects.select_related("created_by", "programme")
    page = Paginator(runs, 50).get_page(request.GET.get("seite"))
    return render(request, "transfer/run_list.html", {"page": page})


@require_GET
def export_workbook(request):
    programme = _programme(request)
    data = programme_export(programme=programme, file_format="xlsx")
    return _download(data, f"{_file_stem(programme)}.xlsx", XLSX)


@require_GET
def export_csv(request, kind: str):
    if kind not in KINDS:
        raise Http404(_("Unbekannte Tabelle."))
    programme = _programme(request)
    data = programme_export(programme=programme, file_format="csv", kind=kind)
    name = f"{_file_stem(programme)}-{slugify(SHEET_NAMES[kind][0])}.csv"
    return _download(data, name, "text/csv; charset=utf-8")


@require_GET
def export_template(request):
    programme = _programme(request)
    return _download(programme_template(programme=programme), "vorlage-import.xlsx", XLSX)
