"""The read API (`/api/v1/`): thin viewsets over `api.selectors`, which decides per caller
what may be read. Read-only: GET, HEAD and OPTIONS only."""

from collections import defaultdict

from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kpis.models import KPI
from masterplan.media import media_response
from masterplan.models import Programme, WorkingGroup
from measures.models import Goal, Measure
from reports.models import StatusReport
from rounds.models import ReportingRound

from . import filters, selectors
from .conditional import ConditionalGetMixin
from .serializers import (
    GoalSerializer,
    KPISerializer,
    MeasureSerializer,
    ProgrammeSerializer,
    ReportingRoundSerializer,
    StatusReportSerializer,
    StatusUpdateSerializer,
    WorkingGroupSerializer,
)

# 400, 401 and 404 are documented on every operation by `api.schema.ApiAutoSchema`.


def _id_or_404(value) -> int:
    """An id from the path; one no database column can hold does not exist."""
    number = int(value)
    if number > filters.MAX_ID:
        raise exceptions.NotFound()
    return number


class ReadOnlyApiViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]+"
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return self.readable(self.request.user)

    def get_object(self):
        _id_or_404(self.kwargs["pk"])
        return super().get_object()


class ProgrammeViewSet(ReadOnlyApiViewSet):
    """Programmes: anonymous callers see the public ones only."""

    queryset = Programme.objects.none()  # for the schema; get_queryset reads per caller
    serializer_class = ProgrammeSerializer
    readable = staticmethod(selectors.programmes_for)


class WorkingGroupViewSet(ReadOnlyApiViewSet):
    queryset = WorkingGroup.objects.none()  # for the schema; get_queryset reads per caller
    serializer_class = WorkingGroupSerializer
    filterset_class = filters.WorkingGroupApiFilter
    readable = staticmethod(selectors.working_groups_for)


class MeasureViewSet(ReadOnlyApiViewSet):
    """Measures, filtered and sorted as on the staff list page (`sort=-ampel`, `q=…`)."""

    queryset = Measure.objects.none()  # for the schema; get_queryset reads per caller
    serializer_class = MeasureSerializer
    filterset_class = filters.MeasureApiFilter
    readable = staticmethod(selectors.measures_for)


class GoalViewSet(ReadOnlyApiViewSet):
    queryset = Goal.objects.none()  # for the schema; get_queryset reads per caller
    serializer_class = GoalSerializer
    filterset_class = filters.GoalApiFilter
    readable = staticmethod(selectors.goals_for)


class KPIViewSet(ReadOnlyApiViewSet):
    """KPIs with their values measured by today."""

    queryset = KPI.objects.none()  # for the schema; get_queryset reads per caller
    serializer_class = KPISerializer
    filterset_class = filters.KPIApiFilter
    readable = staticmethod(selectors.kpis_for)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "values_by_kpi": self._values_by_kpi}

    def get_serializer(self, instance=None, *args, **kwargs):
        kpis = instance if kwargs.get("many") else [instance] if instance is not None else []
        self._values_by_kpi = defaultdict(list)
        if kpis:
            values = selectors.kpi_values_for(self.request.user).filter(
                kpi__in=[kpi.pk for kpi in kpis]
            )
            for value in values.order_by("kpi_id", "date", "pk"):
                self._values_by_kpi[value.kpi_id].append(value)
        return super().get_serializer(instance, *args, **kwargs)


class RoundViewSet(ReadOnlyApiViewSet):
    """Reporting rounds; anonymous callers see the rounds a public status comes from, with
    name and reporting date only."""

    queryset = ReportingRound.objects.none()  # for the schema; get_queryset reads per caller
    serializer_class = ReportingRoundSerializer
    filterset_class = filters.RoundApiFilter
    readable = staticmethod(selectors.rounds_for)


class ReportViewSet(ReadOnlyApiViewSet):
    """Status reports (metadata); the PDF through `file_url`. Anonymous callers see the
    published reports of public programmes."""

    queryset = StatusReport.objects.none()  # for the schema; get_queryset reads per caller
    serializer_class = StatusReportSerializer
    filterset_class = filters.ReportApiFilter
    readable = staticmethod(selectors.reports_for)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description="Die PDF-Datei."),
        }
    )
    @action(detail=True, methods=["get"], url_path="file", url_name="file")
    def file(self, request, pk=None):
        report = selectors.report_file_for(request.user, _id_or_404(pk))
        if report is None:
            raise exceptions.NotFound(_("Zu diesem Bericht gibt es keine Datei für Sie."))
        try:
            return media_response(
                report.file,
                filename=report.download_name,
                content_type="application/pdf",
                missing=_("Zu diesem Bericht gibt es keine Datei für Sie."),
            )
        except Http404 as missing:
            raise exceptions.NotFound(str(missing)) from None


class StatusUpdateFilterSerializer(serializers.Serializer):
    measure = serializers.IntegerField(required=False, min_value=0, max_value=filters.MAX_ID)
    round = serializers.IntegerField(required=False, min_value=0, max_value=filters.MAX_ID)


class StatusUpdateViewSet(ConditionalGetMixin, viewsets.GenericViewSet):
    """Sachstandsmeldungen. Staff: every update of every round, the internal fields for the
    steering committee and admins. Anonymous callers: the latest approved update of each
    public measure, without internal fields."""

    serializer_class = StatusUpdateSerializer
    lookup_value_regex = r"[0-9]+"

    def _rows(self, **filters):
        return selectors.status_updates_for(self.request.user, **filters)

    def _as_statuses(self, rows):
        return selectors.statuses_of(self.request.user, rows)

    @extend_schema(
        parameters=[StatusUpdateFilterSerializer],
        responses={200: StatusUpdateSerializer(many=True)},
    )
    def list(self, request):
        query = StatusUpdateFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(self._rows(**query.validated_data))
        data = self.get_serializer(self._as_statuses(page), many=True).data
        return self.get_paginated_response(data)

    @extend_schema(responses={200: StatusUpdateSerializer})
    def retrieve(self, request, pk=None):
        pk = _id_or_404(pk)
        rows = self._rows()
        if selectors.is_staff_reader(request.user):
            row = rows.filter(pk=pk).first()
        else:
            row = next((row for row in rows if row.id == pk), None)
        if row is None:
            raise exceptions.NotFound()
        return Response(self.get_serializer(self._as_statuses([row])[0]).data)
