"""Spreadsheet columns of KPIs and their values (django-import-export resources).

Declared as `measures.resources.Column`s: German header (export), English header (accepted on
import too), how a cell is read, required-ness and width, in one place.
"""

from import_export import resources

from measures.resources import Cell, Column

from .models import KPI, KPIValue

_MEASURE_ORDER = (
    "measure__working_group__number",
    "measure__number_major",
    "measure__number_minor",
)


class KPIResource(resources.ModelResource):
    measure = Column(
        "measure__number", "Maßnahme", english="Measure", cell=Cell.MEASURE_NUMBER, required=True
    )
    name = Column("name", "Kennzahl", english="KPI", required=True, width=60)
    unit = Column("unit", "Einheit", english="Unit")
    target = Column("target", "Zielwert", english="Target", width=20)
    order = Column("order", "Reihenfolge", english="Order", cell=Cell.ORDER)
    target_value = Column(
        "target_value", "Zielwert (Zahl)", english="Target value", cell=Cell.DECIMAL
    )
    target_date = Column("target_date", "Zieldatum", english="Target date", cell=Cell.DATE)
    # A stable key, so that renaming a KPI in the sheet renames it instead of replacing it.
    key = Column("pk", "Schlüssel", english="Key", cell=Cell.ID)
    version = Column("measure__version", "Version", english="Version", cell=Cell.ID)

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
        import_id_fields = ("measure", "name")

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
    measure = Column(
        "kpi__measure__number",
        "Maßnahme",
        english="Measure",
        cell=Cell.MEASURE_NUMBER,
        required=True,
    )
    kpi = Column("kpi__name", "Kennzahl", english="KPI", required=True, width=60)
    date = Column("date", "Datum", english="Date", cell=Cell.DATE, required=True)
    value = Column("value", "Wert", english="Value", cell=Cell.DECIMAL, required=True)
    note = Column("note", "Bemerkung", english="Note", width=30)
    version = Column("kpi__measure__version", "Version", english="Version", cell=Cell.ID)

    class Meta:
        model = KPIValue
        fields = ("measure", "kpi", "date", "value", "note", "version")
        import_id_fields = ("measure", "kpi", "date")

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
