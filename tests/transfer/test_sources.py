"""Reading files safely and forgivingly: encodings spreadsheets write, bounded input,
formulas without a stored value, numbers typed into the number column, merged cells.

Every file is built in the test (openpyxl, zipfile), so what it holds is visible here.
"""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from measures.models import Measure
from transfer.errors import FileRefused
from transfer.models import ImportRun
from transfer.rows import read_rows
from transfer.services import programme_export, programme_import, programme_template
from transfer.sheets import read_sheets

from .conftest import database_dump


@pytest.fixture
def programme(small_programme):
    """Not about the seed: some programme with some measures, built from factories."""
    return small_programme


MEASURE_HEADERS = ["Nummer", "Titel", "Kosten"]


def workbook_bytes(rows, *, title="Maßnahmen", build=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if build:
        build(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, name: str, change) -> bytes:
    """The same XLSX with one member's XML changed (what another program could have written)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = change(content.decode()).encode()
            target.writestr(info.filename, content)
    return buffer.getvalue()


def messages(refused) -> str:
    return " | ".join(str(error) for error in refused.value.errors)


def read(programme, data: bytes, name="m.xlsx"):
    _format, sheets = read_sheets(name=name, data=data)
    return read_rows(sheets=sheets, groups=list(programme.working_groups.order_by("number")))


# --- Encodings ---------------------------------------------------------------------------------

GERMAN = "Bürger „Übersicht“ für Ämter: Größe, Straße, Gebäude – 1.500 €"


def test_windows_1252_csv_as_german_excel_saves_it_is_read(programme, admin_user):
    """Excel's "CSV (Trennzeichen-getrennt)": Windows-1252, `;`, Windows line ends."""
    data = f"Nummer;Titel;Kosten\r\n1.30;{GERMAN};hoch\r\n".encode("cp1252")
    assert data.decode("cp1252") and b"\x84" in data and b"\x80" in data  # „ and €

    run = programme_import(programme=programme, file_name="m.csv", data=data, by=admin_user).run

    assert run.errors == [] and run.state == ImportRun.State.APPLIED
    measure = Measure.objects.get(number="1.30")
    assert measure.title == GERMAN
    assert measure.cost_rating == "hoch"


@pytest.mark.parametrize(
    "encoded",
    [
        ("Nummer;Titel\n1.30;" + GERMAN + "\n").encode(),
        ("\ufeffNummer;Titel\n1.30;" + GERMAN + "\n").encode(),
        ("Nummer\tTitel\r\n1.30\t" + GERMAN + "\r\n").encode("utf-16"),  # "Unicode-Text"
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 with BOM, tabs"],
)
def test_unicode_csv_is_read_with_or_without_bom(encoded):
    _format, (sheet,) = read_sheets(name="m.csv", data=encoded)
    assert sheet.rows == [(2, {"number": "1.30", "title": GERMAN})]


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5 >>\nstream\n\x01\x02\x03\x9c\x10",
        "Nummer;Titel\n1.1;Bü\x81rger\n".encode("latin-1"),  # a byte Windows-1252 lacks
    ],
    ids=["png", "pdf", "undefined byte"],
)
def test_what_is_not_text_is_refused_naming_the_encodings_read(data):
    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.csv", data=data)
    assert "UTF-8, UTF-16, Windows-1252" in messages(refused)


# --- Bounds: small files that would expand -----------------------------------------------------


def test_a_huge_declared_dimension_is_not_trusted(programme):
    """4.7 KB that declares A1:XFD1048576: read as the three rows it holds."""
    data = workbook_bytes([MEASURE_HEADERS, ["1.30", "Neu", "hoch"], ["1.31", "Auch neu", ""]])
    data = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:XFD1048576"', xml),
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")

    rows = read(programme, data)

    assert rows.errors == []
    assert [row["number"] for row in rows.rows["measures"]] == ["1.30", "1.31"]


def test_empty_formatted_rows_and_cells_are_skipped_without_being_kept(programme):
    def format_far_below_and_right(sheet):
        bold = Font(bold=True)
        for number in range(4, 3000):
            sheet.cell(row=number, column=1).font = bold
        sheet.cell(row=2, column=16000).font = bold  # beyond the column limit, but empty
        sheet.cell(row=3000, column=2).value = "   "  # blank text counts as empty

    data = workbook_bytes(
        [MEASURE_HEADERS, ["1.30", "Neu", "hoch"]], build=format_far_below_and_right
    )

    rows = read(programme, data)

    assert rows.errors == []
    assert [row["_row"] for row in rows.rows["measures"]] == [2]


