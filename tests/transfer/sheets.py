"""Editing an exported workbook as an admin would in Excel, by column header and row content."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook


def column(sheet, header: str) -> int:
    headers = [cell.value for cell in sheet[1]]
    return headers.index(header) + 1


def find_row(sheet, **match) -> int:
    """The first row whose cells under the given headers hold the given values."""
    positions = {column(sheet, header): value for header, value in match.items()}
    for row in range(2, sheet.max_row + 1):
        if all(sheet.cell(row, col).value == value for col, value in positions.items()):
            return row
    raise LookupError(match)


def edit(data: bytes, change) -> bytes:
    """`change(book)` edits the workbook in place; returns the saved file."""
    book = load_workbook(io.BytesIO(data))
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def set_cell(book, sheet_name: str, match: dict, header: str, value) -> None:
    sheet = book[sheet_name]
    sheet.cell(find_row(sheet, **match), column(sheet, header)).value = value


def delete_row(book, sheet_name: str, match: dict) -> None:
    sheet = book[sheet_name]
    sheet.delete_rows(find_row(sheet, **match))


def upload(data: bytes, name: str = "programm.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def append_row(book, sheet_name: str, cells: dict) -> None:
    sheet = book[sheet_name]
    row = sheet.max_row + 1
    for header, value in cells.items():
        sheet.cell(row, column(sheet, header)).value = value


def delete_rows(book, sheet_name: str, match: dict) -> int:
    """Deletes every row matching; returns how many."""
    sheet = book[sheet_name]
    deleted = 0
    while True:
        try:
            sheet.delete_rows(find_row(sheet, **match))
        except LookupError:
            return deleted
        deleted += 1
