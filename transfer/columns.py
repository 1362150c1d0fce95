"""The column table of the spreadsheets, read from the resources that declare it.

Each kind of sheet (measures, goals, KPIs, KPI values) has a django-import-export resource in
the app that owns its model (`measures.resources`, `kpis.resources`); its `Column`s are the one
place a column is declared: attribute, German and English header, how a cell is read,
required-ness, width. Everything here is derived from them: the headers an import recognises,
the columns a sheet must have, the defaults of a new record, the identity of a row.
"""

from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy

from kpis.resources import KPIResource, KPIValueResource
from measures.resources import Cell, Column, GoalResource, MeasureResource

MEASURES, GOALS, KPIS, VALUES = "measures", "goals", "kpis", "values"
KINDS = (MEASURES, GOALS, KPIS, VALUES)
SHEET_NAMES = {
    MEASURES: ("Maßnahmen", "Measures"),
    GOALS: ("Ziele", "Goals"),
    KPIS: ("Kennzahlen", "KPIs"),
    VALUES: ("Kennzahlwerte", "KPI values"),
}
# What the page calls each kind ("Maßnahmen als CSV"); sheet names in files stay as above.
KIND_LABELS = {
    MEASURES: gettext_lazy("Maßnahmen"),
    GOALS: gettext_lazy("Ziele"),
    KPIS: gettext_lazy("Kennzahlen"),
    VALUES: gettext_lazy("Kennzahlwerte"),
}
RESOURCES = {
    MEASURES: MeasureResource,
    GOALS: GoalResource,
    KPIS: KPIResource,
    VALUES: KPIValueResource,
}


@cache
def columns(kind: str) -> dict[str, Column]:
    """Field key → column, in the order the export writes them."""
    resource = RESOURCES[kind]()
    return {name: resource.fields[name] for name in resource._meta.fields}


def model(kind: str):
    return RESOURCES[kind]._meta.model


def model_field(kind: str, key: str):
    """The model field a column holds, following relations ("kpi__name" → KPI.name)."""
    current, field = model(kind), None
    for part in columns(kind)[key].attribute.split("__"):
        field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        current = field.related_model or current
    return field


def column_names(kind: str) -> dict[str, str]:
    """Field key → German column header, as the export writes it."""
    return {key: str(column.column_name) for key, column in columns(kind).items()}


def english_column_names(kind: str) -> dict[str, str]:
    return {key: column.english for key, column in columns(kind).items()}


def header_key(text: Any) -> str:
    """A header as compared: case, spaces and the "*" of required columns do not matter."""
    return " ".join(str(text or "").replace("*", "").casefold().split())


@cache
def header_aliases(kind: str) -> dict[str, str]:
    """Every header an import recognises (German or English, see `header_key`) → field key."""
    aliases = {}
    for names in (column_names(kind), english_column_names(kind)):
        for key, header in names.items():
            aliases[header_key(header)] = key
    return aliases


def required_columns(kind: str) -> tuple[str, ...]:
    return tuple(key for key, column in columns(kind).items() if column.required)


def text_columns(kind: str) -> tuple[str, ...]:
    """Columns written as text ("@"): as a number "1.10" would become 1.1."""
    return tuple(key for key, column in columns(kind).items() if column.cell == Cell.MEASURE_NUMBER)


def identity(kind: str) -> tuple[str, ...]:
    """The columns that identify a row of the sheet (the resource's `import_id_fields`)."""
    return tuple(RESOURCES[kind]._meta.import_id_fields)


def record_fields(kind: str) -> tuple[str, ...]:
    """The columns that are editable fields of the sheet's own record (not the measure a goal
    belongs to, not a key or version): what an import writes."""
    return tuple(
        key
        for key, column in columns(kind).items()
        if "__" not in column.attribute
        and column.attribute != "pk"
        and model_field(kind, key).editable
    )


def defaults(kind: str) -> dict[str, Any]:
    """What a new record gets for an optional column the file leaves blank or out: the model
    field's default."""
    return {
        key: field.get_default()
        for key in record_fields(kind)
        if not columns(kind)[key].required and not (field := model_field(kind, key)).is_relation
    }


def sheet_title(kind: str) -> str:
    return SHEET_NAMES[kind][0]
