"""OParl 1.1 objects (https://oparl.org/spezifikation/): plain dicts built from public data.

One `System`, one `Body` per public programme, each published report as a `Paper` whose
`mainFile` is its PDF as a `File`. A withdrawn report stays an object with `deleted: true` and
only `id`, `type`, `created`, `modified` (spec 2.8); lists show deleted objects only to clients
asking with `modified_since` (spec 2.5, the update mechanism). The other lists a Body must name
(organisations, persons, meetings, …) exist and are empty: Sachstand has no such objects.
Identifiers are absolute URLs under `settings.SITE_URL`, the one canonical address.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import DateTimeField, F, Min, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from masterplan.models import Programme
from measures.models import ChangeRecord
from public.selectors import public_reports_ever
from reports.models import StatusReport

from .files import report_file_facts

SCHEMA = "https://schema.oparl.org/1.1/"
# Lists a Body must link to although Sachstand has none of their objects (always empty).
EMPTY_LISTS = {
    "organization": "organisationen",
    "person": "personen",
    "meeting": "sitzungen",
    "agendaItem": "tagesordnungspunkte",
    "consultation": "beratungen",
    "locationList": "orte",
    "legislativeTermList": "wahlperioden",
    "membership": "mitgliedschaften",
}
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
# Before anything was recorded: the creation time of objects without a date of their own.
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


class OParlError(Exception):
    """A request OParl answers with an error object (spec 2.9) and this HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def oparl_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(f"opendata:{name}", kwargs=kwargs)


def website_url() -> str:
    """The site people read (System.website, the catalogue's homepage): the public site."""
    return settings.OPENDATA_WEBSITE_URL or settings.SITE_URL + reverse("public:index")


def timestamp(moment: datetime) -> str:
    """OParl's date-time: yyyy-mm-ddThh:mm:ss±hh:mm."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def error_object(message: str, debug: str = "") -> dict:
    data = {"type": SCHEMA + "Error", "message": message}
    if debug:
        data["debug"] = debug
    return data


# System and Body


def _programmes_created(programmes) -> datetime:
    first = ChangeRecord.objects.filter(measure__programme__in=programmes).aggregate(
        first=Min("changed_at")
    )["first"]
    return first or EPOCH


def system_object(programmes: QuerySet[Programme]) -> dict:
    created = _programmes_created(programmes)
    data = {
        "id": oparl_url("oparl_system"),
        "type": SCHEMA + "System",
        "oparlVersion": SCHEMA,
        "body": oparl_url("oparl_bodies"),
        "name": settings.OPARL_SYSTEM_NAME,
        "license": settings.OPENDATA_LICENSE_URI,
        "website": website_url(),
        "created": timestamp(created),
        "modified": timestamp(created),
    }
    if settings.OPENDATA_CONTACT_EMAIL:
        data["contactEmail"] = settings.OPENDATA_CONTACT_EMAIL
    if settings.OPENDATA_CONTACT_NAME:
        data["contactName"] = settings.OPENDATA_CONTACT_NAME
    return data


def body_name(programme: Programme) -> str:
    if programme.organisation:
        return f"{programme.organisation} – {programme.name}"
    return programme.name


def body_object(programme: Programme) -> dict:
    created = _programmes_created([programme])
    lists = {
        key: oparl_url("oparl_empty_list", body=programme.pk, kind=slug)
        for key, slug in EMPTY_LISTS.items()
    }
    return {
        "id": oparl_url("oparl_body", body=programme.pk),
        "type": SCHEMA + "Body",
        "system": oparl_url("oparl_system"),
        "name": body_name(programme),
        "shortName": programme.name,
        "license": settings.OPENDATA_LICENSE_URI,
        "paper": oparl_url("oparl_papers", body=programme.pk),
        "file": oparl_url("oparl_files", body=programme.pk),
        **lists,
        "legislativeTerm": [],
        "created": timestamp(created),
        "modified": timestamp(created),
    }


# Papers and files: the published reports


def reports_for_oparl(programme: Programme) -> QuerySet[StatusReport]:
    """The programme's published reports, withdrawn ones included, with the OParl `created`
    (when the PDF was done) and `modified` (the latest of done, published, withdrawn) as
    annotations, so that lists filter on the same values the objects show."""
    created = Coalesce(F("finished_at"), F("created_at"), output_field=DateTimeField())
    return (
        public_reports_ever(programme)
        .select_related("programme")
        .prefetch_related("programme__working_groups")
        .annotate(
            oparl_created=created,
            oparl_modified=Greatest(
                created,
                Coalesce(F("published_at"), F("created_at"), output_field=DateTimeField()),
                Coalesce(F("withdrawn_at"), F("created_at"), output_field=DateTimeField()),
                output_field=DateTimeField(),
            ),
        )
        .order_by("pk")
    )


def _deleted(report: StatusReport, kind: str, url_name: str) -> dict:
    return {
        "id": oparl_url(url_name, pk=report.pk),
        "type": SCHEMA + kind,
        "created": timestamp(report.oparl_created),
        "modified": timestamp(report.oparl_modified),
        "deleted": True,
    }


def paper_name(report: StatusReport) -> str:
    groups = report.selected_groups_label()
    return f"{report.title} ({groups})" if groups else report.title


def file_object(report: StatusReport, *, embedded: bool = False) -> dict | None:
    """The report's PDF as an OParl File; None when the file is missing."""
    if not report.is_public:
        return _deleted(report, "File", "oparl_file")
    facts = report_file_facts(report)
    if facts is None:
        return None
    data = {
        "id": oparl_url("oparl_file", pk=report.pk),
        "type": SCHEMA + "File",
        "name": paper_name(report),
        "fileName": report.download_name,
        "mimeType": "application/pdf",
        "date": report.report_date.isoformat(),
        "size": facts.size,
        "sha512Checksum": facts.sha512,
        "accessUrl": oparl_url("oparl_file_access", pk=report.pk),
        "downloadUrl": oparl_url("oparl_file_download", pk=report.pk),
        "fileLicense": settings.OPENDATA_LICENSE_URI,
        "license": settings.OPENDATA_LICENSE_URI,
        "created": timestamp(report.oparl_created),
        "modified": timestamp(report.oparl_modified),
    }
    if facts.text:
        data["text"] = facts.text
    if not embedded:
        # Back references only outside the Paper that embeds it (File.paper in the schema).
        data["paper"] = [oparl_url("oparl_paper", pk=report.pk)]
    return data


