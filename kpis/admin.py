"""KPIs and their values in the admin, read-only: they change on the measure pages, through
`kpis.services`, which write the measure's history and bump its version."""

from django.contrib import admin

from measures.admin import MeasureAdmin, ReadOnlyAdminMixin

from .models import KPI, KPIValue


class KPIInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = KPI
    extra = 0
    fields = ("order", "name", "unit", "target", "target_value", "target_date")


MeasureAdmin.extra_inlines = [KPIInline]


class KPIValueInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = KPIValue
    extra = 0
    fields = ("date", "value", "note", "entered_by")


@admin.register(KPI)
class KPIAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "measure", "unit", "target", "target_value", "target_date")
    list_filter = ("measure__working_group", "unit")
    search_fields = ("name", "measure__number", "measure__title")
    list_select_related = ("measure",)
    inlines = [KPIValueInline]


@admin.register(KPIValue)
class KPIValueAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("kpi", "date", "value", "note", "entered_by", "entered_at")
    list_filter = ("kpi__measure__working_group", "date")
    search_fields = ("kpi__name", "kpi__measure__number", "note")
    list_select_related = ("kpi", "entered_by")
    date_hierarchy = "date"
