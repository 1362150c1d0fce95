"""Reading a file into tables of raw cells, safely: file → (format, [RawTable]).

What a file may hold is bounded BEFORE memory grows, so that any upload within
`IMPORT_MAX_UPLOAD_BYTES` is read in a few hundred MB at most, in the web process and in a
worker alike (settings, with their defaults):

- `IMPORT_MAX_UNCOMPRESSED_BYTES` (100 MiB): the unpacked size of all members of an XLSX,
  checked from the zip directory before anything is unpacked. The zip reader stops at the
  declared size, so a member that lies about its size fails its checksum instead.
- `IMPORT_MAX_ROWS` (50,000 per sheet) and `IMPORT_MAX_COLUMNS` (50): rows and columns
  with content. The dimension a sheet declares is not trusted, and empty rows and cells
  (formatted or not) are skipped without being kept, however many there are.
- `IMPORT_MAX_CELL_CHARS` (32,767, Excel's own limit per cell).

An ODS (OpenDocument, LibreOffice's and openDesk's own format) is read by python-calamine
under the same bounds; it has no formulas without a stored value.

CSV is read in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode-Text") or
Windows-1252 (German Excel's "CSV (Trennzeichen-getrennt)"), with `;`, `,` or tab.

In an XLSX, a formula without a stored result arrives as `FormulaWithoutValue`, and a value
merged over several rows of one column applies to each of them; a merge over several
columns is refused, naming the range.
"""

import bisect
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .errors import ErrorCollector, FileRefused, RowError

XLSX_MAGIC = b"PK\x03\x04"  # a zip: XLSX, or ODS with its "mimetype" member first
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ENCODINGS_ACCEPTED = "UTF-8, UTF-16, Windows-1252"
# Control characters that never occur in a text file (tab, line feed, carriage return,
# vertical tab, form feed and the old end-of-file mark ^Z do).
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")


def limit(name: str) -> int:
    defaults = {
        "IMPORT_MAX_UNCOMPRESSED_BYTES": 100 * 1024 * 1024,
        "IMPORT_MAX_ROWS": 50_000,
        "IMPORT_MAX_COLUMNS": 50,
        "IMPORT_MAX_CELL_CHARS": 32_767,
    }
    return getattr(settings, name, defaults[name])


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


@dataclass(frozen=True)
class FormulaWithoutValue:
    """An XLSX cell with a formula whose result was never stored (e.g. written by a script)."""

    coordinate: str

    def __str__(self):
        return ""


@dataclass
class RawTable:
    title: str
    header_row: int
    headers: list[Any]
    rows: list[tuple[int, list[Any]]]


def read_tables(*, name: str, data: bytes) -> tuple[str, list[RawTable]]:
    """The tables of an XLSX workbook or a CSV file, with row numbers as shown."""
    if not data.strip():
        raise FileRefused([RowError(_("Die Datei ist leer."))])
    if data.startswith(XLSX_MAGIC):
        if _is_ods(data):
            return "ods", read_ods(data)
        return "xlsx", read_xlsx(data)
    if data.startswith(OLE_MAGIC):
        raise FileRefused(
            [
                RowError(
                    _("Das alte Excel-Format (.xls) wird nicht gelesen. Bitte als .xlsx speichern.")
                )
            ]
        )
    table = read_csv(decode_text(data), title=name.rsplit("/", 1)[-1])
    return "csv", [table] if table else []