def paper_object(report: StatusReport) -> dict:
    if not report.is_public:
        return _deleted(report, "Paper", "oparl_paper")
    data = {
        "id": oparl_url("oparl_paper", pk=report.pk),
        "type": SCHEMA + "Paper",
        "body": oparl_url("oparl_body", body=report.programme_id),
        "name": paper_name(report),
        "reference": report.ds_number,
        "date": report.report_date.isoformat(),
        "paperType": settings.OPARL_PAPER_TYPE,
        "license": settings.OPENDATA_LICENSE_URI,
        "created": timestamp(report.oparl_created),
        "modified": timestamp(report.oparl_modified),
    }
    main_file = file_object(report, embedded=True)
    if main_file is not None:
        data["mainFile"] = main_file
    return data


# Lists


@dataclass(frozen=True)
class ListQuery:
    """What a client asked of an external list: filters, page and page size (spec 2.5)."""

    filters: dict[str, datetime]
    page: int
    limit: int
    asked_limit: bool

    @classmethod
    def from_params(cls, params) -> "ListQuery":
        filters = {}
        for name in FILTERS:
            raw = params.get(name)
            if not raw:
                continue
            # An unencoded "+" of the offset arrives as a space.
            try:
                moment = parse_datetime(raw.replace(" ", "+"))
            except ValueError:  # well formed, but no such moment (month 13)
                moment = None
            if moment is None:
                raise OParlError(
                    f"{name}: „{raw}“ ist kein Zeitpunkt der Form yyyy-mm-ddThh:mm:ss±hh:mm."
                )
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            filters[name] = moment
        page = _positive_int(params, "page", 1)
        limit = min(
            _positive_int(params, "limit", settings.OPARL_PAGE_SIZE), settings.OPARL_PAGE_SIZE
        )
        return cls(filters=filters, page=page, limit=limit, asked_limit="limit" in params)

    @property
    def with_deleted(self) -> bool:
        return "modified_since" in self.filters

    def params(self, page: int) -> str:
        """The canonical query string (sorted names) of a page of this list."""
        values = {name: timestamp(moment) for name, moment in self.filters.items()}
        if self.asked_limit:
            values["limit"] = str(self.limit)
        if page > 1:
            values["page"] = str(page)
        return urlencode(sorted(values.items()))


def _positive_int(params, name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise OParlError(f"{name}: „{raw}“ ist keine positive ganze Zahl.")
    return int(raw)


def body_matches(programme: Programme, query: ListQuery) -> bool:
    """Whether a body passes the list's filters (its created and modified are one moment)."""
    moment = _programmes_created([programme])
    return all(
        moment >= bound if name.endswith("_since") else moment <= bound
        for name, bound in query.filters.items()
    )


def filter_reports(reports: QuerySet[StatusReport], query: ListQuery) -> QuerySet[StatusReport]:
    lookups = {
        "created_since": "oparl_created__gte",
        "created_until": "oparl_created__lte",
        "modified_since": "oparl_modified__gte",
        "modified_until": "oparl_modified__lte",
    }
    reports = reports.filter(**{lookups[name]: moment for name, moment in query.filters.items()})
    if not query.with_deleted:
        reports = reports.filter(withdrawn_at__isnull=True)
    return reports


def list_page(items, *, query: ListQuery, base_url: str, build) -> dict:
    """One page of an external list: `data`, `pagination`, `links` (spec 2.5). `items` is a
    queryset or list in a stable order; `build` turns one item into its object (None: leave
    it out, e.g. a file missing on disk)."""
    total = items.count() if isinstance(items, QuerySet) else len(items)
    pages = max(1, -(-total // query.limit))
    if query.page > pages:
        raise OParlError(f"page: Diese Liste hat nur {pages} Seite(n).", status=404)
    start = (query.page - 1) * query.limit
    data = [obj for obj in (build(item) for item in items[start : start + query.limit]) if obj]

    def link(page: int) -> str:
        params = query.params(page)
        return f"{base_url}?{params}" if params else base_url

    links = {"first": link(1), "self": link(query.page), "last": link(pages)}
    if query.page > 1:
        links["prev"] = link(query.page - 1)
    if query.page < pages:
        links["next"] = link(query.page + 1)
    return {
        "data": data,
        "pagination": {
            "totalElements": total,
            "elementsPerPage": query.limit,
            "currentPage": query.page,
            "totalPages": pages,
        },
        "links": links,
    }
