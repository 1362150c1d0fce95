"""OpenDocument spreadsheets (.ods, LibreOffice's and openDesk's own format): read under the
same bounds as an XLSX, written by the export and the template, and read back unchanged."""

import io
import zipfile

import pytest
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from measures.models import Measure
from transfer.errors import FileRefused
from transfer.rows import read_rows
from transfer.services import programme_export, programme_import, programme_template
from transfer.sheets import read_sheets

from .conftest import database_dump
from .test_roundtrip import assert_all_unchanged

MEASURE_HEADERS = ["Nummer", "Titel", "Kosten"]


def ods_bytes(rows, *, title="Maßnahmen", spans=None) -> bytes:
    """An ODS of text and number cells; `spans` maps (row, column), counted from 0, to the
    (rows, columns) a cell is merged over."""
    spans = spans or {}
    document = OpenDocumentSpreadsheet()
    table = Table(name=title)
    covered = set()
    for (top, left), (height, width) in spans.items():
        covered |= {
            (row, column)
            for row in range(top, top + height)
            for column in range(left, left + width)
        } - {(top, left)}
    for row_index, values in enumerate(rows):
        row = TableRow()
        for column_index, value in enumerate(values):
            if (row_index, column_index) in covered:
                row.addElement(CoveredTableCell())
                continue
            span = spans.get((row_index, column_index))
            extra = {}
            if span:
                extra = {"numberrowsspanned": span[0], "numbercolumnsspanned": span[1]}
            if value is None:
                cell = TableCell(**extra)
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value, **extra)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string", **extra)
                cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def messages(refused) -> str:
    return " | ".join(str(error) for error in refused.value.errors)


def read(programme, data: bytes):
    _format, sheets = read_sheets(name="m.ods", data=data)
    return read_rows(sheets=sheets, groups=list(programme.working_groups.order_by("number")))


def test_an_ods_is_read_like_a_workbook(programme):
    data = ods_bytes([MEASURE_HEADERS, ["1.30", "Neu\nzweite Zeile", "hoch"], ["1.40", "B", None]])

    rows = read(programme, data)

    assert rows.errors == []
    assert [(row["number"], row["title"]) for row in rows.rows["measures"]] == [
        ("1.30", "Neu\nzweite Zeile"),
        ("1.40", "B"),
    ]


def test_a_measure_number_stored_as_a_number_in_an_ods_is_refused(programme):
    rows = read(programme, ods_bytes([MEASURE_HEADERS, [1.1, "Zahl statt Text", "hoch"]]))

    assert "Die Nummer 1.1 steht als Zahl in der Zelle" in str(rows.errors[0])


def test_more_rows_with_content_than_allowed_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 10
    data = ods_bytes([MEASURE_HEADERS] + [[f"1.{n}", "T", ""] for n in range(30, 40)])

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.ods", data=data)

    assert "Die Tabelle hat mehr als 10 Zeilen mit Inhalt (Zeile 11)" in messages(refused)


def test_a_value_beyond_the_column_limit_is_refused_naming_the_cell(settings):
    settings.IMPORT_MAX_COLUMNS = 20
    data = ods_bytes([MEASURE_HEADERS, ["1.30", "Neu", "hoch"] + [None] * 17 + ["x"]])

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.ods", data=data)

    assert "Die Zelle U2 liegt hinter der Spalte T; erlaubt sind höchstens 20 Spalten" in (
        messages(refused)
    )


