"""Pages of spreadsheet import (admins) and export (every signed-in user)."""

import re
import unicodedata
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from masterplan.models import Programme
from masterplan.roles import is_admin

from .columns import KIND_LABELS, KINDS, SHEET_NAMES
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

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
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
    programme = Programme.objects.current()
    if programme is None:
        raise Http404(_("Es gibt noch kein Programm."))
    return programme


_TRANSLITERATION = str.maketrans(
    {"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"}
)


def file_name_part(text: str) -> str:
    """Readable in a file name: spaces to "-", "ß" and umlauts kept (the UTF-8 name) and
    "4.0" kept; only what file systems or headers refuse goes."""
    text = re.sub(r'[\\/:*?"<>|\x00-\x1f;,]+', " ", text)
    text = re.sub(r"[\s\u2013\u2014]+", "-", text.strip())
    return re.sub(r"-{2,}", "-", text).strip("-.")


def ascii_file_name(name: str) -> str:
    """The fallback name for clients without RFC 6266 `filename*`: ß → ss, ä → ae, …"""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATION))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]+", "-", text))


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_file_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


def _file_stem(programme: Programme) -> str:
    return f"{file_name_part(programme.name)[:60].rstrip('-.')}-{timezone.localdate():%Y-%m-%d}"


@require_GET
def index(request):
    programme = Programme.objects.current()
    context = {
        "programme": programme,
        "csv_kinds": [(kind, KIND_LABELS[kind]) for kind in KINDS],
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
        "programme": Programme.objects.current(),
        "csv_kinds": [(kind, KIND_LABELS[kind]) for kind in KINDS],
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
    entries = plan.get("measures", [])
    return render(
        request,
        "transfer/run_detail.html",
        {
            "run": run,
            "running": run.state in RUNNING,
            "counts": _count_rows(run.counts or plan.get("counts", {})),
            "entries": [_with_added_text(entry) for entry in entries],
            "conflicts": [entry for entry in entries if entry.get("conflict")],
            "guarded": plan.get("guarded", {}),
            "skipped": plan.get("skipped", []),
        },
    )


def _with_added_text(entry: dict) -> dict:
    """ "Mit 1 Ziel, 3 Kennzahlen" for a new measure, with proper plurals."""
    added = entry.get("added") or {}
    parts = []
    for kind, count in added.items():
        if kind == "goals":
            text = ngettext("%(count)s Ziel", "%(count)s Zielen", count)
        elif kind == "kpis":
            text = ngettext("%(count)s Kennzahl", "%(count)s Kennzahlen", count)
        else:
            text = ngettext("%(count)s Kennzahlwert", "%(count)s Kennzahlwerten", count)
        parts.append(text % {"count": count})
    if parts:
        entry = {**entry, "added_text": _("Mit %(parts)s") % {"parts": ", ".join(parts)}}
    return entry


def _count_rows(counts: dict) -> list[dict]:
    return [{"kind": KIND_LABELS[kind], **counts[kind]} for kind in KINDS if kind in counts]


@require_GET
def run_status(request, pk: int):
    """The state panel alone; the run page polls it (htmx) while the run is checked or
    applied, and reloads once it is done, to show the preview or the result."""
    run = _run(request, pk)
    running = run.state in RUNNING
    if not running and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "transfer/_run_status.html", {"run": run, "running": running})


@require_POST
def run_confirm(request, pk: int):
    run = _run(request, pk)
    if run.state != ImportRun.State.PREVIEW:
        messages.error(request, _("Dieser Import wartet nicht auf eine Bestätigung."))
        return redirect("transfer:run", pk=run.pk)
    conflicts = (run.plan or {}).get("conflicts", [])
    run = import_run_confirm(
        run=run,
        by=request.user,
        apply_anyway=[n for n in conflicts if request.POST.get(f"konflikt-{n}") == "uebernehmen"],
        delete_kpi_values=request.POST.get("kennzahlwerte_loeschen") == "ja",
    )
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
def export_workbook_ods(request):
    programme = _programme(request)
    data = programme_export(programme=programme, file_format="ods")
    return _download(data, f"{_file_stem(programme)}.ods", ODS)


@require_GET
def export_csv(request, kind: str):
    if kind not in KINDS:
        raise Http404(_("Unbekannte Tabelle."))
    programme = _programme(request)
    data = programme_export(programme=programme, file_format="csv", kind=kind)
    name = f"{_file_stem(programme)}-{file_name_part(SHEET_NAMES[kind][0])}.csv"
    return _download(data, name, "text/csv; charset=utf-8")


@require_GET
def export_template(request):
    programme = _programme(request)
    return _download(programme_template(programme=programme), "vorlage-import.xlsx", XLSX)


@require_GET
def export_template_ods(request):
    programme = _programme(request)
    data = programme_template(programme=programme, file_format="ods")
    return _download(data, "vorlage-import.ods", ODS)
