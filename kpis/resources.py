"""Spreadsheet columns of KPIs and their values (django-import-export resources).

German column names are the export headers; `ENGLISH_HEADERS` are accepted on import too.
"""

from import_export import fields, resources

from .models import KPI, KPIValue

_MEASURE_ORDER = (
    "measure__working_group__number",
    "measure__number_major",
    "measure__number_minor",
)


class KPIResource(resources.ModelResource):
    measure = fields.Field(attribute="measure__number", column_name="Maßnahme")
    name = fields.Field(attribute="name", column_name="Kennzahl")
    unit = fields.Field(attribute="unit", column_name="Einheit")
    target = fields.Field(attribute="target", column_name="Zielwert")
    order = fields.Field(attribute="order", column_name="Reihenfolge")
    target_value = fields.Field(attribute="target_value", column_name="Zielwert (Zahl)")
    target_date = fields.Field(attribute="target_date", column_name="Zieldatum")
    # A stable key, so that renaming a KPI in the sheet renames it instead of replacing it.
    key = fields.Field(attribute="pk", column_name="Schlüssel")
    version = fields.Field(attribute="measure__version", column_name="Version")

    ENGLISH_HEADERS = {
        "measure": "Measure",
        "name": "KPI",
        "unit": "Unit",
        "target": "Target",
        "order": "Order",
        "target_value": "Target value",
        "target_date": "Target date",
        "key": "Key",
        "version": "Version",
    }

    class Meta:
        model = KPI
        fields = (
            "measure",
            "name",
            "unit",
            "target",
            "order",
            "target_value",
            "target_date",
            "key",
            "version",
        )

    def get_queryset(self):
        return KPI.objects.select_related("measure").order_by(*_MEASURE_ORDER, "order", "id")

    def dehydrate_order(self, kpi):
        return kpi.order

    def dehydrate_target_value(self, kpi):
        return "" if kpi.target_value is None else kpi.target_value

    def dehydrate_target_date(self, kpi):
        return "" if kpi.target_date is None else kpi.target_date

    def dehydrate_key(self, kpi):
        return kpi.pk

    def dehydrate_version(self, kpi):
        return kpi.measure.version


class KPIValueResource(resources.ModelResource):
    measure = fields.Field(attribute="kpi__measure__number", column_name="Maßnahme")
    kpi = fields.Field(attribute="kpi__name", column_name="Kennzahl")
    date = fields.Field(attribute="date", column_name="Datum")
    value = fields.Field(attribute="value", column_name="Wert")
    note = fields.Field(attribute="note", column_name="Bemerkung")
    version = fields.Field(attribute="kpi__measure__version", column_name="Version")

    ENGLISH_HEADERS = {
        "measure": "Measure",
        "kpi": "KPI",
        "date": "Date",
        "value": "Value",
        "note": "Note",
        "version": "Version",
    }

    class Meta:
        model = KPIValue
        fields = ("measure", "kpi", "date", "value", "note", "version")

    def get_queryset(self):
        return KPIValue.objects.select_related("kpi__measure").order_by(
            *(f"kpi__{field}" for field in _MEASURE_ORDER), "kpi__order", "kpi__id", "date"
        )

    def dehydrate_date(self, value):
        return value.date

    def dehydrate_value(self, value):
        return value.value

    def dehydrate_version(self, value):
        return value.kpi.measure.version
