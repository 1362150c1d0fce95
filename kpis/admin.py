"""KPIs and their values in the admin, read-only: they change on the measure pages, through
`kpis.services`, which write the measure's history and bump its version."""

from django.contrib import admin

from masterplan.numbers import format_decimal
from measures.admin import NUMBERS, ReadOnlyAdminMixin

from .models import KPI, KPIValue


class KPIValueInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = KPIValue
    extra = 0
    fields = ("date", "value", "note", "entered_by")
    formfield_overrides = NUMBERS


@admin.register(KPI)
class KPIAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "measure", "unit", "target", "target_value_display", "target_date")
    list_filter = ("measure__working_group", "unit")
    search_fields = ("name", "measure__number", "measure__title")
    list_select_related = ("measure",)
    inlines = [KPIValueInline]
    formfield_overrides = NUMBERS

    @admin.display(description=KPI._meta.get_field("target_value").verbose_name)
    def target_value_display(self, kpi):
        return format_decimal(kpi.target_value)


@admin.register(KPIValue)
class KPIValueAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("kpi", "date", "value_display", "note", "entered_by", "entered_at")
    list_filter = ("kpi__measure__working_group", "date")
    search_fields = ("kpi__name", "kpi__measure__number", "note")
    list_select_related = ("kpi", "entered_by")
    date_hierarchy = "date"
    formfield_overrides = NUMBERS

    @admin.display(description=KPIValue._meta.get_field("value").verbose_name, ordering="value")
    def value_display(self, value):
        return format_decimal(value.value)
