"""The public site: anonymous, read-only pages of the programmes an admin made public.

No page here reads the user or the session, links to a staff page, or shows anything that
`public.selectors` does not hand out. Pages are cached and answer conditional requests
(`public.cache`); the embeddable status says which sites may frame it
(`masterplan.security.embeddable`).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from masterplan.media import media_response
from masterplan.security import embeddable

from .cache import public_cached
from .filters import PublicMeasureFilter
from .selectors import (
    public_measure,
    public_measure_list,
    public_measure_page,
    public_measure_rows,
    public_overview,
    public_programmes,
    public_report,
    public_reports,
    public_statuses,
)

PAGE_SIZE = 50


def _programme(pk: int):
    return get_object_or_404(public_programmes(), pk=pk)


def _render(request, template: str, context: dict, *, programme=None, section: str = ""):
    context = {
        "programme": programme,
        "section": section,
        "site_owner": settings.PUBLIC_ACCESSIBILITY_BODY,
        **context,
    }
    return render(request, template, context)


@login_not_required
@require_safe
@public_cached
def index(request):
    return _render(request, "public/index.html", {"programmes": list(public_programmes())})


@login_not_required
@require_safe
@public_cached
def programme_overview(request, programme: int):
    programme = _programme(programme)
    summaries = public_overview(programme)
    return _render(
        request,
        "public/overview.html",
        {
            "groups": summaries[:-1],
            "total": summaries[-1],
            "reports": public_reports(programme)[:3],
        },
        programme=programme,
        section="overview",
    )


@login_not_required
@require_safe
@public_cached
def measure_list(request, programme: int):
    programme = _programme(programme)
    queryset = public_measure_list(programme)
    measure_filter = PublicMeasureFilter(request.GET, queryset=queryset, programme=programme)
    page = Paginator(measure_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "public/measure_list.html",
        {
            "filter": measure_filter,
            "page": page,
            "measures": public_measure_rows(page.object_list),
            "is_filtered": any(v for k, v in request.GET.items() if k not in ("sort", "page")),
        },
        programme=programme,
        section="measures",
    )


@login_not_required
@require_safe
@public_cached
def measure_detail(request, programme: int, number: str):
    programme = _programme(programme)
    measure = public_measure(programme, number)
    if measure is None:
        raise Http404(_("Diese Maßnahme gibt es nicht."))
    return _render(
        request,
        "public/measure_detail.html",
        public_measure_page(measure),
        programme=programme,
        section="measures",
    )


@login_not_required
@require_safe
@embeddable
@public_cached
def measure_embed(request, programme: int, number: str):
    programme = _programme(programme)
    measure = public_measure(programme, number)
    if measure is None:
        raise Http404(_("Diese Maßnahme gibt es nicht."))
    page_url = request.build_absolute_uri(
        reverse("public:measure", kwargs={"programme": programme.pk, "number": measure.number})
    )
    return render(
        request,
        "public/embed.html",
        {
            "programme": programme,
            "measure": measure,
            "status": public_statuses([measure.pk]).get(measure.pk),
            "page_url": page_url,
        },
    )


@login_not_required
@require_safe
@public_cached
def report_list(request, programme: int):
    programme = _programme(programme)
    return _render(
        request,
        "public/report_list.html",
        {"reports": public_reports(programme)},
        programme=programme,
        section="reports",
    )


@login_not_required
@require_safe
def report_download(request, programme: int, pk: int):
    """The PDF of a published report, through this view only (no media URL)."""
    report = public_report(_programme(programme), pk)
    missing = _("Diesen Bericht gibt es nicht öffentlich.")
    if report is None:
        raise Http404(missing)
    return media_response(
        report.file, filename=report.download_name, content_type="application/pdf", missing=missing
    )


@login_not_required
@require_safe
@public_cached
def accessibility(request):
    return _render(
        request,
        "public/accessibility.html",
        {
            "contact": settings.PUBLIC_ACCESSIBILITY_CONTACT,
            "email": settings.PUBLIC_ACCESSIBILITY_EMAIL,
            "phone": settings.PUBLIC_ACCESSIBILITY_PHONE,
            "conformance": settings.PUBLIC_ACCESSIBILITY_CONFORMANCE,
            "known_issues": settings.PUBLIC_ACCESSIBILITY_KNOWN_ISSUES,
            "reviewed": settings.PUBLIC_ACCESSIBILITY_REVIEWED,
            "enforcement": settings.PUBLIC_ACCESSIBILITY_ENFORCEMENT,
            "enforcement_url": settings.PUBLIC_ACCESSIBILITY_ENFORCEMENT_URL,
        },
        section="accessibility",
    )


@login_not_required
@csrf_exempt  # the cached pages carry no CSRF token; switching the language changes no data
@require_POST
def set_language(request):
    return django_set_language(request)