def test_an_overlong_cell_is_refused_naming_the_cell(settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    data = ods_bytes([MEASURE_HEADERS, ["1.30", "x" * 101, ""], ["1.31", "y" * 100, ""]])

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.ods", data=data)

    assert len(refused.value.errors) == 1
    assert "Zeile 2, Spalte B: Die Zelle B2 enthält 101 Zeichen; erlaubt sind höchstens 100" in (
        messages(refused)
    )


def test_an_ods_that_unpacks_beyond_the_limit_is_refused_before_it_is_unpacked(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    data = ods_bytes([MEASURE_HEADERS, ["1.30", "Neu", "hoch"]])
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        with target.open("padding.xml", "w") as member:
            for _ in range(20):
                member.write(b" " * 1024 * 1024)

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.ods", data=buffer.getvalue())

    assert "Die Arbeitsmappe ist entpackt 20 MB groß; erlaubt sind höchstens 5 MB" in (
        messages(refused)
    )


def test_a_damaged_ods_is_refused_as_unreadable():
    data = ods_bytes([MEASURE_HEADERS, ["1.30", "Neuer Titel", "hoch"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "content.xml":
                content = content[:-60]
            target.writestr(info, content)

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.ods", data=buffer.getvalue())

    assert messages(refused) == "Die Datei ist keine lesbare OpenDocument-Tabelle (.ods)."


def test_a_value_merged_over_rows_counts_for_each_row(programme):
    data = ods_bytes(
        [MEASURE_HEADERS, ["1.30", "A", "hoch"], ["1.31", "B", None], ["1.32", "C", None]]
        + [["1.34", "E", "gering"]],
        spans={(1, 2): (3, 1)},
    )

    rows = read(programme, data)

    assert rows.errors == []
    assert [row["cost_rating"] for row in rows.rows["measures"]] == ["hoch"] * 3 + ["gering"]


def test_cells_merged_over_columns_are_refused_naming_the_range():
    data = ods_bytes(
        [MEASURE_HEADERS, ["1.30", "Titel über zwei Spalten", None]], spans={(1, 1): (1, 2)}
    )

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.ods", data=data)

    assert "Blatt Maßnahmen, Zeile 2: Die Zellen B2:C2 sind verbunden" in messages(refused)


def test_the_ods_export_imports_without_changes(programme, admin_user):
    Measure.objects.filter(number="1.1").update(
        description="Zwei  Leerzeichen\nund eine zweite Zeile", title="=SUMME(A1) als Titel"
    )
    before = database_dump()

    run = programme_import(
        programme=programme,
        file_name="programm.ods",
        data=programme_export(programme=programme, file_format="ods"),
        by=admin_user,
        dry_run=True,
    ).run

    assert run.errors == []
    assert_all_unchanged(run.counts)
    assert run.counts["measures"]["unchanged"] == Measure.objects.count()
    assert database_dump() == before


def test_the_ods_template_has_headers_only(programme):
    template = programme_template(programme=programme, file_format="ods")

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="vorlage.ods", data=template)

    assert messages(refused) == "Die Datei enthält keine Daten, nur Überschriften."


def with_content_xml(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "content.xml":
                content = change(content.decode()).encode()
            target.writestr(info, content)
    return buffer.getvalue()


REPEATED_ROW = (
    '<table:table-row table:number-rows-repeated="1048000">'
    '<table:table-cell office:value-type="string" table:number-columns-repeated="%s">'
    "<text:p>x</text:p></table:table-cell></table:table-row></table:table>"
)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("2", "Die Tabelle hat mehr als 50.000 Zeilen mit Inhalt (Zeile 50.001)"),
        ("16000", "Die Zelle AY3 liegt hinter der Spalte AX; erlaubt sind höchstens 50 Spalten"),
    ],
)
def test_a_row_with_content_repeated_a_million_times_is_refused_before_it_is_expanded(
    columns, message
):
    """ODS writes a row once with "repeat 1,048,000 times"; it counts as often."""
    data = with_content_xml(
        ods_bytes([MEASURE_HEADERS, ["1.30", "Neu", "hoch"]]),
        lambda xml: xml.replace("</table:table>", REPEATED_ROW % columns),
    )

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.ods", data=data)

    assert message in messages(refused)


def test_empty_formatted_rows_repeated_a_million_times_are_skipped(programme):
    empty = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    last = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>1.31</text:p>'
        '</table:table-cell><table:table-cell office:value-type="string"><text:p>B</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    data = with_content_xml(
        ods_bytes([MEASURE_HEADERS, ["1.30", "A", "hoch"]]),
        lambda xml: xml.replace("</table:table>", empty + last),
    )

    _format, (sheet,) = read_sheets(name="m.ods", data=data)

    assert [number for number, _cells in sheet.rows] == [2, 1048003]
