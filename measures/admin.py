from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from masterplan.numbers import NumberField

from .forms import PlainTextFormMixin
from .models import ChangeRecord, Goal, Measure
from .services import (
    GOAL_FIELDS,
    MEASURE_FIELDS,
    apply_estimates,
    measure_record_change,
    measure_state,
    validate_working_group,
)

# Estimates typed as on the edit page ("1.000.000", "2,5"), read by the same parser.
NUMBER_FIELDS = dict.fromkeys(
    ("cost_estimate", "personnel_estimate", "duration_estimate"), NumberField
)


class GoalAdminForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ("measure", *GOAL_FIELDS)


class GoalInline(admin.TabularInline):
    model = Goal
    form = GoalAdminForm
    extra = 0
    fields = ("order", "category", "text", "target", "target_date", "target_open_ended", "status")


class MeasureAdminForm(PlainTextFormMixin, forms.ModelForm):
    class Meta:
        model = Measure
        fields = ("programme", *MEASURE_FIELDS)
        field_classes = NUMBER_FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.instance.programme_id and cleaned.get("working_group"):
            self.instance.working_group = cleaned["working_group"]
            self.instance.number = cleaned.get("number", "")
            try:
                validate_working_group(self.instance)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    """Admin edits go through the same rating derivation and change history as the web UI."""

    form = MeasureAdminForm
    list_display = (
        "number",
        "title",
        "working_group",
        "status",
        "cost_rating",
        "personnel_rating",
        "timeframe_rating",
        "quick_win",
        "updated_at",
    )
    list_display_links = ("number", "title")
    list_filter = (
        "programme",
        "working_group",
        "status",
        "cost_rating",
        "personnel_rating",
        "timeframe_rating",
        "quick_win",
    )
    search_fields = ("number", "title", "description", "goals__text", "responsible_units")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [GoalInline]
    list_select_related = ("working_group",)

    def get_inlines(self, request, obj):
        # KPIs live in the kpis app, which registers its inline here (kpis.admin).
        return [*self.inlines, *getattr(self, "extra_inlines", [])]

    def save_model(self, request, obj, form, change):
        obj._state_before = measure_state(Measure.objects.get(pk=obj.pk)) if change else None
        apply_estimates(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        measure = form.instance
        before = measure._state_before
        action = ChangeRecord.Action.UPDATED if change else ChangeRecord.Action.CREATED
        measure_record_change(
            measure=measure,
            before=before if before is not None else {},
            by=request.user,
            source=ChangeRecord.Source.ADMIN,
            action=action,
        )


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    form = GoalAdminForm
    list_display = ("text", "measure", "category", "target", "target_date", "status")
    list_filter = ("status", "measure__working_group", "target_open_ended", "category")
    search_fields = ("text", "target", "category", "measure__number", "measure__title")
    list_select_related = ("measure",)
    date_hierarchy = "target_date"


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ("measure", "action", "source", "changed_by", "changed_at", "measure_version")
    list_filter = ("action", "source", "measure__working_group")
    search_fields = ("measure__number", "measure__title", "changed_by__username", "object_label")
    list_select_related = ("measure", "changed_by")
    readonly_fields = [field.name for field in ChangeRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
