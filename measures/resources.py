"""Spreadsheet columns of measures and goals (django-import-export resources).

This is the one place a column is declared: each `Column` is the resource field (attribute,
German header of every export and of the import template) plus what the spreadsheet needs
beyond django-import-export: the English header an import accepts as well, how a cell is read
(`cell`, with the choices of a rating or status), whether the column and its cells are
required, and its width. The import itself (reading, validation, plan, bulk apply), the
export and the template live in `transfer`, which reads these resources (`transfer.columns`).
"""

from import_export import fields, resources

from masterplan.models import Level, QuickWin, Timeframe

from .models import Goal, GoalStatus, Measure, MeasureStatus
from .services import MEASURE_FIELDS


class Cell:
    """How a column's cells are read (`transfer.cells.reader` turns this into a reader)."""

    TEXT = "text"  # checked as the model field's full_clean would (length, blank)
    MEASURE_NUMBER = "measure_number"  # "1.10" as text; written as text ("@") too
    WORKING_GROUP = "working_group"  # "II", "2", "AG II" or its name
    RATING = "rating"  # forgiving: "hoch ↗", "★"; blank = not rated
    STATUS = "status"  # value or label, German or English; blank = keep or default
    DECIMAL = "decimal"  # German numbers in text ("1.234,5"), native numbers as they are
    ORDER = "order"  # a whole number 0-32767
    ID = "id"  # a version or key the export wrote
    DATE = "date"


class Column(fields.Field):
    """A resource field that is also a spreadsheet column (see the module docstring)."""

    def __init__(
        self,
        attribute: str,
        column_name: str,
        *,
        english: str,
        cell: str = Cell.TEXT,
        choices: type | None = None,
        required: bool = False,
        minimum=None,
        width: int = 16,
        **kwargs,
    ):
        super().__init__(attribute=attribute, column_name=column_name, **kwargs)
        self.english = english
        self.cell = cell
        self.choices = choices
        self.required = required  # the sheet must have the column, and each row a value
        self.minimum = minimum
        self.width = width


def _native(value):
    return "" if value is None else value


class MeasureResource(resources.ModelResource):
    number = Column("number", "Nummer", english="Number", cell=Cell.MEASURE_NUMBER, required=True)
    working_group = Column(
        "working_group", "Arbeitsgruppe", english="Working group", cell=Cell.WORKING_GROUP
    )
    title = Column("title", "Titel", english="Title", required=True, width=50)
    description = Column("description", "Beschreibung", english="Description", width=80)
    status = Column("status", "Status", english="Status", cell=Cell.STATUS, choices=MeasureStatus)
    responsible_units = Column(
        "responsible_units", "Verantwortliche Stellen", english="Responsible units", width=30
    )
    cost_rating = Column("cost_rating", "Kosten", english="Cost", cell=Cell.RATING, choices=Level)
    personnel_rating = Column(
        "personnel_rating", "Personal", english="Personnel", cell=Cell.RATING, choices=Level
    )
    timeframe_rating = Column(
        "timeframe_rating", "Zeitraum", english="Timeframe", cell=Cell.RATING, choices=Timeframe
    )
    quick_win = Column(
        "quick_win", "Quickwin", english="Quick win", cell=Cell.RATING, choices=QuickWin
    )
    cost_estimate = Column(
        "cost_estimate",
        "Kostenschätzung (€)",
        english="Cost estimate (€)",
        cell=Cell.DECIMAL,
        minimum=0,
    )
    personnel_estimate = Column(
        "personnel_estimate",
        "Personalbedarf (VZV)",
        english="Personnel estimate (FTE)",
        cell=Cell.DECIMAL,
        minimum=0,
    )
    duration_estimate = Column(
        "duration_estimate",
        "Dauer (Jahre)",
        english="Duration (years)",
        cell=Cell.DECIMAL,
        minimum=0,
    )
    # The version the row was exported at: an import of an older file does not silently
    # overwrite what changed since (blank: a new measure, no check).
    version = Column("version", "Version", english="Version", cell=Cell.ID)

    class Meta:
        model = Measure
        fields = (*MEASURE_FIELDS, "version")
        # What identifies a row of the sheet: a second row with the same is an error.
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
    measure = Column(
        "measure__number", "Maßnahme", english="Measure", cell=Cell.MEASURE_NUMBER, required=True
    )
    category = Column("category", "Kategorie", english="Category", width=25)
    text = Column("text", "Ziel", english="Goal", required=True, width=80)
    target = Column("target", "Termin", english="Target", width=20)
    order = Column("order", "Reihenfolge", english="Order", cell=Cell.ORDER)
    status = Column("status", "Status", english="Status", cell=Cell.STATUS, choices=GoalStatus)
    progress_note = Column("progress_note", "Sachstand", english="Progress", width=40)
    version = Column("measure__version", "Version", english="Version", cell=Cell.ID)

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
        # Goals are matched by measure and order once blank orders are numbered
        # (`transfer.plan`), so the sheet itself has no identity to check.
        import_id_fields = ()

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
