"""Spreadsheet columns of measures and goals (django-import-export resources).

The German column names here are the headers of every export and of the import template;
`ENGLISH_HEADERS` lists the English headers an import accepts as well. The import itself
(validation, plan, bulk apply) lives in `transfer`, which reads these resources.
"""

from import_export import fields, resources

from .models import Goal, Measure
from .services import MEASURE_FIELDS


def _native(value):
    return "" if value is None else value


class MeasureResource(resources.ModelResource):
    number = fields.Field(attribute="number", column_name="Nummer")
    working_group = fields.Field(attribute="working_group", column_name="Arbeitsgruppe")
    title = fields.Field(attribute="title", column_name="Titel")
    description = fields.Field(attribute="description", column_name="Beschreibung")
    status = fields.Field(attribute="status", column_name="Status")
    responsible_units = fields.Field(
        attribute="responsible_units", column_name="Verantwortliche Stellen"
    )
    cost_rating = fields.Field(attribute="cost_rating", column_name="Kosten")
    personnel_rating = fields.Field(attribute="personnel_rating", column_name="Personal")
    timeframe_rating = fields.Field(attribute="timeframe_rating", column_name="Zeitraum")
    quick_win = fields.Field(attribute="quick_win", column_name="Quickwin")
    cost_estimate = fields.Field(attribute="cost_estimate", column_name="Kostenschätzung (€)")
    personnel_estimate = fields.Field(
        attribute="personnel_estimate", column_name="Personalbedarf (VZV)"
    )
    duration_estimate = fields.Field(attribute="duration_estimate", column_name="Dauer (Jahre)")
    # The version the row was exported at: an import of an older file does not silently
    # overwrite what changed since (blank: a new measure, no check).
    version = fields.Field(attribute="version", column_name="Version")

    ENGLISH_HEADERS = {
        "number": "Number",
        "working_group": "Working group",
        "title": "Title",
        "description": "Description",
        "status": "Status",
        "responsible_units": "Responsible units",
        "cost_rating": "Cost",
        "personnel_rating": "Personnel",
        "timeframe_rating": "Timeframe",
        "quick_win": "Quick win",
        "cost_estimate": "Cost estimate (€)",
        "personnel_estimate": "Personnel estimate (FTE)",
        "duration_estimate": "Duration (years)",
        "version": "Version",
    }

    class Meta:
        model = Measure
        fields = (*MEASURE_FIELDS, "version")
        import_id_fields = ("number",)

    def get_queryset(self):
        return Measure.objects.select_related("working_group").in_number_order()

    def dehydrate_working_group(self, measure):
        return measure.working_group.numeral

    def dehydrate_status(self, measure):
        return str(measure.get_status_display())

    def dehydrate_cost_estimate(self, measure):
        return _native(measure.cost_estimate)

    def dehydrate_personnel_estimate(self, measure):
        return _native(measure.personnel_estimate)

    def dehydrate_duration_estimate(self, measure):
        return _native(measure.duration_estimate)

    def dehydrate_version(self, measure):
        return measure.version


class GoalResource(resources.ModelResource):
    measure = fields.Field(attribute="measure__number", column_name="Maßnahme")
    category = fields.Field(attribute="category", column_name="Kategorie")
    text = fields.Field(attribute="text", column_name="Ziel")
    target = fields.Field(attribute="target", column_name="Termin")
    order = fields.Field(attribute="order", column_name="Reihenfolge")
    status = fields.Field(attribute="status", column_name="Status")
    progress_note = fields.Field(attribute="progress_note", column_name="Sachstand")
    version = fields.Field(attribute="measure__version", column_name="Version")

    ENGLISH_HEADERS = {
        "measure": "Measure",
        "category": "Category",
        "text": "Goal",
        "target": "Target",
        "order": "Order",
        "status": "Status",
        "progress_note": "Progress",
        "version": "Version",
    }

    class Meta:
        model = Goal
        fields = (
            "measure",
            "category",
            "text",
            "target",
            "order",
            "status",
            "progress_note",
            "version",
        )

    def get_queryset(self):
        return Goal.objects.select_related("measure").order_by(
            "measure__working_group__number",
            "measure__number_major",
            "measure__number_minor",
            "order",
            "id",
        )

    def dehydrate_order(self, goal):
        return goal.order

    def dehydrate_status(self, goal):
        return str(goal.get_status_display())

    def dehydrate_version(self, goal):
        return goal.measure.version