def test_a_row_after_many_empty_formatted_rows_is_still_read(programme):
    def format_then_write(sheet):
        bold = Font(bold=True)
        for number in range(3, 3000):
            for column in range(1, 14):
                sheet.cell(row=number, column=column).font = bold
        sheet.append(["1.31", "Nach den leeren Zeilen", "mittel"])
        for number in range(3001, 4000):
            sheet.cell(row=number, column=3).font = bold

    data = workbook_bytes([MEASURE_HEADERS, ["1.30", "Neu", "hoch"]], build=format_then_write)

    rows = read(programme, data)

    assert rows.errors == []
    assert [(row["_row"], row["number"]) for row in rows.rows["measures"]] == [
        (2, "1.30"),
        (3000, "1.31"),
    ]


@pytest.mark.parametrize("chunk_size", [7, 64, 1 << 20])
def test_the_empty_tail_is_found_by_a_scan_in_chunks_of_any_size(chunk_size):
    from transfer.sources import _empty_tail, _Skipping

    head = (
        '<x:worksheet xmlns:x="ns"><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v>'
        '</x:c></x:row><x:row r="2" s="1"><x:c r="A2" s="1"/></x:row>'
        '<x:row r="3"><x:c r="B3"><x:f>A1</x:f></x:c></x:row>'
    )
    tail = "".join(f'<x:row r="{n}" s="1"><x:c r="A{n}" s="1"/></x:row>' for n in range(4, 60))
    end = '</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:A2"/></x:mergeCells>'
    xml = (head + tail + end + "</x:worksheet>").encode()

    start, stop = _empty_tail(io.BytesIO(xml), chunk_size=chunk_size)

    assert (start, stop) == (len(head), len(head) + len(tail))
    skipping = _Skipping(io.BytesIO(xml), start, stop)
    kept = b"".join(iter(lambda: skipping.read(5), b""))
    assert kept == (head + end + "</x:worksheet>").encode()


def test_more_rows_with_content_than_allowed_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 10
    data = workbook_bytes([MEASURE_HEADERS] + [[f"1.{n}", "T", ""] for n in range(30, 40)])

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.xlsx", data=data)

    assert "Die Tabelle hat mehr als 10 Zeilen mit Inhalt (Zeile 11)" in messages(refused)


