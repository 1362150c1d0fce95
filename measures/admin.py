"""The Django admin: measures are saved through the same services as the web pages.

Every write goes through `measure_create` / `measure_update` (version check, validation,
history). Goals, KPIs and their values are edited on the measure's edit page, which writes
history and bumps the version; the admin shows them read-only. The change history is
append-only: nobody adds, changes or deletes it here, superusers included.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from kpis.models import KPI
from masterplan.numbers import NumberField

from .forms import PlainTextFormMixin
from .models import ChangeRecord, Goal, Measure
from .rows import KPIS, validate_working_group
from .services import MEASURE_FIELDS, measure_create, measure_update

# Estimates typed as on the edit page ("1.000.000", "2,5"), read by the same parser.
NUMBER_FIELDS = dict.fromkeys(
    ("cost_estimate", "personnel_estimate", "duration_estimate"), NumberField
)
# Numbers typed as on the web pages ("12.500", "2,5"), read by the same parser.
NUMBERS = {models.DecimalField: {"form_class": NumberField}}


class ReadOnlyAdminMixin:
    """Shown, never written: these rows change only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GoalInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Goal
    extra = 0
    fields = ("order", "category", "text", "target", "target_date", "target_open_ended", "status")


class KPIInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = KPI
    extra = 0
    fields = KPIS.fields
    formfield_overrides = NUMBERS


class MeasureAdminForm(PlainTextFormMixin, forms.ModelForm):
    # The version the form was loaded at; a save based on an older one is refused.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Measure
        fields = ("programme", *MEASURE_FIELDS)
        field_classes = NUMBER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("expected_version", self.instance.version)
            self.fields["expected_version"].required = True

    def clean(self):
        cleaned = super().clean()
        measure = self.instance
        if measure.pk and cleaned.get("expected_version") not in (None, measure.version):
            last = measure.changes.select_related("changed_by").first()
            who = last.changed_by if last else None
            who = (who.get_full_name() or who.get_username()) if who else gettext("System")
            raise ValidationError(
                gettext(
                    "Diese Maßnahme wurde inzwischen geändert (jetzt Version %(version)s, "
                    "zuletzt von %(who)s). Ihre Änderungen wurden nicht gespeichert: laden Sie "
                    "die Seite neu und tragen Sie sie erneut ein."
                )
                % {
                    "version": measure.version,
                    "who": who,
                },
                code="stale",
            )
        if measure.programme_id and cleaned.get("working_group"):
            measure.working_group = cleaned["working_group"]
            measure.number = cleaned.get("number", "")
            try:
                validate_working_group(measure)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    """Saves through `measure_create` / `measure_update`, checking the version it was loaded at."""

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
    inlines = [GoalInline, KPIInline]
    list_select_related = ("working_group",)

    def get_readonly_fields(self, request, obj=None):
        # A measure stays in its programme (the services do not move it).
        return (*self.readonly_fields, "programme") if obj else self.readonly_fields

    def get_object(self, request, object_id, from_field=None):
        # A save locks the row for the whole request (the admin wraps it in a transaction),
        # so the version checked in the form is still the version when the service saves.
        if request.method == "POST":
            queryset = self.get_queryset(request).select_for_update()
            field = (
                self.model._meta.pk
                if from_field is None
                else self.model._meta.get_field(from_field)
            )
            try:
                return queryset.get(**{field.name: field.to_python(object_id)})
            except (self.model.DoesNotExist, ValidationError, ValueError):
                return None
        return super().get_object(request, object_id, from_field)

    def has_delete_permission(self, request, obj=None):
        # Deleting a measure would take its change history with it.
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in MEASURE_FIELDS if name in form.fields}
        if change:
            saved = measure_update(
                measure=obj,
                data=data,
                expected_version=form.cleaned_data["expected_version"],
                by=request.user,
                source=ChangeRecord.Source.ADMIN,
            )
        else:
            saved = measure_create(
                programme=form.cleaned_data["programme"],
                data=data,
                by=request.user,
                source=ChangeRecord.Source.ADMIN,
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Goals and KPIs are read-only here: their formsets save nothing.
        form.save_m2m()
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("text", "measure", "category", "target", "target_date", "status")
    list_filter = ("status", "measure__working_group", "target_open_ended", "category")
    search_fields = ("text", "target", "category", "measure__number", "measure__title")
    list_select_related = ("measure",)
    date_hierarchy = "target_date"


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: shown, never added, changed or deleted (no delete action either)."""

    list_display = ("measure", "action", "source", "changed_by", "changed_at", "measure_version")
    list_filter = ("action", "source", "measure__working_group")
    search_fields = ("measure__number", "measure__title", "changed_by__username", "object_label")
    list_select_related = ("measure", "changed_by")
    readonly_fields = [field.name for field in ChangeRecord._meta.fields]
