"""Anonymous, read-only answers for machines: the OParl 1.1 interface (`/oparl/v1/`) and the
open-data catalogue and downloads (`/offene-daten/`). Only public programmes and their
published reports (`public.selectors`); anything else answers 404."""

import functools
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from masterplan.http import content_conditional
from masterplan.media import media_response
from masterplan.models import Programme
from public.selectors import public_programmes
from reports.models import StatusReport

from . import oparl
from .dcat import catalogue_graph, publisher_name, to_jsonld, to_turtle
from .files import report_file_facts
from .kpidata import kpi_values_csv, kpi_values_json

JSON = "application/json; charset=utf-8"


def machine_endpoint(view):
    """Anonymous, GET/HEAD only, German texts, readable from any origin (OParl 2.6 asks for
    `Access-Control-Allow-Origin: *`); an `OParlError` becomes OParl's error object."""

    @login_not_required
    @require_safe
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override("de"):
            try:
                response = view(request, *args, **kwargs)
            except oparl.OParlError as error:
                response = JsonResponse(
                    oparl.error_object(error.message),
                    status=error.status,
                    content_type=JSON,
                    json_dumps_params={"ensure_ascii": False},
                )
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def _json(request, data: dict) -> HttpResponse:
    content = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return content_conditional(request, HttpResponse(content, content_type=JSON))


def _public_programme(pk: int) -> Programme:
    programme = public_programmes().filter(pk=pk).first()
    if programme is None:
        raise oparl.OParlError("Diese Körperschaft gibt es hier nicht.", status=404)
    return programme


def _oparl_report(pk: int) -> StatusReport:
    """A report that was published in a public programme (perhaps withdrawn since)."""
    report = StatusReport.objects.select_related("programme").filter(pk=pk).first()
    found = report and oparl.reports_for_oparl(report.programme).filter(pk=pk).first()
    if not found:
        raise oparl.OParlError("Diese Drucksache gibt es hier nicht.", status=404)
    return found


# OParl


@machine_endpoint
def oparl_system(request):
    return _json(request, oparl.system_object(public_programmes()))


@machine_endpoint
def oparl_bodies(request):
    query = oparl.ListQuery.from_params(request.GET)
    programmes = [
        programme for programme in public_programmes() if oparl.body_matches(programme, query)
    ]
    page = oparl.list_page(
        programmes,
        query=query,
        base_url=oparl.oparl_url("oparl_bodies"),
        build=oparl.body_object,
    )
    return _json(request, page)


@machine_endpoint
def oparl_body(request, body: int):
    return _json(request, oparl.body_object(_public_programme(body)))


@machine_endpoint
def oparl_papers(request, body: int):
    programme = _public_programme(body)
    query = oparl.ListQuery.from_params(request.GET)
    reports = oparl.filter_reports(oparl.reports_for_oparl(programme), query)
    page = oparl.list_page(
        reports,
        query=query,
        base_url=oparl.oparl_url("oparl_papers", body=body),
        build=oparl.paper_object,
    )
    return _json(request, page)


@machine_endpoint
def oparl_files(request, body: int):
    programme = _public_programme(body)
    query = oparl.ListQuery.from_params(request.GET)
    reports = oparl.filter_reports(oparl.reports_for_oparl(programme), query)
    page = oparl.list_page(
        reports,
        query=query,
        base_url=oparl.oparl_url("oparl_files", body=body),
        build=oparl.file_object,
    )
    return _json(request, page)


@machine_endpoint
def oparl_empty_list(request, body: int, kind: str):
    if kind not in oparl.EMPTY_LISTS.values():
        raise oparl.OParlError("Diese Liste gibt es hier nicht.", status=404)
    _public_programme(body)
    query = oparl.ListQuery.from_params(request.GET)
    base_url = oparl.oparl_url("oparl_empty_list", body=body, kind=kind)
    return _json(request, oparl.list_page([], query=query, base_url=base_url, build=None))


@machine_endpoint
def oparl_paper(request, pk: int):
    return _json(request, oparl.paper_object(_oparl_report(pk)))


@machine_endpoint
def oparl_file(request, pk: int):
    data = oparl.file_object(_oparl_report(pk))
    if data is None:
        raise oparl.OParlError("Die Datei dieser Drucksache fehlt.", status=404)
    return _json(request, data)


def _file_response(request, pk: int, *, as_attachment: bool) -> HttpResponse:
    report = _oparl_report(pk)
    if not report.is_public:
        raise oparl.OParlError("Diese Datei wurde zurückgezogen.", status=410)
    facts = report_file_facts(report)
    if facts is None:
        raise oparl.OParlError("Die Datei dieser Drucksache fehlt.", status=404)
    etag = f'"{facts.sha512[:64]}"'
    last_modified = int(report.oparl_created.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        response = not_modified
    else:
        # Without as_attachment the header says `inline` (with the name for saving):
        # OParl 2.7 forbids `attachment` at the accessUrl and requires it at the downloadUrl.
        try:
            response = media_response(
                report.file,
                filename=report.download_name,
                content_type="application/pdf",
                missing="",
                as_attachment=as_attachment,
            )
        except Http404:
            raise oparl.OParlError("Die Datei dieser Drucksache fehlt.", status=404) from None
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response


@machine_endpoint
def oparl_file_access(request, pk: int):
    return _file_response(request, pk, as_attachment=False)


@machine_endpoint
def oparl_file_download(request, pk: int):
    return _file_response(request, pk, as_attachment=True)


# Open data


def _programme_or_404(pk: int) -> Programme:
    programme = public_programmes().filter(pk=pk).first()
    if programme is None:
        raise Http404("Dieses Programm ist nicht öffentlich.")
    return programme


TURTLE = "text/turtle; charset=utf-8"
JSONLD = "application/ld+json; charset=utf-8"


def _catalogue(request, media_type: str) -> HttpResponse:
    graph = catalogue_graph(public_programmes())
    text = to_jsonld(graph) if media_type == JSONLD else to_turtle(graph)
    return content_conditional(request, HttpResponse(text.encode("utf-8"), content_type=media_type))


@machine_endpoint
def catalogue(request):
    """The DCAT-AP.de catalogue: Turtle, or JSON-LD for a client that asks for it."""
    wants_jsonld = "application/ld+json" in request.headers.get("Accept", "")
    response = _catalogue(request, JSONLD if wants_jsonld else TURTLE)
    patch_vary_headers(response, ["Accept"])
    return response


@machine_endpoint
def catalogue_turtle(request):
    return _catalogue(request, TURTLE)


@machine_endpoint
def catalogue_jsonld(request):
    return _catalogue(request, JSONLD)


def _download(request, content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return content_conditional(request, response)


@machine_endpoint
def kpi_values_csv_view(request, programme: int):
    found = _programme_or_404(programme)
    return _download(
        request, kpi_values_csv(found), "text/csv; charset=utf-8", f"kennzahlen-{found.pk}.csv"
    )


@machine_endpoint
def kpi_values_json_view(request, programme: int):
    found = _programme_or_404(programme)
    content = kpi_values_json(
        found,
        license_uri=settings.OPENDATA_LICENSE_URI,
        publisher=publisher_name(found),
    )
    return _download(request, content, JSON, f"kennzahlen-{found.pk}.json")