def test_a_value_beyond_the_column_limit_is_refused_naming_the_cell(settings):
    settings.IMPORT_MAX_COLUMNS = 20
    data = workbook_bytes(
        [MEASURE_HEADERS, ["1.30", "Neu", "hoch"]],
        build=lambda sheet: sheet.cell(row=2, column=21, value="x"),
    )

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.xlsx", data=data)

    assert "Die Zelle U2 liegt hinter der Spalte T; erlaubt sind höchstens 20 Spalten" in (
        messages(refused)
    )


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_an_overlong_cell_is_refused_naming_the_cell(settings, file_format):
    settings.IMPORT_MAX_CELL_CHARS = 100
    rows = [MEASURE_HEADERS, ["1.30", "x" * 101, ""], ["1.31", "y" * 100, ""]]
    if file_format == "xlsx":
        data = workbook_bytes(rows)
    else:
        data = "\n".join(";".join(row) for row in rows).encode()

    with pytest.raises(FileRefused) as refused:
        read_sheets(name=f"m.{file_format}", data=data)

    assert len(refused.value.errors) == 1
    assert "Zeile 2, Spalte B: Die Zelle B2 enthält 101 Zeichen; erlaubt sind höchstens 100" in (
        messages(refused)
    )


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_unpacked(settings):
    """A zip member of 20 MB of spaces packs into some 20 KB."""
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    data = workbook_bytes([MEASURE_HEADERS, ["1.30", "Neu", "hoch"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
            target.writestr(info.filename, zipfile.ZipFile(io.BytesIO(data)).read(info.filename))
        with target.open("xl/padding.xml", "w") as member:
            for _ in range(20):
                member.write(b" " * 1024 * 1024)
    assert len(buffer.getvalue()) < 200 * 1024

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.xlsx", data=buffer.getvalue())

    assert "Die Arbeitsmappe ist entpackt 20 MB groß; erlaubt sind höchstens 5 MB" in (
        messages(refused)
    )


def test_many_errors_are_listed_up_to_the_limit_then_counted(programme, admin_user, settings):
    """1,000 junk rows with two errors each: 300 listed, the other 1,700 counted."""
    settings.IMPORT_MAX_LISTED_ERRORS = 300
    lines = ["Nummer;Titel;Kosten"] + [f"x{n};Titel;sehr hoch" for n in range(1000)]
    before = database_dump()

    run = programme_import(
        programme=programme, file_name="junk.csv", data="\n".join(lines).encode(), by=admin_user
    ).run

    assert run.state == ImportRun.State.REJECTED
    assert len(run.errors) == 301
    assert run.errors[0]["text"].startswith("Blatt junk.csv, Zeile 2, Spalte Nummer: 'x0'")
    assert run.errors[-1]["text"] == "… und 1.700 weitere Fehler"
    assert run.error_count == 2000
    assert database_dump() == before


def stored(data: bytes) -> bytes:
    """The same XLSX with its members stored uncompressed (so that bytes can be altered)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: rewrite_member(data, "xl/worksheets/sheet1.xml", lambda xml: xml[:-40]),
        lambda data: stored(data).replace(b"Neuer Titel", b"Neuer Titex"),  # bad checksum
    ],
    ids=["broken sheet XML", "bad CRC"],
)
def test_a_damaged_workbook_is_refused_as_unreadable(damage):
    data = damage(workbook_bytes([MEASURE_HEADERS, ["1.30", "Neuer Titel", "hoch"]]))

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.xlsx", data=data)

    assert messages(refused) == "Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx)."


def test_shared_strings_are_read_as_openpyxl_reads_them():
    from openpyxl.reader.strings import read_string_table

    from transfer.sources import read_shared_strings

    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>Bürger*innen</t></si>"
        '<si><r><rPr><b/></rPr><t>Fett</t></r><r><t xml:space="preserve"> und normal </t></r></si>'
        '<si><t>漢字</t><rPh sb="0" eb="2"><t>カンジ</t></rPh><phoneticPr fontId="1"/></si>'
        "<si><t/></si><si><t>a_x005F_x000D_b\nc</t></si></sst>"
    ).encode()

    strings = read_shared_strings(io.BytesIO(table))

    assert strings == list(read_string_table(io.BytesIO(table)))
    assert strings[:3] == ["Bürger*innen", "Fett und normal ", "漢字"]


# --- Formulas without a stored value -----------------------------------------------------------


def test_a_formula_without_a_stored_value_is_named_as_such(programme):
    """openpyxl (like many scripts) writes formulas without computing their result."""
    data = workbook_bytes([MEASURE_HEADERS, ["1.30", '="Neu"&" "&"Titel"', "hoch"]])

    rows = read(programme, data)

    assert [str(error) for error in rows.errors] == [
        "Blatt Maßnahmen, Zeile 2, Spalte Titel: Die Zelle B2 enthält eine Formel ohne "
        "gespeicherten Wert; bitte die Datei in Excel oder LibreOffice öffnen und speichern "
        "oder den Wert selbst eintragen."
    ]


def test_a_formula_with_its_stored_value_reads_the_value(programme):
    """As Excel and LibreOffice save it: the formula and its last result."""
    data = workbook_bytes([MEASURE_HEADERS, ["1.30", "=A1", "hoch"]])
    data = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            r'<c r="B2"[^>]*><f>A1</f><v\s*/?>(</v>)?',
            '<c r="B2" t="str"><f>A1</f><v>Neuer Titel</v>',
            xml,
        ),
    )

    rows = read(programme, data)

    assert rows.errors == []
    assert rows.rows["measures"][0]["title"] == "Neuer Titel"


# --- Numbers typed into the number column ------------------------------------------------------


def test_a_measure_number_stored_as_a_number_is_refused(programme):
    """ "1.10" typed into a General cell arrives as 1.1: it must not update measure 1.1."""
    data = workbook_bytes([MEASURE_HEADERS, [1.1, "Titel von 1.10", "hoch"]])
    before = database_dump()

    rows = read(programme, data)

    assert rows.rows["measures"] == []
    (error,) = rows.errors
    assert str(error).startswith(
        "Blatt Maßnahmen, Zeile 2, Spalte Nummer: Die Nummer 1.1 steht als Zahl in der Zelle"
    )
    assert "Bitte die Spalte als Text formatieren" in str(error)
    assert database_dump() == before


def test_a_measure_reference_stored_as_a_number_is_refused_in_child_sheets(programme):
    data = workbook_bytes([["Maßnahme", "Ziel"], [1.1, "Ein Ziel"]], title="Ziele")

    rows = read(programme, data)

    assert rows.rows["goals"] == []
    assert "Spalte Maßnahme: Die Nummer 1.1 steht als Zahl" in str(rows.errors[0])


def test_the_template_and_the_export_keep_number_columns_as_text(programme):
    book = load_workbook(io.BytesIO(programme_template(programme=programme)))

    for title, letter in (("Maßnahmen", "A"), ("Ziele", "A"), ("Kennzahlen", "A")):
        assert book[title].column_dimensions[letter].number_format == "@", title
    assert book["Maßnahmen"].column_dimensions["C"].number_format != "@"


# --- Merged cells ------------------------------------------------------------------------------


def _merged_rating_sheet(sheet):
    sheet.merge_cells("C2:C5")


def test_a_value_merged_over_rows_counts_for_each_row(programme):
    """One rating written once, merged over four measures: each of them keeps it."""
    data = workbook_bytes(
        [MEASURE_HEADERS]
        + [["1.30", "A", "hoch"], ["1.31", "B", None], ["1.32", "C", None], ["1.33", "D", None]]
        + [["1.34", "E", "gering"]],
        build=_merged_rating_sheet,
    )

    rows = read(programme, data)

    assert rows.errors == []
    assert [row["cost_rating"] for row in rows.rows["measures"]] == ["hoch"] * 4 + ["gering"]


def test_cells_merged_over_columns_are_refused_naming_the_range(programme):
    data = workbook_bytes(
        [MEASURE_HEADERS, ["1.30", "Titel über zwei Spalten", None]],
        build=lambda sheet: sheet.merge_cells("B2:C2"),
    )

    with pytest.raises(FileRefused) as refused:
        read_sheets(name="m.xlsx", data=data)

    assert "Blatt Maßnahmen, Zeile 2: Die Zellen B2:C2 sind verbunden" in messages(refused)


# --- Through the browser -----------------------------------------------------------------------


def post_file(client, programme, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(
        reverse("transfer:import"),
        {"programme": programme.pk, "file": SimpleUploadedFile(name, data)},
    )


def test_a_huge_declared_dimension_uploaded_in_the_browser_gives_its_preview(
    client, programme, admin_user, media_root
):
    data = workbook_bytes([MEASURE_HEADERS, ["1.30", "Neu", "hoch"]])
    data = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:XFD1048576"', xml),
    )
    client.force_login(admin_user)

    response = post_file(client, programme, "gross.xlsx", data)

    page = client.get(response["Location"])
    assert page.status_code == 200
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.PREVIEW
    assert run.counts["measures"]["create"] == 1


def test_thousands_of_errors_show_a_few_hundred_and_the_count_of_the_rest(
    client, programme, admin_user, media_root, settings
):
    settings.IMPORT_MAX_LISTED_ERRORS = 300
    lines = ["Nummer;Titel;Kosten"] + [f"x{n};Titel;sehr hoch" for n in range(1000)]
    client.force_login(admin_user)

    response = post_file(client, programme, "junk.csv", "\n".join(lines).encode("cp1252"))

    page = client.get(response["Location"]).content.decode()
    assert "Die Datei wurde abgelehnt: 2000 Fehler" in page
    assert page.count("<tr><td>junk.csv</td>") == 300
    assert "… und 1.700 weitere Fehler" in page


def test_the_fast_reader_and_the_streaming_reader_read_an_export_alike(programme, monkeypatch):
    """A plain XLSX is read by python-calamine; anything else by openpyxl's streaming reader.
    On the same file both give the same cells."""
    from transfer import sources

    Measure.objects.filter(number="1.1").update(
        description="Zwei  Leerzeichen\nund eine zweite Zeile", title="=SUMME(A1) als Titel"
    )
    data = programme_export(programme=programme)

    fast = sources.read_xlsx(data)
    monkeypatch.setattr(sources, "PLAIN_MAX_CELLS", 0)  # no sheet qualifies
    streamed = sources.read_xlsx(data)

    assert sources._read_plain_xlsx(data) is None
    assert [table.title for table in fast] == ["Maßnahmen", "Ziele", "Kennzahlen", "Kennzahlwerte"]
    assert fast == streamed
