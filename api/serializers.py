"""How each resource reads in JSON. Never a user, an e-mail address or the change history.

Fields only some callers may read (the internal fields of a status update) are in every
response and null for the others, so the schema is one for all callers.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kpis.models import KPI, KPIValue
from masterplan.models import Level, Programme, QuickWin, Timeframe, WorkingGroup
from measures.models import Goal, GoalStatus, Measure, MeasureStatus, TrafficLight
from reports.models import ReportState, StatusReport
from rounds.models import ReportingRound, RoundState, UpdateState

from .selectors import is_staff_reader


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "name", "organisation", "numbering_note", "is_public"]


class WorkingGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkingGroup
        fields = ["id", "programme", "number", "numeral", "name"]


class MeasureSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=MeasureStatus.choices)
    cost_rating = serializers.ChoiceField(choices=Level.choices, allow_blank=True)
    personnel_rating = serializers.ChoiceField(choices=Level.choices, allow_blank=True)
    timeframe_rating = serializers.ChoiceField(choices=Timeframe.choices, allow_blank=True)
    quick_win = serializers.ChoiceField(choices=QuickWin.choices, allow_blank=True)
    traffic_light = serializers.ChoiceField(
        choices=TrafficLight.choices,
        allow_blank=True,
        help_text="Ampel der letzten freigegebenen Sachstandsmeldung; leer: noch keine.",
    )
    working_group_numeral = serializers.CharField(source="working_group.numeral")

    class Meta:
        model = Measure
        fields = [
            "id",
            "programme",
            "working_group",
            "working_group_numeral",
            "number",
            "title",
            "description",
            "status",
            "responsible_units",
            "cost_rating",
            "personnel_rating",
            "timeframe_rating",
            "quick_win",
            "cost_estimate",
            "personnel_estimate",
            "duration_estimate",
            "traffic_light",
            "traffic_light_round",
            "traffic_light_date",
            "version",
            "updated_at",
        ]


class GoalSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=GoalStatus.choices)

    class Meta:
        model = Goal
        fields = [
            "id",
            "measure",
            "category",
            "order",
            "text",
            "target",
            "target_date",
            "target_open_ended",
            "status",
            "progress_note",
            "updated_at",
        ]


class KPIValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = KPIValue
        fields = ["id", "kpi", "date", "value", "note"]


class KPISerializer(serializers.ModelSerializer):
    values = serializers.SerializerMethodField(help_text="Werte bis heute, älteste zuerst.")

    class Meta:
        model = KPI
        fields = [
            "id",
            "measure",
            "order",
            "name",
            "unit",
            "target",
            "target_value",
            "target_date",
            "negative_allowed",
            "values",
        ]

    @extend_schema_field(KPIValueSerializer(many=True))
    def get_values(self, kpi):
        values = self.context["values_by_kpi"].get(kpi.pk, [])
        return KPIValueSerializer(values, many=True).data


class ReportingRoundSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    update_deadline = serializers.SerializerMethodField()
    review_deadline = serializers.SerializerMethodField()

    class Meta:
        model = ReportingRound
        fields = ["id", "programme", "name", "reporting_date", "state"]
        fields += ["update_deadline", "review_deadline"]

    def _staff(self):
        return is_staff_reader(self.context["request"].user)

    @extend_schema_field(serializers.ChoiceField(choices=RoundState.choices, allow_null=True))
    def get_state(self, round_):
        return round_.state if self._staff() else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_update_deadline(self, round_):
        return round_.update_deadline.isoformat() if self._staff() else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_review_deadline(self, round_):
        return round_.review_deadline.isoformat() if self._staff() else None


class StatusUpdateSerializer(serializers.Serializer):
    """A measure's Sachstand in a round. Anonymous callers get only the latest approved one per
    measure, with `state`, the internal fields and `updated_at` null."""

    id = serializers.IntegerField()
    measure = serializers.IntegerField()
    round = serializers.IntegerField()
    round_name = serializers.CharField()
    reporting_date = serializers.DateField()
    state = serializers.ChoiceField(choices=UpdateState.choices, allow_null=True)
    approved = serializers.BooleanField()
    traffic_light = serializers.ChoiceField(choices=TrafficLight.choices, allow_blank=True)
    traffic_light_label = serializers.CharField(allow_blank=True)
    traffic_light_reason = serializers.CharField(
        allow_blank=True, allow_null=True, help_text="Null: nur intern."
    )
    traffic_light_reason_internal = serializers.BooleanField(allow_null=True)
    achieved = serializers.CharField(allow_blank=True)
    next_steps = serializers.CharField(allow_blank=True)
    decision_needed = serializers.CharField(
        allow_blank=True,
        allow_null=True,
        help_text="Entscheidungsbedarf: nur für Lenkungskreis und Admins, sonst null.",
    )
    progress_percent = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    updated_at = serializers.DateTimeField(allow_null=True)


class StatusReportSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=ReportState.choices)
    working_group_numbers = serializers.ListField(child=serializers.IntegerField())
    file_url = serializers.SerializerMethodField(
        help_text="Download der PDF-Datei über die Schnittstelle; null, solange es keine gibt."
    )

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "programme",
            "title",
            "ds_number",
            "report_date",
            "working_group_numbers",
            "round",
            "include_internal",
            "state",
            "page_count",
            "finished_at",
            "published_at",
            "file_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file_url(self, report):
        if report.state != ReportState.DONE or not report.file:
            return None
        request = self.context["request"]
        return request.build_absolute_uri(reverse("api:report-file", args=[report.pk]))
