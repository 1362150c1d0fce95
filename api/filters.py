"""Query parameters of the API's lists. The measures filter like the staff list page
(`measures.filters.MeasureFilter`: working group, status, Ampel, ratings, quick win, search,
sort), with working groups given by id."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.models import KPI
from masterplan.models import WorkingGroup
from measures.filters import MeasureFilter
from measures.models import Goal
from reports.models import StatusReport
from rounds.models import ReportingRound

# Ids as plain numbers: an id the caller may not read filters to nothing, it is no error
# (which would tell that it exists).
MAX_ID = 2**63 - 1  # the largest id a database column holds


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=MAX_ID, **kwargs)


def _id(label):
    return IdFilter(label=label)


class MeasureApiFilter(MeasureFilter):
    group = IdFilter(field_name="working_group", label=_("Arbeitsgruppe"))
    programme = IdFilter(field_name="programme", label=_("Programm"))

    def __init__(self, *args, **kwargs):
        # The list page fills the working groups in as choices; here they are ids.
        django_filters.FilterSet.__init__(self, *args, **kwargs)

    @property
    def qs(self):
        # Stable across pages: ties (the same number in two programmes) by id.
        queryset = super().qs
        return queryset.order_by(*queryset.query.order_by, "pk")


class WorkingGroupApiFilter(django_filters.FilterSet):
    programme = _id(_("Programm"))

    class Meta:
        model = WorkingGroup
        fields = ["programme"]


class GoalApiFilter(django_filters.FilterSet):
    measure = _id(_("Maßnahme"))

    class Meta:
        model = Goal
        fields = ["measure", "status"]


class KPIApiFilter(django_filters.FilterSet):
    measure = _id(_("Maßnahme"))

    class Meta:
        model = KPI
        fields = ["measure"]


class RoundApiFilter(django_filters.FilterSet):
    programme = _id(_("Programm"))

    class Meta:
        model = ReportingRound
        fields = ["programme"]


class ReportApiFilter(django_filters.FilterSet):
    programme = _id(_("Programm"))

    class Meta:
        model = StatusReport
        fields = ["programme"]
