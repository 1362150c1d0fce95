"""Writing the programme as an XLSX or ODS workbook (a sheet per kind) or as CSV (one kind).

The columns and values come from the resources of the apps that own the models
(`measures.resources`, `kpis.resources`); this module adds what django-import-export lacks:
several sheets with column widths, measure numbers as text and drop-down lists (data
validation, XLSX only), all read from the resources' columns (`transfer.columns`), German
number and date formats in CSV, and protection against formula injection that the import
undoes (`transfer.formulas`).
"""

import io
from datetime import date
from decimal import Decimal

import tablib
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from masterplan.models import Programme
from masterplan.numbers import format_decimal

from .columns import (
    GOALS,
    KINDS,
    KPIS,
    MEASURES,
    RESOURCES,
    VALUES,
    column_names,
    columns,
    sheet_title,
    text_columns,
)
from .formulas import protect
from .vocabularies import drop_down

VALIDATION_ROWS = 2000


def _querysets(programme: Programme) -> dict:
    return {
        MEASURES: RESOURCES[MEASURES]().get_queryset().filter(programme=programme),
        GOALS: RESOURCES[GOALS]().get_queryset().filter(measure__programme=programme),
        KPIS: RESOURCES[KPIS]().get_queryset().filter(measure__programme=programme),
        VALUES: RESOURCES[VALUES]().get_queryset().filter(kpi__measure__programme=programme),
    }


def export_dataset(*, programme: Programme, kind: str) -> tablib.Dataset:
    """One kind's rows as the resource exports them (native values, German headers)."""
    dataset = RESOURCES[kind]().export(queryset=_querysets(programme)[kind])
    dataset.title = sheet_title(kind)
    return dataset


def allowed_values(programme: Programme) -> dict[str, dict[str, list[str]]]:
    """Per kind and column key: the values a drop-down list offers."""
    return {
        kind: {
            key: options
            for key, column in columns(kind).items()
            if (options := drop_down(column, programme))
        }
        for kind in KINDS
    }


def _cell(value):
    if isinstance(value, str):
        return protect(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def write_workbook(
    *, datasets: dict[str, tablib.Dataset], programme: Programme, rows_with_lists: int = 0
) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    lists = allowed_values(programme)
    bold = Font(bold=True)
    for kind in KINDS:
        if kind not in datasets:
            continue
        dataset = datasets[kind]
        sheet = workbook.create_sheet(sheet_title(kind))
        sheet_columns = columns(kind)
        sheet.append(list(dataset.headers))
        for cell in sheet[1]:
            cell.font = bold
        for row in dataset:
            sheet.append([_cell(value) for value in row])
        sheet.freeze_panes = "A2"
        last_row = max(len(dataset) + 1, 1) + max(rows_with_lists, VALIDATION_ROWS)
        for position, (key, column) in enumerate(sheet_columns.items(), start=1):
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = column.width
            if key in text_columns(kind):
                # Text, also in rows typed later: as a number "1.10" would become 1.1.
                sheet.column_dimensions[letter].number_format = "@"
                for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                    cell.number_format = "@"
            options = lists[kind].get(key)
            if options:
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(options) + '"',
                    allow_blank=True,
                    errorStyle="warning",
                    error="Bitte einen Wert aus der Liste wählen: " + ", ".join(options),
                    errorTitle="Unbekannter Wert",
                )
                validation.add(f"{letter}2:{letter}{last_row}")
                sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value):
    if isinstance(value, Decimal):
        return format_decimal(value, language="de", grouping=False)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str):
        return protect(value)
    return "" if value is None else value


def write_csv(dataset: tablib.Dataset) -> bytes:
    """UTF-8 with BOM and ';' as German Excel writes and reads it."""
    german = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        german.append([_csv_value(value) for value in row])
    return ("\ufeff" + german.export("csv", delimiter=";")).encode("utf-8")


def write_ods(*, datasets: dict[str, tablib.Dataset]) -> bytes:
    """An OpenDocument spreadsheet (LibreOffice's, openDesk's own format), a sheet per kind.

    Texts are text cells ("1.10" stays "1.10"), a paragraph per line and runs of spaces kept
    (odfpy's `teletype`; tablib's ODS writer would fold both); numbers and dates as such."""
    from odf import teletype
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    bold = Style(name="header", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    widths = {}

    def column_style(width: int) -> Style:
        if width not in widths:
            style = Style(name=f"width{width}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width * 0.19:.2f}cm"))
            document.automaticstyles.addElement(style)
            widths[width] = style
        return widths[width]

    def cell(value, style=None) -> TableCell:
        if value is None or value == "":
            return TableCell()
        if isinstance(value, bool):
            return TableCell(valuetype="boolean", booleanvalue=str(value).lower())
        if isinstance(value, int | float | Decimal):
            element = TableCell(valuetype="float", value=str(value))
            element.addElement(P(text=str(value)))
            return element
        if isinstance(value, date):
            element = TableCell(valuetype="date", datevalue=value.isoformat())
            element.addElement(P(text=value.strftime("%d.%m.%Y")))
            return element
        element = TableCell(valuetype="string", **({"stylename": style} if style else {}))
        # A paragraph per line, as LibreOffice writes a cell with line breaks.
        for line in _cell(str(value)).split("\n"):
            paragraph = P()
            teletype.addTextToElement(paragraph, line)
            element.addElement(paragraph)
        return element

    for kind in KINDS:
        if kind not in datasets:
            continue
        dataset = datasets[kind]
        sheet = Table(name=sheet_title(kind))
        for column in columns(kind).values():
            sheet.addElement(TableColumn(stylename=column_style(column.width)))
        header = TableRow()
        for title in dataset.headers:
            header.addElement(cell(title, bold))
        sheet.addElement(header)
        for values in dataset:
            row = TableRow()
            for value in values:
                row.addElement(cell(value))
            sheet.addElement(row)
        document.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def template_workbook(*, programme: Programme, file_format: str = "xlsx") -> bytes:
    """Empty sheets with the headers (and in XLSX drop-down lists), for admins starting a file."""
    datasets = {
        kind: tablib.Dataset(headers=list(column_names(kind).values()), title=sheet_title(kind))
        for kind in KINDS
    }
    if file_format == "ods":
        return write_ods(datasets=datasets)
    return write_workbook(datasets=datasets, programme=programme)