def decode_text(data: bytes) -> str:
    """The text of a CSV file in one of the encodings spreadsheets write; else refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _NOT_TEXT.search(text):
            return text.rstrip("\x1a")
        break
    raise FileRefused(
        [
            RowError(
                _(
                    "Die Datei ist weder eine Excel-Arbeitsmappe (.xlsx) noch eine CSV-Datei "
                    "(Text in %(encodings)s). Bitte in Excel als .xlsx oder als CSV speichern."
                )
                % {"encodings": ENCODINGS_ACCEPTED}
            )
        ]
    )


class _Bounds:
    """Counts what a sheet holds and refuses it as soon as a limit is passed."""

    def __init__(self, title: str):
        self.title = title
        self.rows = 0
        self.max_rows = limit("IMPORT_MAX_ROWS")
        self.max_columns = limit("IMPORT_MAX_COLUMNS")
        self.max_chars = limit("IMPORT_MAX_CELL_CHARS")
        self.errors = ErrorCollector()

    def row(self, number: int) -> None:
        self.rows += 1
        if self.rows > self.max_rows:
            raise FileRefused(
                [
                    RowError(
                        _(
                            "Die Tabelle hat mehr als %(max)s Zeilen mit Inhalt (Zeile "
                            "%(row)s). Bitte die Datei aufteilen oder überflüssige Zeilen "
                            "löschen."
                        )
                        % {"max": _grouped(self.max_rows), "row": _grouped(number)},
                        sheet=self.title,
                    )
                ]
            )

    def column(self, number: int, column: int) -> None:
        if column > self.max_columns:
            raise FileRefused(
                [
                    RowError(
                        _(
                            "Die Zelle %(cell)s liegt hinter der Spalte %(last)s; erlaubt sind "
                            "höchstens %(max)s Spalten. Bitte die Inhalte rechts davon löschen."
                        )
                        % {
                            "cell": _coordinate(number, column),
                            "last": _letter(self.max_columns),
                            "max": self.max_columns,
                        },
                        sheet=self.title,
                        row=number,
                    )
                ]
            )

    def text(self, number: int, column: int, value: str) -> str | None:
        if len(value) <= self.max_chars:
            return value
        self.errors.append(
            RowError(
                _("Die Zelle %(cell)s enthält %(length)s Zeichen; erlaubt sind höchstens %(max)s.")
                % {
                    "cell": _coordinate(number, column),
                    "length": _grouped(len(value)),
                    "max": _grouped(self.max_chars),
                },
                sheet=self.title,
                row=number,
                column=_letter(column),
            )
        )
        return None

    def finish(self) -> None:
        if self.errors:
            raise FileRefused(list(self.errors))


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _coordinate(row: int, column: int) -> str:
    return f"{_letter(column)}{row}"


def _table(title: str, rows: list[tuple[int, list[Any]]]) -> RawTable | None:
    """The first row with content holds the headers; the rows after it are the data."""
    if not rows:
        return None
    (header_row, headers), body = rows[0], rows[1:]
    return RawTable(title=title, header_row=header_row, headers=headers, rows=body)


def _filled(value: Any) -> bool:
    return value is not None and value != ""


# --- CSV --------------------------------------------------------------------------------------


def read_csv(text: str, *, title: str) -> RawTable | None:
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if first_line.count("\t") > max(first_line.count(";"), first_line.count(",")):
        delimiter = "\t"
    bounds = _Bounds(title)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            bounds.row(number)
            last = max(position for position, cell in enumerate(cells, 1) if cell.strip())
            bounds.column(number, last)
            texts = [bounds.text(number, column, cell) for column, cell in enumerate(cells, 1)]
            rows.append((number, texts))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise FileRefused(
                [
                    RowError(
                        _("Eine Zelle enthält mehr als %(max)s Zeichen.")
                        % {"max": _grouped(bounds.max_chars)},
                        sheet=title,
                        row=reader.line_num,
                    )
                ]
            ) from None
        raise FileRefused(
            [RowError(_("Die CSV-Datei ist fehlerhaft: %(error)s") % {"error": error})]
        ) from None
    bounds.finish()
    return _table(title, rows)


# --- XLSX -------------------------------------------------------------------------------------


# What a damaged workbook raises while it is read: broken XML (also entity bombs, which the
# XML parser refuses), bad checksums or compressed data, cell references out of range.
BROKEN = (
    ParseError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    OSError,
)


def _unreadable() -> FileRefused:
    return FileRefused([RowError(_("Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."))])


def _check_zip(data: bytes) -> None:
    """Refuse a workbook that unpacks to more than the limit, from its directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    maximum = limit("IMPORT_MAX_UNCOMPRESSED_BYTES")
    if unpacked > maximum:
        raise FileRefused(
            [
                RowError(
                    _(
                        "Die Arbeitsmappe ist entpackt %(size)s MB groß; erlaubt sind höchstens "
                        "%(max)s MB. Enthält sie viele leere, aber formatierte Zeilen oder "
                        "Spalten? Dann bitte diese löschen und erneut speichern."
                    )
                    % {
                        "size": _grouped(round(unpacked / 1024 / 1024)),
                        "max": _grouped(round(maximum / 1024 / 1024)),
                    }
                )
            ]
        )


def read_xlsx(data: bytes) -> list[RawTable]:
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(data)
    tables = _read_plain_xlsx(data)
    if tables is not None:
        return tables
    try:
        workbook = _load_workbook(data)
    except (InvalidFileException, *BROKEN):
        raise _unreadable() from None
    tables = []
    try:
        for worksheet in workbook.worksheets:
            if worksheet.sheet_state != "visible":
                continue
            table = _table(worksheet.title, _read_worksheet(workbook, worksheet))
            if table:
                tables.append(table)
    finally:
        workbook.close()
    return tables


def _load_workbook(data: bytes):
    """openpyxl's `load_workbook(read_only=True, data_only=True)`, with a faster reader of
    the shared string table (Excel keeps every text there; openpyxl builds an object per
    text, which made reading it take longer than reading the sheets)."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class Reader(ExcelReader):
        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = read_shared_strings(source)

    reader = Reader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def read_shared_strings(source) -> list[str]:
    """The texts of a shared string table as openpyxl reads them: the plain text or the runs
    of rich text, without phonetic hints."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    item, text, run = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("si", "t", "r"))
    strings = []
    for _event, element in iterparse(source):
        if element.tag != item:
            continue
        parts = []
        for child in element:
            if child.tag == text:
                parts.append(child.text or "")
            elif child.tag == run:
                part = child.find(text)
                if part is not None:
                    parts.append(part.text or "")
        strings.append("".join(parts).replace("x005F_", ""))
        element.clear()
    return strings


def _parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class CellParser(WorkSheetParser):
        """openpyxl's streaming parser, marking formulas without a stored result and keeping
        no row formatting (a million formatted empty rows would otherwise be kept)."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FormulaWithoutValue(element.get("r") or "")
            return cell

        def parse_row(self, row):
            """As openpyxl's, but cells without content (no value, formula or inline text:
            no child element) are passed over without being parsed or kept."""
            written = row.get("r")
            if written is None:
                self.row_counter += 1
            else:
                number = float(written)
                if not number.is_integer():
                    raise ValueError(f"{written} is not a valid row number")
                self.row_counter = int(number)
            self.col_counter = 0
            cells, skipped = [], None
            for element in row:
                positional = element.get("r") is None
                if skipped is not None and positional:
                    self.parse_cell(skipped)  # a following cell counts on from this one
                skipped = None
                if len(element):
                    cells.append(self.parse_cell(element))
                elif positional:
                    self.col_counter += 1
                else:
                    skipped = element
            return self.row_counter, cells

    return CellParser


def _read_worksheet(workbook, worksheet) -> list[tuple[int, list[Any]]]:
    """Rows with content as (row number, cells from column A), merged values applied."""
    bounds = _Bounds(worksheet.title)
    rows: list[tuple[int, list[Any]]] = []
    source = None
    try:
        source = _without_empty_tail(worksheet)
        parser = _parser_class()(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            row = _bounded_row(bounds, number, ((cell["column"], cell["value"]) for cell in cells))
            if row is not None:
                rows.append((number, row))
    except BROKEN:  # broken XML, bad checksums, cell references out of range
        raise _unreadable() from None
    finally:
        if source is not None:
            source.close()
    bounds.finish()
    _apply_merged(worksheet.title, parser.merged_cells, rows, bounds)
    return rows


# Within <sheetData>: a cell's value, inline text or formula; the start of a row; the end.
_SHEET_TOKENS = re.compile(
    rb"<(?P<close>/)?(?:[A-Za-z_][\w.-]{0,40}:)?(?:(?P<content>v|is|f)|(?P<row>row)|(?P<end>sheetData))"
    rb"[\s/>]"
)
_OVERLAP = 64


def _empty_tail(source, chunk_size: int = 1 << 20) -> tuple[int, int] | None:
    """The bytes of the rows after the last cell with content, up to </sheetData>: the empty,
    formatted rows a spreadsheet may carry by the hundred thousand (found by a fast scan)."""
    tail_start = data_end = None
    offset, carry = 0, b""
    while data_end is None:
        chunk = source.read(chunk_size)
        buffer, base = carry + chunk, offset - len(carry)
        offset += len(chunk)
        # Tokens starting in the overlap are read with the next chunk.
        upto = len(buffer) if not chunk else max(len(buffer) - _OVERLAP, 0)
        for match in _SHEET_TOKENS.finditer(buffer, 0, len(buffer)):
            if match.start() >= upto:
                break
            if match.group("content"):
                tail_start = None
            elif match.group("close"):
                if match.group("end"):
                    data_end = base + match.start()
                    break
            elif match.group("row"):
                tail_start = base + match.start() if tail_start is None else tail_start
        if not chunk:
            break
        carry = buffer[upto:]
    if tail_start is None or data_end is None or tail_start >= data_end:
        return None
    return tail_start, data_end


class _Skipping:
    """A source that passes over one range of its bytes."""

    def __init__(self, source, start: int, end: int):
        self.source, self.start, self.end, self.position = source, start, end, 0

    def read(self, size: int = -1) -> bytes:
        if self.start <= self.position < self.end:
            while self.position < self.end:
                skipped = self.source.read(min(1 << 20, self.end - self.position))
                if not skipped:
                    break
                self.position += len(skipped)
        if self.position < self.start:
            wanted = self.start - self.position
            size = wanted if size is None or size < 0 else min(size, wanted)
        data = self.source.read(size)
        self.position += len(data)
        return data

    def close(self) -> None:
        self.source.close()


def _without_empty_tail(worksheet):
    with worksheet._get_source() as source:
        tail = _empty_tail(source)
    source = worksheet._get_source()
    return _Skipping(source, *tail) if tail else source


def _apply_merged(title: str, merged, rows: list[tuple[int, list[Any]]], bounds: _Bounds):
    """A value merged over several rows of one column counts for each of those rows (a rating
    written once for four measures); a merge over several columns is ambiguous: refused."""
    if merged is None or not merged.mergeCell:
        return
    numbers = [number for number, _cells in rows]
    by_number = dict(rows)
    errors = ErrorCollector()
    filled = 0
    for merge in merged.mergeCell:
        try:
            min_col, min_row, max_col, max_row = _bounds_of(merge.ref)
        except ValueError:
            raise _unreadable() from None
        if min_col != max_col:
            if not numbers or min_row > numbers[-1]:
                continue  # below every row with content: formatting only
            errors.append(
                RowError(
                    _(
                        "Die Zellen %(range)s sind verbunden. Verbundene Zellen über mehrere "
                        "Spalten sind nicht eindeutig; bitte die Verbindung aufheben "
                        "(„Zellen verbinden“ ausschalten) und jeden Wert in seine Spalte "
                        "schreiben."
                    )
                    % {"range": merge.ref},
                    sheet=title,
                    row=min_row,
                )
            )
            continue
        top = by_number.get(min_row)
        value = top[min_col - 1] if top is not None and min_col <= len(top) else None
        if not _filled(value):
            continue
        start = bisect.bisect_right(numbers, min_row)
        end = bisect.bisect_right(numbers, max_row)
        for number in numbers[start:end]:
            cells = by_number[number]
            if len(cells) < min_col:
                cells.extend([None] * (min_col - len(cells)))
            if not _filled(cells[min_col - 1]):
                cells[min_col - 1] = value
                filled += 1
        if filled > bounds.max_rows * bounds.max_columns:
            raise _unreadable()  # overlapping merges: no spreadsheet program writes them
    if errors:
        raise FileRefused(list(errors))


def _bounds_of(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if None in (min_col, min_row, max_col, max_row):
        raise ValueError(ref)
    return min_col, min_row, max_col, max_row


# --- ODS --------------------------------------------------------------------------------------


def _is_ods(data: bytes) -> bool:
    """OpenDocument puts an uncompressed "mimetype" member first (ODF 1.2, 3.3)."""
    return (
        data[30:38] == b"mimetype"
        and data[38 : 38 + len(ODS_MIMETYPE) + 64].find(ODS_MIMETYPE) >= 0
    )


def _unreadable_ods() -> FileRefused:
    return FileRefused([RowError(_("Die Datei ist keine lesbare OpenDocument-Tabelle (.ods)."))])


def read_ods(data: bytes) -> list[RawTable]:
    from python_calamine import CalamineError, CalamineWorkbook

    _check_zip(data)
    try:
        merges = _ods_scan(data)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, *BROKEN):
        raise _unreadable_ods() from None
    tables = []
    try:
        for metadata in workbook.sheets_metadata:
            if str(metadata.visible).rsplit(".", 1)[-1].lower() != "visible":
                continue
            try:
                sheet = workbook.get_sheet_by_name(metadata.name)
                rows = _read_calamine_sheet(sheet)
                _apply_ods_merged(
                    merges.get(metadata.name), metadata.name, rows, _Bounds(metadata.name)
                )
                table = _table(metadata.name, rows)
            except (CalamineError, *BROKEN):
                raise _unreadable_ods() from None
            if table:
                tables.append(table)
    finally:
        workbook.close()
    return tables


def _bounded_row(bounds: "_Bounds", number: int, cells) -> list[Any] | None:
    """One sheet row from its (column, value) cells, blank cells skipped, within the bounds;
    None for a row without content."""
    values = {}
    for column, value in cells:
        if not _filled(value) or (isinstance(value, str) and not value.strip()):
            continue
        bounds.column(number, column)
        if isinstance(value, str):
            value = bounds.text(number, column, value)
        values[column] = value
    if not values:
        return None
    bounds.row(number)
    row = [None] * max(values)
    for column, value in values.items():
        row[column - 1] = value
    return row


def _read_calamine_sheet(sheet) -> list[tuple[int, list[Any]]]:
    """Rows with content as (row number, cells from column A), as `_read_worksheet` does.

    `_bounded_row` written out for python-calamine's plain values: this loop runs for every
    cell of the file (half a million in the bench workbook)."""
    bounds = _Bounds(sheet.name)
    max_columns, max_chars = bounds.max_columns, bounds.max_chars
    first_row, first_column = sheet.start or (0, 0)
    rows: list[tuple[int, list[Any]]] = []
    for index, cells in enumerate(sheet.iter_rows()):
        number = first_row + index + 1
        values = {}
        for column, value in enumerate(cells, start=first_column + 1):
            if value.__class__ is str:
                if not value or value.isspace():
                    continue
                if len(value) > max_chars:
                    value = bounds.text(number, column, value)
            elif value is None:
                continue
            elif value.__class__ is float and value.is_integer():
                value = int(value)  # whole numbers as openpyxl reads "<v>5</v>"
            if column > max_columns:
                bounds.column(number, column)
            values[column] = value
        if not values:
            continue
        bounds.row(number)
        row = [None] * max(values)
        for column, value in values.items():
            row[column - 1] = value
        rows.append((number, row))
    bounds.finish()
    return rows


def _apply_ods_merged(ranges, title: str, rows, bounds) -> None:
    """Merged cells of an ODS (python-calamine does not report them), handled as in an XLSX
    (`_apply_merged`)."""
    if not ranges:
        return

    class _Merge:
        def __init__(self, top, left, bottom, right):
            self.ref = f"{_coordinate(top, left)}:{_coordinate(bottom, right)}"

    class _Merged:
        mergeCell = [_Merge(*box) for box in ranges]

    _apply_merged(title, _Merged, rows, bounds)


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _ods_scan(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """A streaming pass over an ODS's content before python-calamine expands it: refuses more
    rows or columns with content than allowed (a row or cell written once with "repeat a
    million times" counts as often), and returns per sheet the merged ranges (top, left,
    bottom, right; from 1), which python-calamine does not report."""
    from xml.etree.ElementTree import iterparse

    table, row, cell, covered = (
        f"{{{_TABLE_NS}}}{name}"
        for name in ("table", "table-row", "table-cell", "covered-table-cell")
    )
    value_type = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"

    def number(element, name: str) -> int:
        return int(element.get(f"{{{_TABLE_NS}}}{name}", "1"))

    merges: dict[str, list[tuple[int, int, int, int]]] = {}
    bounds, row_number, column, last = _Bounds(""), 0, 0, 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("content.xml") as content:
        for event, element in iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == table:
                    bounds, row_number = _Bounds(element.get(f"{{{_TABLE_NS}}}name", "")), 0
                elif tag == row:
                    column = last = 0
                elif tag == cell:
                    height = number(element, "number-rows-spanned")
                    width = number(element, "number-columns-spanned")
                    if height > 1 or width > 1:
                        merges.setdefault(bounds.title, []).append(
                            (row_number + 1, column + 1, row_number + height, column + width)
                        )
            elif tag in (cell, covered):
                repeated = number(element, "number-columns-repeated")
                if element.get(value_type) or len(element):
                    last = column + repeated
                    # The first cell of the repeated ones beyond the limit, as an XLSX names it.
                    bounds.column(
                        row_number + 1, min(last, max(column + 1, bounds.max_columns + 1))
                    )
                column += repeated
                element.clear()
            elif tag == row:
                repeated = number(element, "number-rows-repeated")
                if last:
                    for offset in range(min(repeated, bounds.max_rows + 1)):
                        bounds.row(row_number + 1 + offset)
                row_number += repeated
                element.clear()
    return merges


# --- XLSX, the fast path ------------------------------------------------------------------------

# A cell with content: <c r="B12" ...> followed by its value, inline text or formula.
_CONTENT_CELL = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"[^>]*?(?<!/)>\s*<(?:\w+:)?(?:v|is|f)\b"
)
# What only the streaming reader handles: a formula, a merged cell, a cell without reference
# (one pass over the sheet instead of one per case).
_NOT_PLAIN = re.compile(rb"<(?:\w+:)?(?:f\b|mergeCell\b|c(?![^>]*\sr=)(?:\s[^>]*)?/?>)")
# Cells python-calamine may hold at once for one sheet (it keeps the range from the first to
# the last cell with content): past this, the streaming reader below reads the sheet.
PLAIN_MAX_CELLS = 2_000_000


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


_EXTENT_CHUNK = 1 << 20


def _plain_extent(xml: bytes, bounds: "_Bounds") -> tuple[int, int, int, int]:
    """Rows with content, first and last of them, last column. The cells are found at C speed
    a chunk of rows at a time (so that a hostile sheet cannot fill memory with matches); the
    chunk that passes the row or column limit is gone through cell by cell, so that the
    message names the first cell at fault."""
    rows: dict[bytes, None] = {}
    letters: dict[bytes, int] = {}
    start, size = 0, len(xml)
    while start < size:
        end = xml.find(b"row>", start + _EXTENT_CHUNK)  # the end of a row tag, any prefix
        end = size if end < 0 else end + len(b"row>")
        cells = _CONTENT_CELL.findall(xml, start, end)
        chunk_rows = dict.fromkeys(map(itemgetter(1), cells))
        for written in set(map(itemgetter(0), cells)) - letters.keys():
            letters[written] = _column_number(written)
        if (
            len(rows) + len(chunk_rows.keys() - rows.keys()) > bounds.max_rows
            or max(letters.values(), default=0) > bounds.max_columns
        ):
            _refuse_first_cell(xml, start, end, bounds, seen=rows)
        rows.update(chunk_rows)
        start = end
    numbers = [int(row) for row in rows]
    if not numbers:
        return 0, 0, 0, 0
    return len(numbers), min(numbers), max(numbers), max(letters.values())


def _refuse_first_cell(xml: bytes, start: int, end: int, bounds: "_Bounds", *, seen) -> None:
    """Refuses the sheet naming the first cell of xml[start:end] past a limit, given the rows
    `seen` before it."""
    rows = {int(row) for row in seen}
    bounds.rows = len(rows)
    for match in _CONTENT_CELL.finditer(xml, start, end):
        row, column = int(match.group(2)), _column_number(match.group(1))
        bounds.column(row, column)
        if row not in rows:
            rows.add(row)
            bounds.row(row)


def _plain_sheet_bounds(xml: bytes, title: str) -> bool:
    """Whether python-calamine may read this sheet: every cell with content names its place,
    no formulas (a formula without a stored value must be reported as such) and no merged
    cells (the streaming reader applies them), and the range it would hold is small. The
    row and column limits are applied here, with the same messages."""
    if _NOT_PLAIN.search(xml):
        return False
    rows, first_row, last_row, last_column = _plain_extent(xml, _Bounds(title))
    return rows == 0 or (last_row - first_row + 1) * last_column <= PLAIN_MAX_CELLS


def _read_plain_xlsx(data: bytes) -> list[RawTable] | None:
    """A workbook as spreadsheet programs write it, read by python-calamine (some 15 times
    faster than openpyxl's streaming reader); None when a sheet needs the streaming reader
    (formulas, merged cells, cells without a reference, a sparse range), or the workbook is
    one python-calamine does not read."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _sheet_members(archive)
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            try:
                if sorted(members) != sorted(workbook.sheet_names):
                    return None
                for title, member in members.items():
                    if not _plain_sheet_bounds(archive.read(member), title):
                        return None
                tables = []
                for metadata in workbook.sheets_metadata:
                    if str(metadata.visible).rsplit(".", 1)[-1].lower() != "visible":
                        continue
                    sheet = workbook.get_sheet_by_name(metadata.name)
                    table = _table(metadata.name, _read_calamine_sheet(sheet))
                    if table:
                        tables.append(table)
                return tables
            finally:
                workbook.close()
    except (CalamineError, *BROKEN):
        return None


def _sheet_members(archive) -> dict[str, str]:
    """Sheet title → its member in the zip, from the workbook and its relationships."""
    from xml.etree.ElementTree import fromstring

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relationship = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    package = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    targets = {
        item.get("Id"): item.get("Target", "")
        for item in fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(
            f"{package}Relationship"
        )
    }
    members = {}
    for sheet in fromstring(archive.read("xl/workbook.xml")).iter(f"{main}sheet"):
        target = targets[sheet.get(relationship)]
        members[sheet.get("name")] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    return members
